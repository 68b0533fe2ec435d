"""Profit: each order's cost of goods, fees, shipping and gross profit, and the profit and new-customer figures
per day, week and product (gross profit, contribution after ads, POAS, break-even ROAS at the actual margin,
new-customer revenue, CPA and ncROAS).

Costs. A line item takes its unit cost by SKU, else by product and variant title (`Lineitem name` is
`<Title> - <variant>`, compared case- and space-insensitively); a costs CSV wins over a products export. A line
without one is costed at targets.gross_margin: quantity x unit price x (1 - margin). Only orders that count make
figures (neither cancelled nor voided); the per-order formulas (refunds, fees) are in `formulas`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import polars.selectors as cs

from adlab.kpis.formulas import (
    PROFIT_DIFFERENCES,
    PROFIT_FRACTIONS,
    gross_profit,
    net_revenue,
    payment_fees,
    profit_exprs,
    ratio,
    refund_share,
)
from adlab.kpis.rollups import SUM_DECIMALS, sum_metrics_of
from adlab.kpis.weeks import add_week
from adlab.params import Params
from adlab.schema import EXCLUDED_FINANCIAL_STATUSES

# Where a line's unit cost came from; `margin` is the targets.gross_margin fallback.
COST_SOURCES = ("sku", "name", "margin")
# A costs CSV is the owner's own list: it wins over the products export's `Cost per item`.
SOURCE_RANK = {"costs_csv": 0, "shopify_products": 1}

# The additive figures of profit_daily / profit_weekly; their KPIs come from formulas.profit_exprs.
PROFIT_SUMS = (
    "orders",
    "revenue",
    "net_revenue",
    "cogs",
    "fees",
    "shipping_cost",
    "gross_profit",
    "product_sales",
    "margin_fallback_sales",
    "new_customers",
    "new_customer_revenue",
    "spend",
)
PROFIT_KPIS = (*PROFIT_DIFFERENCES, *PROFIT_FRACTIONS)
COUNTS = ("orders", "new_customers")
# The sums of order_profit's columns (the others: counts, new-customer revenue and spend).
ORDER_SUMS = tuple(name for name in PROFIT_SUMS if name not in (*COUNTS, "new_customer_revenue", "spend"))


@dataclass(frozen=True)
class ProfitSettings:
    """What profit is computed with: the gross margin for lines without a unit cost, payment fees (a share of the
    order total plus a fixed amount per paid order) and the shipping cost per order (an export's column wins)."""

    gross_margin: float
    payment_fee_rate: float = 0.0
    payment_fee_fixed: float = 0.0
    shipping_cost_per_order: float = 0.0

    @classmethod
    def of(cls, params: Params) -> ProfitSettings:
        """The settings of params.yaml (`targets.gross_margin` and `profit`), e.g. of Params.for_account."""
        return cls(
            params.targets.gross_margin,
            params.profit.payment_fee_rate,
            params.profit.payment_fee_fixed,
            params.profit.shipping_cost_per_order,
        )


def _key(text: pl.Expr) -> pl.Expr:
    """Text compared case- and space-insensitively."""
    return text.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def _line_name(product: str, variant: str) -> pl.Expr:
    """`<product> - <variant>` as Shopify names a line item; the product alone for a product without variants."""
    return pl.when(pl.col(variant).is_not_null()).then(pl.concat_str(pl.col(product), pl.lit(" - "), pl.col(variant)))


def _cost_lookup(unit_costs: pl.DataFrame, key: pl.Expr, prefix: str) -> pl.DataFrame:
    """One unit-cost row per (account, key): a known cost before an unknown one, a costs CSV before a products
    export, then by product and variant (deterministic)."""
    rank = pl.col("source").replace_strict(SOURCE_RANK, default=len(SOURCE_RANK), return_dtype=pl.Int64)
    return (
        unit_costs.select("account", key.alias("_key"), "product", "variant", "unit_cost", rank.alias("_rank"))
        .drop_nulls("_key")
        .sort("account", "_key", pl.col("unit_cost").is_null(), "_rank", "product", "variant", nulls_last=True)
        .unique(["account", "_key"], keep="first", maintain_order=True)
        .select("account", "_key", *(pl.col(c).alias(f"{prefix}{c}") for c in ("product", "variant", "unit_cost")))
    )


def line_costs(order_lines: pl.DataFrame, unit_costs: pl.DataFrame, gross_margin: float) -> pl.DataFrame:
    """One row per order line (its columns) with `product_title`, `variant_title`, `unit_cost`, `cost_source`
    (sku | name | margin), `line_sales` (quantity x unit price, before discounts and refunds) and `line_cogs`.

    `product_title` is the products export's title where the line matched one (by SKU or name), else the line
    item name as written. A line without a unit price (an export without `Lineitem price`) has null line sales;
    order_profit costs it from its order's subtotal.
    """
    name = pl.coalesce(_line_name("product", "variant"), pl.col("product"))
    by_sku = _cost_lookup(unit_costs, _key(pl.col("sku")), "sku_")
    by_name = _cost_lookup(unit_costs, _key(name), "name_")
    matched = (
        order_lines.with_columns(_key(pl.col("sku")).alias("_sku"), _key(name).alias("_name"))
        .join(by_sku, left_on=["account", "_sku"], right_on=["account", "_key"], how="left", nulls_equal=True)
        .join(by_name, left_on=["account", "_name"], right_on=["account", "_key"], how="left", nulls_equal=True)
    )
    cost = pl.coalesce("sku_unit_cost", "name_unit_cost")
    source = (
        pl.when(pl.col("sku_unit_cost").is_not_null())
        .then(pl.lit("sku"))
        .when(pl.col("name_unit_cost").is_not_null())
        .then(pl.lit("name"))
        .otherwise(pl.lit("margin"))
    )
    sales = (pl.col("quantity") * pl.col("unit_price")).alias("line_sales")
    return (
        matched.with_columns(
            pl.coalesce("sku_product", "name_product", "product").alias("product_title"),
            pl.coalesce("sku_variant", "name_variant", "variant").alias("variant_title"),
            cost.alias("unit_cost"),
            source.alias("cost_source"),
            sales,
        )
        .with_columns(
            pl.when(pl.col("unit_cost").is_not_null())
            .then(pl.col("quantity") * pl.col("unit_cost"))
            .otherwise(pl.col("line_sales") * (1.0 - gross_margin))
            .alias("line_cogs")
        )
        .select(
            *order_lines.columns,
            "product_title",
            "variant_title",
            "unit_cost",
            "cost_source",
            "line_sales",
            "line_cogs",
        )
    )


def counted(orders: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The orders that count as sales: neither cancelled nor voided (DESIGN's store rule)."""
    return orders.lazy().filter(~pl.col("cancelled") & ~pl.col("financial_status").is_in(EXCLUDED_FINANCIAL_STATUSES))


def order_profit(
    orders: pl.DataFrame, order_lines: pl.DataFrame, unit_costs: pl.DataFrame, settings: ProfitSettings
) -> pl.DataFrame:
    """orders_with_profit of the orders, their lines costed by line_costs (see there)."""
    return orders_with_profit(orders, line_costs(order_lines, unit_costs, settings.gross_margin), settings)


def orders_with_profit(orders: pl.DataFrame, costed_lines: pl.DataFrame, settings: ProfitSettings) -> pl.DataFrame:
    """One row per order that counts (neither cancelled nor voided): its `orders` columns and `refund_share`,
    `revenue` (total - refunded), `net_revenue` (revenue without its tax), `product_sales` (quantity x unit
    price of its lines), `margin_fallback_sales` (those of its lines without a unit cost), `cogs`, `fees`,
    `shipping_cost` and `gross_profit` (net revenue - cogs - fees - shipping cost).

    Cost of goods is its lines' (line_costs) times (1 - refund share): a fully refunded order returns all its
    units, a partial refund the refunded share of them. A line without a unit price is priced at its order's
    subtotal per unit; an order without lines is costed at the margin on its subtotal. Shipping cost is the
    export's shipping cost column where it has one for the order, else `settings.shipping_cost_per_order`.
    """
    by_order = costed_lines.group_by("account", "order_id").agg(
        pl.col("line_sales").sum().alias("_sales"),
        pl.col("line_sales").filter(pl.col("cost_source") == "margin").sum().alias("_fallback_sales"),
        pl.col("line_cogs").sum().alias("_cogs"),
        # Lines without a price: their units and the cost of those with a unit cost.
        pl.col("quantity").filter(pl.col("unit_price").is_null()).sum().alias("_unpriced_units"),
        pl.col("quantity")
        .filter(pl.col("unit_price").is_null() & pl.col("unit_cost").is_null())
        .sum()
        .alias("_unpriced_uncosted"),
        pl.col("order_shipping_cost").sum().alias("_shipping_cost"),
        pl.col("order_shipping_cost").is_not_null().any().alias("_has_shipping_cost"),
        pl.len().alias("_lines"),
    )
    per_unit = pl.when(pl.col("units") > 0).then(pl.col("subtotal") / pl.col("units")).otherwise(0.0)
    lined = pl.col("_lines").fill_null(0) > 0
    unpriced_sales = pl.col("_unpriced_units").fill_null(0) * per_unit
    product_sales = pl.when(lined).then(pl.col("_sales").fill_null(0.0) + unpriced_sales).otherwise(pl.col("subtotal"))
    fallback_sales = (
        pl.when(lined)
        .then(pl.col("_fallback_sales").fill_null(0.0) + pl.col("_unpriced_uncosted").fill_null(0) * per_unit)
        .otherwise(pl.col("subtotal"))
    )
    margin_cost = 1.0 - settings.gross_margin
    cogs_sold = pl.when(lined).then(pl.col("_cogs").fill_null(0.0)).otherwise(0.0) + (
        pl.when(lined).then(pl.col("_unpriced_uncosted").fill_null(0) * per_unit).otherwise(pl.col("subtotal"))
        * margin_cost
    )
    shipping = (
        pl.when(pl.col("_has_shipping_cost").fill_null(False))
        .then(pl.col("_shipping_cost"))
        .otherwise(pl.lit(settings.shipping_cost_per_order))
    )
    return (
        counted(orders)
        .join(by_order.lazy(), on=["account", "order_id"], how="left", nulls_equal=True)
        .with_columns(refund_share().alias("refund_share"))
        .with_columns(
            (pl.col("total") - pl.col("refunded").fill_null(0.0)).alias("revenue"),
            net_revenue().alias("net_revenue"),
            product_sales.alias("product_sales"),
            fallback_sales.alias("margin_fallback_sales"),
            (cogs_sold * (1.0 - pl.col("refund_share"))).alias("cogs"),
            payment_fees(settings.payment_fee_rate, settings.payment_fee_fixed).alias("fees"),
            shipping.alias("shipping_cost"),
        )
        .with_columns(gross_profit().alias("gross_profit"))
        .drop(cs.starts_with("_"))
        .sort("account", "order_id", nulls_last=True)
        .collect()
    )


def product_profit(order_profits: pl.DataFrame, costed_lines: pl.DataFrame) -> pl.DataFrame:
    """One row per (account, week, product) of the orders of `order_profits` (orders_with_profit, the orders that
    count) from their `costed_lines` (line_costs): `units` sold (refunded or not), `product_revenue` (quantity x
    unit price - line discount, times 1 - the order's refund share), `product_cogs` (likewise),
    `product_gross_profit` (revenue - cost of goods, before order-level discounts, fees and shipping),
    `product_margin`, and the share of its sales costed at the gross-margin setting (`cost_fallback_share`)."""
    kept = 1.0 - pl.col("refund_share")
    return (
        add_week(
            costed_lines.lazy().join(
                order_profits.lazy().select("account", "order_id", "refund_share"),
                on=["account", "order_id"],
                how="inner",
                nulls_equal=True,
            )
        )
        .group_by("account", "week", pl.col("product_title").alias("product"))
        .agg(
            pl.col("quantity").sum().alias("units"),
            ((pl.col("line_sales") - pl.col("line_discount").fill_null(0.0)) * kept).sum().alias("product_revenue"),
            (pl.col("line_cogs") * kept).sum().alias("product_cogs"),
            pl.col("line_sales").sum().alias("product_sales"),
            pl.col("line_sales").filter(pl.col("cost_source") == "margin").sum().alias("margin_fallback_sales"),
        )
        # Sums rounded before anything is divided: parallel float sums differ in their last bits from run to run.
        .with_columns(pl.col(pl.Float64).round(SUM_DECIMALS))
        .with_columns((pl.col("product_revenue") - pl.col("product_cogs")).alias("product_gross_profit"))
        .with_columns(
            ratio("product_gross_profit", "product_revenue").alias("product_margin"),
            ratio("margin_fallback_sales", "product_sales").alias("cost_fallback_share"),
        )
        .sort("week", "account", "product", nulls_last=True)
        .collect()
    )


def profit_daily(order_profits: pl.DataFrame, kpis_daily: pl.DataFrame, account: str | None = None) -> pl.DataFrame:
    """One row per day of the store or ad data: the sums of PROFIT_SUMS (order_profit's orders by order date, the
    day's ad spend, new customers: the orders of first-time customers) and the profit KPIs of those sums.

    Store figures are unknown (null) on ad days outside the orders export's dates, and 0 on a day inside them
    without an order; spend is 0 on a store day inside the ad exports' dates without an ad row, and unknown
    outside them or with no ad export. Without orders there are no rows (no profit data is not zero profit).
    """
    if order_profits.is_empty():
        return _empty_daily()
    store = (
        order_profits.lazy()
        .group_by("date")
        .agg(
            pl.len().alias("orders"),
            *(pl.col(name).sum() for name in ORDER_SUMS),
            pl.col("is_new_customer").sum().cast(pl.Int64).alias("new_customers"),
            pl.col("revenue").filter(pl.col("is_new_customer")).sum().alias("new_customer_revenue"),
        )
        .collect()
    )
    spend = kpis_daily.lazy().group_by("date").agg(sum_metrics_of(["spend"])).collect()
    first, last = store["date"].min(), store["date"].max()
    ad_first, ad_last = (spend["date"].min(), spend["date"].max()) if spend.height else (None, None)
    in_store = pl.col("date").is_between(first, last)
    in_ads = pl.col("date").is_between(ad_first, ad_last) if ad_first is not None else pl.lit(False)
    store_sums = [name for name in PROFIT_SUMS if name != "spend"]
    return (
        store.join(spend, on="date", how="full", coalesce=True)
        .lazy()
        .with_columns(
            *(pl.when(in_store).then(pl.col(name).fill_null(0)).alias(name) for name in store_sums),
            pl.when(in_ads).then(pl.col("spend").fill_null(0.0)).alias("spend"),
        )
        .with_columns(pl.col(name).cast(pl.Int64) for name in COUNTS)
        .with_columns(pl.col(pl.Float64).round(SUM_DECIMALS))
        .with_columns(profit_exprs())
        .select(pl.lit(account, pl.String).alias("account"), "date", *PROFIT_SUMS, *PROFIT_KPIS)
        .sort("date")
        .collect()
    )


def _empty_daily() -> pl.DataFrame:
    schema = {"account": pl.String, "date": pl.Date}
    schema |= {name: (pl.Int64 if name in COUNTS else pl.Float64) for name in (*PROFIT_SUMS, *PROFIT_KPIS)}
    return pl.DataFrame(schema=schema)


def profit_rollup(daily: pl.DataFrame | pl.LazyFrame, by: list[str]) -> pl.DataFrame:
    """One row per value of `by` over profit_daily rows: PROFIT_SUMS summed (null where every day's is), then
    the profit KPIs of those sums."""
    return (
        daily.lazy()
        .group_by(by, maintain_order=True)
        .agg(sum_metrics_of(PROFIT_SUMS))
        .with_columns(pl.col(pl.Float64).round(SUM_DECIMALS))
        .with_columns(profit_exprs())
        .sort(by, nulls_last=True)
        .collect()
    )


def profit_weekly(daily: pl.DataFrame) -> pl.DataFrame:
    """One row per (account, ISO week) of profit_daily: its sums and the profit KPIs of those sums."""
    weeks = add_week(daily).collect()
    return profit_rollup(weeks, ["account", "week"]).select("account", "week", *PROFIT_SUMS, *PROFIT_KPIS)


def profit_figures(
    daily: pl.DataFrame | None, start: dt.date, end: dt.date, spend: float | None = None
) -> dict[str, float | int | None]:
    """The profit sums and KPIs of the days start..end (inclusive), every account of `daily` together; every
    figure None when no store day of `daily` falls in them.

    `spend`: the period's ad spend as the page or summary has it (kpis.period_figures), so POAS and the
    contribution divide by the same spend as ROAS and MER; without it, profit_daily's own.
    """
    keys = (*PROFIT_SUMS, *PROFIT_KPIS)
    if daily is None:
        return dict.fromkeys(keys)
    days = daily.filter(pl.col("date").is_between(start, end))
    if days.is_empty() or days["orders"].null_count() == days.height:
        return dict.fromkeys(keys)
    totals = profit_rollup(days.with_columns(pl.lit(1).alias("_all")), ["_all"])
    if spend is not None:
        totals = totals.with_columns(pl.lit(spend, pl.Float64).alias("spend")).with_columns(profit_exprs())
    return {key: totals[key][0] for key in keys}


def first_order_date(orders: pl.DataFrame) -> dt.date | None:
    """How far back the orders go: new vs returning customers are judged from this day on."""
    first = orders["date"].min() if orders.height else None
    return first if isinstance(first, dt.date) else None


def first_order_day(daily: pl.DataFrame) -> dt.date | None:
    """The first day with an order in profit_daily: how far back new vs returning customers are judged."""
    days = daily.filter(pl.col("orders") > 0)["date"]
    first = days.min() if days.len() else None
    return first if isinstance(first, dt.date) else None
