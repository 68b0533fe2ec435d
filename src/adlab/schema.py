"""Canonical tables: every column's name and polars dtype, spelled once.

Other modules import these constants instead of repeating column names.
"""

from __future__ import annotations

import re

import polars as pl

# An ISO week label YYYY-Www (Monday-Sunday), as `kpis.iso_week` writes it and `params.yaml` names weeks.
ISO_WEEK = re.compile(r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])")

# Additive metrics of `ad_insights`: summed at any grain, never averaged.
AD_METRICS: dict[str, pl.DataType] = {
    "spend": pl.Float64(),
    "impressions": pl.Int64(),
    "clicks": pl.Int64(),
    "link_clicks": pl.Int64(),
    "landing_page_views": pl.Int64(),
    "adds_to_cart": pl.Int64(),
    "checkouts": pl.Int64(),
    "purchases": pl.Int64(),
    "purchase_value": pl.Float64(),
    "video_3s_plays": pl.Int64(),
    "thruplays": pl.Int64(),
    "video_p25": pl.Int64(),
    "video_p50": pl.Int64(),
    "video_p75": pl.Int64(),
    "video_p100": pl.Int64(),
}

# Breakdown dimensions; a row carries values only for its own `breakdown`.
BREAKDOWN_DIMS: tuple[str, ...] = ("age", "gender", "publisher_platform", "placement", "region", "country")

AD_INSIGHTS: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "window_start": pl.Date(),
    "platform_source": pl.String(),
    "level": pl.String(),
    "account": pl.String(),
    "campaign": pl.String(),
    "adset": pl.String(),
    "ad": pl.String(),
    "campaign_id": pl.String(),
    "adset_id": pl.String(),
    "ad_id": pl.String(),
    "breakdown": pl.String(),
    **{dim: pl.String() for dim in BREAKDOWN_DIMS},
    "attribution_setting": pl.String(),
    "objective": pl.String(),
    # What the ad was optimised for (`Website purchases`, `Leads`, ...) and how many it got: never summed across types.
    "result_type": pl.String(),
    "results": pl.Float64(),
    "currency": pl.String(),
    "spend": AD_METRICS["spend"],
    "impressions": AD_METRICS["impressions"],
    # Reach is not additive across days, ads or breakdowns: it is never summed.
    "reach": pl.Int64(),
    **{name: dtype for name, dtype in AD_METRICS.items() if name not in ("spend", "impressions")},
    # The budget the export shows for the row's ad set or campaign (as set when exported, not the day's): its
    # amount (null under `Using campaign budget` without a campaign amount), daily | lifetime, and adset | campaign.
    # Never summed; null when the export has no budget columns.
    "budget": pl.Float64(),
    "budget_type": pl.String(),
    "budget_level": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}

# One row is unique on these columns: of re-exported rows sharing them, the newest export's is kept. Two accounts
# or platforms never replace each other's rows, and two ads that share a name but not an ID stay two ads.
AD_INSIGHTS_KEY: tuple[str, ...] = (
    "account",
    "platform_source",
    "date",
    "window_start",  # a lifetime row ending on a day is not that day's row
    "level",
    "campaign",
    "adset",
    "ad",
    "campaign_id",
    "adset_id",
    "ad_id",
    "breakdown",
    *BREAKDOWN_DIMS,
    "attribution_setting",
)
# Where an export has an entity's ID, the ID is its identity and the name is for display.
ENTITY_IDS: dict[str, str] = {"campaign": "campaign_id", "adset": "adset_id", "ad": "ad_id"}

ORDERS: dict[str, pl.DataType] = {
    "account": pl.String(),  # the store, when data/raw/ holds several (data/raw/<account>/...)
    "order_id": pl.String(),
    "created_at": pl.Datetime("us", "UTC"),
    "date": pl.Date(),
    "currency": pl.String(),
    "subtotal": pl.Float64(),
    "discounts": pl.Float64(),
    "shipping": pl.Float64(),
    "taxes": pl.Float64(),
    "total": pl.Float64(),
    "refunded": pl.Float64(),
    "financial_status": pl.String(),
    "cancelled": pl.Boolean(),
    "customer_key": pl.String(),
    "is_new_customer": pl.Boolean(),
    "line_items": pl.Int64(),
    "units": pl.Int64(),
    "source_file": pl.String(),
}

ORDERS_KEY: tuple[str, ...] = ("account", "order_id")
ORDER_MONEY: tuple[str, ...] = ("subtotal", "discounts", "shipping", "taxes", "total", "refunded")

# One row per line item of a Shopify orders export (the orders above, line by line): what was sold, for the cost of
# goods. Order-level fields stay in `orders`; `order_shipping_cost` is the order's shipping cost where the export
# has such a column, on its first line only (as the export writes order fields), else null.
ORDER_LINES: dict[str, pl.DataType] = {
    "account": pl.String(),
    "order_id": pl.String(),
    "line": pl.Int64(),  # 1, 2, ... within the order, in export order
    "date": pl.Date(),
    "sku": pl.String(),
    "product": pl.String(),  # `Lineitem name` as written: the product title, ` - ` and the variant title
    "variant": pl.String(),  # the variant title where the export has its own column, else null
    "quantity": pl.Int64(),
    "unit_price": pl.Float64(),
    "line_discount": pl.Float64(),  # null when the export has no `Lineitem discount`
    "order_shipping_cost": pl.Float64(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}
ORDER_LINES_KEY: tuple[str, ...] = ("account", "order_id", "line")

# One row per product variant with its unit cost, from a Shopify products export (`Cost per item`) or a costs CSV
# (`sku,unit_cost`); `unit_cost` is null where the variant has none (its lines then use targets.gross_margin).
UNIT_COSTS: dict[str, pl.DataType] = {
    "account": pl.String(),
    "sku": pl.String(),
    "product": pl.String(),  # the product title (a products export's `Title`, carried to its later variant rows)
    "variant": pl.String(),  # the option values joined by ` / ` as Shopify names variants; null for a default one
    "unit_cost": pl.Float64(),
    "source": pl.String(),  # shopify_products | costs_csv
    "source_file": pl.String(),
}
UNIT_COSTS_KEY: tuple[str, ...] = ("account", "source", "sku", "product", "variant")

# Web sessions by day or week, from GA4 downloads or Shopify Analytics sessions reports.
SESSIONS: dict[str, pl.DataType] = {
    "account": pl.String(),
    "date": pl.Date(),  # the day, or the first day of the week for weekly rows
    "period": pl.String(),  # day | week
    "source": pl.String(),  # ga4 | shopify
    "channel": pl.String(),  # default channel group, or "all"
    "sessions": pl.Int64(),
    "engaged_sessions": pl.Int64(),
    "key_events": pl.Float64(),
    "revenue": pl.Float64(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}
SESSIONS_KEY: tuple[str, ...] = ("account", "date", "period", "source", "channel")

# Daily store sales from Shopify Analytics reports (used when no orders export exists).
STORE_SALES: dict[str, pl.DataType] = {
    "account": pl.String(),
    "date": pl.Date(),
    "orders": pl.Int64(),  # null when the report is per product (an order spans several products)
    "gross_sales": pl.Float64(),
    "discounts": pl.Float64(),
    "returns": pl.Float64(),
    "net_sales": pl.Float64(),
    "taxes": pl.Float64(),
    "total_sales": pl.Float64(),
    "source_file": pl.String(),
}
STORE_SALES_KEY: tuple[str, ...] = ("account", "date")

# Store orders that never count as sales.
EXCLUDED_FINANCIAL_STATUSES: tuple[str, ...] = ("voided",)

# Customer cohorts (data/processed/cohorts.parquet): one row per (account, first-order month, month since it),
# only for months that have fully elapsed in the order history. Money and counts are cumulative through `month`.
COHORTS: dict[str, pl.DataType] = {
    "account": pl.String(),
    "cohort": pl.Date(),  # first day of the calendar month of the customers' first counted order
    "month": pl.Int32(),  # calendar months since that month (0: the first order's month)
    "customers": pl.Int64(),  # customers whose first counted order is in `cohort`
    "new_customer_spend": pl.Float64(),  # ad spend (all platforms) in the cohort month; null unless ads cover it all
    "orders": pl.Int64(),
    "repeat_customers": pl.Int64(),  # customers of the cohort with a second counted order by the end of `month`
    "revenue": pl.Float64(),  # net revenue (total - refunded)
    "gross_profit": pl.Float64(),
    "revenue_at_margin": pl.Float64(),  # revenue whose gross profit is estimated at targets.gross_margin
    "revenue_per_customer": pl.Float64(),
    "gross_profit_per_customer": pl.Float64(),
    "new_customer_cpa": pl.Float64(),
    "repeat_rate": pl.Float64(),
    "ltv_cac": pl.Float64(),
}
COHORTS_KEY: tuple[str, ...] = ("account", "cohort", "month")

# Every canonical table of data/interim: its columns and its key.
TABLES: dict[str, tuple[dict[str, pl.DataType], tuple[str, ...]]] = {
    "ad_insights": (AD_INSIGHTS, AD_INSIGHTS_KEY),
    "orders": (ORDERS, ORDERS_KEY),
    "sessions": (SESSIONS, SESSIONS_KEY),
    "store_sales": (STORE_SALES, STORE_SALES_KEY),
}
# Tables ingest writes beside those, which the validate stage passes on without a suite of their own: order lines
# (each order is checked in `orders`; the lines of an order set aside go with it) and unit costs.
COST_TABLES: dict[str, tuple[dict[str, pl.DataType], tuple[str, ...]]] = {
    "order_lines": (ORDER_LINES, ORDER_LINES_KEY),
    "unit_costs": (UNIT_COSTS, UNIT_COSTS_KEY),
}

# The grain of kpis_daily / kpis_weekly (with the date or week and platform_source): two accounts'
# same-named campaigns stay apart.
ENTITY: tuple[str, ...] = ("account", "campaign", "adset", "ad")

# Sums carried by every KPI table, then the ratios computed from them.
KPI_SUMS: tuple[str, ...] = tuple(AD_METRICS)
KPI_RATIOS: tuple[str, ...] = ("roas", "cpa", "ctr", "ctr_all", "cpc", "cpm", "cvr", "aov", "hook_rate", "hold_rate")

# The row ledger: every input row ends in one place, so per file rows_in = kept + replaced + totals + quarantined.
LEDGER: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "kind": pl.String(),
    "table": pl.String(),
    "rows_in": pl.Int64(),
    "kept": pl.Int64(),
    "replaced": pl.Int64(),
    "totals": pl.Int64(),
    "quarantined": pl.Int64(),
    "columns_used": pl.String(),  # e.g. which purchase column became `purchases` (ads exports)
}

# Quarantine tables: the source values (as text) + these columns.
QUARANTINE_META: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "reason": pl.String(),
}

WARNINGS: dict[str, pl.DataType] = {"source_file": pl.String(), "check": pl.String(), "message": pl.String()}


# Internal ledger weight of a parsed row: how many input rows it stands for
# (same-named ads summed into one row; an order stands for its line items).
INPUT_ROWS = "_input_rows"


def empty(columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with the given canonical columns."""
    return pl.DataFrame(schema=columns)


def conform(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """The frame with exactly the canonical columns, in order; absent ones are null."""
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in columns.items()
    )
