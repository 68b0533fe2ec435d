"""The creative leaderboard of a weekly page (from the creatives stage), and the note under its ROAS-vs-spend chart."""

from __future__ import annotations

import polars as pl

from adlab.display import column_formats, fmt_decimal, fmt_int
from adlab.report.frames import shown_for_week
from adlab.report.html import html_table, note_html, period_note_html
from adlab.report.weekly.tones import target_tones

CREATIVES_STAGE_NOTE = (
    "The creative leaderboard (attributes, hook and hold rates, fatigue flags) comes from "
    "<code>data/processed/creatives.parquet</code>, written by the <code>creatives</code> stage; until it runs, "
    "the best and worst ads by ROAS stand in."
)


CREATIVE_METRICS = ("spend", "roas", "cpa", "purchases", "ctr", "hook_rate", "hold_rate", "frequency")


def creative_leaderboard_html(
    creatives: pl.DataFrame | None,
    week: str,
    currency: str,
    *,
    for_week: str,
    top_n: int,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str | None:
    """The creatives of the week by spend with their attributes, rates and fatigue flags; None without the file.

    Args:
        creatives: data/processed/creatives.parquet (one row per creative or per (week, creative)).
    """
    shown = shown_for_week(creatives, week, for_week)
    if creatives is None:
        return None
    if shown is None:
        return note_html("The creative leaderboard is made for the latest complete week: see the newest report.")
    if shown.is_empty():
        return note_html("No creative delivered this week.")
    name = next((c for c in ("creative", "ad", "entity", "name") if c in shown.columns), shown.columns[0])
    metrics = [c for c in CREATIVE_METRICS if c in shown.columns]
    flags = [c for c in shown.columns if "fatigue" in c or shown.schema[c] == pl.Boolean]
    attributes = [
        c
        for c in shown.columns
        if shown.schema[c] == pl.String
        and c not in {name, "week", "platform_source", "account", *flags}
        and not c.endswith("_id")
    ][:5]
    ordered = shown.sort("spend", descending=True, nulls_last=True) if "spend" in shown.columns else shown
    owner = ["account"] if "account" in shown.columns else []  # the stage keeps it only with several accounts
    table = ordered.head(max(top_n * 2, 10)).select(name, *owner, *metrics, *flags, *attributes)
    table = table.with_columns(
        pl.col(c).cast(pl.String).replace({"true": "⚠ yes", "false": ""})
        for c in flags
        if table.schema[c] == pl.Boolean
    )
    formats = {**column_formats(currency), "frequency": fmt_decimal}
    tones = {
        **target_tones(target_roas=target_roas, target_cpa=target_cpa, gross_margin=gross_margin),
        **{c: (lambda v: "bad" if v and str(v).strip() not in ("", "False", "false", "0") else None) for c in flags},
    }
    labels = {c: c.replace("_", " ").capitalize() for c in (name, *owner, *flags, *attributes)}
    labels.update({"hook_rate": "Hook rate", "hold_rate": "Hold rate", "frequency": "Frequency"})
    period = period_note_html(shown, "first_day", "last_day", "Largest spend first, over")
    return period + html_table(table, formats, labels=labels, tones=tones)


def plotted_ads_note_html(plotted: pl.DataFrame, left_out: int) -> str:
    """The line under the ROAS-vs-spend chart when it leaves out ads (see frames.plotted_ads); else empty."""
    if not left_out:
        return ""
    return note_html(
        f"The chart draws the {fmt_int(plotted.height)} ads with the most spend; {fmt_int(left_out)} "
        "ads with less spend are left out."
    )
