import datetime as dt

import polars as pl
import pytest

from adlab.kpis import (
    breakdown_view,
    build_summary,
    complete_weeks,
    compute_kpis_daily,
    compute_kpis_weekly,
    date_span,
    period_figures,
    ratio,
    rollup,
    store_daily,
    totals_view,
    week_bounds,
)
from adlab.schema import AD_INSIGHTS, LEDGER, ORDERS, conform

D1, D2 = dt.date(2026, 11, 16), dt.date(2026, 11, 17)


def insights(rows: list[dict]) -> pl.DataFrame:
    base = {
        "platform_source": "meta",
        "level": "ad",
        "breakdown": "none",
        "currency": "USD",
        "campaign": "C",
        "adset": "S",
        "source_file": "f.csv",
        "source_row": 2,
    }
    return conform(pl.DataFrame([{**base, **row} for row in rows]), AD_INSIGHTS)


def test_ratio_is_null_for_zero_denominator():
    frame = pl.DataFrame({"a": [1.0, 1.0], "b": [0.0, 4.0]})
    assert frame.select(ratio("a", "b")).to_series().to_list() == [None, 0.25]


def test_rollup_roas_is_ratio_of_sums_not_mean_of_daily_roas():
    # Day 1: 100 spent, 400 value (ROAS 4); day 2: 300 spent, 300 value (ROAS 1).
    # Mean of daily ROAS = 2.5, but ROAS of the period = 700 / 400 = 1.75.
    daily = pl.DataFrame(
        {
            "date": [D1, D2],
            "ad": ["A", "A"],
            "spend": [100.0, 300.0],
            "purchase_value": [400.0, 300.0],
            "impressions": [1000, 3000],
            "link_clicks": [10, 50],
            "purchases": [4, 5],
        }
    )
    daily = daily.with_columns(
        pl.lit(None, pl.Int64).alias(c)
        for c in (
            "clicks",
            "landing_page_views",
            "adds_to_cart",
            "checkouts",
            "video_3s_plays",
            "thruplays",
            "video_p25",
            "video_p50",
            "video_p75",
            "video_p100",
        )
    )
    out = rollup(daily, ["ad"]).row(0, named=True)
    assert out["roas"] == pytest.approx(1.75)
    assert out["cpa"] == pytest.approx(400 / 9)
    assert out["ctr"] == pytest.approx(60 / 4000)
    assert out["cpm"] == pytest.approx(100.0)
    assert out["cvr"] == pytest.approx(9 / 60)
    assert out["aov"] == pytest.approx(700 / 9)
    assert out["clicks"] is None  # absent metrics stay null, never 0
    assert out["hook_rate"] is None


def test_compute_kpis_daily_uses_base_rows_not_breakdowns_and_frequency_only_with_reach():
    frame = insights(
        [
            {
                "date": D1,
                "ad": "A",
                "spend": 10.0,
                "impressions": 100,
                "reach": 50,
                "purchases": 1,
                "purchase_value": 30.0,
            },
            {
                "date": D1,
                "ad": "A",
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "spend": 6.0,
                "impressions": 60,
                "reach": 40,
            },
            {
                "date": D1,
                "ad": "A",
                "breakdown": "age_gender",
                "age": "35-44",
                "gender": "male",
                "spend": 4.0,
                "impressions": 40,
                "reach": 20,
            },
            # Ad B only exported as a breakdown: its segments are summed, reach unknown.
            {
                "date": D1,
                "ad": "B",
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "spend": 5.0,
                "impressions": 50,
                "reach": 30,
            },
            {
                "date": D1,
                "ad": "B",
                "breakdown": "age_gender",
                "age": "35-44",
                "gender": "male",
                "spend": 7.0,
                "impressions": 70,
                "reach": 35,
            },
        ]
    )
    daily = compute_kpis_daily(frame)
    a = daily.filter(pl.col("ad") == "A").row(0, named=True)
    b = daily.filter(pl.col("ad") == "B").row(0, named=True)
    assert (a["spend"], a["impressions"], a["frequency"], a["roas"]) == (10.0, 100, 2.0, 3.0)
    assert (b["spend"], b["impressions"], b["frequency"]) == (12.0, 120, None)


def test_totals_view_ignores_lifetime_rows_and_coarser_levels():
    frame = insights(
        [
            {"date": D1, "ad": "A", "spend": 10.0, "impressions": 100},
            {"date": D1, "window_start": dt.date(2026, 1, 1), "ad": "A", "spend": 999.0, "impressions": 9999},
            {"date": D1, "level": "campaign", "adset": None, "ad": None, "spend": 10.0, "impressions": 100},
        ]
    )
    view = totals_view(frame.with_columns(pl.col("window_start").fill_null(pl.col("date")))).collect()
    assert view["spend"].sum() == 10.0


def test_compute_kpis_weekly_sums_days_into_iso_weeks():
    sunday = dt.date(2026, 11, 22)
    frame = insights(
        [
            {"date": sunday, "ad": "A", "spend": 10.0, "impressions": 100, "purchases": 1, "purchase_value": 50.0},
            {"date": sunday + dt.timedelta(days=1), "ad": "A", "spend": 20.0, "impressions": 100},
            {"date": D1, "ad": "A", "spend": 30.0, "impressions": 300, "purchases": 1, "purchase_value": 10.0},
        ]
    ).with_columns(pl.col("date").alias("window_start"))
    weekly = compute_kpis_weekly(compute_kpis_daily(frame))
    assert weekly.select("week", "spend", "roas", "days").rows() == [
        ("2026-W47", 40.0, 1.5, 2),
        ("2026-W48", 20.0, None, 1),
    ]


def test_complete_weeks_excludes_the_partial_last_week():
    # 2026-11-24 is a Tuesday: W48 is incomplete, W47 (Nov 16-22) is the latest complete week.
    assert complete_weeks(dt.date(2026, 11, 24), dt.date(2026, 11, 9)) == ["2026-W47", "2026-W46"]
    assert complete_weeks(dt.date(2026, 11, 22), dt.date(2026, 11, 22)) == ["2026-W47"]
    assert week_bounds("2026-W01") == (dt.date(2025, 12, 29), dt.date(2026, 1, 4))


def test_date_span_gives_the_first_and_last_date_in_any_row_order():
    dates = pl.Series("date", [D2, D1, dt.date(2026, 11, 20)])
    assert date_span(dates) == (D1, dt.date(2026, 11, 20))


def orders(rows: list[dict]) -> pl.DataFrame:
    base = {
        "currency": "USD",
        "refunded": 0.0,
        "financial_status": "paid",
        "cancelled": False,
        "is_new_customer": True,
        "units": 1,
        "line_items": 1,
    }
    return conform(pl.DataFrame([{**base, **row} for row in rows]), ORDERS)


def test_store_daily_excludes_cancelled_and_voided_and_subtracts_refunds():
    frame = orders(
        [
            {"order_id": "#1", "date": D1, "total": 100.0},
            {"order_id": "#2", "date": D1, "total": 80.0, "refunded": 30.0, "financial_status": "partially_refunded"},
            {"order_id": "#3", "date": D1, "total": 50.0, "financial_status": "voided", "cancelled": True},
            {
                "order_id": "#4",
                "date": D1,
                "total": 60.0,
                "cancelled": True,
                "financial_status": "refunded",
                "refunded": 60.0,
            },
            {"order_id": "#5", "date": D2, "total": 40.0, "refunded": 40.0, "financial_status": "refunded"},
        ]
    )
    store = store_daily(frame)
    assert store.select("date", "orders", "revenue").rows() == [(D1, 2, 150.0), (D2, 1, 0.0)]


def test_build_summary_reports_latest_complete_week_and_previous_with_mer():
    days = [dt.date(2026, 11, 9) + dt.timedelta(days=i) for i in range(16)]  # Mon W46 .. Tue W48
    frame = insights(
        [
            {
                "date": d,
                "ad": "A",
                "spend": 100.0 if d >= dt.date(2026, 11, 16) else 50.0,
                "impressions": 1000,
                "link_clicks": 20,
                "purchases": 2,
                "purchase_value": 300.0,
            }
            for d in days
        ]
    ).with_columns(pl.col("date").alias("window_start"))
    store = store_daily(orders([{"order_id": f"#{i}", "date": d, "total": 500.0} for i, d in enumerate(days)]))
    ledger = pl.DataFrame(
        [
            {
                "source_file": "f",
                "kind": "meta_ads",
                "table": "ad_insights",
                "rows_in": 17,
                "kept": 16,
                "replaced": 0,
                "totals": 1,
                "quarantined": 0,
            }
        ],
        schema=LEDGER,
    )
    summary = build_summary(compute_kpis_daily(frame), store, ledger, "USD", "raw")
    assert summary["week"] == "2026-W47"
    assert summary["spend"] == 700.0
    assert summary["roas"] == pytest.approx(2100 / 700)
    assert summary["ctr"] == pytest.approx(140 / 7000)
    assert summary["cpm"] == pytest.approx(100.0)
    assert summary["orders"] == 7
    assert summary["revenue"] == 3500.0
    assert summary["mer"] == pytest.approx(5.0)
    assert summary["previous"]["week"] == "2026-W46"
    assert summary["previous"]["spend"] == 350.0
    assert summary["previous"]["mer"] == pytest.approx(10.0)
    assert summary["rows"] == {"in": 17, "kept": 16, "replaced": 0, "totals": 1, "quarantined": 0}


def test_build_summary_without_ad_data_takes_the_week_from_the_store_and_keeps_ad_metrics_null():
    # Orders Mon Nov 9 (W46), Wed Nov 18 + Sun Nov 22 (W47), Tue Nov 24 (W48, not complete): latest week W47.
    days = [dt.date(2026, 11, 9), dt.date(2026, 11, 18), dt.date(2026, 11, 22), dt.date(2026, 11, 24)]
    store = store_daily(orders([{"order_id": f"#{i}", "date": d, "total": 10.0 * (i + 1)} for i, d in enumerate(days)]))
    ledger = pl.DataFrame(
        [
            {
                "source_file": "o.csv",
                "kind": "shopify_orders",
                "table": "orders",
                "rows_in": 4,
                "kept": 4,
                "replaced": 0,
                "totals": 0,
                "quarantined": 0,
            }
        ],
        schema=LEDGER,
    )
    summary = build_summary(compute_kpis_daily(insights([])), store, ledger, "GBP", "raw")
    assert (summary["week"], summary["week_complete"], summary["currency"]) == ("2026-W47", True, "GBP")
    assert (summary["orders"], summary["revenue"]) == (2, 20.0 + 30.0)
    assert (summary["previous"]["week"], summary["previous"]["orders"], summary["previous"]["revenue"]) == (
        "2026-W46",
        1,
        10.0,
    )
    for key in (
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
        "mer",
    ):
        assert summary[key] is None, key
        assert summary["previous"][key] is None, key
    assert summary["by_platform"] == {}


def test_build_summary_without_any_dated_data_has_no_week_rather_than_1970():
    ledger = pl.DataFrame(schema=LEDGER)
    summary = build_summary(compute_kpis_daily(insights([])), None, ledger, None, "raw")
    assert summary["week"] is None
    assert summary["spend"] is None
    assert summary["rows"] == {"in": 0, "kept": 0, "replaced": 0, "totals": 0, "quarantined": 0}


def test_period_figures_spend_is_zero_on_a_gap_in_the_ad_data_and_unknown_outside_it():
    # Ads on Mon Nov 16 and Wed Nov 18 only: Tue Nov 17 spent nothing; Nov 9-15 no export covers.
    frame = insights(
        [
            {"date": d, "window_start": d, "ad": "A", "spend": 10.0, "impressions": 100}
            for d in (D1, D1 + dt.timedelta(days=2))
        ]
    )
    daily = compute_kpis_daily(frame)
    assert (period_figures(daily, None, D2, D2)["spend"], period_figures(daily, None, D2, D2)["impressions"]) == (
        0.0,
        0,
    )
    before = period_figures(daily, None, dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert (before["spend"], before["impressions"], before["roas"]) == (None, None, None)


def test_period_figures_store_is_unknown_outside_the_orders_export():
    frame = insights([{"date": D2, "window_start": D2, "ad": "A", "spend": 10.0, "impressions": 100}])
    store = store_daily(orders([{"order_id": "#1", "date": D1, "total": 50.0}]))
    figures = period_figures(compute_kpis_daily(frame), store, D2, D2)
    assert (figures["orders"], figures["revenue"], figures["mer"]) == (None, None, None)
    figures = period_figures(compute_kpis_daily(frame), store, D1, D1)
    assert (figures["orders"], figures["revenue"], figures["mer"]) == (1, 50.0, None)  # no spend that day


def test_compute_kpis_daily_counts_an_account_level_export_only_where_nothing_finer_was_exported():
    # Found by the first-contact harness: an account-level export (no name column, maybe an Age x Gender
    # breakdown) beside an ad-level one of the same days was added to it, doubling spend, since the finest
    # level was chosen per campaign and account-level rows name no campaign.
    # D1: ad A 30 + ad B 70 = 100; the account row (100) and its age x gender rows (60 + 40) describe it again.
    # D2: only the account-level export: 50.
    none = {"campaign": None, "adset": None, "level": "account"}
    frame = insights(
        [
            {"date": D1, "ad": "A", "spend": 30.0, "impressions": 300},
            {"date": D1, "campaign": "C2", "ad": "B", "spend": 70.0, "impressions": 700},
            {**none, "date": D1, "spend": 100.0, "impressions": 1000},
            {
                **none,
                "date": D1,
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "spend": 60.0,
                "impressions": 600,
            },
            {
                **none,
                "date": D1,
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "male",
                "spend": 40.0,
                "impressions": 400,
            },
            {**none, "date": D2, "spend": 50.0, "impressions": 500},
        ]
    )
    daily = compute_kpis_daily(frame).group_by("date").agg(pl.col("spend", "impressions").sum()).sort("date")
    assert daily.rows() == [(D1, 100.0, 1000), (D2, 50.0, 500)]


def test_breakdown_view_counts_an_account_level_breakdown_only_where_no_finer_one_exists():
    # As the totals: an account-level Age x Gender export beside an ad-level one of the same day describes the
    # same spend again. D1: ad A female 25-34 20 + male 25-34 10 = 30; account level says 30 again.
    none = {"campaign": None, "adset": None, "level": "account", "breakdown": "age_gender", "age": "25-34"}
    frame = insights(
        [
            {"date": D1, "ad": "A", "breakdown": "age_gender", "age": "25-34", "gender": "female", "spend": 20.0},
            {"date": D1, "ad": "A", "breakdown": "age_gender", "age": "25-34", "gender": "male", "spend": 10.0},
            {**none, "date": D1, "gender": "female", "spend": 20.0},
            {**none, "date": D1, "gender": "male", "spend": 10.0},
        ]
    )
    by_gender = breakdown_view(frame, "age_gender").group_by("gender").agg(pl.col("spend").sum()).sort("gender")
    assert by_gender.collect().rows() == [("female", 20.0), ("male", 10.0)]


def test_breakdown_view_keeps_every_campaign_whatever_its_attribution_setting():
    # Found by the first-contact harness: the weekly age x gender table and segment answers kept one
    # attribution setting for the whole account, dropping every campaign set to another window (half the
    # spend). Per (date, ad) one setting, as the totals: C1 (1-day click) 20 + C2 (7-day click) 30 = 50.
    frame = insights(
        [
            {
                "date": D1,
                "ad": "A",
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "attribution_setting": "1-day click",
                "spend": 20.0,
            },
            {
                "date": D1,
                "campaign": "C2",
                "ad": "B",
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "attribution_setting": "7-day click or 1-day view",
                "spend": 30.0,
            },
        ]
    )
    assert breakdown_view(frame, "age_gender").select(pl.col("spend").sum()).collect().item() == 50.0
