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
                {"column_A": "impressions", "column_B": "link_clicks", "or_equal": True,
                 "ignore_row_if": "either_value_is_missing"},
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
            *[Rule("ExpectColumnValuesToBeBetween", {"column": name, "min_value": 0}, f"{name} is negative")
              for name in counts],
            Rule("ExpectCompoundColumnsToBeUnique", {"column_list": list(key), "ignore_row_if": "never"},
                 "duplicate key")
            if len(key) > 1
            else Rule("ExpectColumnValuesToBeUnique", {"column": key[0]}, "duplicate key"),
        ]
    return [
        Rule("ExpectTableColumnsToMatchSet", {"column_set": list(ORDERS), "exact_match": True}, ""),
        not_null,
        date_rule,
        Rule("ExpectColumnValuesToBeUnique", {"column": ORDERS_KEY[0]}, "duplicate order id"),
        *[
            Rule("ExpectColumnValuesToBeBetween", {"column": name, "min_value": 0}, f"{name} is negative")
            for name in ORDER_MONEY
        ],
        Rule(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "total", "column_B": "refunded", "or_equal": True,
             "ignore_row_if": "either_value_is_missing"},
            "refunded more than the order total",
        ),
        Rule("ExpectColumnUniqueValueCountToBeBetween", {"column": "currency", "max_value": 1}, ""),
    ]


def run_suite(
    frame: pl.DataFrame, table: str, rules: list[Rule], chunk_rows: int = CHUNK_ROWS
) -> list[tuple[Rule, bool, list[int], Any]]:
    """Validate `frame` with GX; per rule: success, failing row positions, observed value.

    A table longer than `chunk_rows` goes to GX in parts, so that its pandas copy
    stays small: rows are sent to parts by a hash of the columns the uniqueness
    rules compare (duplicates always meet in one part), and a rule on a column's
    count of distinct values runs once on those distinct values.
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx  # imported here: only the validate stage pays its start-up cost

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    parts = _parts(frame, rules, chunk_rows)
    on_distinct = [i for i, rule in enumerate(rules) if rule.expectation == DISTINCT_COUNT] if len(parts) > 1 else []
    per_row = [i for i in range(len(rules)) if i not in on_distinct]
    results: dict[int, list[Any]] = {i: [] for i in range(len(rules))}
    for n, positions in enumerate(parts):
        part = frame if positions is None else frame[positions]
        for i, item in _validate(context, part, positions, f"{table}_{n}", rules, per_row).items():
            results[i].append(item)
    for i in on_distinct:
        distinct = frame.select(pl.col(rules[i].kwargs["column"]).unique(maintain_order=True))
        results[i] += _validate(context, distinct, None, f"{table}_distinct_{i}", rules, [i]).values()
    outcomes = []
    for i, rule in enumerate(rules):
        for item in results[i]:
            raised = item.exception_info.get("raised_exception") if isinstance(item.exception_info, dict) else False
            if raised:
                raise RuntimeError(f"GX could not evaluate {rule.expectation} on {table}: {item.exception_info}")
        indexes = sorted(index for item in results[i] for index in item.result.get("unexpected_index_list") or [])
        outcomes.append((rule, all(item.success for item in results[i]), indexes,
                         results[i][0].result.get("observed_value")))
    return outcomes


def _validate(context: Any, frame: pl.DataFrame, positions: pl.Series | None, name: str, rules: list[Rule],
              chosen: list[int]) -> dict[int, Any]:
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
        for rule in rules if rule.expectation in UNIQUENESS
    ]
    shared = sorted(set.intersection(*compared)) if compared else []
    if count <= 1 or (compared and not shared):
        return [None]
    part = (
        frame.select(pl.struct(shared).hash(seed=0) % count) if shared
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
    bounds = frame.select(pl.col(dates).min().name.suffix("_lo"), pl.col(dates).max().name.suffix("_hi")).row(
        0, named=True
    ) if dates else {}
    fits = [
        name for name in dates
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


def validate_table(
    frame: pl.DataFrame, table: str, min_date: dt.date, max_date: dt.date
) -> Validated:
    """Check one ingested table; failing rows leave it for quarantine with their reasons.

    `frame` carries the ledger weight column (input rows per row); the returned
    table does not. Raises AdlabError for table-level failures.
    """
    check_dtypes(frame, TABLE_COLUMNS[table], table)
    body = frame.drop(INPUT_ROWS)
    rules = rules_for(table, min_date, max_date)
    outcomes = run_suite(body, table, rules) if body.height else []
    checks = []
    for rule, success, indexes, observed in outcomes:
        column = rule.kwargs.get("column") or rule.kwargs.get("column_A") or ""
        if not success and not rule.reason:
            _stop(body, table, rule, observed)
        checks.append({
            "table": table, "check": rule.expectation, "column": column, "success": success,
            "unexpected_count": len(indexes), "details": rule.reason or _observed(observed),
        })
    flagged = pl.Series("reason", [None] * body.height, dtype=pl.String)
    # A row failing several rules keeps the reason of the first: later rules are written first.
    for rule, _, indexes, _ in reversed(outcomes):
        if indexes and rule.reason:
            flagged = flagged.scatter(indexes, rule.reason)
    marked = frame.with_columns(flagged)
    bad = marked.filter(pl.col("reason").is_not_null())
    counts = dict(bad.group_by("source_file").agg(pl.col(INPUT_ROWS).sum()).iter_rows())
    return Validated(
        table=marked.filter(pl.col("reason").is_null()).drop("reason", INPUT_ROWS),
        quarantine=bad.drop(INPUT_ROWS).select(pl.all().cast(pl.String)),
        checks=pl.DataFrame(checks, schema=CHECKS) if checks else pl.DataFrame(schema=CHECKS),
        quarantined_rows=counts,
    )


def check_currencies(tables: dict[str, pl.DataFrame]) -> None:
    """Ad spend and store revenue must be in one currency, else MER and ROAS mix money.

    Raises:
        AdlabError: naming each table's currency and a file it came from.
    """
    found = {
        table: frame.filter(pl.col("currency").is_not_null()).select("currency", "source_file").head(1).rows()
        for table, frame in tables.items()
        if "currency" in frame.columns
    }
    seen = {rows[0][0]: (table, rows[0][1]) for table, rows in found.items() if rows}
    if len(seen) > 1:
        listing = "; ".join(f"{currency} in {table} ({source})" for currency, (table, source) in sorted(seen.items()))
        raise AdlabError(f"exports in several currencies ({listing}); keep one store and account currency.")


def _observed(observed: Any) -> str:
    """A short account of a table-level observation (a column list is counted, not listed)."""
    if isinstance(observed, list):
        return f"{len(observed)} columns, as in the schema"
    return f"observed {observed}"


def _stop(frame: pl.DataFrame, table: str, rule: Rule, observed: Any) -> None:
    """Raise the one-line error for a table-level failure."""
    if rule.expectation == "ExpectColumnUniqueValueCountToBeBetween":
        per_file = (
            frame.group_by("currency").agg(pl.col("source_file").unique().sort().first()).sort("currency").rows()
        )
        listing = "; ".join(f"{currency} in {source}" for currency, source in per_file)
        raise AdlabError(
            f"{table}: exports in several currencies ({listing}); keep one account currency in data/raw/."
        )
    raise AdlabError(f"{table}: {rule.expectation} failed (observed {observed}).")
