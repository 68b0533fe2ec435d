"""The validate stage's work by account: many accounts' tables checked in one great-expectations pass.

GX costs about 0.1-0.2 s per validation whatever the rows, so 200 accounts validated one by one would
spend most of the stage there. Every rule of the canonical tables judges a row on its own or a key that
starts with the account, so one pass over the accounts' rows together gives each account exactly what a
pass over its own rows gives (`validate_parts`); the one rule about a whole table, "one currency", is
asked per account: GX checks that each account appears once among the distinct (account, currency) pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from adlab.quality import (
    CHECKS,
    DISTINCT_COUNT,
    TABLE_COLUMNS,
    Outcome,
    Rule,
    Validated,
    check_dtypes,
    rules_for,
    run_suite,
    validate_table,
    validated,
)
from adlab.schema import INPUT_ROWS

# The validate stage's outputs per account: each table, its quarantined rows, the checks and the input rows
# quarantined per file. Tables are sorted by keys that start with the account: the partitions in account
# order are the combined rows (no sort).
VALIDATED_OUTPUTS: dict[str, tuple[str, ...]] = {
    **{table: () for table in TABLE_COLUMNS},
    **{f"quarantine_{table}": () for table in TABLE_COLUMNS},
    "checks": (),
    "quarantined_rows": (),
}
PART = "_part"  # which of the frames a row of the joint pass came from


def validate_accounts(
    owners: Sequence[str | None], tables: Sequence[dict[str, pl.DataFrame]], dates: tuple[dt.date, dt.date]
) -> list[dict[str, pl.DataFrame]]:
    """The validate stage's work for several accounts (what a Dask worker runs): each account's tables
    checked as `validate_table` checks them, in one GX pass per table; the outputs of each account.

    Raises:
        AdlabError: a table-level failure of an account, naming the table and a file.
    """
    per_table = {table: validate_parts([own[table] for own in tables], table, *dates) for table in TABLE_COLUMNS}
    outputs = []
    for index in range(len(owners)):
        own: dict[str, pl.DataFrame] = {}
        checks, counts = [], []
        for table, results in per_table.items():
            result = results[index]
            own[table], own[f"quarantine_{table}"] = result.table, result.quarantine
            checks.append(result.checks)
            counts += list(result.quarantined_rows.items())
        own["checks"] = pl.concat(checks)
        own["quarantined_rows"] = pl.DataFrame(
            counts, schema={"source_file": pl.String, "rows": pl.Int64}, orient="row"
        )
        outputs.append(own)
    return outputs


def validate_parts(frames: Sequence[pl.DataFrame], table: str, min_date: dt.date, max_date: dt.date) -> list[Validated]:
    """`validate_table` of each frame (each one account's rows, with their ledger weights), from one GX pass.

    Raises:
        AdlabError: a table-level rule failed for one of the frames.
    """
    filled = [index for index, frame in enumerate(frames) if frame.height]
    if len(filled) < 2:  # nothing to share: each on its own (an empty frame costs nothing)
        return [validate_table(frame, table, min_date, max_date) for frame in frames]
    joint = pl.concat([frames[index] for index in filled], how="vertical_relaxed")
    check_dtypes(joint, TABLE_COLUMNS[table], table)
    body = joint.drop(INPUT_ROWS)
    rules = rules_for(table, min_date, max_date)
    by_row = [rule for rule in rules if rule.expectation != DISTINCT_COUNT]
    outcomes = dict(zip(map(id, by_row), run_suite(body, table, by_row), strict=True))
    sizes = [frames[index].height for index in filled]
    parts = pl.Series(PART, [index for index, size in zip(filled, sizes, strict=True) for _ in range(size)])
    distinct = {
        id(rule): _distinct_per_part(body.with_columns(parts), table, rule)
        for rule in rules
        if id(rule) not in outcomes
    }
    results = []
    start = 0
    for index, frame in enumerate(frames):
        if not frame.height:
            results.append(validated(frame, table, []))
            continue
        end = start + frame.height
        own: list[Outcome] = []
        for rule in rules:
            if id(rule) in distinct:
                success, observed = distinct[id(rule)][index]
                own.append((rule, success, [], observed))
                continue
            _, success, indexes, observed = outcomes[id(rule)]
            mine = [position - start for position in indexes if start <= position < end]
            # A row rule holds for an account when none of its rows fails; a table rule holds for all or none.
            own.append((rule, not mine if rule.reason else success, mine, observed))
        results.append(validated(frame, table, own))
        start = end
    return results


def _distinct_per_part(body: pl.DataFrame, table: str, rule: Rule) -> dict[int, tuple[bool, Any]]:
    """part -> (success, observed) of a distinct-count rule (at most one value) judged within each part: GX
    checks that each part appears once among the part's distinct non-null values; observed is their count."""
    column = rule.kwargs["column"]
    if rule.kwargs.get("max_value") != 1 or rule.kwargs.get("min_value") not in (None, 0):
        raise RuntimeError(f"{table}: a distinct-count rule other than 'at most one' cannot be judged per account")
    pairs = body.select(PART, column).drop_nulls(column).unique(maintain_order=True)
    once = Rule("ExpectColumnValuesToBeUnique", {"column": PART}, "")
    [(_, _, failing, _)] = run_suite(pairs, table, [once]) if pairs.height else [(once, True, [], None)]
    several = set(pairs[PART].gather(failing).to_list()) if failing else set()
    counts = dict(pairs.group_by(PART).len().iter_rows())
    return {int(part): (part not in several, counts.get(part, 0)) for part in body[PART].unique().to_list()}


def merge_checks(checks: pl.DataFrame) -> pl.DataFrame:
    """One row per (table, check, column) from the checks of several accounts: a check succeeds when it did on
    every account, its failing rows add up; tables in the order of TABLE_COLUMNS."""
    rank = {table: index for index, table in enumerate(TABLE_COLUMNS)}
    return (
        checks.group_by("table", "check", "column", maintain_order=True)
        .agg(pl.col("success").all(), pl.col("unexpected_count").sum(), pl.col("details").first())
        .sort(pl.col("table").replace_strict(rank, default=len(rank), return_dtype=pl.Int64), maintain_order=True)
        .select(list(CHECKS))
        .cast(dict(CHECKS.items()))
    )
