"""Stage `report`: one HTML page per ISO week, re-rendering only the weeks whose inputs changed, then the index."""

from __future__ import annotations

import argparse
from pathlib import Path

from adlab.errors import exit_on_error
from adlab.params import load_params
from adlab.report.build import ReportPaths, build_reports


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

    # Every option but --params names a file of ReportPaths.
    paths = ReportPaths(**{name: value for name, value in vars(args).items() if name != "params"})
    build_reports(paths, load_params(args.params))


if __name__ == "__main__":
    main()
