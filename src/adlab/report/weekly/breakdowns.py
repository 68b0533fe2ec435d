"""The breakdown sections of a weekly page (age x gender, placement, region, country), each from its own export
(the table serves the reporting-window page too)."""

from __future__ import annotations

import polars as pl

from adlab import kpis
from adlab.display import column_formats
from adlab.report.html import html_table, info_html, note_html
from adlab.report.weekly.tones import target_tones

# Each breakdown export: its section title and the dimensions its rows are rolled up by.
BREAKDOWN_DIMS = {
    "age_gender": ("Age and gender", ["age", "gender"]),
    "placement": ("Placements", ["publisher_platform", "placement"]),
    "region": ("Regions", ["region"]),
    "country": ("Countries", ["country"]),
}


BREAKDOWN_LABELS = {
    "age": "Age",
    "gender": "Gender",
    "publisher_platform": "Platform",
    "placement": "Placement",
    "region": "Region",
    "country": "Country",
}


BREAKDOWN_COLUMNS = ("spend", "share_of_spend", "roas", "cpa", "purchases", "ctr", "cpm", "cvr", "impressions")


# What a section without its export says (markup: the folder is code).
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


def delivered(rolled: pl.DataFrame) -> pl.DataFrame:
    """The rows of a breakdown roll-up with spend or impressions."""
    return rolled.filter((pl.col("spend").fill_null(0) > 0) | (pl.col("impressions").fill_null(0) > 0))


def breakdown_table_html(
    rolled: pl.DataFrame,
    breakdown: str,
    currency: str,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str:
    """One breakdown's rows (kpis.breakdown_rollup) as a table with each row's share of spend, largest spend first;
    ROAS and CPA coloured."""
    dims = BREAKDOWN_DIMS[breakdown][1]
    total = rolled["spend"].sum()
    shown = rolled.with_columns(
        (pl.col("spend") / total if total else pl.lit(None, pl.Float64)).alias("share_of_spend")
    ).sort("spend", *dims, descending=[True, *[False] * len(dims)], nulls_last=True)
    tones = target_tones(target_roas=target_roas, target_cpa=target_cpa, gross_margin=gross_margin)
    return html_table(
        shown.select(*dims, *BREAKDOWN_COLUMNS), column_formats(currency), labels=BREAKDOWN_LABELS, tones=tones
    )


def breakdown_html(
    ad_insights: pl.DataFrame | pl.LazyFrame | None,
    breakdown: str,
    week: str,
    currency: str,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> tuple[pl.DataFrame | None, str]:
    """The week's rows of one breakdown export rolled up by its dimensions, and a table of them (or a note
    naming the export to add).

    `ad_insights` may be a lazy scan (scan_optional): only that breakdown's rows are read.
    """
    if ad_insights is None or (isinstance(ad_insights, pl.DataFrame) and ad_insights.is_empty()):
        return None, info_html(BREAKDOWN_EXPORTS[breakdown])
    dims = BREAKDOWN_DIMS[breakdown][1]
    rolled = delivered(kpis.breakdown_rollup(ad_insights, breakdown, dims, *kpis.week_bounds(week)))
    if rolled.is_empty():
        return None, info_html(BREAKDOWN_EXPORTS[breakdown])
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    return rolled, breakdown_table_html(rolled, breakdown, currency, **targets)


def regions_html(
    ad_insights: pl.DataFrame | pl.LazyFrame | None,
    week: str,
    currency: str,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str:
    """The week's region and country breakdown tables, each where its export exists; else one line naming them."""
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    parts = []
    for breakdown in ("region", "country"):
        rolled, table = breakdown_html(ad_insights, breakdown, week, currency, **targets)
        if rolled is not None:
            parts.append(f"<h3>{BREAKDOWN_DIMS[breakdown][0]}</h3>{table}")
    return "".join(parts) or note_html(
        "No region or country figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Region "
        "(or Country), report by Day, export CSV and drop it into data/raw/."
    )
