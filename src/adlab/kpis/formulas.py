"""KPI formulas, each written once: a ratio of summed columns, as a polars expression (sum first, divide last).

Fractions, not percents; a zero or null denominator gives null. Every table and roll-up takes its KPIs
from `kpi_exprs` (ad KPIs), `result_exprs` (cost per result) or `profit_exprs` (gross profit after ads, POAS,
new-customer figures), and an order's profit from the per-order formulas below them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import polars as pl


def ratio(num: str, den: str, scale: float = 1.0) -> pl.Expr:
    """num / den of the summed columns (times scale); null where den is 0 or null."""
    return pl.when(pl.col(den) > 0).then(pl.col(num) * scale / pl.col(den))


# Every KPI as (numerator, denominator, scale) of summed columns; hold_rate's base is a setting.
KPI_FRACTIONS: dict[str, tuple[str, str, float]] = {
    "roas": ("purchase_value", "spend", 1.0),
    "cpa": ("spend", "purchases", 1.0),
    "ctr": ("link_clicks", "impressions", 1.0),
    "ctr_all": ("clicks", "impressions", 1.0),
    "cpc": ("spend", "link_clicks", 1.0),
    "cpm": ("spend", "impressions", 1000.0),
    "cvr": ("purchases", "link_clicks", 1.0),
    "aov": ("purchase_value", "purchases", 1.0),
    "hook_rate": ("video_3s_plays", "impressions", 1.0),
    "hold_rate": ("thruplays", "video_3s_plays", 1.0),
}

# The store's KPIs of a period's sums: MER (store revenue per ad spend) and store conversion rate.
STORE_FRACTIONS: dict[str, tuple[str, str, float]] = {
    "mer": ("revenue", "spend", 1.0),
    "store_cvr": ("orders", "sessions", 1.0),
}

# Customer cohorts (kpis.cohorts), of a cohort's sums through a month since first order: what a customer brought
# in, what a new customer cost (the cohort month's ad spend / its new customers), how many came back, and the
# gross profit per unit of acquisition spend (LTV:CAC = gross profit per customer / new-customer CPA).
COHORT_FRACTIONS: dict[str, tuple[str, str, float]] = {
    "revenue_per_customer": ("revenue", "customers", 1.0),
    "gross_profit_per_customer": ("gross_profit", "customers", 1.0),
    "new_customer_cpa": ("new_customer_spend", "customers", 1.0),
    "repeat_rate": ("repeat_customers", "customers", 1.0),
    "ltv_cac": ("gross_profit", "new_customer_spend", 1.0),
}

# ROAS = (1000 / cpm) x ctr x cvr x aov, CPA = (cpm / 1000) / (ctr x cvr), CPC = (cpm / 1000) / ctr exactly,
# so a change in their log is the sum of these powers times the log changes of the factors.
KPI_FACTORS: dict[str, dict[str, int]] = {
    "roas": {"cpm": -1, "ctr": 1, "cvr": 1, "aov": 1},
    "cpa": {"cpm": 1, "ctr": -1, "cvr": -1},
    "cpc": {"cpm": 1, "ctr": -1},
}


def kpi_exprs(hold_rate_base: str = "video_3s_plays") -> list[pl.Expr]:
    """The KPI ratios of KPI_FRACTIONS, each named for what it is."""
    fractions = {**KPI_FRACTIONS, "hold_rate": ("thruplays", hold_rate_base, 1.0)}
    return [ratio(num, den, scale).alias(name) for name, (num, den, scale) in fractions.items()]


def log_split(
    before: Mapping[str, float | int | None], after: Mapping[str, float | int | None], kpi: str = "roas"
) -> dict[str, float | None]:
    """The change in log(kpi) from `before` to `after` split into its factors' terms (KPI_FACTORS).

    `before` and `after` map KPI names to values (rows of a roll-up). The terms
    add up exactly to log(after / before) of the KPI; a factor that is null or 0
    in either period gives a null term. A KPI without factors is its own term.
    """
    powers = KPI_FACTORS.get(kpi, {kpi: 1})
    terms: dict[str, float | None] = {}
    for factor, power in powers.items():
        old, new = before.get(factor), after.get(factor)
        terms[factor] = power * math.log(new / old) if old and new else None
    return terms


# Cost per result is spend / results of the rows of one result type (results never add up across types).
RESULT_FRACTIONS: dict[str, tuple[str, str, float]] = {"cost_per_result": ("spend", "results", 1.0)}


def result_exprs() -> list[pl.Expr]:
    """The per-result-type ratios (cost per result), each named for what it is."""
    return [ratio(num, den, scale).alias(name) for name, (num, den, scale) in RESULT_FRACTIONS.items()]


def cohort_exprs() -> list[pl.Expr]:
    """The per-customer ratios of COHORT_FRACTIONS, each named for what it is."""
    return [ratio(num, den, scale).alias(name) for name, (num, den, scale) in COHORT_FRACTIONS.items()]


def breakeven_roas(gross_margin: float) -> float:
    """The ROAS at which ads pay for the goods they sell: 1 / gross margin (the margin is a setting)."""
    return 1.0 / gross_margin


# ---------------------------------------------------------------------------------------------------- profit
# Per order (kpis.profit.order_profit): a refund gives back its share of the order, so revenue, tax and cost of
# goods shrink by refunded / total (a full refund returns every unit; Shopify exports no returned quantity per
# line); payment fees are charged on the total and are not given back.


def refund_share() -> pl.Expr:
    """refunded / total of an order, in [0, 1]; a total of 0 counts as fully refunded when its status says so."""
    status_refunded = (pl.col("financial_status") == "refunded").fill_null(False).cast(pl.Float64)
    share = (pl.col("refunded").fill_null(0.0) / pl.col("total")).clip(0.0, 1.0)
    return pl.when(pl.col("total") > 0).then(share).otherwise(status_refunded)


def net_revenue() -> pl.Expr:
    """Store revenue (total - refunded) without the sales tax it holds: (total - taxes) x (1 - refund share)."""
    return (pl.col("total") - pl.col("taxes").fill_null(0.0)) * (1.0 - pl.col("refund_share"))


def payment_fees(rate: float, fixed: float) -> pl.Expr:
    """rate x total + fixed, for an order that was paid (total > 0); refunds do not give fees back."""
    return pl.when(pl.col("total") > 0).then(pl.col("total") * rate + fixed).otherwise(0.0)


def gross_profit() -> pl.Expr:
    """net revenue - cost of goods - payment fees - shipping cost."""
    return pl.col("net_revenue") - pl.col("cogs") - pl.col("fees") - pl.col("shipping_cost")


# Profit KPIs of summed columns (any grain: day, week, account, portfolio), as (numerator, denominator, scale).
# Break-even ROAS at the actual margin is revenue / gross profit (1 / actual margin): MER at or above it means
# the ads' days made money after ad spend, since contribution = gross profit - spend >= 0 exactly then.
PROFIT_FRACTIONS: dict[str, tuple[str, str, float]] = {
    "poas": ("gross_profit", "spend", 1.0),
    "breakeven_roas_actual": ("revenue", "gross_profit", 1.0),
    "gross_margin_actual": ("gross_profit", "revenue", 1.0),
    "ncroas": ("new_customer_revenue", "spend", 1.0),
    "new_customer_cpa": ("spend", "new_customers", 1.0),
    "cost_fallback_share": ("margin_fallback_sales", "product_sales", 1.0),
}
# Differences of summed columns: contribution after ads = gross profit - ad spend (unknown when either is).
PROFIT_DIFFERENCES: dict[str, tuple[str, str]] = {"contribution_after_ads": ("gross_profit", "spend")}


def difference(first: str, second: str) -> pl.Expr:
    """first - second of the summed columns; null where either is null."""
    return pl.col(first) - pl.col(second)


def profit_exprs() -> list[pl.Expr]:
    """The profit KPIs of PROFIT_DIFFERENCES and PROFIT_FRACTIONS, each named for what it is."""
    return [
        *(difference(first, second).alias(name) for name, (first, second) in PROFIT_DIFFERENCES.items()),
        *(ratio(num, den, scale).alias(name) for name, (num, den, scale) in PROFIT_FRACTIONS.items()),
    ]
