"""The recommendations of a weekly page (from the recommend stage): one card per call, the most urgent first."""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from adlab.display import LABELS, MISSING, column_formats, fmt_decimal, fmt_pct, fmt_roas, number
from adlab.report.frames import RECOMMENDATION_EVIDENCE, shown_for_week
from adlab.report.html import esc, info_html, note_html, period_note_html

# What the section says before the recommend stage exists (markup: names and paths are code).
RECOMMEND_STAGE_NOTE = (
    "Recommendations (scale, stop-loss, refresh creative, still learning) appear here once the <code>recommend</code> "
    "stage has written <code>data/processed/recommendations.csv</code>; run <code>make report</code> after it joins "
    "the pipeline."
)


# Recommendation actions in the order a reader should act on them (action_tone gives their colour).
ACTION_ORDER = {
    "stop-loss": 0,
    "pause": 0,
    "refresh-creative": 1,
    "refresh": 1,
    "sunset": 1,
    "scale": 2,
    "revive": 2,
    "still-learning": 3,
    "learning": 3,
}


def _action_key(action: Any) -> str:
    """An action as one lower-case word with hyphens (`Stop loss` -> `stop-loss`), to order and colour it."""
    return re.sub(r"[\s_]+", "-", str(action or "").strip().lower())


def action_tone(action: Any) -> str:
    """good for scale or revive, bad for stop-loss or pause, warn for refresh or sunset, neutral for the rest."""
    key = _action_key(action)
    if "stop" in key or "pause" in key:
        return "bad"
    if "scale" in key or "revive" in key:
        return "good"
    return "warn" if "refresh" in key or "fatigue" in key or "sunset" in key else "neutral"


def recommendations_html(
    recommendations: pl.DataFrame | None, week: str, currency: str, *, for_week: str, limit: int = 12
) -> str:
    """ "What to do this week": one card per recommendation (action, entity, reason, evidence, confidence and the
    tactic that made it).

    Args:
        recommendations: data/processed/recommendations.csv (level, entity, campaign, adset, action, reason,
            confidence and the evidence columns; `account` with several accounts, shown first in each card's
            path), or None before the recommend stage exists.
        for_week: the ISO week the recommendations were made for when the file has no `week` column.
    """
    if recommendations is None:
        return info_html(RECOMMEND_STAGE_NOTE)
    shown = shown_for_week(recommendations, week, for_week)
    if shown is None:
        return note_html("Recommendations are made for the latest complete week: see the newest report in the index.")
    if shown.is_empty():
        return note_html("Nothing to act on this week: no entity met a stop-loss, scale or refresh rule.")
    order = pl.col("action").map_elements(lambda a: ACTION_ORDER.get(_action_key(a), 4), return_dtype=pl.Int64)
    spend = pl.col("spend").cast(pl.Float64, strict=False) if "spend" in shown.columns else pl.lit(0.0)
    ranked = shown.with_columns(order.alias("_order"), spend.alias("_spend")).sort(
        "_order", "_spend", descending=[False, True], nulls_last=True
    )
    formats = column_formats(currency)
    cards = []
    for row in ranked.head(limit).iter_rows(named=True):
        tone = action_tone(row.get("action"))
        # With several accounts the CSV has an `account` column: the account heads the path to the entity.
        where = " › ".join(
            [esc(row.get("account") or "default account")] * ("account" in row)
            + [esc(row[k]) for k in ("campaign", "adset") if row.get(k) and row[k] != row.get("entity")]
        )
        evidence = " · ".join(
            f"{esc(LABELS.get(k, k.capitalize()))} {esc(formats[k](row[k]) if k in formats else fmt_roas(row[k]))}"
            if k != "frequency"
            else f"Frequency {esc(fmt_decimal(row[k]))}"
            for k in RECOMMENDATION_EVIDENCE
            if k in row and row[k] is not None
        )
        confidence = row.get("confidence")
        confidence_text = (
            (fmt_pct(number(confidence), 0) if isinstance(confidence, int | float) else esc(confidence))
            if confidence is not None
            else MISSING
        )
        # The named rule (params.yaml `tactics:`) that made the call, so its thresholds can be found and changed.
        tactic = f" · tactic <code>{esc(row['tactic'])}</code>" if row.get("tactic") else ""
        cards.append(
            f'<article class="rec rec-{tone}"><div class="rec-head"><span class="pill {tone}">'
            f'{esc(row.get("action"))}</span> <span class="rec-level">{esc(row.get("level"))}</span> '
            f'<strong class="rec-entity">{esc(row.get("entity"))}</strong></div>'
            + (f'<div class="rec-where">{where}</div>' if where else "")
            + f'<p class="rec-reason">{esc(row.get("reason"))}</p>'
            f'<div class="rec-evidence">{evidence}</div>'
            f'<div class="rec-confidence">Confidence {confidence_text}{tactic}</div></article>'
        )
    more = ranked.height - limit
    extra = note_html(f"{more} more in data/processed/recommendations.csv.") if more > 0 else ""
    period = period_note_html(shown, "period_start", "period_end", "Made on")
    return f'{period}<div class="recs">{"".join(cards)}</div>{extra}'
