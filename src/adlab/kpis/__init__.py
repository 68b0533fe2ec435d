"""KPIs: every formula written once, and the tables and figures built from it (sum first, divide last).

Used as `from adlab import kpis; kpis.rollup(...)`; this module is the public API, its parts are
    formulas   the KPI ratios (KPI_FRACTIONS, kpi_exprs, MER, cost per result, the log split, break-even ROAS)
    views      which ad rows count, so that nothing is counted twice (one level, breakdown, attribution)
    rollups    sums and KPIs at any grain: rollup, kpis_daily, kpis_weekly, breakdown roll-ups
    results    results per result type (leads, conversations, purchases, ...) and cost per result
    weeks      ISO week labels, bounds and complete weeks, the first and last of a date column
    periods    account, store and MER figures of a span of days or a reporting window
    windows    reporting-window exports (no `Day` column): kpis_period and its figures
    store      store orders and revenue, sessions, new vs returning customers
    cohorts    customers by first-order month: the LTV curve, new-customer CPA, payback month, LTV:CAC
    profit     each order's cost of goods, fees, shipping and gross profit; profit and new-customer figures per
               day, week and product (POAS, contribution after ads, ncROAS, new-customer CPA)
    summary    metrics/summary.json, of one account or a portfolio of accounts

A new KPI is one entry in `formulas.KPI_FRACTIONS` (numerator, denominator, scale of summed columns):
kpis_daily, kpis_weekly, kpis_period and every roll-up compute it from there. A new summed column
goes in `schema.AD_METRICS`; how a KPI is shown (label, format) goes in `adlab.display`.
"""

from __future__ import annotations

from adlab.kpis.cohorts import (
    AcquisitionCost,
    OrderHistory,
    acquisition_cost,
    cohort_matrix,
    cohort_overview,
    cohort_table,
    combine_accounts,
    customers_summary,
    daily_spend,
    ltv_curve,
    order_history,
    payback_month,
)
from adlab.kpis.formulas import (
    COHORT_FRACTIONS,
    KPI_FACTORS,
    KPI_FRACTIONS,
    PROFIT_DIFFERENCES,
    PROFIT_FRACTIONS,
    RESULT_FRACTIONS,
    breakeven_roas,
    cohort_exprs,
    kpi_exprs,
    log_split,
    profit_exprs,
    ratio,
    result_exprs,
)
from adlab.kpis.periods import (
    account_daily,
    period_figures,
    spend_by_platform,
    store_covers,
    store_spans,
    window_figures,
)
from adlab.kpis.profit import (
    ProfitSettings,
    first_order_date,
    first_order_day,
    line_costs,
    order_profit,
    orders_with_profit,
    product_profit,
    profit_daily,
    profit_figures,
    profit_rollup,
    profit_weekly,
)
from adlab.kpis.results import (
    compute_results_daily,
    is_purchase_type,
    result_unit,
    results_by_type,
    results_summary,
    rollup_results,
    typed_rows,
)
from adlab.kpis.rollups import (
    breakdown_rollup,
    compute_kpis_daily,
    compute_kpis_weekly,
    rollup,
    sum_metrics,
    sum_metrics_of,
)
from adlab.kpis.store import (
    counts_as_sale,
    customer_split,
    net_revenue,
    sessions_daily,
    store_daily,
    store_daily_from_sales,
    store_figures,
)
from adlab.kpis.summary import build_period_summary, build_summary, portfolio_summary
from adlab.kpis.views import LEVEL_RANK, breakdown_view, finest_level, totals_view
from adlab.kpis.weeks import add_week, complete_weeks, date_span, iso_week, latest_week, reporting_dates, week_bounds
from adlab.kpis.windows import (
    compute_kpis_period,
    report_windows,
    window_breakdown_rollup,
    window_breakdowns,
    window_kpis,
    window_left_out,
    window_results,
    window_results_summary,
    window_rows,
    window_view,
)

__all__ = [
    "COHORT_FRACTIONS",
    "KPI_FACTORS",
    "KPI_FRACTIONS",
    "LEVEL_RANK",
    "PROFIT_DIFFERENCES",
    "PROFIT_FRACTIONS",
    "RESULT_FRACTIONS",
    "AcquisitionCost",
    "OrderHistory",
    "ProfitSettings",
    "account_daily",
    "acquisition_cost",
    "add_week",
    "breakdown_rollup",
    "breakdown_view",
    "breakeven_roas",
    "build_period_summary",
    "build_summary",
    "cohort_exprs",
    "cohort_matrix",
    "cohort_overview",
    "cohort_table",
    "combine_accounts",
    "complete_weeks",
    "compute_kpis_daily",
    "compute_kpis_period",
    "compute_kpis_weekly",
    "compute_results_daily",
    "counts_as_sale",
    "customer_split",
    "customers_summary",
    "daily_spend",
    "date_span",
    "finest_level",
    "first_order_date",
    "first_order_day",
    "is_purchase_type",
    "iso_week",
    "kpi_exprs",
    "latest_week",
    "line_costs",
    "log_split",
    "ltv_curve",
    "net_revenue",
    "order_history",
    "order_profit",
    "orders_with_profit",
    "payback_month",
    "period_figures",
    "portfolio_summary",
    "product_profit",
    "profit_daily",
    "profit_exprs",
    "profit_figures",
    "profit_rollup",
    "profit_weekly",
    "ratio",
    "report_windows",
    "reporting_dates",
    "result_exprs",
    "result_unit",
    "results_by_type",
    "results_summary",
    "rollup",
    "rollup_results",
    "sessions_daily",
    "spend_by_platform",
    "store_covers",
    "store_daily",
    "store_daily_from_sales",
    "store_figures",
    "store_spans",
    "sum_metrics",
    "sum_metrics_of",
    "totals_view",
    "typed_rows",
    "week_bounds",
    "window_breakdown_rollup",
    "window_breakdowns",
    "window_figures",
    "window_kpis",
    "window_left_out",
    "window_results",
    "window_results_summary",
    "window_rows",
    "window_view",
]
