"""Stage `creatives`: performance per creative and per creative attribute, with fatigue per ad."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from adlab import io
from adlab.creatives import ad_fatigue, compute_creative_kpis, creative_attributes
from adlab.errors import AdlabError, exit_on_error
from adlab.params import load_params


def read_metadata(path: Path) -> pl.DataFrame:
    """The optional creative metadata CSV: `Ad name` (or `ad`) plus one column per attribute."""
    table = io.read_tables(path)[0].frame
    name = next((c for c in table.columns if c.strip().lower() in ("ad name", "ad")), None)
    if name is None:
        raise AdlabError(f"{path}: no `Ad name` column; the creative metadata file needs one to match ads.")
    return table.rename({name: "ad"}).rename(lambda c: c if c == "ad" else c.strip().lower().replace(" ", "_"))


@exit_on_error
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings file")
    parser.add_argument("--kpis-daily", type=Path, required=True, help="kpis_daily.parquet from the kpis stage")
    parser.add_argument("--out", type=Path, required=True, help="creatives.parquet to write")
    args = parser.parse_args()

    params = load_params(args.params)
    settings = params.creatives
    kpis_daily = io.read_parquet(args.kpis_daily)
    metadata = read_metadata(Path(settings.metadata_file)) if settings.metadata_file else None
    attributes = creative_attributes(kpis_daily["ad"].drop_nulls().unique().to_list(), settings.naming_rules, metadata)
    fatigue = ad_fatigue(kpis_daily, settings.fatigue_min_days, settings.fatigue_ctr_drop,
                         settings.fatigue_frequency_rise)
    creatives = compute_creative_kpis(kpis_daily, attributes, fatigue, params.kpis.hold_rate_base)
    io.write_parquet(creatives, args.out)
    fatigued = fatigue.filter("fatigued").height
    print(f"creatives: {creatives.height} creatives, {fatigued} fatigued ad(s)")


if __name__ == "__main__":
    main()
