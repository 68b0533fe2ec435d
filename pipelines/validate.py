"""Stage `validate`: GX suites on the ingested tables; failing rows to quarantine; quality report."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import polars as pl

from adlab import io
from adlab.errors import exit_on_error
from adlab.params import load_params
from adlab.quality import (
    TABLE_COLUMNS,
    attribution_warnings,
    check_currencies,
    unknown_currency_warnings,
    validate_table,
)
from adlab.report.quality_page import render_quality


@exit_on_error
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings file")
    parser.add_argument("--ingested", type=Path, required=True, help="folder written by the ingest stage")
    parser.add_argument("--out-dir", type=Path, required=True, help="folder for the validated tables")
    parser.add_argument("--quarantine-dir", type=Path, required=True, help="folder for quarantined rows")
    parser.add_argument("--quality-report", type=Path, required=True, help="HTML quality report to write")
    args = parser.parse_args()

    params = load_params(args.params).validate
    min_date = dt.date.fromisoformat(params.min_date)
    # The only wall-clock read: rows dated in the future are quarantined.
    max_date = dt.date.today() + dt.timedelta(days=params.max_future_days)
    ledger = io.read_parquet(args.ingested / "ledger.parquet")
    all_checks = []
    ingested = {table: io.read_parquet(args.ingested / f"{table}.parquet") for table in TABLE_COLUMNS}
    check_currencies(ingested)
    for table, frame in ingested.items():
        result = validate_table(frame, table, min_date, max_date)
        io.write_parquet(result.table, args.out_dir / f"{table}.parquet")
        quarantine = pl.concat(
            [io.read_parquet(args.ingested / f"quarantine_{table}.parquet"), result.quarantine], how="diagonal"
        )
        quarantine = quarantine.with_columns(
            pl.col("source_row").cast(pl.Int64, strict=False) if "source_row" in quarantine.columns
            else pl.lit(None, pl.Int64).alias("source_row")
        )
        io.write_parquet(quarantine, args.quarantine_dir / f"{table}.parquet")
        moved = pl.col("source_file").replace_strict(result.quarantined_rows, default=0, return_dtype=pl.Int64)
        ledger = ledger.with_columns(
            (pl.col("kept") - moved).alias("kept"), (pl.col("quarantined") + moved).alias("quarantined")
        )
        all_checks.append(result.checks)
        print(f"validate: {table}: {result.table.height} rows kept, {result.quarantine.height} quarantined")
    checks = pl.concat(all_checks)
    warnings = pl.concat([io.read_parquet(args.ingested / "warnings.parquet"), unknown_currency_warnings(ingested)])
    mixed = attribution_warnings(ingested["ad_insights"])
    if mixed:
        warnings = pl.concat([warnings, pl.DataFrame(mixed, schema=warnings.schema)])
    io.write_parquet(ledger, args.out_dir / "ledger.parquet")
    io.write_parquet(checks, args.out_dir / "checks.parquet")
    io.write_parquet(warnings, args.out_dir / "warnings.parquet")
    sample = io.read_json(args.ingested / "inputs.json")["data_source"] == "sample"
    render_quality(ledger, checks, warnings, args.quality_report, sample_data=sample)


if __name__ == "__main__":
    main()
