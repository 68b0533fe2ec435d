"""Stage `validate`: GX suites on the ingested tables; failing rows to quarantine; quality report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import polars as pl

from adlab import io, stage
from adlab.data_warnings import check_currencies, run_warnings
from adlab.quality import TABLE_COLUMNS, ledger_after_validation, merge_quarantine, validate_table
from adlab.report.quality_page import render_quality


def main(
    ingested: Annotated[Path, stage.path("folder written by the ingest stage")],
    out_dir: Annotated[Path, stage.path("folder for the validated tables")],
    quarantine_dir: Annotated[Path, stage.path("folder for quarantined rows")],
    quality_report: Annotated[Path, stage.path("HTML quality report to write")],
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    params = settings.validate
    min_date = dt.date.fromisoformat(params.min_date)
    # The only wall-clock read: rows dated in the future are quarantined.
    max_date = dt.date.today() + dt.timedelta(days=params.max_future_days)
    ledger = io.read_parquet(ingested / "ledger.parquet")
    tables = {table: io.read_parquet(ingested / f"{table}.parquet") for table in TABLE_COLUMNS}
    check_currencies(tables)
    all_checks = []
    for table, frame in tables.items():
        result = validate_table(frame, table, min_date, max_date)
        io.write_parquet(result.table, out_dir / f"{table}.parquet")
        set_aside = io.read_parquet(ingested / f"quarantine_{table}.parquet")
        io.write_parquet(merge_quarantine(set_aside, result.quarantine), quarantine_dir / f"{table}.parquet")
        ledger = ledger_after_validation(ledger, result.quarantined_rows)
        all_checks.append(result.checks)
        print(f"validate: {table}: {result.table.height} rows kept, {result.quarantine.height} quarantined")
    checks = pl.concat(all_checks)
    warnings = run_warnings(io.read_parquet(ingested / "warnings.parquet"), tables)
    io.write_parquet(ledger, out_dir / "ledger.parquet")
    io.write_parquet(checks, out_dir / "checks.parquet")
    io.write_parquet(warnings, out_dir / "warnings.parquet")
    sample = io.read_json(ingested / "inputs.json")["data_source"] == "sample"
    render_quality(ledger, checks, warnings, quality_report, sample_data=sample)


if __name__ == "__main__":
    stage.run(main)
