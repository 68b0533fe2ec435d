"""Stage `creatives`: performance per creative and per creative attribute, with fatigue per ad."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from adlab import io, stage
from adlab.creatives import ad_fatigue, compute_creative_kpis, creative_attributes, metadata_by_ad


def main(
    kpis_daily: Annotated[Path, stage.path("kpis_daily.parquet from the kpis stage")],
    out: Annotated[Path, stage.path("creatives.parquet to write")],
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    params = settings.creatives
    daily = io.read_parquet(kpis_daily)
    metadata = None
    if params.metadata_file:
        path = Path(params.metadata_file)
        metadata = metadata_by_ad(io.read_tables(path)[0].frame, path)
    attributes = creative_attributes(daily["ad"].drop_nulls().unique().to_list(), params.naming_rules, metadata)
    fatigue = ad_fatigue(daily, params.fatigue_min_days, params.fatigue_ctr_drop, params.fatigue_frequency_rise)
    creatives = compute_creative_kpis(daily, attributes, fatigue, settings.kpis.hold_rate_base)
    io.write_parquet(creatives, out)
    print(f"creatives: {creatives.height} creatives, {fatigue.filter('fatigued').height} fatigued ad(s)")


if __name__ == "__main__":
    stage.run(main)
