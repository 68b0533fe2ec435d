"""Breakdown answers: one figure by age, gender, placement, publisher platform, region or country (from the
breakdown export that holds the dimension), or by ad platform (from the KPI table itself).
"""

from __future__ import annotations

import polars as pl

from adlab.display import PLATFORM_NAMES, count_text, money_text, share_text
from adlab.errors import AdlabError
from adlab.insights.answer import LOWER_IS_BETTER, Answer, Workspace, find_entity
from adlab.insights.lookup import figure_word, is_ratio, scoped, value_text, when_text
from adlab.insights.periods import Period, first_date, in_period, last_date, periods_for
from adlab.insights.questions import Intent
from adlab.insights.segments import BREAKDOWN_EXPORT
from adlab.kpis import breakdown_rollup, rollup
from adlab.schema import BREAKDOWN_DIMS

DIMENSION_WORDS = {"publisher_platform": "platform", "platform_source": "ad platform"}


def breakdown(intent: Intent, workspace: Workspace) -> Answer:
    """The figure per value of the dimension over the period, best first, with each value's share of spend.

    Raises:
        AdlabError: the dimension is unknown, or no breakdown export holds it.
    """
    kpis_daily, currency, kpi = workspace.kpis_daily, workspace.currency, intent.kpi
    dimension = intent.dimension or "age"
    period = intent.periods[0] if intent.periods else periods_for(kpis_daily, "days", 7)[0]
    word = DIMENSION_WORDS.get(dimension, dimension)
    if dimension in ("platform", "platform_source"):
        frame, _ = scoped(intent.name, intent.level, "", kpis_daily)
        dimension, word = "platform_source", DIMENSION_WORDS["platform_source"]
        rows = rollup(frame.filter(in_period(period)), [dimension])
    elif dimension in BREAKDOWN_DIMS:
        rows, period = _breakdown_rows(intent, workspace, dimension, period)
    else:
        raise AdlabError(f"I cannot break figures down by {dimension!r}: try age, gender, placement or platform.")
    when = when_text(kpis_daily, period)
    by = f"{figure_word(kpi)} by {word}"
    if kpi not in rows.columns or rows.height == 0 or rows[kpi].null_count() == rows.height:
        missing = "no rows" if rows.height == 0 else f"no {figure_word(kpi)}"
        return Answer(f"Your {by} {when} is unknown: the export has {missing} for it.", [], {"breakdown": rows})
    high_first = kpi not in LOWER_IS_BETTER
    ranked = rows.filter(pl.col(kpi).is_not_null()).sort(kpi, descending=high_first)
    total_spend = rows["spend"].sum()
    items = ", ".join(
        f"{_value_name(row[dimension])} {value_text(kpi, row[kpi], currency)}" for row in ranked.iter_rows(named=True)
    )
    order = "best first" if is_ratio(kpi) else "largest first"
    headline = f"Your {by} {when}, {order}: {items}."
    lines = [
        f"{_value_name(row[dimension])}: "
        + (f"{figure_word(kpi)} {value_text(kpi, row[kpi], currency)}, " if kpi != "spend" else "")
        + f"spend {money_text(row['spend'], currency)} "
        f"({share_text(row['spend'] / total_spend if total_spend else None)}), "
        f"{count_text(row['purchases'])} purchases."
        for row in rows.sort(dimension, nulls_last=True).iter_rows(named=True)
    ]
    return Answer(headline, lines, {"breakdown": rows, "period": period})


def _value_name(value: str | None) -> str:
    """`Meta` for an ad platform, else the value as exported; `(none)` for a missing one."""
    return "(none)" if value is None else PLATFORM_NAMES.get(value, value)


def _breakdown_rows(
    intent: Intent, workspace: Workspace, dimension: str, period: Period
) -> tuple[pl.DataFrame, Period]:
    """The roll-up by the dimension from the breakdown export that holds it, over the period (clipped to the export).

    Raises:
        AdlabError: no breakdown export holds the dimension.
    """
    ad_insights = workspace.ad_insights
    exports: list[str] = (
        []
        if ad_insights is None
        else sorted(
            name
            for name in ad_insights["breakdown"].drop_nulls().unique().to_list()
            if name != "none" and dimension in name
        )
    )
    if ad_insights is None or not exports:
        needs = {"age": "age_gender", "gender": "age_gender", "publisher_platform": "placement"}.get(dimension, "")
        export = BREAKDOWN_EXPORT.get(needs or dimension, f"a breakdown export by {dimension}")
        raise AdlabError(f"a breakdown by {dimension} needs {export}, and none is in the data.")
    rows = ad_insights.filter(pl.col("breakdown") == exports[0])
    if intent.name:
        level, name = find_entity(workspace.kpis_daily, intent.name, intent.level)
        rows = rows.filter(pl.col(level) == name)
    if rows.height == 0:
        return rows.head(0), period
    span = Period(max(period.start, first_date(rows)), min(period.end, last_date(rows)))
    return breakdown_rollup(rows, exports[0], [dimension], span.start, span.end), span
