"""Attribution settings and ad platforms added into one total are said plainly (page tiles, notes, answers)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from adlab.ingest import ingest
from adlab.insights import Workspace, ask, attribution_line, attribution_mix
from adlab.kpis import compute_kpis_daily
from adlab.params import Params
from adlab.report.weekly.tiles import headline, headline_notes_html, platforms_summed
from adlab.schema import AD_INSIGHTS, conform

MONDAY = dt.date(2026, 11, 16)  # 2026-W47
WEEK = "2026-W47"


def ad_rows(rows: list[tuple]) -> pl.DataFrame:
    """ad_insights from (date, platform, campaign, attribution setting, spend, purchases, purchase value) rows,
    one ad per campaign, daily and without breakdown."""
    return conform(
        pl.DataFrame(
            [
                {
                    "date": day,
                    "platform_source": platform,
                    "level": "ad",
                    "campaign": campaign,
                    "adset": f"{campaign} set",
                    "ad": f"{campaign} ad",
                    "breakdown": "none",
                    "attribution_setting": setting,
                    "currency": "USD",
                    "spend": spend,
                    "impressions": 1_000,
                    "link_clicks": 50,
                    "purchases": purchases,
                    "purchase_value": value,
                }
                for day, platform, campaign, setting, spend, purchases, value in rows
            ],
            schema_overrides={"attribution_setting": pl.String},
        ),
        AD_INSIGHTS,
    )


SEVEN_DAY = "7-day click or 1-day view"
ONE_DAY = "1-day click"
# Two days of 2026-W47 and one of the week before: A, B under 7-day click or 1-day view, C under 1-day click;
# D spent nothing (left out); E ran only the week before, under Incremental.
MIXED = ad_rows(
    [
        (MONDAY, "meta", "A", SEVEN_DAY, 100.0, 2, 300.0),
        (MONDAY + dt.timedelta(days=1), "meta", "A", SEVEN_DAY, 100.0, 1, 150.0),
        (MONDAY, "meta", "B", SEVEN_DAY, 50.0, 0, 0.0),
        (MONDAY, "meta", "C", ONE_DAY, 80.0, 1, 90.0),
        (MONDAY, "meta", "D", ONE_DAY, 0.0, 0, 0.0),
        (MONDAY - dt.timedelta(days=3), "meta", "E", "Incremental", 60.0, 1, 70.0),
    ]
)


def test_attribution_mix_counts_campaigns_per_setting_most_first():
    assert attribution_mix(MIXED, MONDAY, MONDAY + dt.timedelta(days=6)) == {SEVEN_DAY: 2, ONE_DAY: 1}
    assert attribution_mix(MIXED.lazy(), MONDAY - dt.timedelta(days=7), MONDAY - dt.timedelta(days=1)) == {
        "Incremental": 1
    }
    assert attribution_mix(MIXED, MONDAY, MONDAY, {"campaign": "C"}) == {ONE_DAY: 1}
    assert attribution_mix(None, MONDAY, MONDAY) == {}


def test_attribution_mix_counts_one_setting_per_campaign_day_as_the_totals_do():
    # The same ad exported under two settings on one day: totals_view keeps the first by name (1-day click).
    twice = ad_rows([(MONDAY, "meta", "A", SEVEN_DAY, 100.0, 2, 300.0), (MONDAY, "meta", "A", ONE_DAY, 100.0, 1, 90.0)])
    assert attribution_mix(twice, MONDAY, MONDAY) == {ONE_DAY: 1}


def test_attribution_mix_names_platforms_whose_export_states_no_setting_last():
    frame = ad_rows(
        [
            (MONDAY, "meta", "A", SEVEN_DAY, 100.0, 2, 300.0),
            (MONDAY, "google_ads", "G1", None, 40.0, 1, 80.0),
            (MONDAY, "google_ads", "G2", None, 40.0, 1, 80.0),
        ]
    )
    assert attribution_mix(frame, MONDAY, MONDAY) == {SEVEN_DAY: 1, "Google Ads without a stated setting": 2}


def test_attribution_line_names_both_settings_and_their_counts():
    line = attribution_line({SEVEN_DAY: 12, ONE_DAY: 3})
    assert line is not None
    assert line.startswith("ROAS adds campaigns under different attribution settings: ")
    assert f"{SEVEN_DAY} (12) and {ONE_DAY} (3)." in line


def test_attribution_line_is_none_for_one_setting_or_none_stated():
    assert attribution_line({SEVEN_DAY: 4}) is None
    assert attribution_line({}) is None
    assert attribution_line({"Meta without a stated setting": 5, "Pinterest without a stated setting": 2}) is None


def test_headline_notes_html_says_the_mix_once_and_escapes_settings():
    hostile = ad_rows(
        [
            (MONDAY, "meta", "A", "<b>7-day</b>", 100.0, 2, 300.0),
            (MONDAY, "meta", "B", ONE_DAY, 50.0, 1, 60.0),
        ]
    )
    html = headline_notes_html(hostile, WEEK, "USD", target_cpa=40.0)
    assert html.count('<p class="note">') == 1
    # Ties go by name: "1-day" sorts before "<b>".
    assert "settings: 1-day click (1) and &lt;b&gt;7-day&lt;/b&gt; (1)." in html
    assert "<b>" not in html


def test_headline_notes_html_is_empty_for_a_single_setting():
    single = MIXED.filter(pl.col("attribution_setting") == SEVEN_DAY)
    assert headline_notes_html(single, WEEK, "USD", target_cpa=40.0) == ""


def test_headline_names_the_platforms_added_on_purchase_value_and_roas_tiles():
    figures = {"spend": 300.0, "purchase_value": 900.0, "roas": 3.0, "cpa": 30.0}
    platforms = {
        "google_ads": {"spend": 100.0, "purchase_value": 200.0},
        "meta": {"spend": 200.0, "purchase_value": 700.0},
    }
    tiles = {
        tile.label: tile
        for tile in headline(
            figures, None, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5, platforms=platforms
        )
    }
    assert tiles["Purchase value"].note == "Meta + Google Ads"
    assert tiles["ROAS"].note == "Meta + Google Ads · target 2.50x · break-even 2.00x"
    single = headline(
        figures, None, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5, platforms={"meta": platforms["meta"]}
    )
    assert {tile.label: tile.note for tile in single}["Purchase value"] == ""


def test_platforms_summed_leaves_out_platforms_without_purchase_value():
    assert platforms_summed({"meta": {"purchase_value": 1.0}, "pinterest": {"purchase_value": None}}) == ""
    assert platforms_summed({"pinterest": {"purchase_value": 0.0}, "meta": {"purchase_value": 1.0}}) == (
        "Meta + Pinterest"
    )


def test_ask_why_adds_the_attribution_line_once_for_roas_but_not_for_ctr():
    workspace = Workspace(compute_kpis_daily(MIXED), MIXED, Params(), "USD")
    question = (
        f"Why did ROAS change between {MONDAY - dt.timedelta(days=3)} and {MONDAY - dt.timedelta(days=3)} "
        f"and {MONDAY} and {MONDAY + dt.timedelta(days=1)}?"
    )
    answer = ask(question, workspace)
    # Both periods: A and B under 7-day click or 1-day view, C under 1-day click, E under Incremental.
    assert answer.lines[-1] == (
        f"ROAS adds campaigns under different attribution settings: {SEVEN_DAY} (2); {ONE_DAY} (1) and "
        "Incremental (1). Each counts purchases its own way."
    )
    assert answer.text().count("attribution settings") == 1
    ctr = ask(question.replace("ROAS", "CTR"), workspace)
    assert "attribution" not in ctr.text()


def test_ask_verdict_has_no_attribution_line_for_a_campaign_under_one_setting():
    workspace = Workspace(compute_kpis_daily(MIXED), MIXED, Params(), "USD")
    assert "attribution" not in ask("Should I pause the 'A' campaign?", workspace).text()


@pytest.mark.real
def test_attribution_mix_on_real_cocoon_exports_matches_a_csv_count(real_data):
    # Counted with the csv module from the two files: 8-14 Dec 2025, campaigns that spent or sold, per
    # `Attribution setting` in the Meta file, and Google Ads campaigns with cost (the export states none).
    files = [
        real_data / "cocoon_au" / name
        for name in (
            "meta_ads_ad_level_daily_2025-08_to_2026-04.csv",
            "google_ads_campaign_daily_2025-08_to_2026-04.csv",
        )
    ]
    ad_insights = ingest(files, real_data, "test-salt").tables["ad_insights"]
    mix = attribution_mix(ad_insights, dt.date(2025, 12, 8), dt.date(2025, 12, 14))
    assert mix == {
        "7-day click": 1,
        "7-day click, 1-day view, or 1-day engaged-view": 1,
        "Incremental": 1,
        "Google Ads without a stated setting": 4,
    }
    assert attribution_line(mix).count("(1)") == 3
