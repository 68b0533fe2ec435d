"""The page of a reporting window (an export without days): dates in the title, the window's own figures.

Window 1-31 Oct 2026: ad A1 (campaign C1) 100 spent, 300 value, 4 purchases; ad `<img ...>` (C2) 300 spent,
100 value, 1 purchase -> spend 400, value 400, ROAS 1.00x, CPA 80.00; C1's ROAS 3.00x, C2's 0.33x.
Age x gender export of A1 for the window: female 25-34 60 spent (ROAS 4.00x), male 25-34 40 spent (1.50x).
Window 25-31 Oct 2026: A1 30 spent, 90 value (ROAS 3.00x): its own page, never added to October.
"""

import datetime as dt
import re

import polars as pl

from adlab.kpis import compute_kpis_period
from adlab.report.index import window_summaries, windows_index_html
from adlab.report.window import fmt_window, period_page_html
from adlab.schema import AD_INSIGHTS, conform

EVIL = "<img src=x onerror=alert(1)>"
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
LAST_WEEK = (dt.date(2026, 10, 25), dt.date(2026, 10, 31))
TARGETS = {"target_roas": 2.5, "target_cpa": 40.0, "gross_margin": 0.5}


def insights() -> pl.DataFrame:
    base = {
        "platform_source": "meta",
        "level": "ad",
        "breakdown": "none",
        "currency": "USD",
        "adset": "S",
        "window_start": OCT[0],
        "date": OCT[1],
        "source_file": "data/raw/oct.csv",
        "source_row": 2,
    }
    rows = [
        {"campaign": "C1", "ad": "A1", "spend": 100.0, "impressions": 10000, "purchases": 4, "purchase_value": 300.0},
        {"campaign": "C2", "ad": EVIL, "spend": 300.0, "impressions": 30000, "purchases": 1, "purchase_value": 100.0},
        {
            "campaign": "C1",
            "ad": "A1",
            "breakdown": "age_gender",
            "age": "25-34",
            "gender": "female",
            "spend": 60.0,
            "impressions": 6000,
            "purchases": 3,
            "purchase_value": 240.0,
            "source_file": "data/raw/age.csv",
        },
        {
            "campaign": "C1",
            "ad": "A1",
            "breakdown": "age_gender",
            "age": "25-34",
            "gender": "male",
            "spend": 40.0,
            "impressions": 4000,
            "purchases": 1,
            "purchase_value": 60.0,
            "source_file": "data/raw/age.csv",
        },
        {
            "campaign": "C1",
            "ad": "A1",
            "window_start": LAST_WEEK[0],
            "spend": 30.0,
            "impressions": 2000,
            "purchases": 1,
            "purchase_value": 90.0,
            "source_file": "data/raw/week.csv",
        },
    ]
    return conform(pl.DataFrame([{**base, **row} for row in rows]), AD_INSIGHTS)


def page(window: tuple[dt.date, dt.date], store: pl.DataFrame | None = None) -> str:
    ad_insights = insights()
    return period_page_html(
        compute_kpis_period(ad_insights),
        *window,
        ad_insights=ad_insights,
        store=store,
        sessions=None,
        ledger=None,
        warnings=None,
        currency="USD",
        top_n=5,
        sample_data=False,
        others=[LAST_WEEK],
        **TARGETS,
    )


def text_of(html: str) -> str:
    """The page's visible text: no scripts, styles or tags."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def tile(html: str, label: str) -> str:
    found = re.search(rf'tile-label">{label}</div><div class="tile-value">([^<]*)<', html)
    assert found, label
    return found.group(1)


def test_fmt_window_is_the_dates_for_people():
    assert fmt_window(dt.date(2023, 2, 5), dt.date(2026, 3, 5)) == "5 Feb 2023 – 5 Mar 2026"


def test_period_page_html_is_titled_with_the_window_and_shows_its_figures():
    html = page(OCT)
    assert "<title>Advertising report 1 Oct 2026 – 31 Oct 2026</title>" in html
    assert "<h1>1 Oct 2026 – 31 Oct 2026" in html
    assert (tile(html, "Spend"), tile(html, "Purchase value")) == ("$400.00", "$400.00")
    assert (tile(html, "ROAS"), tile(html, "CPA"), tile(html, "Purchases")) == ("1.00x", "$80.00", "5")
    assert tile(html, "CTR") == "–"  # no link clicks exported: unknown, and a line says which column gives it
    assert "add the <code>Link clicks</code> column in Ads Manager" in html  # the column name as code
    text = text_of(html)
    assert "C1 $100.00 3.00x" in text
    assert "C2 $300.00 0.33x" in text
    assert "25-34 female $60.00 60.00% 4.00x" in text
    assert "25-34 male $40.00 40.00% 1.50x" in text
    assert "$30.00" not in text
    assert "$430.00" not in text
    assert '<a href="2026-10-25_2026-10-31.html">25 Oct 2026 – 31 Oct 2026</a>' in html


def test_period_page_html_says_what_a_second_attribution_setting_left_out():
    # A1's base row (100 spent) exported again under "Incremental"; the rows without a setting sort first.
    ad_insights = insights()
    again = ad_insights.head(1).with_columns(pl.lit("Incremental").alias("attribution_setting"))
    frame = pl.concat([ad_insights, again])
    html = period_page_html(
        compute_kpis_period(frame),
        *OCT,
        ad_insights=frame,
        store=None,
        sessions=None,
        ledger=None,
        warnings=None,
        currency="USD",
        top_n=5,
        sample_data=False,
        **TARGETS,
    )
    assert "1 row(s) with $100.00 of spend are not in these totals" in html
    assert tile(html, "Spend") == "$400.00"


def test_period_page_html_says_in_one_line_which_sections_need_days():
    text = text_of(page(OCT))
    for section in ("Daily trend", "Why ROAS moved", "Recommendations", "Creative fatigue"):
        assert f"{section} " in text
    assert text.count("so it needs daily rows") == 4
    assert "No store orders yet" in text


def test_period_page_html_escapes_names_and_never_shows_none_nan_or_null():
    html = page(OCT)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert EVIL not in html
    assert not re.search(r"\b(None|nan|null)\b", text_of(html))


def test_period_page_html_store_section_over_the_window_dates():
    store = pl.DataFrame(
        {
            "date": [dt.date(2026, 10, 3), dt.date(2026, 10, 29)],
            "orders": [2, 2],
            "revenue": [500.0, 300.0],
            "new_customer_orders": [1, 1],
            "units": [3, 2],
            "store_aov": [250.0, 150.0],
        }
    )
    html = page(OCT, store)
    assert (tile(html, "Orders"), tile(html, "Store revenue")) == ("4", "$800.00")
    assert tile(html, "MER") == "2.00x"  # 800 / 400


def test_windows_index_html_links_one_row_per_window():
    ad_insights = insights()
    kpis_period = compute_kpis_period(ad_insights)
    rows = window_summaries(kpis_period, None)
    html = windows_index_html(rows, currency="USD", sample_data=False, **TARGETS)
    assert '<a href="weekly/2026-10-01_2026-10-31.html">1 Oct 2026 – 31 Oct 2026</a>' in html
    assert '<a href="weekly/2026-10-25_2026-10-31.html">25 Oct 2026 – 31 Oct 2026</a>' in html
    assert not re.search(r"\b(None|nan|null)\b", text_of(html))


def test_period_page_html_mer_unknown_when_the_store_data_does_not_span_the_window():
    # Orders only 20-29 Oct: three weeks of October have no store data, so MER for the window is unknown.
    store = pl.DataFrame(
        {
            "date": [dt.date(2026, 10, 20), dt.date(2026, 10, 29)],
            "orders": [2, 2],
            "revenue": [500.0, 300.0],
            "new_customer_orders": [1, 1],
            "units": [3, 2],
            "store_aov": [250.0, 150.0],
        }
    )
    html = page(OCT, store)
    assert tile(html, "MER") == "–"
    assert "store data does not span the window" in html
    assert "which does not span the window 1 Oct 2026 – 31 Oct 2026" in html
