"""The store side: daily orders and revenue (orders export or Shopify Analytics), sessions, customer split.

An order counts when it is neither cancelled nor voided; revenue is total - refunded, by order date.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.kpis.formulas import ratio
from adlab.kpis.rollups import SUM_DECIMALS, sum_metrics_of
from adlab.schema import EXCLUDED_FINANCIAL_STATUSES


def counts_as_sale() -> pl.Expr:
    """Whether an order counts in store orders and revenue: neither cancelled nor voided."""
    return ~pl.col("cancelled") & ~pl.col("financial_status").is_in(EXCLUDED_FINANCIAL_STATUSES)


def net_revenue() -> pl.Expr:
    """An order's store revenue: its total less what was refunded."""
    return pl.col("total") - pl.col("refunded").fill_null(0.0)


def store_daily(orders: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per order date: store orders and revenue.

    An order counts when it is neither cancelled nor voided; revenue is
    total - refunded, by the date of `Created at` as written (store zone).
    """
    return (
        orders.lazy()
        .filter(counts_as_sale())
        .group_by("date")
        .agg(
            pl.len().alias("orders"),
            net_revenue().sum().round(SUM_DECIMALS).alias("revenue"),
            pl.col("is_new_customer").sum().alias("new_customer_orders"),
            pl.col("units").sum().alias("units"),
        )
        .with_columns(ratio("revenue", "orders").alias("store_aov"))
        .sort("date")
        .collect()
    )


def store_daily_from_sales(store_sales: pl.DataFrame) -> pl.DataFrame:
    """The `store_daily` shape from Shopify Analytics sales (revenue = total sales after returns)."""
    return store_sales.select(
        "date",
        "orders",
        pl.col("total_sales").alias("revenue"),
        pl.lit(None, pl.Int64).alias("new_customer_orders"),
        pl.lit(None, pl.Int64).alias("units"),
        ratio("total_sales", "orders").alias("store_aov"),
    ).sort("date")


def sessions_daily(sessions: pl.DataFrame) -> pl.DataFrame | None:
    """One row per day: sessions summed over channels, from one source (GA4 before Shopify) per day.

    Weekly GA4 rows (weeks start on Sunday there) do not map onto ISO weeks and are left out.
    """
    daily = sessions.filter(pl.col("period") == "day")
    if daily.height == 0:
        return None
    return (
        daily.filter(pl.col("source") == pl.col("source").min().over("date"))
        .group_by("date")
        .agg(pl.col("sessions").sum())
        .sort("date")
    )


def store_figures(store: pl.DataFrame, start: dt.date, end: dt.date) -> dict[str, float | int | None]:
    """Store totals for the days start..end (inclusive): orders, revenue, units, AOV and new-customer share.

    `store` is kpis.store_daily(orders); `days` counts the days that had orders.
    """
    totals = (
        store.lazy()
        .filter(pl.col("date").is_between(start, end))
        .select(*sum_metrics_of(["orders", "revenue", "new_customer_orders", "units"]), pl.len().alias("days"))
        .with_columns(
            ratio("revenue", "orders").alias("store_aov"),
            ratio("new_customer_orders", "orders").alias("new_customer_share"),
        )
        .collect()
    )
    return totals.row(0, named=True)


def customer_split(orders: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per customer type (new, returning, unknown) over start..end: orders, revenue and store AOV.

    Counts the same orders as store_daily (neither cancelled nor voided; revenue = total - refunded).
    """
    kind = (
        pl.when(pl.col("is_new_customer"))
        .then(pl.lit("new"))
        .when(~pl.col("is_new_customer"))
        .then(pl.lit("returning"))
        .otherwise(pl.lit("unknown"))
    )
    return (
        orders.lazy()
        .filter(pl.col("date").is_between(start, end))
        .filter(counts_as_sale())
        .group_by(kind.alias("customer"))
        # Rounded before the ratio: a parallel float sum differs in its last bits with the thread count, and an
        # AOV on a half cent would then print either way (133.76 on one worker, 133.77 on another).
        .agg(pl.len().alias("orders"), net_revenue().sum().round(SUM_DECIMALS).alias("revenue"))
        .with_columns(ratio("revenue", "orders").alias("store_aov"))
        .sort(pl.col("customer").replace_strict({"new": 0, "returning": 1, "unknown": 2}, return_dtype=pl.Int8))
        .collect()
    )
