"""What moved today: each tested rate of each entity against its own baseline, and tracking breaks.

One row per (entity, test) with today's and the baseline's count and exposure, the p-value, and the money
at stake: the count today fell short of (or beat) what the baseline rate predicts for today's exposure, times
the baseline's purchase value per unit of that count (spend per unit when the account has no purchase
value), so a CTR collapse on a large ad outranks one on a small ad. Positive money is a loss.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.audit.entities import KEYS, RATES
from adlab.audit.stats import TEST_NAME, ZERO_TEST_NAME, dispersion, rate_test_p

TESTS_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    **{name: pl.String() for name in KEYS},
    "kind": pl.String(),  # change | tracking | store
    "metric": pl.String(),
    "count_t": pl.Float64(),
    "exposure_t": pl.Float64(),
    "count_0": pl.Float64(),
    "exposure_0": pl.Float64(),
    "phi": pl.Float64(),
    "p": pl.Float64(),
    "money": pl.Float64(),
    "money_unit": pl.String(),  # value | spend
    "scale": pl.Float64(),  # counts are in these units of the metric's count (the baseline AOV for roas), else 1
    "test": pl.String(),
}
# Funnel steps that may "hold" while purchases stop, nearest to the purchase first.
FUNNEL_STEPS: tuple[str, ...] = ("checkouts", "adds_to_cart", "link_clicks")


def _value_per_unit(count: str) -> tuple[pl.Expr, pl.Expr]:
    """(money per unit of `count` in the baseline, its unit): purchase value when the account has it, else spend."""
    value = pl.col("purchase_value_0")
    per_value = pl.when(pl.col(f"{count}_0") > 0).then(value / pl.col(f"{count}_0"))
    per_spend = pl.when(pl.col(f"{count}_0") > 0).then(pl.col("spend_0") / pl.col(f"{count}_0"))
    has_value = value.is_not_null() & (value > 0)
    if count == "purchase_value":
        return pl.when(has_value).then(pl.lit(1.0)).otherwise(per_spend), pl.when(has_value).then(
            pl.lit("value")
        ).otherwise(pl.lit("spend"))
    return pl.when(has_value).then(per_value).otherwise(per_spend), pl.when(has_value).then(pl.lit("value")).otherwise(
        pl.lit("spend")
    )


def rate_tests(stats: pl.DataFrame) -> pl.DataFrame:
    """One row per (judged entity, rate of RATES it has data for): counts, dispersion, p-value and money at stake.

    `stats` holds the judged entities only (not those still learning), as `entity_stats` gives them.
    """
    parts = []
    for rate, count, exposure in RATES:
        aov = pl.when(pl.col("purchases_0") > 0).then(pl.col("purchase_value_0") / pl.col("purchases_0"))
        # Purchase value is tested in units of the baseline's average order value (see stats).
        unit = aov if count == "purchase_value" else pl.lit(1.0)
        per_unit, money_unit = _value_per_unit(count)
        expected = pl.col(f"{exposure}_t") * pl.col(f"{count}_0") / pl.col(f"{exposure}_0")
        parts.append(
            stats.lazy()
            .filter(
                (pl.col(f"{exposure}_t") > 0)
                & (pl.col(f"{exposure}_0") > 0)
                & pl.col(f"{count}_t").is_not_null()
                & pl.col(f"{count}_0").is_not_null()
                & (unit > 0)
            )
            .select(
                "level",
                *KEYS,
                pl.lit("change").alias("kind"),
                pl.lit(rate).alias("metric"),
                (pl.col(f"{count}_t") / unit).cast(pl.Float64).alias("count_t"),
                pl.col(f"{exposure}_t").cast(pl.Float64).alias("exposure_t"),
                (pl.col(f"{count}_0") / unit).cast(pl.Float64).alias("count_0"),
                pl.col(f"{exposure}_0").cast(pl.Float64).alias("exposure_0"),
                dispersion(
                    pl.col(f"{rate}_ss_0") / unit,
                    pl.col(f"{count}_0") / unit,
                    pl.col(f"{exposure}_0"),
                    pl.col(f"{rate}_n_0"),
                ).alias("phi"),
                ((expected - pl.col(f"{count}_t")) * per_unit).alias("money"),
                money_unit.alias("money_unit"),
                unit.cast(pl.Float64).alias("scale"),
                pl.lit(TEST_NAME).alias("test"),
            )
        )
    tests = pl.concat(parts).collect()
    p = rate_test_p(
        *(tests[name].to_numpy() for name in ("count_t", "exposure_t", "count_0", "exposure_0", "phi")),
    )
    return tests.with_columns(pl.Series("p", p).fill_nan(None)).select(list(TESTS_SCHEMA))


def tracking_tests(stats: pl.DataFrame, clicks_hold: float) -> pl.DataFrame:
    """One row per judged entity with no purchase today while a funnel step held: the chance of that at the baseline.

    The expected purchases come from the funnel step nearest the purchase that the export has (checkouts, else
    adds to cart, else link clicks) at the baseline's purchases per step; the step "held" when today's count is at
    least `clicks_hold` of its average baseline day. p = exp(-expected / dispersion of purchases per link click).
    """
    step = pl.coalesce(
        *[
            pl.when((pl.col(f"{name}_0") > 0) & pl.col(f"{name}_t").is_not_null()).then(pl.lit(name))
            for name in FUNNEL_STEPS
        ]
    )
    per_step = {name: pl.col("purchases_0") / pl.col(f"{name}_0") for name in FUNNEL_STEPS}
    expected = pl.coalesce(*[pl.when(step == name).then(pl.col(f"{name}_t") * per_step[name]) for name in FUNNEL_STEPS])
    step_today = pl.coalesce(*[pl.when(step == name).then(pl.col(f"{name}_t")) for name in FUNNEL_STEPS])
    step_before = pl.coalesce(*[pl.when(step == name).then(pl.col(f"{name}_0")) for name in FUNNEL_STEPS])
    held = step_today >= clicks_hold * step_before / pl.col("days_0")
    phi = dispersion(pl.col("cvr_ss_0"), pl.col("purchases_0"), pl.col("link_clicks_0"), pl.col("cvr_n_0"))
    aov = pl.col("purchase_value_0") / pl.col("purchases_0")
    per_unit = pl.when(aov > 0).then(aov).otherwise(pl.col("spend_0") / pl.col("purchases_0"))
    return (
        stats.lazy()
        .filter((pl.col("purchases_t") == 0) & (pl.col("purchases_0") > 0) & (pl.col("days_0") > 0))
        .with_columns(step.alias("_step"))
        .filter(pl.col("_step").is_not_null() & held.fill_null(False))
        .select(
            "level",
            *KEYS,
            pl.lit("tracking").alias("kind"),
            pl.col("_step").alias("metric"),
            pl.lit(0.0).alias("count_t"),
            step_today.cast(pl.Float64).alias("exposure_t"),
            pl.col("purchases_0").cast(pl.Float64).alias("count_0"),
            step_before.cast(pl.Float64).alias("exposure_0"),
            phi.alias("phi"),
            (-expected / phi).exp().alias("p"),
            (expected * per_unit).alias("money"),
            pl.when(aov > 0).then(pl.lit("value")).otherwise(pl.lit("spend")).alias("money_unit"),
            pl.lit(1.0).alias("scale"),
            pl.lit(ZERO_TEST_NAME).alias("test"),
        )
        .collect()
        .select(list(TESTS_SCHEMA))
    )


def store_tests(account_days: pl.DataFrame, store_days: pl.DataFrame | None, day: dt.date) -> pl.DataFrame:
    """One row per account whose platform purchases and store orders both exist today and on baseline days: are
    the platforms' purchases per store order today what they were? The same conditional rate test, with store
    orders as the exposure and the dispersion of the baseline days.

    `account_days` holds the account-level rows of `entity_days` (one per account and date); `store_days` one row
    per (account, date) with the store's `orders`. Money at stake: the purchases claimed beyond (or short of) the
    baseline share of today's orders, at the baseline's average order value; the platform side of tracking, so
    its sign says over- or under-claiming, not a loss.
    """
    if store_days is None or store_days.is_empty() or "orders" not in store_days.columns:
        return pl.DataFrame(schema=TESTS_SCHEMA)
    today, before = pl.col("date") == day, pl.col("date") < day
    has = before & (pl.col("orders") > 0) & pl.col("purchases").is_not_null()
    paired = account_days.join(
        store_days.select("account", "date", pl.col("orders").cast(pl.Float64)),
        on=["account", "date"],
        nulls_equal=True,
    )
    sums = paired.group_by("account").agg(
        pl.col("purchases").filter(today).sum().cast(pl.Float64).alias("count_t"),
        pl.col("orders").filter(today).sum().alias("exposure_t"),
        pl.col("purchases").filter(has).sum().cast(pl.Float64).alias("count_0"),
        pl.col("orders").filter(has).sum().alias("exposure_0"),
        (pl.col("purchases").cast(pl.Float64) ** 2 / pl.col("orders")).filter(has).sum().alias("_ss"),
        has.sum().alias("_n"),
        pl.col("purchase_value").filter(has).sum().alias("_value"),
        today.any().alias("_today"),
    )
    tests = sums.filter(pl.col("_today") & (pl.col("exposure_t") > 0) & (pl.col("count_0") > 0)).with_columns(
        dispersion(pl.col("_ss"), pl.col("count_0"), pl.col("exposure_0"), pl.col("_n")).alias("phi")
    )
    if tests.is_empty():
        return pl.DataFrame(schema=TESTS_SCHEMA)
    p = rate_test_p(*(tests[name].to_numpy() for name in ("count_t", "exposure_t", "count_0", "exposure_0", "phi")))
    expected = pl.col("exposure_t") * pl.col("count_0") / pl.col("exposure_0")
    return tests.select(
        pl.lit("account").alias("level"),
        "account",
        *[pl.lit(None, pl.String).alias(name) for name in KEYS if name != "account"],
        pl.lit("store").alias("kind"),
        pl.lit("purchases_per_order").alias("metric"),
        "count_t",
        "exposure_t",
        "count_0",
        "exposure_0",
        "phi",
        pl.Series("p", p).fill_nan(None),
        ((expected - pl.col("count_t")) * pl.col("_value") / pl.col("count_0")).alias("money"),
        pl.lit("value").alias("money_unit"),
        pl.lit(1.0).alias("scale"),
        pl.lit(TEST_NAME).alias("test"),
    ).select(list(TESTS_SCHEMA))
