"""Acceptance of issue 11 in process: every generated export folder reads into the sums of its files.

Each shape of `firstcontact.SHAPES` is written to data/raw/, run through ingest, validation and the KPI
tables, and compared per (account, ISO week or reporting window) with sums taken by the `csv` module.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from adlab.cli import app
from adlab.ingest import choose_inputs, ingest
from adlab.kpis import (
    breakdown_view,
    compute_kpis_daily,
    compute_kpis_period,
    compute_results_daily,
    report_windows,
    store_daily,
    store_daily_from_sales,
    window_breakdown_rollup,
    window_results,
)
from adlab.quality import validate_table
from conftest import copy_project, dvc
from firstcontact import SHAPES, Shape, expected, expected_breakdowns, write_folder

FIRST, LAST = dt.date(2004, 1, 1), dt.date(2100, 1, 1)
METRICS = ("spend", "impressions", "link_clicks", "purchases", "purchase_value")


def run_in_process(root: Path) -> dict:
    """The pipeline's figures per (account, period), in the shape of `firstcontact.expected`."""
    raw = root / "data" / "raw"
    files, _ = choose_inputs(raw, root / "data" / "sample")
    result = ingest(files, root, "salt", raw)
    tables = {name: validate_table(frame, name, FIRST, LAST).table for name, frame in result.tables.items()}
    ads = tables["ad_insights"]
    out: dict = {}
    daily = compute_kpis_daily(ads)
    weekly = daily.with_columns(
        pl.col("date").dt.strftime("%G-W%V").alias("period"), pl.col("account").fill_null("default")
    )
    period = compute_kpis_period(ads).with_columns(
        pl.format("{}..{}", "window_start", "window_end").alias("period"), pl.col("account").fill_null("default")
    )
    for frame in (weekly, period):
        sums = frame.group_by("account", "period").agg(
            pl.when(pl.col(m).count() > 0).then(pl.col(m).sum()).alias(m) for m in METRICS
        )
        for row in sums.iter_rows(named=True):
            out[(row["account"], row["period"])] = {**{m: row[m] for m in METRICS}, "results": {}}
    results = compute_results_daily(ads).with_columns(
        pl.col("date").dt.strftime("%G-W%V").alias("period"), pl.col("account").fill_null("default")
    )
    for row in results.group_by("account", "period", "result_type").agg(pl.col("results").sum()).iter_rows(named=True):
        out.setdefault((row["account"], row["period"]), {"results": {}})["results"][row["result_type"]] = row["results"]
    kpis_period = compute_kpis_period(ads)
    for start, end in report_windows(kpis_period) if kpis_period.height else []:
        # window results are reported across accounts: kept under the pseudo account "*"
        typed = window_results(ads, start, end)
        out[("*", f"{start}..{end}")] = {"results": dict(zip(typed["result_type"], typed["results"], strict=True))}
    store = (
        store_daily(tables["orders"])
        if tables["orders"].height
        else store_daily_from_sales(tables["store_sales"])
        if tables["store_sales"].height
        else None
    )
    if store is not None:
        weeks = (
            store.with_columns(pl.col("date").dt.strftime("%G-W%V").alias("period"))
            .group_by("period")
            .agg(pl.col("orders").sum(), pl.col("revenue").sum())
        )
        for row in weeks.iter_rows(named=True):
            out[("store", row["period"])] = {"orders": row["orders"], "revenue": row["revenue"]}
    return out


def with_window_results(want: dict) -> dict:
    """The expected window results also summed across accounts (pseudo account "*"), as windows report them."""
    merged = {key: dict(sums) for key, sums in want.items()}
    for account, period in want:
        if ".." in period and account != "store":
            target = merged.setdefault(("*", period), {"results": {}})
            for rtype, n in merged[(account, period)].pop("results").items():
                target["results"][rtype] = target["results"].get(rtype, 0) + n
    return merged


def differences(want: dict, got: dict) -> list[str]:
    """Every figure that differs, as `key metric: pipeline != csv`; unknown (None) must match unknown."""
    problems = []
    for key in sorted(set(want) | set(got), key=str):
        w, g = want.get(key), got.get(key)
        if w is None or g is None:
            problems.append(
                f"{key}: {'only in pipeline' if w is None else 'missing in pipeline'} ({g if w is None else w})"
            )
            continue
        for metric, value in w.items():
            if metric == "results":
                types = set(value) | set(g.get("results", {}))
                for rtype in sorted(types):
                    a, b = g.get("results", {}).get(rtype), value.get(rtype)
                    if a is None or b is None or abs(Decimal(str(a)) - b) > Decimal("0.0001"):
                        problems.append(f"{key} results[{rtype}]: pipeline {a} != csv {b}")
                continue
            a = g.get(metric)
            if (a is None) != (value is None) or (
                value is not None and abs(Decimal(str(a)) - Decimal(value)) > Decimal("0.005")
            ):
                problems.append(f"{key} {metric}: pipeline {a} != csv {value}")
    return problems


def breakdowns_in_process(root: Path, breakdowns: set[str]) -> dict[tuple[str, str], dict[str, float]]:
    """Spend and impressions per (breakdown, ISO week or window) as the weekly and window pages' tables sum them."""
    raw = root / "data" / "raw"
    result = ingest(choose_inputs(raw, root / "data" / "sample")[0], root, "salt", raw)
    ads = validate_table(result.tables["ad_insights"], "ad_insights", FIRST, LAST).table
    out = {}
    for name in breakdowns:
        weekly = (
            breakdown_view(ads, name)
            .with_columns(pl.col("date").dt.strftime("%G-W%V").alias("week"))
            .group_by("week")
            .agg(pl.col("spend", "impressions").sum())
            .collect()
        )
        for week, spend, impressions in weekly.iter_rows():
            out[(name, week)] = {"spend": spend, "impressions": impressions}
        periods = compute_kpis_period(ads)
        for start, end in report_windows(periods) if periods.height else []:
            rolled = window_breakdown_rollup(ads, name, [], start, end)
            if rolled.height and rolled["spend"][0] is not None:
                out[(name, f"{start}..{end}")] = {"spend": rolled["spend"][0], "impressions": rolled["impressions"][0]}
    return out


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_first_contact_sums_match_the_files(shape: Shape, tmp_path: Path) -> None:
    specs = write_folder(shape, tmp_path / "data" / "raw")
    want = with_window_results(expected(specs))
    got = run_in_process(tmp_path)
    assert differences(want, got) == []
    by_breakdown = expected_breakdowns(specs)
    if by_breakdown:
        got_breakdowns = breakdowns_in_process(tmp_path, {name for name, _ in by_breakdown})
        assert {key: {m: round(float(v), 2) for m, v in sums.items()} for key, sums in by_breakdown.items()} == {
            key: {m: round(float(v), 2) for m, v in sums.items()} for key, sums in got_breakdowns.items()
        }


@pytest.mark.xfail(
    reason="purchases are Int64 in ad_insights: Google Ads' fractional conversions (1.33, data-driven "
    "attribution) are rounded per row; making purchases a float is a schema change",
    strict=True,
)
def test_first_contact_google_fractional_conversions_sum_like_the_file(tmp_path: Path) -> None:
    shape = Shape("google_fractional", others=True, fractional=True)
    specs = write_folder(shape, tmp_path / "data" / "raw")
    assert differences(with_window_results(expected(specs)), run_in_process(tmp_path)) == []


BAD_WORDS = re.compile(r"\b(None|nan|NaN|null)\b")


def visible_text(html: str) -> str:
    """A page's text outside <script> and <style>."""
    return re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)


@pytest.mark.slow
def test_first_contact_dvc_repro_summary_pages_and_answers_match_the_files(tmp_path: Path) -> None:
    # One full run on a mixed folder: ad-level daily export with IDs, an account-level Age x Gender export of
    # the same days, a sales and a leads campaign, an orders export. summary.json's week must equal the csv sums.
    shape = Shape(
        "e2e_mixed", objective="mixed", ids=True, totals=True, bom=True, account_breakdown=True, store="orders"
    )
    project = copy_project(tmp_path / "project")
    specs = write_folder(shape, project / "data" / "raw")
    result = dvc(project, "repro")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((project / "metrics" / "summary.json").read_text())
    want = expected(specs)
    week = summary["week"]
    ads, store = want[("default", week)], want[("store", week)]
    got = {m: summary[m] for m in (*METRICS, "orders", "revenue")}
    assert got == pytest.approx(
        {**{m: float(ads[m]) for m in METRICS}, "orders": store["orders"], "revenue": float(store["revenue"])}
    )
    assert {row["result_type"]: row["results"] for row in summary["results"]} == pytest.approx(
        {rtype: float(n) for rtype, n in ads["results"].items()}
    )
    for page in (project / "reports").rglob("*.html"):
        assert not BAD_WORDS.search(visible_text(page.read_text())), page
    for question in (
        "Why did my ROAS drop last week?",
        "Should I pause ACM | C1 Leads?",
        "Which ad is performing best with women aged 25-34?",
    ):
        answer = CliRunner().invoke(app, ["--project", str(project), "ask", question])
        assert answer.exit_code == 0, answer.output
        assert not BAD_WORDS.search(answer.output), answer.output
        assert "without a single purchase" not in answer.output
