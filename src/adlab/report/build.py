"""The report stage: one HTML page per ISO week, re-rendering only the weeks whose inputs changed, the index and
the account's daily series for `dvc plots`; for ad data without days, one page per reporting window instead.

Each page's inputs (its trend window of KPIs and orders, its ad rows, the ledger of its files, the targets
and the code) are digested into `<out_dir>/weekly/.manifest.json`; DVC keeps that folder between runs
(`persist: true`), so a new day of data re-renders the week it falls in and leaves the others alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, TypedDict

import polars as pl

from adlab import io, kpis
from adlab.errors import AdlabError
from adlab.params import Params
from adlab.report.customers import customers_page_html
from adlab.report.frames import (
    account_names,
    read_kpis,
    read_optional,
    read_recommendations,
    read_sessions,
    read_store,
    read_summary,
    resolve_week,
    week_days,
    week_summaries,
)
from adlab.report.incremental import (
    MANIFEST,
    code_version,
    read_manifest,
    remove_other_pages,
    stale_weeks,
    week_fingerprint,
    weeks_to_render,
    write_manifest,
)
from adlab.report.index import render_index, week_pointer_html, window_summaries, windows_index_html
from adlab.report.render import render_week
from adlab.report.window import period_page_html, window_stem
from adlab.schema import COHORTS, empty

# Weeks render in this many processes, each keeping one kernel for its pages; the machines here have 2 cores.
WORKERS = 2
TREND_WEEKS = 4  # the notebook's default trend_weeks


class Targets(TypedDict):
    """The settings' targets, as the keywords of the window pages and their index."""

    target_roas: float
    target_cpa: float
    gross_margin: float


@dataclasses.dataclass(frozen=True)
class ReportPaths:
    """The stage's files: the tables of the earlier stages it reads (an empty path: a stage the pipeline does
    not have), the notebook of the weekly page, and where it writes."""

    kpis_daily: Path
    kpis_weekly: Path
    results_daily: Path
    kpis_period: Path
    orders: Path
    store_sales: Path
    sessions: Path
    ad_insights: Path
    ledger: Path
    warnings: Path
    recommendations: Path
    creatives: Path
    summary: Path
    notebook: Path
    out_dir: Path  # index.html, customers.html and weekly/
    daily_plot: Path  # account_daily.csv
    cohorts: Path = Path("")  # cohorts.parquet of the kpis stage (empty: computed here from the orders)
    profit_daily: Path = Path("")  # profit and new-customer figures per day (kpis.profit_daily)
    profit_products: Path = Path("")  # profit per (week, product)

    @property
    def weekly_dir(self) -> Path:
        return self.out_dir / "weekly"


def build_reports(paths: ReportPaths, settings: Params, pending: list[PendingPages] | None = None) -> None:
    """Write the weekly pages that are missing or out of date, the index and the daily series; for ad data
    without days (only reporting windows), the window pages instead. With `pending`, the weekly pages to
    render are added to it instead (render_pending renders those of many accounts together)."""
    kpis_daily = read_kpis(paths.kpis_daily)
    kpis_period = read_optional(paths.kpis_period)
    if kpis_daily.is_empty() and kpis_period is not None and not kpis_period.is_empty():
        build_window_reports(paths, settings, kpis_period)
    else:
        build_weekly_reports(paths, settings, kpis_daily, pending)


@dataclasses.dataclass(frozen=True)
class PageInputs:
    """The tables a weekly page shows besides kpis_daily (None: absent), read once to digest every week."""

    orders: pl.DataFrame | None
    recommendations: pl.DataFrame | None
    creatives: pl.DataFrame | None
    ad_insights: pl.DataFrame | None
    ledger: pl.DataFrame | None
    warnings: pl.DataFrame | None
    store_sales: pl.DataFrame | None
    sessions: pl.DataFrame | None
    results_daily: pl.DataFrame | None
    profit_daily: pl.DataFrame | None = None
    profit_products: pl.DataFrame | None = None

    @classmethod
    def read(cls, paths: ReportPaths) -> PageInputs:
        return cls(
            orders=read_optional(paths.orders),
            recommendations=read_recommendations(paths.recommendations),
            creatives=read_optional(paths.creatives),
            ad_insights=read_optional(paths.ad_insights),
            ledger=read_optional(paths.ledger),
            warnings=read_optional(paths.warnings),
            store_sales=read_optional(paths.store_sales),
            sessions=read_optional(paths.sessions),
            results_daily=read_optional(paths.results_daily),
            profit_daily=read_optional(paths.profit_daily),
            profit_products=read_optional(paths.profit_products),
        )


def build_weekly_reports(
    paths: ReportPaths, settings: Params, kpis_daily: pl.DataFrame, pending: list[PendingPages] | None = None
) -> None:
    """The weekly pages that changed, the daily series, the index of every week and the customers page."""
    store = read_store(paths.orders, paths.store_sales)  # as the weekly pages: orders, else Analytics sales
    # A store without ads gets weekly pages of its sales; the ad sections name the export that would fill them.
    days = week_days(kpis_daily, store)
    if days.is_empty():
        raise AdlabError(
            f"{paths.kpis_daily}: holds no ad data and there are no store orders or sales, so there "
            "is no week to report; check data/raw/."
        )
    summary = read_summary(paths.summary)
    currency = summary.get("currency") or ""  # unknown: amounts without a currency sign, and a line says so
    sample_data = summary.get("data_source") == "sample"
    weeks, skipped = weeks_to_render(days, settings.report.weeks, settings.report.extra_weeks)
    for week in skipped:
        print(
            f"report: skipped {week} from report.extra_weeks: no {'ad' if kpis_daily.height else 'store'} data "
            "in that week"
        )
    inputs = PageInputs.read(paths)
    values = page_settings(settings, currency, sample_data, outputs_week=resolve_week("latest", days))
    code = code_version(paths.notebook)
    # The latest page (weeks[0]) leads with the audit's top items: its digest covers them, the others' does not.
    audit = write_audit(paths, settings, currency=currency, sample_data=sample_data, week=weeks[0])
    digests = {
        week: week_digest(week, kpis_daily, inputs, {**values, **audit} if week == weeks[0] else values, code)
        for week in weeks
    }
    update_weekly_pages(paths, digests, {**notebook_parameters(paths, values, inputs), **audit}, pending)
    io.write_text(daily_plot_csv(kpis.account_daily(kpis_daily, store)), paths.daily_plot)
    first_day, last_day = kpis.date_span(days["date"])
    complete = kpis.complete_weeks(last_day, first_day)
    rows = [
        {**row, "rendered": row["week"] in digests}
        for row in week_summaries(kpis_daily, store, sorted(set(complete) | set(weeks), reverse=True))
    ]
    index = render_index(
        rows,
        paths.out_dir / "index.html",
        currency=currency,
        sample_data=sample_data,
        target_roas=settings.targets.roas,
        target_cpa=settings.targets.cpa,
        gross_margin=settings.targets.gross_margin,
        accounts=account_names(kpis_daily),
    )
    print(f"report: wrote {index}")
    write_customers_page(paths, settings, kpis_daily, currency=currency, sample_data=sample_data)
    write_budget_page(paths, settings, kpis_daily, currency=currency, sample_data=sample_data)


def write_customers_page(
    paths: ReportPaths, settings: Params, kpis_daily: pl.DataFrame, *, currency: str, sample_data: bool
) -> Path:
    """Write `<out_dir>/customers.html`: the customer cohorts of the kpis stage (computed from the orders and ad
    spend when its table is absent)."""
    orders = read_optional(paths.orders)
    cohorts = read_optional(paths.cohorts)
    margin = settings.targets.gross_margin
    if cohorts is None:
        cohorts = (
            kpis.cohort_table(orders, kpis.daily_spend(kpis_daily), gross_margin=margin)
            if orders is not None
            else empty(COHORTS)
        )
    out = paths.out_dir / "customers.html"
    page = customers_page_html(
        cohorts,
        kpis.order_history(orders),
        currency=currency,
        gross_margin=margin,
        sample_data=sample_data,
        ad_days=kpis.date_span(kpis_daily["date"]) if kpis_daily.height else None,
    )
    io.write_text(page, out)
    print(f"report: wrote {out}")
    return out


def write_budget_page(
    paths: ReportPaths, settings: Params, kpis_daily: pl.DataFrame, *, currency: str, sample_data: bool
) -> Path:
    """Write `<out_dir>/budget.html`: the budget plan for the latest day (adlab.budget), or the one-line reason
    there is none."""
    from adlab.budget import budget_plan
    from adlab.report.budget_page import budget_page_html, budget_unavailable_html

    out = paths.out_dir / "budget.html"
    try:
        breakeven = kpis.breakeven_roas(settings.targets.gross_margin)
        page = budget_page_html(budget_plan(kpis_daily, settings), currency or None, sample_data, breakeven)
    except AdlabError as error:
        page = budget_unavailable_html(str(error), sample_data)
    io.write_text(page, out)
    print(f"report: wrote {out}")
    return out


def write_audit(
    paths: ReportPaths, settings: Params, *, currency: str, sample_data: bool, week: str = ""
) -> dict[str, Any]:
    """Write `<out_dir>/audit.html`: the daily audit of the latest day (adlab.audit), or the one-line reason there
    is none. Returns the notebook's audit parameters: `audit_week` (`week`, whose page leads with the audit; ""
    without an audit), `audit_day` and `audit_items` (its top items, one per line)."""
    from adlab.audit.project import AuditTables
    from adlab.report.audit_page import project_audit, top_lines, write_audit_page

    tables = AuditTables.read(paths.kpis_daily, paths.ad_insights, paths.orders)
    audit, currencies, reason = project_audit(tables, settings, currency or None)
    write_audit_page(
        paths.out_dir / "audit.html", audit, currencies, reason, fdr=settings.audit.fdr, sample_data=sample_data
    )
    if audit is None:
        return {"audit_week": "", "audit_day": "", "audit_items": ""}
    lines = [" ".join(line.splitlines()) for line in top_lines(audit, currencies)]  # a name may hold a line break
    return {"audit_week": week, "audit_day": str(audit.day), "audit_items": "\n".join(lines)}


def page_settings(settings: Params, currency: str, sample_data: bool, *, outputs_week: str) -> dict[str, Any]:
    """The notebook's parameters besides paths and week: every setting a page shows, so also part of its digest.

    `outputs_week`: the week the recommend and creatives stages judged (their rows without a week go there).
    """
    return {
        "currency": currency,
        "target_roas": settings.targets.roas,
        "target_cpa": settings.targets.cpa,
        "gross_margin": settings.targets.gross_margin,
        "top_n": settings.report.top_n,
        "sample_data": sample_data,
        "stage_outputs_week": outputs_week,
    }


def notebook_parameters(paths: ReportPaths, values: Mapping[str, Any], inputs: PageInputs) -> dict[str, Any]:
    """The parameters of notebooks/weekly_report.ipynb but `week`: the tables' paths (empty for a stage output
    that is absent), trend_weeks and page_settings."""
    return {
        "kpis_daily_path": paths.kpis_daily,
        "kpis_weekly_path": paths.kpis_weekly,
        "results_daily_path": paths.results_daily,
        "orders_path": paths.orders,
        "store_sales_path": paths.store_sales,
        "sessions_path": paths.sessions,
        "ad_insights_path": paths.ad_insights,
        "ledger_path": paths.ledger,
        "warnings_path": paths.warnings,
        "recommendations_path": paths.recommendations if inputs.recommendations is not None else "",
        "creatives_path": paths.creatives if inputs.creatives is not None else "",
        "profit_daily_path": paths.profit_daily if inputs.profit_daily is not None else "",
        "profit_products_path": paths.profit_products if inputs.profit_products is not None else "",
        "trend_weeks": TREND_WEEKS,
        **values,
    }


def week_digest(week: str, kpis_daily: pl.DataFrame, inputs: PageInputs, values: Mapping[str, Any], code: str) -> str:
    """incremental.week_fingerprint of `week` over the stage's inputs."""
    return week_fingerprint(
        week,
        kpis_daily=kpis_daily,
        orders=inputs.orders,
        ad_insights=inputs.ad_insights,
        ledger=inputs.ledger,
        warnings=inputs.warnings,
        recommendations=inputs.recommendations,
        creatives=inputs.creatives,
        settings=values,
        trend_weeks=TREND_WEEKS,
        code=code,
        store_sales=inputs.store_sales,
        sessions=inputs.sessions,
        results_daily=inputs.results_daily,
        profit_daily=inputs.profit_daily,
        profit_products=inputs.profit_products,
    )


@dataclasses.dataclass(frozen=True)
class PendingPages:
    """Stale weekly pages of one folder, rendered later with those of other accounts (render_pending)."""

    weeks: list[str]
    parameters: Mapping[str, Any]
    paths: ReportPaths
    digests: Mapping[str, str]
    manifest: dict[str, str]  # the folder's up-to-date pages; each rendered week's digest joins it


def update_weekly_pages(
    paths: ReportPaths,
    digests: Mapping[str, str],
    parameters: Mapping[str, Any],
    pending: list[PendingPages] | None = None,
) -> None:
    """Make reports/weekly/ hold exactly the pages of `digests` (week -> input digest), rendering the stale ones
    (or adding them to `pending`), and its manifest their digests."""
    manifest_path = paths.weekly_dir / MANIFEST
    manifest = read_manifest(manifest_path)
    stale = stale_weeks(digests, manifest, paths.weekly_dir)
    # Pages of weeks that left the window (report.weeks) go, so the folder matches the index.
    for page in remove_other_pages(paths.weekly_dir, (f"{week}.html" for week in digests)):
        print(f"report: removed {page} (no longer among the reported weeks)")
    manifest = {week: digest for week, digest in manifest.items() if week in digests and week not in stale}
    print(
        f"report: {len(digests)} week(s): {len(digests) - len(stale)} up to date, {len(stale)} to render"
        + (f" ({', '.join(stale)})" if stale else ""),
        flush=True,
    )
    if stale and pending is not None:
        pending.append(PendingPages(stale, parameters, paths, digests, manifest))
    elif stale:
        render_weeks(stale, parameters, paths, digests, manifest)
    write_manifest(manifest, manifest_path)


def render_weeks(
    weeks: Sequence[str],
    parameters: Mapping[str, Any],
    paths: ReportPaths,
    digests: Mapping[str, str],
    manifest: dict[str, str],
) -> None:
    """Render `weeks` of one folder WORKERS at a time (render_all)."""
    render_all([PendingPages(list(weeks), parameters, paths, digests, manifest)])


def render_all(pending: Sequence[PendingPages]) -> None:
    """Render the stale weeks of every folder in `pending` WORKERS at a time in one pool, adding each finished
    week's digest to its folder's manifest and writing it, so a failed run keeps the pages it finished."""
    jobs = [(item, week) for item in pending for week in item.weeks]
    if not jobs:
        return
    started = time.perf_counter()
    # Fresh interpreters (spawn): forking a process that already runs polars' thread pool can hang.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(WORKERS, len(jobs)), mp_context=context) as pool:
        futures = {
            pool.submit(
                _timed_render, week, item.parameters, item.paths.weekly_dir / f"{week}.html", item.paths.notebook
            ): (item, week)
            for item, week in jobs
        }
        for done, future in enumerate(as_completed(futures), start=1):
            item, week = futures[future]
            path, seconds = future.result()
            item.manifest[week] = item.digests[week]
            write_manifest(item.manifest, item.paths.weekly_dir / MANIFEST)
            print(f"report: [{done}/{len(jobs)}] {week} rendered in {seconds:.1f}s -> {path}", flush=True)
    print(f"report: rendered {len(jobs)} week(s) in {time.perf_counter() - started:.1f}s")


def _timed_render(week: str, parameters: Mapping[str, Any], out_html: Path, notebook: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    path = render_week(week, parameters, out_html, notebook=notebook)
    return path, time.perf_counter() - started


def daily_plot_csv(account_daily: pl.DataFrame) -> str:
    """The account's daily series (spend, purchase value, store revenue, ROAS, MER) as CSV for `dvc plots`."""
    columns = ["date", "spend", "purchase_value", "revenue", "roas", "mer", "cpa", "ctr", "cvr"]
    return (
        account_daily.select(c for c in columns if c in account_daily.columns)
        .with_columns(pl.col(pl.Float64).round(6))
        .write_csv(date_format="%Y-%m-%d")
    )


def build_window_reports(paths: ReportPaths, settings: Params, kpis_period: pl.DataFrame) -> None:
    """Ad data without days: one page per reporting window, the summary week's page pointing to its window,
    an index of the windows and the customers page. Weekly pages of earlier runs go, so the folder matches the index."""
    summary = read_summary(paths.summary)
    currency = summary.get("currency") or "USD"
    sample_data = summary.get("data_source") == "sample"
    store = read_store(paths.orders, paths.store_sales)
    targets: Targets = {
        "target_roas": settings.targets.roas,
        "target_cpa": settings.targets.cpa,
        "gross_margin": settings.targets.gross_margin,
    }
    sessions = read_sessions(paths.sessions)
    pages = window_pages(
        paths,
        kpis_period,
        store,
        sessions,
        currency=currency,
        sample_data=sample_data,
        top_n=settings.report.top_n,
        targets=targets,
    )
    # metrics/summary.json names the week the latest window ends in; its page leads to that window's page.
    windows = kpis.report_windows(kpis_period)
    week = summary.get("week") or kpis.iso_week(windows[0][1])
    pages[f"{week}.html"] = week_pointer_html(week, *windows[0], sample_data=sample_data)
    for page in remove_other_pages(paths.weekly_dir, pages):
        print(f"report: removed {page} (the ad data has no days: one page per reporting window)")
    for name, html in pages.items():
        io.write_text(html, paths.weekly_dir / name)
        print(f"report: wrote {paths.weekly_dir / name}")
    write_manifest({}, paths.weekly_dir / MANIFEST)  # no weekly page is up to date once days arrive
    # No day has ad figures: the daily series is empty (store days alone would plot spend as 0).
    no_days = kpis.window_kpis(kpis_period.head(0), dt.date.min, dt.date.min)
    io.write_text(daily_plot_csv(kpis.account_daily(no_days, None)), paths.daily_plot)
    index = paths.out_dir / "index.html"
    io.write_text(
        windows_index_html(
            window_summaries(kpis_period, store, sessions), currency=currency, sample_data=sample_data, **targets
        ),
        index,
    )
    print(f"report: {len(windows)} reporting window(s), no days in the ad data; wrote {index}")
    write_customers_page(paths, settings, read_kpis(paths.kpis_daily), currency=currency, sample_data=sample_data)
    write_budget_page(paths, settings, read_kpis(paths.kpis_daily), currency=currency, sample_data=sample_data)
    write_audit(paths, settings, currency=currency, sample_data=sample_data)  # the audit needs days: says so


def window_pages(
    paths: ReportPaths,
    kpis_period: pl.DataFrame,
    store: pl.DataFrame | None,
    sessions: pl.DataFrame | None,
    *,
    currency: str,
    sample_data: bool,
    top_n: int,
    targets: Targets,
) -> dict[str, str]:
    """File name -> page of every reporting window, each linking to the others."""
    ad_insights = io.read_parquet(paths.ad_insights)  # there: kpis_period was computed from it
    ledger, warnings = read_optional(paths.ledger), read_optional(paths.warnings)
    windows = kpis.report_windows(kpis_period)
    return {
        f"{window_stem(*window)}.html": period_page_html(
            kpis_period,
            *window,
            others=[other for other in windows if other != window],
            ad_insights=ad_insights,
            store=store,
            sessions=sessions,
            ledger=ledger,
            warnings=warnings,
            currency=currency,
            top_n=top_n,
            sample_data=sample_data,
            **targets,
        )
        for window in windows
    }
