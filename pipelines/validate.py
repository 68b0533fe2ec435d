"""Stage `validate`: GX suites on the ingested tables; failing rows to quarantine; quality report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import polars as pl

from adlab import cluster, io, partitions, stage
from adlab.data_warnings import check_currencies, run_warnings
from adlab.quality import TABLE_COLUMNS, ledger_after_validation, merge_quarantine
from adlab.quality_accounts import VALIDATED_OUTPUTS, merge_checks, validate_accounts
from adlab.report.quality_page import render_quality
from adlab.schema import COST_TABLES

# GX has a cost per validation: a task's accounts are validated in one pass (quality_accounts).
# One task per worker: each task pays one great-expectations pass per table, whatever its accounts.
STAGE = partitions.Stage("validate", None, VALIDATED_OUTPUTS, many=validate_accounts, tasks_per_worker=1)


def main(
    ingested: Annotated[Path, stage.path("folder written by the ingest stage")],
    out_dir: Annotated[Path, stage.path("folder for the validated tables")],
    quarantine_dir: Annotated[Path, stage.path("folder for quarantined rows")],
    quality_report: Annotated[Path, stage.path("HTML quality report to write")],
    partitions_dir: Annotated[Path, stage.path("folder of the per-account partitions (kept between runs)")],
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    params = settings.validate
    min_date = dt.date.fromisoformat(params.min_date)
    # The only wall-clock read: rows dated in the future are quarantined.
    max_date = dt.date.today() + dt.timedelta(days=params.max_future_days)
    ledger = io.read_parquet(ingested / "ledger.parquet")
    tables = {table: io.read_parquet(ingested / f"{table}.parquet") for table in TABLE_COLUMNS}
    check_currencies(tables)
    validated = partitions.run_by_account(
        STAGE,
        tables,
        lambda account: (min_date, max_date),
        partitions_dir,
        lambda accounts, rows: cluster.choose(accounts, rows, settings.cluster),
    )
    quarantined = validated["quarantined_rows"].group_by("source_file", maintain_order=True).agg(pl.col("rows").sum())
    ledger = ledger_after_validation(ledger, dict(quarantined.iter_rows()))
    for table in tables:
        kept, failed = validated[table], validated[f"quarantine_{table}"]
        io.write_parquet(kept, out_dir / f"{table}.parquet")
        set_aside = io.read_parquet(ingested / f"quarantine_{table}.parquet")
        io.write_parquet(merge_quarantine(set_aside, failed), quarantine_dir / f"{table}.parquet")
        print(f"validate: {table}: {kept.height} rows kept, {failed.height} quarantined")
    # Order lines and unit costs have no suite of their own: the lines of an order set aside go with it.
    kept_orders = validated["orders"].select("account", "order_id", "source_file")
    lines = io.read_parquet(ingested / "order_lines.parquet")
    lines = lines.join(kept_orders, on=["account", "order_id", "source_file"], how="semi", nulls_equal=True)
    io.write_parquet(lines.sort(list(COST_TABLES["order_lines"][1]), nulls_last=True), out_dir / "order_lines.parquet")
    io.write_parquet(io.read_parquet(ingested / "unit_costs.parquet"), out_dir / "unit_costs.parquet")
    io.write_parquet(io.read_parquet(ingested / "quarantine_unit_costs.parquet"), quarantine_dir / "unit_costs.parquet")
    checks = merge_checks(validated["checks"])
    warnings = run_warnings(io.read_parquet(ingested / "warnings.parquet"), tables)
    io.write_parquet(ledger, out_dir / "ledger.parquet")
    io.write_parquet(checks, out_dir / "checks.parquet")
    io.write_parquet(warnings, out_dir / "warnings.parquet")
    sample = io.read_json(ingested / "inputs.json")["data_source"] == "sample"
    render_quality(ledger, checks, warnings, quality_report, sample_data=sample)


if __name__ == "__main__":
    stage.run(main)
