"""The audit of a project's tables: what `adlab audit` and the report stage read (kpis_daily, the budgets of
ad_insights, the store's orders), narrowed to one account when asked, with each account's own targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
    interim = root / "data" / "interim"
    return audit_files(
        kpis_path, interim / "ad_insights.parquet", interim / "orders.parquet", params, account=account, day=day
    )


@dataclass(frozen=True)
class AuditTables:
    """What the audit reads of the stages' tables: kpis_daily, the budgets of ad_insights, the store's orders."""

    kpis_daily: pl.DataFrame
    budgets: pl.DataFrame | None
    orders: pl.DataFrame | None

    @classmethod
    def read(cls, kpis_daily: Path, ad_insights: Path, orders: Path) -> AuditTables:
        """The tables at these paths (an empty or absent ad_insights or orders path: none)."""
        return cls(
            io.read_parquet_columns(kpis_daily, KPI_COLUMNS),
            io.read_parquet_columns(ad_insights, BUDGET_COLUMNS) if _present(ad_insights) else None,
            io.read_parquet_columns(orders, ORDER_COLUMNS) if _present(orders) else None,
        )

    def of_account(self, account: str | None) -> AuditTables:
        """One account's rows of each table (None: the default account)."""
        return AuditTables(
            accounts.rows_of(self.kpis_daily, account),
            None if self.budgets is None else accounts.rows_of(self.budgets, account),
            None if self.orders is None else accounts.rows_of(self.orders, account),
        )


def audit_files(
    kpis_daily_path: Path,
    ad_insights_path: Path,
    orders_path: Path,
    params: Params,
    *,
    account: str | None = None,
    day: dt.date | None = None,
) -> tuple[Audit, dict[str | None, str | None]]:
    """(the audit of `day`, default the last day; each account's currency) from the stages' tables: kpis_daily,
    the budgets of ad_insights and the store's orders (an empty or absent path: none), narrowed to `account`
    when given (None: every account, each judged apart).

    Raises:
        AdlabError: the data has no days, no account is called `account`, or `day` is outside the data.
    """
    tables = AuditTables.read(kpis_daily_path, ad_insights_path, orders_path)
    own = params  # one account's audit judges with that account's own tactics
    if account is not None and not tables.kpis_daily.is_empty():
        from adlab.insights.portfolio import find_account  # the account names as `adlab ask --account` reads them

        owner = find_account(tables.kpis_daily, account)
        own = params.for_account(owner)
        tables = tables.of_account(owner)
    return audit_tables(tables, own, day)


def audit_tables(
    tables: AuditTables, params: Params, day: dt.date | None = None
) -> tuple[Audit, dict[str | None, str | None]]:
    """(the audit of `day`, default the last day; each account's currency) of `tables`, judged with `params`
    (one account's, after Params.for_account, or the top-level ones with each account's own targets).

    Raises:
        AdlabError: the data has no days, or `day` is outside the data.
    """
    kpis_daily, budgets = tables.kpis_daily, tables.budgets
    if kpis_daily.is_empty():
        raise AdlabError("there is no daily ad data to audit; export by Day (Breakdown > By time > Day) and run again.")
    currencies: dict[str | None, str | None] = {}
    if budgets is not None and "currency" in budgets.columns:
        firsts = budgets.group_by("account").agg(pl.col("currency").drop_nulls().first())
        currencies = dict(zip(firsts["account"].to_list(), firsts["currency"].to_list(), strict=True))
    settings = AuditSettings.from_params(params)
    targets = account_targets(params, kpis_daily["account"].unique().to_list())
    store = _store_days(tables.orders)
    audit = audit_day(kpis_daily, settings, day, targets=targets, ad_insights=budgets, store_days=store)
    return audit, currencies


def _present(path: Path) -> bool:
    """Whether a stage's table is there (an empty path stands for a stage the pipeline does not have)."""
    return str(path) not in ("", ".") and path.is_file()


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
