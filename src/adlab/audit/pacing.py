"""Pacing: the audited day's spend against the daily budget the export shows, else against the entity's usual day.

With budget columns (`ad_insights.budget*`), an ad set or campaign with a daily budget overspends when it spent
`overspend` (50%) or more above it (Meta may spend up to 75% over on a day and balance it over the week, so
small overshoots are not called) and underdelivers when it spent `underdelivery` (50%) or more below it while
still delivering. A lifetime budget needs the flight's dates, which ad exports do not carry: those entities
are judged against their usual day. Without a budget, the usual day is the baseline's average day with
spend; overspend is 2 x `overspend` above it and above the baseline's largest day, underdelivery `underdelivery`
below it and below its smallest day, so an entity that always swings is not called. An entity that spent
nothing is not called (it may have been paused on purpose). Money at stake: the spend above or below plan.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.audit.entities import KEYS, LEVELS

PACING_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    **{name: pl.String() for name in KEYS},
    "metric": pl.String(),  # overspend | underdelivery
    "spend_t": pl.Float64(),
    "reference": pl.Float64(),
    "reference_kind": pl.String(),  # daily budget | usual day
    "money": pl.Float64(),
}


def budgets_on(ad_insights: pl.DataFrame | pl.LazyFrame | None, day: dt.date) -> pl.DataFrame:
    """One row per (level, account, platform, campaign[, ad set]) with a daily or lifetime budget: the one the newest
    row on or before `day` shows."""
    columns = ["level", *LEVELS["adset"], "budget", "budget_type"]
    if ad_insights is None or "budget_level" not in ad_insights.collect_schema().names():
        return pl.DataFrame(schema={name: pl.String() for name in columns} | {"budget": pl.Float64()})
    return (
        ad_insights.lazy()
        .filter((pl.col("date") <= day) & pl.col("budget").is_not_null() & pl.col("budget_level").is_not_null())
        .select(
            pl.col("budget_level").alias("level"),
            *LEVELS["campaign"],
            pl.when(pl.col("budget_level") == "adset").then(pl.col("adset")).alias("adset"),
            "budget",
            "budget_type",
            "date",
        )
        .sort("date")
        .group_by("level", *LEVELS["adset"])
        .agg(pl.col("budget").last(), pl.col("budget_type").last())
        .select(columns)
        .collect()
    )


def pacing(stats: pl.DataFrame, budgets: pl.DataFrame, overspend: float, underdelivery: float) -> pl.DataFrame:
    """One row per judged account, campaign or ad set whose spend on the audited day is off plan (see the module)."""
    keys = ["level", *LEVELS["adset"]]
    judged = stats.filter(pl.col("level") != "ad", pl.col("spend_t") > 0).join(
        budgets.filter(pl.col("budget_type") == "daily").select(*keys, "budget"), on=keys, how="left", nulls_equal=True
    )
    usual = pl.col("spend_0") / pl.col("days_0")
    smallest = pl.when(pl.col("rows_0") >= pl.col("baseline_days")).then(pl.col("spend_min_0")).otherwise(0.0)
    by_budget = pl.col("budget").is_not_null() & (pl.col("budget") > 0)
    over = (
        pl.when(by_budget)
        .then(pl.col("spend_t") >= (1 + overspend) * pl.col("budget"))
        .otherwise((pl.col("spend_t") >= (1 + 2 * overspend) * usual) & (pl.col("spend_t") > pl.col("spend_max_0")))
    )
    under = (
        pl.when(by_budget)
        .then(pl.col("spend_t") <= (1 - underdelivery) * pl.col("budget"))
        .otherwise((pl.col("spend_t") <= (1 - underdelivery) * usual) & (pl.col("spend_t") < smallest))
    )
    reference = pl.when(by_budget).then(pl.col("budget")).otherwise(usual)
    return (
        judged.with_columns(reference.alias("reference"))
        .filter(over | under)
        .select(
            "level",
            *KEYS,
            pl.when(over).then(pl.lit("overspend")).otherwise(pl.lit("underdelivery")).alias("metric"),
            pl.col("spend_t").cast(pl.Float64),
            "reference",
            pl.when(by_budget).then(pl.lit("daily budget")).otherwise(pl.lit("usual day")).alias("reference_kind"),
            (pl.col("spend_t") - pl.col("reference")).abs().alias("money"),
        )
        .select(list(PACING_SCHEMA))
    )
