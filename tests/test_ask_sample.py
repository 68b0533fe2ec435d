"""Everyday questions on the demo store, answered in the first line with figures worked out here from the
export itself (csv module: the rows as Ads Manager wrote them, not adlab's tables)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adlab import demo
from adlab.cli import app
from adlab.ingest import ingest
from adlab.kpis import compute_kpis_daily
from adlab.quality import validate_table

runner = CliRunner()
LAST_DAY = dt.date(2026, 11, 24)  # the demo's last day, a Tuesday


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    demo.write_sample(folder)
    return folder


@pytest.fixture(scope="module")
def project(exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    tables = ingest(sorted(exports.glob("*.csv")), exports, "test-salt").tables
    ad_insights = validate_table(tables["ad_insights"], "ad_insights", dt.date(2004, 1, 1), dt.date(2100, 1, 1)).table
    (root / "data" / "interim").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "dvc.yaml").write_text("stages: {}\n")
    ad_insights.write_parquet(root / "data" / "interim" / "ad_insights.parquet")
    compute_kpis_daily(ad_insights).write_parquet(root / "data" / "processed" / "kpis_daily.parquet")
    return root


def sums(exports: Path, first: dt.date, last: dt.date) -> dict[str, float]:
    """Spend, purchases and purchase value of the ad-level export's rows from `first` to `last`."""
    totals = {"spend": 0.0, "purchases": 0.0, "value": 0.0}
    with (exports / "meta_ads_daily_ad_level.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if first <= dt.date.fromisoformat(row["Day"]) <= last:
                totals["spend"] += float(row["Amount spent (USD)"] or 0)
                totals["purchases"] += float(row["Purchases"] or 0)
                totals["value"] += float(row["Purchases conversion value"] or 0)
    return totals


def first_line(project: Path, question: str) -> str:
    result = runner.invoke(app, ["--project", str(project), "ask", question])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[0]


def test_how_much_did_i_spend_yesterday(project, exports):
    spend = sums(exports, LAST_DAY, LAST_DAY)["spend"]
    line = first_line(project, "how much did i spend yesterday")
    assert f"{spend:,.2f} USD" in line
    assert "yesterday" in line


def test_what_was_my_cpa_last_week(project, exports):
    week = sums(exports, dt.date(2026, 11, 16), dt.date(2026, 11, 22))  # ISO week 47, Monday to Sunday
    line = first_line(project, "What was my CPA last week?")
    assert f"{week['spend'] / week['purchases']:,.2f} USD" in line
    assert "last week" in line


def test_whats_my_roas_this_month(project, exports):
    month = sums(exports, dt.date(2026, 11, 1), LAST_DAY)
    line = first_line(project, "whats my roas this month")
    assert f"{month['value'] / month['spend']:.2f}" in line


def test_top_five_ads_lists_five(project):
    line = first_line(project, "top 5 ads by roas")
    assert all(f"{n}. " in line for n in range(1, 6))
    assert "6. " not in line


def test_worst_ads_are_the_worst_not_the_best(project):
    assert "worst" in first_line(project, "worst ads by ROAS").lower()


def test_the_planted_fatigued_creative_is_named(project):
    assert demo.FATIGUE_AD in first_line(project, "which creatives are fatigued")


def test_the_planted_loser_is_among_what_to_kill(project):
    result = runner.invoke(app, ["--project", str(project), "ask", "what should i kill"])
    assert result.exit_code == 0, result.output
    assert demo.BURNING_AD in result.output


def test_the_planted_checkout_break_is_found_yesterday(project):
    assert first_line(project, "is my tracking broken yesterday").startswith("Tracking or checkout looks broken")


def test_which_campaign_should_i_scale_names_what_is_judged(project):
    line = first_line(project, "which campaign should I scale")
    assert line.startswith("Scale ")
    assert "campaigns" not in line.split(":")[0]  # recommendations judge ad sets and ads, and say so


def ad_roas(exports: Path, ad: str, first: dt.date, last: dt.date) -> float:
    spend = value = 0.0
    with (exports / "meta_ads_daily_ad_level.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Ad name"] == ad and first <= dt.date.fromisoformat(row["Day"]) <= last:
                spend += float(row["Amount spent (USD)"] or 0)
                value += float(row["Purchases conversion value"] or 0)
    return value / spend


def test_two_named_ads_side_by_side_last_week(project, exports):
    winner, tired = demo.WINNER_AD, demo.FATIGUE_AD
    line = first_line(project, f"compare '{winner}' and '{tired}' last week")
    week = (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert line.startswith("ROAS last week (2026-W47")
    assert (
        f"ad '{winner}' {ad_roas(exports, winner, *week):.2f} vs ad '{tired}' {ad_roas(exports, tired, *week):.2f}"
        in line
    )
    assert line.endswith(f"'{winner}' is better.")


def roas_by_format(exports: Path, first: dt.date, last: dt.date) -> dict[str, float]:
    """ROAS per ad format, the format read off each ad name the way the demo names them (`VID | ...`, `IMG_...`)."""
    words = {"VID": "video", "IMG": "image", "CAR": "carousel"}
    spend: dict[str, float] = {}
    value: dict[str, float] = {}
    with (exports / "meta_ads_daily_ad_level.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Ad name"]
            head = name.split(" | ")[0] if " | " in name else name.split("_")[0]
            if head in words and first <= dt.date.fromisoformat(row["Day"]) <= last:
                spend[words[head]] = spend.get(words[head], 0.0) + float(row["Amount spent (USD)"] or 0)
                value[words[head]] = value.get(words[head], 0.0) + float(row["Purchases conversion value"] or 0)
    return {fmt: value[fmt] / spend[fmt] for fmt in spend}


def test_formats_ranked_by_roas_last_week(project, exports):
    line = first_line(project, "which format had the best roas last week")
    assert line.startswith("Your formats by ROAS last week (2026-W47")
    expected = roas_by_format(exports, dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    for fmt, roas in expected.items():
        assert f"'{fmt}' {roas:.2f}" in line
    best = max(expected, key=expected.__getitem__)
    assert line.index(f"'{best}'") < min(line.index(f"'{fmt}'") for fmt in expected if fmt != best)
