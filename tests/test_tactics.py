"""Tactics as settings: params.yaml `tactics:`, inherited from the older keys, per account, and the calls they make."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from adlab.creatives import creatives_settings
from adlab.errors import AdlabError
from adlab.insights import recommendations
from adlab.params import Params, load_params
from adlab.report.weekly.recommendations import recommendations_html
from adlab.schema import AD_METRICS
from adlab.tactics import tactics_of

DAY = dt.date(2026, 11, 23)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def kpis_daily(rows: list[dict[str, object]]) -> pl.DataFrame:
    """kpis_daily of the literal rows (campaign C), the metric columns they do not give as nulls."""
    frame = pl.DataFrame(rows, schema_overrides={"purchases": pl.Int64})
    missing = {**AD_METRICS, "reach": pl.Int64(), "account": pl.String()}
    return frame.with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in missing.items() if name not in frame.columns
    ).with_columns(pl.lit("C").alias("campaign"))


def test_tactics_of_an_old_params_yaml_take_the_older_keys(tmp_path):
    params = load_params(
        write(
            tmp_path,
            "recommend:\n  stop_loss_cpa_multiple: 4\n  max_budget_step: 0.1\ncreatives:\n  fatigue_ctr_drop: 0.3\n",
        )
    )
    tactics = tactics_of(params)
    assert tactics.stop_loss.cpa_multiple == 4.0
    assert tactics.scale_winner.budget_step == 0.1
    assert tactics.sunset_decliner.budget_step == 0.1
    assert tactics.refresh_fatigued.ctr_drop == 0.3
    assert tactics.scale_winner.min_purchases == 10  # recommend's default


def test_tactics_given_win_over_the_older_keys_and_accounts_override_them(tmp_path):
    params = load_params(
        write(
            tmp_path,
            "recommend: {stop_loss_cpa_multiple: 4}\n"
            "tactics:\n  stop_loss: {cpa_multiple: 2}\n  sunset_decliner: {enabled: false}\n"
            'accounts:\n  "Nordic": {tactics: {stop_loss: {confidence: 0.95}}}\n',
        )
    )
    assert tactics_of(params).stop_loss.cpa_multiple == 2.0
    assert tactics_of(params).sunset_decliner.enabled is False
    nordic = tactics_of(params.for_account("Nordic"))
    assert (nordic.stop_loss.cpa_multiple, nordic.stop_loss.confidence) == (2.0, 0.95)
    assert nordic.sunset_decliner.enabled is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tactics: {stop_lose: {}}\n", "`tactics.stop_lose` is not a tactic; known: stop_loss, scale_winner"),
        ("tactics: {stop_loss: {multiple: 2}}\n", "`tactics.stop_loss.multiple` is not a setting"),
        ("tactics: {scale_winner: {budget_step: 1.5}}\n", "`tactics.scale_winner.budget_step` must be a fraction"),
        ("tactics: {stop_loss: {confidence: 0.3}}\n", "`tactics.stop_loss.confidence` must be a probability"),
        ("tactics: {sunset_decliner: {weeks: one}}\n", "`tactics.sunset_decliner.weeks` = 'one' should be a int"),
        (
            'accounts: {"A": {tactics: {sunset_decliner: {min_drop: 2.0}}}}\n',
            '`accounts."A".tactics.sunset_decliner.min_drop` must be a fraction',
        ),
    ],
)
def test_bad_tactics_are_one_clear_line(tmp_path, text, message):
    with pytest.raises(AdlabError) as raised:
        load_params(write(tmp_path, text))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_disabled_stop_loss_makes_no_stop_loss_call():
    # 130 spent without a purchase is >= 3 x target CPA 40: the stop-loss pauses it. Disabled, 130 >= 120 still
    # keeps it out of `wait` (it is not too little data), so it is kept.
    frame = kpis_daily([{"date": DAY, "adset": "S", "ad": "A", "spend": 130.0, "purchases": 0, "purchase_value": 0.0}])
    on = recommendations(frame, Params())
    assert on.select("level", "action", "tactic").rows() == [("ad", "pause", "stop_loss")]
    off = recommendations(frame, Params(tactics={"stop_loss": {"enabled": False}}))
    assert off.select("level", "action", "tactic").rows() == [("ad", "keep", None)]


def test_the_weekly_card_names_the_tactic_of_the_call():
    # The same 130 spent without a purchase: the card of the pause names tactic stop_loss beside its confidence.
    frame = kpis_daily([{"date": DAY, "adset": "S", "ad": "A", "spend": 130.0, "purchases": 0, "purchase_value": 0.0}])
    page = recommendations_html(recommendations(frame, Params()), "2026-W48", "USD", for_week="2026-W48")
    assert "tactic <code>stop_loss</code>" in page


def test_the_creatives_stage_takes_fatigue_thresholds_from_each_accounts_refresh_fatigued_tactic(tmp_path):
    # Older keys: creatives.fatigue_min_days 10; the tactic says 21 at the top and 9 for account "B".
    params = load_params(
        write(
            tmp_path,
            "creatives: {fatigue_min_days: 10, fatigue_ctr_drop: 0.3}\n"
            "tactics: {refresh_fatigued: {min_days: 21}}\n"
            "accounts: {B: {tactics: {refresh_fatigued: {min_days: 9, frequency_rise: 0.5}}}}\n",
        )
    )
    top, own = creatives_settings(params, None), creatives_settings(params, "B")
    assert (top.fatigue_min_days, top.fatigue_ctr_drop, top.fatigue_frequency_rise) == (21, 0.3, 0.2)
    assert (own.fatigue_min_days, own.fatigue_ctr_drop, own.fatigue_frequency_rise) == (9, 0.3, 0.5)
    # Without tactics: the older keys, as before.
    plain = creatives_settings(load_params(write(tmp_path, "creatives: {fatigue_min_days: 10}\n")), None)
    assert plain.fatigue_min_days == 10


def test_a_paused_past_winner_gets_a_revive_row():
    # Ad W spent 100 a day from Oct 1 to Oct 20 with 5 purchases worth 500 a day (ROAS 5 vs target 2.5), then
    # nothing; ad L keeps spending to Nov 23. Window Nov 10..23: W spent nothing in it, last spend Oct 20 (34 days
    # before Nov 23, <= 90). Its last 14 days of delivery, Oct 7..20: 70 purchases, 7,000 on 1,400: revive it at
    # 1,400 / 14 = 100 a day.
    rows = [
        {"date": dt.date(2026, 10, 1) + dt.timedelta(days=i), "adset": "S1", "ad": "W", "spend": 100.0,
         "purchases": 5, "purchase_value": 500.0}
        for i in range(20)
    ] + [
        {"date": dt.date(2026, 11, 10) + dt.timedelta(days=i), "adset": "S2", "ad": "L", "spend": 10.0,
         "purchases": 0, "purchase_value": 0.0}
        for i in range(14)
    ]  # fmt: skip
    table = recommendations(kpis_daily(rows), Params())
    revived = table.filter(pl.col("action") == "revive")
    assert revived.select("level", "entity", "tactic", "period_start", "period_end", "spend", "purchases").rows() == [
        ("ad", "W", "revive_paused_winner", dt.date(2026, 10, 7), dt.date(2026, 10, 20), 1400.0, 70)
    ]
    assert revived["budget_change"].to_list() == [None]
    assert revived["reason"][0].startswith("off since 2026-10-20 (34 days, <= 90)")
    assert "; turn it back on at about 100.00 a day" in revived["reason"][0]
    # The ad set S1 (the same figures) is one decision with its only ad: one row, the ad's.
    assert table.filter(pl.col("entity") == "S1").height == 0
    assert (
        recommendations(kpis_daily(rows), Params(tactics={"revive_paused_winner": {"max_days_off": 30}}))
        .filter(pl.col("action") == "revive")
        .height
        == 0
    )


def test_a_steady_decliner_kept_by_the_window_rules_is_sunset():
    # Four 7-day blocks ending Nov 23, 100 spent and 3 purchases a day; block spend 700, values (oldest first)
    # 2,100 / 1,750 / 1,540 / 1,435 -> ROAS 3.00, 2.50, 2.20, 2.05 (-31.7%), last below target 2.5 and above
    # break-even 2.0; the window (last 14 days) has ROAS (1,540 + 1,435) / 1,400 = 2.125,
    # not credibly below break-even: kept by the window rules, then sunset (-20%).
    values = [300.0] * 7 + [250.0] * 7 + [220.0] * 7 + [205.0] * 7
    rows = [
        {"date": DAY - dt.timedelta(days=27 - i), "adset": "S", "ad": "A", "spend": 100.0, "purchases": 3,
         "purchase_value": value}
        for i, value in enumerate(values)
    ]  # fmt: skip
    table = recommendations(kpis_daily(rows), Params())
    ad = table.filter(pl.col("level") == "ad").row(0, named=True)
    assert (ad["action"], ad["tactic"], ad["budget_change"]) == ("sunset", "sunset_decliner", -0.2)
    assert ad["reason"] == (
        "ROAS fell every week for 4 weeks, 3.00 -> 2.50 -> 2.20 -> 2.05 (-32%, >= 30%), now below target 2.5; "
        "cut the budget by 20%; it is the only ad of its ad set"
    )
    # Purchases per unit spend did not change (21 in each block): P(rate fell) is one half.
    assert ad["confidence"] == pytest.approx(0.5, abs=1e-4)
