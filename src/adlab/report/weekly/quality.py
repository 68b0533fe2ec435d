"""The data-quality section of a weekly page: coverage of its days, the files behind it and their warnings
(the files table serves the reporting-window page too)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from adlab import kpis
from adlab.display import column_formats
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
    order_days = orders.filter(pl.col("date").is_between(start, end))["date"].n_unique() if orders is not None else 0
    facts = [f"Ad data on {ad_days} of 7 days"]
    facts.append(f"orders on {order_days} of 7 days" if orders is not None else "no orders export")
    files = week_sources(ad_insights, orders, week)
    return (
        f'<p>{esc("; ".join(facts))}. <a href="../quality.html">Data quality details</a> (checks, quarantine, '
        "every file of the latest run).</p>" + source_files_html(ledger, warnings, files, "File behind this week")
    )


def source_files_html(
    ledger: pl.DataFrame | None, warnings: pl.DataFrame | None, files: Sequence[str], files_label: str
) -> str:
    """The ledger rows of `files` (where they went: kept, replaced, totals, quarantined) and their warnings, or a
    line saying they have none; empty without files."""
    parts = []
    if ledger is not None and files:
        rows = ledger.filter(pl.col("source_file").is_in(files))
        if rows.height:
            parts.append(
                html_table(
                    rows.select("source_file", "kind", "rows_in", "kept", "replaced", "totals", "quarantined"),
                    column_formats(""),
                    labels={
                        "source_file": files_label,
                        "kind": "Kind",
                        "rows_in": "Rows in (whole file)",
                        "kept": "Kept",
                        "replaced": "Replaced",
                        "totals": "Totals rows",
                        "quarantined": "Quarantined",
                    },
                )
            )
    if warnings is not None and files:
        shown = warnings.filter(pl.col("source_file").is_in(files))
        parts.append(
            html_table(
                shown.select("source_file", "check", "message"),
                labels={"source_file": "File", "check": "Check", "message": "Warning"},
            )
            if shown.height
            else note_html("No warnings for these files.")
        )
    return "".join(parts)
