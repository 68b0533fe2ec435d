"""The parser every ads export shares: one spec per platform (`AdsExport`) -> `ad_insights` rows.

A platform's UI export differs from another's only in how it names things: its spend header (and the
currency in it), its dimension and metric headers, its purchase columns. A spec says that
(`meta_ads.py`, `google_ads.py`, `pinterest_ads.py`); everything else is one set of rules here: daily
(`Day`) and reporting-window rows, campaign / ad set / ad level, breakdown files, the totals row,
duplicated rows and same-named ads, one purchase family per file, `Purchase ROAS` without a
conversion value, results of purchase-type rows as purchases, and the currency written in the money headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from adlab.errors import AdlabError
from adlab.io import RawTable
from adlab.quality import row_failures
from adlab.schema import AD_INSIGHTS, AD_INSIGHTS_KEY, AD_METRICS, BREAKDOWN_DIMS, INPUT_ROWS, conform
from adlab.sources import locale
from adlab.sources.budgets import budget_exprs
from adlab.sources.common import (
    find_column,
    first_failure,
    normalise_header,
    null_if_token,
    parsed_column,
    quarantined,
    row_numbers,
    unparsed_check,
    with_parsed,
)
from adlab.sources.kind import Detection, Parsed

TABLE = "ad_insights"
# A `Result type` (or `Result indicator`) naming a purchase: its `Results` are purchases.
PURCHASE_RESULT = r"(?i)purchase|compra|achat|kauf|acquist|pembelian|aankoop|zakup|satın|покуп"
# A count this large is a corrupt cell, not impressions (and would not fit the integer column).
MAX_COUNT = 1e15
NAME_LEVELS = (("ad", "ad"), ("adset", "adset"), ("campaign", "campaign"))
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "age_gender": ("age", "gender"),
    "placement": ("publisher_platform", "placement"),
    "region": ("region",),
    "country": ("country",),
}


@dataclass(frozen=True)
class PurchaseFamily:
    """One family of purchase columns an ads export may carry: the count, its conversion value, its ROAS."""

    name: str
    counts: tuple[str, ...]
    values: tuple[str, ...]
    roas: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdsExport:
    """How one ad platform's UI export names things: enough to parse it into `ad_insights`."""

    kind: str
    platform: str
    spend: re.Pattern[str]  # matches the normalised spend header; group 1, if any, is the currency
    spend_label: str  # how the spend column is named to users
    dimensions: dict[str, tuple[str, ...]]
    metrics: dict[str, tuple[str, ...]]
    purchases: tuple[PurchaseFamily, ...] = ()  # in precedence order (see `choose_purchases`)
    # Ads Manager leaves a cell blank when nothing happened; other exports may not.
    blank_is_zero: bool = True
    # An account-level Ads Manager export names no campaign, ad set or ad (nor always the account).
    needs_name: bool = True
    # A result type cell holding the API's action code (`offsite_conversion.fb_pixel_purchase`) -> the name the UI
    # shows for it, so that one objective is one result type whichever column or export it came from.
    result_actions: dict[str, str] = field(default_factory=dict)
    # A results column named for its type (normalised header -> type) types its rows without a Result type column.
    typed_results: dict[str, str] = field(default_factory=dict)
    # Budget columns (`budgets.BUDGET_COLUMNS` keys -> header aliases), read as written, never a reason to set aside.
    budgets: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class PurchaseColumns:
    """The columns of one file that give `purchases` and `purchase_value`, and how (said in quality.html)."""

    count: str | None
    value: str | None
    roas: str | None  # used only when the file has no conversion value column
    from_results: bool  # no purchase column: the Results of purchase-type rows are the purchases

    def describe(self) -> str:
        """One line for the quality report."""
        if self.count:
            purchases = f"purchases from `{self.count}`"
        elif self.from_results:
            purchases = "purchases from `Results` where `Result type` is a purchase (no purchase column)"
        else:
            purchases = "purchases unknown (no purchase column)"
        if self.value:
            value = f"purchase_value from `{self.value}`"
        elif self.roas:
            value = f"purchase_value = `{self.roas}` x spend (no conversion value column)"
        else:
            value = "purchase_value unknown (no conversion value or ROAS column)"
        return f"{purchases}; {value}"


def choose_purchases(header: list[str], spec: AdsExport) -> PurchaseColumns:
    """One purchase family per file, in the spec's precedence; a ROAS column only when no value column exists.

    The value comes from the chosen family's value column, else from the first family (in
    precedence) with one, else from that order's first ROAS column times spend.
    """
    families = spec.purchases
    counted = next((family for family in families if find_column(header, family.counts)), None)
    ordered = ([counted] if counted else []) + [family for family in families if family is not counted]
    value = next((column for family in ordered if (column := find_column(header, family.values))), None)
    roas = (
        None
        if value
        else next((column for family in ordered if family.roas and (column := find_column(header, family.roas))), None)
    )
    from_results = (
        counted is None
        and bool(find_column(header, spec.metrics.get("results", ())))
        and bool(find_column(header, spec.dimensions.get("result_type", ())))
    )
    return PurchaseColumns(find_column(header, counted.counts) if counted else None, value, roas, from_results)


def spend_column(header: list[str], spend: re.Pattern[str]) -> tuple[str | None, str | None]:
    """The spend header and the currency code it carries, if any."""
    for name in header:
        match = spend.match(normalise_header(name))
        if match:
            return name, match.group(1).upper() if match.groups() and match.group(1) else None
    return None, None


def detect_ads(raw: RawTable, spec: AdsExport) -> Detection:
    """How well the header fits an ads export (spend, impressions, a date or window, and maybe a name)."""
    header = raw.header
    dims, metrics = spec.dimensions, spec.metrics
    missing = []
    if spend_column(header, spec.spend)[0] is None:
        missing.append(spec.spend_label)
    if find_column(header, metrics["impressions"]) is None:
        missing.append("Impressions")
    if find_column(header, dims["date"] + dims.get("reporting_ends", ())) is None:
        missing.append("Day or Reporting ends")
    if spec.needs_name and not any(
        find_column(header, dims.get(name, ())) for name in ("campaign", "adset", "ad", "account", *BREAKDOWN_DIMS)
    ):
        missing.append("Campaign name, Ad set name or Ad name")
    return Detection(spec.kind, 1 - len(missing) / 4, missing)


def _level(columns: dict[str, str]) -> pl.Expr:
    """`level` from `Delivery level` when exported, else the finest name column present."""
    finest = next((level for name, level in NAME_LEVELS if name in columns), "account")
    if "level" not in columns:
        return pl.lit(finest)
    text = null_if_token(columns["level"]).str.to_lowercase().str.replace_all(r"[\s_]", "")
    return text.replace({"adset": "adset", "ad": "ad", "campaign": "campaign", "account": "account"}).fill_null(finest)


def _breakdown(columns: dict[str, str]) -> str:
    """The breakdown a file carries, from its dimension columns (`none` without any)."""
    present = [name for name, dims in BREAKDOWNS.items() if any(dim in columns for dim in dims)]
    return "+".join(present) if present else "none"


def parse_ads(raw: RawTable, source_file: str, spec: AdsExport) -> Parsed:
    """Canonical `ad_insights` rows of one ads export; bad rows quarantined with a reason."""
    found = _find_columns(raw.header, source_file, spec)
    raw = raw.project([*found.columns.values(), *found.number_sources, *found.budgets.values()])
    date_source, window_source = _date_sources(found.columns, source_file)
    frame, needs_check = _read_cells(raw, found, date_source, window_source)
    text = _texts(found.columns, spec)
    numbers = _numbers(frame, found, text, spec)
    reason = _reason(found, numbers, date_source, needs_check)
    frame, totals_rows, quarantine = _set_aside(raw, frame, reason, found, date_source)
    budget = budget_exprs(found.budgets, bool(locale.conventions(raw)["decimal_comma"]))
    rows = _canonical_rows(frame, found, (date_source, window_source), text, numbers, spec, source_file, budget)
    rows, quarantine = _set_aside_shared(raw, rows, quarantine)
    rows, merged = merge_same_named(rows)
    warnings = _file_warnings(raw.header, totals_rows, rows, found, merged, source_file)
    return Parsed(
        kind=spec.kind,
        table=TABLE,
        rows=rows,
        quarantine=quarantine.with_columns(pl.lit(source_file).alias("source_file")),
        totals=totals_rows.height,
        warnings=warnings,
        window_end=_window_end(frame, rows, found.columns),
        columns_used=found.chosen.describe() if spec.purchases else "",
    )


@dataclass(frozen=True)
class FoundColumns:
    """The headers of one export that the spec knows, by canonical name."""

    columns: dict[str, str]  # dimensions (date, names, IDs, breakdowns, ...)
    metrics: dict[str, str]  # with the chosen purchases and purchase_value columns
    spend_header: str
    header_currency: str | None  # the currency the spend header names, if any
    chosen: PurchaseColumns
    budgets: dict[str, str] = field(default_factory=dict)  # budget columns by `budgets.BUDGET_COLUMNS` key

    @property
    def number_sources(self) -> list[str]:
        """Every header read as a number: spend, the metrics, and the ROAS a missing value comes from."""
        roas_header = self.chosen.roas
        return [self.spend_header, *self.metrics.values(), *([roas_header] if roas_header else [])]


def _find_columns(header: list[str], source_file: str, spec: AdsExport) -> FoundColumns:
    """Locate the spec's dimension, metric, spend and purchase columns in the header.

    Raises:
        AdlabError: the file has no spend column.
    """
    columns = {name: col for name, aliases in spec.dimensions.items() if (col := find_column(header, aliases))}
    metrics = {name: col for name, aliases in spec.metrics.items() if (col := find_column(header, aliases))}
    spend_header, header_currency = spend_column(header, spec.spend)
    if spend_header is None:
        raise AdlabError(f"{source_file}: no {spec.spend_label} column.")
    chosen = choose_purchases(header, spec)
    metrics.update(
        {name: column for name, column in (("purchases", chosen.count), ("purchase_value", chosen.value)) if column}
    )
    budgets = {name: col for name, aliases in spec.budgets.items() if (col := find_column(header, aliases))}
    return FoundColumns(columns, metrics, spend_header, header_currency, chosen, budgets)


def _date_sources(columns: dict[str, str], source_file: str) -> tuple[str, str | None]:
    """(the header of each row's date, the header of its window start): `Day`, else the reporting window.

    Raises:
        AdlabError: the file has neither `Day` nor `Reporting ends`.
    """
    date_source = columns.get("date", columns.get("reporting_ends"))
    if date_source is None:
        raise AdlabError(f"{source_file}: no Day or Reporting ends column.")
    window_source = columns["date"] if "date" in columns else columns.get("reporting_starts")
    return date_source, window_source


def _read_cells(
    raw: RawTable, found: FoundColumns, date_source: str, window_source: str | None
) -> tuple[pl.DataFrame, set[str]]:
    """The cells with every number, date and text column parsed (see `with_parsed`), values in English."""
    columns = found.columns
    date_sources = [c for c in (date_source, window_source, columns.get("reporting_ends")) if c]
    frame, needs_check = with_parsed(
        raw.cells,
        found.number_sources,
        date_sources,
        [*columns.values(), *found.budgets.values()],
        **locale.conventions(raw),
    )
    if raw.language:
        values = {name: columns[name] for name in locale.VALUE_FIELDS if name in columns}
        frame = locale.english_values(frame, values, raw.language)
    return frame, needs_check


def _number(column: str) -> pl.Expr:
    """A header's cells as parsed numbers."""
    return pl.col(parsed_column(column, "number"))


def _date(column: str) -> pl.Expr:
    """A header's cells as parsed dates."""
    return pl.col(parsed_column(column, "date"))


def _zero(value: pl.Expr, spec: AdsExport) -> pl.Expr:
    """A blank as 0 in an export that leaves a cell blank when nothing happened."""
    return value.fill_null(0) if spec.blank_is_zero else value


def _texts(columns: dict[str, str], spec: AdsExport) -> dict[str, pl.Expr]:
    """Each dimension's cleaned text; a result type given as the API's action code reads as the UI's name."""
    text = {name: pl.col(parsed_column(col, "text")) for name, col in columns.items()}
    if "result_type" in text:
        code = text["result_type"].str.strip_prefix("actions:")
        text["result_type"] = code.replace_strict(
            spec.result_actions, default=text["result_type"], return_dtype=pl.String
        )
    return text


def _numbers(frame: pl.DataFrame, found: FoundColumns, text: dict[str, pl.Expr], spec: AdsExport) -> dict[str, pl.Expr]:
    """Each metric's value: blanks as 0 or unknown, purchases from results, purchase value from ROAS."""
    metrics, roas_header = found.metrics, found.chosen.roas
    # Ads Manager leaves a cell blank (or `-`) when nothing happened: in an exported
    # column that is 0. Reach stays unknown, and so does a value when purchases exist.
    # A column blank in every row (purchases of a leads or traffic account) holds no data: unknown, not 0.
    blank = {n for n, c in metrics.items() if frame.get_column(parsed_column(c, "number")).null_count() == frame.height}
    numbers = {
        "spend": _zero(_number(found.spend_header), spec),
        **{
            n: _number(c) if n in ("reach", "results") or n in blank else _zero(_number(c), spec)
            for n, c in metrics.items()
        },
    }
    if "results" in numbers and "result_type" in text:
        # A blank `Results` is 0 of the row's result type; without a result type it is unknown.
        numbers["results"] = pl.when(text["result_type"].is_not_null()).then(_zero(numbers["results"], spec))
    if "purchases" not in numbers and "results" in numbers and "result_type" in text:
        # No purchase column: the Results of rows optimised for purchases are their purchases.
        numbers["purchases"] = pl.when(text["result_type"].str.contains(PURCHASE_RESULT)).then(numbers["results"])
    if "purchase_value" not in metrics and roas_header:
        # Some exports carry Purchase ROAS but no conversion value: value = ROAS x spend.
        numbers["purchase_value"] = (_number(roas_header) * numbers["spend"]).round(2)
    if "purchase_value" in numbers and spec.blank_is_zero:
        no_purchase = numbers["purchases"] == 0 if "purchases" in numbers else pl.lit(True)
        numbers["purchase_value"] = numbers["purchase_value"].fill_null(pl.when(no_purchase).then(0.0))
    return numbers


def _integer_metrics(numbers: dict[str, pl.Expr]) -> list[str]:
    """The metrics `ad_insights` holds as counts."""
    return [n for n in numbers if n in AD_INSIGHTS and AD_INSIGHTS[n] == pl.Int64()]


def _reason(found: FoundColumns, numbers: dict[str, pl.Expr], date_source: str, needs_check: set[str]) -> pl.Expr:
    """Why a row is set aside (its first failed check), null for a good row."""
    metrics = found.metrics
    checks = [(f"`{date_source}` is not a date", unparsed_check(date_source, "date", needs_check))]
    checks.append((f"`{date_source}` is empty", pl.col(parsed_column(date_source, "text")).is_null()))
    checks += [
        (f"`{column}` is not a number", unparsed_check(column, "number", needs_check))
        for column in found.number_sources
    ]
    checks += [
        (f"`{metrics[n]}` is too large for a count", _number(metrics[n]).abs() >= MAX_COUNT)
        for n in _integer_metrics(numbers)
        if n in metrics
    ]
    return first_failure(checks).alias("reason")


def _set_aside(
    raw: RawTable, frame: pl.DataFrame, reason: pl.Expr, found: FoundColumns, date_source: str
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(frame with `source_row`, `reason` and `_is_totals`, the totals row's numbers by header, quarantined rows).

    A row is set aside for its `reason` or as an exact copy of an earlier row; the totals row is neither kept
    nor quarantined.
    """
    columns = found.columns
    name_columns = [columns[n] for n in ("account", "campaign", "adset", "ad") if n in columns]
    # The totals row names nothing; in an account-level export (no name column) it has no date either.
    is_totals = pl.all_horizontal([pl.col(parsed_column(c, "text")).is_null() for c in name_columns or [date_source]])
    frame = frame.with_columns(row_numbers(raw), reason.alias("reason"), is_totals.alias("_is_totals"))
    # A row repeated verbatim is an export glitch, not a second ad. Rows that may be copies and
    # rows going to quarantine are read in full from the file in one pass (when it is deferred).
    candidates = raw.cells.hash_rows().is_duplicated()
    raw.prefetch((candidates | (frame["reason"].is_not_null() & ~frame["_is_totals"])).arg_true())
    copy = exact_copies(raw, candidates)
    if copy.len():
        copy_reason = pl.lit("exact copy of an earlier row in this file")
        is_copy = pl.int_range(pl.len(), dtype=pl.UInt32).is_in(copy.implode())
        frame = frame.with_columns(pl.when(is_copy).then(copy_reason).otherwise(pl.col("reason")).alias("reason"))
    # Gathered, not filtered: a filter first aligns the chunks of every column it keeps (a copy of the text).
    totals_at = frame.select(pl.arg_where(pl.col("_is_totals"))).to_series()
    # The totals row takes its column's reading: alone, `15.000` could not say it is fifteen thousand.
    totals_rows = frame.select(_number(c).gather(totals_at).alias(c) for c in dict.fromkeys(found.number_sources))
    quarantine = quarantined(raw, frame, excluded=pl.col("_is_totals"))
    return frame, totals_rows, quarantine


# Typed values are computed on every row and filtered after: filtering the text would copy all of it.
GOOD = ~pl.col("_is_totals") & pl.col("reason").is_null()


def _canonical_rows(
    frame: pl.DataFrame,
    found: FoundColumns,
    dates: tuple[str, str | None],
    text: dict[str, pl.Expr],
    numbers: dict[str, pl.Expr],
    spec: AdsExport,
    source_file: str,
    budget: list[pl.Expr],
) -> pl.DataFrame:
    """The good rows (neither the totals row nor set aside) in `ad_insights` columns, before `conform`."""
    columns, metrics = found.columns, found.metrics
    date_source, window_source = dates
    integer_metrics = _integer_metrics(numbers)
    currency = pl.lit(found.header_currency) if found.header_currency else text.get("currency", pl.lit(None, pl.String))
    rows = frame.select(
        _date(date_source).alias("date"),
        _date(window_source or date_source).alias("window_start"),
        pl.lit(spec.platform).alias("platform_source"),
        _level(columns).alias("level"),
        *[
            text[n].alias(n)
            for n in ("account", "campaign", "adset", "ad", "campaign_id", "adset_id", "ad_id")
            if n in text
        ],
        pl.lit(_breakdown(columns)).alias("breakdown"),
        *[
            text[n].str.to_lowercase().alias(n) if n == "gender" else text[n].alias(n)
            for n in BREAKDOWN_DIMS
            if n in text
        ],
        *[text[n].alias(n) for n in ("attribution_setting", "objective", "result_type") if n in text],
        *[
            pl.lit(spec.typed_results[named]).alias("result_type")
            for named in [normalise_header(metrics.get("results", ""))]
            if named in spec.typed_results and "result_type" not in text
        ],
        currency.alias("currency"),
        *[
            numbers[n].round(0).cast(pl.Int64, strict=False).alias(n) if n in integer_metrics else numbers[n].alias(n)
            for n in numbers
        ],
        *budget,
        pl.lit(source_file).alias("source_file"),
        pl.col("source_row"),
        GOOD.alias("_good"),
    )
    return rows.filter(pl.col("_good")).drop("_good")


def _set_aside_shared(raw: RawTable, rows: pl.DataFrame, quarantine: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(conformed rows to keep, quarantine plus the bad rows among those sharing a key, see `judge_shared`)."""
    rows, masked = judge_shared(conform(rows, AD_INSIGHTS))
    if masked.height:  # as written in the file, like every quarantined row
        written = raw.rows_as_written((masked["source_row"] - raw.first_row).cast(pl.UInt32))
        quarantine = pl.concat(
            [quarantine, written.with_columns(masked["source_row"], masked["reason"])], how="diagonal_relaxed"
        )
    return rows, quarantine


def _file_warnings(
    header: list[str], totals_rows: pl.DataFrame, rows: pl.DataFrame, found: FoundColumns, merged: int, source_file: str
) -> list[dict[str, str]]:
    """The file's warnings: totals that do not reconcile, same-named ads summed, custom columns not used."""
    warnings = _reconcile(totals_rows, rows, found.spend_header, found.metrics, source_file)
    if merged:
        warnings.append(
            {
                "source_file": source_file,
                "check": "same_names",
                "message": f"{merged} rows share date, names and attribution with another row "
                "(distinct ads with the same name); they are summed into one row each",
            }
        )
    custom = [name for name in header if name.startswith("* ")]
    if custom:
        warnings.append(
            {
                "source_file": source_file,
                "check": "custom_columns",
                "message": f"custom columns not used: {', '.join(custom)}",
            }
        )
    return warnings


def _window_end(frame: pl.DataFrame, rows: pl.DataFrame, columns: dict[str, str]) -> object:
    """The latest date the export covers: its latest kept `Reporting ends`, else its latest day; None without rows."""
    window_end = None
    if rows.height:
        if "reporting_ends" in columns:
            window_end = frame.select(_date(columns["reporting_ends"]).filter(GOOD).max()).item()
        else:
            window_end = rows["date"].max()
    return window_end


def exact_copies(raw: RawTable, candidates: pl.Series) -> pl.Series:
    """Positions of the rows that repeat an earlier row of the table in every column.

    `candidates` are the rows whose hash on the columns read is shared (usually none); only
    they are compared in full, on every column of the file.
    """
    where = candidates.arg_true().cast(pl.UInt32)
    if not where.len():
        return where
    repeated = ~raw.rows_as_written(where).select(pl.struct(pl.all()).is_first_distinct()).to_series()
    return where.filter(repeated)


def judge_shared(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows to keep, rows set aside with their `reason`): rows sharing a key judged one by one before any sum.

    A bad row summed with a good one could pass the validate stage as one plausible row (a negative
    spend plus a clicks > impressions row), so the validate stage's value rules judge each of them
    here, on its own; rows that share no key are left to the validate stage.
    """
    shared = rows.select(pl.struct(list(AD_INSIGHTS_KEY)).is_duplicated()).to_series()
    if not shared.any():  # the usual case: nothing will be summed
        return rows, rows.clear().with_columns(pl.lit(None, pl.String).alias("reason"))
    reason = first_failure(row_failures(TABLE, {name: pl.col(name) for name in rows.columns}))
    marked = rows.with_columns(pl.when(shared).then(reason).alias("reason"))
    return marked.filter(pl.col("reason").is_null()).drop("reason"), marked.filter(pl.col("reason").is_not_null())


def merge_same_named(rows: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """One row per key: rows of one file sharing a key are distinct ads with the same name, summed.

    Exports without IDs name boosted posts by their truncated text, so two ads
    can share every name. Reach of a merged row is unknown (never summed).
    Returns the rows (with their input-row weight) and how many rows were merged away.
    """
    key = list(AD_INSIGHTS_KEY)
    if not rows.select(pl.struct(key).is_duplicated().any()).item():  # the usual case: nothing to merge
        return rows.with_columns(pl.lit(1, pl.UInt32).alias(INPUT_ROWS)), 0
    one_type = pl.col("result_type").drop_nulls().n_unique() <= 1
    merged = rows.group_by(key, maintain_order=True).agg(
        *[
            pl.col(c).first()
            for c in rows.columns
            if c not in key and c not in AD_METRICS and c not in ("reach", "results", "result_type")
        ],
        *[pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).alias(c) for c in AD_METRICS],
        # Results of different result types never add up: such a merged row's results are unknown. A blank
        # result type is a row without results (Ads Manager leaves it empty), not another type.
        pl.when(one_type).then(pl.col("result_type").drop_nulls().first()).alias("result_type"),
        pl.when(one_type & pl.col("results").is_not_null().any()).then(pl.col("results").sum()).alias("results"),
        pl.when(pl.len() == 1).then(pl.col("reach").first()).alias("reach"),
        pl.len().alias(INPUT_ROWS),
    )
    return merged.select(*rows.columns, INPUT_ROWS), rows.height - merged.height


def _reconcile(
    totals_rows: pl.DataFrame, rows: pl.DataFrame, spend_header: str, metrics: dict[str, str], source_file: str
) -> list[dict[str, str]]:
    """Compare the file's totals row (its parsed numbers, by header) with its summed rows; a mismatch is a warning."""
    if totals_rows.height != 1:
        return (
            [
                {
                    "source_file": source_file,
                    "check": "totals_row",
                    "message": f"{totals_rows.height} totals rows (rows without any name); none used to reconcile",
                }
            ]
            if totals_rows.height > 1
            else []
        )
    warnings = []
    pairs = [("spend", spend_header)] + [(n, metrics[n]) for n in ("impressions", "purchases") if n in metrics]
    for name, column in pairs:
        expected = totals_rows[column].item()
        actual = rows[name].sum()
        if expected is None:
            continue
        tolerance = max(0.011 * max(rows.height, 1) ** 0.5, 0.001 * abs(expected))
        if abs(actual - expected) > tolerance:
            warnings.append(
                {
                    "source_file": source_file,
                    "check": "totals_row",
                    "message": f"summed {name} {actual:,.2f} differs from the totals row {expected:,.2f}",
                }
            )
    return warnings
