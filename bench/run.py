"""Benchmark the data stages at agency scale against the I/O floor and a pandas peer.

`python bench/run.py --rows 1000000` (or `make bench ROWS=1000000`) generates, with the sample
generator at scale, a Meta daily ad-level export of about N rows plus proportional Shopify orders,
and the same at 10,000 rows; then, for both sizes, it measures:

* the I/O floor: polars reading the same CSV files and writing them as parquet (in this process);
* each data stage of dvc.yaml (all but `report`) as DVC runs it: the stage's own command line, as a
  subprocess in a scratch project under bench/out/ whose params.yaml points ingest.raw_dir at the
  generated files; wall time (start-up and imports included) and peak RSS (psutil polling);
* the pandas peer: the weekly KPI roll-up per (week, campaign, ad set, ad) written the plain pandas
  way (bench/pandas_peer.py, as a subprocess so that its start-up counts too).

Writes bench/results.json and prints a table. Nothing here asserts a speed: the benchmark is the measurement.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import psutil
import yaml

from adlab.demo import write_sample

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
# Ad-level rows of one copy of the sample account (scale 1); `scale` copies give about scale x this.
AD_ROWS_PER_SCALE = 1302
# Orders as in the embedded sample: about one order line per Meta row (7,633 lines for 8,407 Meta rows,
# ad-level + age x gender). Without the breakdown file the default share would give ~5.9 lines per row.
ORDERS_SHARE = 0.17
SKIPPED_STAGES = ("report",)  # renders HTML, not data; measured on its own with --report
POLL_SECONDS = 0.02
DATA_VERSION = 1  # bump when the generated inputs change


def generate(rows: int, folder: Path, seed: int) -> list[Path]:
    """The benchmark exports for about `rows` Meta ad-level rows; reused when already generated."""
    stamp = folder / "inputs.json"
    wanted = {"rows": rows, "seed": seed, "orders_share": ORDERS_SHARE, "version": DATA_VERSION}
    if stamp.exists() and json.loads(stamp.read_text())["wanted"] == wanted:
        return [folder / name for name in json.loads(stamp.read_text())["files"]]
    shutil.rmtree(folder, ignore_errors=True)
    scale = max(1, round(rows / AD_ROWS_PER_SCALE))
    paths = write_sample(folder, seed=seed, scale=scale, breakdowns=False, orders_share=ORDERS_SHARE)
    stamp.write_text(json.dumps({"wanted": wanted, "files": [p.name for p in paths]}))
    return paths


def count_lines(path: Path) -> int:
    """Data rows of a CSV written by the generator (no quoted line breaks in it): lines minus the header."""
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")) - 1


def io_floor(paths: list[Path], scratch: Path) -> float:
    """Seconds for polars to read each CSV and write it as parquet: the least any pipeline must spend."""
    scratch.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for path in paths:
        pl.read_csv(path).write_parquet(scratch / f"{path.stem}.parquet")
    return time.perf_counter() - start


def run_measured(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Run a command to completion; its wall seconds and the peak RSS (bytes) of it and its children."""
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass  # the process ended between poll() and memory_info()
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - start
    output = process.stdout.read().decode("utf-8", errors="replace") if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"bench: `{shlex.join(args)}` failed in {cwd} (exit {process.returncode}):\n{output}")
    return seconds, peak


def stage_commands(dvc_yaml: Path) -> dict[str, list[str]]:
    """The data stages of dvc.yaml in pipeline order, each as the argument list DVC would run."""
    stages = yaml.safe_load(dvc_yaml.read_text())["stages"]
    commands = {}
    for name, stage in stages.items():
        if name in SKIPPED_STAGES:
            continue
        words = shlex.split(stage["cmd"])
        commands[name] = [sys.executable if words[0] == "python" else words[0], *words[1:]]
    return commands


def scratch_project(folder: Path, raw_dir: Path) -> Path:
    """A project folder running the repo's pipelines on `raw_dir`, with its own params, salt and outputs."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ("pipelines", "notebooks"):
        (folder / name).symlink_to(ROOT / name)
    # The exports are linked in, not copied: ingest names files relative to the project root.
    (folder / "data" / "raw").mkdir(parents=True)
    for path in sorted(raw_dir.glob("*.csv")):
        (folder / "data" / "raw" / path.name).symlink_to(path.resolve())
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["ingest"].update(raw_dir="data/raw", sample_dir="data/raw", salt_file=".adlab/salt")
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return folder


def stage_env() -> dict[str, str]:
    """The environment DVC gives a stage (the Makefile's exports; telemetry off)."""
    return {
        **os.environ,
        "GX_ANALYTICS_ENABLED": "False",
        "DVC_NO_ANALYTICS": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def measure(rows: int, out: Path, seed: int, report: bool) -> dict:
    """Every figure of one input size."""
    data = out / f"rows_{rows}"
    paths = generate(rows, data / "raw", seed)
    meta_rows = count_lines(paths[0])
    floor_s = io_floor(paths, data / "floor")
    project = scratch_project(data / "project", data / "raw")
    env = stage_env()
    stages, peaks = {}, {}
    for name, command in stage_commands(ROOT / "dvc.yaml").items():
        stages[name], peaks[name] = run_measured(command, project, env)
    pandas_s, pandas_peak = run_measured(
        [
            sys.executable,
            str(BENCH / "pandas_peer.py"),
            str(paths[0].resolve()),
            str((data / "floor" / "pandas_weekly.parquet").resolve()),
        ],
        project,
        env,
    )
    figures = {
        "rows": meta_rows,
        "input_mb": sum(p.stat().st_size for p in paths) / 1e6,
        "floor_s": floor_s,
        "pipeline_s": sum(stages.values()),
        "stages": stages,
        "peaks": peaks,
        "peak_rss_mb": max(peaks.values()) / 1e6,
        "pandas_s": pandas_s,
        "pandas_peak_mb": pandas_peak / 1e6,
    }
    figures.update(measure_answers(project))
    if report:
        figures["report_s"], figures["report_peak_mb"] = measure_report(project, env)
    return figures


# Everyday questions timed on the large run: each answer from the loaded tables (`adlab ask` loads them once).
ANSWER_QUESTIONS = (
    "Why did my ROAS drop yesterday?",
    "Why did my CPA rise last week?",
    "Which of my ads is performing best with women aged 25-34?",
    "Should I pause the 'PROSP | Broad | Sales' campaign?",
    "What was my CPA last week?",
    "How much did I spend yesterday?",
    "Top 5 ads by ROAS",
    "Which creatives are fatigued?",
    "Is my tracking broken?",
)


def measure_answers(project: Path) -> dict:
    """Seconds to load the tables the answers read, then to answer each question (None: not answered)."""
    from adlab import insights, workbench
    from adlab.errors import AdlabError

    start = time.perf_counter()
    workspace = workbench.load_workspace(project)
    load_s = time.perf_counter() - start
    answers: dict[str, float | None] = {}
    for question in ANSWER_QUESTIONS:
        start = time.perf_counter()
        try:
            insights.ask(question, workspace)
        except AdlabError:
            answers[question] = None
            continue
        answers[question] = round(time.perf_counter() - start, 3)
    return {"workspace_load_s": load_s, "answers_s": answers}


def measure_report(project: Path, env: dict[str, str]) -> tuple[float, float]:
    """One weekly report page (report.weeks = 1) plus the index, rendered as the report stage does."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["report"]["weeks"], params["report"]["extra_weeks"] = 1, []
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    words = shlex.split(yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["report"]["cmd"])
    seconds, peak = run_measured([sys.executable, *words[1:]], project, env)
    return seconds, peak / 1e6


def results(large: dict, small: dict) -> dict:
    """bench/results.json: exactly the keys of issue 6."""
    floor_delta = large["floor_s"] - small["floor_s"]
    return {
        "rows": large["rows"],
        "input_mb": round(large["input_mb"], 1),
        "floor_s": round(large["floor_s"], 2),
        "pipeline_s": round(large["pipeline_s"], 2),
        "small": {
            "rows": small["rows"],
            "floor_s": round(small["floor_s"], 2),
            "pipeline_s": round(small["pipeline_s"], 2),
        },
        "fixed_s": round(small["pipeline_s"], 2),
        "marginal_ratio": round((large["pipeline_s"] - small["pipeline_s"]) / floor_delta, 2)
        if floor_delta > 0
        else None,
        "peak_rss_mb": round(max(large["peak_rss_mb"], small["peak_rss_mb"]), 1),
        "pandas_s": round(large["pandas_s"], 2),
        "stages": {name: round(seconds, 2) for name, seconds in large["stages"].items()},
        "workspace_load_s": round(large["workspace_load_s"], 2),
        "answers_s": large["answers_s"],
    }


def table(large: dict, small: dict, summary: dict) -> str:
    """The figures as a plain-text table: one line per measured step, both sizes, peak RSS."""

    def line(name: str, big: float, little: float, peak: float | None) -> str:
        rss = f"{peak:10,.0f}" if peak is not None else f"{'':>10}"
        return f"{name:<22}{big:>10.2f}{little:>10.2f}{big - little:>10.2f}{rss}"

    sizes = f"{large['rows']:>10,}{small['rows']:>10,}"
    head = f"{'step':<22}{sizes}{'marginal':>10}{'peak MB':>10}"
    lines = [head, "-" * len(head), line("I/O floor (polars)", large["floor_s"], small["floor_s"], None)]
    for name in large["stages"]:
        lines.append(line(f"stage {name}", large["stages"][name], small["stages"][name], large["peaks"][name] / 1e6))
    lines.append(line("data stages, total", large["pipeline_s"], small["pipeline_s"], large["peak_rss_mb"]))
    lines.append(line("pandas weekly peer", large["pandas_s"], small["pandas_s"], large["pandas_peak_mb"]))
    if "report_s" in large:
        lines.append(line("report, one week", large["report_s"], small["report_s"], large["report_peak_mb"]))
    lines.append(line("ask: load the tables", large["workspace_load_s"], small["workspace_load_s"], None))
    for question, seconds in large["answers_s"].items():
        little = small["answers_s"][question]
        if seconds is not None and little is not None:
            lines.append(line(f"ask: {question[:17]}", seconds, little, None))
        else:
            lines.append(f"{'ask: ' + question[:17]:<22}{'not answered':>20}")
    lines += [
        "-" * len(head),
        f"input {summary['input_mb']:,.1f} MB; fixed cost {summary['fixed_s']:.2f} s; "
        f"marginal ratio {summary['marginal_ratio']} (pipeline / floor, per-row part); "
        f"peak RSS {summary['peak_rss_mb']:,.0f} MB",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="Meta ad-level rows of the large run")
    parser.add_argument("--small-rows", type=int, default=10_000, help="rows of the small run (shows fixed costs)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the sample generator")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="scratch folder (gitignored)")
    parser.add_argument("--results", type=Path, default=BENCH / "results.json", help="figures to write")
    parser.add_argument("--report", action="store_true", help="also time one weekly report render per size")
    args = parser.parse_args(argv)

    small = measure(args.small_rows, args.out, args.seed, args.report)
    large = measure(args.rows, args.out, args.seed, args.report)
    summary = results(large, small)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, indent=2) + "\n")
    print(table(large, small, summary))
    print(f"wrote {args.results}")
    return 0 if math.isfinite(summary["pipeline_s"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
