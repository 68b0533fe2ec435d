"""The only module that reads and writes project files. Every write is atomic (temp file + rename)."""

from __future__ import annotations

import codecs
import csv
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from adlab.errors import AdlabError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
EXPORT_SUFFIXES = (".csv", ".tsv", ".txt", *EXCEL_SUFFIXES)
DELIMITERS = (",", ";", "\t")
# How many lines at the top of a file may precede the header (titles, `#` comments).
MAX_PREAMBLE_LINES = 30


@dataclass(frozen=True)
class CsvSource:
    """Where a table read straight from disk keeps its rows: enough to read them, or some columns, later."""

    path: Path
    skip_rows: int
    names: tuple[str, ...]
    separator: str


@dataclass(frozen=True)
class RawTable:
    """A text export read as strings: `frame` has one String column per (de-duplicated) header.

    A large UTF-8 file is not read until its rows are needed: `frame` then reads every column,
    while `project(columns)` reads only the columns a parser uses (a 79-column Shopify export
    holds 16 bytes per cell as text even when empty), and `rows_as_written` fetches every column
    of a few rows (quarantine, exact-copy checks) from the file.
    """

    path: Path
    header: list[str]
    loaded: pl.DataFrame | None
    first_row: int  # spreadsheet row number of the first data row (the header is the row above)
    encoding: str
    delimiter: str
    part: str = ""  # which table of the file: "sheet Ads", "table 3"; empty for a one-table file
    title: str = ""  # text above the header (report titles, `#` comment blocks)
    cut_row: tuple[str, ...] = ()  # the fields of a last row the file ends inside of (not in `frame`)
    source: CsvSource | None = None  # set when the rows are read from disk on demand
    lines: pl.Series | None = None  # with `source`: the file's data-row index of each row of `loaded`
    fetched: pl.DataFrame | None = None  # with `source`: whole rows read so far (`LINE` + every column)
    # A localized export read under English names (adlab.sources.locale): its interface language
    # and its header as written (quarantined rows show it); "" and () for an English export.
    language: str = ""
    written: tuple[str, ...] = ()

    @property
    def frame(self) -> pl.DataFrame:
        """Every column of every row (a deferred table reads them all now)."""
        return self.project(None).cells

    @property
    def cells(self) -> pl.DataFrame:
        """The columns read so far: every column, or only those of the last `project`."""
        return self.loaded if self.loaded is not None else self.frame

    def project(self, columns: list[str] | None) -> RawTable:
        """This table with (at least) `columns` read, all when None; the rows are the same either way.

        Only a deferred table reads less than every column; the columns read stay with the table.
        """
        if self.source is None:
            assert self.loaded is not None
            return self
        wanted = self.header if columns is None else list(dict.fromkeys(columns))
        if self.loaded is None or self.loaded.columns != wanted:
            frame, lines = read_columns(self, wanted)
            object.__setattr__(self, "loaded", frame)
            object.__setattr__(self, "lines", lines)
        return self

    def rows_as_written(self, positions: pl.Series) -> pl.DataFrame:
        """Every column of the rows at `positions` (row positions in this table), named as in the file.

        A deferred table reads them from the file (one pass over it, kept for later calls: call
        `prefetch` first with every position needed to read the file once).
        """
        if self.source is None or (self.loaded is not None and self.loaded.columns == self.header):
            rows = self.cells[positions]
        else:
            self.prefetch(positions)
            assert self.lines is not None
            assert self.fetched is not None
            wanted = self.lines.gather(positions).to_frame(LINE)
            rows = wanted.join(self.fetched, on=LINE, how="left", maintain_order="left").drop(LINE)
        return rows.rename(dict(zip(self.header, self.written, strict=True))) if self.written else rows

    def prefetch(self, positions: pl.Series) -> None:
        """Read every column of the rows at `positions` of a deferred table in one pass over the file."""
        if self.source is None or self.lines is None:
            return
        fetched = self.fetched
        if fetched is None:
            fetched = pl.DataFrame(schema={LINE: pl.UInt32, **dict.fromkeys(self.source.names, pl.String)})
        missing = self.lines.gather(positions).unique()
        missing = missing.filter(~missing.is_in(fetched[LINE].implode()))
        if missing.len():
            try:
                found = scan_source(self.source).filter(pl.col(LINE).is_in(missing.implode())).collect()
            except pl.exceptions.PolarsError as err:
                raise DeferredReadError(str(self.path)) from err
            fetched = pl.concat([fetched, found])
        object.__setattr__(self, "fetched", fetched)


def list_exports(folder: Path) -> list[Path]:
    """Every export file under `folder` (any depth), sorted by path; hidden files and notes are skipped."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        and path.suffix.lower() in EXPORT_SUFFIXES
    )


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """The text of a file and the encoding it was written in (BOM first, then UTF-8, then cp1252)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise AdlabError(f"{path}: looks like a binary file, not a text export; export it again as CSV.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def split_fields(line: str, delimiter: str) -> list[str]:
    """The fields of one CSV line, quotes respected (a stray carriage return inside splits it plainly)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def find_header(lines: list[str]) -> tuple[int, str]:
    """Index of the header line and the delimiter: the first line past any preamble with 2+ fields."""
    for index, line in enumerate(lines[:MAX_PREAMBLE_LINES]):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        counts = {d: len(split_fields(line, d)) for d in DELIMITERS}
        delimiter = max(DELIMITERS, key=lambda d: counts[d])
        if counts[delimiter] >= 2:
            return index, delimiter
    return -1, ","


def dedupe_names(names: list[str]) -> list[str]:
    """Header names made unique: a repeated name gets ` (2)`, ` (3)`... (Meta repeats `Ad set name`)."""
    seen: dict[str, int] = {}
    unique = []
    for raw in names:
        name = raw.strip().strip("\ufeff")
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def read_tables(path: Path, fast: bool = True) -> list[RawTable]:
    """Every table in an export: one per CSV, one per `#`-separated block (GA4), one per XLSX sheet.

    With `fast`, a plain UTF-8 file is read straight from disk (a large one only when its rows
    are needed; if that read fails, `DeferredReadError` says to call again with `fast=False`).

    Raises:
        AdlabError: the file is unreadable, binary, empty or holds no table.
    """
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_excel_tables(path)
    table = read_utf8_table(path) if fast else None
    if table is not None:
        return [table]
    try:
        data = path.read_bytes()
    except OSError as err:
        raise AdlabError(f"{path}: cannot be read ({err.strerror}); check its permissions.") from err
    if not data.strip():
        raise AdlabError(f"{path}: the file is empty; export it again.")
    text, encoding = decode(data, path)
    if "\n" not in text:
        text = text.replace("\r", "\n")  # old Mac line ends (Excel's "CSV (Macintosh)")
    blocks = split_comment_blocks(text) if text.lstrip().startswith("#") else [(0, text, "")]
    tables = [
        read_text_block(path, block, first_line, encoding, preamble, f"table {n}" if len(blocks) > 1 else "")
        for n, (first_line, block, preamble) in enumerate(blocks, start=1)
    ]
    if not tables:
        raise AdlabError(f"{path}: holds only comments, no table; export it again.")
    return tables


def split_comment_blocks(text: str) -> list[tuple[int, str, str]]:
    """Tables stacked in one file between `#` comment lines (GA4 UI downloads).

    Returns (index of the block's first line, the block's text, the comment lines above it).
    """
    blocks: list[tuple[int, str, str]] = []
    current: list[str] = []
    comments: list[str] = []
    start, preamble = 0, ""
    for index, line in enumerate(text.split("\n")):
        if line.startswith("#"):
            if any(part.strip() for part in current):
                blocks.append((start, "\n".join(current), preamble))
            current, comments = [], [*(comments if not current else []), line]
            continue
        if not current:
            if not line.strip():
                continue
            start, preamble, comments = index, "\n".join(comments), []
        current.append(line)
    if any(part.strip() for part in current):
        blocks.append((start, "\n".join(current), preamble))
    return blocks


HEAD_BYTES = 1_000_000
# Files at least this large are read when their rows are needed, and only the columns used.
DEFER_BYTES = 32_000_000
LINE = "\x00line"  # the file's data-row index, in deferred reads


class DeferredReadError(Exception):
    """A large file that looked like plain UTF-8 failed to read fast; read it again with `fast=False`."""


def not_blank_or_comment(width: int) -> pl.Expr:
    """False for blank rows and trailing `# comment` rows (only the first cell filled), which are not data."""
    # Positional columns: a header may be `*` or look like a regex, which pl.col would expand.
    rest = pl.all_horizontal(pl.nth(list(range(1, width))).is_null()) if width > 1 else pl.lit(True)
    comment = pl.nth(0).str.starts_with("#") & rest
    return ~pl.all_horizontal(pl.all().is_null()) & ~comment.fill_null(False)


def scan_source(source: CsvSource) -> pl.LazyFrame:
    """The rows of a deferred table, all as text, with their data-row index first (`LINE`)."""
    return pl.scan_csv(
        source.path,
        has_header=False,
        skip_rows=source.skip_rows,
        new_columns=list(source.names),
        separator=source.separator,
        infer_schema=False,
        quote_char='"',
        schema_overrides=dict.fromkeys(source.names, pl.String),
        row_index_name=LINE,
    )


def read_columns(raw: RawTable, wanted: list[str]) -> tuple[pl.DataFrame, pl.Series]:
    """Columns `wanted` of a deferred table, and the data-row index of each row.

    Blank and comment rows are judged on every column, as the eager reader does: rows that
    look blank in the columns read are checked against the file.

    Raises:
        DeferredReadError: the file does not read as the UTF-8 table its head promised.
    """
    assert raw.source is not None
    index = {name: i for i, name in enumerate(raw.header)}
    positions = list(dict.fromkeys([0, *(index[name] for name in wanted)]))
    scan = scan_source(raw.source)
    try:
        # One chunk per column: parsers mix these columns with new ones, and polars aligns mixed chunks by copying.
        frame = scan.select(pl.nth([0, *(i + 1 for i in positions)])).collect().rechunk()
    except pl.exceptions.NoDataError:
        return pl.DataFrame(schema=dict.fromkeys(wanted, pl.String)), pl.Series(LINE, [], pl.UInt32)
    except pl.exceptions.PolarsError as err:
        raise DeferredReadError(str(raw.path)) from err
    data = frame.drop(LINE)
    looks_empty = ~data.select(not_blank_or_comment(data.width)).to_series()
    if looks_empty.any():
        candidates = frame.filter(looks_empty)[LINE]
        full = scan.filter(pl.col(LINE).is_in(candidates.implode())).collect(engine="streaming")
        empty = full.filter(~full.drop(LINE).select(not_blank_or_comment(len(raw.header))).to_series())[LINE]
        frame = frame.filter(~pl.col(LINE).is_in(empty.implode()))
    names = [raw.header[i] for i in positions]
    frame = frame.rename(dict(zip(frame.columns[1:], names, strict=True)))
    return frame.select(pl.nth([1 + names.index(name) for name in wanted])), frame[LINE]


def read_utf8_table(path: Path) -> RawTable | None:
    """The common case read straight from disk (no in-memory copies): one UTF-8 table, no `#` blocks.

    Returns None when the file needs the general reader (another encoding, `#`
    comment blocks, empty, unreadable...), which then says what is wrong.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
            handle.seek(max(handle.seek(0, os.SEEK_END) - 65536, 0))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    if not head.strip() or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4096]:
        return None
    if b"\n" not in head:
        return None  # one line, or old Mac line ends: the general reader splits them
    try:
        # A cut inside a multi-byte character at the end of the head is fine; anything else is not UTF-8.
        text = head.decode("utf-8") if len(head) < HEAD_BYTES else head[:-4].decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    encoding = "utf-8-sig" if text.startswith("\ufeff") else "utf-8"
    text = text.removeprefix("\ufeff")
    if text.lstrip().startswith("#"):
        return None
    if ends_mid_row(tail, text):
        return None  # a cut file: the general reader sets its last row aside
    try:
        return read_text_block(path, text, 0, encoding, "", "", source=path)
    except AdlabError:
        return None  # e.g. invalid UTF-8 further down: the general reader decides


def ends_mid_row(tail: str, head: str) -> bool:
    """True when the file may stop inside its last row: no line end after it, and an open quote or too few fields.

    `tail` is the end of the file, `head` its beginning (for the header).
    """
    last = tail.rsplit("\n", 1)[-1]
    lines = [line.rstrip("\r") for line in head[:HEAD_BYTES].split("\n", MAX_PREAMBLE_LINES)[:MAX_PREAMBLE_LINES]]
    header_index, delimiter = find_header(lines)
    if tail.endswith(("\n", "\r")) or not last.strip() or header_index < 0:
        return False
    fields, header = split_fields(last, delimiter), split_fields(lines[header_index], delimiter)
    if len(fields) == 1 and last.startswith("#"):
        return False  # a trailing `# comment` line, not a row
    return last.count('"') % 2 == 1 or len(fields) < len(header)


def read_text_block(
    path: Path, text: str, first_line: int, encoding: str, preamble: str, part: str, source: Path | None = None
) -> RawTable:
    """One delimited table (header past any title lines) as all-string columns.

    `text` is the table's text, or only its head when `source` (the file itself) is read directly.
    """
    lines = [line.rstrip("\r") for line in text[:HEAD_BYTES].split("\n", MAX_PREAMBLE_LINES)[:MAX_PREAMBLE_LINES]]
    header_index, delimiter = find_header(lines)
    where = f"{path} ({part})" if part else str(path)
    if header_index < 0:
        raise AdlabError(f"{where}: no header row found in the first {MAX_PREAMBLE_LINES} lines; is it an export?")
    names = dedupe_names(split_fields(lines[header_index], delimiter))
    title = "\n".join([preamble, *lines[:header_index]]).strip()
    cut_row: tuple[str, ...] = ()
    if source is None:
        offset = sum(len(line) + 1 for line in text.split("\n", header_index)[:header_index])
        body = text[offset:]
        # A last line ending inside a quoted field leaves an odd number of quotes; one that stops early has
        # too few fields (an even count of quotes on it: it does not close a multi-line field above).
        last = body.rsplit("\n", 1)[-1]
        if "\n" in body and ends_mid_row(body, text) and (body.count('"') % 2 or not last.count('"') % 2):
            body, cut_row = body[: -len(last)], tuple(split_fields(last, delimiter))
        data: Path | bytes = body.encode("utf-8")
        skip = 1
    else:
        data, skip = source, header_index + 1
        if source.stat().st_size >= DEFER_BYTES:
            deferred = CsvSource(source, skip, tuple(names), delimiter)
            return RawTable(
                path, names, None, first_line + header_index + 2, encoding, delimiter, part, title, source=deferred
            )
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            skip_rows=skip,
            new_columns=names,
            separator=delimiter,
            infer_schema=False,
            quote_char='"',
            schema_overrides={name: pl.String for name in names},
        )
    except pl.exceptions.NoDataError:
        frame = pl.DataFrame(schema={name: pl.String for name in names})  # header only: an export with no rows
    except pl.exceptions.PolarsError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise AdlabError(f"{where}: not a readable {delimiter!r}-delimited table ({first}).") from err
    if frame.width:
        frame = frame.filter(not_blank_or_comment(frame.width))  # blank lines and trailing `# comment` lines
    first_row = first_line + header_index + 2
    return RawTable(path, names, frame, first_row, encoding, delimiter, part, title, cut_row)


def read_excel_tables(path: Path) -> list[RawTable]:
    """One table per non-empty sheet of a workbook, every cell as text (dates as ISO text)."""
    import fastexcel  # only workbooks need it

    try:
        reader = fastexcel.read_excel(path)
        sheets = [
            (name, reader.load_sheet(index, header_row=None, dtypes="string").to_polars())
            for index, name in enumerate(reader.sheet_names)
        ]
    except Exception as err:  # fastexcel raises its own types for every kind of broken workbook
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise AdlabError(f"{path}: not a readable Excel workbook ({first}); save it again as .xlsx or CSV.") from err
    tables = []
    for name, frame in sheets:
        head = frame.head(MAX_PREAMBLE_LINES).rows()
        header_index = next(
            (
                i
                for i, row in enumerate(head)
                if sum(cell is not None and str(cell).strip() != "" for cell in row) >= 2
                and not str(row[0] or "").startswith("#")
            ),
            -1,
        )
        if header_index < 0:
            continue
        names = dedupe_names(
            [str(cell) if cell is not None else f"column {i + 1}" for i, cell in enumerate(head[header_index])]
        )
        body = frame.slice(header_index + 1).rename(dict(zip(frame.columns, names, strict=True)))
        body = body.filter(~pl.all_horizontal(pl.all().is_null()))
        title = "\n".join(str(row[0]) for row in head[:header_index] if row and row[0] is not None)
        part = f"sheet {name}" if len(sheets) > 1 else ""
        tables.append(RawTable(path, names, body, header_index + 2, "xlsx", "", part, title))
    if not tables:
        raise AdlabError(f"{path}: no sheet holds a table with a header row; is it an export?")
    return tables


def tmp_path_for(path: Path) -> Path:
    """A temporary name in the same folder as `path`, so the final rename is atomic; this process's and
    thread's own. Whoever writes it creates it, with the usual permissions (umask applies).

    No mkstemp, chmod or mkdir of a folder that exists: a stage writes thousands of partitions, and each of
    those calls cost about half a millisecond there, more with two workers writing side by side.
    """
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces `path` in one rename, on failure it is removed."""
    tmp = tmp_path_for(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """Write a parquet file atomically and deterministically."""
    with atomic_path(path) as tmp:
        frame.write_parquet(tmp, compression="zstd", statistics=True)


def read_parquet(path: Path) -> pl.DataFrame:
    """Read a parquet file written by a stage."""
    return pl.read_parquet(path)


def read_parquet_columns(path: Path, columns: list[str]) -> pl.DataFrame:
    """Read the named columns of a parquet file written by a stage (those it has), without the others."""
    scan = pl.scan_parquet(path)
    names = scan.collect_schema().names()
    return scan.select([name for name in columns if name in names]).collect()


def write_json(data: Any, path: Path) -> None:
    """Write JSON atomically, keys in a stable order."""
    write_text(json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n", path)


def read_json(path: Path) -> Any:
    """Read a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_text(text: str, path: Path) -> None:
    """Write a text file atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def read_or_create_salt(path: Path) -> str:
    """The local secret used to hash customer identities; created (owner-only) on first use."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = os.urandom(32).hex()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(salt + "\n")
    return salt
