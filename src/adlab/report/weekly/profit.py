"""The profit row of a weekly page (gross profit, profit after ads, POAS, ncROAS, new-customer CPA) with the lines
saying what it rests on, and the week's products by revenue and by margin (from the kpis stage's profit tables)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl

from adlab import kpis
from adlab.display import column_formats, fmt_int, fmt_money, fmt_pct, fmt_roas, number
from adlab.report.frames import previous_week
from adlab.report.html import code_note_html, html_table, note_html, tiles_html
from adlab.report.weekly.tiles import profit_tiles

# Products below this share of the week's product revenue are left out of the margin ranking (a single cheap
# sale would top it).
MARGIN_MIN_SHARE = 0.01
HEADING = "<h3>Profit after costs and ads</h3>"
PRODUCT_COLUMNS = (
    "product",
    "units",
    "product_revenue",
    "product_cogs",
    "product_gross_profit",
    "product_margin",
    "cost_fallback_share",
)


def profit_row_html(
    profit_daily: pl.DataFrame | None,
    week: str,
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    currency: str,
    *,
    gross_margin: float,
    previous_label: str = "last week",
) -> str:
    """The week's profit tiles and the lines under them: how gross profit is made up, the share of product sales
    costed at the gross-margin setting, and how far back new customers are judged. Empty without profit data (no
    orders export): no profit figures, not zeros.

    `current` / `previous`: kpis.period_figures of the week and the week before (their spend and MER).
    """
    if profit_daily is None or profit_daily.is_empty():
        return ""
    start, end = kpis.week_bounds(week)
    now = kpis.profit_figures(profit_daily, start, end, number(current.get("spend")))
    if now["orders"] is None:
        return HEADING + note_html(f"The orders export holds no orders for {week}, so there is no profit to show.")
    before_start, before_end = kpis.week_bounds(previous_week(week))
    spend_before = number((previous or {}).get("spend"))
    before = kpis.profit_figures(profit_daily, before_start, before_end, spend_before)
    tiles = profit_tiles(now, before if before["orders"] is not None else None, currency, previous_label=previous_label)
    return (
        HEADING
        + tiles_html(tiles)
        + "".join(
            _notes(now, current, currency, gross_margin=gross_margin, first_order=kpis.first_order_day(profit_daily))
        )
    )


def _notes(
    figures: Mapping[str, Any],
    current: Mapping[str, Any],
    currency: str,
    *,
    gross_margin: float,
    first_order: dt.date | None,
) -> list[str]:
    """The lines under the profit tiles (HTML)."""

    def money(key: str) -> str:
        return fmt_money(figures.get(key), currency)

    tax = (number(figures.get("revenue")) or 0.0) - (number(figures.get("net_revenue")) or 0.0)
    made_of = (
        f"Gross profit {money('gross_profit')} = net revenue {money('net_revenue')} (store revenue "
        f"{money('revenue')} without {fmt_money(tax, currency)} of tax) - cost of goods {money('cogs')} - "
        f"payment fees {money('fees')} - shipping {money('shipping_cost')}."
    )
    if number(figures.get("shipping_cost")) == 0:
        made_of += " Shipping you pay is not counted: set `profit.shipping_cost_per_order` in params.yaml."
    lines = [code_note_html(made_of), code_note_html(_fallback_line(figures, gross_margin))]
    history = (
        f"the orders export goes back to {first_order:%d %b %Y}, so a customer who bought only before then counts "
        "as new"
        if first_order
        else "judged on the orders export's history"
    )
    lines.append(
        note_html(
            f"New customers: {fmt_int(figures.get('new_customers'))} placed their first order this week "
            f"({fmt_money(figures.get('new_customer_revenue'), currency)}); {history}. Break-even ROAS at this "
            f"week's actual margin: {fmt_roas(figures.get('breakeven_roas_actual'))} (MER "
            f"{fmt_roas(current.get('mer'))})."
        )
    )
    return lines


def _fallback_line(figures: Mapping[str, Any], gross_margin: float) -> str:
    """Where cost of goods came from: the share of product sales with a unit cost, and the share at the margin."""
    share = number(figures.get("cost_fallback_share"))
    margin = fmt_pct(gross_margin, 0)
    if share is None:
        return f"Cost of goods is at the {margin} gross margin of `targets.gross_margin` (no product sales to match)."
    if share >= 0.9995:
        return (
            f"No unit cost matched this week's products: all cost of goods is at the {margin} gross margin of "
            "`targets.gross_margin`. Export products from Shopify (with `Cost per item`) or add a costs CSV "
            "(`sku,unit_cost`) to data/raw/ for real costs."
        )
    return (
        f"Cost of goods: {fmt_pct(1 - share, 0)} of product sales from unit costs (SKU or product name), "
        f"{fmt_pct(share, 0)} at the {margin} gross margin of `targets.gross_margin` (products without a cost)."
    )


def products_html(profit_products: pl.DataFrame | None, week: str, currency: str, *, top_n: int) -> str:
    """The week's top products by revenue and by margin (products with at least 1% of product revenue), with
    units, revenue, cost of goods, gross profit and margin; empty without profit data for the week."""
    if profit_products is None:
        return ""
    rows = profit_products.filter(pl.col("week") == week)
    if rows.is_empty():
        return ""
    formats = {**column_formats(currency), "units": lambda value: f"{number(value) or 0:,.0f}"}
    shown = list(PRODUCT_COLUMNS)
    by_revenue = rows.sort(["product_revenue", "product"], descending=[True, False], nulls_last=True).head(top_n)
    total = number(rows["product_revenue"].sum()) or 0.0
    ranked = rows.filter(pl.col("product_revenue") >= MARGIN_MIN_SHARE * total).drop_nulls("product_margin")
    by_margin = ranked.sort(["product_margin", "product"], descending=[True, False]).head(top_n)
    lowest = (
        ranked.join(by_margin.select("product"), on="product", how="anti", nulls_equal=True)
        .sort(["product_margin", "product"])
        .head(top_n)
    )
    parts = [
        "<h3>Top products by revenue</h3>",
        html_table(by_revenue.select(shown), formats),
        "<h3>Products by margin</h3>",
        html_table(by_margin.select(shown), formats),
    ]
    if lowest.height:
        parts += [
            "<h3>Lowest margins</h3>",
            html_table(lowest.sort(["product_margin", "product"]).select(shown), formats),
        ]
    parts.append(
        note_html(
            "Revenue is quantity x price less line discounts, after refunds; gross profit here is revenue less cost "
            "of goods (order discounts, payment fees and shipping are counted per order, in the tiles). Margin "
            f"ranks products with at least {MARGIN_MIN_SHARE:.0%} of the week's product revenue."
        )
    )
    return "".join(parts)
