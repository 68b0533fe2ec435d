"""Money settings against the account currency: implausible CPA targets named, volume gates scaled."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from adlab.currency import UNITS_PER_USD, amount_text, cpa_target_note, gate_amount, round_significant
from adlab.insights import Workspace, ask, best_for_segment
from adlab.params import Params, RecommendParams, TargetsParams
from adlab.report.weekly.tiles import headline_notes_html
from adlab.schema import AD_METRICS

DAY = dt.date(2026, 11, 23)


def test_units_per_usd_table_is_rough_but_sane():
    # Plausibility only: the rates the notes lean on have the right order of magnitude.
    assert UNITS_PER_USD["USD"] == 1.0
    assert 10_000 < UNITS_PER_USD["IDR"] < 25_000
    assert 100 < UNITS_PER_USD["JPY"] < 200
    assert 0.5 < UNITS_PER_USD["EUR"] < 2
    assert all(len(code) == 3 and code.isalpha() and code.isupper() for code in UNITS_PER_USD)
    assert all(rate > 0 for rate in UNITS_PER_USD.values())


def test_round_significant_and_amount_text_keep_two_figures():
    assert round_significant(652_000.0) == 650_000
    assert round_significant(0.002454) == pytest.approx(0.0025)
    assert amount_text(652_000.0, "IDR") == "650,000 IDR"
    assert amount_text(40 / 16_300, "USD") == "0.0025 USD"
    assert amount_text(40.0, "USD") == "40 USD"
    assert amount_text(4.8, "SEK") == "4.8 SEK"


def test_cpa_target_note_names_the_setting_and_a_value_in_the_right_order_of_magnitude_for_idr():
    note = cpa_target_note(40.0, "IDR")
    assert note is not None
    assert "`targets.cpa`" in note
    assert "params.yaml" in note
    assert "40 IDR" in note
    assert "USD" in note
    # 40 USD is about 40 x 16,000 = 640,000 IDR: the suggestion must be between 400,000 and 1,000,000 IDR.
    suggested = int(note.split("to about ")[1].split(" IDR")[0].replace(",", ""))
    assert 400_000 <= suggested <= 1_000_000


@pytest.mark.parametrize("currency", ["JPY", "KRW", "VND", "HUF", "CLP", "COP", "INR", "SEK", "NOK", "CZK", "MXN"])
def test_cpa_target_note_flags_a_usd_sized_target_in_far_currencies(currency):
    # 40 SEK is about 40 / 10.5 = 3.80 USD, 40 MXN about 2.35 USD: below any cost per purchase a shop aims for.
    assert "looks like a USD amount" in (cpa_target_note(40.0, currency) or "")


def test_cpa_target_note_suggests_a_sek_target_of_the_usd_amount():
    # 40 USD is about 40 x 10.5 = 420 SEK.
    assert "to about 420 SEK" in (cpa_target_note(40.0, "SEK") or "")
    assert cpa_target_note(400.0, "SEK") is None


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "AUD", "CAD", "NZD", "DKK", "PLN", "usd", None, "", "XYZ"])
def test_cpa_target_note_is_silent_for_a_plausible_target_or_unknown_currency(currency):
    assert cpa_target_note(40.0, currency) is None


def test_cpa_target_note_flags_a_target_far_too_high_for_the_currency():
    # 650,000 written for IDR but the account bills in USD: no purchase costs that much.
    note = cpa_target_note(650_000.0, "USD")
    assert note is not None
    assert "650,000 USD" in note
    assert "`targets.cpa`" in note
    assert "40 USD" in note
    assert "(about" not in note  # no USD equivalent of a USD amount


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        ("USD", 50.0),
        ("EUR", 50.0),  # 0.92 a dollar: close enough, the configured amount stands
        ("AUD", 50.0),
        ("IDR", 820_000.0),  # 50 x 16,300 = 815,000 -> two figures
        ("JPY", 7_500.0),  # 50 x 150
        ("SEK", 520.0),  # 50 x 10.5 = 525 -> 520 (round half to even)
        ("KWD", 16.0),  # 50 x 0.31 = 15.5 -> 16
        (None, 50.0),
        ("XYZ", 50.0),
    ],
)
def test_gate_amount_scales_a_usd_gate_only_far_from_the_dollar(currency, expected):
    assert gate_amount(50.0, currency) == pytest.approx(expected)


def _kpis_daily(spends: dict[str, float]) -> pl.DataFrame:
    """One day per ad: spend as given, 10 purchases worth 3 x spend each (ROAS 3.0)."""
    rows = [
        {
            "date": DAY,
            "platform_source": "meta",
            "campaign": "C",
            "adset": "S",
            "ad": ad,
            "spend": spend,
            "impressions": 100_000,
            "link_clicks": 1_000,
            "purchases": 10,
            "purchase_value": 3 * spend,
        }
        for ad, spend in spends.items()
    ]
    frame = pl.DataFrame(rows)
    absent = {**AD_METRICS, "reach": pl.Int64(), "account": pl.String()}
    return frame.with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in absent.items() if name not in frame.columns
    )


def test_best_for_segment_reads_segment_min_spend_as_usd_in_an_idr_account():
    # Gate 50 USD -> 820,000 IDR: the ad with 500,000 IDR (about 31 USD) is too thin, the 900,000 one ranks.
    kpis_daily = _kpis_daily({"Big": 900_000.0, "Small": 500_000.0})
    answer = best_for_segment(kpis_daily, None, {}, Params(), "ad", "roas", "IDR")
    assert "'Big'" in answer.headline
    assert "820,000 IDR" in answer.text()
    assert "1 other ad(s)" in answer.text()
    # The same figures in a USD account: both pass the 50 USD gate.
    assert "other ad" not in best_for_segment(kpis_daily, None, {}, Params(), "ad", "roas", "USD").text()


def _workspace(cpa: float, currency: str | None) -> Workspace:
    params = dataclasses.replace(
        Params(), targets=TargetsParams(cpa=cpa), recommend=RecommendParams(segment_min_spend=0.0)
    )
    return Workspace(_kpis_daily({"Big": 900_000.0, "Small": 500_000.0}), None, params, currency)


def test_ask_says_once_that_the_cpa_target_looks_like_usd():
    answer = ask("Should I pause my 'Big' ad?", _workspace(40.0, "IDR"))
    assert answer.text().count("`targets.cpa`") == 1
    assert answer.lines[-1].startswith("Your CPA target is 40 IDR")


def test_ask_says_nothing_about_the_target_when_it_is_plausible_or_the_currency_unknown():
    assert "targets.cpa" not in ask("Which ad is best?", _workspace(650_000.0, "IDR")).text()
    assert "targets.cpa" not in ask("Which ad is best?", _workspace(40.0, None)).text()


def test_headline_notes_html_escapes_and_marks_the_setting_as_code():
    html = headline_notes_html(None, "2026-W47", "IDR", target_cpa=40.0)
    assert html.count('<p class="note">') == 1
    assert "<code>targets.cpa</code>" in html
    assert "650,000 IDR" in html
    assert headline_notes_html(None, "2026-W47", "EUR", target_cpa=40.0) == ""
    assert headline_notes_html(None, "2026-W47", "", target_cpa=40.0) == ""
