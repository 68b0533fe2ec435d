"""Stage `report`: one HTML page per ISO week, re-rendering only the weeks whose inputs changed, then the index.

Each page's inputs (its trend window of KPIs and orders, its ad rows, the ledger of its files, the targets
and the code) are digested into `<weekly-dir>/.manifest.json`; DVC keeps that folder between runs
(`persist: true`), so a new day of data re-renders the week it falls in and leaves the others alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import polars as pl

from adlab import io, kpis
from adlab.errors import AdlabError, exit_on_error
from adlab.params import load_params
from adlab.report import frames, incremental, render
from adlab.report import window as period_report
from adlab.report.index import render_index

# Each week runs its own kernel; the machines this runs on have 2 cores.
WORKERS = 2
MANIFEST = ".manifest.json"
TREND_WEEKS = 4  # the notebook's default trend_weeks


def weeks_to_render(days: pl.DataFrame, latest: int, extra: list[str]) -> tuple[list[str], list[str]]:
    """The `latest` newest complete ISO weeks plus the extra ones with data, newest first; and the skipped extras.

    `days` holds the dates of the ad data (frames.week_days: the store's for a store without ads). Without a
    complete week, the newest (partial) week, so a short export still gets a page.
    """
    first_day, last_day = days["date"].min(), days["date"].max()
    complete = kpis.complete_weeks(last_day, first_day)[:latest] or [kpis.iso_week(last_day)]
    with_data = {week for week in extra if frames.days_with_data(days, week)}
    return sorted(set(complete) | with_data, reverse=True), sorted(set(extra) - with_data)


def read_manifest(path: Path) -> dict[str, str]:
    """week -> input digest of the pages on disk; empty when the folder is new or the file unreadable."""
    try:
        data = io.read_json(path)
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


@exit_on_error
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kpis-daily", type=Path, required=True, help="kpis_daily.parquet from the kpis stage")
    parser.add_argument("--kpis-weekly", type=Path, required=True, help="kpis_weekly.parquet from the kpis stage")
    parser.add_argument("--results-daily", type=Path, default=Path(""),
                        help="results_daily.parquet from the kpis stage (results per result type)")
    parser.add_argument("--kpis-period", type=Path, default=Path(""),
                        help="kpis_period.parquet from the kpis stage (exports without days: one page per window)")
    parser.add_argument("--orders", type=Path, required=True, help="orders.parquet (may be absent or empty)")
    parser.add_argument("--store-sales", type=Path, required=True,
                        help="store_sales.parquet (Shopify Analytics daily sales; used without orders)")
    parser.add_argument("--sessions", type=Path, required=True, help="sessions.parquet (GA4 / Shopify sessions)")
    parser.add_argument("--ad-insights", type=Path, required=True, help="ad_insights.parquet (breakdowns, files)")
    parser.add_argument("--ledger", type=Path, required=True, help="ledger.parquet from the validate stage")
    parser.add_argument("--warnings", type=Path, required=True, help="warnings.parquet from the validate stage")
    parser.add_argument("--recommendations", type=Path, default=Path(""),
                        help="recommendations.csv from the recommend stage, when the pipeline has one")
    parser.add_argument("--creatives", type=Path, default=Path(""),
                        help="creatives.parquet from the creatives stage, when the pipeline has one")
    parser.add_argument("--summary", type=Path, required=True, help="metrics/summary.json from the kpis stage")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings file")
    parser.add_argument("--notebook", type=Path, default=Path("notebooks/weekly_report.ipynb"),
                        help="papermill template of the weekly page")
    parser.add_argument("--out-dir", type=Path, default=Path("reports"), help="folder for index.html and weekly/")
    parser.add_argument("--daily-plot", type=Path, required=True,
                        help="CSV of the account's daily KPI series, for `dvc plots show`")
    args = parser.parse_args()

    settings = load_params(args.params)
    kpis_daily = frames.read_kpis(args.kpis_daily)
    kpis_period = frames.read_optional(args.kpis_period)
    if kpis_daily.is_empty() and kpis_period is not None and not kpis_period.is_empty():
        render_windows(args, settings, kpis_period)
        return
    store = frames.read_store(args.orders, args.store_sales)  # as the weekly pages: orders, else Analytics sales
    # A store without ads gets weekly pages of its sales; the ad sections name the export that would fill them.
    days = frames.week_days(kpis_daily, store)
    if days.is_empty():
        raise AdlabError(f"{args.kpis_daily}: holds no ad data and there are no store orders or sales, so there is "
                         "no week to report; check data/raw/.")
    summary = frames.read_summary(args.summary)
    currency = summary.get("currency") or ""  # unknown: amounts without a currency sign, and a line says so
    sample_data = summary.get("data_source") == "sample"
    weeks, skipped = weeks_to_render(days, settings.report.weeks, settings.report.extra_weeks)
    for week in skipped:
        print(f"report: skipped {week} from report.extra_weeks: no {'ad' if kpis_daily.height else 'store'} data "
              "in that week")
    orders = frames.read_optional(args.orders)
    recommendations = frames.read_recommendations(args.recommendations)
    creatives = frames.read_optional(args.creatives)
    ad_insights = frames.read_optional(args.ad_insights)
    outputs_week = frames.resolve_week("latest", days)
    values = {
        "currency": currency,
        "target_roas": settings.targets.roas,
        "target_cpa": settings.targets.cpa,
        "gross_margin": settings.targets.gross_margin,
        "top_n": settings.report.top_n,
        "sample_data": sample_data,
        "stage_outputs_week": outputs_week,
    }
    parameters = {
        "kpis_daily_path": args.kpis_daily,
        "kpis_weekly_path": args.kpis_weekly,
        "results_daily_path": args.results_daily,
        "orders_path": args.orders,
        "store_sales_path": args.store_sales,
        "sessions_path": args.sessions,
        "ad_insights_path": args.ad_insights,
        "ledger_path": args.ledger,
        "warnings_path": args.warnings,
        "recommendations_path": args.recommendations if recommendations is not None else "",
        "creatives_path": args.creatives if creatives is not None else "",
        "trend_weeks": TREND_WEEKS,
        **values,
    }

    weekly_dir = args.out_dir / "weekly"
    manifest_path = weekly_dir / MANIFEST
    manifest = read_manifest(manifest_path)
    code = incremental.code_version(args.notebook)
    ledger, warnings = frames.read_optional(args.ledger), frames.read_optional(args.warnings)
    store_sales, sessions = frames.read_optional(args.store_sales), frames.read_optional(args.sessions)
    results_daily = frames.read_optional(args.results_daily)
    digests = {
        week: incremental.week_fingerprint(
            week, kpis_daily=kpis_daily, orders=orders, ad_insights=ad_insights, ledger=ledger, warnings=warnings,
            recommendations=recommendations, creatives=creatives, settings=values, trend_weeks=TREND_WEEKS,
            code=code, store_sales=store_sales, sessions=sessions, results_daily=results_daily,
        )
        for week in weeks
    }
    stale = [
        week for week in weeks if manifest.get(week) != digests[week] or not (weekly_dir / f"{week}.html").is_file()
    ]
    # Pages of weeks that left the window (report.weeks) go, so the folder matches the index.
    for page in sorted(weekly_dir.glob("*.html")) if weekly_dir.is_dir() else []:
        if page.stem not in digests:
            page.unlink()
            print(f"report: removed {page} (no longer among the reported weeks)")
    manifest = {week: digest for week, digest in manifest.items() if week in digests and week not in stale}
    print(f"report: {len(weeks)} week(s): {len(weeks) - len(stale)} up to date, {len(stale)} to render"
          + (f" ({', '.join(stale)})" if stale else ""), flush=True)

    if stale:
        started = time.perf_counter()
        # Fresh interpreters (spawn): forking a process that already runs polars' thread pool can hang.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(WORKERS, len(stale)), mp_context=context) as pool:
            jobs = {
                pool.submit(_timed_render, week, parameters, weekly_dir / f"{week}.html", args.notebook): week
                for week in stale
            }
            for done, job in enumerate(as_completed(jobs), start=1):
                week = jobs[job]
                path, seconds = job.result()
                manifest[week] = digests[week]
                io.write_json(dict(sorted(manifest.items())), manifest_path)  # a failed run keeps finished pages
                print(f"report: [{done}/{len(stale)}] {week} rendered in {seconds:.1f}s -> {path}", flush=True)
        print(f"report: rendered {len(stale)} week(s) in {time.perf_counter() - started:.1f}s")
    io.write_json(dict(sorted(manifest.items())), manifest_path)

    account_daily = kpis.account_daily(kpis_daily, store)
    io.write_text(daily_plot_csv(account_daily), args.daily_plot)
    complete = kpis.complete_weeks(days["date"].max(), days["date"].min())
    listed = sorted(set(complete) | set(weeks), reverse=True)
    rows = [
        {**row, "rendered": row["week"] in digests}
        for row in frames.week_summaries(kpis_daily, store, listed)
    ]
    index = render_index(
        rows,
        args.out_dir / "index.html",
        currency=currency,
        sample_data=sample_data,
        target_roas=settings.targets.roas,
        target_cpa=settings.targets.cpa,
        gross_margin=settings.targets.gross_margin,
        accounts=frames.account_names(kpis_daily),
    )
    print(f"report: wrote {index}")


def render_windows(args: argparse.Namespace, settings: Any, kpis_period: pl.DataFrame) -> None:
    """Ad data without days: one page per reporting window, the summary week's page pointing to its window,
    and an index of the windows. Weekly pages of earlier runs go, so the folder matches the index."""
    summary = frames.read_summary(args.summary)
    currency = summary.get("currency") or "USD"
    sample_data = summary.get("data_source") == "sample"
    store = frames.read_store(args.orders, args.store_sales)
    targets = {"target_roas": settings.targets.roas, "target_cpa": settings.targets.cpa,
               "gross_margin": settings.targets.gross_margin}
    common = {
        "ad_insights": frames.read_optional(args.ad_insights),
        "store": store,
        "sessions": frames.read_sessions(args.sessions),
        "ledger": frames.read_optional(args.ledger),
        "warnings": frames.read_optional(args.warnings),
        "currency": currency,
        "top_n": settings.report.top_n,
        "sample_data": sample_data,
        **targets,
    }
    windows = kpis.report_windows(kpis_period)
    weekly_dir = args.out_dir / "weekly"
    pages = {f"{period_report.window_stem(*window)}.html": period_report.period_page_html(
        kpis_period, *window, others=[other for other in windows if other != window], **common
    ) for window in windows}
    # metrics/summary.json names the week the latest window ends in; its page leads to that window's page.
    week = summary.get("week") or kpis.iso_week(windows[0][1])
    pages[f"{week}.html"] = period_report.week_pointer_html(week, *windows[0], sample_data=sample_data)
    for page in sorted(weekly_dir.glob("*.html")) if weekly_dir.is_dir() else []:
        if page.name not in pages:
            page.unlink()
            print(f"report: removed {page} (the ad data has no days: one page per reporting window)")
    for name, html in pages.items():
        io.write_text(html, weekly_dir / name)
        print(f"report: wrote {weekly_dir / name}")
    io.write_json({}, weekly_dir / MANIFEST)  # no weekly page is up to date once days arrive
    # No day has ad figures: the daily series is empty (store days alone would plot spend as 0).
    no_days = kpis.window_kpis(kpis_period.head(0), dt.date.min, dt.date.min)
    io.write_text(daily_plot_csv(kpis.account_daily(no_days, None)), args.daily_plot)
    rows = period_report.window_summaries(kpis_period, store, common["sessions"])
    index = args.out_dir / "index.html"
    io.write_text(period_report.index_html(rows, currency=currency, sample_data=sample_data, **targets), index)
    print(f"report: {len(windows)} reporting window(s), no days in the ad data; wrote {index}")


def _timed_render(week: str, parameters: dict, out_html: Path, notebook: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    path = render.render_week(week, parameters, out_html, notebook=notebook)
    return path, time.perf_counter() - started


def daily_plot_csv(account_daily: pl.DataFrame) -> str:
    """The account's daily series (spend, purchase value, store revenue, ROAS, MER) as CSV for `dvc plots`."""
    columns = ["date", "spend", "purchase_value", "revenue", "roas", "mer", "cpa", "ctr", "cvr"]
    return (
        account_daily.select(c for c in columns if c in account_daily.columns)
        .with_columns(pl.col(pl.Float64).round(6))
        .write_csv(date_format="%Y-%m-%d")
    )


if __name__ == "__main__":
    main()
