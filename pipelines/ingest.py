"""Stage `ingest`: every export in raw_dir (or the sample) -> canonical tables + row ledger."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from adlab import io
from adlab.errors import exit_on_error
from adlab.ingest import choose_inputs, ingest
from adlab.params import load_params


@exit_on_error
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"), help="settings file")
    parser.add_argument("--out-dir", type=Path, required=True, help="folder for the ingested tables")
    args = parser.parse_args()

    params = load_params(args.params).ingest
    root = Path.cwd()
    files, is_sample = choose_inputs(root / params.raw_dir, root / params.sample_dir)
    raw_dir = None if is_sample else root / params.raw_dir
    result = ingest(files, root, io.read_or_create_salt(root / params.salt_file), raw_dir)
    for message in result.warnings.filter(pl.col("check") == "not_readable")["message"]:
        print(f"adlab: warning: {message}", file=sys.stderr)

    for table, frame in result.tables.items():
        io.write_parquet(frame, args.out_dir / f"{table}.parquet")
    for table, frame in result.quarantine.items():
        io.write_parquet(frame, args.out_dir / f"quarantine_{table}.parquet")
    io.write_parquet(result.ledger, args.out_dir / "ledger.parquet")
    io.write_parquet(result.warnings, args.out_dir / "warnings.parquet")
    io.write_json({"data_source": "sample" if is_sample else "raw", "files": [str(f.relative_to(root)) for f in files]},
                  args.out_dir / "inputs.json")
    source = "the embedded sample data (data/raw/ holds no export)" if is_sample else params.raw_dir
    print(f"ingest: {len(files)} file(s) from {source}; {int(result.ledger['rows_in'].sum())} rows in")


if __name__ == "__main__":
    main()
