"""The reports in a real browser: headless Chromium (Debian's, never a downloaded one) opens them from file://.

A page must draw its charts offline, fetch nothing, raise no script error, show the figures of
metrics/summary.json, and show a script-like ad name as text without running it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
XSS = "<img src=x onerror=alert(1)>"
LOCAL_SCHEMES = ("file:", "data:", "blob:")
# Tile label -> summary.json key and how the page shows it (percent tiles carry the fraction x 100).
TILES = {
    "Spend": ("spend", 1),
    "Purchase value": ("purchase_value", 1),
    "ROAS": ("roas", 1),
    "CPA": ("cpa", 1),
    "CTR": ("ctr", 100),
    "CPM": ("cpm", 1),
    "CVR": ("cvr", 100),
    "AOV": ("aov", 1),
    "MER": ("mer", 1),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run browser tests")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


class Visit:
    """A page opened from file:// with every request, script error and dialog recorded."""

    def __init__(self, browser: sync_api.Browser, path: Path, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=True)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def _dialog(self, dialog: sync_api.Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check_clean(self) -> None:
        assert self.errors == []
        assert self.dialogs == []
        remote = [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]
        assert remote == [], f"requests left the machine: {remote}"
        assert self.page.evaluate("document.querySelectorAll('img[src=\"x\"], img[onerror]').length") == 0

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        self.page.screenshot(path=str(path), full_page=full_page)
        print(f"screenshot: {path}")
        return path


def number(text: str) -> float:
    """The number in a figure as shown: `£1,234.50` -> 1234.5, `2.56x` -> 2.56, `1.38%` -> 1.38."""
    match = re.search(r"-?[\d,]+(\.\d+)?", text)
    assert match, text
    return float(match.group(0).replace(",", ""))


def test_weekly_report_offline_charts_figures_and_escaped_names(project, browser, tmp_path):
    summary = json.loads((project / "metrics" / "summary.json").read_text())
    visit = Visit(browser, project / "reports" / "weekly" / f"{summary['week']}.html")
    page = visit.page
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=15000)
    charts = page.locator(".js-plotly-plot").count()
    drawn = page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')].filter(d => d.querySelector('svg')).length"
    )
    assert drawn >= 3
    assert drawn == charts
    year, week = summary["week"].split("-W")
    assert page.locator("h1").inner_text().startswith(f"Week {int(week)}, {year}")
    assert summary["week"] in page.locator("h1").inner_text()

    tiles = {
        page.locator(".tile").nth(i).locator(".tile-label").inner_text().strip().lower(): page.locator(".tile")
        .nth(i)
        .locator(".tile-value")
        .inner_text()
        for i in range(page.locator(".tile").count())
    }
    for label, (key, scale) in TILES.items():
        shown = tiles[label.lower()]
        places = 2 if abs(summary[key] * scale) < 10_000 else 0
        assert number(shown) == pytest.approx(round(summary[key] * scale, places), abs=10**-places), label
    assert "£" in tiles["spend"]

    # The planted ad name is on the page as text, in the table and the chart labels, and never ran.
    assert page.get_by_text(XSS, exact=True).count() >= 1
    assert XSS in page.locator("body").inner_text()
    for section in ("What to do this week", "Why ROAS moved", "Creative leaderboard", "Data quality"):
        assert page.locator("h2", has_text=section).count() == 1
    visit.check_clean()
    visit.screenshot(tmp_path / "weekly-top.png")
    visit.screenshot(tmp_path / "weekly-full.png", full_page=True)

    phone = Visit(browser, project / "reports" / "weekly" / f"{summary['week']}.html", width=390)
    phone.page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3")
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, "the page scrolls sideways at phone width"
    phone.check_clean()
    phone.screenshot(tmp_path / "weekly-phone.png")


def test_index_lists_weeks_with_headline_figures_and_links(project, browser, tmp_path):
    summary = json.loads((project / "metrics" / "summary.json").read_text())
    visit = Visit(browser, project / "reports" / "index.html")
    page = visit.page
    rows = page.locator("table.index tbody tr")
    weeks = [rows.nth(i).locator("td").first.inner_text().split()[0] for i in range(rows.count())]
    assert weeks == sorted(weeks, reverse=True)
    assert weeks[0] == summary["week"]
    assert summary["previous"]["week"] in weeks
    first = rows.first.locator("td")
    assert number(first.nth(1).inner_text()) == pytest.approx(summary["spend"], abs=0.005)
    assert number(first.nth(3).inner_text()) == pytest.approx(summary["roas"], abs=0.005)
    assert page.locator("a[href='quality.html']").count() == 1
    assert page.locator("svg.spark").count() >= 2
    link = page.locator(f"a[href='weekly/{summary['week']}.html']")
    assert link.count() == 1
    visit.check_clean()
    visit.screenshot(tmp_path / "index.png")
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"weekly/{summary['week']}.html")
    visit.check_clean()
