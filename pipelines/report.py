"""Stage `report`: one HTML page per ISO week, re-rendering only the weeks whose inputs changed, then the index, the
customers page, the budget plan and the daily audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from adlab import cluster, stage
from adlab.report.build import ReportPaths, build_reports
from adlab.report.per_account import (
    build_account_reports,
    owners,
    several_currencies,
    write_accounts_audit_page,
    write_accounts_budget_page,
    write_accounts_customers_page,
    write_portfolio,
)

NONE = Path("")  # a stage the pipeline does not have


def main(
    kpis_daily: Annotated[Path, stage.path("kpis_daily.parquet from the kpis stage")],
    kpis_weekly: Annotated[Path, stage.path("kpis_weekly.parquet from the kpis stage")],
    orders: Annotated[Path, stage.path("orders.parquet (may be absent or empty)")],
    store_sales: Annotated[Path, stage.path("store_sales.parquet (Shopify Analytics sales; used without orders)")],
    sessions: Annotated[Path, stage.path("sessions.parquet (GA4 / Shopify sessions)")],
    ad_insights: Annotated[Path, stage.path("ad_insights.parquet (breakdowns, files)")],
    ledger: Annotated[Path, stage.path("ledger.parquet from the validate stage")],
    warnings: Annotated[Path, stage.path("warnings.parquet from the validate stage")],
    summary: Annotated[Path, stage.path("metrics/summary.json from the kpis stage")],
    daily_plot: Annotated[Path, stage.path("CSV of the account's daily KPI series, for `dvc plots show`")],
    results_daily: Annotated[Path, stage.path("results_daily.parquet (results per result type)")] = NONE,
    kpis_period: Annotated[Path, stage.path("kpis_period.parquet (exports without days: a page per window)")] = NONE,
    recommendations: Annotated[Path, stage.path("recommendations.csv from the recommend stage")] = NONE,
    creatives: Annotated[Path, stage.path("creatives.parquet from the creatives stage")] = NONE,
    cohorts: Annotated[Path, stage.path("cohorts.parquet from the kpis stage (customers.html)")] = NONE,
    profit_daily: Annotated[Path, stage.path("profit_daily.parquet from the kpis stage (profit per day)")] = NONE,
    profit_products: Annotated[Path, stage.path("profit_products.parquet from the kpis stage")] = NONE,
    notebook: Annotated[Path, stage.path("papermill template of the weekly page")] = Path(
        "notebooks/weekly_report.ipynb"
    ),
    out_dir: Annotated[Path, stage.path("folder for index.html and weekly/")] = Path("reports"),
    partitions_dir: Annotated[Path, stage.path("folder for each account's page inputs")] = Path(
        "data/partitions/report"
    ),
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    paths = ReportPaths(
        kpis_daily=kpis_daily,
        kpis_weekly=kpis_weekly,
        results_daily=results_daily,
        kpis_period=kpis_period,
        orders=orders,
        store_sales=store_sales,
        sessions=sessions,
        ad_insights=ad_insights,
        ledger=ledger,
        warnings=warnings,
        recommendations=recommendations,
        creatives=creatives,
        summary=summary,
        notebook=notebook,
        out_dir=out_dir,
        daily_plot=daily_plot,
        cohorts=cohorts,
        profit_daily=profit_daily,
        profit_products=profit_products,
    )
    names = owners(paths)
    mixed = len(names) > 1 and several_currencies(paths)
    if not mixed:  # pages of all the data: a single store's, or every account's money in one currency
        build_reports(paths, settings)
    if len(names) > 1:  # each account its own pages under reports/<account>/, and the portfolio
        # Pages of many accounts render on the Dask cluster (cluster settings), counted as 2,000 rows a page.
        folders = build_account_reports(
            paths,
            settings.for_account,
            names,
            partitions_dir,
            lambda accounts, pages: cluster.choose(accounts, pages * 2_000, settings.cluster),
        )
        write_portfolio(paths, settings.for_account, folders, mixed_currencies=mixed, weeks=settings.report.weeks)
        if mixed:  # no customers page of all the accounts: it leads to each account's own
            write_accounts_customers_page(paths, folders)
        write_accounts_budget_page(paths, folders)  # budgets move within an account
        write_accounts_audit_page(paths, settings.for_account, folders)  # each account audited on its own


if __name__ == "__main__":
    stage.run(main)
