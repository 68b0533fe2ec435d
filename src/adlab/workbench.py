"""The workbench in a notebook: the project's tables as the answers read them, and `ask`.

    from adlab import ask
    ask("Why did my ROAS drop yesterday?")   # shows the answer and its figures; .figures is a polars frame
    ask("How are my accounts doing?")        # several accounts side by side; ask(..., account="client_a") for one

The same answers as `adlab ask "..."` on the command line, from the tables the last `dvc repro` wrote.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl

from adlab import creatives, io, kpis
from adlab.errors import AdlabError
from adlab.insights import Answer, Workspace
from adlab.insights import ask as answer
from adlab.insights.portfolio import account_workspace
from adlab.params import Params, load_params
from adlab.report.frames import read_recommendations
from adlab.tactics import tactics_of


def find_project(start: Path) -> Path:
    """The nearest folder at or above `start` holding dvc.yaml.

    Raises:
        AdlabError: no such folder.
    """
    for folder in (start, *start.parents):
        if (folder / "dvc.yaml").is_file():
            return folder
    raise AdlabError(f"no adlab project (a folder with dvc.yaml) at or above {start}; use --project DIR.")


def load_workspace(root: Path, account: str | None = None) -> Workspace:
    """The project's KPIs, breakdown rows, store days and orders, customer cohorts, profit days, recommendations,
    settings and fatigue, as the answers read them; with `account`, only that account's rows
    (insights.portfolio.account_workspace).

    Raises:
        AdlabError: the pipeline has not run yet, params.yaml is wrong, or no account is called `account`.
    """
    params = load_params(root / "params.yaml") if (root / "params.yaml").exists() else Params()
    kpis_path = root / "data" / "processed" / "kpis_daily.parquet"
    insights_path = root / "data" / "interim" / "ad_insights.parquet"
    if not kpis_path.exists():
        raise AdlabError(f"{kpis_path} does not exist yet; run `adlab report` (or `make report`) first.")
    kpis_daily = io.read_parquet(kpis_path)
    period_path = kpis_path.with_name("kpis_period.parquet")
    if kpis_daily.is_empty() and period_path.exists() and io.read_parquet(period_path).height:
        raise AdlabError(
            "the ad exports have no days (one row per reporting window), so there is no day or week to compare; "
            "each window's figures are in reports/index.html. Export by Day (Breakdown → By time → Day) to ask."
        )
    results_path = root / "data" / "processed" / "results_daily.parquet"
    results_daily = io.read_parquet(results_path) if results_path.exists() else None
    ad_insights = io.read_parquet(insights_path) if insights_path.exists() else None
    currency = None
    if ad_insights is not None and (first := ad_insights["currency"].drop_nulls().first()) is not None:
        currency = str(first)
    workspace = Workspace(
        kpis_daily,
        ad_insights,
        params,
        currency,
        None,
        results_daily,
        _store_daily(root / "data" / "interim"),
        read_recommendations(root / "data" / "processed" / "recommendations.csv"),
        _read_if_there(root / "data" / "interim" / "orders.parquet"),
        _read_if_there(root / "data" / "processed" / "cohorts.parquet"),
        _profit_daily(root / "data" / "processed" / "profit_daily.parquet"),
    )
    if account is not None:
        workspace = account_workspace(workspace, account)
    refresh = tactics_of(params).refresh_fatigued  # the thresholds recommendations.csv judged fatigue with
    fatigue = creatives.ad_fatigue(workspace.kpis_daily, refresh.min_days, refresh.ctr_drop, refresh.frequency_rise)
    return dataclasses.replace(workspace, fatigue=fatigue)


def _read_if_there(path: Path) -> pl.DataFrame | None:
    """A table of the pipeline, or None before the stage that writes it has run."""
    return io.read_parquet(path) if path.exists() else None


def _store_daily(interim: Path) -> pl.DataFrame | None:
    """Store orders and revenue per day and account (`account` last): from the orders table, else Shopify sales;
    None without either."""
    # The orders export is the store's truth; Shopify Analytics sales stand in without one.
    for name, daily in (("orders", kpis.store_daily), ("store_sales", kpis.store_daily_from_sales)):
        path = interim / f"{name}.parquet"
        if path.exists() and (table := io.read_parquet(path)).height:
            if "account" not in table.columns:
                return daily(table)
            parts = table.partition_by("account", as_dict=True, maintain_order=True)  # one pass, not one per account
            return pl.concat(
                [
                    daily(rows).with_columns(pl.lit(owner, pl.String).alias("account"))
                    for (owner,), rows in parts.items()
                ]
            ).sort("account", "date", nulls_last=True)
    return None


def _profit_daily(path: Path) -> pl.DataFrame | None:
    """Profit and new customers per day and account (kpis stage); None before it ran or without orders."""
    profit = io.read_parquet(path) if path.exists() else None
    return profit if profit is not None and profit.height else None


def ask(question: str, project: str | Path | None = None, account: str | None = None) -> Answer:
    """Answer one question from the project's tables (the nearest folder with dvc.yaml at or above `project`,
    default the working folder, so a notebook in notebooks/ finds its project); with `account`, about that
    account only. Without it, on data of several accounts, "which account's ROAS fell most last week?" and
    "how are my accounts doing?" compare the accounts.

    Raises:
        AdlabError: no project, the pipeline has not run, no account is called `account`, or the question cannot
            be answered from the data.
    """
    root = find_project(Path(project).resolve() if project is not None else Path.cwd())
    return answer(question, load_workspace(root, account))
