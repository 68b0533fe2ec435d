"""Stage `kpis`: daily, weekly and reporting-window KPIs per (campaign, ad set, ad), daily results per
result type, and metrics/summary.json."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import polars as pl

from adlab import accounts, cluster, io, partitions, stage
from adlab.data_warnings import account_currencies
from adlab.display import MISSING, kpi_text, money_text
from adlab.kpis import (
    build_period_summary,
    build_summary,
    portfolio_summary,
    results_summary,
    sessions_daily,
    store_daily,
    store_daily_from_sales,
    window_results_summary,
)
from adlab.kpis.by_account import SORT_KEYS, account_kpis

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
    tables = partitions.run_by_account(
        STAGE,
        {"ad_insights": ad_insights},
        lambda account: params.hold_rate_base,
        partitions_dir,
        lambda accounts, rows: cluster.choose(accounts, rows, settings.cluster),
    )
    kpis_daily, kpis_weekly = tables["kpis_daily"], tables["kpis_weekly"]
    results_daily, kpis_period = tables["results_daily"], tables["kpis_period"]
    store_sales = io.read_parquet(interim / "store_sales.parquet")
    # The orders export is the store's truth; Shopify Analytics sales stand in without one.
    store = (
        store_daily(orders) if orders.height else store_daily_from_sales(store_sales) if store_sales.height else None
    )
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
        io.read_parquet(interim / "ledger.parquet"),
        currency,
        io.read_json(inputs)["data_source"],
        sessions_daily(io.read_parquet(interim / "sessions.parquet")),
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
    if len(owners) > 1 and not by_window:
        interim_tables = {"ad_insights": ad_insights, "orders": orders, "store_sales": store_sales}
        metrics = accounts_summary(metrics, interim_tables, kpis_daily, results_daily, interim, owners)
    io.write_parquet(kpis_daily, out_dir / "kpis_daily.parquet")
    io.write_parquet(kpis_weekly, out_dir / "kpis_weekly.parquet")
    io.write_parquet(results_daily, out_dir / "results_daily.parquet")
    io.write_parquet(kpis_period, out_dir / "kpis_period.parquet")
    io.write_json(metrics, summary)
    period = metrics["period"] if by_window else metrics["week"] or MISSING
    print(
        f"kpis: {kpis_daily.height} daily rows, {kpis_weekly.height} weekly rows, {kpis_period.height} "
        f"reporting-window rows; {'latest window' if by_window else 'latest complete week'} {period}: "
        f"spend {money_text(metrics['spend'], currency)}, ROAS {kpi_text('roas', metrics['roas'], currency)}, "
        f"store revenue {money_text(metrics['revenue'], None)}"
    )


def accounts_summary(
    metrics: dict[str, Any],
    tables: dict[str, pl.DataFrame],
    kpis_daily: pl.DataFrame,
    results_daily: pl.DataFrame,
    interim: Path,
    owners: list[str | None],
) -> dict[str, Any]:
    """Several accounts: each one's summary for the week `metrics` reports, and the portfolio's figures from
    them (no money summed across currencies); the row ledger stays the one of every file."""
    currencies = account_currencies(tables)
    ledger = io.read_parquet(interim / "ledger.parquet")
    sessions = io.read_parquet(interim / "sessions.parquet")
    per_account = {}
    for account in owners:
        own = {name: accounts.rows_of(frame, account) for name, frame in tables.items()}
        orders, sales = own["orders"], own["store_sales"]
        store = store_daily(orders) if orders.height else store_daily_from_sales(sales) if sales.height else None
        files = {file for frame in own.values() for file in frame["source_file"].drop_nulls().unique().to_list()}
        summary = build_summary(
            accounts.rows_of(kpis_daily, account),
            store,
            ledger.filter(pl.col("source_file").is_in(sorted(files))),
            currencies.get(account),
            metrics["data_source"],
            sessions_daily(accounts.rows_of(sessions, account)),
            week=metrics["week"],
        )
        own_results = accounts.rows_of(results_daily, account)
        summary["results"] = results_summary(own_results, summary["week"])
        summary["previous"]["results"] = results_summary(own_results, summary["previous"]["week"])
        per_account[account] = summary
    portfolio = portfolio_summary(per_account)
    portfolio["rows"] = metrics["rows"]  # every file's rows, also those of files no account kept a row of
    return portfolio


if __name__ == "__main__":
    stage.run(main)
