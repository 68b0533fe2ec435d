"""Two named entities side by side ("'A' vs 'B'"): the asked KPI of each over one period, which is better, and
for two ads or ad sets the A/B readout's verdict on ROAS (ab.py: intervals, P(B beats A))."""

from __future__ import annotations

import polars as pl

from adlab.errors import AdlabError
from adlab.insights.ab import ab_readout
from adlab.insights.answer import LEVEL_WORDS, LOWER_IS_BETTER, Answer, Row, Workspace, find_entity, quoted
from adlab.insights.lookup import figure_word, value_text, when_text
from adlab.insights.periods import Period, in_period, last_day, totals_of, window_ending
from adlab.insights.questions import Intent

DEFAULT_DAYS = 14  # as the A/B readout


def compare_entities(intent: Intent, workspace: Workspace) -> Answer:
    """`intent.name` vs `intent.other` on `intent.kpi` over the asked period (default the last 14 days).

    Raises:
        AdlabError: a name matches nothing (with the closest names), or the two are the same entity.
    """
    kpis_daily, kpi, currency = workspace.kpis_daily, intent.kpi, workspace.currency
    period = intent.periods[0] if intent.periods else window_ending(last_day(kpis_daily), DEFAULT_DAYS)
    a, b = (_entity(kpis_daily, name, intent.level, period) for name in (intent.name, intent.other))
    if (a["level"], a["name"]) == (b["level"], b["name"]):
        raise AdlabError(f"both names point to {LEVEL_WORDS[a['level']]} {quoted(a['name'])}: name two different ones.")
    when = when_text(kpis_daily, period)
    first, second = (
        f"{LEVEL_WORDS[row['level']]} {quoted(row['name'])} {value_text(kpi, row.get(kpi), currency)}" for row in (a, b)
    )
    headline = f"{figure_word(kpi)} {when}: {first} vs {second}{_better(kpi, a, b)}."
    lines = [
        f"{quoted(typed)} read as {LEVEL_WORDS[row['level']]} {quoted(row['name'])}, the closest name."
        for typed, row in ((intent.name, a), (intent.other, b))
        if typed.casefold() != row["name"].casefold()
    ]
    lines += [
        f"{quoted(row['name'])} did not spend {when}, so its {figure_word(kpi)} is unknown (–)."
        for row in (a, b)
        if not row.get("spend")
    ]
    lines += [
        f"{quoted(row['name'])}: spend {value_text('spend', row.get('spend'), currency)}, "
        f"{value_text('purchases', row.get('purchases'), currency)} purchases, "
        f"ROAS {value_text('roas', row.get('roas'), currency)}, CPA {value_text('cpa', row.get('cpa'), currency)}."
        for row in (a, b)
    ]
    if a["level"] == b["level"] and a["level"] in ("ad", "adset"):
        _, verdict = ab_readout(kpis_daily, a["name"], b["name"], a["level"], days=period.days)
        lines.append(f"A/B readout (A = {quoted(a['name'])}, B = {quoted(b['name'])}): {verdict}")
    compared = pl.DataFrame(
        [{"level": row["level"], "name": row["name"], kpi: row.get(kpi), "spend": row.get("spend")} for row in (a, b)]
    )
    return Answer(headline[0].upper() + headline[1:], lines, {"compared": compared, "period": period})


def _entity(kpis_daily: pl.DataFrame, name: str, level: str | None, period: Period) -> Row:
    """The entity a typed name means (`find_entity`: exact, else the closest, else "did you mean"), summed."""
    found_level, exact = find_entity(kpis_daily, name, level if level in LEVEL_WORDS else None)
    mine = kpis_daily.filter((pl.col(found_level) == exact) & in_period(period))
    return {"level": found_level, "name": exact, **totals_of(mine)}


def _better(kpi: str, a: Row, b: Row) -> str:
    """`; 'A' is better` in the KPI's good direction (lower for costs), or nothing when either is unknown."""
    va, vb = a.get(kpi), b.get(kpi)
    if va is None or vb is None or va == vb:
        return ""
    lower = kpi in LOWER_IS_BETTER or kpi == "cost_per_result"
    best = a if (va < vb) == lower else b
    if kpi not in ("roas", "cpa", "cpc", "cpm", "ctr", "cvr", "aov", "cost_per_result", "purchase_value", "purchases"):
        return ""  # spend, impressions, frequency: more is not better
    return f"; {quoted(best['name'])} is better"
