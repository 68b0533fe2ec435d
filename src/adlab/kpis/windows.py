"""Reporting-window exports: tables and figures of exports without a `Day` column.

Such an export holds one row per entity for a `Reporting starts`..`Reporting ends` window. A window row
spans many days, so it never enters the daily tables; it is summed only with rows of the very same
window, never with days or with windows of another length.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from adlab.kpis.formulas import KPI_FRACTIONS, kpi_exprs, ratio
from adlab.kpis.results import RESULT_SUMS, RESULTS_KEY, rollup_results, typed_rows
from adlab.kpis.rollups import FLOAT_SUMS, SUM_DECIMALS, rollup, rounded, rounded_sum, sum_metrics
from adlab.kpis.views import LEVEL_RANK, finest_level
from adlab.schema import ENTITY, KPI_SUMS

WINDOW_KEYS = ("window_start", "window_end")


def window_rows(ad_insights: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The rows of reporting-window exports (a window longer than one day), with `window_end` = their date."""
    return (
        ad_insights.lazy()
        .filter(pl.col("window_start").is_not_null() & (pl.col("window_start") < pl.col("date")))
        .with_columns(pl.col("date").alias("window_end"))
    )


def window_view(ad_insights: pl.DataFrame | pl.LazyFrame, *, other_attribution: bool = False) -> pl.LazyFrame:
    """One view of each window's spend per ad, so that nothing is counted twice (as totals_view).

    Per (window, platform, campaign) only the finest level exported; per (window, entity) the
    `breakdown = none` rows where present, else the first breakdown (by name) summed; one attribution
    setting, the first by name. With `other_attribution`, the rows of that view the attribution rule
    leaves out instead (so a page can say what was not counted).
    """
    window = [*WINDOW_KEYS, "platform_source"]
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8)
    chosen_breakdown = pl.when(pl.col("breakdown") == "none").then(pl.lit("")).otherwise(pl.col("breakdown"))
    attribution = pl.col("attribution_setting").fill_null("")
    first_attribution = attribution == attribution.min().over(*window, *ENTITY)
    return (
        window_rows(ad_insights)
        .filter(finest_level(rank, [*window, "account"]))
        .filter(chosen_breakdown == chosen_breakdown.min().over(*window, *ENTITY))
        .filter(~first_attribution if other_attribution else first_attribution)
    )


def window_results(ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per result type of the window start..end: spend, results and cost per result; largest spend first.

    From the same one view as kpis_period (window_view); results of different types are never added up.
    """
    rows = window_view(ad_insights).filter((pl.col("window_start") == start) & (pl.col("window_end") == end))
    typed = typed_rows(
        rows.select(*WINDOW_KEYS, "platform_source", *ENTITY, RESULTS_KEY, *RESULT_SUMS),
        [*WINDOW_KEYS, "platform_source", *ENTITY],
    )
    return rollup_results(typed, []).sort(pl.col("spend").fill_null(0.0), RESULTS_KEY, descending=[True, False])


def window_results_summary(
    ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """One dict per result type of the window start..end (window_results), rounded as results_summary rounds."""
    return [
        {key: rounded(value) for key, value in row.items()}
        for row in window_results(ad_insights, start, end)
        .select(RESULTS_KEY, "spend", "results", "cost_per_result")
        .iter_rows(named=True)
    ]


def window_left_out(ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> dict[str, float | int]:
    """Rows and spend of the window start..end left out of its totals for a second attribution setting."""
    return (
        window_view(ad_insights, other_attribution=True)
        .filter((pl.col("window_start") == start) & (pl.col("window_end") == end))
        .select(pl.len().alias("rows"), pl.col("spend").sum().round(SUM_DECIMALS).alias("spend"))
        .collect()
        .row(0, named=True)
    )


def compute_kpis_period(
    ad_insights: pl.DataFrame | pl.LazyFrame, hold_rate_base: str = "video_3s_plays"
) -> pl.DataFrame:
    """One row per (window_start, window_end, platform_source, campaign, adset, ad) of reporting-window exports.

    Sums, KPIs (ratios of the window's sums), `days` (the window's length) and frequency where reach was
    exported at this grain (a single ad-level, no-breakdown row behind the output row). Empty when every
    export has days.
    """
    by = [*WINDOW_KEYS, "platform_source", *ENTITY]
    single = (pl.col("level") == "ad") & (pl.col("breakdown") == "none")
    reach = pl.col("reach").filter(single).first()
    return (
        window_view(ad_insights)
        .group_by(by, maintain_order=True)
        .agg(*sum_metrics(), pl.when(single.sum() == 1).then(reach).alias("reach"))
        .with_columns(rounded_sum(name) for name in FLOAT_SUMS)
        .with_columns(
            *kpi_exprs(hold_rate_base),
            ratio("impressions", "reach").alias("frequency"),
            ((pl.col("window_end") - pl.col("window_start")).dt.total_days() + 1).alias("days"),
        )
        .select(*by, *KPI_SUMS, *KPI_FRACTIONS, "reach", "frequency", "days")
        .collect(engine="in-memory")
        .sort(by, nulls_last=True)
    )


def report_windows(kpis_period: pl.DataFrame) -> list[tuple[dt.date, dt.date]]:
    """The distinct (window_start, window_end) of kpis_period, latest end first (the longer first on a tie)."""
    windows = kpis_period.select(*WINDOW_KEYS).unique().sort("window_end", "window_start", descending=[True, False])
    return [tuple(row) for row in windows.iter_rows()]


def window_kpis(kpis_period: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The kpis_period rows of exactly the window start..end, with `date` = its end (the shape of kpis_daily)."""
    return kpis_period.filter((pl.col("window_start") == start) & (pl.col("window_end") == end)).with_columns(
        pl.col("window_end").alias("date")
    )


def window_breakdown_rollup(
    ad_insights: pl.DataFrame | pl.LazyFrame, breakdown: str, by: list[str], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """One row per value of `by` over the window start..end, from that window's rows of one breakdown export.

    As breakdown_view: the finest level exported per campaign and one attribution setting (the first by
    name), since a breakdown describes the same spend again and is only ever summed on its own.
    """
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8)
    attribution = pl.col("attribution_setting").fill_null("")
    rows = (
        window_rows(ad_insights)
        .filter((pl.col("breakdown") == breakdown) & (pl.col("window_start") == start) & (pl.col("window_end") == end))
        .filter(finest_level(rank, ["platform_source", "account"]))
        .filter(attribution == attribution.min().over("platform_source", *ENTITY))
    )
    return rollup(rows, by)


def window_breakdowns(ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> list[str]:
    """The breakdowns (age_gender, placement, ...) exported for exactly the window start..end, sorted."""
    rows = window_rows(ad_insights).filter((pl.col("window_start") == start) & (pl.col("window_end") == end))
    names = rows.select(pl.col("breakdown").unique()).collect()["breakdown"].drop_nulls().to_list()
    return sorted(name for name in names if name != "none")
