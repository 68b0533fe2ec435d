"""End to end: a copy of the project runs `dvc repro` on a small fixture; figures worked out by hand.

Fixture (tests/fixtures/e2e), GBP, ISO weeks W46 = Nov 9-15 and W47 = Nov 16-22 2026:
  meta_old.csv (window Nov 9-20): totals row; X Nov 10 (100 spent, 10000 impr, 200 link clicks,
      4 purchases, 400 value); X Nov 17 (150, 12000, 240, 6, 540); Y Nov 18 (50, 5000, 50, 0, 0);
      Z Nov 20 (80, ...) -> replaced by the newer export.
  meta_new.csv (window Nov 20-22): Z Nov 20 (90, 7000, 70, 2, 200); Z Nov 22 (100, 8000, 80, 2, 260);
      Y Nov 21 with spend -5 (quarantined by validate); a row dated 2026-13-01 (quarantined by ingest).
  shopify_orders.csv: #1001 Nov 10 (120, two line items); #1002 Nov 17 (200); #1003 Nov 18 (150, 50
      refunded); #1004 Nov 19 voided; #1005 Nov 22 23:30 -0500 (100; order date as written = Nov 22);
      #1006 Nov 23 (next week).
W47: spend 150+50+90+100 = 390; value 540+0+200+260 = 1000; purchases 10; impressions 32000;
     link clicks 440; ROAS 1000/390; CPA 39; CTR 440/32000; CPM 390/32000*1000 = 12.1875;
     CVR 10/440; AOV 100; orders 3 (#1002, #1003, #1005); revenue 200 + 100 + 100 = 400; MER 400/390.
W46: spend 100; value 400; ROAS 4; orders 1; revenue 120; MER 1.2.
Ledger: in = 5 + 4 + 7 = 16; kept 3 + 2 + 7 = 12; replaced 1; totals 1; quarantined 2.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from conftest import copy_project, dvc

pytestmark = pytest.mark.slow


def test_dvc_repro_summary_matches_hand_worked_figures(project):
    summary = json.loads((project / "metrics" / "summary.json").read_text())
    assert summary["week"] == "2026-W47"
    assert summary["currency"] == "GBP"
    assert summary["data_source"] == "raw"
    assert summary["spend"] == pytest.approx(390.0)
    assert summary["purchase_value"] == pytest.approx(1000.0)
    assert summary["purchases"] == 10
    assert summary["impressions"] == 32000
    assert summary["link_clicks"] == 440
    assert summary["roas"] == pytest.approx(1000 / 390, abs=1e-6)
    assert summary["cpa"] == pytest.approx(39.0)
    assert summary["ctr"] == pytest.approx(440 / 32000)
    assert summary["cpm"] == pytest.approx(12.1875)
    assert summary["cvr"] == pytest.approx(10 / 440, abs=1e-6)
    assert summary["aov"] == pytest.approx(100.0)
    assert summary["orders"] == 3
    assert summary["revenue"] == pytest.approx(400.0)
    assert summary["mer"] == pytest.approx(400 / 390, abs=1e-6)
    previous = summary["previous"]
    assert (previous["week"], previous["spend"], previous["roas"]) == ("2026-W46", 100.0, 4.0)
    assert (previous["orders"], previous["revenue"], previous["mer"]) == (1, 120.0, 1.2)
    assert summary["rows"] == {"in": 16, "kept": 12, "replaced": 1, "totals": 1, "quarantined": 2}


def test_dvc_repro_writes_tables_quarantine_and_reports(project):
    weekly = pl.read_parquet(project / "data" / "processed" / "kpis_weekly.parquet")
    x = weekly.filter((pl.col("week") == "2026-W47") & (pl.col("ad") == "Ad X")).row(0, named=True)
    assert (x["spend"], x["roas"], x["days"]) == (150.0, 3.6, 1)
    quarantine = pl.read_parquet(project / "data" / "quarantine" / "ad_insights.parquet")
    assert sorted(quarantine["reason"].to_list()) == ["`Day` is not a date", "spend is negative"]
    assert set(quarantine["source_row"].to_list()) == {4, 5}
    for page in ("index.html", "quality.html", "customers.html", "weekly/2026-W47.html", "weekly/2026-W46.html"):
        assert (project / "reports" / page).is_file(), page
    html = (project / "reports" / "weekly" / "2026-W47.html").read_text()
    assert "sample data" not in html.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html


def test_dvc_repro_customers_page_and_summary_say_no_month_is_over_yet(project):
    # The fixture's orders run from 10 to 23 November 2026: no month has ended, so there is no cohort yet.
    customers = json.loads((project / "metrics" / "summary.json").read_text())["customers"]
    assert (customers["first_order"], customers["through"]) == ("2026-11-10", "2026-11-23")
    assert (customers["cohorts"], customers["customers"], customers["ltv_1m"], customers["payback_months"]) == (
        0,
        0,
        None,
        None,
    )
    page = (project / "reports" / "customers.html").read_text()
    assert "No month of the order history has ended yet (orders 10 Nov 2026 – 23 Nov 2026)" in page
    assert 'href="customers.html"' in (project / "reports" / "index.html").read_text()
    assert 'href="../customers.html"' in (project / "reports" / "weekly" / "2026-W47.html").read_text()


def test_dvc_repro_our_own_markup_is_never_shown_as_text(project):
    """Notes written in this package (`<code>data/raw/</code>`, `<strong>`) render as markup on every page;
    only text from files is escaped."""
    for path in (project / "reports").rglob("*.html"):
        page = path.read_text()
        for tag in ("code", "strong", "em", "a "):
            assert f"&lt;{tag}" not in page, (path.name, tag)
            assert f"&lt;/{tag.strip()}&gt;" not in page, (path.name, tag)


def test_dvc_repro_personal_data_never_reaches_outputs(project):
    for folder in ("data/interim", "data/processed", "data/quarantine", "reports", "metrics"):
        for path in (project / folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for secret in (b"ann@example.com", b"Ann Avery", b"4 High St", b"+44 20 7946 0000"):
                    assert secret not in data, f"{secret!r} found in {path}"


def test_dvc_repro_second_run_is_a_no_op(project):
    result = dvc(project, "repro")
    assert result.returncode == 0
    assert "Data and pipelines are up to date" in result.stdout


def test_dvc_repro_target_change_rerenders_without_reingesting(project):
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("roas: 2.5", "roas: 3.0"))
    result = dvc(project, "repro")
    assert result.returncode == 0, result.stderr
    assert "Running stage 'report'" in result.stdout
    assert "Running stage 'ingest'" not in result.stdout
    assert "Running stage 'kpis'" not in result.stdout


def test_dvc_repro_unknown_file_stops_with_one_line(tmp_path):
    dest = copy_project(tmp_path / "project")
    (dest / "data" / "raw" / "notes.csv").write_text("Campaign name,Day,Impressions\nA,2026-11-01,5\n")
    result = dvc(dest, "repro", "ingest")
    assert result.returncode != 0
    assert "data/raw/notes.csv: not a known export; the closest kind is meta_ads" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
