""" "Why ROAS moved": the week-over-week change split exactly into CPM, CTR, CVR and AOV."""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from adlab import kpis
from adlab.display import MISSING, fmt_change, fmt_money, fmt_pct, fmt_roas, relative_change
from adlab.errors import AdlabError
from adlab.report.frames import previous_week
from adlab.report.html import esc, html_table, note_html

FACTOR_NAMES = {"cpm": "CPM", "ctr": "CTR", "cvr": "conversion rate (CVR)", "aov": "order value (AOV)"}


def roas_change_html(kpis_daily: pl.DataFrame, week: str, currency: str) -> str:
    """ "Why ROAS moved": the week-over-week change split exactly into CPM, CTR, CVR and AOV (kpis.log_split),
    in words from adlab.insights.explain_change (which also names the campaigns that moved it, mix vs rate)
    and as a table of the four factors.
    """
    current, previous = kpis.week_bounds(week), kpis.week_bounds(previous_week(week))
    now = kpis.period_figures(kpis_daily, None, *current)
    before = kpis.period_figures(kpis_daily, None, *previous)
    if now.get("spend") and now.get("purchase_value") is None:
        return note_html(
            "No ROAS this week: its ad exports hold no purchase value (see the line under the tiles), "
            "so there is no change to split."
        )
    if not before.get("spend") or not now.get("spend") or not now.get("roas") or not before.get("roas"):
        return note_html(f"No ROAS to compare for {previous_week(week)}, the week before, so no split of the change.")
    from adlab import insights  # imported here: scipy loads only for a page, not for the notebook's readers

    try:
        answer = insights.explain_change(
            kpis_daily, insights.Period(*current), insights.Period(*previous), "roas", currency
        )
        paragraph = " ".join([answer.headline, *answer.lines])
    except AdlabError as err:
        paragraph = str(err)
    terms = kpis.log_split(before, now, "roas")
    rows = []
    for name in sorted(terms, key=lambda factor: abs(terms[factor] or 0.0), reverse=True):
        term = terms[name]
        effect = None if term is None else f"{'+' if term >= 0 else '−'}{abs(math.exp(term) - 1) * 100:.1f}%"
        rows.append(
            {
                "factor": FACTOR_NAMES.get(name, name),
                "before": _factor_value(name, before.get(name), currency),
                "now": _factor_value(name, now.get(name), currency),
                "change": fmt_change(relative_change(now.get(name), before.get(name))),
                "effect": effect or MISSING,
            }
        )
    if not paragraph:
        change = relative_change(now["roas"], before["roas"])
        paragraph = f"ROAS went from {fmt_roas(before['roas'])} to {fmt_roas(now['roas'])} ({fmt_change(change)})."
        if rows and rows[0]["effect"] != MISSING:
            paragraph += f" The biggest driver was {rows[0]['factor']} ({rows[0]['change']})."
    table = (
        html_table(
            pl.DataFrame(rows, schema=dict.fromkeys(("factor", "before", "now", "change", "effect"), pl.String)),
            labels={
                "factor": "Factor",
                "before": previous_week(week),
                "now": week,
                "change": "Change",
                "effect": "Effect on ROAS",
            },
        )
        if rows
        else ""
    )
    return f'<p class="why">{esc(paragraph)}</p>{table}'


def _factor_value(factor: str, value: Any, currency: str) -> str:
    """A factor's value as its row shows it: money for CPM and AOV, a percentage for CTR and CVR."""
    return fmt_money(value, currency) if factor in ("cpm", "aov") else fmt_pct(value)
