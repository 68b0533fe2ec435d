"""Who moved a KPI: each campaign's (or ad's) share of the account's change, split into mix and rate.

The account KPI is the denominator-weighted mean of its entities' KPIs, so its change is exactly the sum of
what money moving between entities did (mix) and what each entity did itself (rate).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from adlab.insights.answer import LEVELS, Row, account_text, quoted
from adlab.insights.periods import Period, in_period
from adlab.kpis import KPI_FRACTIONS


def contributions(
    kpis_daily: pl.DataFrame,
    current: Period,
    previous: Period,
    level: str = "campaign",
    kpi: str = "roas",
    fraction: tuple[str, str, float] | None = None,
) -> pl.DataFrame:
    """One row per entity at `level`: its share of the change in the account's `kpi`, as mix + rate.

    The account KPI is the denominator-weighted mean of the entities' KPIs
    (ROAS weighted by spend). With w its share of the denominator and m its KPI
    (an entity absent in the previous period counts at the account's old value):
    mix = (w1 - w0) x (m0 - M0) (money moved towards a better or worse entity)
    and rate = w1 x (m1 - m0) (the entity itself did better or worse); the
    mix and rate terms of all entities add up exactly to M1 - M0. `fraction`
    (numerator, denominator, scale) stands in for a KPI outside KPI_FRACTIONS.
    """
    num, den, scale = fraction or KPI_FRACTIONS[kpi]
    keys = list(LEVELS[level])
    tagged = kpis_daily.filter(in_period(current) | in_period(previous)).with_columns(
        pl.when(in_period(current)).then(pl.lit(1)).otherwise(pl.lit(0)).alias("_period")
    )
    sums = tagged.group_by([*keys, "_period"]).agg(pl.col(num).sum(), pl.col(den).sum())
    before, now = (
        sums.filter(pl.col("_period") == period).select(
            *keys, pl.col(num).alias(f"num{period}"), pl.col(den).alias(f"den{period}")
        )
        for period in (0, 1)
    )
    wide = before.join(now, on=keys, how="full", coalesce=True, nulls_equal=True).with_columns(
        pl.col("num0", "den0", "num1", "den1").fill_null(0)
    )
    totals = {name: float(wide[name].sum()) for name in ("num0", "den0", "num1", "den1")}
    if totals["den0"] <= 0 or totals["den1"] <= 0:
        return wide.clear().with_columns(*(pl.lit(None, pl.Float64).alias(c) for c in ("mix", "rate", "total")))
    account_before = totals["num0"] / totals["den0"] * scale
    m0 = pl.when(pl.col("den0") > 0).then(pl.col("num0") * scale / pl.col("den0")).otherwise(account_before)
    m1 = pl.when(pl.col("den1") > 0).then(pl.col("num1") * scale / pl.col("den1")).otherwise(pl.col("m0"))
    return (
        wide.with_columns(
            (pl.col("den0") / totals["den0"]).alias("w0"),
            (pl.col("den1") / totals["den1"]).alias("w1"),
            m0.alias("m0"),
        )
        .with_columns(m1.alias("m1"))
        .with_columns(
            ((pl.col("w1") - pl.col("w0")) * (pl.col("m0") - account_before)).alias("mix"),
            (pl.col("w1") * (pl.col("m1") - pl.col("m0"))).alias("rate"),
        )
        .with_columns((pl.col("mix") + pl.col("rate")).alias("total"))
        .sort(pl.col("total").abs(), *keys, descending=[True, *([False] * len(keys))], nulls_last=True)
    )


def campaign_naming(several: bool) -> Callable[[Row], str]:
    """How an answer names a campaign row: with its account when two accounts may run campaigns of one name."""

    def campaign_of(row: Row) -> str:
        return quoted(row["campaign"]) + (f" ({account_text(row['account'])})" if several else "")

    return campaign_of


def campaign_sentences(
    where: pl.DataFrame,
    delta: float,
    top: int,
    several: bool,
    measure: str,
    weight: str,
    show: Callable[[float | None], str],
) -> list[str]:
    """One sentence per campaign among the `top` of `contributions` that moved the measure by 5% or more.

    Rows without a campaign (an account-level export) are not in `where`: there is no campaign to point at.
    """
    campaign_of = campaign_naming(several)
    return [
        f"Campaign {campaign_of(row)} accounts for {row['total'] / delta:.0%} of the change: its {measure} went "
        f"{show(row['m0'])} -> {show(row['m1'])} (rate {row['rate']:+.2f}) and its share of {weight} "
        f"{row['w0']:.0%} -> {row['w1']:.0%} (mix {row['mix']:+.2f})."
        for row in where.head(top).iter_rows(named=True)
        if delta and abs(row["total"]) >= 0.05 * abs(delta)
    ]


def lead_ad(kpis_daily: pl.DataFrame, lead: Row, current: Period, previous: Period, kpi: str) -> Row | None:
    """The ad that moved `kpi` most inside the lead campaign (a row of `contributions`); None when it has one ad."""
    inner = contributions(
        kpis_daily.filter((pl.col("campaign") == lead["campaign"]) & pl.col("account").eq_missing(lead["account"])),
        current,
        previous,
        "ad",
        kpi,
    )
    return inner.row(0, named=True) if inner.height > 1 else None
