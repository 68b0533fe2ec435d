"""Detect, parse, normalise, de-duplicate and quarantine every export; keep the row ledger.

Re-exports overlap: of the rows sharing a key the newest export's wins (latest reporting window end, then
file path order). Every input row ends in one place, so per file rows_in = kept + replaced + totals +
quarantined.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import polars as pl

from adlab.errors import AdlabError
from adlab.io import DeferredReadError, RawTable, list_exports, read_tables
from adlab.schema import COST_TABLES, ENTITY_IDS, INPUT_ROWS, LEDGER, ORDER_LINES, TABLES, WARNINGS, empty
from adlab.sources import KINDS, Parsed, other, shopify_orders
from adlab.sources.locale import localize


@dataclass
class Ingested:
    """The canonical tables (each validated later), their quarantined rows, the per-file ledger and warnings,
    and the tables that cost the store's goods (`costs`: order_lines, unit_costs; quarantined unit costs are in
    `quarantine`)."""

    tables: dict[str, pl.DataFrame]
    quarantine: dict[str, pl.DataFrame]
    ledger: pl.DataFrame
    warnings: pl.DataFrame
    costs: dict[str, pl.DataFrame] = field(default_factory=dict)


def choose_inputs(raw_dir: Path, sample_dir: Path) -> tuple[list[Path], bool]:
    """The exports to read and whether they are the embedded sample (only when raw_dir holds none)."""
    raw = list_exports(raw_dir)
    if raw:
        return raw, False
    sample = list_exports(sample_dir)
    if not sample:
        raise AdlabError(f"{raw_dir} holds no export and {sample_dir} is empty; drop your exports into {raw_dir}.")
    return sample, True


def detect_source(raw: RawTable, label: str) -> ModuleType | None:
    """The export kind whose required columns the header holds; None when none does.

    Raises:
        AdlabError: no kind matches and `label` is a whole file; names the closest kind and its missing columns.
    """
    scored = [(source.detect(raw), source) for source in KINDS]
    best, source = max(scored, key=lambda pair: pair[0].score)
    if best.score >= 1:
        return source
    if raw.part:
        return None
    raise AdlabError(
        f"{label}: not a known export; the closest kind is {best.kind}, "
        f"which also needs the column(s): {', '.join(best.missing)}."
    )


def parse_file(path: Path, label: str, salt: str) -> list[tuple[str, Parsed, int]]:
    """Read and parse every table of one file: (table label, what it gave, its number of data rows).

    In a workbook or multi-table file, tables of no known kind are reported as
    not used; the file stops the run only when none of its tables is known.
    """
    try:
        return parse_tables(read_tables(path), label, salt)
    except DeferredReadError:
        return parse_tables(read_tables(path, fast=False), label, salt)


def parse_tables(tables: list[RawTable], label: str, salt: str) -> list[tuple[str, Parsed, int]]:
    """`parse_file` for the tables read from one file."""
    results = []
    for raw in tables:
        where = f"{label} [{raw.part}]" if raw.part else label
        raw = localize(raw)  # a localized header reads as its English twin
        source = detect_source(raw, where)
        if source is None:
            results.append(
                (
                    where,
                    Parsed(
                        other.KIND,
                        "",
                        pl.DataFrame(),
                        pl.DataFrame(),
                        warnings=[
                            {
                                "source_file": where,
                                "check": "not_used",
                                "message": f"table ({' | '.join(raw.header[:3])}) is of no known kind; not used",
                            }
                        ],
                    ),
                    0,
                )
            )
            continue
        results.append(
            (where, with_cut_row(raw, source.parse(raw, where, salt), where), raw.cells.height + bool(raw.cut_row))
        )
    if all(parsed.kind == other.KIND for _, parsed, _ in results) and len(tables) > 1:
        raise AdlabError(f"{label}: none of its {len(tables)} tables is a known export.")
    return results


def with_cut_row(raw: RawTable, parsed: Parsed, where: str) -> Parsed:
    """`parsed` with the row the file ends inside of (a cut file) quarantined, its values as written.

    Only columns the source's own quarantine keeps are kept (store exports drop personal data there).
    """
    if not raw.cut_row:
        return parsed
    values = dict(zip(raw.written or raw.header, raw.cut_row, strict=False))  # quarantine names as written
    columns = [name for name in parsed.quarantine.columns if name in values]
    cut = pl.DataFrame([[values[name] for name in columns]], schema=dict.fromkeys(columns, pl.String), orient="row")
    reason = f"the file ends inside this row ({len(raw.cut_row)} of {len(raw.header)} fields); export it again"
    cut = cut.with_columns(
        pl.lit(raw.first_row + raw.cells.height, pl.Int64).alias("source_row"),
        pl.lit(reason).alias("reason"),
        pl.lit(where).alias("source_file"),
    )
    parsed.quarantine = pl.concat([parsed.quarantine, cut], how="diagonal_relaxed")
    return parsed


def fill_accounts(parsed: dict[str, Parsed], folders: dict[str, str | None]) -> None:
    """Rows without an account take the one account their folder's exports name, else the folder's name.

    An export with `Account name` and an overlapping one without it, side by side, are the same account:
    were they two, the overlap would count twice. A folder whose exports name several accounts (or
    none) gives its own name (`data/raw/<account>/`); files right in data/raw/ then stay the default account.
    """
    named: dict[str | None, set[str]] = {}
    for label, result in parsed.items():
        if "account" in result.rows.columns:
            named.setdefault(folders[label], set()).update(result.rows["account"].drop_nulls().unique().to_list())
    for label, result in parsed.items():
        folder = folders[label]
        accounts = named.get(folder, set())
        account = next(iter(accounts)) if len(accounts) == 1 else folder
        if account is not None and "account" in result.rows.columns:
            result.rows = result.rows.with_columns(pl.col("account").fill_null(account))
            result.side = {
                name: side.with_columns(pl.col("account").fill_null(account)) for name, side in result.side.items()
            }


def _file_order(parsed: dict[str, Parsed]) -> dict[str, int]:
    """Rank of each file: later reporting window end first wins, ties by path order (later path wins)."""
    ranked = sorted(parsed, key=lambda label: (parsed[label].window_end or dt.date.min, label))
    return {label: rank for rank, label in enumerate(ranked)}


def identity_key(key: tuple[str, ...]) -> list[pl.Expr]:
    """The key as expressions: an entity with an ID is that ID, whatever its name (renamed ads stay one ad)."""
    exprs = []
    for name in key:
        if name in ENTITY_IDS.values():
            continue
        if name in ENTITY_IDS and ENTITY_IDS[name] in key:
            by_id = pl.concat_str(pl.lit("\x00id "), pl.col(ENTITY_IDS[name]))
            exprs.append(pl.coalesce(by_id, pl.col(name)).alias(name))
        else:
            exprs.append(pl.col(name))
    return exprs


def fill_ids(rows: pl.DataFrame) -> pl.DataFrame:
    """Ad rows with an entity's ID filled where another export names the same entity with exactly one ID.

    An export without IDs and one with IDs that overlap must still replace each other's rows:
    without this their keys (ID vs name) would differ and the overlap would be counted twice.
    """
    path = ["account", "platform_source"]
    for level, id_column in ENTITY_IDS.items():
        path.append(level)
        nulls = rows[id_column].null_count()
        if nulls in (0, rows.height) or level not in rows.columns:
            continue
        known = (
            rows.lazy()
            .filter(pl.col(id_column).is_not_null() & pl.col(level).is_not_null())
            .group_by(path)
            .agg(pl.col(id_column).unique().alias("_ids"))
            .filter(pl.col("_ids").list.len() == 1)
            .select(*path, pl.col("_ids").list.first().alias("_id"))
            .collect()
        )
        rows = (
            rows.join(known, on=path, how="left", nulls_equal=True, maintain_order="left")
            .with_columns(pl.col(id_column).fill_null(pl.col("_id")))
            .drop("_id")
        )
    return rows


def deduplicate(rows: pl.DataFrame, key: tuple[str, ...], ranks: dict[str, int]) -> tuple[pl.DataFrame, ...]:
    """Split rows into (kept, replaced by a newer export, duplicated within their own file).

    Within a file the first row of a key is kept; across files the row of the
    newest export (latest window end, then path order) wins.
    """
    if rows.height == 0:
        return rows, rows.clear(), rows.clear()
    identity = identity_key(key)
    if rows["source_file"].n_unique() == 1 and not rows.select(pl.struct(identity).is_duplicated().any()).item():
        return rows, rows.clear(), rows.clear()  # one file, one row per key: the usual case, nothing copied
    order_key = pl.col("source_file").replace_strict(ranks, return_dtype=pl.Int64)
    rows = rows.with_columns(order_key.alias("_rank"), pl.int_range(pl.len()).alias("_pos"))
    first_in_file = pl.col("_pos") == pl.col("_pos").min().over([*identity, "source_file"], order_by=None)
    within = rows.filter(~first_in_file)
    unique = rows.filter(first_in_file)
    if unique["_rank"].n_unique() == 1:  # one file: nothing to replace
        return unique.drop("_rank", "_pos"), rows.clear().drop("_rank", "_pos"), within.drop("_rank", "_pos")
    newest = pl.col("_rank") == pl.col("_rank").max().over(identity)
    kept = unique.filter(newest).drop("_rank", "_pos")
    replaced = unique.filter(~newest).drop("_rank", "_pos")
    return kept, replaced, within.drop("_rank", "_pos")


def account_folder(path: Path, raw_dir: Path | None) -> str | None:
    """The account a file belongs to by where it lies: the first folder under raw_dir (`data/raw/<account>/...`)."""
    if raw_dir is None or not path.is_relative_to(raw_dir):
        return None
    parts = path.relative_to(raw_dir).parts
    return parts[0] if len(parts) > 1 else None


def ingest(
    files: list[Path], root: Path, salt: str, raw_dir: Path | None = None, read: FilesRead | None = None
) -> Ingested:
    """Parse every file into canonical tables with a balanced ledger.

    Rows without an `Account name` / `Account ID` take their account from the file's first
    folder under `raw_dir` (none for the embedded sample), see `fill_accounts`. Files that cannot be used are
    listed together: as warnings when other files can be used, else in one error. `read`: the files already
    parsed (`parse_each`, e.g. on a Dask cluster, then `merge_reads`).

    Raises:
        AdlabError: no file can be used; names every file and why.
    """
    read = read or _parse_files(files, root, salt, raw_dir)
    parsed = read.parsed
    unused = read.unused + _unusable_warnings(read.unusable, parsed)
    fill_accounts(parsed, read.folders)

    ranks = _file_order(parsed)
    tables, quarantine, counts = {}, {}, {label: {"kept": 0, "replaced": 0, "dup": 0} for label in parsed}
    for table, (columns, key) in {**TABLES, "unit_costs": COST_TABLES["unit_costs"]}.items():
        labels = [label for label, p in parsed.items() if p.table == table]
        tables[table], within = _table_rows(table, columns, key, parsed, labels, ranks, counts)
        quarantine[table] = _table_quarantine(parsed, labels, within)
    costs = {
        "order_lines": _order_lines(parsed, tables["orders"]),
        "unit_costs": tables.pop("unit_costs").drop(INPUT_ROWS),  # no later stage counts its rows again
    }
    ledger = _ledger(parsed, read.rows_in, counts)
    return Ingested(tables, quarantine, ledger, _warnings_frame(parsed, unused), costs)


def _order_lines(parsed: dict[str, Parsed], orders: pl.DataFrame) -> pl.DataFrame:
    """The line items of the orders kept: those of the file each order was kept from, sorted by their key."""
    parts = [result.side.pop("order_lines") for result in parsed.values() if "order_lines" in result.side]
    if not parts:
        return empty(ORDER_LINES)
    lines = pl.concat(parts, how="vertical_relaxed")
    kept = orders.select("account", "order_id", "source_file")
    # A re-exported order keeps the lines of the export it was kept from (the newest), never both exports' lines.
    return lines.join(kept, on=["account", "order_id", "source_file"], how="semi", nulls_equal=True).sort(
        list(COST_TABLES["order_lines"][1]), nulls_last=True
    )


@dataclass
class FilesRead:
    """What the files gave, by table label: parsed tables, their data rows and account folders; what was not used."""

    parsed: dict[str, Parsed]
    rows_in: dict[str, int]
    folders: dict[str, str | None]
    unused: list[dict[str, str]]  # warnings for tables of no known kind
    unusable: list[tuple[str, str]]  # (file label, why it cannot be used)


def _parse_files(files: list[Path], root: Path, salt: str, raw_dir: Path | None) -> FilesRead:
    """Parse every file; a file that cannot be used is noted with its error, not raised."""
    parsed: dict[str, Parsed] = {}
    rows_in: dict[str, int] = {}
    unused: list[dict[str, str]] = []
    unusable: list[tuple[str, str]] = []
    folders: dict[str, str | None] = {}
    for path in files:
        label = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        try:
            results = parse_file(path, label, salt)
        except AdlabError as error:
            # Said with the path as the user knows it (relative to the project).
            unusable.append((label, str(error).replace(path.as_posix(), label)))
            continue
        for where, result, height in results:
            if result.table:
                parsed[where], rows_in[where] = result, height
                folders[where] = account_folder(path, raw_dir)
            else:
                unused.extend(result.warnings)
    return FilesRead(parsed, rows_in, folders, unused, unusable)


def parse_each(items: Sequence[tuple[Path, Path, str, Path | None]]) -> list[FilesRead]:
    """What each file of `items` (path, project root, salt, raw_dir) gives, file by file (what a Dask worker
    runs for the ingest stage)."""
    return [_parse_files([path], root, salt, raw_dir) for path, root, salt, raw_dir in items]


def merge_reads(reads: Sequence[FilesRead]) -> FilesRead:
    """The files read one by one (`parse_each`), as if read together in that order."""
    merged = FilesRead({}, {}, {}, [], [])
    for read in reads:
        merged.parsed.update(read.parsed)
        merged.rows_in.update(read.rows_in)
        merged.folders.update(read.folders)
        merged.unused += read.unused
        merged.unusable += read.unusable
    return merged


def _unusable_warnings(unusable: list[tuple[str, str]], parsed: dict[str, Parsed]) -> list[dict[str, str]]:
    """A warning per file that cannot be used, when others can.

    Raises:
        AdlabError: no file can be used; names every file and why.
    """
    if unusable and not parsed:
        if len(unusable) == 1:
            raise AdlabError(unusable[0][1])
        raise AdlabError(
            f"none of the {len(unusable)} files can be used:\n" + "\n".join(f"  {message}" for _, message in unusable)
        )
    return [
        {"source_file": label, "check": "not_readable", "message": f"left out: {message}"}
        for label, message in unusable
    ]


def _table_rows(
    table: str,
    columns: dict[str, pl.DataType],
    key: tuple[str, ...],
    parsed: dict[str, Parsed],
    labels: list[str],
    ranks: dict[str, int],
    counts: dict[str, dict[str, int]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(one table's kept rows sorted by key, its rows duplicated within their file); adds each file's counts."""
    rows = (
        # Files of one table may count their input rows in different integer types (a GA4 and a Shopify
        # sessions export): the common supertype.
        pl.concat([parsed[label].rows for label in labels], how="vertical_relaxed")
        if labels
        else empty(columns).with_columns(pl.lit(1, pl.Int64).alias(INPUT_ROWS))
    )
    for label in labels:
        parsed[label].rows = parsed[label].rows.clear()  # held once, in `rows` (memory at 10M rows)
    if table == "ad_insights":
        rows = fill_ids(rows)
    kept, replaced, within = deduplicate(rows, key, ranks)
    del rows
    if table == "orders":
        kept = shopify_orders.mark_new_customers(kept)
    _count_by_file(counts, kept, replaced, within)
    return kept.sort(list(key), nulls_last=True), within  # keeps the ledger weight for validate


def _count_by_file(
    counts: dict[str, dict[str, int]], kept: pl.DataFrame, replaced: pl.DataFrame, within: pl.DataFrame
) -> None:
    """Add each file's kept, replaced and duplicated input rows (by ledger weight) to `counts`."""
    weight = pl.col(INPUT_ROWS).sum()
    for label, n in replaced.group_by("source_file").agg(weight).iter_rows():
        counts[label]["replaced"] += n
    for label, n in within.group_by("source_file").agg(weight).iter_rows():
        counts[label]["dup"] += n
    for label, n in kept.group_by("source_file").agg(weight).iter_rows():
        counts[label]["kept"] += n


def _table_quarantine(parsed: dict[str, Parsed], labels: list[str], within: pl.DataFrame) -> pl.DataFrame:
    """One table's quarantined rows, as text: each file's, then the rows duplicated within their file."""
    parts = [parsed[label].quarantine for label in labels]
    if within.height:
        parts.append(
            within.drop(INPUT_ROWS).with_columns(
                pl.lit("duplicate of an earlier row with the same key in this file").alias("reason")
            )
        )
    return (
        pl.concat([part.select(pl.all().cast(pl.String)) for part in parts], how="diagonal")
        if parts
        else pl.DataFrame(schema={"source_file": pl.String, "reason": pl.String})
    )


def _ledger(parsed: dict[str, Parsed], rows_in: dict[str, int], counts: dict[str, dict[str, int]]) -> pl.DataFrame:
    """One row per parsed table: where each of its input rows went (rows_in = kept + replaced + totals + quarantined).

    Raises:
        RuntimeError: a file's rows do not balance (a bug, never bad input).
    """
    ledger_rows = []
    for label, p in parsed.items():
        kept_rows, replaced_rows = counts[label]["kept"], counts[label]["replaced"]
        quarantined = p.quarantine.height + counts[label]["dup"]
        row = {
            "source_file": label,
            "kind": p.kind,
            "table": p.table,
            "rows_in": rows_in[label],
            "kept": kept_rows,
            "replaced": replaced_rows,
            "totals": p.totals,
            "quarantined": quarantined,
            "columns_used": p.columns_used,
        }
        if rows_in[label] != kept_rows + replaced_rows + p.totals + quarantined:
            raise RuntimeError(f"row ledger does not balance for {label}: {row}")  # a bug, never bad input
        ledger_rows.append(row)
    return pl.DataFrame(ledger_rows, schema=LEDGER) if ledger_rows else empty(LEDGER)


def _warnings_frame(parsed: dict[str, Parsed], unused: list[dict[str, str]]) -> pl.DataFrame:
    """Every parsed file's warnings, then those of tables and files not used."""
    warnings = [w for p in parsed.values() for w in p.warnings] + unused
    return pl.DataFrame(warnings, schema=WARNINGS) if warnings else empty(WARNINGS)
