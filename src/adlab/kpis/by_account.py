"""The kpis stage's work for one account (what a Dask worker runs): its ad rows -> its KPI tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from adlab.data_warnings import account_currencies
from adlab.kpis.cohorts import cohort_table, customers_summary, daily_spend, order_history
from adlab.kpis.profit import (
    ProfitSettings,
    first_order_date,
    line_costs,
    orders_with_profit,
    product_profit,
    profit_daily,
    profit_weekly,
)
from adlab.kpis.results import RESULTS_KEY, compute_results_daily, results_summary
from adlab.kpis.rollups import compute_kpis_daily, compute_kpis_weekly
from adlab.kpis.store import sessions_daily, store_daily, store_daily_from_sales
from adlab.kpis.summary import build_summary
from adlab.kpis.windows import WINDOW_KEYS, compute_kpis_period
from adlab.schema import COHORTS_KEY, ENTITY

# Each KPI table's key: the combined rows of all accounts are sorted by it (one row per key).
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "kpis_daily": ("date", "platform_source", *ENTITY),
    "kpis_weekly": ("week", "platform_source", *ENTITY),
    "results_daily": ("date", "platform_source", *ENTITY, RESULTS_KEY),
    "kpis_period": (*WINDOW_KEYS, "platform_source", *ENTITY),
    "cohorts": COHORTS_KEY,
    "profit_daily": ("date", "account"),
    "profit_weekly": ("week", "account"),
    "profit_products": ("week", "account", "product"),
    "summary": (),
}


@dataclass(frozen=True)
class KpisSettings:
    """What the kpis stage computes an account with: the hold-rate base, for its summary the week the
    portfolio reports (None: no dated data) and where the data came from (raw or sample), and its profit
    settings (gross margin, payment fees, shipping cost), which also give its customer cohorts' gross profit."""

    hold_rate_base: str
    week: str | None
    data_source: str
    profit: ProfitSettings


def account_kpis(account: str | None, inputs: dict[str, pl.DataFrame], settings: Any) -> dict[str, pl.DataFrame]:
    """kpis_daily, kpis_weekly, results_daily and kpis_period of one account's `ad_insights` rows; profit_daily,
    profit_weekly and profit_products of its orders, order lines and unit costs (kpis.profit); its customer
    cohorts (kpis.cohort_table of those orders' gross profit and its ad spend); and its metrics/summary.json
    figures for `settings.week` (JSON in the one row of `summary`).

    `inputs`: the account's rows of ad_insights, orders, order_lines, unit_costs, store_sales, sessions and of the
    ledger (the files its rows came from).
    """
    ad_insights, base = inputs["ad_insights"], settings.hold_rate_base
    daily = compute_kpis_daily(ad_insights, base)
    results = compute_results_daily(ad_insights)
    orders, sales = inputs["orders"], inputs["store_sales"]
    store = store_daily(orders) if orders.height else store_daily_from_sales(sales) if sales.height else None
    money = {"ad_insights": ad_insights, "orders": orders, "store_sales": sales}
    costed = line_costs(inputs["order_lines"], inputs["unit_costs"], settings.profit.gross_margin)
    profits = orders_with_profit(orders, costed, settings.profit)
    by_day = profit_daily(profits, daily, account)
    summary = build_summary(
        daily,
        store,
        inputs["ledger"].drop("account"),
        account_currencies(money).get(account),
        settings.data_source,
        sessions_daily(inputs["sessions"]),
        week=settings.week,
        profit=by_day,
        first_order=first_order_date(orders),
    )
    summary["results"] = results_summary(results, summary["week"])
    summary["previous"]["results"] = results_summary(results, summary["previous"]["week"])
    # Cohorts over the orders that count, with their gross profit; the history runs to the last order of any kind.
    through = orders["date"].max() if orders.height else None
    cohorts = cohort_table(
        profits,
        daily_spend(daily),
        gross_margin=settings.profit.gross_margin,
        through=through,  # type: ignore[arg-type]
    )
    summary["customers"] = customers_summary(cohorts, order_history(orders))
    return {
        "kpis_daily": daily,
        "kpis_weekly": compute_kpis_weekly(daily, base),
        "results_daily": results,
        "kpis_period": compute_kpis_period(ad_insights, base),
        "cohorts": cohorts,
        "profit_daily": by_day,
        "profit_weekly": profit_weekly(by_day),
        "profit_products": product_profit(profits, costed),
        "summary": pl.DataFrame(
            {"account": [account], "summary": [json.dumps(summary)]},
            schema={"account": pl.String, "summary": pl.String},
        ),
    }


def ledger_by_account(ledger: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The ledger with each file's account (a file with rows of several accounts once per account), so that
    it splits by account like the tables."""
    owners = pl.concat([frame.select("account", "source_file") for frame in tables.values()]).unique(
        maintain_order=True
    )
    return owners.join(ledger, on="source_file", how="inner", maintain_order="right").select("account", *ledger.columns)
