"""Stage `report`: one HTML page per ISO week (the latest complete weeks plus any extra), then the index."""

from __future__ import annotations

import argparse
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl

from adlab import kpis, report
from adlab.errors import AdlabError, exit_on_error
from adlab.params import Params, load_params

# Each week runs its own kernel; the machines this runs on have 2 cores.
WORKERS = 2


def read_settings(path: Path) -> Params:
    """The `targets` and `report` sections of params.yaml, typed and checked."""
    return load_params(path)


def weeks_to_render(kpis_daily: pl.DataFrame, latest: int, extra: list[str]) -> tuple[list[str], list[str]]:
    """The `latest` newest complete ISO weeks plus the extra ones with ad data, newest first; and the skipped extras.

    Without a complete week, the newest (partial) week, so a short export still gets a page.
    """
    first_day, last_day = kpis_daily["date"].min(), kpis_daily["date"].max()
    complete = kpis.complete_weeks(last_day, first_day)[:latest] or [kpis.iso_week(last_day)]
    with_data = {week for week in extra if report.days_with_data(kpis_daily, week)}
    return sorted(set(complete) | with_data, reverse=True), sorted(set(extra) - with_data)


@exit_on_error
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kpis-daily", type=Path, required=True, help="kpis_daily.parquet from the kpis stage")
    parser.add_argument("--kpis-weekly", type=Path, required=True, help="kpis_weekly.parquet from the kpis stage")
    parser.add_argument("--orders", type=Path, required=True, help="orders.parquet (may be absent or empty)")
    parser.add_argument("--summary", type=Path, required=True, help="metrics/summary.json from the kpis stage")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings file")
    parser.add_argument("--notebook", type=Path, default=Path("notebooks/weekly_report.ipynb"),
                        help="papermill template of the weekly page")
    parser.add_argument("--out-dir", type=Path, default=Path("reports"), help="folder for index.html and weekly/")
    args = parser.parse_args()

    settings = read_settings(args.params)
    kpis_daily = report.read_kpis(args.kpis_daily)
    if kpis_daily.is_empty():
        raise AdlabError(f"{args.kpis_daily}: holds no ad data, so there is no week to report; check data/raw/.")
    summary = report.read_summary(args.summary)
    currency = summary.get("currency") or "USD"
    sample_data = summary.get("data_source") == "sample"
    weeks, skipped = weeks_to_render(kpis_daily, settings.report.weeks, settings.report.extra_weeks)
    for week in skipped:
        print(f"report: skipped {week} from report.extra_weeks: no ad data in that week")
    parameters = {
        "kpis_daily_path": args.kpis_daily,
        "kpis_weekly_path": args.kpis_weekly,
        "orders_path": args.orders,
        "summary_path": args.summary,
        "currency": currency,
        "target_roas": settings.targets.roas,
        "target_cpa": settings.targets.cpa,
        "gross_margin": settings.targets.gross_margin,
        "top_n": settings.report.top_n,
        "sample_data": sample_data,
    }
    # Fresh interpreters (spawn): forking a process that already runs polars' thread pool can hang.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(WORKERS, len(weeks)), mp_context=context) as pool:
        jobs = [
            pool.submit(report.render_week, week, parameters, args.out_dir / "weekly" / f"{week}.html",
                        notebook=args.notebook)
            for week in weeks
        ]
        for job in jobs:
            print(f"report: wrote {job.result()}")

    index = report.render_index(
        report.week_summaries(kpis_daily, report.read_store(args.orders), weeks),
        args.out_dir / "index.html",
        currency=currency,
        sample_data=sample_data,
        target_roas=settings.targets.roas,
        target_cpa=settings.targets.cpa,
        gross_margin=settings.targets.gross_margin,
    )
    print(f"report: wrote {index}")


if __name__ == "__main__":
    main()
