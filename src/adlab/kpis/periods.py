"""Figures of one period (days start..end, or one reporting window): account totals and KPIs, store and MER."""

from __future__ import annotations

import datetime as dt
from typing import TypeGuard

import polars as pl

from adlab.kpis.formulas import ratio
from adlab.kpis.rollups import rollup, rounded
from adlab.kpis.weeks import date_span
from adlab.kpis.windows import window_kpis

Figures = dict[str, float | int | None]
"""Totals and KPIs of a period by name (the keys of period_figures); None where unknown."""


def store_covers(store: pl.DataFrame | None, start: dt.date, end: dt.date) -> TypeGuard[pl.DataFrame]:
    """Whether the daily rows of `store` (an orders export; or ad data) reach into start..end; outside them
    figures are unknown, not 0.

    Small stores go days without an order, so overlapping the period is enough.
    """
    if store is None or store.height == 0:
        return False
    first, last = date_span(store["date"])
    return first <= end and last >= start


def store_spans(
    store: pl.DataFrame | None, start: dt.date, end: dt.date, slack_days: int = 7
) -> TypeGuard[pl.DataFrame]:
    """Whether the store data runs from start to end, give or take `slack_days` without an order at either end.

    A window may span years; an orders export that covers a few of its months would make MER a ratio of
    unlike periods, so store figures for a window need the store data to span it.
    """
    if not store_covers(store, start, end):
        return False
    slack = dt.timedelta(days=slack_days)
    first, last = date_span(store["date"])
    return first <= start + slack and last >= end - slack


def period_figures(
    kpis_daily: pl.DataFrame,
    store: pl.DataFrame | None,
    start: dt.date,
    end: dt.date,
    sessions: pl.DataFrame | None = None,
) -> Figures:
    """Account totals and KPIs for the days start..end (inclusive), with store orders, revenue and MER.

    With daily `sessions` (see `sessions_daily`) covering the period: sessions and
    store conversion rate (orders / sessions).
    """
    days = kpis_daily.filter(pl.col("date").is_between(start, end))
    totals = rollup(days.with_columns(pl.lit(1).alias("_all")), ["_all"]).drop("_all")
    row = totals.row(0, named=True) if totals.height else {name: None for name in totals.columns}
    # A day without a row inside the ad exports' dates spent nothing; outside them (or with no ad export) spend
    # is unknown, not 0.
    no_rows = 0 if store_covers(kpis_daily, start, end) else None
    figures: Figures = {
        "spend": row.get("spend") or (None if no_rows is None else 0.0),
        "purchase_value": row.get("purchase_value"),
        "purchases": row.get("purchases"),
        "impressions": row.get("impressions") or no_rows,
        "link_clicks": row.get("link_clicks"),
        **{name: row.get(name) for name in ("roas", "cpa", "ctr", "cpm", "cvr", "aov")},
        "orders": None,
        "revenue": None,
        "mer": None,
        "sessions": None,
        "store_cvr": None,
    }
    if store_covers(store, start, end):
        sales = store.filter(pl.col("date").is_between(start, end)).select(
            pl.col("orders").sum().alias("orders")
            if store["orders"].null_count() < store.height
            else pl.lit(None, pl.Int64).alias("orders"),
            pl.col("revenue").sum(),
            pl.lit(figures["spend"], pl.Float64).alias("spend"),
        )
        figures.update(sales.select("orders", "revenue", ratio("revenue", "spend").alias("mer")).row(0, named=True))
    if store_covers(sessions, start, end):
        visits = sessions.filter(pl.col("date").is_between(start, end)).select(
            pl.col("sessions").sum(), pl.lit(figures["orders"], pl.Int64).alias("orders")
        )
        figures.update(visits.select("sessions", ratio("orders", "sessions").alias("store_cvr")).row(0, named=True))
    return figures


def window_figures(
    kpis_period: pl.DataFrame,
    store: pl.DataFrame | None,
    start: dt.date,
    end: dt.date,
    sessions: pl.DataFrame | None = None,
) -> Figures:
    """Account totals and KPIs of one reporting window (the keys of period_figures), from its rows only.

    Store orders, revenue and MER (and sessions) are given only where that data spans the window
    (store_spans); otherwise they stay unknown.
    """
    return period_figures(
        window_kpis(kpis_period, start, end),
        store if store_spans(store, start, end) else None,
        start,
        end,
        sessions if store_spans(sessions, start, end) else None,
    )


def spend_by_platform(kpis_daily: pl.DataFrame, start: dt.date, end: dt.date) -> dict[str, dict[str, float | None]]:
    """Spend, purchase value and ROAS per ad platform for the days start..end."""
    days = kpis_daily.filter(pl.col("date").is_between(start, end))
    return {
        row["platform_source"]: {
            "spend": rounded(row["spend"]),
            "purchase_value": rounded(row["purchase_value"]),
            "roas": rounded(row["roas"]),
        }
        for row in rollup(days, ["platform_source"]).iter_rows(named=True)
    }


def account_daily(kpis_daily: pl.DataFrame, store: pl.DataFrame | None) -> pl.DataFrame:
    """One row per date: account sums and KPIs, store orders and revenue, and MER."""
    daily = rollup(kpis_daily, ["date"])
    if store is None:
        store = pl.DataFrame(schema={"date": pl.Date, "orders": pl.Int64, "revenue": pl.Float64})
    # A store day without an ad row spent nothing while there are ad exports; without any, spend is unknown.
    no_rows = [pl.col(name).fill_null(0) for name in ("spend", "impressions")] if kpis_daily.height else []
    return (
        daily.join(store.select("date", "orders", "revenue"), on="date", how="full", coalesce=True)
        .with_columns(no_rows)
        .with_columns(ratio("revenue", "spend").alias("mer"))
        .sort("date")
    )
