"""reports/audit.html and the audit section of the latest weekly page, on a hand-built account with one planted
drop. Expected p- and q-values are worked out independently (scipy's binomial and a Benjamini-Hochberg written
here), never read from the audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import binom

from adlab.audit import AuditSettings, audit_day
from adlab.kpis.formulas import kpi_exprs
from adlab.params import Params
from adlab.report import build
from adlab.report.audit_page import audit_page_html, audit_unavailable_html
from adlab.report.weekly.audit import audit_section_html

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "weekly_report.ipynb"
FIRST, LAST = dt.date(2026, 3, 2), dt.date(2026, 3, 22)  # Mon .. Sun: ISO weeks 10, 11 and 12, all complete
ADS = ("A1", "A2", "A3", "A4")
TEST = "exact conditional Poisson rate test"


def _kpis_daily(factor: float = 0.1) -> pl.DataFrame:
    """Four ads of one ad set, each day alike (100 spent, 10,000 impressions, 200 link clicks, 40 adds to cart,
    20 checkouts, 10 purchases worth 220); on the last day A1's clicks and everything after them fall to
    `factor` while its spend and impressions hold."""
    rows = []
    day = FIRST
    while day <= LAST:
        for ad in ADS:
            f = factor if (ad == "A1" and day == LAST) else 1.0
            rows.append(
                {
                    "date": day,
                    "platform_source": "meta",
                    "account": None,
                    "campaign": "C",
                    "adset": "S",
                    "ad": ad,
                    "spend": 100.0,
                    "impressions": 10_000,
                    "link_clicks": round(200 * f),
                    "adds_to_cart": round(40 * f),
                    "checkouts": round(20 * f),
                    "purchases": round(10 * f),
                    "purchase_value": 220.0 * f,
                    "reach": None,
                }
            )
        day += dt.timedelta(days=1)
    return pl.DataFrame(rows, schema_overrides={"account": pl.String, "reach": pl.Int64})


def _p(k: float, n: float, share: float) -> float:
    """Two-sided exact conditional test of two Poisson rates: today's k of the pooled n ~ Binomial(n, share)."""
    return float(min(1.0, 2 * min(binom.cdf(k, n, share), binom.sf(k - 1, n, share))))


def _bh(p: list[float]) -> list[float]:
    """Benjamini-Hochberg q of each p (same order)."""
    order = np.argsort(p)
    m = len(p)
    ranked = np.array(p)[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    q = np.empty(m)
    q[order] = q_sorted
    return q.tolist()


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_audit_page_puts_the_planted_drop_first_with_its_test_and_q() -> None:
    audit = audit_day(_kpis_daily(), AuditSettings())
    page = audit_page_html(audit, {None: "USD"}, fdr=0.1)
    # 7 entities (the account, C, S and 4 ads) x 6 rates (CTR, CVR, checkouts completed, CPM, CPA, ROAS), all
    # testable: 42 tests. Baseline days are identical, so the dispersion is 1. Only A1's line moved: A1 and
    # (alike) S, C and the account see clicks per impression and purchases (and value in units of the AOV of 22)
    # per unit spent fall; today's share of the pooled exposure is 1/15 everywhere (1 day of 15).
    p = {
        "ad_ctr": _p(20, 20 + 14 * 200, 1 / 15),
        "ad_per_spend": _p(1, 1 + 14 * 10, 1 / 15),
        "up_ctr": _p(620, 620 + 14 * 800, 1 / 15),
        "up_per_spend": _p(31, 31 + 14 * 40, 1 / 15),
    }
    family = [p["ad_ctr"], *[p["ad_per_spend"]] * 2, *[p["up_ctr"]] * 3, *[p["up_per_spend"]] * 6]
    q = _bh(family + [1.0] * (42 - len(family)))
    expected = {"CTR": q[0], "CPA": q[1], "ROAS": q[2]}
    items = re.findall(r'<section class="audit-item">(.*?)</section>', page)
    first = _text(items[0])
    head = re.search(r"^ *1\. Ad 'A1' \(campaign 'C' / ad set 'S'\): (CTR|CPA|ROAS) (fell|rose)\.", first)
    assert head is not None, first
    metric = head.group(1)
    assert f"Test: {TEST} (quasi-Poisson dispersion of the baseline days), q = {expected[metric]:.2g}." in first
    assert expected[metric] < 0.1
    assert "Also moves: ad set 'S'" in first
    assert TEST in _text(page)
    assert "over the 42 tests of the day, on 7 entities judged" in _text(page)
    assert "Benjamini-Hochberg" in page
    assert "<script" not in page
    assert "http" not in page


def test_audit_page_says_why_without_days() -> None:
    page = audit_unavailable_html("the ad exports have no days (reporting windows only)")
    assert "No audit: the ad exports have no days (reporting windows only)" in _text(page)


def test_audit_section_shows_on_the_audit_week_only() -> None:
    lines = ["1. Ad 'A1': CTR fell · 176.00 USD at stake · q = 1e-09."]
    shown = audit_section_html("2026-W12", "2026-W12", "2026-03-22", lines)
    assert "Ad &#x27;A1&#x27;: CTR fell" in shown
    assert 'href="../audit.html"' in shown
    assert audit_section_html("2026-W11", "2026-W12", "2026-03-22", lines) == ""
    assert audit_section_html("2026-W12", "", "", []) == ""


@pytest.fixture
def project(tmp_path: Path) -> build.ReportPaths:
    kpis_path = tmp_path / "kpis_daily.parquet"
    # The columns of the kpis stage the other pages read: the rest unknown (null), the ratios from the sums.
    unknown = ("landing_page_views", "video_3s_plays", "thruplays", *(f"video_p{n}" for n in (25, 50, 75, 100)))
    daily = _kpis_daily().with_columns(
        pl.col("link_clicks").alias("clicks"), *[pl.lit(None, pl.Int64).alias(name) for name in unknown]
    )
    daily.with_columns(kpi_exprs()).write_parquet(kpis_path)
    none = Path("")
    return build.ReportPaths(
        kpis_daily=kpis_path,
        kpis_weekly=none,
        results_daily=none,
        kpis_period=none,
        orders=none,
        store_sales=none,
        sessions=none,
        ad_insights=none,
        ledger=none,
        warnings=none,
        recommendations=none,
        creatives=none,
        summary=tmp_path / "summary.json",
        notebook=NOTEBOOK,
        out_dir=tmp_path / "reports",
        daily_plot=tmp_path / "account_daily.csv",
    )


def test_only_the_latest_weekly_page_carries_the_audit_and_only_it_rerenders_when_the_audit_changes(
    project: build.ReportPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []

    def render_all(pending: list[build.PendingPages]) -> None:  # the notebook's audit cell, without papermill
        for item in pending:
            for week in item.weeks:
                given = item.parameters
                items = given["audit_items"].splitlines()
                section = audit_section_html(week, given["audit_week"], given["audit_day"], items)
                item.paths.weekly_dir.mkdir(parents=True, exist_ok=True)
                (item.paths.weekly_dir / f"{week}.html").write_text(section or "no audit", encoding="utf-8")
                item.manifest[week] = item.digests[week]
                rendered.append(week)

    monkeypatch.setattr(build, "render_all", render_all)
    settings = dataclasses.replace(Params(), report=dataclasses.replace(Params().report, weeks=3))
    build.build_reports(project, settings)
    assert sorted(rendered) == ["2026-W10", "2026-W11", "2026-W12"]
    pages = {week: (project.weekly_dir / f"{week}.html").read_text() for week in rendered}
    assert "Ad &#x27;A1&#x27;" in pages["2026-W12"]
    assert "Audit of 2026-03-22" in pages["2026-W12"]
    assert pages["2026-W11"] == pages["2026-W10"] == "no audit"
    assert "Audit of 2026-03-22" in (project.out_dir / "audit.html").read_text()
    # A stricter audit drops the 90% fall (min_change 0.95): the latest page changes, the earlier ones do not.
    rendered.clear()
    stricter = dataclasses.replace(settings, audit=dataclasses.replace(settings.audit, min_change=0.95))
    build.build_reports(project, stricter)
    assert rendered == ["2026-W12"]
    assert "Ad &#x27;A1&#x27;: CTR" not in (project.weekly_dir / "2026-W12.html").read_text()


def test_audit_calls_name_their_tactic_and_take_its_thresholds_from_tactics() -> None:
    # A2 never sells: 100 a day over the 14-day lookback is 1,400 spent without a purchase, >= 3 x target CPA 40.
    # The others sell 300 a day, so the ad set's ROAS, 900 / 400 = 2.25, lies between break-even 2 and target 2.5.
    never = pl.col("ad") == "A2"
    daily = _kpis_daily(1.0).with_columns(
        pl.when(never).then(0).otherwise(pl.col("purchases")).alias("purchases"),
        pl.when(never).then(0.0).otherwise(300.0).alias("purchase_value"),
    )

    def stop_losses(tactics: dict[str, dict[str, object]]) -> list[tuple[str, str]]:
        settings = AuditSettings.from_params(dataclasses.replace(Params(), tactics=tactics))
        items = audit_day(daily, settings).items.filter(pl.col("kind") == "stop_loss")
        return items.select("ad", "rule").rows()

    rule = "tactic stop_loss: no purchase after {} x target CPA (tactics.stop_loss.cpa_multiple)"
    assert stop_losses({}) == [("A2", rule.format(3))]
    assert stop_losses({"stop_loss": {"cpa_multiple": 30}}) == [("A2", rule.format(30))]  # 1,200 <= 1,400
    assert stop_losses({"stop_loss": {"cpa_multiple": 40}}) == []  # 1,600 > 1,400
    assert stop_losses({"stop_loss": {"enabled": False}}) == []
