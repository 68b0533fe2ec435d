"""What a total rests on: the notes an answer owes under its evidence.

A purchase-based figure that adds campaigns under different attribution settings says so (each setting
counts purchases its own way), and a CPA target implausible in the account currency is pointed out.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.currency import cpa_target_note
from adlab.display import KPI_WORDS
from adlab.insights.answer import PURCHASE_KPIS, Answer, Workspace
from adlab.insights.periods import Period
from adlab.kpis import totals_view

UNSTATED = " without a stated setting"


def attribution_mix(
    ad_insights: pl.DataFrame | pl.LazyFrame | None, start: dt.date, end: dt.date, where: dict[str, str] | None = None
) -> dict[str, int]:
    """One entry per attribution setting summed into the totals of start..end: how many campaigns it covers.

    The rows are those of `kpis.totals_view` (one setting per date and entity, but
    different campaigns keep their own) that spent or recorded a purchase, narrowed
    to `where` (e.g. {"campaign": "Summer"}). Settings with most campaigns first;
    then, per platform, campaigns whose export states no setting (Google Ads and
    Pinterest use their own), as `Google Ads without a stated setting`.
    """
    if ad_insights is None or "attribution_setting" not in ad_insights.collect_schema().names():
        return {}
    rows = totals_view(ad_insights.lazy().filter(pl.col("date").is_between(start, end))).filter(
        (pl.col("spend") > 0) | (pl.col("purchases") > 0) | (pl.col("purchase_value") > 0)
    )
    for column, value in (where or {}).items():
        rows = rows.filter(pl.col(column) == value)
    unstated = pl.col("platform_source").str.replace_all("_", " ").str.to_titlecase() + UNSTATED
    counts = (
        rows.group_by(
            pl.col("attribution_setting").is_null().alias("unstated"),
            pl.col("attribution_setting").fill_null(unstated).alias("setting"),
        )
        .agg(pl.struct("platform_source", "campaign").n_unique().alias("campaigns"))
        .sort("unstated", "campaigns", "setting", descending=[False, True, False])
        .collect()
    )
    return dict(counts.select("setting", "campaigns").iter_rows())


def attribution_line(mix: dict[str, int], what: str = "ROAS") -> str | None:
    """`ROAS adds campaigns under different attribution settings: 7-day click (12) and 1-day click (3). ...`.

    `mix` is attribution_mix; None when every campaign summed is under one setting, or when no export
    states one (the tiles name the platforms added up; their settings are not known to differ).
    """
    if len(mix) < 2 or all(setting.endswith(UNSTATED) for setting in mix):
        return None
    parts = [f"{setting} ({campaigns})" for setting, campaigns in mix.items()]
    listed = "; ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"{what} adds campaigns under different attribution settings: {listed}. Each counts purchases its own way."


def footing_notes(
    workspace: Workspace, kpi: str, periods: list[Period], where: dict[str, str] | None = None
) -> list[str]:
    """The lines an answer owes about what its figures rest on: a CPA target implausible in the account
    currency, and a purchase-based `kpi` that adds campaigns under different attribution settings.
    """
    notes = []
    if currency_note := cpa_target_note(workspace.params.targets.cpa, workspace.currency):
        notes.append(currency_note)
    if kpi in PURCHASE_KPIS and periods:
        start, end = min(p.start for p in periods), max(p.end for p in periods)
        line = attribution_line(attribution_mix(workspace.ad_insights, start, end, where), KPI_WORDS.get(kpi, kpi))
        notes += [line] if line else []
    return notes


def verdict_notes(answer: Answer, workspace: Workspace) -> list[str]:
    """footing_notes of a `verdict` answer: its period, narrowed to the judged entity."""
    period = answer.data.get("period")
    where = {answer.data["level"]: answer.data["entity"]} if period else None
    return footing_notes(workspace, "roas", [period] if period else [], where)


def best_notes(answer: Answer, workspace: Workspace, kpi: str, segment: dict[str, str]) -> list[str]:
    """footing_notes of a `best_for_segment` answer; a segment's breakdown rows already keep one setting."""
    period = answer.data.get("period")
    return footing_notes(workspace, kpi if period and not segment else "", [period] if period else [])
