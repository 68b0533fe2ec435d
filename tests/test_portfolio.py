"""Several accounts side by side: the portfolio page's rows and markup, and `adlab ask` across accounts.

Hand-built accounts over ISO weeks 2026-W46 (Mon 9 - Sun 15 Nov) and 2026-W47 (Mon 16 - Sun 22 Nov); every
expected figure is summed here from the literal rows (ROAS of an account-week = its summed purchase value /
its summed spend), never taken from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from adlab import workbench
from adlab.cli import app
from adlab.creatives import ad_fatigue
from adlab.errors import AdlabError
from adlab.ingest import ingest
from adlab.insights import Workspace, ask, recommendations
from adlab.insights.portfolio import account_workspace
from adlab.insights.questions import parse_question
from adlab.kpis import compute_kpis_daily
from adlab.params import Params, TargetsParams
from adlab.quality import validate_table
from adlab.report.per_account import week_page
from adlab.report.portfolio import portfolio_rows, render_portfolio
from adlab.schema import AD_METRICS
from conftest import chromium_tab, hidden_width

WEEK, BEFORE = "2026-W47", "2026-W46"
W46 = [dt.date(2026, 11, 9) + dt.timedelta(days=i) for i in range(7)]
W47 = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(7)]
DEFAULT = TargetsParams()  # ROAS 2.5, CPA 40, margin 0.5: break-even ROAS 2.0

# account -> (W46 days, W47 days), each day (spend, purchase value, purchases, link clicks).
# Alpine Goods: the planted drop, ROAS 3.10 -> 1.20 on uneven days (the mean of its W47 daily ROAS is 1.47,
# not 1.20). Beta Shop: steady, ROAS 3.00 -> 3.15. Coastal Co: CPA 40 -> 60, 50% over the 40 target.
DAYS: dict[str, tuple[list[tuple[float, float, int, int]], list[tuple[float, float, int, int]]]] = {
    "Alpine Goods": (
        [(100.0, 310.0, 10, 100)] * 7,
        [(50.0, 200.0, 5, 100), (150.0, 40.0, 5, 100)] + [(100.0, 120.0, 5, 100)] * 5,
    ),
    "Beta Shop": ([(200.0, 600.0, 12, 300)] * 7, [(200.0, 630.0, 12, 300)] * 7),
    "Coastal Co": ([(40.0, 100.0, 1, 50)] * 7, [(60.0, 150.0, 1, 50)] * 7),
}


def as_kpis_daily(records: list[dict[str, Any]]) -> pl.DataFrame:
    """kpis_daily rows from literal records; the metric columns they do not give are null (absent, not 0)."""
    frame = pl.DataFrame(records, schema_overrides={"account": pl.String})
    missing = {name: dtype for name, dtype in {**AD_METRICS, "reach": pl.Int64()}.items() if name not in frame.columns}
    return frame.with_columns(pl.lit(None, dtype).alias(name) for name, dtype in missing.items())


def records(days: dict[str, Any] = DAYS, currencies: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One record per account and day of `days`: ad 'Hero' of campaign 'Sales' / ad set 'Broad' on Meta."""
    rows = []
    for account, weeks in days.items():
        for dates, figures in zip((W46, W47), weeks, strict=True):
            for day, (spend, value, purchases, clicks) in zip(dates, figures, strict=False):
                rows.append(
                    {
                        "date": day,
                        "platform_source": "meta",
                        "account": account,
                        "campaign": "Sales",
                        "adset": "Broad",
                        "ad": "Hero",
                        "spend": spend,
                        "purchase_value": value,
                        "purchases": purchases,
                        "link_clicks": clicks,
                        "impressions": clicks * 100,
                        **({"currency": currencies[account]} if currencies else {}),
                    }
                )
    return rows


KPIS = as_kpis_daily(records())


def week_sums(account: str, week: int) -> dict[str, float]:
    """Spend, purchase value and purchases of one account's literal days of W46 (0) or W47 (1)."""
    days = DAYS[account][week]
    return {
        "spend": sum(day[0] for day in days),
        "value": sum(day[1] for day in days),
        "purchases": sum(day[2] for day in days),
    }


def rows_by_account(rows: list[dict[str, Any]]) -> dict[str | None, dict[str, Any]]:
    return {row["account"]: row for row in rows}


# ------------------------------------------------------------------------------------------------ the rows


def test_portfolio_rows_roas_and_cpa_are_ratios_of_each_account_weeks_sums() -> None:
    rows = portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD")
    assert [row["account"] for row in rows] == ["Alpine Goods", "Beta Shop", "Coastal Co"]
    for row in rows:
        now, before = week_sums(row["account"], 1), week_sums(row["account"], 0)
        assert row["spend"] == pytest.approx(now["spend"])
        assert row["purchase_value"] == pytest.approx(now["value"])
        assert row["roas"] == pytest.approx(now["value"] / now["spend"])
        assert row["cpa"] == pytest.approx(now["spend"] / now["purchases"])
        assert row["before"]["roas"] == pytest.approx(before["value"] / before["spend"])
        assert row["change"]["roas"] == pytest.approx(
            (now["value"] / now["spend"]) / (before["value"] / before["spend"]) - 1
        )
        assert row["currency"] == "USD"
    # Alpine Goods' W47: 840 / 700 = 1.20, where the mean of its daily ROAS would be 1.47.
    alpine = rows[0]
    assert alpine["roas"] == pytest.approx(1.2)
    assert alpine["change"]["roas"] == pytest.approx(1.2 / 3.1 - 1)


def test_portfolio_rows_flag_the_planted_drop_in_words() -> None:
    rows = rows_by_account(portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD"))
    alpine = rows["Alpine Goods"]
    assert alpine["attention"]
    assert alpine["reasons"] == [
        "ROAS fell 61% on the week before (3.10x → 1.20x)",  # 1.20 / 3.10 - 1 = -61.3%
        "ROAS 1.20x is below break-even 2.00x",
    ]
    assert not rows["Beta Shop"]["attention"]
    assert rows["Beta Shop"]["reasons"] == []
    # Coastal Co: 420 / 7 = 60.00 against the 40.00 target, 50% above it.
    assert rows["Coastal Co"]["reasons"] == ["CPA $60.00 is 50% above the $40.00 target"]


def test_portfolio_rows_tones_hold_each_account_against_its_own_targets() -> None:
    # Beta Shop's ROAS 3.15 meets the default 2.5 target; held against its own 4.0 it is between break-even
    # (1 / 0.5 = 2.0) and target; with a 0.25 margin its break-even is 4.0, so its ROAS is below it.
    own = {"Beta Shop": TargetsParams(roas=4.0, cpa=10.0, gross_margin=0.5)}
    beta = rows_by_account(portfolio_rows(KPIS, None, None, own, WEEK, currency="USD"))["Beta Shop"]
    assert beta["tones"]["roas"] == "warn"
    assert beta["tones"]["cpa"] == "bad"  # 1,400 / 84 = 16.67 over its own 10.00
    assert beta["reasons"] == ["CPA $16.67 is 67% above the $10.00 target"]
    default = rows_by_account(portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD"))["Beta Shop"]
    assert (default["tones"]["roas"], default["tones"]["cpa"]) == ("good", "good")
    thin = {"Beta Shop": TargetsParams(roas=5.0, cpa=40.0, gross_margin=0.25)}
    beta = rows_by_account(portfolio_rows(KPIS, None, None, thin, WEEK, currency="USD"))["Beta Shop"]
    assert beta["tones"]["roas"] == "bad"
    assert "ROAS 3.15x is below break-even 4.00x" in beta["reasons"]
    assert beta["tones"]["roas_change"] == "good"  # 3.15 / 3.00: up, which ROAS wants
    assert beta["tones"]["spend_change"] == "neutral"  # spend is neither good nor bad


def test_portfolio_rows_count_each_accounts_calls_without_flagging_pause_calls_alone() -> None:
    calls = pl.DataFrame(
        {
            "level": ["ad", "ad", "adset", "ad", "ad"],
            "account": ["Beta Shop", "Beta Shop", "Beta Shop", "Coastal Co", "Coastal Co"],
            "action": ["pause", "scale", "pause", "refresh_creative", "keep"],
        }
    )
    rows = rows_by_account(portfolio_rows(KPIS, None, calls, {}, WEEK, currency="USD"))
    assert rows["Beta Shop"]["calls"] == {"pause": 2, "scale": 1, "refresh": 0}
    assert rows["Coastal Co"]["calls"] == {"pause": 0, "scale": 0, "refresh": 1}
    assert rows["Alpine Goods"]["calls"] == {"pause": 0, "scale": 0, "refresh": 0}
    assert "stop-loss" not in " ".join(rows["Beta Shop"]["reasons"])  # counted beside, not a flag by itself
    unknown = rows_by_account(portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD"))
    assert unknown["Beta Shop"]["calls"] == {"pause": None, "scale": None, "refresh": None}
    # One account: recommendations.csv has no account column, and every call is that account's.
    one = KPIS.filter(pl.col("account") == "Beta Shop")
    [row] = portfolio_rows(one, None, calls.drop("account"), {}, WEEK, currency="USD")
    assert row["calls"] == {"pause": 2, "scale": 1, "refresh": 1}


def test_portfolio_rows_flag_purchases_gone_while_clicks_held_as_tracking() -> None:
    # W46: 10 purchases a day on 100 link clicks; W47: none on 90 a day (630 is 90% of 700).
    days = {"Alpine Goods": ([(100.0, 310.0, 10, 100)] * 7, [(100.0, 0.0, 0, 90)] * 7), "Beta Shop": DAYS["Beta Shop"]}
    rows = rows_by_account(portfolio_rows(as_kpis_daily(records(days)), None, None, {}, WEEK, currency="USD"))
    assert rows["Alpine Goods"]["reasons"][0] == (
        "no purchase recorded on 630 link clicks (70 purchases on 700 the week before): check tracking"
    )


def test_portfolio_rows_mer_is_each_accounts_store_revenue_over_its_spend() -> None:
    # Coastal Co's store: 100 a day in both weeks; W47 MER = 700 / 420; W46 MER = 700 / 280.
    store = pl.DataFrame(
        {"date": W46 + W47, "account": ["Coastal Co"] * 14, "orders": [2] * 14, "revenue": [100.0] * 14}
    )
    rows = rows_by_account(portfolio_rows(KPIS, store, None, {}, WEEK, currency="USD"))
    assert rows["Coastal Co"]["revenue"] == pytest.approx(700.0)
    assert rows["Coastal Co"]["mer"] == pytest.approx(700.0 / 420.0)
    assert rows["Coastal Co"]["change"]["mer"] == pytest.approx((700.0 / 420.0) / (700.0 / 280.0) - 1)
    assert rows["Alpine Goods"]["mer"] is None  # no store export of its own: unknown, not 0
    # A store table that does not say whose it is belongs to no account when there are several.
    anonymous = rows_by_account(portfolio_rows(KPIS, store.drop("account"), None, {}, WEEK, currency="USD"))
    assert anonymous["Coastal Co"]["mer"] is None


def test_portfolio_rows_currency_from_the_rows_or_as_given() -> None:
    currencies = {"Alpine Goods": "EUR", "Beta Shop": "USD", "Coastal Co": "USD"}
    with_column = portfolio_rows(as_kpis_daily(records(currencies=currencies)), None, None, {}, WEEK)
    assert [row["currency"] for row in with_column] == ["EUR", "USD", "USD"]
    given = portfolio_rows(KPIS, None, None, {}, WEEK, currency={"Alpine Goods": "AUD"})
    assert [row["currency"] for row in given] == ["AUD", None, None]
    alpine = rows_by_account(with_column)["Alpine Goods"]
    assert alpine["reasons"][0] == "ROAS fell 61% on the week before (3.10x → 1.20x)"


def test_portfolio_rows_an_account_new_this_week_has_no_change() -> None:
    days = {**DAYS, "Newcomer": ([], [(10.0, 30.0, 1, 10)] * 7)}
    rows = rows_by_account(portfolio_rows(as_kpis_daily(records(days)), None, None, {}, WEEK, currency="USD"))
    newcomer = rows["Newcomer"]
    assert newcomer["roas"] == pytest.approx(3.0)
    assert newcomer["before"]["spend"] is None  # before its first day: unknown, not 0
    assert newcomer["change"] == {"spend": None, "purchase_value": None, "roas": None, "cpa": None, "mer": None}
    assert not newcomer["attention"]


def test_portfolio_rows_flag_an_account_whose_export_ends_before_the_week() -> None:
    # Dormant Co's data stops on Wed 11 Nov (3 days of W46): W47 is unknown for it, not 0, and it says so.
    days = {**DAYS, "Dormant Co": ([(10.0, 30.0, 1, 10)] * 3, [])}
    rows = rows_by_account(portfolio_rows(as_kpis_daily(records(days)), None, None, {}, WEEK, currency="USD"))
    dormant = rows["Dormant Co"]
    assert dormant["spend"] is None
    assert dormant["roas"] is None
    assert dormant["attention"]
    assert dormant["reasons"] == ["no ad data for this period: the export ends Wed 11 Nov 2026; export it again"]
    assert not rows["Beta Shop"]["attention"]


# ------------------------------------------------------------------------------------------------ the page

LINKS = {
    "Alpine Goods": ("alpine-goods/index.html", "alpine-goods/weekly/2026-W47.html"),
    "Beta Shop": ("beta-shop/index.html", "beta-shop/weekly/2026-W47.html"),
    "Coastal Co": ("coastal-co/index.html", "coastal-co/weekly/2026-W47.html"),
}


def page(tmp_path: Path, rows: list[dict[str, Any]], links: dict[str | None, tuple[str, str]] = LINKS) -> str:
    out = render_portfolio(rows, tmp_path / "index.html", week=WEEK, sample_data=False, links=links)
    return out.read_text(encoding="utf-8")


def test_render_portfolio_puts_flagged_accounts_first_and_marks_them(tmp_path: Path) -> None:
    calls = pl.DataFrame({"account": ["Coastal Co"], "action": ["scale"]})
    html = page(tmp_path, portfolio_rows(KPIS, None, calls, {}, WEEK, currency="USD"))
    body = html[html.index("<tbody>") :]
    # Alpine Goods and Coastal Co need attention (in accounts.names order), Beta Shop last.
    assert body.index(">Alpine Goods<") < body.index(">Coastal Co<") < body.index(">Beta Shop<")
    assert body.count('<tr class="flagged"') == 2
    assert '<tr class="flagged" data-order="0"><td data-sort="alpine goods"><a href="alpine-goods/index.html">' in body
    assert (
        '<td class="reasons bad" data-sort="2"><div>⚑ ROAS fell 61% on the week before (3.10x → 1.20x)</div>'
        "<div>⚑ ROAS 1.20x is below break-even 2.00x</div></td>"
    ) in body
    assert '<tr data-order="2"><td data-sort="beta shop">' in body
    assert "2 of 3 accounts need attention: Alpine Goods, Coastal Co." in html


def test_render_portfolio_columns_sort_on_raw_values_with_an_inline_script(tmp_path: Path) -> None:
    html = page(tmp_path, portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD"))
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert head.count("<th data-sort-type=") == 10
    assert head.count('data-key="sort"') == 10  # every column
    assert head.count('data-key="sort-change"') == 5  # spend, purchase value, ROAS, CPA, MER
    # Alpine Goods' ROAS: shown 1.20x and sorted by 1.2; its change, 1.2 / 3.1 - 1, sorted by its raw value.
    assert (
        f'<td class="num bad" data-sort="1.2" data-sort-change="{1.2 / 3.1 - 1:.10g}">1.20x'
        '<div class="chg bad">▼ 61.3%</div></td>'
    ) in html
    # MER unknown (no store export): empty sort keys sort it last, and it shows –.
    assert '<td class="num" data-sort="" data-sort-change="">–<div class="chg neutral">–</div></td>' in html
    assert "<script>" in html
    assert "addEventListener" in html
    assert "http" not in html  # offline: nothing from a CDN
    assert "None" not in html
    assert "nan" not in html


def test_render_portfolio_links_each_account_to_its_index_and_week(tmp_path: Path) -> None:
    html = page(tmp_path, portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD"))
    for index_href, week_href in LINKS.values():
        assert f'<a href="{index_href}">' in html
        assert f'<a href="{week_href}">this week\'s page</a>' in html


def test_render_portfolio_header_totals_in_one_currency(tmp_path: Path) -> None:
    html = page(tmp_path, portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD"))
    assert "3 accounts · week 2026-W47 (Mon 16 – Sun 22 Nov 2026), compared with 2026-W46" in html
    # W47 spend 700 + 1,400 + 420 = 2,520 (W46: 700 + 1,400 + 280 = 2,380, +5.9%); purchase value
    # 840 + 4,410 + 1,050 = 6,300; ROAS 6,300 / 2,520 = 2.50 (W46 2,170 + 4,200 + 700 = 7,070 / 2,380 = 2.97;
    # 2.50 / 2.97 - 1 = -15.8%); purchases 35 + 84 + 7 = 126, CPA 2,520 / 126 = 20.00; no store, MER unknown.
    assert (
        "All accounts: spend $2,520.00 (▲ 5.9%), purchase value $6,300.00, ROAS 2.50x (▼ 15.8%), CPA $20.00, MER –."
        in html
    )


def test_render_portfolio_amounts_in_each_accounts_currency_and_no_totals_across_them(tmp_path: Path) -> None:
    currencies = {"Alpine Goods": "EUR", "Beta Shop": "USD", "Coastal Co": "USD"}
    html = page(tmp_path, portfolio_rows(as_kpis_daily(records(currencies=currencies)), None, None, {}, WEEK))
    assert "Totals are per account because the accounts&#x27; currencies differ (EUR, USD)." in html
    assert "All accounts:" not in html
    assert '<td class="num" data-sort="700" data-sort-change="0">€700.00' in html  # Alpine Goods' W47 spend
    assert '<td class="num" data-sort="1400" data-sort-change="0">$1,400.00' in html  # Beta Shop's


def test_render_portfolio_escapes_account_names_and_shows_the_sample_banner(tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    days = {hostile: DAYS["Beta Shop"], "Beta Shop": DAYS["Beta Shop"]}
    rows = portfolio_rows(as_kpis_daily(records(days)), None, None, {}, WEEK, currency="USD")
    out = render_portfolio(
        rows, tmp_path / "index.html", week=WEEK, sample_data=True, links={hostile: ("x/index.html", "")}
    )
    html = out.read_text(encoding="utf-8")
    assert hostile not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Sample data." in html


@pytest.mark.slow
def test_render_portfolio_sorts_in_a_browser(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    chromium = Path("/usr/bin/chromium")
    if not chromium.is_file():
        pytest.skip(f"{chromium} not found: install Debian's chromium to run browser tests")
    out = render_portfolio(
        portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD"),
        tmp_path / "index.html",
        week=WEEK,
        sample_data=False,
        links=LINKS,
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"], headless=True)
        try:
            tab = browser.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.goto(out.as_uri())

            def names() -> list[str]:
                return tab.eval_on_selector_all(
                    "#portfolio tbody td:first-child > a", "cells => cells.map(c => c.textContent)"
                )

            assert names() == ["Alpine Goods", "Coastal Co", "Beta Shop"]  # needs attention first
            roas, roas_change = "th:nth-child(5) button[data-key=sort]", "th:nth-child(5) button[data-key=sort-change]"
            tab.click(roas)  # ROAS 3.15, 2.50, 1.20: largest first
            assert names() == ["Beta Shop", "Coastal Co", "Alpine Goods"]
            tab.click(roas)
            assert names() == ["Alpine Goods", "Coastal Co", "Beta Shop"]
            tab.click(roas_change)  # +5%, 0%, -61%
            assert names() == ["Beta Shop", "Coastal Co", "Alpine Goods"]
            tab.focus("th:nth-child(6) button[data-key=sort]")  # CPA 60.00, 20.00, 16.67, by keyboard
            tab.keyboard.press("Enter")
            assert names() == ["Coastal Co", "Alpine Goods", "Beta Shop"]
            assert errors == []
        finally:
            browser.close()


@pytest.mark.slow
def test_render_portfolio_fits_a_laptop_screen_with_large_amounts(tmp_path: Path) -> None:
    """Every column, Refresh included, shows on a 1280-px-wide screen without scrolling the table sideways,
    with amounts of millions in long currency codes and several reasons per account."""
    large = {
        f"{account} International Holdings": tuple(
            [(spend * 10_000, value * 10_000, purchases, clicks) for spend, value, purchases, clicks in week]
            for week in weeks
        )
        for account, weeks in DAYS.items()
    }
    currencies = dict(zip(large, ("SEK", "NOK", "DKK"), strict=True))
    rows = portfolio_rows(as_kpis_daily(records(large, currencies)), None, None, {}, WEEK)
    assert any(len(row["reasons"]) >= 2 for row in rows)  # the widest "needs attention" cell
    calls = {account: (f"{account}/index.html", f"{account}/weekly/{WEEK}.html") for account in large}
    out = render_portfolio(rows, tmp_path / "index.html", week=WEEK, sample_data=False, links=calls)
    with chromium_tab(out, width=1280) as tab:
        # Alpine's W47 spend: (50 + 150 + 5 x 100) x 10,000.
        assert "7,000,000.00 SEK" in tab.inner_text("#portfolio")
        hidden = hidden_width(tab)
        assert hidden <= 0, f"the table is {hidden} px wider than the page: its last column is cut off"


# ------------------------------------------------------------------------------------------------ ask

WORKSPACE = Workspace(KPIS, None, Params(), "USD")


@pytest.mark.parametrize(
    ("question", "view", "kpi", "movement", "n"),
    [
        ("which account's ROAS dropped most last week?", "change", "roas", "down", 1),
        ("Which account spent the most last week?", "rank", "spend", "", 1),
        ("rank my accounts by CPA", "rank", "cpa", "", None),
        ("how are my accounts doing?", "overview", "roas", "", None),
        ("which account improved most", "change", "roas", "up", 1),
        ("have any of my accounts improved", "change", "roas", "up", None),
        ("roas by account", "rank", "roas", "", None),
        ("top 2 accounts by roas", "rank", "roas", "", 2),
    ],
)
def test_parse_question_portfolio_questions(question: str, view: str, kpi: str, movement: str, n: int | None) -> None:
    intent = parse_question(question, KPIS)
    assert (intent.kind, intent.view, intent.kpi, intent.movement, intent.n) == ("portfolio", view, kpi, movement, n)
    # The data's last day is Sunday 22 Nov: the latest complete week is W47, compared with W46.
    assert intent.periods is not None
    assert (intent.periods[0].start, intent.periods[1].start) == (W47[0], W46[0])


def test_parse_question_without_accounts_keeps_its_family() -> None:
    assert parse_question("What was my CPA last week?", KPIS).kind == "metric"
    assert parse_question("Top 5 ads by ROAS yesterday", KPIS).kind == "rank"
    assert parse_question("What is my ROAS at an account level?", KPIS).kind == "metric"


def test_ask_which_accounts_roas_fell_most_names_it_with_the_week_and_change() -> None:
    answer = ask("Which account's ROAS dropped most last week?", WORKSPACE)
    assert answer.headline == "Alpine Goods's ROAS fell most last week (2026-W47, 16-22 Nov): 3.10 -> 1.20 (-61%)."
    # Coastal Co 2.50 -> 2.50 (0%) and Beta Shop 3.00 -> 3.15 (+5%) follow.
    assert [line.split(":")[0] for line in answer.lines[:3]] == ["1. Alpine Goods", "2. Coastal Co", "3. Beta Shop"]
    assert answer.figures["account"].to_list() == ["Alpine Goods", "Coastal Co", "Beta Shop"]


def test_ask_which_account_spent_most_gives_the_amount_with_its_currency() -> None:
    answer = ask("which account spent the most last week?", WORKSPACE)
    # Beta Shop: 7 x 200 = 1,400 in W47 and in W46 (+0%).
    assert (
        answer.headline
        == "Beta Shop spent the most last week (2026-W47, 16-22 Nov): 1,400.00 USD (+0% on the week before)."
    )


def test_ask_spent_most_across_currencies_compares_within_each_currency() -> None:
    currencies = {"Alpine Goods": "EUR", "Beta Shop": "USD", "Coastal Co": "USD"}
    workspace = Workspace(as_kpis_daily(records(currencies=currencies)), None, Params(), "USD")
    answer = ask("which account spent the most last week?", workspace)
    assert answer.headline == (
        "Spend is in each account's own currency, so accounts are compared within each currency, never across "
        "them (last week (2026-W47, 16-22 Nov)): in EUR, Alpine Goods spent the most (700.00 EUR); in USD, "
        "Beta Shop spent the most (1,400.00 USD)."
    )
    # Each currency ranked on its own: Beta Shop 1,400 before Coastal Co 420, both USD.
    assert [line.split(":")[0] for line in answer.lines] == [
        "EUR 1. Alpine Goods",
        "USD 1. Beta Shop",
        "USD 2. Coastal Co",
    ]
    # ROAS has no currency: every account ranks together.
    assert ask("which account has the highest ROAS last week", workspace).headline.startswith(
        "Beta Shop had the highest ROAS last week (2026-W47, 16-22 Nov): 3.15"
    )


def test_ask_rank_accounts_by_cpa_lowest_first() -> None:
    answer = ask("rank my accounts by CPA", WORKSPACE)
    # W47 CPA: Alpine Goods 700 / 35 = 20.00, Beta Shop 1,400 / 84 = 16.67, Coastal Co 420 / 7 = 60.00.
    assert answer.headline == (
        "Your accounts by CPA last week (2026-W47, 16-22 Nov) (lowest first): 1. Beta Shop 16.67 USD; "
        "2. Alpine Goods 20.00 USD; 3. Coastal Co 60.00 USD."
    )


def test_ask_how_are_my_accounts_doing_lists_flagged_accounts_first() -> None:
    answer = ask("how are my accounts doing?", WORKSPACE)
    assert answer.headline == (
        "3 accounts last week (2026-W47, 16-22 Nov), 2 need attention. Alpine Goods: ROAS fell 61% on the week "
        "before (3.10x → 1.20x); Coastal Co: CPA 60.00 USD is 50% above the 40.00 USD target."
    )
    assert [line.split(":")[0] for line in answer.lines[1:4]] == ["⚑ Alpine Goods", "⚑ Coastal Co", "Beta Shop"]
    assert answer.lines[-1] == (
        "All accounts: spend 2,520.00 USD, purchase value 6,300.00 USD, ROAS 2.50, CPA 20.00 USD, MER –."
    )
    assert answer.figures.select("account", "needs_attention").rows() == [
        ("Alpine Goods", True),
        ("Coastal Co", True),
        ("Beta Shop", False),
    ]


def test_ask_portfolio_question_with_one_account_says_there_is_one() -> None:
    one = Workspace(KPIS.filter(pl.col("account") == "Beta Shop"), None, Params(), "USD")
    answer = ask("which account's ROAS dropped most last week?", one)
    assert answer.headline.startswith("The data holds one account (Beta Shop), so there are no accounts to compare")


def test_account_workspace_keeps_one_accounts_rows_and_refuses_an_unknown_name() -> None:
    alpine = account_workspace(WORKSPACE, "alpine goods")
    assert alpine.kpis_daily["account"].unique().to_list() == ["Alpine Goods"]
    assert account_workspace(WORKSPACE, "coastal-co").kpis_daily["account"].unique().to_list() == ["Coastal Co"]
    with pytest.raises(AdlabError) as error:
        account_workspace(WORKSPACE, "Alpine")
    assert str(error.value) == (
        "no account named 'Alpine' in the data. Did you mean 'Alpine Goods'? Accounts: 'Alpine Goods', "
        "'Beta Shop', 'Coastal Co'."
    )


# ------------------------------------------------------------------------------------------------ a project

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
# account -> (spend factor, W47 purchase value factor): Alpine Goods' W47 purchase value is halved (the drop),
# Coastal Co spends half as much for the same sales.
PLANTED = {"Alpine Goods": (1.0, 0.5), "Beta Shop": (1.0, 1.0), "Coastal Co": (0.5, 1.0)}
SPEND, VALUE = "Amount spent (USD)", "Purchases conversion value"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/raw/<account>/ of three accounts, each a copy of the sample's ad-level export and orders with its
    amounts scaled by PLANTED; the ingest, validate, kpis and recommend stages' tables, written in-process."""
    root = tmp_path_factory.mktemp("portfolio")
    raw = root / "data" / "raw"
    with (SAMPLE / "meta_ads_daily_ad_level.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header, sample = list(reader.fieldnames or []), list(reader)
    for account, (spend_factor, value_factor) in PLANTED.items():
        folder = raw / account
        folder.mkdir(parents=True)
        with (folder / "meta.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header)
            writer.writeheader()
            for source in sample:
                row = dict(source)
                if row[SPEND]:
                    row[SPEND] = f"{float(row[SPEND]) * spend_factor:.2f}"
                if row[VALUE] and W47[0] <= dt.date.fromisoformat(row["Day"]) <= W47[-1]:
                    row[VALUE] = f"{float(row[VALUE]) * value_factor:.2f}"
                writer.writerow(row)
        shutil.copy(SAMPLE / "orders_export.csv", folder / "orders.csv")
    tables = ingest(sorted(raw.rglob("*.csv")), root, "test-salt", raw).tables
    ad_insights = validate_table(tables["ad_insights"], "ad_insights", dt.date(2004, 1, 1), dt.date(2100, 1, 1)).table
    (root / "data" / "interim").mkdir(parents=True)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "dvc.yaml").write_text("stages: {}\n")
    ad_insights.write_parquet(root / "data" / "interim" / "ad_insights.parquet")
    tables["orders"].write_parquet(root / "data" / "interim" / "orders.parquet")
    daily = compute_kpis_daily(ad_insights)
    daily.write_parquet(root / "data" / "processed" / "kpis_daily.parquet")
    calls = recommendations(daily, Params(), ad_fatigue(daily))
    (root / "data" / "processed" / "recommendations.csv").write_text(calls.write_csv())
    return root


def export_sums(project: Path, account: str, first: dt.date, last: dt.date) -> dict[str, float]:
    """Spend and purchase value of one account's export rows from `first` to `last` (csv module)."""
    totals = {"spend": 0.0, "value": 0.0}
    with (project / "data" / "raw" / account / "meta.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if first <= dt.date.fromisoformat(row["Day"]) <= last:
                totals["spend"] += float(row[SPEND] or 0)
                totals["value"] += float(row[VALUE] or 0)
    return totals


def cli(project: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--project", str(project), "ask", *args])


def test_cli_ask_names_the_account_whose_roas_fell_most(project: Path) -> None:
    now = export_sums(project, "Alpine Goods", W47[0], W47[-1])
    before = export_sums(project, "Alpine Goods", W46[0], W46[-1])
    roas, roas_before = now["value"] / now["spend"], before["value"] / before["spend"]
    result = cli(project, "Which account's ROAS dropped most last week?")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"Alpine Goods's ROAS fell most last week (2026-W47, 16-22 Nov): {roas_before:.2f} -> {roas:.2f} "
        f"({roas / roas_before - 1:+.0%})."
    )


def test_cli_ask_account_answers_about_that_account_only(project: Path) -> None:
    spend = export_sums(project, "Coastal Co", W47[0], W47[-1])["spend"]
    result = cli(project, "--account", "Coastal Co", "How much did I spend last week?")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"You spent {spend:,.2f} USD last week (2026-W47, 16-22 Nov)")
    assert "account 'Alpine Goods'" not in result.output


def test_cli_ask_unknown_account_is_one_line_listing_the_accounts(project: Path) -> None:
    result = cli(project, "--account", "Costal", "How much did I spend last week?")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "adlab: no account named 'Costal' in the data. Did you mean 'Coastal Co'? Accounts: 'Alpine Goods', "
        "'Beta Shop', 'Coastal Co'."
    )


def test_cli_ask_other_questions_on_several_accounts_keep_working(project: Path) -> None:
    spend = sum(export_sums(project, account, W47[0], W47[-1])["spend"] for account in PLANTED)
    result = cli(project, "How much did I spend last week?")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"You spent {spend:,.2f} USD last week (2026-W47, 16-22 Nov)")


def test_portfolio_page_of_the_project_flags_the_planted_drop(project: Path, tmp_path: Path) -> None:
    workspace = workbench.load_workspace(project)
    rows = portfolio_rows(workspace.kpis_daily, workspace.store, workspace.recommendations, {}, WEEK, currency="USD")
    alpine = rows_by_account(rows)["Alpine Goods"]
    now = export_sums(project, "Alpine Goods", W47[0], W47[-1])
    assert alpine["roas"] == pytest.approx(now["value"] / now["spend"], abs=1e-6)
    assert alpine["reasons"][0].startswith("ROAS fell ")
    assert not any(reason.startswith("ROAS fell") for reason in rows_by_account(rows)["Beta Shop"]["reasons"])
    html = page(tmp_path, rows)
    assert '<tr class="flagged" data-order="0"><td data-sort="alpine goods">' in html


def test_notebook_ask_takes_an_account_too(project: Path) -> None:
    spend = export_sums(project, "Beta Shop", W47[0], W47[-1])["spend"]
    answer = workbench.ask("How much did I spend last week?", project, account="beta shop")
    assert answer.headline.startswith(f"You spent {spend:,.2f} USD last week (2026-W47, 16-22 Nov)")
    overview = workbench.ask("How are my accounts doing?", project)
    alpine = overview.figures.row(0, named=True)
    assert alpine["account"] == "Alpine Goods"
    assert alpine["reason"].startswith("ROAS fell ")  # the planted drop


def test_silent_days_flag_a_tracking_break_on_the_latest_days_only_when_clicks_held() -> None:
    import datetime as dt

    from adlab.report.portfolio import silent_days

    first = dt.date(2026, 11, 13)
    days = [first + dt.timedelta(days=i) for i in range(10)]  # 13..22 Nov: 7 days with sales, then 3 without
    purchases = [4, 5, 3, 6, 4, 5, 4, 0, 0, 0]
    clicks = [100] * 7 + [90, 80, 95]
    daily = pl.DataFrame({"date": days, "purchases": purchases, "link_clicks": clicks})
    found = silent_days(daily)
    assert found == {"since": dt.date(2026, 11, 20), "days": 3, "link_clicks": 265, "purchases_before": 31}
    # Clicks fell with the purchases (under half of 100 a day): delivery stopped, not tracking.
    assert (
        silent_days(daily.with_columns(pl.when(pl.col("purchases") == 0).then(10).otherwise(100).alias("link_clicks")))
        is None
    )
    # One silent day is not yet a break; unknown purchases are never zero.
    assert silent_days(daily.head(8)) is None
    assert silent_days(daily.with_columns(pl.lit(None, pl.Int64).alias("purchases"))) is None


def test_an_account_with_a_store_and_no_ads_gets_a_row_with_unknown_ad_figures() -> None:
    rows = rows_by_account(portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD", also=["Corner Shop"]))
    corner = rows["Corner Shop"]
    assert corner["spend"] is None
    assert corner["roas"] is None
    assert corner["reasons"] == []
    assert list(rows)[-1] == "Corner Shop"  # after the accounts with ads


def test_a_store_only_account_takes_its_currency_from_the_summary() -> None:
    # Corner Shop has orders and no ads: no kpis_daily row to read a currency from; metrics/summary.json has it.
    given = {"Alpine Goods": "USD", "Beta Shop": "USD", "Coastal Co": "USD", "Corner Shop": "GBP"}
    rows = rows_by_account(portfolio_rows(KPIS, None, None, {}, WEEK, currency=given, also=["Corner Shop"]))
    assert rows["Corner Shop"]["currency"] == "GBP"
    assert rows["Alpine Goods"]["currency"] == "USD"


def test_portfolio_rows_flag_an_account_whose_store_export_ends_before_the_week() -> None:
    # Coastal Co's orders stop on Fri 13 Nov (W46); Corner Shop (orders only) on Mon 9 Nov; Beta Shop's run
    # through W47. Their revenue of W47 is unknown, and the stale store exports are named.
    store = pl.DataFrame(
        {
            "date": W46[:5] + W46[:1] + W46 + W47,
            "account": ["Coastal Co"] * 5 + ["Corner Shop"] + ["Beta Shop"] * 14,
            "orders": [1] * 20,
            "revenue": [50.0] * 20,
        }
    )
    rows = rows_by_account(portfolio_rows(KPIS, store, None, {}, WEEK, currency="USD", also=["Corner Shop"]))
    assert rows["Coastal Co"]["revenue"] is None
    # Its CPA 60 is 50% over 40 too: the figure it has comes first, the stale export last.
    assert rows["Coastal Co"]["reasons"] == [
        "CPA $60.00 is 50% above the $40.00 target",
        "no store data for this period: the store export ends Fri 13 Nov 2026; export it again",
    ]
    assert rows["Corner Shop"]["reasons"] == [
        "no store data for this period: the store export ends Mon 9 Nov 2026; export it again"
    ]
    assert rows["Beta Shop"]["revenue"] == pytest.approx(350.0)
    assert not rows["Beta Shop"]["attention"]


def test_render_portfolio_links_an_account_whose_data_ends_earlier_to_its_latest_page(tmp_path: Path) -> None:
    links = {**LINKS, "Coastal Co": ("coastal-co/index.html", "coastal-co/weekly/2026-W44.html")}
    links["Beta Shop"] = ("beta-shop/index.html", "")
    html = page(tmp_path, portfolio_rows(KPIS, None, None, {}, WEEK, currency="USD"), links)
    assert '<a href="alpine-goods/weekly/2026-W47.html">this week\'s page</a>' in html
    assert '<a href="coastal-co/weekly/2026-W44.html">latest page (2026-W44)</a>' in html
    assert "beta-shop/weekly" not in html
    assert '<a href="beta-shop/index.html">Beta Shop</a>' in html


def test_week_page_is_the_weeks_page_else_the_latest_before_it_else_none(tmp_path: Path) -> None:
    folder = tmp_path / "coastal-co"
    (folder / "weekly").mkdir(parents=True)
    for name in ("2025-W52", "2026-W01", "2026-W09", "manifest"):
        (folder / "weekly" / f"{name}.html").write_text("x")
    assert week_page(folder, "2026-W09") == "coastal-co/weekly/2026-W09.html"
    assert week_page(folder, "2026-W15", "../") == "../coastal-co/weekly/2026-W09.html"
    assert week_page(folder, "2026-W05") == "coastal-co/weekly/2026-W01.html"  # across the year's end too
    assert week_page(folder, "2025-W40") == ""
    assert week_page(tmp_path / "no-pages", "2026-W09") == ""


def test_ask_money_of_accounts_in_two_currencies_is_answered_per_currency_never_summed() -> None:
    currencies = {"Alpine Goods": "EUR", "Beta Shop": "USD", "Coastal Co": "USD"}
    workspace = Workspace(as_kpis_daily(records(currencies=currencies)), None, Params(), "EUR")
    answer = ask("How much did I spend last week?", workspace)
    assert answer.headline.startswith("Your accounts bill in 2 currencies (EUR, USD), so each currency's accounts")
    # W47 spend: Alpine Goods 50 + 150 + 5 x 100 = 700 EUR; Beta Shop 7 x 200 + Coastal Co 7 x 60 = 1,820 USD
    # (W46: 7 x 200 + 7 x 40 = 1,680 USD, +8%). Never 2,520 of anything.
    heads = [line for line in answer.lines if line.startswith("In ")]
    assert heads == [
        "In EUR (account 'Alpine Goods'): You spent 700.00 EUR last week (2026-W47, 16-22 Nov), about the same as "
        "the week before (700.00 EUR).",
        "In USD (accounts 'Beta Shop', 'Coastal Co'): You spent 1,820.00 USD last week (2026-W47, 16-22 Nov), 8% "
        "more than the week before (1,680.00 USD).",
    ]
    # USD W47 purchase value 7 x 630 + 7 x 150 = 5,460 over 1,820: ROAS 3.00, of the USD accounts alone.
    usd = answer.lines[answer.lines.index(heads[1]) + 1]
    assert usd.startswith(
        "  Last week (2026-W47, 16-22 Nov): spend 1,820.00 USD, 91 purchases, purchase value 5,460.00 USD, ROAS 3.00,"
    )
    assert "2,520" not in answer.text()
    # Comparing the accounts stays one answer across currencies.
    assert ask("how are my accounts doing?", workspace).headline.startswith("3 accounts last week")


def test_ask_an_account_whose_currency_is_unknown_never_takes_another_accounts() -> None:
    currencies: dict[str, Any] = {"Alpine Goods": "EUR", "Beta Shop": None, "Coastal Co": "USD"}
    workspace = Workspace(as_kpis_daily(records(currencies=currencies)), None, Params(), "EUR")
    assert account_workspace(workspace, "Beta Shop").currency is None
    assert account_workspace(workspace, "Coastal Co").currency == "USD"
    answer = ask("How much did I spend last week?", workspace)
    assert "In an unknown currency (account 'Beta Shop'): You spent 1,400.00 last week" in answer.text()
    assert answer.headline.startswith("Your accounts bill in 3 currencies (EUR, USD, unknown)")


def test_ask_a_month_after_the_data_is_unknown_not_a_negative_span() -> None:
    # The data ends on Sun 22 Nov 2026: December 2026 is a whole month without data.
    answer = ask("What did I spend in December 2026?", WORKSPACE)
    assert answer.headline == (
        "Your spend in December 2026 (1-31 Dec) is unknown: there is no ad data in December 2026 (1-31 Dec) "
        "(the data runs 2026-11-09 to 2026-11-22)."
    )


def test_ask_a_named_campaign_of_one_currency_answers_there_and_says_where_it_is_not() -> None:
    currencies = {"Alpine Goods": "EUR", "Beta Shop": "USD", "Coastal Co": "USD"}
    kpis_daily = as_kpis_daily(records(currencies=currencies)).with_columns(
        pl.when(pl.col("account") == "Coastal Co").then(pl.lit("Winter")).otherwise("campaign").alias("campaign")
    )
    workspace = Workspace(kpis_daily, None, Params(), "EUR")
    answer = ask("Should I pause 'Winter'?", workspace)
    verdict = next(line for line in answer.lines if line.startswith("In USD"))
    assert "campaign 'Winter' in account 'Coastal Co'" in verdict
    # Coastal Co's 14 days: 7 x 40 + 7 x 60 = 700 USD spent, 14 purchases, 7 x 100 + 7 x 150 = 1,750 USD.
    assert "  Spend 700.00 USD, 14 purchases, purchase value 1,750.00 USD; CPA 50.00 USD vs target 40.00 USD." in (
        answer.lines
    )
    assert "In EUR (account 'Alpine Goods'): no campaign, ad set or ad named 'Winter' in the data." in answer.lines
    with pytest.raises(AdlabError) as error:  # nowhere: one line, said once
        ask("Should I pause 'Summer'?", workspace)
    assert str(error.value) == "no campaign, ad set or ad named 'Summer' in the data."


def test_portfolio_rows_judge_no_cpa_against_a_target_meant_in_another_currency() -> None:
    # The default CPA target 40 in a SEK account is about 3.80 USD: no flag, no colour against it. Coastal Co's
    # W47 CPA 420 / 7 = 60 is 50% over 40 in USD (flagged, red), not in SEK.
    for currency, judged in (("USD", True), ("SEK", False)):
        currencies = dict.fromkeys(DAYS, currency)
        coastal = rows_by_account(portfolio_rows(as_kpis_daily(records(currencies=currencies)), None, None, {}, WEEK))[
            "Coastal Co"
        ]
        assert coastal["cpa"] == pytest.approx(60.0)
        assert coastal["attention"] is judged
        assert coastal["tones"]["cpa"] == ("bad" if judged else None)


def test_accounts_that_need_attention_come_most_urgent_first_on_the_page_and_in_ask(tmp_path: Path) -> None:
    # Zebra Co: no purchase in W47 on as many link clicks (tracking, the most urgent); Alpine Goods: ROAS fell
    # 61%; Aardvark Co: CPA 60 against 40 only, like Coastal Co (same urgency, same ROAS change: name order);
    # Beta Shop: nothing. By name the flagged ones would read Aardvark, Alpine, Coastal, Zebra.
    days = {
        **DAYS,
        "Aardvark Co": DAYS["Coastal Co"],
        "Zebra Co": ([(100.0, 300.0, 3, 100)] * 7, [(100.0, 0.0, 0, 100)] * 7),
    }
    rows = portfolio_rows(as_kpis_daily(records(days)), None, None, {}, WEEK, currency="USD")
    assert rows_by_account(rows)["Zebra Co"]["reasons"][0].startswith("no purchase recorded on 700 link clicks")
    html = page(tmp_path, rows, {})
    body = html[html.index("<tbody>") :]
    order = ["Zebra Co", "Alpine Goods", "Aardvark Co", "Coastal Co", "Beta Shop"]
    assert sorted(order, key=lambda name: body.index(f">{name}<")) == order
    assert "4 of 5 accounts need attention: Zebra Co, Alpine Goods, Aardvark Co, Coastal Co." in html
    workspace = Workspace(as_kpis_daily(records(days)), None, Params(), "USD")
    flagged = [line for line in ask("how are my accounts doing?", workspace).lines if line.startswith("⚑")]
    assert [line.split(":")[0] for line in flagged] == [f"⚑ {name}" for name in order[:4]]
