"""KPI formulas, each written once: a ratio of summed columns, as a polars expression (sum first, divide last).

Fractions, not percents; a zero or null denominator gives null. Every table and roll-up takes its KPIs
from `kpi_exprs` (ad KPIs) or `result_exprs` (cost per result).
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
