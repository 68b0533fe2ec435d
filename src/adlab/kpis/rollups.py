"""Sums and the KPIs of those sums at any grain: `rollup`, and the daily and weekly KPI tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from adlab.kpis.formulas import KPI_FRACTIONS, kpi_exprs, ratio
from adlab.kpis.views import breakdown_view, totals_view
from adlab.kpis.weeks import add_week
from adlab.schema import AD_METRICS, ENTITY, KPI_SUMS

SUM_DECIMALS = 6
FLOAT_SUMS = tuple(name for name in KPI_SUMS if AD_METRICS[name] == pl.Float64())


def sum_metrics_of(columns: Iterable[str]) -> list[pl.Expr]:
    """Sums that stay null when every input is null (absent is not 0)."""
    # count() (non-null values) is one of polars' fast group aggregations; is_not_null().any() is not.
    return [pl.when(pl.col(name).count() > 0).then(pl.col(name).sum()).alias(name) for name in columns]


def sum_metrics() -> list[pl.Expr]:
    """Sums of the additive metrics, null where nothing was exported."""
    return sum_metrics_of(KPI_SUMS)


def rounded_sum(name: str) -> pl.Expr:
    """A float sum as `rollup` gives it: never -0.0 (its sums start at 0.0), then rounded."""
    return pl.when(pl.col(name) == 0.0).then(0.0).otherwise(pl.col(name)).round(SUM_DECIMALS).alias(name)


def rounded(value: float | int | None) -> float | int | None:
    """JSON-friendly numbers: floats to 6 decimals so reruns write the same bytes."""
    return round(value, 6) if isinstance(value, float) else value


def rollup(frame: pl.DataFrame | pl.LazyFrame, by: list[str], hold_rate_base: str = "video_3s_plays") -> pl.DataFrame:
    """One row per value of `by`: summed metrics, then the KPI ratios of those sums.

    `frame` holds additive metric columns at a finer grain (a totals view of
    `ad_insights`, or a KPI table); reach is dropped since it never adds up.
    """
    return (
        frame.lazy()
        .group_by(by, maintain_order=True)
        .agg(sum_metrics())
        # Parallel float sums differ in their last bits from run to run; money never needs them.
        .with_columns(pl.col(name).round(SUM_DECIMALS) for name in FLOAT_SUMS)
        .with_columns(kpi_exprs(hold_rate_base))
        .sort(by, nulls_last=True)
        .collect()
    )


def compute_kpis_daily(
    ad_insights: pl.DataFrame | pl.LazyFrame, hold_rate_base: str = "video_3s_plays"
) -> pl.DataFrame:
    """One row per (date, platform_source, account, campaign, adset, ad) with sums, KPIs and frequency.

    Frequency (impressions / reach) is only given where reach was exported at
    this grain: a single ad-level, no-breakdown row behind the output row.
    """
    by = ["date", "platform_source", *ENTITY]
    single = ((pl.col("level") == "ad") & (pl.col("breakdown") == "none")).alias("_single")
    # The in-memory engine sums each group in row order (the same bits every run) and returns one chunk.
    view = totals_view(ad_insights).select(*by, *KPI_SUMS, "reach", single).collect(engine="in-memory")
    ordered, repeated = key_order(view, by)
    if ordered:  # an export is usually sorted already: one chunk (the layout the parquet file gets), no sort
        view = view.rechunk()
    else:
        view = view.sort(by, nulls_last=True)
        repeated = key_order(view, by)[1]
    reach = pl.col("reach").filter("_single").first()
    sums = (
        view.lazy()
        .group_by(by, maintain_order=True)
        .agg(*sum_metrics(), pl.when(pl.col("_single").sum() == 1).then(reach).alias("reach"))
        if repeated
        # One row per output row (an ad-level export): its sums are its values, no group_by needed.
        else view.lazy().select(*by, *KPI_SUMS, pl.when("_single").then(pl.col("reach")).alias("reach"))
    )
    daily = (
        sums.with_columns(rounded_sum(name) for name in FLOAT_SUMS)
        .with_columns(kpi_exprs(hold_rate_base))
        .with_columns(ratio("impressions", "reach").alias("frequency"))
        .select(*by, *KPI_SUMS, *KPI_FRACTIONS, "reach", "frequency")
        .collect(engine="in-memory")
    )
    return daily.sort(by, nulls_last=True) if repeated else daily


def key_order(frame: pl.DataFrame, by: list[str]) -> tuple[bool, bool]:
    """(rows sorted by `by` ascending with nulls last, some row repeats the key of the row before it)."""
    if frame.height < 2:
        return True, False
    before = {name: pl.col(name).shift(1) for name in by}
    after = pl.lit(False)  # the row's key sorts after the previous row's key
    for name in reversed(by):
        greater = (before[name] < pl.col(name)) | (before[name].is_not_null() & pl.col(name).is_null())
        after = greater.fill_null(False) | (before[name].eq_missing(pl.col(name)) & after)
    same = pl.all_horizontal(before[name].eq_missing(pl.col(name)) for name in by)
    ordered, repeated = frame.select(
        (after | same).slice(1).all().alias("ordered"), same.slice(1).any().alias("repeated")
    ).row(0)
    return ordered, repeated


def compute_kpis_weekly(kpis_daily: pl.DataFrame, hold_rate_base: str = "video_3s_plays") -> pl.DataFrame:
    """One row per (week, platform_source, account, campaign, adset, ad); `days` counts days with data."""
    by = ["week", "platform_source", *ENTITY]
    return (
        add_week(kpis_daily)
        .group_by(by, maintain_order=True)
        .agg(*sum_metrics(), pl.col("date").n_unique().alias("days"))
        # Float sums are rounded like every roll-up's (and summed in row order by the in-memory engine).
        .with_columns(rounded_sum(name) for name in FLOAT_SUMS)
        .with_columns(kpi_exprs(hold_rate_base))
        .select(*by, *KPI_SUMS, *KPI_FRACTIONS, "days")
        .collect(engine="in-memory")
        .sort(by, nulls_last=True)  # eager: the lazy sort after this group_by takes three times as long
    )


def breakdown_rollup(
    ad_insights: pl.DataFrame | pl.LazyFrame, breakdown: str, by: list[str], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """One row per value of `by` (e.g. age, gender) over the days start..end, from one breakdown export only."""
    days = breakdown_view(ad_insights, breakdown).filter(pl.col("date").is_between(start, end))
    return rollup(days, by)
