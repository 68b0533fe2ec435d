"""Stage `recommend`: this week's actions per ad set and ad (pause, scale, refresh_creative, keep, wait)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from adlab import io, stage
from adlab.creatives import ad_fatigue
from adlab.insights import neutralise_formulas, recommendations


def main(
    kpis_daily: Annotated[Path, stage.path("kpis_daily.parquet from the kpis stage")],
    out: Annotated[Path, stage.path("recommendations.csv to write")],
    results_daily: Annotated[
        Path | None, stage.path("results_daily.parquet: judges entities without purchases by cost per result")
    ] = None,
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    daily = io.read_parquet(kpis_daily)
    fatigue = ad_fatigue(
        daily,
        settings.creatives.fatigue_min_days,
        settings.creatives.fatigue_ctr_drop,
        settings.creatives.fatigue_frequency_rise,
    )
    results = io.read_parquet(results_daily) if results_daily else None
    table = recommendations(daily, settings, fatigue, results)
    io.write_text(neutralise_formulas(table).write_csv(), out)
    counts = dict(table.group_by("action").len().sort("action").iter_rows())
    print("recommend: " + ", ".join(f"{count} {action}" for action, count in counts.items()))


if __name__ == "__main__":
    stage.run(main)
