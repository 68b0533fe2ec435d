"""The audit's pieces on small hand-built frames: the rate test, the dispersion, Benjamini-Hochberg, pacing, the
command's errors. Expected values are worked out by hand in each test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from adlab.audit import AuditSettings, audit_day
from adlab.audit.stats import dispersion, rate_test_p, with_q
from adlab.cli import app
from adlab.errors import AdlabError

runner = CliRunner()


def test_rate_test_p_zero_today_is_twice_the_binomial_tail() -> None:
    # 0 of 10 pooled events today with half the exposure: P(X <= 0) = 0.5^10 = 1/1024, two-sided 2/1024.
    p = rate_test_p(np.array([0.0]), np.array([100.0]), np.array([10.0]), np.array([100.0]), np.array([1.0]))
    assert p[0] == pytest.approx(2 / 1024)


def test_rate_test_p_dispersion_scales_counts_down() -> None:
    # phi = 2 halves the counts: 0 of 5 pooled events, P(X <= 0) = 0.5^5 = 1/32, two-sided 1/16.
    p = rate_test_p(np.array([0.0]), np.array([100.0]), np.array([10.0]), np.array([100.0]), np.array([2.0]))
    assert p[0] == pytest.approx(1 / 16)


def test_rate_test_p_untestable_without_exposure_is_nan() -> None:
    p = rate_test_p(np.array([3.0]), np.array([0.0]), np.array([10.0]), np.array([100.0]), np.array([1.0]))
    assert np.isnan(p[0])


def test_dispersion_pearson_chi_square_over_days_minus_one() -> None:
    # Days (10 of 100), (20 of 100): rate 0.15, chi-square (10-15)^2/15 + (20-15)^2/15 = 50/15, 1 degree of freedom.
    frame = pl.DataFrame({"ss": [10**2 / 100 + 20**2 / 100], "x": [30.0], "e": [200.0], "n": [2]})
    phi = frame.select(dispersion(pl.col("ss"), pl.col("x"), pl.col("e"), pl.col("n"))).item()
    assert phi == pytest.approx(50 / 15)


def test_with_q_benjamini_hochberg_per_account() -> None:
    tests = pl.DataFrame({"account": ["a", "a", "a", "a", "b", "b"], "p": [0.01, 0.04, 0.03, None, 0.5, 0.01]})
    # a: m = 3, sorted 0.01, 0.03, 0.04 -> 0.03, min(0.045, 0.04) = 0.04, 0.04; b: m = 2 -> 0.02, 0.5.
    assert with_q(tests, "account")["q"].to_list() == pytest.approx([0.03, 0.04, 0.04, None, 0.5, 0.02], nan_ok=True)


def _days(spend_today: float, budget: float | None = None) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """An ad spending 100 a day for 14 days with steady rates, then `spend_today` on 2026-03-15 at the same rates."""
    rows = []
    for offset in range(15):
        day = dt.date(2026, 3, 1) + dt.timedelta(days=offset)
        scale = (spend_today if offset == 14 else 100.0) / 100.0
        rows.append(
            {
                "date": day,
                "platform_source": "meta",
                "account": None,
                "campaign": "C",
                "adset": "S",
                "ad": "A",
                "spend": 100.0 * scale,
                "impressions": int(10_000 * scale),
                "link_clicks": int(150 * scale),
                "adds_to_cart": int(20 * scale),
                "checkouts": int(10 * scale),
                "purchases": int(5 * scale),
                "purchase_value": 250.0 * scale,
                "reach": None,
            }
        )
    kpis_daily = pl.DataFrame(rows, schema_overrides={"account": pl.String, "reach": pl.Int64})
    budgets = None
    if budget is not None:
        budgets = pl.DataFrame(
            {
                "date": [dt.date(2026, 3, 15)],
                "account": [None],
                "platform_source": ["meta"],
                "campaign": ["C"],
                "adset": ["S"],
                "budget": [budget],
                "budget_type": ["daily"],
                "budget_level": ["adset"],
            },
            schema_overrides={"account": pl.String},
        )
    return kpis_daily, budgets


def test_audit_day_steady_rates_and_spend_give_no_item() -> None:
    kpis_daily, _ = _days(100.0)
    audit = audit_day(kpis_daily, AuditSettings())
    assert audit.items.filter(pl.col("new")).is_empty()


def test_audit_day_overspend_against_daily_budget_names_the_ad_set() -> None:
    # 160 spent on a daily budget of 100: 60% over (threshold 50%); 60 of spend off plan.
    kpis_daily, budgets = _days(160.0, budget=100.0)
    audit = audit_day(kpis_daily, AuditSettings(), ad_insights=budgets)
    pacing = audit.items.filter(pl.col("kind") == "pacing")
    assert pacing.select("level", "adset", "metric", "value_t", "value_0", "money").rows() == [
        ("adset", "S", "overspend", 160.0, 100.0, 60.0)
    ]


def test_audit_day_date_outside_data_is_one_line() -> None:
    kpis_daily, _ = _days(100.0)
    with pytest.raises(AdlabError, match="outside the data, which runs from 2026-03-01 to 2026-03-15"):
        audit_day(kpis_daily, AuditSettings(), dt.date(2026, 4, 1))


def test_cli_audit_without_a_run_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    result = runner.invoke(app, ["--project", str(tmp_path), "audit"])
    assert result.exit_code == 1
    assert "does not exist yet; run `adlab report`" in result.output


def test_cli_audit_bad_date_and_unknown_account(tmp_path: Path) -> None:
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    _days(100.0)[0].write_parquet(processed / "kpis_daily.parquet")
    bad_date = runner.invoke(app, ["--project", str(tmp_path), "audit", "--date", "2026-02-30"])
    assert bad_date.exit_code == 1
    assert "--date '2026-02-30' is not a date" in bad_date.output
    unknown = runner.invoke(app, ["--project", str(tmp_path), "audit", "--account", "Nope"])
    assert unknown.exit_code == 1
    assert "Nope" in unknown.output
    fine = runner.invoke(app, ["--project", str(tmp_path), "audit", "--top", "3"])
    assert fine.exit_code == 0, fine.output
    assert fine.output.startswith("Audit of 2026-03-15 against 2026-03-01 .. 2026-03-14")
