"""The audit of a project's tables: what `adlab audit` and the report stage read (kpis_daily, the budgets of
ad_insights, the store's orders), narrowed to one account when asked, with each account's own targets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from adlab import accounts, io
from adlab.audit.entities import KEYS, SUMS
from adlab.audit.items import Audit, audit_day
from adlab.audit.settings import AuditSettings
from adlab.errors import AdlabError
from adlab.kpis import breakeven_roas
from adlab.params import Params, load_params
from adlab.schema import EXCLUDED_FINANCIAL_STATUSES

KPI_COLUMNS = [*KEYS, "date", *SUMS, "reach"]
ORDER_COLUMNS = ["account", "date", "cancelled", "financial_status"]
BUDGET_COLUMNS = [
    "date",
    "account",
    "platform_source",
    "campaign",
    "adset",
    "currency",
    "budget",
    "budget_type",
    "budget_level",
]


def account_targets(params: Params, names: list[str | None]) -> pl.DataFrame:
    """One row per account with its own `target_cpa`, `target_roas` and `breakeven_roas` (`Params.for_account`)."""
    rows = []
    for name in names:
        targets = params.for_account(name).targets
        rows.append(
            {
                "account": name,
                "target_cpa": targets.cpa,
                "target_roas": targets.roas,
                "breakeven_roas": breakeven_roas(targets.gross_margin),
            }
        )
    schema = {"account": pl.String, "target_cpa": pl.Float64, "target_roas": pl.Float64, "breakeven_roas": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def audit_project(
    root: Path, account: str | None = None, day: dt.date | None = None
) -> tuple[Audit, dict[str | None, str | None]]:
    """(the audit of `day`, default the last day of the data; each account's currency) from the project's tables.

    Raises:
        AdlabError: the pipeline has not run, the data has no days, no account is called `account`, or `day`
            is outside the data.
    """
    params = load_params(root / "params.yaml") if (root / "params.yaml").exists() else Params()
    kpis_path = root / "data" / "processed" / "kpis_daily.parquet"
    if not kpis_path.exists():
        raise AdlabError(f"{kpis_path} does not exist yet; run `adlab report` (or `make report`) first.")
    kpis_daily = io.read_parquet_columns(kpis_path, KPI_COLUMNS)
    if kpis_daily.is_empty():
        raise AdlabError("there is no daily ad data to audit; export by Day (Breakdown > By time > Day) and run again.")
    insights_path = root / "data" / "interim" / "ad_insights.parquet"
    budgets = io.read_parquet_columns(insights_path, BUDGET_COLUMNS) if insights_path.exists() else None
    orders_path = root / "data" / "interim" / "orders.parquet"
    orders = io.read_parquet_columns(orders_path, ORDER_COLUMNS) if orders_path.exists() else None
    own = params  # one account's audit judges with that account's own tactics
    if account is not None:
        from adlab.insights.portfolio import find_account  # the account names as `adlab ask --account` reads them

        owner = find_account(kpis_daily, account)
        own = params.for_account(owner)
        kpis_daily = accounts.rows_of(kpis_daily, owner)
        budgets = None if budgets is None else accounts.rows_of(budgets, owner)
        orders = None if orders is None else accounts.rows_of(orders, owner)
    store = _store_days(orders)
    currencies: dict[str | None, str | None] = {}
    if budgets is not None and "currency" in budgets.columns:
        firsts = budgets.group_by("account").agg(pl.col("currency").drop_nulls().first())
        currencies = dict(zip(firsts["account"].to_list(), firsts["currency"].to_list(), strict=True))
    settings = AuditSettings.from_params(own)
    targets = account_targets(params, kpis_daily["account"].unique().to_list())
    audit = audit_day(kpis_daily, settings, day, targets=targets, ad_insights=budgets, store_days=store)
    return audit, currencies


def _store_days(orders: pl.DataFrame | None) -> pl.DataFrame | None:
    """One row per (account, date) with the store's orders (neither cancelled nor voided, as `kpis.store_daily`
    counts them); None without an orders export."""
    if orders is None or orders.is_empty():
        return None
    return (
        orders.lazy()
        .filter(~pl.col("cancelled") & ~pl.col("financial_status").is_in(EXCLUDED_FINANCIAL_STATUSES))
        .group_by("account", "date")
        .agg(pl.len().cast(pl.Int64).alias("orders"))
        .collect()
    )
