"""Smoke test of the benchmark: it runs end to end on tiny inputs and writes the keys of issue 6 (no speed asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"

pytestmark = pytest.mark.slow


def test_bench_run_writes_every_figure_of_the_issue(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--rows",
            "2000",
            "--small-rows",
            "1000",
            "--out",
            str(tmp_path / "out"),
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(results.read_text())
    assert set(figures) == {
        "rows",
        "input_mb",
        "floor_s",
        "pipeline_s",
        "small",
        "fixed_s",
        "marginal_ratio",
        "workspace_load_s",
        "answers_s",
        "peak_rss_mb",
        "pandas_s",
        "stages",
    }
    assert set(figures["small"]) == {"rows", "floor_s", "pipeline_s"}
    assert {"ingest", "validate", "kpis"} <= set(figures["stages"])
    assert "report" not in figures["stages"]
    assert figures["rows"] > figures["small"]["rows"] > 0
    assert figures["fixed_s"] == figures["small"]["pipeline_s"]
    assert figures["pipeline_s"] == pytest.approx(sum(figures["stages"].values()), abs=0.05)
    assert "data stages, total" in done.stdout
    assert figures["answers_s"]["Why did my ROAS drop yesterday?"] is not None  # answered, and timed


def test_bench_accounts_writes_its_figures_and_leaves_no_cluster_running(tmp_path: Path) -> None:
    """Three small shops, one pass on 1 worker and one on 2: every key of issue 14, the same bytes from both,
    the workers' CPU counted (a standing cluster's workers are not the stage's children), no cluster left."""
    results, out = tmp_path / "accounts.json", tmp_path / "out"
    command = [sys.executable, str(BENCH.parent / "accounts.py"), "--accounts", "3", "--rows", "3000"]
    command += ["--repeat", "1", "--out", str(out), "--results", str(results)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(results.read_text())
    assert {"accounts", "rows", "wall_s", "per_account_s", "peak_rss_mb_per_worker"} <= set(figures)
    assert figures["accounts"] == 3
    assert figures["same_outputs"] is True
    assert set(figures["wall_s"]) == {"1", "2"}
    assert all(seconds > 0 for seconds in figures["wall_s"].values())
    assert all(figures["cpu_s"]["workers"][workers] > 0 for workers in ("1", "2"))
    assert not list(out.glob("*/project/.adlab/cluster/local-*.json"))
