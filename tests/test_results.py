"""Results by result type (leads, messaging conversations, ...): kpis tables, the weekly page, and answers.

Results of different types are never added up; cost per result is sum of spend / sum of results of one type.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from adlab.cli import app
from adlab.ingest import ingest
from adlab.insights import Workspace, ask, judge_results, recommendations
from adlab.kpis import compute_kpis_daily, compute_results_daily, results_by_type, results_summary, rollup_results
from adlab.params import Params
from adlab.quality import validate_table
from adlab.report.frames import TreeLimits, entity_tree, fold_entity_tree, week_tables
from adlab.report.weekly.campaigns import entity_table_html
from adlab.report.weekly.results import results_html, results_tiles, with_results
from adlab.schema import AD_INSIGHTS, conform

PARAMS = Params()  # recommend: stop-loss 3 x, result_cost_multiple 1.5, min 10 results, confidence 0.9
# ISO weeks 2026-W46 (Mon 9 - Sun 15 Nov) and 2026-W47 (Mon 16 - Sun 22 Nov).
W46, W47 = dt.date(2026, 11, 10), dt.date(2026, 11, 18)
LAST = dt.date(2026, 11, 22)
NEVER_SHOWN = ("None", "nan", "null", "0.00x", "0 purchases")


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


def two_types() -> pl.DataFrame:
    """Campaign C: ad L optimised for leads, ad M for messaging conversations; no purchases exported.

    W46: L spends 100 for 10 leads (10.00 each), M 50 for 25 conversations (2.00 each).
    W47: L spends 120 for 8 leads and 30 on a day Ads Manager left the result type blank (0 leads):
    150 for 8 = 18.75 a lead; M spends 60 for 20 conversations (3.00 each).
    """
    return insights(
        [
            {
                "date": W46,
                "ad": "L",
                "result_type": "Leads",
                "results": 10.0,
                "spend": 100.0,
                "impressions": 10000,
                "clicks": 200,
            },
            {
                "date": W46 + dt.timedelta(days=1),
                "ad": "M",
                "result_type": "Messaging conversations started",
                "results": 25.0,
                "spend": 50.0,
                "impressions": 5000,
                "clicks": 100,
            },
            {
                "date": W47,
                "ad": "L",
                "result_type": "Leads",
                "results": 8.0,
                "spend": 120.0,
                "impressions": 10000,
                "clicks": 150,
            },
            {
                "date": W47 + dt.timedelta(days=1),
                "ad": "M",
                "result_type": "Messaging conversations started",
                "results": 20.0,
                "spend": 60.0,
                "impressions": 5000,
                "clicks": 100,
            },
            {
                "date": LAST,
                "ad": "L",
                "result_type": None,
                "results": None,
                "spend": 30.0,
                "impressions": 2000,
                "clicks": 40,
            },
        ]
    )


def workspace(ad_insights: pl.DataFrame) -> Workspace:
    return Workspace(
        compute_kpis_daily(ad_insights), ad_insights, PARAMS, "USD", results_daily=compute_results_daily(ad_insights)
    )


# ---------------------------------------------------------------------------------------------------- kpis


def test_compute_results_daily_keeps_types_apart_and_counts_one_view():
    frame = pl.concat(
        [
            two_types(),
            insights(
                [
                    # The same leads again as an age x gender breakdown and as a campaign-level row: counted once.
                    {
                        "date": W46,
                        "ad": "L",
                        "breakdown": "age_gender",
                        "age": "25-34",
                        "gender": "female",
                        "result_type": "Leads",
                        "results": 10.0,
                        "spend": 100.0,
                        "impressions": 10000,
                    },
                    {
                        "date": W46,
                        "level": "campaign",
                        "adset": None,
                        "ad": None,
                        "result_type": "Leads",
                        "results": 10.0,
                        "spend": 100.0,
                        "impressions": 10000,
                    },
                ]
            ),
        ]
    )
    daily = compute_results_daily(frame)
    by_campaign = rollup_results(daily, ["campaign"])
    assert by_campaign.select("result_type", "spend", "results", "cost_per_result").rows() == [
        ("Leads", 250.0, 18.0, 250.0 / 18),  # 100 + 120 + 30 spend; 10 + 8 + 0 leads
        ("Messaging conversations started", 110.0, 45.0, 110.0 / 45),
    ]
    # The blank day of ad L (one type in the data) is a lead day with no lead: its spend counts.
    blank = daily.filter(pl.col("date") == LAST).row(0, named=True)
    assert (blank["result_type"], blank["results"], blank["spend"], blank["cost_per_result"]) == (
        "Leads",
        0.0,
        30.0,
        None,
    )


def test_rollup_results_cost_per_result_is_ratio_of_sums_not_mean_of_daily_costs():
    # Day 1: 10 spent for 4 leads (2.50 each); day 2: 30 spent for 2 leads (15.00 each).
    # Mean of the daily costs = 8.75; cost per lead of the two days = 40 / 6.
    daily = compute_results_daily(
        insights(
            [
                {"date": W46, "ad": "L", "result_type": "Leads", "results": 4.0, "spend": 10.0, "impressions": 100},
                {"date": W47, "ad": "L", "result_type": "Leads", "results": 2.0, "spend": 30.0, "impressions": 100},
            ]
        )
    )
    row = rollup_results(daily, ["ad"]).row(0, named=True)
    assert (row["spend"], row["results"]) == (40.0, 6.0)
    assert row["cost_per_result"] == pytest.approx(40 / 6)


def test_compute_results_daily_leaves_blank_days_of_an_ad_with_two_types_out():
    daily = compute_results_daily(
        insights(
            [
                {"date": W46, "ad": "X", "result_type": "Leads", "results": 2.0, "spend": 10.0, "impressions": 100},
                {
                    "date": W47,
                    "ad": "X",
                    "result_type": "Link clicks",
                    "results": 50.0,
                    "spend": 20.0,
                    "impressions": 100,
                },
                {"date": LAST, "ad": "X", "result_type": None, "results": None, "spend": 5.0, "impressions": 100},
            ]
        )
    )
    assert daily.select("date", "result_type", "spend").rows() == [(W46, "Leads", 10.0), (W47, "Link clicks", 20.0)]


def test_results_by_type_orders_by_spend_and_never_adds_types():
    week = results_by_type(compute_results_daily(two_types()), dt.date(2026, 11, 16), LAST)
    assert week.rows() == [("Leads", 150.0, 8.0, 18.75), ("Messaging conversations started", 60.0, 20.0, 3.0)]


def test_meta_parse_reads_zayavki_as_leads(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "leads.csv").write_text(
        "Дата,Клики,Охват,Показы,Бюджет,Заявки,Кампания,Группа объявлений\n"
        '2026-11-10,200,5000,10000,"100,00",10,Free class,Video 1\n'
        '2026-11-18,150,5000,10000,"120,00",8,Free class,Video 1\n',
        encoding="utf-8",
    )
    rows = ingest([raw / "leads.csv"], raw, "salt").tables["ad_insights"]
    assert rows.sort("date").select("result_type", "results", "spend", "purchases").rows() == [
        ("Leads", 10.0, 100.0, None),
        ("Leads", 8.0, 120.0, None),
    ]


# ---------------------------------------------------------------------------------------------------- page


def test_results_tiles_one_tile_per_type_with_cost_per_result():
    tiles = results_tiles(compute_results_daily(two_types()), "2026-W47", "USD", purchases_known=False)
    assert [(t.label, t.value, t.change, t.note) for t in tiles] == [
        ("Leads", "8", "▼ 20.0%", "$18.75 per lead (was $10.00)"),
        ("Messaging conversations started", "20", "▼ 20.0%", "$3.00 per conversation (was $2.00)"),
    ]


def test_results_html_says_purchases_are_unknown_and_escapes_the_type():
    frame = two_types().with_columns(pl.col("result_type").replace({"Leads": "<b>Leads</b>"}))
    kpis_daily = compute_kpis_daily(frame)
    page = results_html(compute_results_daily(frame), kpis_daily, "2026-W47", "USD", purchases_known=False)
    assert "&lt;b&gt;Leads&lt;/b&gt;" in page
    assert "<b>Leads" not in page
    assert "no purchases" in page
    assert "ROAS and CPA are unknown" in page
    assert not any(re.search(rf"\b{re.escape(word)}\b", page) for word in ("None", "nan", "null"))


def test_results_html_is_empty_when_results_only_repeat_purchases():
    frame = insights(
        [
            {
                "date": W47,
                "ad": "A",
                "result_type": "Website purchases",
                "results": 2.0,
                "purchases": 2,
                "spend": 50.0,
                "impressions": 1000,
            },
        ]
    )
    results, kpis_daily = compute_results_daily(frame), compute_kpis_daily(frame)
    assert results_html(results, kpis_daily, "2026-W47", "USD", purchases_known=True) == ""
    tree = entity_tree(week_tables(kpis_daily, "2026-W47"))
    assert with_results(tree, results, "2026-W47", "USD", purchases_known=True).equals(tree)


def test_with_results_shows_each_type_of_a_mixed_row_never_one_sum():
    frame = two_types()
    kpis_daily = compute_kpis_daily(frame)
    tree = entity_tree(week_tables(kpis_daily, "2026-W47"))
    shown = with_results(tree, compute_results_daily(frame), "2026-W47", "USD", purchases_known=False)
    rows = {
        (row["level"], row["name"]): (row["results"], row["cost_per_result"]) for row in shown.iter_rows(named=True)
    }
    assert rows[("campaign", "C")] == (
        "8 Leads · 20 Messaging conversations started",
        "$18.75 per lead · $3.00 per conversation",
    )
    assert rows[("ad", "M")] == ("20 Messaging conversations started", "$3.00 per conversation")
    html = entity_table_html(shown, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5)
    assert "Cost per result" in html
    assert "8 Leads · 20 Messaging conversations started" in html


def test_with_results_gives_a_folded_row_the_results_of_the_ads_it_sums():
    frame = two_types()
    tree = entity_tree(week_tables(compute_kpis_daily(frame), "2026-W47"))
    folded = fold_entity_tree(tree, TreeLimits(campaigns=1, expanded=1, adsets=1, ads=0))  # both ads of S in one row
    shown = with_results(folded, compute_results_daily(frame), "2026-W47", "USD", purchases_known=False)
    rows = {
        (row["level"], row["name"]): (row["results"], row["cost_per_result"]) for row in shown.iter_rows(named=True)
    }
    # L: 150 spent for 8 leads; M: 60 for 20 conversations (see two_types).
    assert rows[("ad-more", "2 more ads")] == (
        "8 Leads · 20 Messaging conversations started",
        "$18.75 per lead · $3.00 per conversation",
    )
    assert ("ad", "L") not in rows


# ---------------------------------------------------------------------------------------------------- answers


def test_ask_why_cost_per_lead_rose_splits_cpm_ctr_and_results_per_click():
    answer = ask("Why did my cost per lead rise last week?", workspace(two_types()))
    # CPM 10 -> 12.5; CTR (all clicks) 2% -> 190 / 12,000; leads per click 10/200 -> 8/190; 150/8 / (100/10) = 1.875.
    # In log points CTR 0.234, CPM 0.223 and leads per click 0.172 of 0.629: none carries half, so three reasons.
    assert answer.headline == (
        "Cost per lead rose 88% last week, from 10.00 USD to 18.75 USD, for three reasons: fewer people clicked "
        "(all-clicks CTR 2.00% -> 1.58%), reaching people cost more (CPM 10.00 USD -> 12.50 USD) and fewer clicks "
        "turned into leads (leads per click 5.00% -> 4.21%)."
    )
    assert answer.lines[0].startswith(
        "Days compared: 2026-11-16 to 2026-11-22 vs 2026-11-09 to 2026-11-15 (8 vs 10 "
        "Leads on 150.00 USD vs 100.00 USD spend). Split of the change (log points"
    )
    terms = answer.data["terms"]
    assert terms["CPM"] == pytest.approx(0.223144, abs=1e-6)
    assert terms["CTR (all clicks)"] == pytest.approx(0.233615, abs=1e-6)
    assert terms["results per click"] == pytest.approx(0.171850, abs=1e-6)
    assert sum(terms.values()) == pytest.approx(0.628609, abs=1e-6)
    assert "20 Messaging conversations started at 3.00 USD per conversation" in answer.text()


def test_ask_roas_on_an_account_without_purchases_says_unknown_and_gives_results_by_type():
    text = ask("Why did my ROAS drop last week?", workspace(two_types())).text()
    assert text.startswith("ROAS is unknown (–: no purchases exported); cost per lead rose 88% last week")
    assert "Purchases are unknown (–)" in text
    assert "8 Leads at 18.75 USD per lead (spend 150.00 USD); 20 Messaging conversations started at 3.00 USD" in text
    assert not any(word in text for word in NEVER_SHOWN)


def test_ask_should_i_pause_judges_by_cost_per_result_without_purchases():
    text = ask("Should I pause the 'M' ad?", workspace(two_types())).text()
    # M is all of the account's messaging spend over the 14 days (110 for 45 = 2.44 each): nothing to compare.
    assert text.startswith(
        "Keep: ad 'M' (ad set 'S'): it is 100% of the account's spend on Messaging "
        "conversations started, so its cost per conversation (2.44) is the account's own"
    )
    assert "45 Messaging conversations started on 110.00 USD spend" in text
    assert not any(word in text for word in NEVER_SHOWN)


@pytest.mark.parametrize(
    ("spend", "results", "share", "action"),
    [
        (100.0, 0.0, None, "pause"),  # 100 >= 3 x 10 without a lead
        (400.0, 10.0, None, "pause"),  # 40 a lead, credibly above 1.5 x 10
        (100.0, 30.0, None, "scale"),  # 3.33 a lead on 30 leads, credibly below 10
        (20.0, 1.0, None, "wait"),  # 1 lead on 20: too little data
        (400.0, 10.0, 0.95, "keep"),  # 95% of the account's lead spend: it is the benchmark
    ],
)
def test_judge_results_actions_against_the_accounts_cost_per_result(spend, results, share, action):
    judged = judge_results({"spend": spend, "results": results, "result_type": "Leads"}, 10.0, PARAMS, share=share)
    assert judged.action == action


def test_recommendations_without_purchases_name_the_result_type():
    table = recommendations(compute_kpis_daily(two_types()), PARAMS, results_daily=compute_results_daily(two_types()))
    ad = table.filter((pl.col("level") == "ad") & (pl.col("ad") == "L")).row(0, named=True)
    assert (ad["result_type"], ad["results"], ad["cost_per_result"], ad["purchases"]) == (
        "Leads",
        18.0,
        13.888889,
        None,
    )
    assert "no purchases" not in ad["reason"]


def test_cli_ask_on_a_leads_only_export(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "leads.csv").write_text(
        "Дата,Клики,Охват,Показы,Бюджет,Заявки,Кампания,Группа объявлений\n"
        '2026-11-10,200,5000,10000,"100,00",10,Free class,Video 1\n'
        '2026-11-18,150,5000,10000,"120,00",8,Free class,Video 1\n'
        '2026-11-22,40,1000,2000,"30,00",0,Free class,Video 1\n',
        encoding="utf-8",
    )
    ad_insights = ingest([raw / "leads.csv"], raw, "salt").tables["ad_insights"]
    ad_insights = validate_table(ad_insights, "ad_insights", dt.date(2004, 1, 1), dt.date(2100, 1, 1)).table
    project = tmp_path / "project"
    (project / "data" / "interim").mkdir(parents=True)
    (project / "data" / "processed").mkdir(parents=True)
    (project / "dvc.yaml").write_text("stages: {}\n")
    ad_insights.write_parquet(project / "data" / "interim" / "ad_insights.parquet")
    compute_kpis_daily(ad_insights).write_parquet(project / "data" / "processed" / "kpis_daily.parquet")
    compute_results_daily(ad_insights).write_parquet(project / "data" / "processed" / "results_daily.parquet")
    runner = CliRunner()
    why = runner.invoke(app, ["--project", str(project), "ask", "Why did my cost per lead rise last week?"])
    assert why.exit_code == 0, why.output
    assert why.output.startswith("Cost per lead rose 88% last week, from 10.00 to 18.75, ")
    roas = runner.invoke(app, ["--project", str(project), "why", "--period", "last_week"])
    assert roas.exit_code == 0, roas.output
    assert roas.output.startswith("ROAS is unknown (–: no purchases exported)")
    verdict = runner.invoke(app, ["--project", str(project), "verdict", "Free class"])
    assert verdict.exit_code == 0, verdict.output
    assert "18 Leads on 250.00 spend" in verdict.output
    for output in (why.output, roas.output, verdict.output):
        assert not any(word in output for word in NEVER_SHOWN)


def test_ask_best_ad_without_purchases_ranks_by_cost_per_result():
    answer = ask("Which ad is performing best?", workspace(two_types()))
    # Leads carry the most spend (250 vs 110); ad L: 250 / 18 leads over 9-22 Nov.
    assert answer.headline == (
        "Best ad: 'L' with 13.89 USD per lead on 250.00 USD spend (18 Leads, 2026-11-09 to 2026-11-22); ROAS is "
        "unknown (–: no purchases exported), so ads are ranked by cost per lead."
    )
    assert "45 Messaging conversations started at 2.44 USD per conversation" in answer.text()
    assert not any(word in answer.text() for word in NEVER_SHOWN)


def test_cli_summary_prints_results_by_type(tmp_path: Path):
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    (tmp_path / "metrics").mkdir()
    results = compute_results_daily(two_types())
    (tmp_path / "metrics" / "summary.json").write_text(
        json.dumps(
            {
                "week": "2026-W47",
                "currency": "USD",
                "spend": 210.0,
                "roas": None,
                "results": results_summary(results, "2026-W47"),
                "previous": {"week": "2026-W46", "spend": 150.0, "results": results_summary(results, "2026-W46")},
            }
        )
    )
    output = CliRunner().invoke(app, ["--project", str(tmp_path), "summary"]).output
    # Leads 18.75 vs 10.00 a lead (+87.5%); conversations 3.00 vs 2.00 (+50.0%).
    assert "  Leads: 8 at 18.75 USD per lead  (+87.5% vs previous week)" in output
    assert "  Messaging conversations started: 20 at 3.00 USD per conversation  (+50.0% vs previous week)" in output
    assert "  ROAS            –" in output
    assert not any(word in output for word in NEVER_SHOWN)


def test_a_leads_campaign_of_a_selling_account_is_judged_by_cost_per_lead_not_paused_for_no_purchase():
    # Found by the first-contact harness (campaign_daily_pt_mixed): the export's Purchases column has data
    # (campaign S sells), so the leads campaign's blank cells are 0 purchases, and it was told to pause for
    # "spent 300.00 (>= 3 x target CPA 40) without a single purchase" although its 30 leads cost 10.00 each.
    # Both campaigns spend 300 over 9-22 Nov; S: 6 purchases, 900 value (ROAS 3.0).
    days = [W46, W46 + dt.timedelta(days=3), W47, LAST]
    frame = insights(
        [
            {
                "date": day,
                "campaign": "S",
                "adset": "S1",
                "ad": "P",
                "result_type": "Website purchases",
                "results": float(n),
                "purchases": n,
                "spend": 75.0,
                "impressions": 7000,
                "link_clicks": 70,
                "purchase_value": 150.0 * n,
            }
            for day, n in zip(days, (2, 1, 2, 1), strict=True)
        ]
        + [
            {
                "date": day,
                "campaign": "L",
                "adset": "L1",
                "ad": "F",
                "result_type": "Leads",
                "results": 7.5,
                "purchases": 0,
                "spend": 75.0,
                "impressions": 7000,
                "link_clicks": 70,
                "purchase_value": 0.0,
            }
            for day in days
        ]
    )
    table = recommendations(compute_kpis_daily(frame), PARAMS, results_daily=compute_results_daily(frame))
    lead_ad = table.filter(pl.col("ad") == "F").row(0, named=True)
    assert (lead_ad["action"], lead_ad["result_type"], lead_ad["results"], lead_ad["cost_per_result"]) == (
        "keep",
        "Leads",
        30.0,
        10.0,
    )
    assert "purchase" not in lead_ad["reason"]
    answer = ask("Should I pause L?", workspace(frame))
    assert not answer.headline.startswith("Pause"), answer.headline
    assert "30 Leads on 300.00 USD spend" in answer.text()
    assert "Its spend bought Leads, not purchases. Judged by cost per lead instead" in answer.text()
    assert "Purchases are unknown" not in answer.text()
    assert not any(word in answer.text() for word in NEVER_SHOWN)
