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
from adlab.schema import AD_INSIGHTS, AD_INSIGHTS_KEY, AD_METRICS, INPUT_ROWS, ORDER_MONEY, ORDERS, ORDERS_KEY

CHECKS: dict[str, pl.DataType] = {
    "table": pl.String(),
    "check": pl.String(),
    "column": pl.String(),
    "success": pl.Boolean(),
    "unexpected_count": pl.Int64(),
    "details": pl.String(),
}


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


def run_suite(frame: pl.DataFrame, table: str, rules: list[Rule]) -> list[tuple[Rule, bool, list[int], Any]]:
    """Validate `frame` with GX; per rule: success, failing row positions, observed value.

    This is the one place a polars frame becomes pandas (GX reads pandas only).
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx  # imported here: only the validate stage pays its start-up cost
    import great_expectations.expectations as gxe

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    batch = (
        context.data_sources.add_pandas(f"adlab_{table}")
        .add_dataframe_asset(name=table)
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame.to_pandas()})
    )
    # `meta` carries each rule's position: GX does not keep the suite's order in its results.
    expectations = [getattr(gxe, rule.expectation)(**rule.kwargs, meta={"rule": i}) for i, rule in enumerate(rules)]
    suite = gx.ExpectationSuite(name=table, expectations=expectations)
    if len(suite.expectations) != len(rules):
        raise RuntimeError(f"GX dropped {len(rules) - len(suite.expectations)} expectations of {table}")
    result = batch.validate(suite, result_format="COMPLETE")
    by_rule = {item.expectation_config.meta["rule"]: item for item in result.results}
    outcomes = []
    for i, rule in enumerate(rules):
        item = by_rule[i]
        raised = item.exception_info.get("raised_exception") if isinstance(item.exception_info, dict) else False
        if raised:
            raise RuntimeError(f"GX could not evaluate {rule.expectation} on {table}: {item.exception_info}")
        outcomes.append(
            (rule, bool(item.success), list(item.result.get("unexpected_index_list") or []),
             item.result.get("observed_value"))
        )
    return outcomes


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
    columns = AD_INSIGHTS if table == "ad_insights" else ORDERS
    check_dtypes(frame, columns, table)
    body = frame.drop(INPUT_ROWS)
    rules = rules_for(table, min_date, max_date)
    outcomes = run_suite(body, table, rules) if body.height else []
    reasons: dict[int, str] = {}
    checks = []
    for rule, success, indexes, observed in outcomes:
        column = rule.kwargs.get("column") or rule.kwargs.get("column_A") or ""
        if not success and not rule.reason:
            _stop(body, table, rule, observed)
        for index in indexes:
            reasons.setdefault(index, rule.reason)
        checks.append({
            "table": table, "check": rule.expectation, "column": column, "success": success,
            "unexpected_count": len(indexes), "details": rule.reason or _observed(observed),
        })
    flagged = pl.Series("reason", [reasons.get(i) for i in range(body.height)], dtype=pl.String)
    marked = frame.with_columns(flagged)
    bad = marked.filter(pl.col("reason").is_not_null())
    counts = dict(bad.group_by("source_file").agg(pl.col(INPUT_ROWS).sum()).iter_rows())
    return Validated(
        table=marked.filter(pl.col("reason").is_null()).drop("reason", INPUT_ROWS),
        quarantine=bad.drop(INPUT_ROWS).select(pl.all().cast(pl.String)),
        checks=pl.DataFrame(checks, schema=CHECKS) if checks else pl.DataFrame(schema=CHECKS),
        quarantined_rows=counts,
    )


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
