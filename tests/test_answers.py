"""The answers of the metric, compare, trend, rank, state, tracking and breakdown families, on a three-ad account.

Every day 17-23 Nov 2026 the ads do the same; 24 Nov (the last day) ad A spends more and sells less:

    ad  campaign  spend  impressions  link clicks  checkouts  purchases  purchase value  reach
    A   C1        100    10,000       200          10         5          400             8,000   (24 Nov: 124, 3, 300)
    B   C1         50     5,000        50           2         1           61             4,000
    C   C2         20     1,000        10           0         0            0               900
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from adlab.errors import AdlabError
from adlab.insights.answer import Workspace
from adlab.insights.ask import ANSWERS
from adlab.insights.breakdown import breakdown
from adlab.insights.lookup import compare, metric, trend
from adlab.insights.periods import Period
from adlab.insights.questions import Intent
from adlab.insights.rank import rank
from adlab.insights.states import state
from adlab.insights.tracking import tracking
from adlab.kpis import kpi_exprs
from adlab.params import Params
from adlab.schema import AD_METRICS

LAST = dt.date(2026, 11, 24)
ADS = {
    "A": ("C1", "S1", 100.0, 10_000, 200, 10, 5, 400.0, 8_000),
    "B": ("C1", "S1", 50.0, 5_000, 50, 2, 1, 61.0, 4_000),
    "C": ("C2", "S2", 20.0, 1_000, 10, 0, 0, 0.0, 900),
}


def kpis_daily(ads: tuple[str, ...] = ("A", "B", "C"), last_day_purchases: int | None = 3) -> pl.DataFrame:
    """The table above as kpis_daily rows (sums as given, KPIs from the sums)."""
    rows = []
    for day in (dt.date(2026, 11, 17) + dt.timedelta(days=i) for i in range(8)):
        for ad in ads:
            campaign, adset, spend, impressions, clicks, checkouts, purchases, value, reach = ADS[ad]
            if ad == "A" and day == LAST:
                spend, purchases, value = 124.0, last_day_purchases, 300.0
            row = dict.fromkeys(AD_METRICS)
            row.update(
                spend=spend,
                impressions=impressions,
                link_clicks=clicks,
                clicks=clicks,
                checkouts=checkouts,
                purchases=purchases,
                purchase_value=value,
            )
            rows.append(
                {"date": day, "platform_source": "meta", "account": None, "campaign": campaign, "adset": adset}
                | {"ad": ad, **row, "reach": reach}
            )
    schema = {
        "date": pl.Date,
        "platform_source": pl.String,
        "account": pl.String,
        "campaign": pl.String,
        "adset": pl.String,
        "ad": pl.String,
        **AD_METRICS,
        "reach": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema).with_columns(kpi_exprs())


def workspace(frame: pl.DataFrame | None = None, fatigue: pl.DataFrame | None = None) -> Workspace:
    return Workspace(kpis_daily() if frame is None else frame, None, Params(), "USD", fatigue)


def days(start: int, end: int) -> Period:
    return Period(dt.date(2026, 11, start), dt.date(2026, 11, end))


def test_metric_spend_yesterday_against_the_daily_average_of_the_week_before():
    intent = Intent("metric", "how much did i spend yesterday", kpi="spend", periods=(days(24, 24), days(23, 23)))
    answer = metric(intent, workspace())
    # 124 + 50 + 20 = 194 vs (100 + 50 + 20) a day over 17-23 Nov: 194 / 170 = +14%.
    assert answer.headline == (
        "You spent 194.00 USD yesterday (24 Nov), 14% more than your daily average of the 7 days before (170.00 USD)."
    )


def test_metric_cpa_of_an_export_without_purchases_is_unknown_not_zero():
    frame = kpis_daily().with_columns(pl.lit(None, pl.Int64).alias("purchases"))
    intent = Intent("metric", "what was my cpa yesterday", kpi="cpa", periods=(days(24, 24), days(23, 23)))
    answer = metric(intent, workspace(frame))
    assert answer.headline == "Your CPA yesterday (24 Nov) is unknown: the ad export has no purchases column."


def test_metric_mer_without_a_store_export_says_why_it_is_unknown():
    intent = Intent("metric", "what's my mer", kpi="mer", periods=(days(18, 24), days(11, 17)))
    answer = metric(intent, workspace())
    assert answer.headline == (
        "Your MER over the last 7 days (18-24 Nov) is unknown: there is no store export (orders table or Shopify "
        "sales) in data/raw/."
    )


def test_compare_roas_gives_both_values_and_the_change():
    intent = Intent("compare", "compare roas", kpi="roas", periods=(days(24, 24), days(23, 23)))
    answer = compare(intent, workspace())
    # 24 Nov: (300 + 61) / 194 = 1.861; 23 Nov: (400 + 61) / 170 = 2.712; 1.861 / 2.712 - 1 = -31%.
    assert answer.headline == "Your ROAS was 1.86 yesterday (24 Nov) vs 2.71 on 23 Nov: down 31%."
    assert "ROAS = purchase value / spend = 361.00 USD / 194.00 USD." in answer.lines


def test_trend_roas_compares_the_first_and_last_halves():
    intent = Intent("trend", "roas trend", kpi="roas", periods=(days(17, 24), days(9, 16)))
    answer = trend(intent, workspace())
    # Whole: (461 x 7 + 361) / (170 x 7 + 194) = 3588 / 1384 = 2.59; 17-20 Nov 1844 / 680 = 2.71;
    # 21-24 Nov 1744 / 704 = 2.48 (-9%: falling).
    assert answer.headline == (
        "Your ROAS over the last 8 days (17-24 Nov) was 2.59 and falling: 2.71 in the first 4 days, 2.48 in the last 4."
    )
    assert "24 Nov: 1.86" in answer.lines


def test_rank_lists_fewer_than_asked_and_counts_the_ads_under_the_gate():
    intent = Intent("rank", "top 5 ads by roas", kpi="roas", level="ad", n=5, periods=(days(18, 24), days(11, 17)))
    answer = rank(intent, workspace())
    # 18-24 Nov: A 2700 / 724 = 3.73 on 33 purchases, B 427 / 350 = 1.22 on 7; C (140 spend) has no purchase.
    assert answer.headline == (
        "Only 2 ads can be ranked by ROAS over the last 7 days (18-24 Nov) (you asked for 5): 1. 'A' 3.73; 2. 'B' 1.22."
    )
    assert answer.lines[-1] == (
        "Ranked: ads with at least 50.00 USD spend and 5 purchases over the last 7 days (18-24 Nov); "
        "1 ad under that left out (140.00 USD spend)."
    )


def test_rank_worst_cpa_is_the_highest():
    intent = Intent("rank", "worst ad by cpa", kpi="cpa", level="ad", n=1, order="worst", periods=(days(18, 24),) * 2)
    answer = rank(intent, workspace())
    # A 724 / 33 = 21.94 USD, B 350 / 7 = 50.00 USD.
    assert answer.headline == "Your 1 worst ad by CPA over the last 7 days (18-24 Nov): 1. 'B' 50.00 USD."


def test_state_pause_lists_the_ad_that_spent_without_a_purchase_with_its_reason():
    answer = state(Intent("state", "what should i pause", state="pause", level="ad"), workspace())
    # B: ROAS 61 / 50 = 1.22 every day, under break-even 1 / 0.5 = 2; C spent 8 x 20 = 160 without a purchase,
    # past the stop-loss of 3 x target CPA 40.
    assert answer.headline == "Pause 2 ads, judged over the last 8 days (17-24 Nov): ad 'B', ad 'C'."
    assert answer.lines[1] == (
        "- ad 'C' (ad set 'S2'): spent 160.00 (>= 3 x target CPA 40) without a single purchase; "
        "it is the only ad of its ad set."
    )


def test_state_nothing_to_pause_when_every_ad_beats_the_target():
    answer = state(Intent("state", "what should i pause", state="pause"), workspace(kpis_daily(("A",))))
    assert answer.headline == "Nothing to pause over the last 8 days (17-24 Nov)."


def test_state_fatigued_lists_the_fatigued_ads_with_the_evidence():
    fatigue = pl.DataFrame(
        {
            "account": [None, None],
            "campaign": ["C1", "C1"],
            "adset": ["S1", "S1"],
            "ad": ["A", "B"],
            "ctr_change": [-0.5, 0.0],
            "fatigued": [True, False],
            "fatigue_evidence": ["link CTR 2.00% -> 1.00% (-50%)", None],
        },
        schema_overrides={"account": pl.String},
    )
    answer = state(Intent("state", "which creatives are fatigued", state="fatigued"), workspace(fatigue=fatigue))
    assert answer.headline == "1 ad is fatigued: ad 'A' (link CTR 2.00% -> 1.00% (-50%))."


def test_tracking_fine_says_the_store_cannot_be_checked_without_orders():
    intent = Intent("tracking", "is my tracking broken", periods=(days(24, 24), days(23, 23)))
    answer = tracking(intent, workspace())
    # 3 + 1 + 0 = 4 purchases from 200 + 50 + 10 = 260 link clicks on 24 Nov; 6 / 260 = 2.31% on 23 Nov.
    assert answer.headline == (
        "Tracking looks fine: 4 purchases from 260 link clicks (1.54%) yesterday (24 Nov), vs 2.31% the day before; "
        "no break in purchases, clicks or checkouts."
    )
    assert answer.lines[-1].startswith("No store orders export")


def test_tracking_broken_when_purchases_stop_while_clicks_hold():
    frame = kpis_daily(last_day_purchases=0).with_columns(
        pl.when(pl.col("date") == LAST).then(0).otherwise(pl.col("purchases")).alias("purchases")
    )
    intent = Intent("tracking", "is my pixel broken", periods=(days(24, 24), days(23, 23)))
    answer = tracking(intent, dataclasses.replace(workspace(frame)))
    # 260 clicks at the day before's 6 / 260 would give 6 purchases: none is a break, not chance.
    assert answer.headline == (
        "Tracking or checkout looks broken: 0 purchases from 260 link clicks (0.00%) yesterday (24 Nov), "
        "vs 2.31% the day before, while clicks and checkouts held."
    )
    assert answer.lines[0].startswith("Tracking check: the account recorded no purchase in 2026-11-24")


def test_every_new_family_is_registered():
    assert {"metric", "compare", "trend", "rank", "state", "tracking", "breakdown"} <= set(ANSWERS)


def test_breakdown_spend_by_ad_platform():
    intent = Intent("breakdown", "spend by platform", kpi="spend", dimension="platform", periods=(days(18, 24),) * 2)
    answer = breakdown(intent, workspace())
    # 6 days x 170 + 194 on 24 Nov = 1,214, all on Meta.
    assert answer.headline == (
        "Your spend by ad platform over the last 7 days (18-24 Nov), largest first: Meta 1,214.00 USD."
    )


def test_breakdown_by_age_without_the_export_names_the_export_to_add():
    intent = Intent("breakdown", "roas by age", kpi="roas", dimension="age")
    with pytest.raises(AdlabError, match="needs an Age x Gender breakdown export"):
        breakdown(intent, workspace())
