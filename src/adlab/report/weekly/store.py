"""The store section of a weekly page: orders, store revenue, AOV, MER, sessions, new vs returning customers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from adlab import kpis
from adlab.display import column_formats, fmt_pct
from adlab.report.frames import has_store_data, previous_week
from adlab.report.html import html_table, info_html, note_html, tiles_html
from adlab.report.weekly.tiles import store_tiles

# What the store section says without store data (markup: the folder and the command are code).
NO_ORDERS_NOTE = (
    "No store orders yet. Drop a Shopify orders export (Shopify admin → Orders → Export, CSV) into "
    "<code>data/raw/</code> and run <code>make report</code> to see orders, store revenue, AOV and MER "
    "(store revenue / ad spend) here."
)


def store_section_html(
    store: pl.DataFrame | None,
    week: str,
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    currency: str,
    *,
    gross_margin: float,
    previous_label: str = "last week",
) -> str:
    """Store tiles for the week, or a note saying which export would fill them.

    `current` / `previous` are kpis.period_figures of the week and the week before (for MER).
    """
    if store is None:
        return info_html(NO_ORDERS_NOTE)
    if not has_store_data(store, week):
        return note_html(
            f"The orders export holds no orders for {week}; export orders covering these dates from Shopify "
            "to see store revenue and MER."
        )
    start, end = kpis.week_bounds(week)
    before_start, before_end = kpis.week_bounds(previous_week(week))
    extra = ("spend", "mer", "sessions", "store_cvr")
    now = {**kpis.store_figures(store, start, end), **{key: current.get(key) for key in extra}}
    before = (
        {**kpis.store_figures(store, before_start, before_end), **{key: (previous or {}).get(key) for key in extra}}
        if has_store_data(store, previous_week(week))
        else None
    )
    tiles = store_tiles(now, before, currency, gross_margin=gross_margin, previous_label=previous_label)
    return (
        tiles_html(tiles)
        + _store_gaps_html(now)
        + note_html(
            "Store figures count every order in the store, not only those the ad platforms attribute to ads; "
            "MER (store revenue / ad spend) is the account-wide check on ROAS."
        )
    )


def _store_gaps_html(figures: Mapping[str, Any]) -> str:
    """One line naming the store figures a Shopify Analytics sales report lacks and the export that has them."""
    if figures.get("orders") is None:
        return note_html(
            "Orders, store AOV and new vs returning customers need a Shopify orders export (Shopify "
            "admin → Orders → Export, CSV) or a sales report over time that counts orders."
        )
    if figures.get("new_customer_orders") is None:
        return note_html(
            "New vs returning customers need a Shopify orders export (Shopify admin → Orders → Export, CSV)."
        )
    return ""


def customer_split_html(orders: pl.DataFrame | None, week: str, currency: str) -> str:
    """New vs returning customers of the week: orders, revenue and AOV (empty without an orders export)."""
    if orders is None or orders.is_empty():
        return ""
    split = kpis.customer_split(orders, *kpis.week_bounds(week))
    if split.is_empty():
        return ""
    total = split["orders"].sum()
    shown = split.with_columns((pl.col("orders") / total).alias("share"))
    return "<h3>New and returning customers</h3>" + html_table(
        shown.select("customer", "orders", "share", "revenue", "store_aov"),
        {**column_formats(currency), "share": fmt_pct},
        labels={"customer": "Customers", "share": "% of orders", "store_aov": "Store AOV"},
    )
