"""The data-quality section of a weekly page: the files behind the week and their warnings."""

from __future__ import annotations

import polars as pl

from adlab import kpis
from adlab.display import (
    column_formats,
)
from adlab.report.frames import days_with_data
from adlab.report.html import esc, html_table, note_html


def week_sources(
    ad_insights: pl.DataFrame | pl.LazyFrame | None, orders: pl.DataFrame | pl.LazyFrame | None, week: str
) -> list[str]:
    """The source files that hold ad rows or orders dated in `week`, sorted (either table may be a lazy scan)."""
    start, end = kpis.week_bounds(week)
    files: set[str] = set()
    for frame in (ad_insights, orders):
        if frame is None or (isinstance(frame, pl.DataFrame) and not frame.height):
            continue
        names = frame.lazy().filter(pl.col("date").is_between(start, end)).select(pl.col("source_file").unique())
        files.update(names.collect()["source_file"].drop_nulls().to_list())
    return sorted(files)


def data_quality_html(
    kpis_daily: pl.DataFrame,
    ad_insights: pl.DataFrame | pl.LazyFrame | None,
    orders: pl.DataFrame | None,
    ledger: pl.DataFrame | None,
    warnings: pl.DataFrame | None,
    week: str,
) -> str:
    """Where this week's numbers come from: coverage of its 7 days, the ledger and warnings of its source files,
    and a link to the quality page."""
    start, end = kpis.week_bounds(week)
    ad_days = days_with_data(kpis_daily, week)
    order_days = (
        orders.filter(pl.col("date").is_between(start, end))["date"].n_unique() if orders is not None else 0
    )
    facts = [f"Ad data on {ad_days} of 7 days"]
    facts.append(f"orders on {order_days} of 7 days" if orders is not None else "no orders export")
    files = week_sources(ad_insights, orders, week)
    parts = [f'<p>{esc("; ".join(facts))}. <a href="../quality.html">Data quality details</a> (checks, quarantine, '
             "every file of the latest run).</p>"]
    if ledger is not None and files:
        rows = ledger.filter(pl.col("source_file").is_in(files))
        if rows.height:
            parts.append(html_table(
                rows.select("source_file", "kind", "rows_in", "kept", "replaced", "totals", "quarantined"),
                column_formats(""),
                labels={"source_file": "File behind this week", "kind": "Kind", "rows_in": "Rows in (whole file)",
                        "kept": "Kept", "replaced": "Replaced", "totals": "Totals rows", "quarantined": "Quarantined"},
            ))
    if warnings is not None and files:
        shown = warnings.filter(pl.col("source_file").is_in(files))
        parts.append(
            html_table(shown.select("source_file", "check", "message"),
                       labels={"source_file": "File", "check": "Check", "message": "Warning"})
            if shown.height else note_html("No warnings for these files.")
        )
    return "".join(parts)
