"""Stage `ingest`: every export in raw_dir (or the sample) -> canonical tables + row ledger."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import polars as pl

from adlab import cluster, io, stage
from adlab.ingest import account_folder, choose_inputs, ingest, merge_reads, parse_each

# About how many bytes of export make one ad row: sizes the work before any file is read.
BYTES_PER_ROW = 500


def main(
    out_dir: Annotated[Path, stage.path("folder for the ingested tables")],
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    params = settings.ingest
    root = Path.cwd()
    files, is_sample = choose_inputs(root / params.raw_dir, root / params.sample_dir)
    raw_dir = None if is_sample else root / params.raw_dir
    salt = io.read_or_create_salt(root / params.salt_file)
    # Files are parsed apart (on a Dask cluster when there are many accounts), then de-duplicated together.
    sizes = [path.stat().st_size for path in files]
    folders = {account_folder(path, raw_dir) for path in files}
    where = cluster.choose(len(folders), sum(sizes) // BYTES_PER_ROW, settings.cluster)
    items = [(path, root, salt, raw_dir) for path in files]
    rows = [size // BYTES_PER_ROW for size in sizes]  # tasks are sized in rows (cluster.MAX_TASK_ROWS)
    read = merge_reads(cluster.run(parse_each, items, rows, where, label="ingest", unit="files"))
    result = ingest(files, root, salt, raw_dir, read)
    for message in result.warnings.filter(pl.col("check") == "not_readable")["message"]:
        print(f"adlab: warning: {message}", file=sys.stderr)

    for table, frame in {**result.tables, **result.costs}.items():
        io.write_parquet(frame, out_dir / f"{table}.parquet")
    for table, frame in result.quarantine.items():
        io.write_parquet(frame, out_dir / f"quarantine_{table}.parquet")
    io.write_parquet(result.ledger, out_dir / "ledger.parquet")
    io.write_parquet(result.warnings, out_dir / "warnings.parquet")
    io.write_json(
        {"data_source": "sample" if is_sample else "raw", "files": [str(f.relative_to(root)) for f in files]},
        out_dir / "inputs.json",
    )
    source = "the embedded sample data (data/raw/ holds no export)" if is_sample else params.raw_dir
    print(f"ingest: {len(files)} file(s) from {source}; {int(result.ledger['rows_in'].sum())} rows in")


if __name__ == "__main__":
    stage.run(main)
