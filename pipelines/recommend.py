"""Stage `recommend`: this week's actions per ad set and ad (pause, scale, refresh_creative, keep, wait)."""

from __future__ import annotations

import argparse
from pathlib import Path

from adlab import io
from adlab.creatives import ad_fatigue
from adlab.errors import exit_on_error
from adlab.insights import neutralise_formulas, recommendations
from adlab.params import load_params


@exit_on_error
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings file")
    parser.add_argument("--kpis-daily", type=Path, required=True, help="kpis_daily.parquet from the kpis stage")
    parser.add_argument("--results-daily", type=Path, default=None,
                        help="results_daily.parquet: judges entities without purchases by cost per result")
    parser.add_argument("--out", type=Path, required=True, help="recommendations.csv to write")
    args = parser.parse_args()

    params = load_params(args.params)
    kpis_daily = io.read_parquet(args.kpis_daily)
    fatigue = ad_fatigue(kpis_daily, params.creatives.fatigue_min_days, params.creatives.fatigue_ctr_drop,
                         params.creatives.fatigue_frequency_rise)
    results_daily = io.read_parquet(args.results_daily) if args.results_daily else None
    table = recommendations(kpis_daily, params, fatigue, results_daily)
    io.write_text(neutralise_formulas(table).write_csv(), args.out)
    counts = dict(table.group_by("action").len().sort("action").iter_rows())
    print("recommend: " + ", ".join(f"{count} {action}" for action, count in counts.items()))


if __name__ == "__main__":
    main()
