"""Stage `creatives`: performance per creative and per creative attribute, with fatigue per ad."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from adlab import accounts, cluster, io, partitions, stage
from adlab.creatives import SORT_KEYS, account_creatives, creatives_settings, metadata_by_ad

STAGE = partitions.Stage("creatives", account_creatives, SORT_KEYS)


def main(
    kpis_daily: Annotated[Path, stage.path("kpis_daily.parquet from the kpis stage")],
    out: Annotated[Path, stage.path("creatives.parquet to write")],
    partitions_dir: Annotated[Path, stage.path("folder of the per-account partitions (kept between runs)")],
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    params = settings.creatives
    daily = io.read_parquet(kpis_daily)
    metadata = None
    if params.metadata_file:
        path = Path(params.metadata_file)
        metadata = metadata_by_ad(io.read_tables(path)[0].frame, path)
    creatives = partitions.run_by_account(
        STAGE,
        {"kpis_daily": daily},
        lambda account: (creatives_settings(settings, account), settings.kpis.hold_rate_base, metadata),
        partitions_dir,
        lambda accounts, rows: cluster.choose(accounts, rows, settings.cluster),
    )["creatives"]
    if len(accounts.names(daily)) < 2:  # one account: no account column, as for a single store
        creatives = creatives.drop("account", strict=False)
    io.write_parquet(creatives, out)
    print(f"creatives: {creatives.height} creatives, {creatives['fatigued'].sum()} fatigued creative(s)")


if __name__ == "__main__":
    stage.run(main)
