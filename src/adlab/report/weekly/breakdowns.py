"""Breakdown sections (age x gender, placement, platform, region) of a weekly page."""

from __future__ import annotations

import polars as pl

from adlab import kpis
from adlab.display import (
    column_formats,
    cpa_tone,
    roas_tone,
)
from adlab.report.html import html_table, info_html, note_html

BREAKDOWN_EXPORTS = {
    "age_gender": (
        "No age x gender figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Age and "
        "Gender, report by Day, export CSV and drop it into <code>data/raw/</code>."
    ),
    "placement": (
        "No placement figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Platform and "
        "Placement, report by Day, export CSV and drop it into <code>data/raw/</code>."
    ),
    "region": (
        "No region figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Region, report by "
        "Day, export CSV and drop it into <code>data/raw/</code>."
    ),
    "country": (
        "No country figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Country, report by "
        "Day, export CSV and drop it into <code>data/raw/</code>."
    ),
}


def breakdown_html(
    ad_insights: pl.DataFrame | pl.LazyFrame | None, breakdown: str, week: str, currency: str, *, target_roas: float,
    target_cpa: float, gross_margin: float,
) -> tuple[pl.DataFrame | None, str]:
    """The week's rows of one breakdown export rolled up by its dimensions, and a table of them (or a note
    naming the export to add).

    `ad_insights` may be a lazy scan (scan_optional): only that breakdown's rows are read.
    """
    dims = {"age_gender": ["age", "gender"], "placement": ["publisher_platform", "placement"], "region": ["region"],
            "country": ["country"]}[breakdown]
    if ad_insights is None or (isinstance(ad_insights, pl.DataFrame) and ad_insights.is_empty()):
        return None, info_html(BREAKDOWN_EXPORTS[breakdown])
    rolled = kpis.breakdown_rollup(ad_insights, breakdown, dims, *kpis.week_bounds(week))
    rolled = rolled.filter((pl.col("spend").fill_null(0) > 0) | (pl.col("impressions").fill_null(0) > 0))
    if rolled.is_empty():
        return None, info_html(BREAKDOWN_EXPORTS[breakdown])
    total = rolled["spend"].sum()
    shown = rolled.with_columns(
        (pl.col("spend") / total if total else pl.lit(None, pl.Float64)).alias("share_of_spend")
    ).sort("spend", descending=True, nulls_last=True)
    columns = [*dims, "spend", "share_of_spend", "roas", "cpa", "purchases", "ctr", "cpm", "cvr", "impressions"]
    tones = {"roas": roas_tone(target_roas, kpis.breakeven_roas(gross_margin)), "cpa": cpa_tone(target_cpa)}
    labels = {"age": "Age", "gender": "Gender", "publisher_platform": "Platform", "placement": "Placement",
              "region": "Region", "country": "Country"}
    return rolled, html_table(shown.select(columns), column_formats(currency), labels=labels, tones=tones)


def regions_html(
    ad_insights: pl.DataFrame | pl.LazyFrame | None, week: str, currency: str, *, target_roas: float,
    target_cpa: float, gross_margin: float,
) -> str:
    """The week's region and country breakdown tables, each where its export exists; else one line naming them."""
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    parts = []
    for breakdown, title in (("region", "Regions"), ("country", "Countries")):
        rolled, table = breakdown_html(ad_insights, breakdown, week, currency, **targets)
        if rolled is not None:
            parts.append(f"<h3>{title}</h3>{table}")
    return "".join(parts) or note_html(
        "No region or country figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Region "
        "(or Country), report by Day, export CSV and drop it into data/raw/."
    )
