"""Incremental re-rendering: the digest of each week's inputs and code, so unchanged weeks keep their pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from adlab import kpis
from adlab.report.frames import Days, shown_for_week
from adlab.report.html import TEMPLATES_DIR
from adlab.report.weekly.quality import week_sources

# Modules and packages of src/adlab the weekly page runs; a change to one re-renders every week.
RENDER_MODULES = ("report", "charts", "display", "kpis", "schema", "io", "insights", "creatives", "currency")


def code_version(notebook: Path) -> str:
    """A digest of everything that shapes a page besides the data: notebook, templates, the modules it runs and
    the versions of the libraries that write the HTML."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    package = Path(__file__).parents[1]
    files = [notebook, *sorted(p for p in TEMPLATES_DIR.rglob("*") if p.is_file())]
    for name in RENDER_MODULES:
        module = package / name
        files += sorted(module.rglob("*.py")) if module.is_dir() else [module.with_suffix(".py")]
    for path in files:
        label = path.relative_to(package) if path.is_relative_to(package) else path.name
        digest.update(str(label).encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("plotly", "nbconvert", "polars", "papermill"):
        digest.update(f"{dist}={version(dist)}\0".encode())
    return digest.hexdigest()


def _frame_digest(frame: pl.DataFrame | None) -> str:
    """A digest of a frame's column names, types and rows, in order.

    Rows go in as polars' row hashes with a fixed seed: the same in every run of one polars version, and
    code_version holds that version, so an upgrade re-renders every page anyway. (Digesting CSV text took
    about a second per page's window at a million ad rows.)
    """
    if frame is None:
        return "absent"
    digest = hashlib.sha256(f"{frame.height}\0{list(frame.schema.items())}\0".encode())
    if frame.width:
        digest.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return digest.hexdigest()


def week_window(week: str, trend_weeks: int) -> Days:
    """The days a weekly page reads: its trend (trend_weeks weeks ending with `week`, at least the week before)."""
    start, end = kpis.week_bounds(week)
    return start - dt.timedelta(days=7 * (max(trend_weeks, 2) - 1)), end


def week_fingerprint(
    week: str,
    *,
    kpis_daily: pl.DataFrame,
    orders: pl.DataFrame | None,
    ad_insights: pl.DataFrame | None,
    ledger: pl.DataFrame | None,
    warnings: pl.DataFrame | None,
    recommendations: pl.DataFrame | None,
    creatives: pl.DataFrame | None,
    settings: Mapping[str, Any],
    trend_weeks: int,
    code: str,
    store_sales: pl.DataFrame | None = None,
    sessions: pl.DataFrame | None = None,
    results_daily: pl.DataFrame | None = None,
) -> str:
    """A digest of every input the page of `week` shows: when it is unchanged the page needs no re-render.

    Covers the week's trend window of kpis_daily and orders, the week's ad rows (breakdowns, source files),
    the ledger and warnings of those files, the recommendations and creatives shown on this page, the
    settings (targets, currency, ...) and the code version.
    """
    first, last = week_window(week, trend_weeks)
    start, end = kpis.week_bounds(week)

    def between(frame: pl.DataFrame | None, low: dt.date, high: dt.date) -> pl.DataFrame | None:
        return None if frame is None else frame.filter(pl.col("date").is_between(low, high))

    files = week_sources(ad_insights, orders, week)
    for_week = str(settings.get("stage_outputs_week", ""))
    parts = {
        "week": week,
        "kpis_daily": _frame_digest(between(kpis_daily, first, last)),
        "orders": _frame_digest(between(orders, first, last)),
        "store_sales": _frame_digest(between(store_sales, first, last)),
        "sessions": _frame_digest(between(sessions, start, end)),
        "results_daily": _frame_digest(between(results_daily, first, last)),
        "ad_insights": _frame_digest(between(ad_insights, start, end)),
        "ledger": _frame_digest(None if ledger is None else ledger.filter(pl.col("source_file").is_in(files))),
        "warnings": _frame_digest(None if warnings is None else warnings.filter(pl.col("source_file").is_in(files))),
        "recommendations": _frame_digest(shown_for_week(recommendations, week, for_week)),
        "recommendations_exist": recommendations is not None,
        "creatives": _frame_digest(shown_for_week(creatives, week, for_week)),
        "creatives_exist": creatives is not None,
        "settings": {k: str(v) for k, v in sorted(settings.items()) if k != "stage_outputs_week"},
        "trend_weeks": trend_weeks,
        "code": code,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
