"""Each entity's audited day and its baseline: one row per (level, account, campaign, ad set, ad) with today's
sums, the baseline's sums, its days and the per-day sums the dispersion of each tested rate needs.

Levels are the account, campaign, ad set and ad; an entity's coarser names are kept and its finer names are
null (a campaign row has no ad set or ad). `platform_source` is part of a campaign's identity: a Google and
a Meta campaign sharing a name stay two campaigns; the account adds up its platforms.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

LEVELS: dict[str, tuple[str, ...]] = {
    "account": ("account",),
    "campaign": ("account", "platform_source", "campaign"),
    "adset": ("account", "platform_source", "campaign", "adset"),
    "ad": ("account", "platform_source", "campaign", "adset", "ad"),
}
KEYS: tuple[str, ...] = LEVELS["ad"]
SUMS: tuple[str, ...] = (
    "spend",
    "impressions",
    "link_clicks",
    "adds_to_cart",
    "checkouts",
    "purchases",
    "purchase_value",
)
# The rates tested, as (name, count, exposure, higher is better); `roas` counts value (in AOV units, see stats).
RATES: tuple[tuple[str, str, str], ...] = (
    ("ctr", "link_clicks", "impressions"),
    ("cvr", "purchases", "link_clicks"),
    ("checkout_rate", "purchases", "checkouts"),
    ("cpm", "impressions", "spend"),
    ("cpa", "purchases", "spend"),
    ("roas", "purchase_value", "spend"),
)


def _known_sum(name: str) -> pl.Expr:
    """The sum of a column, null (unknown) when none of its rows knows it: unknown is never 0."""
    return pl.when(pl.col(name).is_not_null().any()).then(pl.col(name).sum()).alias(name)


def entity_days(kpis_daily: pl.DataFrame | pl.LazyFrame, day: dt.date, baseline_days: int) -> pl.LazyFrame:
    """One row per (level, entity, date) from `baseline_days` before `day` to `day`, with the summed metrics."""
    start = day - dt.timedelta(days=baseline_days)
    window = (
        kpis_daily.lazy()
        .filter(pl.col("date").is_between(start, day))
        .select(*KEYS, "date", *SUMS)
        # The level roll-ups share one scan; categorical names make the four group-bys hash integers, not text.
        .with_columns(pl.col(name).cast(pl.Categorical) for name in KEYS)
        .cache()
    )
    # An export at campaign level has no ad set or ad: its finer "entities" would repeat the campaign (no name).
    parts = [
        window.filter(pl.col(level).is_not_null() if level != "account" else pl.lit(True))
        .group_by([*keys, "date"])
        .agg(_known_sum(name) for name in SUMS)
        .with_columns(
            pl.lit(level).alias("level"),
            *[pl.lit(None, pl.Categorical).alias(name) for name in KEYS if name not in keys],
        )
        .select("level", *KEYS, "date", *SUMS)
        for level, keys in LEVELS.items()
    ]
    return pl.concat(parts)


def entity_stats(days: pl.LazyFrame, day: dt.date) -> pl.DataFrame:
    """One row per (level, entity): `<sum>_t` on `day`, `<sum>_0` over the baseline days before it, `days_0` (baseline
    days with spend), `spend_max_0` / `spend_min_0` (its largest and smallest day, 0 when a day had none), and for each
    rate of RATES `<rate>_ss_0` (sum over baseline days of count^2 / exposure) and `<rate>_n_0` (days with exposure).
    """
    today, before = pl.col("date") == day, pl.col("date") < day
    n_days = pl.col("date").filter(before).n_unique()
    span = (day - pl.col("date").filter(before).min()).dt.total_days()
    aggregations = [
        *[pl.when(today.any()).then(pl.col(name).filter(today).sum()).alias(f"{name}_t") for name in SUMS],
        *[
            pl.when(pl.col(name).filter(before).is_not_null().any())
            .then(pl.col(name).filter(before).sum())
            .alias(f"{name}_0")
            for name in SUMS
        ],
        (before & (pl.col("spend") > 0)).sum().alias("days_0"),
        span.alias("first_day_back"),
        pl.col("spend").filter(before).max().alias("spend_max_0"),
        pl.col("spend").filter(before).min().alias("spend_min_0"),
        n_days.alias("rows_0"),
    ]
    for rate, count, exposure in RATES:
        has = before & (pl.col(exposure) > 0) & pl.col(count).is_not_null()
        aggregations += [
            (pl.col(count).cast(pl.Float64) ** 2 / pl.col(exposure)).filter(has).sum().alias(f"{rate}_ss_0"),
            has.sum().alias(f"{rate}_n_0"),
        ]
    return days.group_by("level", *KEYS).agg(aggregations).with_columns(pl.col(KEYS).cast(pl.String)).collect()
