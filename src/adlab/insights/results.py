"""Results by type, for accounts or entities whose purchases are unknown (leads, messaging, traffic).

Each result type stays apart: leads and conversations are never added up, and each has its own cost per
result. An unknown purchase count is never read as 0.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from adlab.display import MISSING, count_text, money_text
from adlab.insights.answer import Row
from adlab.insights.periods import Period, in_period
from adlab.kpis import result_unit, rollup_results

PURCHASES_UNKNOWN = (
    "Purchases are unknown (–): the exports have no Purchases column, so ROAS and CPA cannot be "
    "computed (an Ads Manager export with Purchases and Purchases conversion value would give them)."
)


def purchases_known(kpis_daily: pl.DataFrame, period: Period | None = None) -> bool:
    """Whether any row (of the period) has purchases exported; an unknown count is never read as 0."""
    frame = kpis_daily if period is None else kpis_daily.filter(in_period(period))
    return frame.height > 0 and frame["purchases"].null_count() < frame.height


def cost_text(value: float | None, currency: str | None) -> str:
    """Money as in `money`, `–` when unknown (no result to divide by)."""
    return MISSING if value is None else money_text(value, currency)


def results_in(results_daily: pl.DataFrame | None, period: Period, keys: list[str] | None = None) -> pl.DataFrame:
    """One row per (keys, result type) over the period: spend, results, cost per result; largest spend first."""
    keys = keys or []
    if results_daily is None or results_daily.height == 0:
        return pl.DataFrame(
            schema={
                **{k: pl.String for k in keys},
                "result_type": pl.String,
                "spend": pl.Float64,
                "results": pl.Float64,
                "cost_per_result": pl.Float64,
            }
        )
    rolled = rollup_results(results_daily.filter(in_period(period)), keys)
    return rolled.sort(
        [*keys, pl.col("spend").fill_null(0.0), "result_type"], descending=[*[False] * len(keys), True, False]
    )


def results_text(rows: pl.DataFrame, currency: str | None) -> str:
    """`16 Leads at 24.66 USD per lead (spend 394.52 USD); 96 Messaging conversations started at ...`."""
    return "; ".join(
        f"{count_text(row['results'])} {row['result_type']} at {cost_text(row['cost_per_result'], currency)} per "
        f"{result_unit(row['result_type'])} (spend {money_text(row['spend'], currency)})"
        for row in rows.iter_rows(named=True)
    )


def by_results(purchases: int | None, main: Row | None) -> bool:
    """Whether an entity is judged by the cost per result of its main result type instead of by purchases.

    When its purchases are unknown, and when its spend went mostly to another objective (leads, messaging,
    traffic): a leads campaign of an account that also sells has 0 purchases in the export, which is no
    reason to pause it.
    """
    return main is not None and (purchases is None or "purchase" not in (main["result_type"] or "").lower())


def main_results(results_daily: pl.DataFrame | None, period: Period, keys: list[str]) -> dict[tuple[Any, ...], Row]:
    """Per entity (`keys`), the results row of its largest-spend result type over the period."""
    rows = results_in(results_daily, period, keys)
    main: dict[tuple[Any, ...], Row] = {}
    for row in rows.iter_rows(named=True):
        main.setdefault(tuple(row[k] for k in keys), row)
    return main
