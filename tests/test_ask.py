"""`adlab ask` (and why / best / verdict) through the CLI on prepared projects: sample, second story, real exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from adlab import demo as sample
from adlab.cli import app
from adlab.ingest import ingest
from adlab.kpis import compute_kpis_daily
from adlab.quality import validate_table

runner = CliRunner()
QUESTIONS = (
    "Why did my ROAS drop yesterday?",
    "Which of my ads is performing best with women aged 25-34?",
    "Should I pause my 'Summer Sale' ad set?",
)
ACTION_WORDS = ("Pause:", "Scale:", "Keep:", "Refresh creative:", "Wait:")


def make_project(root: Path, files: list[Path], base: Path) -> Path:
    """A project folder whose data/interim and data/processed hold what the pipeline would write for `files`."""
    tables = ingest(files, base, "test-salt").tables
    ad_insights = validate_table(tables["ad_insights"], "ad_insights", dt.date(2004, 1, 1), dt.date(2100, 1, 1)).table
    (root / "data" / "interim").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "dvc.yaml").write_text("stages: {}\n")
    ad_insights.write_parquet(root / "data" / "interim" / "ad_insights.parquet")
    compute_kpis_daily(ad_insights).write_parquet(root / "data" / "processed" / "kpis_daily.parquet")
    return root


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exports = tmp_path_factory.mktemp("exports")
    return make_project(tmp_path_factory.mktemp("project"), sample.write_sample(exports), exports)


def ask(project: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--project", str(project), *args])


def test_ask_why_did_my_roas_drop_yesterday(sample_project):
    result = ask(sample_project, "ask", QUESTIONS[0])
    assert result.exit_code == 0, result.output
    headline, paragraph = result.output.splitlines()[:2]
    assert headline.startswith("ROAS fell ")
    assert (
        "yesterday, from 2.44 to 0.86, mostly because fewer clicks turned into purchases: conversion rate " in headline
    )
    assert "log points" not in headline
    assert paragraph.startswith("Days compared: 2026-11-24 vs 2026-11-23. Split of the change (log points")
    assert "CVR (purchases per link click) explains 9" in paragraph
    assert f"Campaign '{sample.CHECKOUT_PROBLEM_CAMPAIGN}' accounts for" in paragraph
    assert "checkouts started held" in paragraph


def test_ask_which_ad_performs_best_with_women_aged_25_34(sample_project):
    result = ask(sample_project, "ask", QUESTIONS[1])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Best ad for women aged 25-34: '{sample.FEMALE_25_34_AD}' with ROAS 7.")
    assert "2026-10-26 to 2026-11-24" in lines[0]
    assert lines[2].startswith(f"1. ad '{sample.FEMALE_25_34_AD}'")


def test_ask_should_i_pause_my_summer_sale_ad_set(sample_project):
    result = ask(sample_project, "ask", QUESTIONS[2])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Pause: ad set 'Summer Sale' (campaign 'Summer Sale | Promo'): ROAS 0.")
    assert "below break-even 2.00" in lines[0]
    assert any(line.startswith("Spend ") and "USD" in line for line in lines)
    assert "Period: 2026-10-12 to 2026-10-25" in result.output


def test_explicit_commands_match_the_questions(sample_project):
    why = ask(sample_project, "why", "--kpi", "roas", "--period", "yesterday")
    assert why.output.splitlines()[0] == ask(sample_project, "ask", QUESTIONS[0]).output.splitlines()[0]
    best = ask(sample_project, "best", "--gender", "female", "--age", "25-34")
    assert sample.FEMALE_25_34_AD in best.output.splitlines()[0]
    scale = ask(sample_project, "verdict", sample.WINNER_AD)
    assert scale.output.startswith(f"Scale: ad '{sample.WINNER_AD}'")
    refresh = ask(sample_project, "verdict", "founder story")
    assert refresh.output.startswith(f"Refresh creative: ad '{sample.FATIGUE_AD}'")
    dates = ask(sample_project, "why", "--current", "2026-11-17:2026-11-23", "--previous", "2026-11-10:2026-11-16")
    assert dates.exit_code == 0
    assert "over 2026-11-17 to 2026-11-23, from " in dates.output.splitlines()[0]
    assert "Days compared: 2026-11-17 to 2026-11-23 vs 2026-11-10 to 2026-11-16." in dates.output


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("What is the weather tomorrow?", "I cannot answer 'What is the weather tomorrow?' yet. I can answer:"),
        ("Should I pause 'Winter Promo'?", "no campaign, ad set or ad named 'Winter Promo'"),
        ("Which ad is best on Instagram?", "needs a Platform x Placement breakdown export"),
    ],
)
def test_ask_says_in_one_line_what_it_cannot_answer(sample_project, question, message):
    result = ask(sample_project, "ask", question)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_ask_before_the_pipeline_ran_says_what_to_do(tmp_path):
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    result = ask(tmp_path, "ask", QUESTIONS[0])
    assert result.exit_code == 1
    assert "run `adlab report`" in result.output


# --------------------------------------------------------------------------- real exports

REAL_META = (
    "monfrere_us/meta/Meta Daily MONFRERE-Ads-Jan-1-2026-Mar-15-2026.csv",
    "cocoon_au/meta_ads_ad_level_daily_2025-08_to_2026-04.csv",
)


def assert_answer_or_one_line(result) -> str:  # type: ignore[no-untyped-def]
    """The output of a run that answered (exit 0) or said in one line why it cannot (exit 1), never a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.output.startswith("adlab: ")
        assert result.output.count("\n") == 1
    return result.output


@pytest.mark.real
@pytest.mark.parametrize("name", REAL_META)
def test_ask_on_real_meta_exports_answers_or_says_not_enough_data(real_data, tmp_path, name):
    project = make_project(tmp_path, [real_data / name], real_data)
    why = assert_answer_or_one_line(ask(project, "ask", QUESTIONS[0]))
    assert why.startswith(("ROAS ", "Not enough data", "adlab: not enough data"))
    segment = assert_answer_or_one_line(ask(project, "ask", QUESTIONS[1]))
    assert "needs an Age x Gender breakdown export" in segment
    unknown = assert_answer_or_one_line(ask(project, "ask", QUESTIONS[2]))
    assert "no campaign, ad set or ad named 'Summer Sale'" in unknown
    kpis_daily = pl.read_parquet(project / "data" / "processed" / "kpis_daily.parquet")
    biggest = kpis_daily.group_by("adset").agg(pl.col("spend").sum()).sort("spend", "adset", descending=True)
    verdict = assert_answer_or_one_line(ask(project, "ask", f"Should I pause my '{biggest['adset'][0]}' ad set?"))
    assert verdict.startswith(ACTION_WORDS)
    assert "ROAS " in verdict


@pytest.mark.real
def test_ask_on_a_real_age_gender_export_without_purchases_says_not_enough_data(real_data, tmp_path):
    project = make_project(tmp_path, [real_data / "monfrere_us/meta/Meta Monfrere 2024.csv"], real_data)
    result = assert_answer_or_one_line(ask(project, "ask", QUESTIONS[1]))
    assert result.startswith(("Not enough data", "Best ad for women aged 25-34"))


@pytest.mark.real
def test_kaggle_conversion_data_gives_a_clear_not_enough_data_line(real_data, tmp_path):
    # No dates and no revenue: ingest sets it aside with a warning, so there is no ad data to answer from.
    project = make_project(tmp_path, [real_data / "kaggle_kag_conversion" / "KAG_conversion_data.csv"], real_data)
    for question in QUESTIONS:
        result = ask(project, "ask", question)
        assert result.exit_code == 1
        assert assert_answer_or_one_line(result).startswith("adlab: there is no ad data yet")
