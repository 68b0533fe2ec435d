"""Pages per account: with several accounts, each gets its own index and weekly pages under
`reports/<slug>/` (accounts.slugs), built from its own rows with its own settings and currency, and
`reports/index.html` becomes the portfolio of all of them.

Each account's inputs are written once per run to `data/partitions/report/account=<name>/` (its rows of
every table the pages read), so the weekly notebook reads one account's tables as it reads a single store's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from adlab import accounts, cluster, io, kpis
from adlab.insights import neutralise_formulas
from adlab.params import Params
from adlab.report import build
from adlab.report.customers import accounts_page_html
from adlab.report.frames import read_kpis, read_optional, read_recommendations, read_summary
from adlab.report.incremental import MANIFEST, remove_other_pages, write_manifest
from adlab.report.portfolio import portfolio_rows, render_portfolio
from adlab.report.render import render_week
from adlab.schema import ISO_WEEK

# The tables a weekly page reads, by ReportPaths field.
PARQUET_INPUTS = (
    "kpis_daily",
    "kpis_weekly",
    "results_daily",
    "kpis_period",
    "orders",
    "store_sales",
    "sessions",
    "ad_insights",
    "creatives",
    "cohorts",
    "profit_daily",
    "profit_products",
)
SOURCES = ("ad_insights", "orders", "store_sales", "sessions")


def owners(paths: build.ReportPaths) -> list[str | None]:
    """The accounts with ad or store rows (accounts.names order)."""
    found: set[str | None] = set()
    for field in SOURCES:
        frame = read_optional(getattr(paths, field))
        if frame is not None and "account" in frame.columns:
            found |= set(frame["account"].unique().to_list())
    return accounts.ordered(found)


def build_account_reports(
    paths: build.ReportPaths,
    settings_for: Callable[[str | None], Params],
    names: list[str | None],
    work_dir: Path,
    where: Callable[[int, int], cluster.Where],
) -> dict[str | None, Path]:
    """Each account's pages under `<out_dir>/<slug>/`; the folders of accounts no longer in the data go.
    Returns account -> its folder."""
    folders = {account: paths.out_dir / slug for account, slug in accounts.slugs(names).items()}
    _remove_other_folders(paths.out_dir, set(folders.values()))
    tables = {field: read_optional(getattr(paths, field)) for field in PARQUET_INPUTS}
    recommendations = read_recommendations(paths.recommendations)
    ledger, warnings = read_optional(paths.ledger), read_optional(paths.warnings)
    summary = read_summary(paths.summary)
    pending: list[build.PendingPages] = []
    for account, folder in folders.items():
        own = accounts.partition(work_dir, account)
        account_paths = _write_inputs(paths, tables, recommendations, ledger, warnings, account, own)
        currency = _currency(tables, account)
        io.write_json({"currency": currency, "data_source": summary.get("data_source", "raw")}, own / "summary.json")
        print(f"report: {accounts.label(account)} -> {folder}", flush=True)
        build.build_reports(
            dataclasses.replace(
                account_paths, summary=own / "summary.json", out_dir=folder, daily_plot=own / "account_daily.csv"
            ),
            settings_for(account),
            pending,
        )
    render_pending(pending, where)
    return folders


def render_pending(pending: list[build.PendingPages], where: Callable[[int, int], cluster.Where]) -> None:
    """Render the stale pages of every account together: on the Dask cluster when `where(accounts, pages)` says
    so, else two at a time here; each folder's manifest then holds its rendered pages."""
    # Paths in full: the workers of a cluster may run in another folder.
    jobs = [
        (
            week,
            _absolute(item.parameters),
            (item.paths.weekly_dir / f"{week}.html").absolute(),
            item.paths.notebook.absolute(),
        )
        for item in pending
        for week in item.weeks
    ]
    if not jobs:
        return
    chosen = where(len(pending), len(jobs))
    if chosen.in_process:
        print(f"report: {len(jobs)} page(s) of {len(pending)} account(s) to render, two at a time", flush=True)
        build.render_all(pending)
    else:
        cluster.run(render_pages, jobs, [1] * len(jobs), chosen, label="report", unit="pages")
        for item in pending:
            item.manifest.update({week: item.digests[week] for week in item.weeks})
    for item in pending:
        write_manifest(item.manifest, item.paths.weekly_dir / MANIFEST)


def _absolute(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Notebook parameters with every path in full (an empty path stays empty: a table the run has not)."""
    return {
        name: value.absolute() if isinstance(value, Path) and str(value) not in ("", ".") else value
        for name, value in parameters.items()
    }


def render_pages(jobs: Sequence[tuple[str, Mapping[str, Any], Path, Path]]) -> list[Path]:
    """Render weekly pages (week, notebook parameters, page, notebook): what a Dask worker runs."""
    return [render_week(week, parameters, out, notebook=notebook) for week, parameters, out, notebook in jobs]


def _write_inputs(
    paths: build.ReportPaths,
    tables: dict[str, pl.DataFrame | None],
    recommendations: pl.DataFrame | None,
    ledger: pl.DataFrame | None,
    warnings: pl.DataFrame | None,
    account: str | None,
    folder: Path,
) -> build.ReportPaths:
    """Write one account's rows of every input to `folder`; the ReportPaths that read them."""
    changes: dict[str, Path] = {}
    files: set[str] = set()
    for field, frame in tables.items():
        if frame is None:
            continue
        own = accounts.rows_of(frame, account)
        if field in SOURCES:
            files |= set(own["source_file"].drop_nulls().unique().to_list())
        if field == "creatives" and "account" in own.columns:
            own = own.drop("account")
        changes[field] = folder / f"{field}.parquet"
        io.write_parquet(own, changes[field])
    if recommendations is not None:
        own = accounts.rows_of(recommendations, account).drop("account", strict=False)
        changes["recommendations"] = folder / "recommendations.csv"
        io.write_text(neutralise_formulas(own).write_csv(), changes["recommendations"])
    for field, frame in (("ledger", ledger), ("warnings", warnings)):
        if frame is not None:
            changes[field] = folder / f"{field}.parquet"
            io.write_parquet(frame.filter(pl.col("source_file").is_in(sorted(files))), changes[field])
    return dataclasses.replace(paths, **changes)


def store_by_account(paths: build.ReportPaths, names: list[str | None]) -> pl.DataFrame | None:
    """The store's orders and revenue per (account, day): each account's orders, else its Analytics sales."""
    orders, sales = read_optional(paths.orders), read_optional(paths.store_sales)
    days = []
    for account in names:
        own_orders = accounts.rows_of(orders, account) if orders is not None else None
        own_sales = accounts.rows_of(sales, account) if sales is not None else None
        if own_orders is not None and own_orders.height:
            store = kpis.store_daily(own_orders)
        elif own_sales is not None and own_sales.height:
            store = kpis.store_daily_from_sales(own_sales)
        else:
            continue
        days.append(store.with_columns(pl.lit(account, pl.String).alias("account")))
    return pl.concat(days, how="diagonal_relaxed") if days else None


def _currency(tables: dict[str, pl.DataFrame | None], account: str | None) -> str:
    """The account's currency: the first its ad rows, else its orders, name ('' when none does)."""
    for field in ("ad_insights", "orders"):
        frame = tables.get(field)
        if frame is not None and "currency" in frame.columns:
            known = accounts.rows_of(frame, account)["currency"].drop_nulls()
            if known.len():
                return str(known.first())
    return ""


def _remove_other_folders(out_dir: Path, keep: set[Path]) -> None:
    """Account folders (those holding a weekly/ of pages) of accounts the data no longer holds."""
    if not out_dir.is_dir():
        return
    for folder in out_dir.iterdir():
        if folder.is_dir() and folder.name != "weekly" and (folder / "weekly").is_dir() and folder not in keep:
            shutil.rmtree(folder)
            print(f"report: removed {folder} (no longer an account in the data)")


def write_portfolio(
    paths: build.ReportPaths,
    settings_for: Callable[[str | None], Params],
    folders: dict[str | None, Path],
    *,
    mixed_currencies: bool = False,
    weeks: int = 1,
) -> Path | None:
    """`<out_dir>/index.html` as the portfolio of the accounts of `folders` for the summary's week (the latest
    complete one), each row linking to the account's index and page of that week.

    With `mixed_currencies` (no all-accounts page can add their money up), `<out_dir>/weekly/<week>.html` of
    the latest `weeks` complete weeks are the portfolio of that week instead; other pages there go.
    """
    summary = read_summary(paths.summary)
    week = summary.get("week")
    if not week:
        return None
    own = summary.get("accounts") or {}
    currencies = {
        account: (own.get("default" if account is None else account) or {}).get("currency") for account in folders
    }
    kpis_daily = read_kpis(paths.kpis_daily)
    store = store_by_account(paths, list(folders))
    recommendations = read_recommendations(paths.recommendations)
    targets = {account: settings_for(account).targets for account in folders}
    sample_data = summary.get("data_source") == "sample"

    def page(shown: str, out: Path, prefix: str) -> Path:
        rows = portfolio_rows(
            kpis_daily, store, recommendations, targets, shown, currency=currencies, also=list(folders)
        )
        links = {
            account: (f"{prefix}{folder.name}/index.html", week_page(folder, shown, prefix))
            for account, folder in folders.items()
        }
        return render_portfolio(rows, out, week=shown, sample_data=sample_data, links=links, root=prefix)

    out = page(week, paths.out_dir / "index.html", "")
    print(f"report: wrote {out} (the portfolio of {len(folders)} accounts)")
    if mixed_currencies:
        shown = [kpis.iso_week(kpis.week_bounds(week)[0] - dt.timedelta(days=7 * back)) for back in range(weeks)]
        for gone in remove_other_pages(paths.weekly_dir, [f"{name}.html" for name in shown]):
            print(f"report: removed {gone}")
        for name in shown:
            print(
                f"report: wrote {page(name, paths.weekly_dir / f'{name}.html', '../')} (accounts in several currencies)"
            )
        write_manifest({}, paths.weekly_dir / MANIFEST)  # no all-accounts page is up to date
        no_days = kpis_daily.head(0)
        io.write_text(build.daily_plot_csv(kpis.account_daily(no_days, None)), paths.daily_plot)
    return out


def week_page(folder: Path, week: str, prefix: str = "") -> str:
    """The href of an account's weekly page of ISO `week` under `folder` (its `reports/<slug>/`), else of its
    latest page before that week (an account whose data ends earlier), else "" (no page to link to)."""
    weeks = sorted(path.stem for path in (folder / "weekly").glob("*.html") if ISO_WEEK.fullmatch(path.stem))
    earlier = [name for name in weeks if name <= week]
    return f"{prefix}{folder.name}/weekly/{earlier[-1]}.html" if earlier else ""


def write_accounts_customers_page(paths: build.ReportPaths, folders: dict[str | None, Path]) -> Path:
    """`<out_dir>/customers.html` of accounts in several currencies: a link to each account's own page."""
    return _write_links_page(
        paths,
        folders,
        "customers.html",
        accounts_page_html,
        "accounts in several currencies: a link to each account's customers",
    )


def write_accounts_budget_page(paths: build.ReportPaths, folders: dict[str | None, Path]) -> Path:
    """`<out_dir>/budget.html` of several accounts: a link to each account's own plan."""
    from adlab.report.budget_page import accounts_budget_html

    return _write_links_page(
        paths, folders, "budget.html", accounts_budget_html, "a link to each account's budget plan"
    )


def _write_links_page(
    paths: build.ReportPaths,
    folders: dict[str | None, Path],
    name: str,
    render: Callable[..., str],
    what: str,
) -> Path:
    """`<out_dir>/<name>`: `render(links, sample_data=...)` of a link to each account's own `<name>`."""
    sample_data = read_summary(paths.summary).get("data_source") == "sample"
    links = [(accounts.label(account), f"{folder.name}/{name}") for account, folder in folders.items()]
    out = paths.out_dir / name
    io.write_text(render(links, sample_data=sample_data), out)
    print(f"report: wrote {out} ({what})")
    return out


def several_currencies(paths: build.ReportPaths) -> bool:
    """Whether the accounts' money is in more than one currency (metrics/summary.json's accounts)."""
    own = read_summary(paths.summary).get("accounts") or {}
    return len({summary.get("currency") for summary in own.values()}) > 1


def write_accounts_audit_page(
    paths: build.ReportPaths, settings_for: Callable[[str | None], Params], folders: dict[str | None, Path]
) -> Path:
    """`<out_dir>/audit.html` of several accounts: each account's top items (its own audit, with its own settings)
    and a link to its audit page."""
    from adlab.audit.project import AuditTables
    from adlab.report.audit_page import accounts_audit_html, project_audit, top_lines

    summary = read_summary(paths.summary)
    own = summary.get("accounts") or {}
    tables = AuditTables.read(paths.kpis_daily, paths.ad_insights, paths.orders)
    rows = []
    for account, folder in folders.items():
        currency = (own.get("default" if account is None else account) or {}).get("currency")
        audit, currencies, reason = project_audit(tables.of_account(account), settings_for(account), currency)
        rows.append((accounts.label(account), f"{folder.name}/audit.html", reason, top_lines(audit, currencies)))
    out = paths.out_dir / "audit.html"
    io.write_text(accounts_audit_html(rows, sample_data=summary.get("data_source") == "sample"), out)
    print(f"report: wrote {out} (each account's top audit items, a link to each account's audit)")
    return out
