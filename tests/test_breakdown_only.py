"""Breakdown-only Ads Manager exports with days (Age, Region, Country; no campaign, ad set or ad column).

Region export, Mon 9 - Tue 10 Nov 2026 (ISO week 2026-W46), USD:
  9 Nov  California 50 spent, 5000 impr, 100 link clicks, 2 purchases, 150 value; Texas 30, 3000, 30, 1, 40
  10 Nov California 50, 5000, 100, 2, 150;                                     Texas 30, 3000, 30, 1, 40
Week: spend 160, value 380 -> ROAS 2.375; California 100 spent, 300 value (3.00x); Texas 60, 80 (1.33x).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adlab.ingest import ingest
from adlab.kpis import compute_kpis_daily, period_figures, week_bounds
from adlab.report.frames import entity_tree, week_tables
from adlab.report.weekly.breakdowns import regions_html

HEADER = "Day,Region,Amount spent (USD),Impressions,Link clicks,Purchases,Purchases conversion value\n"
ROWS = "".join(
    f"2026-11-{day},California,50.00,5000,100,2,150.00\n2026-11-{day},Texas,30.00,3000,30,1,40.00\n"
    for day in ("09", "10")
)
TARGETS = {"target_roas": 2.5, "target_cpa": 40.0, "gross_margin": 0.5}


def region_insights(tmp_path: Path):
    path = tmp_path / "regions.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return ingest([path], tmp_path, "salt").tables["ad_insights"]


def test_ingest_reads_a_breakdown_export_without_entity_names(tmp_path):
    rows = region_insights(tmp_path)
    assert rows.height == 4
    assert set(rows["breakdown"]) == {"region"}
    assert set(rows["level"]) == {"account"}


def test_period_figures_of_a_region_only_export_fill_the_week(tmp_path):
    figures = period_figures(compute_kpis_daily(region_insights(tmp_path)), None, *week_bounds("2026-W46"))
    assert (figures["spend"], figures["purchase_value"], figures["purchases"]) == (160.0, 380.0, 6)
    assert figures["roas"] == pytest.approx(2.375)


def test_regions_html_shows_the_region_breakdown_of_the_week(tmp_path):
    html = regions_html(region_insights(tmp_path), "2026-W46", "USD", **TARGETS)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Regions" in text
    assert "California $100.00 62.50% 3.00x" in text
    assert "Texas $60.00 37.50% 1.33x" in text


def test_regions_html_without_region_or_country_export_says_which_export_gives_it(tmp_path):
    html = regions_html(None, "2026-W46", "USD", **TARGETS)
    assert "Breakdown → By delivery → Region" in html


def test_entity_tree_names_rows_without_a_campaign(tmp_path):
    tables = week_tables(compute_kpis_daily(region_insights(tmp_path)), "2026-W46")
    tree = entity_tree(tables)
    assert tree.select("level", "name", "spend").rows() == [
        ("account", "All campaigns", 160.0),
        ("campaign", "(no campaign name)", 160.0),
    ]
