"""Text-to-value rules shared by every export kind: header matching, numbers, dates, no-data tokens."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import polars as pl

from adlab.io import RawTable
from adlab.sources.kind import Detection

# Cells that mean "no data" in exports (Meta writes `-`, warehouses `NULL`).
NULL_TOKENS = ("", "-", "--", "—", "NULL", "null", "None", "N/A", "n/a", "NaN", "nan", "#N/A")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
# Day and month in either order before a four-digit year (dots: always day first).
DAY_MONTH_FORMATS = {"/": ("%d/%m/%Y", "%m/%d/%Y"), "-": ("%d-%m-%Y", "%m-%d-%Y")}
# Values that can only be comma decimals: 21,33  0,125  1.234,56 (a column holding one is read that way;
# `1,790` alone is a thousands separator).
COMMA_DECIMAL = r"^-?\d+,\d{1,2}$|^-?0,\d+$|^-?\d{1,3}(\.\d{3})+,\d+$"
# Values that can only be point decimals: 12.5  0.125  1.2345  1,234.5 (thousands groups have three digits).
POINT_DECIMAL = r"^-?\d*\.\d{1,2}$|^-?\d*\.\d{4,}$|^-?0\.\d+$|^-?\d{1,3}(,\d{3})+\.\d+$"
# Two or more dot groups can only be thousands: 1.234.567 (Indonesian rupiah, German counts).
DOT_THOUSANDS = r"^-?\d{1,3}(\.\d{3}){2,}$"
# Currency marks written beside amounts: symbols, `R$` (Brazil), `Rp` (Indonesia), `zł`, `TL`, `руб.`,
# and ISO codes at either end.
CURRENCY_MARKS = r"R\$|Rp\.?|zł|TL|руб\.?|[$€£¥₹₺₽]|[A-Z]{3}$|^[A-Z]{3}"


def normalise_header(name: str) -> str:
    """Header text compared case- and spacing-insensitively (`Ad Set Name` == `ad set  name`)."""
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().lower()


def find_column(header: list[str], aliases: tuple[str, ...]) -> str | None:
    """The first header whose normalised text is one of the aliases (first occurrence wins)."""
    wanted = set(aliases)
    return next((name for name in header if normalise_header(name) in wanted), None)


def detect_by_aliases(kind: str, header: list[str], required: dict[str, tuple[str, ...]]) -> Detection:
    """Score = share of required fields found among the header's aliases."""
    missing = [name for name, aliases in required.items() if find_column(header, aliases) is None]
    return Detection(kind, 1 - len(missing) / len(required), missing)


def null_if_token(column: str) -> pl.Expr:
    """The stripped cell, null when it is a no-data token."""
    return pl.col(column).str.strip_chars().replace(list(NULL_TOKENS), None)


def parse_number(column: str, decimal_comma: bool = False) -> pl.Expr:
    """A text cell as a float: `$1,234.56`, `21,33`, `24.00%` (-> 0.24), `R$ 1.234,56`, `-` (-> null).

    The decimal mark is decided per column: a cell that can only be a comma decimal (`21,33`) makes
    the column comma decimal, one that can only be a point decimal (`12.5`) point decimal. A column
    of neither (`1.234`, `1,790`) follows `decimal_comma`, the convention of the export's language
    (False: English, where `1,790` is a thousands separator). Unparseable -> null.
    """
    text = null_if_token(column).str.replace_all(rf"[\s\u00a0\u202f]|{CURRENCY_MARKS}", "")
    is_percent = text.str.ends_with("%")
    text = text.str.strip_suffix("%")
    comma_evidence = text.str.contains(COMMA_DECIMAL).any()
    point_evidence = text.str.contains(POINT_DECIMAL).any()
    if decimal_comma:
        comma_decimals = comma_evidence | ~point_evidence
    else:
        comma_decimals = comma_evidence | (text.str.contains(DOT_THOUSANDS).any() & ~point_evidence)
    normalised = (
        pl.when(comma_decimals)
        .then(text.str.replace_all(r"\.", "").str.replace(",", "."))
        .otherwise(text.str.replace_all(",", ""))
    )
    value = normalised.cast(pl.Float64, strict=False)
    return pl.when(is_percent).then(value / 100).otherwise(value)


def parse_date(column: str, day_first: bool | None = None) -> pl.Expr:
    """A text cell as a date; the first 10 characters of a timestamp are its date as written.

    `31/12/2024`, `31.12.2024` and `31-12-2024` are day first, `12/31/2024` month first: decided per
    column by the data (a first part above 12 anywhere means day first, a second part above 12 month
    first), else by `day_first` (the export language's convention), else by the separator (dots and
    dashes day first, slashes month first as in US exports). A 5-digit number is an Excel serial date
    (days since 1899-12-30).
    """
    text = null_if_token(column)
    head = text.str.slice(0, 10)
    serial = text.str.extract(r"^(\d{5})(?:\.0+)?$").cast(pl.Int64)
    # The formats want four-digit years: `1.2.3` would otherwise parse as 1 February of year 3.
    four_digit_year = text.str.contains(r"\d{4}")

    first = text.str.extract(r"^(\d{1,2})[/\-]\d{1,2}[/\-]\d{4}").cast(pl.Int8, strict=False)
    second = text.str.extract(r"^\d{1,2}[/\-](\d{1,2})[/\-]\d{4}").cast(pl.Int8, strict=False)
    evidence_day, evidence_month = (first > 12).any(), (second > 12).any()
    defaults = {"/": False, "-": True} if day_first is None else dict.fromkeys(DAY_MONTH_FORMATS, day_first)
    day_month = [
        pl.when(evidence_day | (~evidence_month & defaults[sep]))
        .then(head.str.to_date(day_fmt, strict=False))
        .otherwise(head.str.to_date(month_fmt, strict=False))
        for sep, (day_fmt, month_fmt) in DAY_MONTH_FORMATS.items()
    ]
    parsed = pl.coalesce(
        *[head.str.to_date(fmt, strict=False) for fmt in DATE_FORMATS[:2]],
        *day_month,
        head.str.to_date("%d.%m.%Y", strict=False),
        text.str.to_date(DATE_FORMATS[2], strict=False),
    )
    return pl.coalesce(pl.when(four_digit_year).then(parsed), pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=serial))


# Parsed values sit beside the text in temporary columns with these names (never in an output).
PARSED_PREFIX = "\x00parsed\x00"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def parsed_column(column: str, kind: str) -> str:
    """Name of the temporary column holding `column` parsed as `kind` ("number", "date" or "text")."""
    return f"{PARSED_PREFIX}{kind}\x00{column}"


def with_parsed(
    frame: pl.DataFrame,
    numbers: Iterable[str] = (),
    dates: Iterable[str] = (),
    texts: Iterable[str] = (),
    decimal_comma: bool = False,
    day_first: bool | None = None,
) -> tuple[pl.DataFrame, set[str]]:
    """`frame` plus each listed text column parsed once, and the columns where a cell may not have parsed.

    `texts` are cleaned by `null_if_token` (kind "text"); a column it leaves unchanged is kept as is.
    A number or date column takes a plain cast (numbers) or the ISO format (dates) when every cell holding data
    does; only the others go through `parse_number` / `parse_date`, the full rules, so exports
    written plainly (the large ones, in practice) are read about three times faster. Either
    way the values are those of the full rules. A column not in the returned set parsed in
    every cell that holds data, so it needs no `unparsed` check. `decimal_comma` and `day_first` are
    the conventions of the export's language (see `parse_number`, `parse_date`).
    """
    numbers, dates = list(dict.fromkeys(numbers)), list(dict.fromkeys(dates))
    parsed: dict[str, pl.Series] = {}
    needs_check: set[str] = set()
    for column in dict.fromkeys(texts):
        text, value = frame.get_column(column), frame.select(null_if_token(column)).to_series()
        parsed[parsed_column(column, "text")] = text if text.equals(value, null_equal=True) else value
    for column in numbers:
        text = frame.get_column(column)
        value = text.cast(pl.Float64, strict=False)
        # NaN/inf cast but are tokens (or codes) to the full rules; so is `1.234` where the language
        # writes decimal commas (it may be thousands).
        if (text.is_not_null() & ~value.is_finite().fill_null(False)).any() or (
            decimal_comma and text.str.contains(".", literal=True).any()
        ):
            value = frame.select(parse_number(column, decimal_comma)).to_series()
            needs_check.add(column)
        parsed[parsed_column(column, "number")] = value
    iso, not_iso = {}, []
    for column in dates:
        text = frame.get_column(column)
        iso[column] = text.str.to_date("%Y-%m-%d", strict=False)
        if (text.is_not_null() & (iso[column].is_null() | ~text.str.contains(ISO_DATE).fill_null(False))).any():
            not_iso.append(column)
    # One table writes all its dates one way: `Reporting starts` of `01/03/2024` takes the day-first
    # order its `Reporting ends` of `31/03/2024` shows, rather than a month-first guess of its own.
    day_first = table_date_order(frame, not_iso, day_first)
    for column in dates:
        value = iso[column]
        if column in not_iso:
            value = frame.select(parse_date(column, day_first)).to_series()
            needs_check.add(column)
        parsed[parsed_column(column, "date")] = value
    return frame.with_columns(**parsed), needs_check


def table_date_order(frame: pl.DataFrame, columns: list[str], day_first: bool | None) -> bool | None:
    """Whether the slashed or dashed dates of `columns` are day first, by the data of all of them together.

    A first part above 12 in any of them means day first, else a second part above 12 month first;
    when no cell tells, `day_first` (the language's order, or None) stands.
    """
    if len(columns) < 2:
        return day_first
    parts = frame.select(
        pl.concat_list(
            pl.col(c).str.strip_chars().str.extract(r"^(\d{1,2})[/\-]\d{1,2}[/\-]\d{4}") for c in columns
        ).alias("first"),
        pl.concat_list(
            pl.col(c).str.strip_chars().str.extract(r"^\d{1,2}[/\-](\d{1,2})[/\-]\d{4}") for c in columns
        ).alias("second"),
    )
    first, second = (parts[name].explode().cast(pl.Int8, strict=False) for name in ("first", "second"))
    if (first > 12).any():
        return True
    if (second > 12).any():
        return False
    return day_first


def unparsed_check(column: str, kind: str, needs_check: set[str]) -> pl.Expr:
    """`unparsed` for a column parsed by `with_parsed` (always False where every cell parsed)."""
    if column not in needs_check:
        return pl.lit(False)
    return unparsed(column, pl.col(parsed_column(column, kind)))


def first_failure(checks: list[tuple[str, pl.Expr]]) -> pl.Expr:
    """The message of the first check that fails on a row (checks are (message, failed)); null when none does.

    Built from small integer codes: a text column per check would cost 16 bytes a row each.
    """
    if not checks:
        return pl.lit(None, pl.String)
    code = pl.coalesce([pl.when(failed).then(pl.lit(i, pl.UInt16)) for i, (_, failed) in enumerate(checks)])
    return code.replace_strict(
        list(range(len(checks))), [message for message, _ in checks], default=None, return_dtype=pl.String
    )


def unparsed(column: str, parsed: pl.Expr) -> pl.Expr:
    """True where the cell holds data but did not parse."""
    return null_if_token(column).is_not_null() & parsed.is_null()


def quarantined(raw: RawTable, frame: pl.DataFrame, excluded: pl.Expr | None = None) -> pl.DataFrame:
    """The rows of `frame` (parsed from `raw`) that have a `reason`: every column as written, `source_row`, `reason`.

    Rows where `excluded` holds are left out (e.g. totals rows).
    """
    is_bad = pl.col("reason").is_not_null() if excluded is None else pl.col("reason").is_not_null() & ~excluded
    bad = frame.select(pl.arg_where(is_bad)).to_series()
    reasons = frame["reason"].gather(bad)
    renamed = [
        (f"`{english}`", f"`{written}`")
        for english, written in zip(raw.header, raw.written or raw.header, strict=True)
        if english != written
    ]
    if renamed:  # a localized export: reasons name the columns as the file does, like the values beside them
        reasons = reasons.str.replace_many([english for english, _ in renamed], [written for _, written in renamed])
    return raw.rows_as_written(bad).with_columns(frame["source_row"].gather(bad).alias("source_row"), reasons)


def row_numbers(raw: RawTable) -> pl.Expr:
    """The spreadsheet row number of each data row."""
    return (pl.int_range(pl.len(), dtype=pl.Int64) + raw.first_row).alias("source_row")


def as_text_row_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as text (quarantine keeps source values as written)."""
    return frame.select(pl.all().cast(pl.String))
