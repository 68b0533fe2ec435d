"""End to end: exports without days (one row per reporting window) give one page per window; by hand.

Files (USD), written by the test:
  october.csv   1-31 Oct 2026, ad level: Ad A (Prospecting) 100 spent, 10000 impr, 200 link clicks, 4 purchases,
                300 value; `<img ...>` (Retargeting) 300, 30000, 100, 1, 100.
  age.csv       the same window by age x gender for Ad A: female 25-34 60 spent, 240 value; male 25-34 40, 60.
  last_week.csv 25-31 Oct 2026 (7 days), Ad A: 30 spent, 90 value.
October: spend 400, value 400, purchases 5, impressions 40000, link clicks 300 -> ROAS 1.0, CPA 80,
  CTR 300 / 40000, CPM 10, CVR 5 / 300, AOV 80. Both windows end on Sat 31 Oct 2026 (ISO week 2026-W44);
  the longer one, October, is the summary's. Female 25-34 ROAS 4.00x, male 1.50x.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import copy_project, dvc

pytestmark = pytest.mark.slow

HEADER = (
    '"Reporting starts","Reporting ends","Campaign name","Ad set name","Ad name",{extra}"Amount spent (USD)",'
    'Impressions,"Link clicks",Purchases,"Purchases conversion value","Attribution setting"\n'
)
ATTRIBUTION = "7-day click or 1-day view"
FILES = {
    "october.csv": HEADER.format(extra="")
    + f"2026-10-01,2026-10-31,Prospecting,Broad,Ad A,100.00,10000,200,4,300.00,{ATTRIBUTION}\n"
    + "2026-10-01,2026-10-31,Retargeting,Visitors,<img src=x onerror=alert(1)>,"
    + f"300.00,30000,100,1,100.00,{ATTRIBUTION}\n",
    "age.csv": HEADER.format(extra="Age,Gender,")
    + f"2026-10-01,2026-10-31,Prospecting,Broad,Ad A,25-34,female,60.00,6000,120,3,240.00,{ATTRIBUTION}\n"
    + f"2026-10-01,2026-10-31,Prospecting,Broad,Ad A,25-34,male,40.00,4000,80,1,60.00,{ATTRIBUTION}\n",
    "last_week.csv": HEADER.format(extra="")
    + f"2026-10-25,2026-10-31,Prospecting,Broad,Ad A,30.00,2000,40,1,90.00,{ATTRIBUTION}\n",
}


@pytest.fixture(scope="module")
def period_project(tmp_path_factory: pytest.TempPathFactory):
    project = copy_project(tmp_path_factory.mktemp("e2e_period") / "project")
    for name, text in FILES.items():
        (project / "data" / "raw" / name).write_text(text, encoding="utf-8")
    result = dvc(project, "repro")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_dvc_repro_period_only_summary_holds_the_window_figures_and_every_contract_key(period_project):
    summary = json.loads((period_project / "metrics" / "summary.json").read_text())
    assert summary["week"] == "2026-W44"
    assert summary["period"] == {"start": "2026-10-01", "end": "2026-10-31", "days": 31}
    assert (summary["spend"], summary["purchase_value"], summary["purchases"]) == (400.0, 400.0, 5)
    assert (summary["impressions"], summary["link_clicks"]) == (40000, 300)
    assert summary["roas"] == pytest.approx(1.0)
    assert summary["cpa"] == pytest.approx(80.0)
    assert summary["ctr"] == pytest.approx(300 / 40000)
    assert summary["cpm"] == pytest.approx(10.0)
    assert summary["cvr"] == pytest.approx(5 / 300, abs=1e-6)
    assert summary["aov"] == pytest.approx(80.0)
    keys = [
        "week",
        "currency",
        "spend",
        "purchase_value",
        "purchases",
        "impressions",
        "link_clicks",
        "roas",
        "cpa",
        "ctr",
        "cpm",
        "cvr",
        "aov",
        "orders",
        "revenue",
        "mer",
    ]
    assert [key for key in [*keys, "previous", "rows"] if key not in summary] == []
    assert [key for key in keys if key not in summary["previous"] and key != "currency"] == []
    assert summary["rows"] == {"in": 5, "kept": 5, "replaced": 0, "totals": 0, "quarantined": 0}


def test_dvc_repro_period_only_renders_one_page_per_window_titled_with_its_dates(period_project):
    reports = period_project / "reports"
    html = (reports / "weekly" / "2026-10-01_2026-10-31.html").read_text()
    assert "<h1>1 Oct 2026 – 31 Oct 2026" in html
    assert re.search(r'tile-label">Spend</div><div class="tile-value">\$400\.00<', html)
    assert re.search(r'tile-label">ROAS</div><div class="tile-value">1\.00x<', html)
    assert "4.00x" in html  # female 25-34, from the age x gender export of the same window
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert "25 Oct 2026 – 31 Oct 2026" in (reports / "weekly" / "2026-10-25_2026-10-31.html").read_text()
    assert 'href="2026-10-01_2026-10-31.html"' in (reports / "weekly" / "2026-W44.html").read_text()
    index = (reports / "index.html").read_text()
    assert 'href="weekly/2026-10-01_2026-10-31.html"' in index
    assert 'href="weekly/2026-10-25_2026-10-31.html"' in index
