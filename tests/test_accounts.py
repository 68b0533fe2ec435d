"""Several accounts downstream of ingest: same-named campaigns, ad sets and ads of two accounts stay apart."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from adlab.charts import fig_roas_vs_spend, fig_spend_by_campaign
from adlab.creatives import ad_fatigue, compute_creative_kpis, creative_attributes
from adlab.errors import AdlabError
from adlab.insights import Period, ab_readout, best_for_segment, explain_change, recommendations, verdict
from adlab.kpis import compute_kpis_period, store_daily
from adlab.params import Params
from adlab.report.frames import account_names, ads_without_purchase, best_and_worst_ads, entity_tree, week_tables
from adlab.report.index import render_index
from adlab.report.weekly.campaigns import ads_table_html, best_worst_html, entity_table_html
from adlab.report.weekly.creatives import creative_leaderboard_html
from adlab.report.weekly.header import accounts_html
from adlab.report.weekly.recommendations import recommendations_html
from adlab.report.window import period_page_html
from adlab.schema import AD_INSIGHTS, AD_METRICS, conform
from conftest import copy_project, dvc

PARAMS = Params()  # targets: ROAS 2.5, CPA 40, margin 0.5 (break-even 2.0); lookback 14 days
DAY = dt.date(2026, 11, 23)


def as_kpis_daily(frame: pl.DataFrame) -> pl.DataFrame:
    """The literal frame with the metric columns it does not give as nulls (absent, not 0)."""
    missing = {
        name: dtype
        for name, dtype in {**AD_METRICS, "reach": pl.Int64(), "account": pl.String()}.items()
        if name not in frame.columns
    }
    return frame.with_columns(pl.lit(None, dtype).alias(name) for name, dtype in missing.items())


def fourteen_days(account: str | None, purchases: int, value: float, ad: str = "Hook A") -> pl.DataFrame:
    """14 days to DAY of one ad 'Hook A' in campaign 'Sales' / ad set 'Retargeting': 100 spend a day."""
    days = [DAY - dt.timedelta(days=i) for i in range(14)]
    return as_kpis_daily(
        pl.DataFrame(
            {
                "date": days,
                "platform_source": ["meta"] * 14,
                "account": [account] * 14,
                "campaign": ["Sales"] * 14,
                "adset": ["Retargeting"] * 14,
                "ad": [ad] * 14,
                "spend": [100.0] * 14,
                "impressions": [10_000] * 14,
                "link_clicks": [100] * 14,
                "purchases": [purchases] * 14,
                "purchase_value": [value] * 14,
            },
            schema_overrides={"account": pl.String},
        )
    )


# client_a: 1,400 spent without a purchase; client_b: 70 purchases worth 7,000 on 1,400 (ROAS 5).
TWO = pl.concat([fourteen_days("client_a", 0, 0.0), fourteen_days("client_b", 5, 500.0)])


def test_verdict_same_name_in_two_accounts_judged_per_account() -> None:
    answer = verdict(TWO, "Retargeting", PARAMS, "adset")
    # Merged, the ad set would be ROAS 2.5 on 2,800 (neither pause nor scale): each account is judged apart.
    assert answer.headline.startswith("Ad set 'Retargeting' runs in 2 accounts ('client_a', 'client_b')")
    assert "account 'client_a': Pause; account 'client_b': Scale" in answer.headline
    assert answer.data["accounts"]["client_a"]["action"] == "pause"
    assert answer.data["accounts"]["client_b"]["action"] == "scale"
    text = answer.text()
    assert "ad set 'Retargeting' (campaign 'Sales') in account 'client_a'" in text
    assert "Spend 1,400.00" in text
    assert "2,800" not in text


def test_verdict_names_the_account_when_the_data_has_several() -> None:
    other = fourteen_days("client_b", 5, 500.0, ad="Hook B")
    answer = verdict(pl.concat([fourteen_days("client_a", 0, 0.0), other]), "Hook B", PARAMS, "ad")
    assert answer.headline.startswith("Scale: ad 'Hook B' (ad set 'Retargeting') in account 'client_b'")


def test_verdict_one_account_names_no_account() -> None:
    answer = verdict(fourteen_days("client_a", 0, 0.0), "Retargeting", PARAMS, "adset")
    assert answer.headline.startswith("Pause: ad set 'Retargeting' (campaign 'Sales'):")
    assert "account" not in answer.headline


def test_recommendations_two_accounts_keep_both_with_account_column() -> None:
    table = recommendations(TWO, PARAMS)
    assert table.columns[:3] == ["level", "account", "entity"]
    # Each account's ad set has one ad: one row per decision, the pause on the ad, the scale on the ad set.
    assert table.select("level", "account", "action").rows() == [
        ("ad", "client_a", "pause"),
        ("adset", "client_b", "scale"),
    ]
    assert table["spend"].to_list() == [1400.0] * 2


def test_recommendations_one_account_has_no_account_column() -> None:
    for account in ("client_a", None):
        table = recommendations(fourteen_days(account, 0, 0.0), PARAMS)
        assert "account" not in table.columns
        assert table.select("level", "action").rows() == [("ad", "pause")]  # the ad set's only ad: one decision


def two_day_rows(account: str, ad: str, value_before: float, value_now: float) -> pl.DataFrame:
    """100 spend on each of two days in campaign 'Sales': purchase value before (DAY - 1) and now (DAY)."""
    return as_kpis_daily(
        pl.DataFrame(
            {
                "date": [DAY - dt.timedelta(days=1), DAY],
                "platform_source": ["meta"] * 2,
                "account": [account] * 2,
                "campaign": ["Sales"] * 2,
                "adset": ["Broad"] * 2,
                "ad": [ad] * 2,
                "spend": [100.0] * 2,
                "impressions": [1000] * 2,
                "link_clicks": [10] * 2,
                "purchases": [int(value_before // 50), int(value_now // 50)],
                "purchase_value": [value_before, value_now],
            }
        )
    )


def test_explain_change_same_named_campaigns_of_two_accounts_stay_apart() -> None:
    # ROAS by ad, before -> now (100 spend each, every ad 20% of spend): client_a X 2 -> 0.5, Y 2 -> 2;
    # client_b X 2 -> 2, Y 2 -> 4, Z 2 -> 1. Account ROAS 2 -> 950 / 500 = 1.9.
    # Rate terms: client_a's campaign 0.2 x -1.5 = -0.30, client_b's 0.2 x 2 + 0.2 x -1 = +0.20, so client_a leads,
    # and inside it ad X moved most. Merged by name, ad Y (2 -> 3, +0.40) would have looked like the mover.
    frame = pl.concat(
        [
            two_day_rows("client_a", "X", 200, 50),
            two_day_rows("client_a", "Y", 200, 200),
            two_day_rows("client_b", "X", 200, 200),
            two_day_rows("client_b", "Y", 200, 400),
            two_day_rows("client_b", "Z", 200, 100),
        ]
    )
    answer = explain_change(frame, Period(DAY, DAY), Period(DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=1)))
    text = answer.text()
    assert "ROAS fell 5%" in answer.headline
    assert "Campaign 'Sales' (account 'client_a') accounts for 300% of the change" in text
    assert "Campaign 'Sales' (account 'client_b') accounts for -200% of the change" in text
    assert "Inside 'Sales' (account 'client_a'), ad 'X' moved most (2.00 -> 0.50)." in text


def test_explain_change_one_account_names_no_account() -> None:
    frame = pl.concat([two_day_rows("client_a", "X", 200, 50), two_day_rows("client_a", "Y", 200, 200)])
    text = explain_change(
        frame, Period(DAY, DAY), Period(DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=1))
    ).text()
    assert "Campaign 'Sales' accounts for 100% of the change" in text
    assert "account" not in text.replace("accounts for", "")


def test_best_for_segment_names_accounts_of_same_named_ads() -> None:
    frame = pl.concat([fourteen_days("client_a", 1, 150.0), fourteen_days("client_b", 5, 500.0)])
    answer = best_for_segment(frame, None, {}, PARAMS, "ad", "roas", "USD")
    assert answer.headline.startswith("Best ad for everyone: 'Hook A' (account 'client_b') with ROAS 5.00")
    assert "1. ad 'Hook A' (ad set 'Retargeting') in account 'client_b': ROAS 5.00" in answer.text()
    assert "2. ad 'Hook A' (ad set 'Retargeting') in account 'client_a': ROAS 1.50" in answer.text()


# ------------------------------------------------------------------------------------------------ pages


WEEK = "2026-W48"  # Monday 23 Nov 2026 = DAY


def test_accounts_html_names_both_accounts_and_nothing_for_one() -> None:
    assert "2 accounts: client_a, client_b. The figures above are their sum" in accounts_html(TWO, WEEK)
    assert accounts_html(fourteen_days("client_a", 0, 0.0), WEEK) == ""
    assert accounts_html(fourteen_days(None, 0, 0.0), WEEK) == ""
    # Named folders beside files outside any folder: the default account is named as such.
    mixed = pl.concat([fourteen_days("client_a", 0, 0.0), fourteen_days(None, 0, 0.0)])
    assert "2 accounts: client_a, the default account." in accounts_html(mixed, WEEK)


def weekly(rows: list[tuple]) -> pl.DataFrame:
    """kpis_weekly rows (account, ad, spend, purchases, purchase_value) of WEEK in campaign 'Sales' / 'Broad'."""
    frame = pl.DataFrame(
        rows,
        schema={
            "account": pl.String,
            "ad": pl.String,
            "spend": pl.Float64,
            "purchases": pl.Int64,
            "purchase_value": pl.Float64,
        },
        orient="row",
    )
    return frame.with_columns(
        pl.lit(WEEK).alias("week"),
        pl.lit("meta").alias("platform_source"),
        pl.lit("Sales").alias("campaign"),
        pl.lit("Broad").alias("adset"),
        (pl.col("purchase_value") / pl.col("spend")).alias("roas"),
        (pl.col("spend") / pl.col("purchases")).alias("cpa"),
        pl.lit(0.01).alias("ctr"),
        pl.lit(10_000).alias("impressions"),
        pl.lit(100).alias("link_clicks"),
        pl.lit(10.0).alias("cpm"),
    )


def test_best_and_worst_ads_same_names_two_accounts_shown_with_account() -> None:
    frame = weekly(
        [
            ("client_a", "Hook A", 100.0, 1, 400.0),
            ("client_b", "Hook A", 100.0, 1, 100.0),
            ("client_b", "Hook B", 200.0, 0, 0.0),
        ]
    )
    best, worst = best_and_worst_ads(frame, WEEK, min_spend=40.0, n=5)
    # ROAS 4, 1 and 0: three ranked ads, the upper two are best, the last is worst.
    assert best.select("account", "ad", "roas").rows() == [("client_a", "Hook A", 4.0), ("client_b", "Hook A", 1.0)]
    assert worst.select("account", "ad", "roas").rows() == [("client_b", "Hook B", 0.0)]
    no_purchase = ads_without_purchase(frame, WEEK, min_spend=40.0, n=5)
    assert no_purchase.select("account", "ad").rows() == [("client_b", "Hook B")]
    html = best_worst_html(
        best, worst, "USD", min_spend=40.0, no_purchase=no_purchase, target_roas=2.5, target_cpa=40.0, gross_margin=0.5
    )
    assert "<th>Account</th>" in html.replace(' scope="col"', "")
    assert "client_b" in html


def test_best_and_worst_ads_one_account_has_no_account_column() -> None:
    frame = weekly([("client_a", "Hook A", 100.0, 1, 400.0), ("client_a", "Hook B", 100.0, 1, 100.0)])
    best, worst = best_and_worst_ads(frame, WEEK, min_spend=40.0, n=5)
    assert "account" not in best.columns
    assert "account" not in worst.columns
    assert "Account" not in ads_table_html(best, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5)


def test_recommendations_html_heads_each_card_with_its_account() -> None:
    table = recommendations(TWO, PARAMS)
    html = recommendations_html(table, WEEK, "USD", for_week=WEEK)
    assert '<div class="rec-where">client_a › Sales › Retargeting</div>' in html
    assert '<div class="rec-where">client_b › Sales</div>' in html
    one = recommendations_html(recommendations(fourteen_days("client_a", 0, 0.0), PARAMS), WEEK, "USD", for_week=WEEK)
    assert "client_a" not in one


# ------------------------------------------------------------------------------------------------ creatives


def test_compute_creative_kpis_same_ad_name_in_two_accounts_two_creatives() -> None:
    attributes = creative_attributes(["Hook A"], PARAMS.creatives.naming_rules)
    creatives = compute_creative_kpis(TWO, attributes, ad_fatigue(TWO))
    assert creatives.columns[:2] == ["creative", "account"]
    # 1,400 spend each, of 2,800: client_a no purchase (ROAS 0), client_b 7,000 / 1,400 = 5.
    assert creatives.select("creative", "account", "spend", "roas", "share_of_spend", "ads").rows() == [
        ("Hook A", "client_a", 1400.0, 0.0, 0.5, 1),
        ("Hook A", "client_b", 1400.0, 5.0, 0.5, 1),
    ]
    html = creative_leaderboard_html(
        creatives, WEEK, "USD", for_week=WEEK, top_n=5, target_roas=2.5, target_cpa=40.0, gross_margin=0.5
    )
    assert html.count("client_a") == 1


def test_compute_creative_kpis_one_account_has_no_account_column() -> None:
    frame = fourteen_days("client_a", 5, 500.0)
    creatives = compute_creative_kpis(
        frame, creative_attributes(["Hook A"], PARAMS.creatives.naming_rules), ad_fatigue(frame)
    )
    assert "account" not in creatives.columns
    assert creatives.select("creative", "spend", "roas").rows() == [("Hook A", 1400.0, 5.0)]


# ------------------------------------------------------------------------------------------------ store


def test_store_daily_two_stores_sharing_order_names_both_count() -> None:
    # Order #1001 in each store on the same day: 2 orders, revenue (120 - 20) + 80 = 180.
    orders = pl.DataFrame(
        {
            "account": ["client_a", "client_b"],
            "order_id": ["#1001", "#1001"],
            "date": [DAY, DAY],
            "cancelled": [False, False],
            "financial_status": ["paid", "paid"],
            "total": [120.0, 80.0],
            "refunded": [20.0, None],
            "is_new_customer": [True, True],
            "units": [1, 2],
        }
    )
    daily = store_daily(orders)
    assert daily.select("date", "orders", "revenue", "new_customer_orders", "units", "store_aov").rows() == [
        (DAY, 2, 180.0, 2, 3, 90.0)
    ]


def test_render_index_lists_accounts_only_when_several(tmp_path: Path) -> None:
    rows = [{"week": WEEK, "spend": 2800.0, "purchase_value": 7000.0, "roas": 2.5, "cpa": 40.0, "days": 7}]
    two = render_index(rows, tmp_path / "two.html", accounts=["client_a", "client_b"]).read_text()
    assert "2 accounts: client_a, client_b. Every figure is their sum" in two
    one = render_index(rows, tmp_path / "one.html", accounts=["client_a"]).read_text()
    assert "accounts:" not in one
    assert account_names(TWO) == ["client_a", "client_b"]


def test_fig_spend_by_campaign_same_names_of_two_accounts_say_whose() -> None:
    campaigns = pl.DataFrame(
        {
            "account": ["client_a", "client_b"],
            "campaign": ["Sales", "Sales"],
            "spend": [300.0, 100.0],
            "roas": [3.0, 1.0],
        }
    )
    fig = fig_spend_by_campaign(campaigns, "USD", target_roas=2.5, breakeven_roas=2.0)
    assert list(fig.layout.yaxis.ticktext) == ["Sales (client_b)", "Sales (client_a)"]  # largest on top
    one = fig_spend_by_campaign(campaigns.head(1), "USD", target_roas=2.5, breakeven_roas=2.0)
    assert list(one.layout.yaxis.ticktext) == ["Sales"]


def test_fig_roas_vs_spend_hover_names_the_account_when_several() -> None:
    ads = pl.DataFrame(
        {
            "account": ["client_a", "client_b"],
            "campaign": ["Sales"] * 2,
            "adset": ["Broad"] * 2,
            "ad": ["Hook A"] * 2,
            "spend": [100.0, 50.0],
            "roas": [3.0, 1.0],
            "purchases": [3, 1],
        }
    )
    fig = fig_roas_vs_spend(ads, "USD", target_roas=2.5, breakeven_roas=2.0)
    assert [row[1] for row in fig.data[0].customdata] == ["client_a › Sales", "client_b › Sales"]
    one = fig_roas_vs_spend(ads.head(1), "USD", target_roas=2.5, breakeven_roas=2.0)
    assert [row[1] for row in one.data[0].customdata] == ["Sales"]


def test_explain_change_tracking_break_of_one_account_not_hidden_by_the_other() -> None:
    # client_a's 'Sales' goes from 6 purchases to none on the same 10 link clicks (6 expected at the old rate);
    # client_b's 'Sales' keeps its 6. Merged by name, 'Sales' would still have 6 purchases and no check would fire.
    frame = pl.concat([two_day_rows("client_a", "X", 300, 0), two_day_rows("client_b", "X", 300, 300)])
    text = explain_change(
        frame, Period(DAY, DAY), Period(DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=1))
    ).text()
    assert "Tracking check: campaign 'Sales' (account 'client_a') recorded no purchase in 2026-11-23" in text


def test_ab_readout_refuses_a_name_of_two_accounts_and_reads_one() -> None:
    both = pl.concat([TWO, fourteen_days("client_a", 1, 100.0, ad="Hook B")])
    with pytest.raises(AdlabError, match=r"ad 'Hook A' runs in several accounts \('client_a', 'client_b'\)"):
        ab_readout(both, "Hook A", "Hook B")
    readout, _ = ab_readout(both.filter(pl.col("account") == "client_a"), "Hook A", "Hook B")
    assert readout.filter(pl.col("metric") == "ctr")["value"].to_list() == [0.01, 0.01]


# ------------------------------------------------------------------------------------------------ end to end

META_HEADER = [
    "Campaign name",
    "Ad set name",
    "Ad name",
    "Day",
    "Amount spent (USD)",
    "Impressions",
    "Reach",
    "Link clicks",
    "Purchases",
    "Purchases conversion value",
    "Reporting starts",
    "Reporting ends",
]
ORDERS_HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Amount",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Refunded Amount",
    "Cancelled at",
]


def write_two_accounts(raw: Path) -> None:
    """data/raw/client_a and client_b: the same campaign 'Sales' / ad set 'Retargeting' / ads 'Hook A' and
    'Hook B' on 2-15 Nov 2026 (ISO weeks 45 and 46); each ad a day: client_a 100 spend, 6 purchases worth 300,
    client_b 50 spend, 1 purchase worth 50. One order '#1001' in each store on 10 Nov: 100 and 40."""
    for account, spend, purchases, value, total in (("client_a", 100, 6, 300, 100), ("client_b", 50, 1, 50, 40)):
        folder = raw / account
        folder.mkdir(parents=True)
        lines = [",".join(META_HEADER)]
        for i in range(14):
            day = (dt.date(2026, 11, 2) + dt.timedelta(days=i)).isoformat()
            lines += [
                f"Sales,Retargeting,{ad},{day},{spend},10000,8000,100,{purchases},{value},{day},{day}"
                for ad in ("Hook A", "Hook B")
            ]
        (folder / "meta_ads.csv").write_text("\n".join(lines) + "\n")
        (folder / "orders.csv").write_text(
            ",".join(ORDERS_HEADER) + "\n"
            f"#1001,x@example.com,paid,USD,{total},0,0,{total},0,2026-11-10 10:00:00 -0500,1,Shirt,{total},0,\n"
        )


@pytest.mark.slow
def test_dvc_repro_two_accounts_same_names_end_to_end(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    write_two_accounts(project / "data" / "raw")
    result = dvc(project, "repro")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    # Week 46, the sum of both accounts: spend 7 days x (2 x 100 + 2 x 50) = 2,100; purchase value
    # 7 x (2 x 300 + 2 x 50) = 4,900; purchases 7 x (2 x 6 + 2 x 1) = 98; the two orders #1001: 2, revenue 140.
    summary = json.loads((project / "metrics" / "summary.json").read_text())
    assert (summary["week"], summary["spend"], summary["purchase_value"], summary["purchases"]) == (
        "2026-W46",
        2100.0,
        4900.0,
        98,
    )
    assert (summary["orders"], summary["revenue"]) == (2, 140.0)
    weekly = pl.read_parquet(project / "data" / "processed" / "kpis_weekly.parquet")
    week46 = weekly.filter(pl.col("week") == "2026-W46").sort("account", "ad")
    assert week46.select("account", "ad", "spend").rows() == [
        ("client_a", "Hook A", 700.0),
        ("client_a", "Hook B", 700.0),
        ("client_b", "Hook A", 350.0),
        ("client_b", "Hook B", 350.0),
    ]
    # client_a: ROAS 3 on 84 purchases (scale); client_b: ROAS 1 below break-even 2 (pause), per ad set and ad.
    recs = pl.read_csv(project / "data" / "processed" / "recommendations.csv")
    assert recs.select("level", "account", "action").rows() == [
        ("ad", "client_a", "scale"),
        ("ad", "client_a", "scale"),
        ("ad", "client_b", "pause"),
        ("ad", "client_b", "pause"),
        ("adset", "client_a", "scale"),
        ("adset", "client_b", "pause"),
    ]
    page = (project / "reports" / "weekly" / "2026-W46.html").read_text()
    assert "2 accounts: client_a, client_b. The figures above are their sum" in page
    assert "Sales (client_a)" in page
    assert "Sales (client_b)" in page
    assert "client_b › Sales" in page  # a recommendation card's path
    # Several accounts: the index is the portfolio, linking to each account's own pages.
    index = (project / "reports" / "index.html").read_text()
    assert "Accounts side by side" in index
    assert 'href="client_a/index.html"' in index
    assert 'href="client_b/weekly/2026-W46.html"' in index
    own = (project / "reports" / "client_a" / "weekly" / "2026-W46.html").read_text()
    assert "client_b" not in own
    assert "2 accounts" not in own
    assert (project / "reports" / "client_b" / "index.html").is_file()


def test_period_page_html_two_accounts_line_and_campaigns_apart() -> None:
    base = {
        "platform_source": "meta",
        "level": "ad",
        "breakdown": "none",
        "currency": "USD",
        "campaign": "C1",
        "adset": "S",
        "ad": "A1",
        "window_start": dt.date(2026, 10, 1),
        "date": dt.date(2026, 10, 31),
        "source_file": "data/raw/oct.csv",
        "source_row": 2,
    }
    rows = [
        {"account": "client_a", "spend": 100.0, "impressions": 10000, "purchases": 4, "purchase_value": 300.0},
        {"account": "client_b", "spend": 300.0, "impressions": 30000, "purchases": 1, "purchase_value": 100.0},
    ]
    ad_insights = conform(pl.DataFrame([{**base, **row} for row in rows]), AD_INSIGHTS)
    html = period_page_html(
        compute_kpis_period(ad_insights),
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        ad_insights=ad_insights,
        store=None,
        sessions=None,
        ledger=None,
        warnings=None,
        currency="USD",
        top_n=5,
        sample_data=False,
        target_roas=2.5,
        target_cpa=40.0,
        gross_margin=0.5,
    )
    assert "2 accounts: client_a, client_b. The figures above are their sum" in html
    assert "C1 (client_a)" in html
    assert "C1 (client_b)" in html
    one = period_page_html(
        compute_kpis_period(ad_insights.head(1)),
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        ad_insights=ad_insights.head(1),
        store=None,
        sessions=None,
        ledger=None,
        warnings=None,
        currency="USD",
        top_n=5,
        sample_data=False,
        target_roas=2.5,
        target_cpa=40.0,
        gross_margin=0.5,
    )
    assert "accounts:" not in one


def test_verdict_by_results_benchmarks_against_its_own_account() -> None:
    # No purchases exported; 'Hook A' (client_a) and 'Hook B' (client_b) each get 10 leads a day on 100 spend.
    # Within client_a, 'Hook A' is all of the account's spend on leads (100%): its cost per lead is the account's.
    # Against both accounts it would be 50% and judged against a benchmark that mixes two clients.
    days = [DAY - dt.timedelta(days=i) for i in range(14)]
    kpis_daily = pl.concat(
        [
            fourteen_days("client_a", 0, 0.0, ad="Hook A"),
            fourteen_days("client_b", 0, 0.0, ad="Hook B"),
        ]
    ).with_columns(pl.lit(None, pl.Int64).alias("purchases"), pl.lit(None, pl.Float64).alias("purchase_value"))
    results_daily = pl.DataFrame(
        {
            "date": days * 2,
            "platform_source": ["meta"] * 28,
            "account": ["client_a"] * 14 + ["client_b"] * 14,
            "campaign": ["Sales"] * 28,
            "adset": ["Retargeting"] * 28,
            "ad": ["Hook A"] * 14 + ["Hook B"] * 14,
            "result_type": ["leads"] * 28,
            "spend": [100.0] * 28,
            "results": [10.0] * 28,
            "impressions": [10_000] * 28,
            "link_clicks": [100] * 28,
            "clicks": [150] * 28,
        }
    )
    answer = verdict(kpis_daily, "Hook A", PARAMS, "ad", results_daily=results_daily)
    assert answer.headline.startswith(
        "Keep: ad 'Hook A' (ad set 'Retargeting') in account 'client_a': it is 100% of the account's spend on leads"
    )


def test_entity_tree_nests_each_accounts_ad_sets_under_its_own_campaign() -> None:
    # client_a and the default account (a file outside any folder) both run 'Sales' > 'Broad'.
    def row(account: str | None, ad: str, spend: float) -> dict:
        return {
            "date": DAY,
            "platform_source": "meta",
            "account": account,
            "campaign": "Sales",
            "adset": "Broad",
            "ad": ad,
            "spend": spend,
            "impressions": 1000,
        }

    daily = as_kpis_daily(
        pl.DataFrame(
            [row("client_a", "X", 100.0), row(None, "X", 50.0), row(None, "Y", 30.0)],
            schema_overrides={"account": pl.String},
        )
    )
    tree = entity_tree(week_tables(daily, WEEK))
    assert tree.select("level", "account", "name", "spend").rows() == [
        ("account", None, "All campaigns", 180.0),
        ("campaign", "client_a", "Sales", 100.0),
        ("adset", "client_a", "Broad", 100.0),
        ("ad", "client_a", "X", 100.0),
        ("campaign", None, "Sales", 80.0),
        ("adset", None, "Broad", 80.0),
        ("ad", None, "X", 50.0),
        ("ad", None, "Y", 30.0),
    ]
    html = entity_table_html(tree, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5)
    assert "Sales (client_a)" in html
    assert "Sales (default account)" in html
    one = entity_tree(week_tables(daily.filter(pl.col("account").is_null()), WEEK))
    assert "(default account)" not in entity_table_html(one, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5)


def test_recommendations_html_names_the_default_account_beside_a_named_one() -> None:
    # The default account's ad is paused (its row names the ad, under its ad set); client_a's ad set scales.
    table = recommendations(pl.concat([fourteen_days("client_a", 5, 500.0), fourteen_days(None, 0, 0.0)]), PARAMS)
    assert table.select("level", "account").rows() == [("ad", None), ("adset", "client_a")]
    html = recommendations_html(table, WEEK, "USD", for_week=WEEK)
    assert '<div class="rec-where">default account › Sales › Retargeting</div>' in html
