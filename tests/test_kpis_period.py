"""KPIs of reporting-window exports (no `Day` column): one period per window, worked out by hand.

Window W1 = 1-31 Oct 2026 (31 days), ad level, `breakdown = none`:
  C1/S1/A1 100 spent, 10000 impr, 200 link clicks, 4 purchases, 300 value, reach 5000
  C1/S1/A2  50,  5000,  50, 1, 100, reach 4000
  C2/S2/A3 250, 20000, 100, 0,   0, reach 9000
  plus an age x gender export of A1 for W1 (female 25-34: 60, 6000, 120, 3, 240; male 25-34: 40, 4000, 80, 1, 60)
Window W2 = 25-31 Oct 2026 (7 days): C1/S1/A1 30, 2000, 40, 1, 90.
A daily row (5 Oct, 999 spent) must never enter a window.
W1: spend 400, impressions 35000, link clicks 350, purchases 5, value 400 -> ROAS 1.0, CPA 80, CTR 0.01,
    CPM 400 / 35000 * 1000 = 11.428571..., CVR 5 / 350, AOV 80; A1 frequency 10000 / 5000 = 2.
"""

import datetime as dt

import polars as pl
import pytest

from adlab.kpis import (
    build_period_summary,
    compute_kpis_daily,
    compute_kpis_period,
    report_windows,
    store_spans,
    window_breakdown_rollup,
    window_breakdowns,
    window_figures,
    window_left_out,
    window_results_summary,
)
from adlab.schema import AD_INSIGHTS, LEDGER, conform

W1 = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
W2 = (dt.date(2026, 10, 25), dt.date(2026, 10, 31))


def insights() -> pl.DataFrame:
    base = {
        "platform_source": "meta",
        "level": "ad",
        "breakdown": "none",
        "currency": "USD",
        "attribution_setting": "7-day click or 1-day view",
        "source_file": "f.csv",
        "source_row": 2,
    }
    w1 = {"window_start": W1[0], "date": W1[1]}
    rows = [
        {
            **w1,
            "campaign": "C1",
            "adset": "S1",
            "ad": "A1",
            "spend": 100.0,
            "impressions": 10000,
            "link_clicks": 200,
            "purchases": 4,
            "purchase_value": 300.0,
            "reach": 5000,
        },
        {
            **w1,
            "campaign": "C1",
            "adset": "S1",
            "ad": "A2",
            "spend": 50.0,
            "impressions": 5000,
            "link_clicks": 50,
            "purchases": 1,
            "purchase_value": 100.0,
            "reach": 4000,
        },
        {
            **w1,
            "campaign": "C2",
            "adset": "S2",
            "ad": "A3",
            "spend": 250.0,
            "impressions": 20000,
            "link_clicks": 100,
            "purchases": 0,
            "purchase_value": 0.0,
            "reach": 9000,
        },
        {
            **w1,
            "campaign": "C1",
            "adset": "S1",
            "ad": "A1",
            "breakdown": "age_gender",
            "age": "25-34",
            "gender": "female",
            "spend": 60.0,
            "impressions": 6000,
            "link_clicks": 120,
            "purchases": 3,
            "purchase_value": 240.0,
            "source_file": "g.csv",
        },
        {
            **w1,
            "campaign": "C1",
            "adset": "S1",
            "ad": "A1",
            "breakdown": "age_gender",
            "age": "25-34",
            "gender": "male",
            "spend": 40.0,
            "impressions": 4000,
            "link_clicks": 80,
            "purchases": 1,
            "purchase_value": 60.0,
            "source_file": "g.csv",
        },
        {
            "window_start": W2[0],
            "date": W2[1],
            "campaign": "C1",
            "adset": "S1",
            "ad": "A1",
            "spend": 30.0,
            "impressions": 2000,
            "link_clicks": 40,
            "purchases": 1,
            "purchase_value": 90.0,
            "source_file": "h.csv",
        },
        {
            "window_start": dt.date(2026, 10, 5),
            "date": dt.date(2026, 10, 5),
            "campaign": "C1",
            "adset": "S1",
            "ad": "A1",
            "spend": 999.0,
            "impressions": 1,
            "link_clicks": 1,
            "purchases": 1,
            "purchase_value": 1.0,
        },
    ]
    return conform(pl.DataFrame([{**base, **row} for row in rows]), AD_INSIGHTS)


def test_compute_kpis_period_one_row_per_window_and_ad_without_days_or_breakdowns():
    period = compute_kpis_period(insights())
    assert period.select("window_start", "window_end", "ad", "spend", "days").rows() == [
        (W1[0], W1[1], "A1", 100.0, 31),
        (W1[0], W1[1], "A2", 50.0, 31),
        (W1[0], W1[1], "A3", 250.0, 31),
        (W2[0], W2[1], "A1", 30.0, 7),
    ]
    a1 = period.row(0, named=True)
    assert a1["roas"] == pytest.approx(3.0)
    assert a1["frequency"] == pytest.approx(2.0)


def test_compute_kpis_daily_leaves_window_rows_out():
    daily = compute_kpis_daily(insights())
    assert daily.select("date", "spend").rows() == [(dt.date(2026, 10, 5), 999.0)]


def test_window_figures_are_ratios_of_the_window_sums():
    figures = window_figures(compute_kpis_period(insights()), None, *W1)
    assert (figures["spend"], figures["impressions"], figures["link_clicks"]) == (400.0, 35000, 350)
    assert (figures["purchases"], figures["purchase_value"]) == (5, 400.0)
    assert figures["roas"] == pytest.approx(1.0)
    assert figures["cpa"] == pytest.approx(80.0)
    assert figures["ctr"] == pytest.approx(0.01)
    assert figures["cpm"] == pytest.approx(400 / 35000 * 1000)
    assert figures["cvr"] == pytest.approx(5 / 350)
    assert figures["aov"] == pytest.approx(80.0)
    assert figures["orders"] is None
    assert figures["mer"] is None


def test_window_figures_never_add_a_window_of_another_length():
    figures = window_figures(compute_kpis_period(insights()), None, *W2)
    assert (figures["spend"], figures["purchase_value"], figures["roas"]) == (30.0, 90.0, 3.0)


def test_window_figures_take_store_revenue_only_where_the_store_data_spans_the_window():
    # Orders on 2 Oct (2 orders, 300) and 30 Oct (3 orders, 500): within a week of either end -> MER 800 / 400.
    store = pl.DataFrame(
        {"date": [dt.date(2026, 10, 2), dt.date(2026, 10, 30)], "orders": [2, 3], "revenue": [300.0, 500.0]}
    )
    figures = window_figures(compute_kpis_period(insights()), store, *W1)
    assert (figures["orders"], figures["revenue"], figures["mer"]) == (5, 800.0, 2.0)
    late = store.filter(pl.col("date") > dt.date(2026, 10, 20))  # 30 Oct only: three weeks of W1 unknown
    assert not store_spans(late, *W1)
    assert window_figures(compute_kpis_period(insights()), late, *W1)["mer"] is None


def test_window_breakdown_rollup_sums_one_breakdown_of_one_window():
    assert window_breakdowns(insights(), *W1) == ["age_gender"]
    assert window_breakdowns(insights(), *W2) == []
    rolled = window_breakdown_rollup(insights(), "age_gender", ["gender"], *W1)
    assert rolled.select("gender", "spend", "roas").rows() == [("female", 60.0, 4.0), ("male", 40.0, 1.5)]


def test_report_windows_latest_end_first_longer_first_on_a_tie():
    assert report_windows(compute_kpis_period(insights())) == [W1, W2]


def test_build_period_summary_holds_every_contract_key_for_the_latest_window():
    ledger = conform(
        pl.DataFrame(
            [
                {
                    "source_file": "f.csv",
                    "kind": "meta_ads",
                    "table": "ad_insights",
                    "rows_in": 7,
                    "kept": 6,
                    "replaced": 0,
                    "totals": 1,
                    "quarantined": 0,
                }
            ]
        ),
        LEDGER,
    )
    summary = build_period_summary(compute_kpis_period(insights()), None, ledger, "USD", "raw")
    assert summary["week"] == "2026-W44"  # Sat 31 Oct 2026, the window's end, is in ISO week 44
    assert summary["period"] == {"start": "2026-10-01", "end": "2026-10-31", "days": 31}
    assert (summary["spend"], summary["roas"], summary["cpa"]) == (400.0, 1.0, 80.0)
    assert summary["previous"]["week"] == "2026-W43"
    assert summary["previous"]["spend"] is None  # no days: nothing to compare with, unknown
    assert summary["rows"] == {"in": 7, "kept": 6, "replaced": 0, "totals": 1, "quarantined": 0}
    keys = (
        "week",
        "currency",
        "spend",
        "purchase_value",
        "purchases",
        "impressions",
        "link_clicks",
        "roas",
        "cpa",
        "ctr",
        "cpm",
        "cvr",
        "aov",
        "orders",
        "revenue",
        "mer",
    )
    assert all(key in summary for key in keys)
    assert all(key in summary["previous"] for key in keys if key != "currency")


def test_window_left_out_counts_the_rows_of_a_second_attribution_setting():
    # A2 exported again under "Incremental" (7 spent): "7-day click or 1-day view" sorts first and counts alone.
    extra = (
        insights()
        .filter(pl.col("ad") == "A2")
        .with_columns(pl.lit("Incremental").alias("attribution_setting"), pl.lit(7.0).alias("spend"))
    )
    frame = pl.concat([insights(), extra])
    assert window_left_out(frame, *W1) == {"rows": 1, "spend": 7.0}
    assert window_left_out(insights(), *W1) == {"rows": 0, "spend": 0.0}
    assert window_figures(compute_kpis_period(frame), None, *W1)["spend"] == 400.0


def test_window_results_summary_gives_the_windows_results_by_type_for_summary_json():
    # Found by the first-contact harness: summary.json of a window export had `results: []`.
    # W1, ad level: A1 Leads 3 for 30.00, A2 Leads 2 for 30.00, A3 Website purchases 1 for 50.00; an age x gender
    # row of A1 (the same spend again) and a W2 row must not count. Leads 5 for 60.00 -> 12.00 per lead.
    base = {
        "platform_source": "meta",
        "level": "ad",
        "breakdown": "none",
        "window_start": W1[0],
        "date": W1[1],
        "campaign": "C1",
        "adset": "S1",
        "source_file": "f.csv",
        "source_row": 2,
    }
    rows = [
        {**base, "ad": "A1", "result_type": "Leads", "results": 3.0, "spend": 30.0},
        {**base, "ad": "A2", "result_type": "Leads", "results": 2.0, "spend": 30.0},
        {**base, "ad": "A3", "result_type": "Website purchases", "results": 1.0, "spend": 50.0},
        {
            **base,
            "ad": "A1",
            "breakdown": "age_gender",
            "age": "25-34",
            "gender": "female",
            "result_type": "Leads",
            "results": 3.0,
            "spend": 30.0,
        },
        {**base, "window_start": W2[0], "ad": "A1", "result_type": "Leads", "results": 9.0, "spend": 90.0},
    ]
    frame = conform(pl.DataFrame(rows), AD_INSIGHTS)
    assert window_results_summary(frame, *W1) == [
        {"result_type": "Leads", "spend": 60.0, "results": 5.0, "cost_per_result": 12.0},
        {"result_type": "Website purchases", "spend": 50.0, "results": 1.0, "cost_per_result": 50.0},
    ]


def test_compute_kpis_period_leaves_out_an_account_level_window_row_beside_finer_rows():
    # Found by the first-contact harness: an account-level window export (no names) beside an ad-level one
    # of the same window doubled its spend. W1: ads 100 + 50 = 150; the account row says 150 again.
    # W2 has only an account-level row (30): it counts.
    base = {"platform_source": "meta", "breakdown": "none", "source_file": "f.csv", "source_row": 2}
    rows = [
        {
            **base,
            "level": "ad",
            "window_start": W1[0],
            "date": W1[1],
            "campaign": "C1",
            "adset": "S1",
            "ad": "A1",
            "spend": 100.0,
        },
        {
            **base,
            "level": "ad",
            "window_start": W1[0],
            "date": W1[1],
            "campaign": "C2",
            "adset": "S2",
            "ad": "A2",
            "spend": 50.0,
        },
        {**base, "level": "account", "window_start": W1[0], "date": W1[1], "spend": 150.0},
        {**base, "level": "account", "window_start": W2[0], "date": W2[1], "spend": 30.0},
    ]
    period = compute_kpis_period(conform(pl.DataFrame(rows), AD_INSIGHTS))
    totals = period.group_by("window_start").agg(pl.col("spend").sum()).sort("window_start")
    assert totals.rows() == [(W1[0], 150.0), (W2[0], 30.0)]
