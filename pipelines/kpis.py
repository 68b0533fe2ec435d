"""Stage `kpis`: daily, weekly and reporting-window KPIs per (campaign, ad set, ad), daily results per
result type, customer cohorts, profit per day, week and product, and metrics/summary.json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import polars as pl

from adlab import accounts, cluster, io, partitions, stage
from adlab.display import MISSING, kpi_text, money_text
from adlab.kpis import (
    build_period_summary,
    build_summary,
    customers_summary,
    latest_week,
    order_history,
    portfolio_summary,
    reporting_dates,
    results_summary,
    sessions_daily,
    store_daily,
    store_daily_from_sales,
    totals_view,
    window_results_summary,
)
from adlab.kpis.by_account import SORT_KEYS, KpisSettings, account_kpis, ledger_by_account
from adlab.kpis.profit import ProfitSettings, first_order_date

STAGE = partitions.Stage("kpis", account_kpis, SORT_KEYS)


def main(
    interim: Annotated[Path, stage.path("folder of validated tables")],
    inputs: Annotated[Path, stage.path("inputs.json written by ingest")],
    out_dir: Annotated[Path, stage.path("folder for the KPI tables")],
    summary: Annotated[Path, stage.path("metrics JSON to write")],
    partitions_dir: Annotated[Path, stage.path("folder of the per-account partitions (kept between runs)")],
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    params = settings.kpis
    ad_insights = io.read_parquet(interim / "ad_insights.parquet")
    orders = io.read_parquet(interim / "orders.parquet")
    store_sales = io.read_parquet(interim / "store_sales.parquet")
    sessions = io.read_parquet(interim / "sessions.parquet")
    ledger = io.read_parquet(interim / "ledger.parquet")
    # What the orders sold and what it cost, for profit (kpis.profit).
    costs = {name: io.read_parquet(interim / f"{name}.parquet") for name in ("order_lines", "unit_costs")}
    data_source = io.read_json(inputs)["data_source"]
    sources = {"ad_insights": ad_insights, "orders": orders, "store_sales": store_sales, "sessions": sessions}
    # The orders export is the store's truth; Shopify Analytics sales stand in without one.
    store = (
        store_daily(orders) if orders.height else store_daily_from_sales(store_sales) if store_sales.height else None
    )
    # The week every account's summary reports: the one metrics/summary.json reports (build_summary's choice).
    ad_days = totals_view(ad_insights).select("date").collect()
    week = latest_week(reporting_dates(ad_days, store))[0]
    tables = partitions.run_by_account(
        STAGE,
        {**sources, **costs, "ledger": ledger_by_account(ledger, {**sources, "unit_costs": costs["unit_costs"]})},
        lambda account: KpisSettings(
            params.hold_rate_base, week, data_source, ProfitSettings.of(settings.for_account(account))
        ),
        partitions_dir,
        lambda accounts, rows: cluster.choose(accounts, rows, settings.cluster),
    )
    kpis_daily, kpis_weekly = tables["kpis_daily"], tables["kpis_weekly"]
    results_daily, kpis_period = tables["results_daily"], tables["kpis_period"]
    profit_daily = tables["profit_daily"]
    # The account currency; a store without ads takes its orders' (check_currencies made sure they agree).
    currency = next(
        (
            str(frame["currency"].drop_nulls().first())
            for frame in (ad_insights, orders)
            if frame["currency"].drop_nulls().len()
        ),
        None,
    )
    # Exports without days (one row per reporting window) report their latest window instead of a week.
    by_window = kpis_daily.is_empty() and not kpis_period.is_empty()
    metrics = (build_period_summary if by_window else build_summary)(
        kpis_period if by_window else kpis_daily,
        store,
        ledger,
        currency,
        data_source,
        sessions_daily(sessions),
        profit=profit_daily,
        first_order=first_order_date(orders),
    )
    # Results by type (leads, messaging conversations, ...), never one sum: what an account without purchases has.
    if by_window:
        # A window export has no daily results: the latest window's results by type (no previous window figures).
        window = (dt.date.fromisoformat(metrics["period"]["start"]), dt.date.fromisoformat(metrics["period"]["end"]))
        metrics["results"], metrics["previous"]["results"] = window_results_summary(ad_insights, *window), []
    else:
        metrics["results"] = results_summary(results_daily, metrics["week"])
        metrics["previous"]["results"] = results_summary(results_daily, metrics["previous"]["week"])
    owners = accounts.names(pl.concat(frame.select("account") for frame in (ad_insights, orders, store_sales)))
    if len(owners) > 1 and not by_window:  # each account's own summary (its currency), and the portfolio's
        per_account = {
            account: json.loads(text) for account, text in tables["summary"].select("account", "summary").iter_rows()
        }
        metrics = {**portfolio_summary(per_account), "rows": metrics["rows"]}  # the rows of every file
    # The customers of every account's cohorts together (each account's own are in its summary); the orders'
    # money only adds up within one currency.
    one_currency = orders["currency"].drop_nulls().n_unique() <= 1
    metrics["customers"] = customers_summary(tables["cohorts"], order_history(orders)) if one_currency else None
    io.write_parquet(kpis_daily, out_dir / "kpis_daily.parquet")
    io.write_parquet(kpis_weekly, out_dir / "kpis_weekly.parquet")
    io.write_parquet(results_daily, out_dir / "results_daily.parquet")
    io.write_parquet(kpis_period, out_dir / "kpis_period.parquet")
    io.write_parquet(tables["cohorts"], out_dir / "cohorts.parquet")
    for name in ("profit_daily", "profit_weekly", "profit_products"):
        io.write_parquet(tables[name], out_dir / f"{name}.parquet")
    io.write_json(metrics, summary)
    period = metrics["period"] if by_window else metrics["week"] or MISSING
    print(
        f"kpis: {kpis_daily.height} daily rows, {kpis_weekly.height} weekly rows, {kpis_period.height} "
        f"reporting-window rows; {'latest window' if by_window else 'latest complete week'} {period}: "
        f"spend {money_text(metrics['spend'], currency)}, ROAS {kpi_text('roas', metrics['roas'], currency)}, "
        f"store revenue {money_text(metrics['revenue'], None)}"
    )


if __name__ == "__main__":
    stage.run(main)
