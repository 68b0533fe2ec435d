"""reports/customers.html (report.customers): the cohort page on the hand-worked orders of tests/cohort_fixture.py,
the one line without customers, the links to it, and the report stage writing it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import polars as pl

from adlab import io
from adlab.kpis import cohort_table, order_history
from adlab.params import Params
from adlab.report.build import ReportPaths, write_customers_page
from adlab.report.customers import NO_CUSTOMERS, accounts_page_html, customers_page_html
from adlab.report.weekly.header import page_header_html
from cohort_fixture import MARGIN, D, orders_frame, spend_frame


def page(orders: pl.DataFrame, spend: pl.DataFrame | None = None) -> str:
    return customers_page_html(
        cohort_table(orders, spend, gross_margin=MARGIN),
        order_history(orders),
        currency="USD",
        gross_margin=MARGIN,
        sample_data=False,
        ad_days=(D(2026, 1, 1), D(2026, 3, 5)) if spend is not None else None,
    )


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: scripts, styles and tags left out."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def table_rows(html: str) -> list[list[str]]:
    body = html[html.index("<h2>Cohorts</h2>") :]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body[: body.index("</table>")], flags=re.S)
    return [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)] for row in rows]


def test_customers_page_tables_the_cohorts_and_all_of_them_together() -> None:
    rows = table_rows(page(orders_frame(), spend_frame()))
    assert rows[0][0] == "First order in"
    # Jan: 2 customers, spend 80 (CPA 40), by M1 revenue 190 / 2 = 95, gross profit 47.50, A came back (1 of 2),
    # paid back in M1 (47.50 >= 40), LTV:CAC 95 / 80 = 1.1875.
    assert rows[1] == ["Jan 2026", "2", "$80.00", "$40.00", "M1", "$95.00", "$47.50", "50.0%", "M1", "1.19x"]
    # Feb: 1 customer, spend 20 (CPA 20), by M0 30 and 15, not paid back (15 < 20), LTV:CAC 15 / 20 = 0.75.
    assert rows[2] == ["Feb 2026", "1", "$20.00", "$20.00", "M0", "$30.00", "$15.00", "0.0%", "not yet", "0.75x"]
    # All: 3 customers, spend 100 (CPA 33.33), to date revenue (190 + 30) / 3 = 73.33, gross profit 110 / 3 =
    # 36.67, 1 of 3 came back, the average customer pays back in M1, LTV:CAC (95 + 15) / (80 + 20) = 1.10.
    assert rows[3] == [
        "All cohorts",
        "3",
        "$100.00",
        "$33.33",
        "to date",
        "$73.33",
        "$36.67",
        "33.3%",
        "M1",
        "1.10x",
    ]


def test_customers_page_tiles_notes_and_charts() -> None:
    html = page(orders_frame(), spend_frame())
    text = visible_text(html)
    assert "Customers 3 in 2 monthly cohort(s), Jan 2026 – Feb 2026" in text
    # LTV 1 month on: the average customer's M1: 170 / 3 + 50 / 2 = 81.67, gross profit 40.83 (its M1 from Jan's 2
    # customers); no cohort reached M3 or M12.
    assert "LTV, 1 month on $81.67 gross profit $40.83 · M1 from 2 customers" in text
    assert "LTV, 3 months on – no cohort is 3 months on yet" in text
    assert "New-customer CPA $33.33 ad spend / new customers, Jan 2026 – Feb 2026" in text
    assert "The orders run from 10 Jan 2026 to 20 Mar 2026" in text
    assert "1 order(s) (19% of store revenue) have no customer" in text
    assert "Gross profit estimated at the 50% margin setting" in text
    # Both charts, plotly.js inline once, no CDN; the Jan M1 cell has covered its CPA (47.50 >= 40): ✓.
    assert 'id="chart-cohort-heatmap"' in html
    assert 'id="chart-ltv-curves"' in html
    assert html.count("* plotly.js v") == 1  # the bundle's header comment: inline exactly once
    assert not re.search(r"<script[^>]+src=", html)  # nothing loaded from elsewhere
    assert "$48 ✓" in html
    for word in ("None", "nan", "null"):
        assert not re.search(rf"\b{word}\b", text), word


def test_customers_page_without_ad_data_leaves_cpa_unknown() -> None:
    text = visible_text(page(orders_frame()))
    assert "New-customer CPA – needs ad data covering a whole month" in text
    assert "there is no daily ad data (an Ads Manager export by Day): they are unknown, not 0" in text


def test_customers_page_without_customers_is_one_line_and_no_chart() -> None:
    orders = orders_frame().with_columns(pl.lit(None, pl.String).alias("customer_key"))
    html = page(orders, spend_frame())
    assert NO_CUSTOMERS in html.replace("&#x27;", "'")
    assert "<script" not in html
    assert "<h2>" not in html


def test_customers_page_before_any_month_is_over() -> None:
    # Only March's orders, and March is not over on the 20th.
    html = page(orders_frame().filter(pl.col("date") >= D(2026, 3, 1)))
    assert "No month of the order history has ended yet (orders 3 Mar 2026 – 20 Mar 2026)" in visible_text(html)
    assert "<script" not in html


def test_accounts_customers_page_escapes_account_names() -> None:
    html = accounts_page_html([("<img src=x onerror=alert(1)>", "shop/customers.html")], sample_data=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Sample data." in html


def test_weekly_page_header_links_the_customers_page() -> None:
    header = page_header_html("2026-W10", currency="USD", data_through=None, days_with_data=7, sample_data=False)
    assert 'href="../customers.html"' in header


def test_write_customers_page_computes_the_cohorts_from_the_orders(tmp_path: Path) -> None:
    io.write_parquet(orders_frame(), tmp_path / "orders.parquet")
    empty = Path("")
    paths = ReportPaths(**{field.name: empty for field in dataclasses.fields(ReportPaths)})
    paths = dataclasses.replace(paths, orders=tmp_path / "orders.parquet", out_dir=tmp_path / "reports")
    kpis_daily = spend_frame().with_columns(pl.lit("meta").alias("platform_source"))
    out = write_customers_page(paths, Params(), kpis_daily, currency="USD", sample_data=False)
    assert out == tmp_path / "reports" / "customers.html"
    assert table_rows(out.read_text(encoding="utf-8"))[1][:4] == ["Jan 2026", "2", "$80.00", "$40.00"]
