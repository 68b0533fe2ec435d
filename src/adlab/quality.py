"""Validation: dtypes checked in polars, values checked by a Great Expectations suite per table.

Row-level failures move rows to quarantine with a reason; table-level failures
(missing columns, mixed currencies) stop the run with one clear line.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import polars as pl

from adlab.errors import AdlabError
from adlab.schema import (
    AD_INSIGHTS,
    AD_INSIGHTS_KEY,
    AD_METRICS,
    INPUT_ROWS,
    ORDER_MONEY,
    ORDERS,
    ORDERS_KEY,
    TABLES,
)

TABLE_COLUMNS: dict[str, dict[str, pl.DataType]] = {table: columns for table, (columns, _) in TABLES.items()}

CHECKS: dict[str, pl.DataType] = {
    "table": pl.String(),
    "check": pl.String(),
    "column": pl.String(),
    "success": pl.Boolean(),
    "unexpected_count": pl.Int64(),
    "details": pl.String(),
}


# Rows GX sees at once: bounds the pandas copy of a very large table (about 1.5 GB per million ad rows).
CHUNK_ROWS = 1_000_000
UNIQUENESS = ("ExpectCompoundColumnsToBeUnique", "ExpectColumnValuesToBeUnique")
DISTINCT_COUNT = "ExpectColumnUniqueValueCountToBeBetween"


@dataclass(frozen=True)
class Rule:
    """One expectation in words: its GX type, its arguments, and the reason shown for failing rows."""

    expectation: str
    kwargs: dict[str, Any]
    reason: str


def check_dtypes(frame: pl.DataFrame, columns: dict[str, pl.DataType], table: str) -> None:
    """Raise if a canonical table lacks a column or carries a wrong dtype (a bug upstream, said plainly)."""
    for name, dtype in columns.items():
        if name not in frame.columns:
            raise AdlabError(f"{table}: column `{name}` is missing; re-run `dvc repro -f ingest`.")
        if frame.schema[name] != dtype:
            raise AdlabError(f"{table}: column `{name}` is {frame.schema[name]}, expected {dtype}.")


def rules_for(table: str, min_date: dt.date, max_date: dt.date) -> list[Rule]:
    """The value rules of one canonical table, built from the schema constants."""
    lo, hi = dt.datetime.combine(min_date, dt.time()), dt.datetime.combine(max_date, dt.time())
    date_rule = Rule(
        "ExpectColumnValuesToBeBetween",
        {"column": "date", "min_value": lo, "max_value": hi},
        f"date outside {min_date} .. {max_date}",
    )
    not_null = Rule("ExpectColumnValuesToNotBeNull", {"column": "date"}, "date is missing")
    if table == "ad_insights":
        return [
            Rule("ExpectTableColumnsToMatchSet", {"column_set": list(AD_INSIGHTS), "exact_match": True}, ""),
            not_null,
            date_rule,
            *[
                Rule("ExpectColumnValuesToBeBetween", {"column": name, "min_value": 0}, f"{name} is negative")
                for name in ("reach", *AD_METRICS)
            ],
            Rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "impressions",
                    "column_B": "link_clicks",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "link_clicks > impressions",
            ),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": list(AD_INSIGHTS_KEY), "ignore_row_if": "never"},
                "duplicate key",
            ),
            Rule("ExpectColumnUniqueValueCountToBeBetween", {"column": "currency", "max_value": 1}, ""),
        ]
    if table in ("sessions", "store_sales"):
        columns, key = TABLES[table]
        counts = ("sessions", "engaged_sessions") if table == "sessions" else ("orders", "gross_sales")
        return [
            Rule("ExpectTableColumnsToMatchSet", {"column_set": list(columns), "exact_match": True}, ""),
            not_null,
            date_rule,
            *[
                Rule("ExpectColumnValuesToBeBetween", {"column": name, "min_value": 0}, f"{name} is negative")
                for name in counts
            ],
            Rule(
                "ExpectCompoundColumnsToBeUnique", {"column_list": list(key), "ignore_row_if": "never"}, "duplicate key"
            ),
        ]
    return [
        Rule("ExpectTableColumnsToMatchSet", {"column_set": list(ORDERS), "exact_match": True}, ""),
        not_null,
        date_rule,
        Rule(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": list(ORDERS_KEY), "ignore_row_if": "never"},
            "duplicate order id",
        ),
        *[
            Rule("ExpectColumnValuesToBeBetween", {"column": name, "min_value": 0}, f"{name} is negative")
            for name in ORDER_MONEY
        ],
        Rule(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "total", "column_B": "refunded", "or_equal": True, "ignore_row_if": "either_value_is_missing"},
            "refunded more than the order total",
        ),
        Rule("ExpectColumnUniqueValueCountToBeBetween", {"column": "currency", "max_value": 1}, ""),
    ]


def row_failures(table: str, values: dict[str, pl.Expr]) -> list[tuple[str, pl.Expr]]:
    """(reason, failing) for each value rule of `table` that judges a row on its own, on the given values.

    Parsers call this before they sum rows sharing a key, so that a bad row is quarantined
    with the same reason the validate stage gives, never masked by a sum with a good one.
    """
    failures = []
    for rule in rules_for(table, dt.date.min, dt.date.max):
        kwargs = rule.kwargs
        columns = {kwargs.get(name) for name in ("column", "column_A", "column_B")} - {None}
        if not columns or not columns <= set(values):
            continue
        if rule.expectation == "ExpectColumnValuesToBeBetween" and "max_value" not in kwargs:
            failures.append((rule.reason, (values[kwargs["column"]] < kwargs["min_value"]).fill_null(False)))
        elif rule.expectation == "ExpectColumnPairValuesAToBeGreaterThanB":
            a, b = values[kwargs["column_A"]], values[kwargs["column_B"]]
            failing = (b > a) if kwargs.get("or_equal") else (b >= a)
            failures.append((rule.reason, failing.fill_null(False)))
    return failures


def run_suite(
    frame: pl.DataFrame, table: str, rules: list[Rule], chunk_rows: int = CHUNK_ROWS, screen: bool = True
) -> list[tuple[Rule, bool, list[int], Any]]:
    """Validate `frame` with GX; per rule: success, failing row positions, observed value.

    With `screen` (the default), GX sees only the rows that can change an
    outcome (see `suspects`), with their positions in the table: every rule
    then gives what it gives on the whole table, and the pandas copy is tiny
    for a clean table. A table (or screened part) longer than `chunk_rows` goes
    to GX in parts, so that its pandas copy stays small: rows are sent to parts
    by a hash of the columns the uniqueness rules compare (duplicates always
    meet in one part), and a rule on a column's count of distinct values runs
    once on those distinct values.
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx  # imported here: only the validate stage pays its start-up cost
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    rows = suspects(frame, rules) if screen else None
    subset = frame if rows is None else frame[rows]
    parts = _parts(subset, rules, chunk_rows)
    on_distinct = [i for i, rule in enumerate(rules) if rule.expectation == DISTINCT_COUNT] if len(parts) > 1 else []
    per_row = [i for i in range(len(rules)) if i not in on_distinct]
    results: dict[int, list[Any]] = {i: [] for i in range(len(rules))}
    for n, positions in enumerate(parts):
        part = subset if positions is None else subset[positions]
        at = rows if positions is None else positions if rows is None else rows.gather(positions)
        for i, item in _validate(context, part, at, f"{table}_{n}", rules, per_row).items():
            results[i].append(item)
    for i in on_distinct:
        distinct = subset.select(pl.col(rules[i].kwargs["column"]).unique(maintain_order=True))
        results[i] += _validate(context, distinct, None, f"{table}_distinct_{i}", rules, [i]).values()
    outcomes = []
    for i, rule in enumerate(rules):
        for item in results[i]:
            raised = item.exception_info.get("raised_exception") if isinstance(item.exception_info, dict) else False
            if raised:
                raise RuntimeError(f"GX could not evaluate {rule.expectation} on {table}: {item.exception_info}")
        indexes = sorted(index for item in results[i] for index in item.result.get("unexpected_index_list") or [])
        outcomes.append(
            (rule, all(item.success for item in results[i]), indexes, results[i][0].result.get("observed_value"))
        )
    return outcomes


# Expectations whose outcome on the screened rows equals their outcome on the whole table (see `suspects`).
SCREENED = (
    "ExpectTableColumnsToMatchSet",
    "ExpectColumnValuesToNotBeNull",
    "ExpectColumnValuesToBeBetween",
    "ExpectColumnPairValuesAToBeGreaterThanB",
    *UNIQUENESS,
    DISTINCT_COUNT,
)


def suspects(frame: pl.DataFrame, rules: list[Rule]) -> pl.Series | None:
    """Positions of the rows GX must see to give every rule the outcome it has on the whole table; None: all rows.

    In polars, and looser than GX (a superset): rows that may fail a row rule
    (a missing, NaN, out-of-range or boundary value, A < B in integer or float
    terms, a key whose hash is shared), the first row of each distinct value a
    distinct-count rule counts, and row 0. So that pandas gives each column the
    dtype it gives the whole table, also the first null of each column with
    nulls and the rows holding each Date column's earliest and latest date (see
    `for_gx`). Row rules judge each row on its own, and every row sharing a key
    is kept, so the failing rows and the table-level observations are the same.
    None for a rule this screen does not know (or one with `mostly`, which
    counts all rows): GX then reads the whole table.
    """
    schema = frame.schema
    marks: list[pl.Expr] = [pl.int_range(pl.len()) == 0]
    for rule in rules:
        kwargs = rule.kwargs
        if rule.expectation not in SCREENED or "mostly" in kwargs or "row_condition" in kwargs:
            return None
        columns = kwargs.get("column_list") or [
            kwargs[name] for name in ("column", "column_A", "column_B") if name in kwargs
        ]
        if any(name not in schema for name in columns):
            return None
        if rule.expectation == "ExpectColumnValuesToNotBeNull":
            marks.append(_missing(kwargs["column"], schema))
        elif rule.expectation == "ExpectColumnValuesToBeBetween":
            outside = _outside(kwargs["column"], schema, kwargs)
            if outside is None:
                return None
            marks.append(outside)
        elif rule.expectation == "ExpectColumnPairValuesAToBeGreaterThanB":
            a, b = kwargs["column_A"], kwargs["column_B"]
            if not (schema[a].is_numeric() and schema[b].is_numeric()):
                return None
            holds = (
                [pl.col(a) >= pl.col(b), pl.col(a).cast(pl.Float64) >= pl.col(b).cast(pl.Float64)]
                if kwargs.get("or_equal")
                else [pl.col(a) > pl.col(b), pl.col(a).cast(pl.Float64) > pl.col(b).cast(pl.Float64)]
            )
            failing = pl.any_horizontal(~check for check in holds).fill_null(False)
            nan = _nan(a, schema) | _nan(b, schema)
            if kwargs.get("ignore_row_if", "both_values_are_missing") != "either_value_is_missing":
                nan = nan | pl.col(a).is_null() | pl.col(b).is_null()
            marks.append(failing | nan)
        elif rule.expectation in UNIQUENESS:
            shared = pl.lit(_shared_keys(frame, columns))
            if rule.expectation == "ExpectColumnValuesToBeUnique":
                shared = shared & ~_missing(columns[0], schema)
            marks.append(shared)
        elif rule.expectation == DISTINCT_COUNT:
            marks.append(pl.col(kwargs["column"]).is_first_distinct())
    position = pl.int_range(pl.len(), dtype=pl.UInt32)
    nulls = frame.null_count().row(0, named=True)
    marks += [position == pl.col(name).is_null().arg_max() for name, count in nulls.items() if count > 0]
    marks += [
        position == getattr(pl.col(name), pick)()
        for name, dtype in schema.items()
        if dtype == pl.Date()
        for pick in ("arg_min", "arg_max")
    ]
    return frame.select(pl.any_horizontal(marks)).to_series().arg_true()


def _shared_keys(frame: pl.DataFrame, columns: list[str]) -> pl.Series:
    """Whether each row's key (the values of `columns`) hashes like another row's: a superset of the duplicates.

    Columns holding one value in every row (or only nulls) cannot tell rows apart and are left out of the hash.
    """
    schema = frame.schema
    stats = frame.select(
        *(pl.col(name).null_count().alias(f"{name}__nulls") for name in columns),
        *(pl.col(name).min().alias(f"{name}__min") for name in columns if not schema[name].is_float()),
        *(pl.col(name).max().alias(f"{name}__max") for name in columns if not schema[name].is_float()),
    ).row(0, named=True)
    varying = [
        name
        for name in columns
        if not (
            stats[f"{name}__nulls"] == frame.height
            or (
                stats[f"{name}__nulls"] == 0
                and not schema[name].is_float()
                and stats[f"{name}__min"] == stats[f"{name}__max"]
            )
        )
    ]
    if not varying:  # one key for every row
        return pl.repeat(frame.height > 1, frame.height, dtype=pl.Boolean, eager=True)
    key = pl.struct(*(_normalised(name, schema) for name in varying))
    return frame.select(key.hash(seed=0).is_duplicated()).to_series()


def _nan(name: str, schema: pl.Schema) -> pl.Expr:
    """NaN in a float column (pandas reads it as missing); never true elsewhere."""
    return pl.col(name).is_nan().fill_null(False) if schema[name].is_float() else pl.lit(False)


def _missing(name: str, schema: pl.Schema) -> pl.Expr:
    """Missing as pandas sees it: null, or NaN in a float column."""
    return pl.col(name).is_null() | _nan(name, schema)


def _normalised(name: str, schema: pl.Schema) -> pl.Expr:
    """A column as pandas compares it for duplicates: -0.0 equals 0.0 and every NaN is one missing value."""
    if not schema[name].is_float():
        return pl.col(name)
    return pl.when(pl.col(name) == 0.0).then(0.0).otherwise(pl.col(name)).fill_nan(None).alias(name)


def _outside(name: str, schema: pl.Schema, kwargs: dict[str, Any]) -> pl.Expr | None:
    """Rows that may fall outside a between rule's bounds (nulls never fail it); None for a dtype not screened."""
    dtype = schema[name]
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    if dtype == pl.Date():
        # Bounds may carry a time of day: a date on a bound's day is always a suspect.
        days = [bound.date() if isinstance(bound, dt.datetime) else bound for bound in (lo, hi)]
        if any(bound is not None and not isinstance(bound, dt.date) for bound in days):
            return None
        checks = [
            (pl.col(name) <= days[0]) if days[0] is not None else pl.lit(False),
            (pl.col(name) >= days[1]) if days[1] is not None else pl.lit(False),
        ]
        return pl.any_horizontal(checks).fill_null(False)
    if not dtype.is_numeric() or any(bound is not None and not isinstance(bound, int | float) for bound in (lo, hi)):
        return None
    checks = []
    for column in (pl.col(name), pl.col(name).cast(pl.Float64)):
        if lo is not None:
            checks.append(~(column > lo) if kwargs.get("strict_min") else ~(column >= lo))
        if hi is not None:
            checks.append(~(column < hi) if kwargs.get("strict_max") else ~(column <= hi))
    return pl.any_horizontal(checks).fill_null(False) | _nan(name, schema) if checks else _nan(name, schema)


def _validate(
    context: Any, frame: pl.DataFrame, positions: pl.Series | None, name: str, rules: list[Rule], chosen: list[int]
) -> dict[int, Any]:
    """GX's result of each chosen rule on one frame whose rows sit at `positions` of the table (None: 0, 1, ...).

    This is the one place a polars frame becomes pandas (GX reads pandas only).
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe

    data = for_gx(frame).to_pandas()
    if positions is not None:
        data.index = positions.to_numpy()  # GX reports failing rows by index label: the table's positions
    batch = (
        context.data_sources.add_pandas(f"adlab_{name}")
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": data})
    )
    # `meta` carries each rule's position: GX does not keep the suite's order in its results.
    expectations = [getattr(gxe, rules[i].expectation)(**rules[i].kwargs, meta={"rule": i}) for i in chosen]
    suite = gx.ExpectationSuite(name=name, expectations=expectations)
    if len(suite.expectations) != len(chosen):
        raise RuntimeError(f"GX dropped {len(chosen) - len(suite.expectations)} expectations of {name}")
    result = batch.validate(suite, result_format="COMPLETE")
    return {item.expectation_config.meta["rule"]: item for item in result.results}


def _parts(frame: pl.DataFrame, rules: list[Rule], chunk_rows: int) -> list[pl.Series | None]:
    """Row positions of each part GX validates on its own; [None] (the whole table) when it is short enough.

    Rows are split by a hash of the columns every uniqueness rule compares, so
    rows that could be duplicates of each other land in the same part.
    """
    count = -(-frame.height // max(chunk_rows, 1))
    compared = [
        set(rule.kwargs.get("column_list") or [rule.kwargs["column"]])
        for rule in rules
        if rule.expectation in UNIQUENESS
    ]
    shared = sorted(set.intersection(*compared)) if compared else []
    if count <= 1 or (compared and not shared):
        return [None]
    part = (
        frame.select(pl.struct(shared).hash(seed=0) % count)
        if shared
        else frame.select(pl.int_range(pl.len(), dtype=pl.UInt64) % count)
    ).to_series()
    positions = [(part == n).arg_true() for n in range(count)]
    return [rows for rows in positions if rows.len()]


def for_gx(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with Date columns as nanosecond datetimes when they fit, the one form GX compares vectorised.

    GX's pandas engine checks `between` on any other dtype one Python call per row
    (about 5 s per million rows); a date outside 1678..2261 keeps its Date dtype.
    """
    dates = [name for name, dtype in frame.schema.items() if dtype == pl.Date()]
    lo, hi = dt.date(1678, 1, 1), dt.date(2261, 12, 31)
    bounds = (
        frame.select(pl.col(dates).min().name.suffix("_lo"), pl.col(dates).max().name.suffix("_hi")).row(0, named=True)
        if dates
        else {}
    )
    fits = [
        name
        for name in dates
        if (bounds[f"{name}_lo"] is None or bounds[f"{name}_lo"] >= lo)
        and (bounds[f"{name}_hi"] is None or bounds[f"{name}_hi"] <= hi)
    ]
    return frame.with_columns(pl.col(fits).cast(pl.Datetime("ns"))) if fits else frame


@dataclass
class Validated:
    table: pl.DataFrame
    quarantine: pl.DataFrame
    checks: pl.DataFrame
    quarantined_rows: dict[str, int]


Outcome = tuple[Rule, bool, list[int], Any]  # a rule, its success, the failing row positions, GX's observation


def validate_table(frame: pl.DataFrame, table: str, min_date: dt.date, max_date: dt.date) -> Validated:
    """Check one ingested table; failing rows leave it for quarantine with their reasons.

    `frame` carries the ledger weight column (input rows per row); the returned
    table does not. Raises AdlabError for table-level failures.
    """
    check_dtypes(frame, TABLE_COLUMNS[table], table)
    body = frame.drop(INPUT_ROWS)
    rules = rules_for(table, min_date, max_date)
    return validated(frame, table, run_suite(body, table, rules) if body.height else [])


def validated(frame: pl.DataFrame, table: str, outcomes: list[Outcome]) -> Validated:
    """The checks, kept rows and quarantined rows of `frame` (with its ledger weights) from the rules' outcomes.

    Raises:
        AdlabError: a table-level rule failed.
    """
    body = frame.drop(INPUT_ROWS)
    checks = []
    for rule, success, indexes, observed in outcomes:
        column = rule.kwargs.get("column") or rule.kwargs.get("column_A") or ""
        if not success and not rule.reason:
            _stop(body, table, rule, observed)
        checks.append(
            {
                "table": table,
                "check": rule.expectation,
                "column": column,
                "success": success,
                "unexpected_count": len(indexes),
                "details": rule.reason or _observed(observed),
            }
        )
    failing = [(rule, indexes) for rule, _, indexes, _ in outcomes if indexes and rule.reason]
    if failing:
        flagged = pl.Series("reason", [None] * body.height, dtype=pl.String)
        # A row failing several rules keeps the reason of the first: later rules are written first.
        for rule, indexes in reversed(failing):
            flagged = flagged.scatter(indexes, rule.reason)
        marked = frame.with_columns(flagged)
        bad = marked.filter(pl.col("reason").is_not_null())
        kept = marked.filter(pl.col("reason").is_null()).drop("reason", INPUT_ROWS)
    else:  # nothing to quarantine: the table as it came (no copy of it)
        bad = frame.clear().with_columns(pl.lit(None, pl.String).alias("reason"))
        kept = body
    counts = dict(bad.group_by("source_file").agg(pl.col(INPUT_ROWS).sum()).iter_rows())
    return Validated(
        table=kept,
        quarantine=bad.drop(INPUT_ROWS).select(pl.all().cast(pl.String)),
        checks=pl.DataFrame(checks, schema=CHECKS) if checks else pl.DataFrame(schema=CHECKS),
        quarantined_rows=counts,
    )


def merge_quarantine(set_aside: pl.DataFrame, failed: pl.DataFrame) -> pl.DataFrame:
    """One row per quarantined row of a table: those ingest could not read, then those failing validation.

    `source_row` is a spreadsheet row number (Int64), null where a row has none.
    """
    quarantine = pl.concat([set_aside, failed], how="diagonal")
    return quarantine.with_columns(
        pl.col("source_row").cast(pl.Int64, strict=False)
        if "source_row" in quarantine.columns
        else pl.lit(None, pl.Int64).alias("source_row")
    )


def ledger_after_validation(ledger: pl.DataFrame, quarantined_rows: dict[str, int]) -> pl.DataFrame:
    """One row per input file, as `ledger`, with the input rows validation quarantined moved from kept."""
    moved = pl.col("source_file").replace_strict(quarantined_rows, default=0, return_dtype=pl.Int64)
    return ledger.with_columns(
        (pl.col("kept") - moved).alias("kept"), (pl.col("quarantined") + moved).alias("quarantined")
    )


def _observed(observed: Any) -> str:
    """A short account of a table-level observation (a column list is counted, not listed)."""
    if isinstance(observed, list):
        return f"{len(observed)} columns, as in the schema"
    return f"observed {observed}"


def _stop(frame: pl.DataFrame, table: str, rule: Rule, observed: Any) -> None:
    """Raise the one-line error for a table-level failure."""
    if rule.expectation == "ExpectColumnUniqueValueCountToBeBetween":
        per_file = frame.group_by("currency").agg(pl.col("source_file").unique().sort().first()).sort("currency").rows()
        listing = "; ".join(f"{currency} in {source}" for currency, source in per_file)
        raise AdlabError(f"{table}: exports in several currencies ({listing}); keep one account currency in data/raw/.")
    raise AdlabError(f"{table}: {rule.expectation} failed (observed {observed}).")
