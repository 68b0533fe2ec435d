"""Customer cohorts: customers grouped by the month of their first order, what they bring in month after month
(the LTV curve), and when that pays back what a new customer cost (payback month, LTV:CAC).

A customer is a `customer_key` (a salted hash of the e-mail) within an account; orders without one are left out
and counted (`order_history`). Orders count as the store counts them (neither cancelled nor voided; revenue is
total - refunded, by order date). A customer's cohort is the calendar month of their first counted order in the
history the exports hold, so a customer whose first order predates the exports looks new. Month k since first
order is the k-th calendar month after the cohort's (month 0: the first order's month, repeat orders in it
included). A cohort has a row for each month that has fully elapsed by the end of the order history: the latest
cohorts have shorter rows, and a month not yet over is unknown (no row; null in `cohort_matrix`), never 0.

Gross profit is an order's `gross_profit` where the orders carry one (product costs), else its net revenue x
`targets.gross_margin`; `revenue_at_margin` says how much revenue was estimated that way. A cohort's new-customer
CPA is the ad spend of its month (every platform) / its customers, known only when the ad data covers every day
of that month; the cohort pays back in the first month its cumulative gross profit reaches that spend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from adlab.kpis.formulas import cohort_exprs, ratio
from adlab.kpis.rollups import SUM_DECIMALS, rounded
from adlab.kpis.store import counts_as_sale, net_revenue
from adlab.schema import COHORTS, COHORTS_KEY, conform

# Months since first order that metrics/summary.json reports the LTV at (1, 3 and 12 months on).
SUMMARY_MONTHS = (1, 3, 12)
# The cohorts' additive columns (cumulative through the row's month); the ratios come from COHORT_FRACTIONS.
COHORT_SUMS = ("orders", "repeat_customers", "revenue", "gross_profit", "revenue_at_margin")
MONEY_SUMS = ("revenue", "gross_profit", "revenue_at_margin", "new_customer_spend")


def month_number(date: pl.Expr) -> pl.Expr:
    """A date's calendar month as a count (year x 12 + month - 1), so that two months subtract."""
    return date.dt.year().cast(pl.Int32) * 12 + date.dt.month().cast(pl.Int32) - 1


def month_start(number: pl.Expr) -> pl.Expr:
    """The first day of a month_number."""
    return pl.date(number // 12, number % 12 + 1, 1)


def daily_spend(kpis_daily: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per (account, date): the ad spend of every platform (kpis_daily counts each day's spend once)."""
    return (
        kpis_daily.lazy()
        .group_by("account", "date")
        .agg(pl.col("spend").sum().round(SUM_DECIMALS))
        .sort("account", "date", nulls_last=True)
        .collect()
    )


def cohort_table(
    orders: pl.DataFrame | pl.LazyFrame,
    spend_daily: pl.DataFrame | pl.LazyFrame | None = None,
    *,
    gross_margin: float,
    through: dt.date | None = None,
) -> pl.DataFrame:
    """One row per (account, cohort, month since first order) that has fully elapsed: the cohort's customers,
    its new-customer spend and CPA, and its orders, repeat customers, net revenue and gross profit summed from
    its first month through that one, with their per-customer ratios (the LTV curve) and LTV:CAC.

    Args:
        orders: the orders table (schema.ORDERS), optionally with a per-order `gross_profit`.
        spend_daily: ad spend per (account, date) (`daily_spend(kpis_daily)`); None: CPA, payback and LTV:CAC
            are unknown.
        gross_margin: `targets.gross_margin`, for the gross profit of orders without their own.
        through: the last day of the order history; default each account's last order date.
    """
    frame = _with_account(orders.lazy())
    has_profit = "gross_profit" in frame.collect_schema().names()
    estimated = net_revenue() * gross_margin
    profit = pl.coalesce(pl.col("gross_profit"), estimated) if has_profit else estimated
    # Revenue whose gross profit rests on the margin setting: all of it without profit figures; with them (kpis.
    # order_profit), each order's share of product sales costed at the margin (all of it for an order without lines).
    names = frame.collect_schema().names()
    if has_profit and "margin_fallback_sales" in names:
        share = (
            pl.when(pl.col("product_sales") > 0)
            .then(pl.col("margin_fallback_sales") / pl.col("product_sales"))
            .otherwise(1.0)
        )
        margin_revenue = pl.when(pl.col("gross_profit").is_null()).then(net_revenue()).otherwise(net_revenue() * share)
    else:
        at_margin = pl.col("gross_profit").is_null() if has_profit else pl.lit(True)
        margin_revenue = pl.when(at_margin).then(net_revenue()).otherwise(0.0)
    counted = frame.filter(counts_as_sale() & pl.col("customer_key").is_not_null())
    customers = counted.group_by("account", "customer_key").agg(
        month_number(pl.col("date").min()).alias("cohort_month"),
        month_number(pl.col("date").sort().slice(1, 1).first()).alias("second_month"),
    )
    last_day = pl.lit(through, pl.Date) if through is not None else pl.col("date").max()
    # The last month wholly inside the history: the month of the day after its last day, less one.
    ends = frame.group_by("account").agg(
        (month_number(last_day + pl.duration(days=1)) - 1).alias("last_month"),
    )
    sizes = customers.group_by("account", "cohort_month").agg(pl.len().cast(pl.Int64).alias("customers"))
    repeats = (
        customers.filter(pl.col("second_month").is_not_null())
        .group_by("account", "cohort_month", (pl.col("second_month") - pl.col("cohort_month")).alias("month"))
        .agg(pl.len().cast(pl.Int64).alias("repeat_customers"))
    )
    by_month = (
        counted.join(customers, on=["account", "customer_key"], nulls_equal=True)
        .group_by("account", "cohort_month", (month_number(pl.col("date")) - pl.col("cohort_month")).alias("month"))
        .agg(
            pl.len().cast(pl.Int64).alias("orders"),
            net_revenue().sum().alias("revenue"),
            profit.sum().alias("gross_profit"),
            margin_revenue.sum().alias("revenue_at_margin"),
        )
        # Parallel float sums differ in their last bits from run to run; the cumulative sums start from rounded ones.
        .with_columns(pl.col(name).round(SUM_DECIMALS) for name in ("revenue", "gross_profit", "revenue_at_margin"))
    )
    keys = ["account", "cohort_month", "month"]
    table = (
        sizes.join(ends, on="account", nulls_equal=True)
        .with_columns(
            pl.int_ranges(0, pl.col("last_month") - pl.col("cohort_month") + 1, dtype=pl.Int32).alias("month")
        )
        .explode("month")
        .drop_nulls("month")
        .join(by_month, on=keys, how="left", nulls_equal=True)
        .join(repeats, on=keys, how="left", nulls_equal=True)
        .with_columns(pl.col(name).fill_null(0) for name in COHORT_SUMS)
        .sort(keys, nulls_last=True)
        .with_columns(pl.col(name).cum_sum().over("account", "cohort_month") for name in COHORT_SUMS)
        .with_columns(month_start(pl.col("cohort_month")).alias("cohort"))
    )
    table = table.join(_spend_by_month(spend_daily), on=["account", "cohort_month"], how="left", nulls_equal=True)
    rows = table.with_columns(pl.col(name).round(SUM_DECIMALS) for name in MONEY_SUMS).with_columns(cohort_exprs())
    return conform(rows.collect(), COHORTS).sort(COHORTS_KEY, nulls_last=True)


def _with_account(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The frame with an `account` column (null: the one default account) when it has none."""
    return frame if "account" in frame.collect_schema().names() else frame.with_columns(account=pl.lit(None, pl.String))


def _spend_by_month(spend_daily: pl.DataFrame | pl.LazyFrame | None) -> pl.LazyFrame:
    """`new_customer_spend` per (account, cohort_month): the month's ad spend where the ad data runs from its
    first to its last day (a day without a row inside that span spent nothing), else no row."""
    schema = {"account": pl.String, "cohort_month": pl.Int32, "new_customer_spend": pl.Float64}
    if spend_daily is None:
        return pl.LazyFrame(schema=schema)
    days = _with_account(spend_daily.lazy())
    span = days.group_by("account").agg(pl.col("date").min().alias("first_ad"), pl.col("date").max().alias("last_ad"))
    # Every month the ad data touches, with its spend; kept when the data covers the whole month.
    return (
        days.group_by("account", month_number(pl.col("date")).alias("cohort_month"))
        .agg(pl.col("spend").sum().alias("new_customer_spend"))
        .join(span, on="account", nulls_equal=True)
        .with_columns(month_start(pl.col("cohort_month")).alias("start"))
        .filter((pl.col("first_ad") <= pl.col("start")) & (pl.col("last_ad") >= pl.col("start").dt.month_end()))
        .select(list(schema))
    )


def combine_accounts(cohorts: pl.DataFrame) -> pl.DataFrame:
    """The cohorts of several accounts (in one currency) added up per (cohort, month), `account` null: a customer
    of two shops counts in each. A month's new-customer spend is known when every account's is."""
    spend = pl.col("new_customer_spend")
    return (
        cohorts.group_by("cohort", "month")
        .agg(
            pl.col("customers").sum(),
            pl.when(spend.null_count() == 0).then(spend.sum()).alias("new_customer_spend"),
            *(pl.col(name).sum() for name in COHORT_SUMS),
        )
        .with_columns(pl.col(name).round(SUM_DECIMALS) for name in MONEY_SUMS)
        .with_columns(cohort_exprs())
        .pipe(conform, COHORTS)
        .sort(COHORTS_KEY, nulls_last=True)
    )


def cohort_matrix(cohorts: pl.DataFrame, value: str = "revenue_per_customer") -> pl.DataFrame:
    """One row per (account, cohort), one column per month since first order (`0`, `1`, ...): `value` of that
    cohort through that month; null where the month has not elapsed (the heatmap's grid)."""
    if cohorts.is_empty():
        return cohorts.select("account", "cohort")
    months = [str(month) for month in range(cohorts.select(pl.col("month").max()).item() + 1)]
    wide = cohorts.with_columns(pl.col("month").cast(pl.String)).pivot(
        on="month", index=["account", "cohort"], values=value, on_columns=months
    )
    return wide.select("account", "cohort", *months).sort("account", "cohort", nulls_last=True)


def cohort_overview(cohorts: pl.DataFrame) -> pl.DataFrame:
    """One row per (account, cohort): its customers, new-customer spend and CPA, how many months have elapsed
    (`months`, the latest month since first order), its figures through that month, and its payback month
    (the first month its gross profit reached its new-customer spend; null if not yet or the spend is unknown)."""
    paid_back = pl.col("gross_profit") >= pl.col("new_customer_spend")
    latest = pl.col("month") == pl.col("month").max().over("account", "cohort")
    return (
        cohorts.with_columns(
            pl.col("month").filter(paid_back).min().over("account", "cohort").alias("payback_month"),
        )
        .filter(latest)
        .select(
            "account",
            "cohort",
            "customers",
            "new_customer_spend",
            "new_customer_cpa",
            pl.col("month").alias("months"),
            *COHORT_SUMS,
            "revenue_per_customer",
            "gross_profit_per_customer",
            "repeat_rate",
            "payback_month",
            "ltv_cac",
        )
        .sort("account", "cohort", nulls_last=True)
    )


def ltv_curve(cohorts: pl.DataFrame) -> pl.DataFrame:
    """One row per month since first order: the average customer, as the cohorts together show it.

    Each month adds what the customers of the cohorts that have lived it brought in that month, per customer
    (`revenue_added` / `customers` of those cohorts, and the same for gross profit and customers ordering a
    second time), and the curve is those additions summed up to the month: M0 rests on every cohort, a later
    month's addition on the older cohorts that have reached it. So the curve never falls because the cohorts
    behind a month change, and each cohort weighs by its customers. `cohorts`, `first_cohort`, `last_cohort`
    and `customers` say which cohorts a month's addition rests on.
    """
    added = {"revenue": "revenue_added", "gross_profit": "gross_profit_added", "repeat_customers": "repeat_added"}
    ratios = {
        "revenue_added": "revenue_per_customer",
        "gross_profit_added": "gross_profit_per_customer",
        "repeat_added": "repeat_rate",
    }
    return (
        cohorts.sort("account", "cohort", "month", nulls_last=True)
        .with_columns(
            (pl.col(name) - pl.col(name).shift(1, fill_value=0).over("account", "cohort")).alias(alias)
            for name, alias in added.items()
        )
        .group_by("month")
        .agg(
            pl.len().alias("cohorts"),
            pl.col("cohort").min().alias("first_cohort"),
            pl.col("cohort").max().alias("last_cohort"),
            pl.col("customers").sum(),
            *(pl.col(alias).sum() for alias in added.values()),
        )
        .sort("month")
        .with_columns(pl.col("revenue_added", "gross_profit_added").round(SUM_DECIMALS))
        .with_columns(ratio(num, "customers").cum_sum().round(SUM_DECIMALS).alias(name) for num, name in ratios.items())
    )


@dataclass(frozen=True)
class AcquisitionCost:
    """What a new customer cost: ad spend / new customers over the cohorts whose month the ad data covers."""

    spend: float | None
    customers: int
    cpa: float | None
    cohorts: tuple[dt.date, ...]  # the cohort months counted, oldest first


def acquisition_cost(cohorts: pl.DataFrame) -> AcquisitionCost:
    """The new-customer CPA of every cohort with a known new-customer spend, together (a ratio of their sums)."""
    known = cohorts.filter((pl.col("month") == 0) & pl.col("new_customer_spend").is_not_null()).sort("cohort")
    if known.is_empty():
        return AcquisitionCost(None, 0, None, ())
    spend = round(float(known["new_customer_spend"].sum()), SUM_DECIMALS)
    customers = int(known["customers"].sum())
    cpa = spend / customers if customers else None
    return AcquisitionCost(spend, customers, cpa, tuple(known["cohort"].to_list()))


def payback_month(curve: pl.DataFrame, cpa: float | None) -> int | None:
    """The first month since first order at which `curve`'s gross profit per customer reaches `cpa`; None when
    it has not yet or the CPA is unknown."""
    if cpa is None:
        return None
    reached = curve.filter(pl.col("gross_profit_per_customer") >= cpa).select(pl.col("month").min()).item()
    return None if reached is None else int(reached)


@dataclass(frozen=True)
class OrderHistory:
    """How far back the orders go and what the cohorts leave out."""

    first_order: dt.date | None  # the oldest order in the export(s): customers who ordered before it look new
    through: dt.date | None  # the newest order: months after the last complete one are not in the cohorts
    orders: int  # orders that count (neither cancelled nor voided)
    revenue: float
    orders_without_customer: int  # of those, orders without a customer (no e-mail): left out of the cohorts
    revenue_without_customer: float
    open_month: dt.date | None  # the month still in progress at `through` (its customers join the cohorts later)
    open_month_customers: int  # customers whose first order is in the open month

    @property
    def has_customers(self) -> bool:
        return self.orders > self.orders_without_customer


def order_history(orders: pl.DataFrame | pl.LazyFrame | None) -> OrderHistory:
    """The order history behind the cohorts: its first and last order dates, the counted orders, those without
    a customer, and the month in progress at its end."""
    if orders is None:
        return OrderHistory(None, None, 0, 0.0, 0, 0.0, None, 0)
    frame = _with_account(orders.lazy())
    span = frame.select(pl.col("date").min().alias("first"), pl.col("date").max().alias("last")).collect().row(0)
    first_order, through = span
    counted = frame.filter(counts_as_sale())
    totals = counted.select(
        pl.len().alias("orders"),
        net_revenue().sum().alias("revenue"),
        pl.col("customer_key").is_null().sum().alias("without"),
        net_revenue().filter(pl.col("customer_key").is_null()).sum().alias("revenue_without"),
    ).collect()
    row = totals.row(0, named=True)
    open_month, newest = None, 0
    if through is not None and through != month_end(through):
        open_month = through.replace(day=1)
        newest = (
            counted.filter(pl.col("customer_key").is_not_null())
            .group_by("account", "customer_key")
            .agg(pl.col("date").min().alias("first"))
            .filter(pl.col("first") >= open_month)
            .select(pl.len())
            .collect()
            .item()
        )
    return OrderHistory(
        first_order,
        through,
        int(row["orders"]),
        float(rounded(float(row["revenue"] or 0.0)) or 0.0),
        int(row["without"]),
        float(rounded(float(row["revenue_without"] or 0.0)) or 0.0),
        open_month,
        int(newest),
    )


def month_end(day: dt.date) -> dt.date:
    """The last day of a date's month."""
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def customers_summary(cohorts: pl.DataFrame, history: OrderHistory) -> dict[str, Any]:
    """metrics/summary.json's `customers`: how far the order history reaches, the cohorts' customers, the
    new-customer CPA, the LTV of the average customer (ltv_curve: net revenue and gross profit per customer) 1, 3
    and 12 months after the first order's month, the payback month of that curve against the CPA, and LTV:CAC at
    those months. Unknown figures are null (a month no cohort has reached)."""
    curve = ltv_curve(cohorts)
    cost = acquisition_cost(cohorts)
    at = {int(row["month"]): row for row in curve.iter_rows(named=True)}
    revenue = float(cohorts.filter(pl.col("month") == 0)["revenue"].sum()) if cohorts.height else 0.0
    at_margin = float(cohorts.filter(pl.col("month") == 0)["revenue_at_margin"].sum()) if cohorts.height else 0.0

    def per_customer(month: int, name: str) -> float | None:
        return rounded(at[month][name]) if month in at else None

    def ltv_cac(month: int) -> float | None:
        value = per_customer(month, "gross_profit_per_customer")
        return rounded(value / cost.cpa) if value is not None and cost.cpa else None

    return {
        "first_order": _iso(history.first_order),
        "through": _iso(history.through),
        "cohorts": int(cohorts["cohort"].n_unique()) if cohorts.height else 0,
        "customers": int(cohorts.filter(pl.col("month") == 0)["customers"].sum()) if cohorts.height else 0,
        "orders_without_customer": history.orders_without_customer,
        "gross_profit_at_margin": rounded(at_margin / revenue) if revenue else None,
        "new_customer_cpa": rounded(cost.cpa),
        **{f"ltv_{month}m": per_customer(month, "revenue_per_customer") for month in SUMMARY_MONTHS},
        **{f"ltv_gross_profit_{month}m": per_customer(month, "gross_profit_per_customer") for month in SUMMARY_MONTHS},
        "payback_months": payback_month(curve, cost.cpa),
        **{f"ltv_cac_{month}m": ltv_cac(month) for month in SUMMARY_MONTHS},
    }


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
