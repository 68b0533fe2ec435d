"""`adlab ask` on profit: "what was my profit last week", "what's my POAS" and close phrasings, in words and numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from adlab.cli import app
from adlab.errors import AdlabError
from adlab.insights import Workspace, ask
from adlab.insights.questions import parse_question
from adlab.kpis import compute_kpis_daily
from adlab.kpis.profit import PROFIT_KPIS, PROFIT_SUMS, profit_rollup
from adlab.params import Params
from adlab.schema import AD_INSIGHTS, conform

DAYS = [dt.date(2026, 11, 2) + dt.timedelta(days=i) for i in range(14)]  # 2026-W45 and 2026-W46 (Sun 15 Nov)


def kpis_daily() -> pl.DataFrame:
    """One ad spending 100.00 a day (2 purchases, 250.00 of value) from 2 to 15 Nov."""
    rows = pl.DataFrame(
        {
            "date": DAYS,
            "platform_source": "meta",
            "level": "ad",
            "campaign": "C",
            "adset": "S",
            "ad": "A",
            "breakdown": "none",
            "currency": "USD",
            "spend": 100.0,
            "impressions": 10_000,
            "link_clicks": 100,
            "purchases": 2,
            "purchase_value": 250.0,
            "source_file": "ads.csv",
        }
    )
    return compute_kpis_daily(conform(rows, AD_INSIGHTS))


def profit_days() -> pl.DataFrame:
    """W45: gross profit 80 a day; W46: 120 a day (net revenue 280 - cogs 120 - fees 10 - shipping 30), revenue 300,
    2 new customers spending 150, 50 of 250 product sales costed at the margin."""
    rows = [
        {
            "account": None,
            "date": day,
            "orders": 5,
            "revenue": 300.0,
            "net_revenue": 280.0 if day.day >= 9 else 240.0,
            "cogs": 120.0,
            "fees": 10.0,
            "shipping_cost": 30.0,
            "gross_profit": 120.0 if day.day >= 9 else 80.0,
            "product_sales": 250.0,
            "margin_fallback_sales": 50.0,
            "new_customers": 2,
            "new_customer_revenue": 150.0,
            "spend": 100.0,
        }
        for day in DAYS
    ]
    schema = {"account": pl.String, "date": pl.Date}
    schema |= {name: pl.Int64 if name in ("orders", "new_customers") else pl.Float64 for name in PROFIT_SUMS}
    frame = pl.DataFrame(rows, schema=schema)
    return profit_rollup(frame, ["account", "date"]).select("account", "date", *PROFIT_SUMS, *PROFIT_KPIS)


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    return Workspace(kpis_daily(), None, Params(), "USD", profit=profit_days())


@pytest.mark.parametrize(
    ("question", "kpi"),
    [
        ("What was my profit last week?", "contribution_after_ads"),
        ("what's my POAS", "poas"),
        ("whats my poas last week", "poas"),
        ("profit on ad spend yesterday", "poas"),
        ("how much profit did I make after ads last week", "contribution_after_ads"),
        ("what was my gross profit last week", "gross_profit"),
        ("what's my new customer CPA", "new_customer_cpa"),
        ("cost per new customer last week", "new_customer_cpa"),
        ("what is my ncROAS", "ncroas"),
        ("how many new customers did I get last week", "new_customers"),
        ("what's my break-even ROAS", "breakeven_roas_actual"),
        ("what is my profit margin", "gross_margin_actual"),
    ],
)
def test_parse_question_reads_profit_questions(workspace, question, kpi):
    intent = parse_question(question, workspace.kpis_daily)
    assert (intent.kind, intent.kpi, intent.level) == ("profit", kpi, "account")


def test_parse_question_keeps_ad_questions_on_ad_kpis(workspace):
    assert parse_question("What was my CPA last week?", workspace.kpis_daily).kpi == "cpa"
    assert parse_question("what's my CAC", workspace.kpis_daily).kpi == "cpa"  # not the new-customer one
    assert parse_question("top 5 ads by roas last week", workspace.kpis_daily).kpi == "roas"
    ranking = parse_question("which ads are below break even", workspace.kpis_daily)
    assert (ranking.kind, ranking.kpi) == ("rank", "roas")  # ads are ranked by their ROAS, not the store's profit


def test_ask_profit_last_week_says_profit_after_ads_with_its_parts(workspace):
    answer = ask("What was my profit last week?", workspace)
    # W46: gross profit 7 x 120 = 840, ad spend 7 x 100 = 700: 140 after ads; W45: 7 x 80 - 700 = -140.
    assert answer.headline == (
        "Your profit after ad spend last week (2026-W46, 9-15 Nov) was 140.00 USD: gross profit 840.00 USD minus "
        "ad spend 700.00 USD, up from -140.00 USD the week before."
    )
    text = answer.text()
    # net revenue 7 x 280 = 1,960 of store revenue 7 x 300 = 2,100 (140 of tax); cogs 840, fees 70, shipping 210
    assert (
        "Gross profit 840.00 USD = net revenue 1,960.00 USD (store revenue 2,100.00 USD without 140.00 USD of tax) "
        "- cost of goods 840.00 USD - payment fees 70.00 USD - shipping 210.00 USD." in text
    )
    # 350 of 1,750 product sales at the margin: 20%
    assert "80% of product sales from unit costs (products export or costs CSV), 20% at the 50% gross margin" in text
    # POAS 840 / 700 = 1.20; ncROAS 1,050 / 700 = 1.50; CPA 700 / 14 = 50; break-even 2,100 / 840 = 2.50
    assert (
        "POAS 1.20, ncROAS 1.50, new-customer CPA 50.00 USD (14 new customers), break-even ROAS at this margin 2.50"
        in text
    )
    assert "goes back to 02 Nov 2026" in text
    assert "In week 2026-W45 (2-8 Nov): profit after ad spend -140.00 USD, gross profit 560.00 USD, POAS 0.80." in text


def test_ask_poas_answers_the_last_seven_days_against_break_even(workspace):
    # The last 7 days (9-15 Nov) are the ISO week 2026-W46, and are named so.
    answer = ask("what's my POAS", workspace)
    assert answer.headline == (
        "Your POAS last week (2026-W46, 9-15 Nov) was 1.20 (gross profit 840.00 USD / ad spend 700.00 USD), up "
        "from 0.80 the week before. Above 1: the ads paid for themselves and left profit."
    )
    losing = ask("what was my POAS between 2026-11-02 and 2026-11-08", workspace)
    assert "was 0.80" in losing.headline  # 560 / 700
    assert losing.headline.endswith("Below 1: the ads cost more than the gross profit of the orders.")


def test_ask_profit_in_a_losing_week_says_how_much_was_lost(workspace):
    answer = ask("what was my profit between 2026-11-02 and 2026-11-08", workspace)
    assert answer.headline.startswith(
        "You lost 140.00 USD after ad spend in week 2026-W45 (2-8 Nov): gross profit 560.00 USD did not cover ad "
        "spend of 700.00 USD"
    )


def test_ask_new_customer_figures(workspace):
    assert ask("new customer cpa last week", workspace).headline.startswith(
        "Your new-customer CPA last week (2026-W46, 9-15 Nov) was 50.00 USD: 700.00 USD of ad spend for 14 new "
        "customers"
    )
    assert ask("what was my ncroas last week", workspace).headline.startswith(
        "Your ncROAS last week (2026-W46, 9-15 Nov) was 1.50: new customers' first orders brought 1,050.00 USD for "
        "700.00 USD of ad spend"
    )


def test_ask_profit_without_orders_is_unknown_not_zero(workspace):
    bare = Workspace(workspace.kpis_daily, None, Params(), "USD")
    answer = ask("What was my profit last week?", bare)
    assert answer.headline == (
        "Your profit after ad spend last week (2026-W46, 9-15 Nov) is unknown: there is no Shopify orders export in "
        "data/raw/ to take revenue and costs from."
    )
    # An account without orders beside accounts with them: its profit rows are none, the same reason.
    no_orders = ask("What was my profit last week?", dataclasses.replace(workspace, profit=workspace.profit.clear()))
    assert no_orders.headline == answer.headline
    before = ask("what's my POAS between 2026-10-01 and 2026-10-07", workspace)
    assert "is unknown" in before.headline


def test_ask_compare_and_trend_of_profit_figures(workspace):
    compare = ask("compare POAS last week to the week before", workspace)
    assert (
        compare.headline
        == "Your POAS was 1.20 last week (2026-W46, 9-15 Nov) vs 0.80 in week 2026-W45 (2-8 Nov): up 50%."
    )
    trend = ask("profit trend last 14 days", workspace)
    assert trend.headline.startswith("Your profit after ad spend over the last 14 days (2-15 Nov) was 0.00 USD")


def test_ask_a_campaign_profit_is_not_answered_as_zero(workspace):
    with pytest.raises(AdlabError):
        ask("what was the profit of campaign 'Nope' last week", workspace)


def test_adlab_summary_prints_the_profit_lines_when_known(tmp_path):
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    (tmp_path / "metrics").mkdir()
    figures = {
        "week": "2026-W47",
        "currency": "USD",
        "gross_profit": 840.0,
        "contribution_after_ads": 140.0,
        "poas": 1.2,
        "ncroas": 1.5,
        "new_customer_cpa": 50.0,
        "cost_fallback_share": 0.2,
        "first_order_date": "2026-08-31",
        "previous": {"poas": 0.8},
    }
    (tmp_path / "metrics" / "summary.json").write_text(json.dumps(figures))
    output = CliRunner().invoke(app, ["--project", str(tmp_path), "summary"]).output
    assert "Profit after ads 140.00 USD" in output
    assert "POAS            1.20x  (+50.0% vs previous week)" in output  # 1.2 against 0.8
    assert "At margin setting 20.00%" in output
    assert "judged on orders since 2026-08-31" in output
    (tmp_path / "metrics" / "summary.json").write_text(json.dumps({"week": "2026-W47", "gross_profit": None}))
    assert "POAS" not in CliRunner().invoke(app, ["--project", str(tmp_path), "summary"]).output
