"""Stage `kpis`: daily, weekly and reporting-window KPIs per (campaign, ad set, ad), daily results per
result type, and metrics/summary.json."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from adlab import io
from adlab.errors import exit_on_error
from adlab.kpis import (
    build_period_summary,
    build_summary,
    compute_kpis_daily,
    compute_kpis_period,
    compute_kpis_weekly,
    compute_results_daily,
    results_summary,
    sessions_daily,
    store_daily,
    store_daily_from_sales,
    window_results_summary,
)
from adlab.params import load_params


@exit_on_error
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings file")
    parser.add_argument("--interim", type=Path, required=True, help="folder of validated tables")
    parser.add_argument("--inputs", type=Path, required=True, help="inputs.json written by ingest")
    parser.add_argument("--out-dir", type=Path, required=True, help="folder for the KPI tables")
    parser.add_argument("--summary", type=Path, required=True, help="metrics JSON to write")
    args = parser.parse_args()

    params = load_params(args.params).kpis
    ad_insights = io.read_parquet(args.interim / "ad_insights.parquet")
    orders = io.read_parquet(args.interim / "orders.parquet")
    kpis_daily = compute_kpis_daily(ad_insights, params.hold_rate_base)
    kpis_weekly = compute_kpis_weekly(kpis_daily, params.hold_rate_base)
    results_daily = compute_results_daily(ad_insights)
    kpis_period = compute_kpis_period(ad_insights, params.hold_rate_base)
    store_sales = io.read_parquet(args.interim / "store_sales.parquet")
    # The orders export is the store's truth; Shopify Analytics sales stand in without one.
    store = (
        store_daily(orders) if orders.height else store_daily_from_sales(store_sales) if store_sales.height else None
    )
    # The account currency; a store without ads takes its orders' (check_currencies made sure they agree).
    currency = next((frame["currency"].drop_nulls().first() for frame in (ad_insights, orders)
                     if frame["currency"].drop_nulls().len()), None)
    # Exports without days (one row per reporting window) report their latest window instead of a week.
    by_window = kpis_daily.is_empty() and not kpis_period.is_empty()
    summary = (build_period_summary if by_window else build_summary)(
        kpis_period if by_window else kpis_daily, store,
        io.read_parquet(args.interim / "ledger.parquet"), currency,
        io.read_json(args.inputs)["data_source"], sessions_daily(io.read_parquet(args.interim / "sessions.parquet")),
    )
    # Results by type (leads, messaging conversations, ...), never one sum: what an account without purchases has.
    if by_window:
        # A window export has no daily results: the latest window's results by type (no previous window figures).
        window = (dt.date.fromisoformat(summary["period"]["start"]), dt.date.fromisoformat(summary["period"]["end"]))
        summary["results"], summary["previous"]["results"] = window_results_summary(ad_insights, *window), []
    else:
        summary["results"] = results_summary(results_daily, summary["week"])
        summary["previous"]["results"] = results_summary(results_daily, summary["previous"]["week"])
    io.write_parquet(kpis_daily, args.out_dir / "kpis_daily.parquet")
    io.write_parquet(kpis_weekly, args.out_dir / "kpis_weekly.parquet")
    io.write_parquet(results_daily, args.out_dir / "results_daily.parquet")
    io.write_parquet(kpis_period, args.out_dir / "kpis_period.parquet")
    io.write_json(summary, args.summary)
    spend = "–" if summary["spend"] is None else f"{summary['spend']:,.2f} {currency or ''}".rstrip()
    roas = "–" if summary["roas"] is None else f"{summary['roas']:.2f}"
    print(f"kpis: {kpis_daily.height} daily rows, {kpis_weekly.height} weekly rows, {kpis_period.height} "
          f"reporting-window rows; {'latest window' if by_window else 'latest complete week'} "
          f"{summary['period'] if by_window else summary['week'] or '–'}: spend {spend}, ROAS {roas}, store revenue "
          f"{'–' if summary['revenue'] is None else format(summary['revenue'], ',.2f')}")


if __name__ == "__main__":
    main()
