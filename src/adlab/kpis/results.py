"""Results (what each ad was optimised for: leads, messaging conversations, purchases, ...) by result type.

Counted per result type, never summed across types; cost per result is spend / results of the rows of one type.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from adlab.kpis.formulas import RESULT_FRACTIONS, result_exprs
from adlab.kpis.rollups import SUM_DECIMALS, key_order, rounded, rounded_sum, sum_metrics_of
from adlab.kpis.views import totals_view
from adlab.kpis.weeks import week_bounds
from adlab.schema import ENTITY

RESULT_SUMS: tuple[str, ...] = ("spend", "impressions", "clicks", "link_clicks", "results")
RESULTS_KEY = "result_type"


def typed_rows(view: pl.LazyFrame, entity: list[str]) -> pl.LazyFrame:
    """The rows of a totals view that carry a result type, with the type filled in where the export left it out.

    Ads Manager leaves `Result type` blank on days without a result; such a day's spend still went to that
    objective, so an ad with one result type in the data gets it (and 0 results) on those days too. Rows of an
    ad with no type, or with several, stay untyped and are left out: their spend cannot be put on one type.
    """
    first, last = pl.col(RESULTS_KEY).min().over(entity), pl.col(RESULTS_KEY).max().over(entity)
    inferred = pl.col(RESULTS_KEY).is_null() & (first == last)
    return view.with_columns(
        pl.when(inferred).then(first).otherwise(pl.col(RESULTS_KEY)).alias(RESULTS_KEY),
        pl.when(inferred).then(pl.col("results").fill_null(0.0)).otherwise(pl.col("results")).alias("results"),
    ).filter(pl.col(RESULTS_KEY).is_not_null())


def compute_results_daily(ad_insights: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per (date, platform_source, campaign, adset, ad, result_type): spend, delivery, results, cost per result.

    Rows come from the same totals view as kpis_daily (one level, breakdown and attribution setting), so
    spend here never exceeds kpis_daily's; spend without a result type is left out (see typed_rows).
    """
    by = ["date", "platform_source", *ENTITY]
    keys = [*by, RESULTS_KEY]
    view = totals_view(ad_insights).select(*keys, *RESULT_SUMS).collect(engine="in-memory")
    # Blank result types need the per-ad inference (a window over every row); an export that types every row does not.
    if view[RESULTS_KEY].null_count():
        view = typed_rows(view.lazy(), by[1:]).collect(engine="in-memory")
    ordered, repeated = key_order(view, keys)
    # One row per key (an ad-level export, the usual case): its sums are its values, no group_by needed.
    rows = view.lazy().group_by(keys, maintain_order=True).agg(sum_metrics_of(RESULT_SUMS)) if repeated else view.lazy()
    results = (
        rows.with_columns(rounded_sum(name) for name in ("spend", "results"))
        .with_columns(result_exprs())
        .select(*keys, *RESULT_SUMS, *RESULT_FRACTIONS)
        .collect(engine="in-memory")
    )
    return results if ordered and not repeated else results.sort(keys, nulls_last=True)


def rollup_results(results: pl.DataFrame | pl.LazyFrame, by: list[str]) -> pl.DataFrame:
    """One row per (value of `by`, result type): summed spend and results, then cost per result of those sums.

    Results of different types are never added up: `result_type` is always part of the grain.
    """
    keys = [*by, RESULTS_KEY] if RESULTS_KEY not in by else list(by)
    return (
        results.lazy()
        .group_by(keys)
        .agg(sum_metrics_of(RESULT_SUMS))
        .with_columns(pl.col("spend", "results").round(SUM_DECIMALS))
        .with_columns(result_exprs())
        .sort(keys, nulls_last=True)
        .collect()
    )


def results_by_type(results: pl.DataFrame | None, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per result type over the days start..end: spend, results and cost per result; largest spend first."""
    schema = {RESULTS_KEY: pl.String, **{name: pl.Float64 for name in ("spend", "results", "cost_per_result")}}
    if results is None or results.height == 0:
        return pl.DataFrame(schema=schema)
    days = results.filter(pl.col("date").is_between(start, end))
    return (
        rollup_results(days, [])
        .sort(pl.col("spend").fill_null(0.0), RESULTS_KEY, descending=[True, False])
        .select(*schema)
    )


# What one result of a type is called after "per" (cost per lead); other types read "per result".
RESULT_UNITS = {
    "leads": "lead",
    "website leads": "lead",
    "on-facebook leads": "lead",
    "meta leads": "lead",
    "messaging conversations started": "conversation",
    "conversations started": "conversation",
    "landing page views": "landing page view",
    "link clicks": "link click",
    "website purchases": "purchase",
    "purchases": "purchase",
    "checkouts initiated": "checkout",
    "website checkouts initiated": "checkout",
    "adds to cart": "add to cart",
    "website adds to cart": "add to cart",
    "follows": "follow",
    "instagram profile visits": "profile visit",
    "page likes": "page like",
    "thruplays": "ThruPlay",
    "post engagements": "engagement",
    "reach": "1,000 reached",
    "registrations completed": "registration",
}


def result_unit(result_type: str) -> str:
    """`lead` for Leads, `conversation` for Messaging conversations started; `result` for types not listed."""
    return RESULT_UNITS.get(" ".join(result_type.lower().split()), "result")


def results_summary(results: pl.DataFrame | None, week: str | None) -> list[dict[str, Any]]:
    """One dict per result type of the ISO week (results_by_type), numbers rounded so reruns write the same bytes.

    No week (no dated data at all) gives none.
    """
    if week is None:
        return []
    return [
        {key: rounded(value) for key, value in row.items()}
        for row in results_by_type(results, *week_bounds(week)).iter_rows(named=True)
    ]


def is_purchase_type(result_type: pl.Expr | str) -> pl.Expr:
    """Whether a result type counts purchases (`Website purchases`, `Purchases`, ...): the purchases KPIs show them."""
    column = pl.col(result_type) if isinstance(result_type, str) else result_type
    return column.str.to_lowercase().str.contains("purchase")
