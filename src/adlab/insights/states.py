"""State answers: which ad sets and ads to pause, scale or refresh, which are still learning or fatigued,
and what to do today, each with the reason the rules give (recommend.recommendations, creatives.ad_fatigue).
"""

from __future__ import annotations

import polars as pl

from adlab.insights.answer import LEVEL_WORDS, Answer, Row, Workspace, entity_label, several_accounts
from adlab.insights.lookup import scoped, when_text
from adlab.insights.periods import Period, first_date, last_day, window_ending
from adlab.insights.questions import Intent
from adlab.insights.recommend import recommendations
from adlab.schema import ENTITY

# The recommendation actions behind each state, and how the answer says them.
STATE_ACTIONS = {"pause": "pause", "scale": "scale", "learning": "wait", "fatigued": "refresh_creative"}
ACTION_WORDS = {"pause": "pause", "scale": "scale", "refresh_creative": "refresh the creative of", "wait": "wait on"}
TODAY_ORDER = ("pause", "refresh_creative", "scale", "wait")
SHOWN = 5  # names in the headline; the evidence lists them all


def _names(rows: list[Row], several: bool) -> str:
    """`ad 'A', ad set 'B' and 2 more`."""
    labels = [entity_label(row["level"], row, several).split(" (")[0] for row in rows[:SHOWN]]
    more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    return ", ".join(labels) + more


def _who(level: str | None, count: int) -> str:
    """What the calls are: recommendations judge ad sets and ads, so a question about campaigns lists those."""
    if level in ("adset", "ad"):
        return LEVEL_WORDS[level] + ("" if count == 1 else "s")
    return "ad set or ad" if count == 1 else "ad sets and ads"


def state(intent: Intent, workspace: Workspace) -> Answer:
    """The entities in the state the question asks about, each with its reason; says so when there are none."""
    frame, label = scoped(intent.name, None, intent.platform, workspace.kpis_daily)
    window = window_ending(last_day(workspace.kpis_daily), workspace.params.recommend.lookback_days)
    period = Period(max(window.start, first_date(workspace.kpis_daily)), window.end)
    when = when_text(workspace.kpis_daily, period)
    where = f" in {label}" if label else ""
    calls = recommendations(frame, workspace.params, workspace.fatigue, workspace.results_daily)
    if intent.level in ("adset", "ad"):
        calls = calls.filter(pl.col("level") == intent.level)
    several = several_accounts(frame)
    judged = calls.height
    if intent.state == "fatigued":
        return _fatigued(frame, workspace, calls, several, where)
    if intent.state == "today":
        return _today(calls, several, when, where)
    action = STATE_ACTIONS.get(intent.state, intent.state)
    rows = calls.filter(pl.col("action") == action).to_dicts()
    lines = [f"- {entity_label(row['level'], row, several)}: {row['reason']}." for row in rows]
    lines.append(f"Judged: {judged} {_who(intent.level, judged)}{where} that spent {when}.")
    if intent.level == "campaign":
        lines.append("Campaigns are judged through their ad sets and ads.")
    if not rows:
        verb = "still learning" if action == "wait" else f"to {ACTION_WORDS[action]}"
        return Answer(f"Nothing {verb}{where} {when}.", lines, {"calls": calls})
    who = _who(intent.level, len(rows))
    heads = {
        "pause": f"Pause {len(rows)} {who}{where}, judged {when}: ",
        "scale": f"Scale {len(rows)} {who}{where}, judged {when}: ",
        "wait": f"{len(rows)} {who}{where} are still learning, too little data to judge {when}: ",
        "refresh_creative": f"Refresh the creative of {len(rows)} {who}{where}, judged {when}: ",
    }
    headline = heads.get(action, f"{len(rows)} {who}: ") + _names(rows, several) + "."
    return Answer(headline, lines, {"calls": calls})


def _fatigued(frame: pl.DataFrame, workspace: Workspace, calls: pl.DataFrame, several: bool, where: str) -> Answer:
    """The fatigued ads: link CTR fell while frequency rose (creatives.ad_fatigue), with that evidence."""
    settings = workspace.params.creatives
    if workspace.fatigue is None:
        return Answer("Fatigue is unknown: it has not been computed for this data (run `adlab report`).")
    ads = frame.select(ENTITY).unique()
    tired = workspace.fatigue.filter(pl.col("fatigued").fill_null(False)).join(ads, on=list(ENTITY), nulls_equal=True)
    judged = workspace.fatigue.filter(pl.col("fatigued").is_not_null()).join(ads, on=list(ENTITY), nulls_equal=True)
    rows = [{**row, "level": "ad"} for row in tired.sort("ctr_change").iter_rows(named=True)]
    lines = [f"- {entity_label('ad', row, several)}: {row['fatigue_evidence']}." for row in rows]
    lines.append(
        f"Judged: {judged.height} ads live at least {settings.fatigue_min_days} days; fatigued = link CTR down "
        f"{settings.fatigue_ctr_drop:.0%}+ while daily frequency rose {settings.fatigue_frequency_rise:.0%}+, "
        "first vs last 7 days live."
    )
    refresh = calls.filter(pl.col("action") == "refresh_creative").height
    if refresh:
        lines.append(f"Refresh-creative calls in the recommendations: {refresh}.")
    if not rows:
        return Answer(f"No ad{where} is fatigued.", lines, {"fatigue": tired})
    count = len(rows)
    return Answer(
        f"{count} ad{'' if count == 1 else 's'}{where} {'is' if count == 1 else 'are'} fatigued: "
        f"{_names(rows, several)} ({rows[0]['fatigue_evidence']}).",
        lines,
        {"fatigue": tired},
    )


def _today(calls: pl.DataFrame, several: bool, when: str, where: str) -> Answer:
    """Every call that asks for an action, most urgent first (pause, refresh, scale, then wait)."""
    to_do = {action: calls.filter(pl.col("action") == action).to_dicts() for action in TODAY_ORDER}
    counts = [f"{ACTION_WORDS[action].split(' ')[0]} {len(rows)}" for action, rows in to_do.items() if rows]
    if not counts:
        return Answer(f"Nothing to change today{where}: every ad set and ad is on track {when}.", [], {"calls": calls})
    first_action = next(action for action, rows in to_do.items() if rows)
    first = to_do[first_action][0]
    headline = (
        f"Today{where}: {', '.join(counts)}, judged {when}; start with: {ACTION_WORDS[first_action]} "
        f"{entity_label(first['level'], first, several)}."
    )
    lines = [
        f"- {ACTION_WORDS[action]} {entity_label(row['level'], row, several)}: {row['reason']}."
        for action, rows in to_do.items()
        for row in rows
    ]
    return Answer(headline, lines, {"calls": calls})
