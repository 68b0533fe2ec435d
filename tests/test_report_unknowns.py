"""Pages and answers for data that lacks something: a store without ads, ads without purchase columns, a file
without a currency. Unknown is never 0: it is `–` with one line naming the export or column that would give it,
and no page or answer shows None, nan or null.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest

from adlab import insights, kpis
from adlab.data_warnings import CURRENCY_UNKNOWN
from adlab.errors import AdlabError
from adlab.params import Params
from adlab.report.index import render_index
from adlab.report.render import render_week
from adlab.report.weekly.header import currency_line_html, unknown_metrics_html
from adlab.report.weekly.store import store_section_html
from adlab.schema import AD_INSIGHTS, STORE_SALES, WARNINGS, conform
from conftest import copy_project, dvc

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "weekly_report.ipynb"
NULL_WORDS = re.compile(r"\b(None|nan|NaN|null)\b")


def visible_text(page: str) -> str:
    """The page without its scripts (plotly's bundle and figure JSON) and styles: what a reader can see."""
    return re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)


def null_words(text: str) -> list[str]:
    """Each None / nan / NaN / null in `text`, with a little context."""
    return [text[max(0, m.start() - 60) : m.end() + 20] for m in NULL_WORDS.finditer(text)]


@pytest.fixture
def no_purchase_inputs(tmp_path) -> dict:
    """Two weeks of a leads account: spend and impressions but no purchase or link-click columns, currency unknown.

    Per day: ad A 30.00 spend and 600 impressions, ad B 20.00 and 400. Week 2026-W47 (Nov 16-22): spend
    7 x 50 = 350.00, impressions 7 x 1000 = 7000, CPM 350 / 7000 x 1000 = 50.00.
    """
    rows = [
        {
            "date": dt.date(2026, 11, 9) + dt.timedelta(days=day),
            "platform_source": "meta",
            "level": "ad",
            "breakdown": "none",
            "campaign": "Leads",
            "adset": "Broad",
            "ad": ad,
            "spend": spend,
            "impressions": impressions,
            "source_file": "data/raw/leads.csv",
            "source_row": 2 * day + n,
        }
        for day in range(14)
        for n, (ad, spend, impressions) in enumerate((("A", 30.0, 600), ("B", 20.0, 400)))
    ]
    ad_insights = conform(pl.DataFrame(rows), AD_INSIGHTS)
    daily = kpis.compute_kpis_daily(ad_insights)
    warnings = pl.DataFrame(
        [
            {
                "source_file": "data/raw/leads.csv",
                "check": CURRENCY_UNKNOWN,
                "message": "currency unknown: no currency in its money headers",
            }
        ],
        schema=WARNINGS,
    )
    paths = {name: tmp_path / f"{name}.parquet" for name in ("kpis_daily", "kpis_weekly", "ad_insights", "warnings")}
    daily.write_parquet(paths["kpis_daily"])
    kpis.compute_kpis_weekly(daily).write_parquet(paths["kpis_weekly"])
    ad_insights.write_parquet(paths["ad_insights"])
    warnings.write_parquet(paths["warnings"])
    return {
        "kpis_daily_path": paths["kpis_daily"],
        "kpis_weekly_path": paths["kpis_weekly"],
        "orders_path": tmp_path / "absent_orders.parquet",
        "store_sales_path": tmp_path / "absent_store_sales.parquet",
        "sessions_path": tmp_path / "absent_sessions.parquet",
        "ad_insights_path": paths["ad_insights"],
        "ledger_path": tmp_path / "absent_ledger.parquet",
        "warnings_path": paths["warnings"],
        "recommendations_path": "",
        "creatives_path": "",
        "currency": "",
        "target_roas": 2.5,
        "target_cpa": 40.0,
        "gross_margin": 0.5,
        "top_n": 5,
        "sample_data": False,
    }


def test_render_week_without_purchase_columns_shows_dashes_and_one_line_never_none_nan_or_null(
    tmp_path, no_purchase_inputs
):
    out = render_week("2026-W47", no_purchase_inputs, tmp_path / "2026-W47.html", notebook=NOTEBOOK)
    page = visible_text(out.read_text(encoding="utf-8"))
    assert null_words(page) == []
    assert '<div class="tile-label">Spend</div><div class="tile-value">350.00</div>' in page
    assert '<div class="tile-label">CPM</div><div class="tile-value">50.00</div>' in page
    for label in ("Purchase value", "ROAS", "CPA", "CVR", "AOV"):
        assert f'<div class="tile-label">{label}</div><div class="tile-value">–</div>' in page, label
    assert page.count("Unknown, not 0") == 1
    assert "<code>Purchases conversion value</code>" in page  # a column name reads as code, not in backticks
    assert "`" not in page
    assert "0.00x" not in page
    # No currency in any export: amounts carry no sign, and one line says why.
    assert "Currency unknown" in page
    assert page.count("do not say their currency") == 1
    assert "$" not in page


def test_ask_answers_without_purchase_columns_never_say_none_nan_null_or_zero_purchases(no_purchase_inputs):
    daily = pl.read_parquet(no_purchase_inputs["kpis_daily_path"])
    ad_insights = pl.read_parquet(no_purchase_inputs["ad_insights_path"])
    workspace = insights.Workspace(daily, ad_insights, Params(), None, None)
    answers = []
    for question in (
        "Should I pause the Leads campaign?",
        "Should I pause ad B?",
        "Why did my ROAS drop last week?",
        "Why did my CPM change last week?",
        "Which ad is best for women aged 25-34?",
    ):
        try:
            answers.append(insights.ask(question, workspace).text())
        except AdlabError as err:  # an answer too: one line saying what the data lacks
            answers.append(str(err))
    text = "\n".join(answers)
    assert null_words(text) == []
    assert "n/a" not in text
    assert " 0 purchases" not in text
    # Leads over the last 14 days (Nov 9-22): 14 x 50 = 700.00 spent, purchases unknown.
    assert "Spend 700.00; purchases, purchase value, ROAS and CPA – (unknown, not 0)." in text


def test_unknown_metrics_html_names_only_what_is_missing_and_the_column_that_gives_it():
    known = {"spend": 10.0, "purchases": 1, "purchase_value": 30.0, "link_clicks": 5}
    assert unknown_metrics_html(known) == ""
    assert unknown_metrics_html({**known, "spend": None, "purchases": None}) == ""  # no ads: no_ads_html says so
    no_clicks = unknown_metrics_html({**known, "link_clicks": None})
    assert "link clicks, CTR and CVR need a <code>Link clicks</code> column" in no_clicks
    assert "purchase" not in no_clicks.split("(", 1)[1]
    no_value = unknown_metrics_html({**known, "purchase_value": None})
    assert (
        "(purchase value, ROAS and AOV need a <code>Purchases conversion value</code> "
        "(or <code>Purchase ROAS</code>) column)"
    ) in no_value
    # Without purchases, purchase value's gap is named once, as part of theirs.
    no_purchases = unknown_metrics_html({**known, "purchases": None, "purchase_value": None})
    assert no_purchases.count("purchase value") == 1


def test_render_index_without_purchase_data_shows_dashes_and_one_line(tmp_path):
    weeks = [
        {
            "week": week,
            "spend": spend,
            "impressions": 1000,
            "purchases": None,
            "purchase_value": None,
            "roas": None,
            "cpa": None,
            "link_clicks": None,
            "days": 7,
        }
        for week, spend in (("2026-W47", 350.0), ("2026-W46", 300.0))
    ]
    page = visible_text(
        render_index(
            weeks, tmp_path / "index.html", currency="EUR", target_roas=2.5, target_cpa=40.0, gross_margin=0.5
        ).read_text(encoding="utf-8")
    )
    assert '<td class="num">€350.00</td><td class="num">–</td><td class="num ">–</td>' in page
    assert page.count("Unknown, not 0") == 1
    assert "0.00x" not in page
    assert null_words(page) == []


def test_currency_line_html_says_when_files_do_not_state_their_currency():
    assert currency_line_html("GBP", 0) == ""
    assert "2 file(s) behind this week do not say their currency; their amounts are added as GBP" in (
        currency_line_html("GBP", 2)
    )
    assert "amounts are shown without one" in currency_line_html("", 0)


def test_store_section_html_from_analytics_sales_names_the_export_that_counts_orders():
    # A sales report by product has no order count: revenue Mon 100.00 + Tue 50.50 = 150.50, orders unknown.
    sales = conform(
        pl.DataFrame(
            {
                "date": [dt.date(2026, 11, 16), dt.date(2026, 11, 17)],
                "total_sales": [100.0, 50.5],
                "source_file": ["sales.csv"] * 2,
            }
        ),
        STORE_SALES,
    )
    page = store_section_html(kpis.store_daily_from_sales(sales), "2026-W47", {}, None, "AUD", gross_margin=0.5)
    assert '<div class="tile-label">Store revenue</div><div class="tile-value">150.50 AUD</div>' in page
    assert "Orders</div>" not in page
    assert page.count("need a Shopify orders export") == 1
    assert null_words(page) == []


ORDERS_HEADER = (
    "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Billing Name,Cancelled at,Refunded Amount\n"
)


@pytest.mark.slow
def test_dvc_repro_orders_export_alone_gives_store_pages_and_a_summary_without_ad_zeros(tmp_path):
    """Orders only (GBP). W46 (Nov 9-15): #2001 40 + #2002 60 -> 2 orders, 100.00. W47 (Nov 16-22): #2003
    100 - 30 refunded = 70, #2004 voided (left out), #2005 50 (Nov 22 as written, 23:30 -0500) -> 2 orders,
    120.00, store AOV 60.00, new customers 1 of 2 (ann ordered before). #2006 on Tue Nov 24: W48 is not complete.
    """
    project = copy_project(tmp_path / "project")
    orders = [
        "#2006,dana@example.com,paid,GBP,20.00,0.00,0.00,20.00,0.00,2026-11-24 09:00:00 +0000,1,Socks,20.00,Dana,,0",
        "#2005,carl@example.com,paid,GBP,50.00,0.00,0.00,50.00,0.00,2026-11-22 23:30:00 -0500,1,Hat,50.00,Carl,,0",
        "#2004,bea@example.com,voided,GBP,80.00,0.00,0.00,80.00,0.00,2026-11-19 10:00:00 +0000,1,Bag,80.00,Bea,"
        "2026-11-19 11:00:00 +0000,0",
        "#2003,ann@example.com,partially_refunded,GBP,100.00,0.00,0.00,100.00,0.00,2026-11-17 12:00:00 +0000,1,"
        "Coat,100.00,Ann,,30.00",
        "#2002,bea@example.com,paid,GBP,60.00,0.00,0.00,60.00,0.00,2026-11-11 12:00:00 +0000,1,Scarf,60.00,Bea,,0",
        "#2001,ann@example.com,paid,GBP,40.00,0.00,0.00,40.00,0.00,2026-11-09 08:00:00 +0000,1,Shirt,40.00,Ann,,0",
    ]
    (project / "data" / "raw" / "orders_export.csv").write_text(ORDERS_HEADER + "\n".join(orders) + "\n")
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("weeks: 8 ", "weeks: 1 "))
    result = dvc(project, "repro")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

    summary = json.loads((project / "metrics" / "summary.json").read_text())
    assert (summary["week"], summary["currency"], summary["orders"], summary["revenue"]) == (
        "2026-W47",
        "GBP",
        2,
        120.0,
    )
    assert (summary["previous"]["week"], summary["previous"]["orders"], summary["previous"]["revenue"]) == (
        "2026-W46",
        2,
        100.0,
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
    assert summary["rows"] == {"in": 6, "kept": 6, "replaced": 0, "totals": 0, "quarantined": 0}

    page = (project / "reports" / "weekly" / "2026-W47.html").read_text(encoding="utf-8")
    shown = visible_text(page)
    assert null_words(shown) == []
    assert "Weekly store report" in shown
    assert '<div class="tile-label">Orders</div><div class="tile-value">2</div>' in shown
    assert '<div class="tile-label">Store revenue</div><div class="tile-value">£120.00</div>' in shown
    assert '<div class="tile-label">Store AOV</div><div class="tile-value">£60.00</div>' in shown
    assert '<div class="tile-label">New customers</div><div class="tile-value">50.00%</div>' in shown
    assert "MER</div>" not in shown  # no ad spend to divide by
    assert "Ad spend, ROAS, CPA, CTR, CPM and MER need a Meta Ads Manager export" in shown
    for section in (
        "Recommendations (scale",
        "Why ROAS moved needs",
        "Campaign, ad set and ad figures need",
        "Spend and ROAS per ad platform need",
        "The creative leaderboard needs",
    ):
        assert shown.count(section) == 1, section
    assert "Store data through 22 Nov 2026" in shown

    index = visible_text((project / "reports" / "index.html").read_text(encoding="utf-8"))
    assert null_words(index) == []
    assert index.index("2026-W47") < index.index("2026-W46")
    assert '<a href="weekly/2026-W47.html">2026-W47</a>' in index
    assert '<td class="num">£120.00</td><td class="num">£60.00</td>' in index
    assert "ROAS</th>" not in index
