"""Stage `recommend`: this week's actions per ad set and ad (pause, scale, refresh_creative, keep, wait)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from adlab import accounts, cluster, io, partitions, stage
from adlab.insights import neutralise_formulas
from adlab.insights.recommend import SORT_KEYS, account_recommendations
from adlab.params import check_accounts

STAGE = partitions.Stage("recommend", account_recommendations, SORT_KEYS)


def main(
    kpis_daily: Annotated[Path, stage.path("kpis_daily.parquet from the kpis stage")],
    out: Annotated[Path, stage.path("recommendations.csv to write")],
    partitions_dir: Annotated[Path, stage.path("folder of the per-account partitions (kept between runs)")],
    results_daily: Annotated[
        Path | None, stage.path("results_daily.parquet: judges entities without purchases by cost per result")
    ] = None,
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    daily = io.read_parquet(kpis_daily)
    check_accounts(settings, accounts.names(daily), Path("params.yaml"))
    inputs = {"kpis_daily": daily}
    if results_daily:
        inputs["results_daily"] = io.read_parquet(results_daily)
    table = partitions.run_by_account(
        STAGE,
        inputs,
        settings.for_account,
        partitions_dir,
        lambda accounts, rows: cluster.choose(accounts, rows, settings.cluster),
    )["recommendations"]
    if len(accounts.names(daily)) < 2:  # one account: no account column, as for a single store
        table = table.drop("account", strict=False)
    io.write_text(neutralise_formulas(table).write_csv(), out)
    counts = dict(table.group_by("action").len().sort("action").iter_rows())
    print("recommend: " + ", ".join(f"{count} {action}" for action, count in counts.items()))


if __name__ == "__main__":
    stage.run(main)
