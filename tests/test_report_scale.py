"""The weekly page at agency scale: it reads only the rows it shows, yet shows exactly what it showed from the
whole tables; nbconvert's BeautifulSoup pass skips the outputs; page digests are fast and stable."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import polars as pl
import pytest
from bs4 import BeautifulSoup
from IPython.display import HTML
from nbconvert import HTMLExporter

from adlab import kpis, report
from adlab.report.incremental import _frame_digest
from adlab.report.render import _park_html_outputs, _unpark_html_outputs
from adlab.schema import ORDERS, conform
from test_report import NOTEBOOK, XSS, ad_rows, kpis_daily

# The notebook's set-up cell as it was before the page read only its window: every table whole.
WHOLE_TABLES_SETUP = """
from adlab import charts, kpis, report

kpis_daily = report.read_kpis(kpis_daily_path)
kpis_weekly = report.read_kpis(kpis_weekly_path)
results_daily = report.read_optional(results_daily_path)
orders = report.read_optional(orders_path)
store = kpis.store_daily(orders) if orders is not None and orders.height else None
sessions = report.read_sessions(sessions_path)
ad_insights = report.read_optional(ad_insights_path)
ledger = report.read_optional(ledger_path)
quality_warnings = report.read_optional(warnings_path)
recommendations = report.read_recommendations(recommendations_path)
creatives = report.read_optional(creatives_path)
week = report.resolve_week(week, kpis_daily)
outputs_week = report.resolve_week(stage_outputs_week, kpis_daily)
start, end = kpis.week_bounds(week)
last_week = report.previous_week(week)
breakeven_roas = kpis.breakeven_roas(gross_margin)
targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
figure_html = report.PlotlyEmbed()
ad_days = kpis_daily
has_ads = not ad_days.is_empty()
days = ad_days
"""


def page_outputs(parameters: dict, setup: str | None = None) -> list[str]:
    """The HTML outputs of the weekly notebook's cells, run in this process (no kernel); `setup` replaces the
    set-up cell."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    outputs: list[str] = []
    namespace: dict = {}
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    exec(code[0].source, namespace)  # the parameters cell
    namespace.update(parameters)
    exec(setup if setup is not None else code[1].source, namespace)
    namespace.update(HTML=HTML, display=lambda output: outputs.append(output.data))
    for cell in code[2:]:
        exec(cell.source, namespace)
    return outputs


@pytest.fixture
def agency_tables(tmp_path) -> dict:
    """Six weeks of ads with a week without data, breakdowns under two attribution settings in different weeks,
    orders with a gap, source files per week, a ledger and warnings: the inputs of a weekly page."""
    first = dt.date(2026, 10, 12)  # Monday of 2026-W42
    ads = [("Prospecting", "Broad", "UGC video", 60.0, 180.0, 3), ("Prospecting", "Broad", XSS, 50.0, 40.0, 1),
           ("Retargeting", "Viewers", "Static", 30.0, 150.0, 2), ("Retargeting", "Viewers", "Idle", 0.0, 0.0, 0)]
    rows = [
        {"date": day, "campaign": campaign, "adset": adset, "ad": ad, "spend": spend * (1 + offset % 5 / 10),
         "purchase_value": value * (1 + offset % 3 / 10), "purchases": purchases, "impressions": 4000 + offset,
         "link_clicks": 60, "clicks": 80, "checkouts": 9}
        for offset in range(42)
        if (day := first + dt.timedelta(days=offset)) and not dt.date(2026, 10, 26) <= day <= dt.date(2026, 11, 1)
        for campaign, adset, ad, spend, value, purchases in ads
    ]
    daily = kpis_daily(rows)
    orders = conform(pl.DataFrame({
        "order_id": [f"#{n}" for n in range(8)],
        "date": [dt.date(2026, 10, 13), dt.date(2026, 10, 20), dt.date(2026, 11, 3), dt.date(2026, 11, 10),
                 dt.date(2026, 11, 16), dt.date(2026, 11, 17), dt.date(2026, 11, 18), dt.date(2026, 11, 22)],
        "total": [50.0, 70.0, 90.0, 60.0, 120.0, 80.0, 40.0, 30.0],
        "refunded": [0.0, 0.0, 10.0, 0.0, 0.0, 20.0, 0.0, 0.0],
        "financial_status": ["paid", "paid", "partially_refunded", "paid", "paid", "partially_refunded", "voided",
                             "paid"],
        "cancelled": [False] * 7 + [True],
        "is_new_customer": [True, False, True, None, True, False, True, False],
        "units": [1, 2, 1, 1, 2, 1, 1, 1],
        "source_file": ["orders_old.csv"] * 3 + ["orders_new.csv"] * 5,
    }), ORDERS)
    breakdown = [
        {"date": day, "breakdown": "age_gender", "age": age, "gender": gender, "spend": 20.0 + len(age),
         "purchase_value": 45.0, "purchases": 1, "impressions": 900, "link_clicks": 9,
         "attribution_setting": setting, "source_file": f"meta_{setting}.csv"}
        # W47 holds only 7d_click rows; the export's first setting by name is 1d_click, in W45.
        for day, setting in ((dt.date(2026, 11, 4), "1d_click"), (dt.date(2026, 11, 17), "7d_click"),
                             (dt.date(2026, 11, 18), "7d_click"))
        for age in ("18-24", "25-34") for gender in ("female", "male")
    ] + [
        {"date": dt.date(2026, 11, 17), "breakdown": "placement", "publisher_platform": "instagram",
         "placement": "feed", "spend": 33.0, "impressions": 1000, "source_file": "meta_placement.csv"},
        {"date": dt.date(2026, 11, 16), "breakdown": "none", "spend": 1.0, "source_file": f"{XSS}.csv"},
    ]
    ledger = pl.DataFrame({
        "source_file": ["meta_7d_click.csv", "meta_1d_click.csv", "orders_new.csv", "orders_old.csv"],
        "kind": ["meta_ads", "meta_ads", "shopify_orders", "shopify_orders"],
        "table": ["ad_insights", "ad_insights", "orders", "orders"],
        "rows_in": [4, 8, 5, 3], "kept": [4, 8, 5, 3], "replaced": [0] * 4, "totals": [0] * 4,
        "quarantined": [0] * 4,
    })
    warnings = pl.DataFrame({"source_file": ["orders_old.csv", "orders_new.csv"], "check": ["c1", "c2"],
                             "message": ["old", "new"]})
    paths = {name: tmp_path / f"{name}.parquet"
             for name in ("kpis_daily", "kpis_weekly", "orders", "ad_insights", "ledger", "warnings")}
    daily.write_parquet(paths["kpis_daily"], row_group_size=20)  # row groups the scans can skip
    kpis.compute_kpis_weekly(daily).write_parquet(paths["kpis_weekly"])
    orders.write_parquet(paths["orders"])
    ad_rows(breakdown).write_parquet(paths["ad_insights"])
    ledger.write_parquet(paths["ledger"])
    warnings.write_parquet(paths["warnings"])
    return {
        **{f"{name}_path": str(path) for name, path in paths.items()},
        "store_sales_path": str(tmp_path / "absent_store_sales.parquet"),
        "sessions_path": str(tmp_path / "absent_sessions.parquet"),
        "recommendations_path": "",
        "creatives_path": "",
        "stage_outputs_week": "2026-W47",
        "currency": "USD",
        "target_roas": 2.5,
        "target_cpa": 40.0,
        "gross_margin": 0.5,
        "top_n": 5,
        "trend_weeks": 4,
        "sample_data": False,
    }


@pytest.mark.parametrize("week", ["2026-W47", "2026-W45", "2026-W43", "latest"])
def test_page_read_from_its_window_is_the_page_read_from_whole_tables(agency_tables, week):
    parameters = {**agency_tables, "week": week}
    windowed = page_outputs(parameters)
    whole = page_outputs(parameters, WHOLE_TABLES_SETUP)
    assert len(windowed) == len(whole) > 10
    for part, expected in zip(windowed, whole, strict=True):
        assert part == expected


def test_page_read_from_its_window_sums_breakdowns_and_lists_files_as_before(agency_tables):
    older = "".join(page_outputs({**agency_tables, "week": "2026-W45"}))
    assert "18-24" in older  # the 1d_click rows of W45, by age and gender
    assert "$25.00" in older
    page = "".join(page_outputs({**agency_tables, "week": "2026-W47"}))
    # The attribution setting is chosen per (date, ad), as for the totals: W47's days hold only 7d_click rows,
    # so they are its age x gender figures (reading the week alone decides as the whole export would).
    assert "No age x gender figures for this week" not in page
    assert "18-24" in page
    assert "meta_7d_click.csv" in page  # the files behind W47 only
    assert "meta_1d_click.csv" not in page


def test_readers_push_the_week_or_days_into_the_scan(agency_tables):
    days = (dt.date(2026, 11, 9), dt.date(2026, 11, 22))
    whole = report.read_kpis(agency_tables["kpis_daily_path"])
    assert report.read_kpis(agency_tables["kpis_daily_path"], days).equals(
        whole.filter(pl.col("date").is_between(*days)))
    assert report.read_kpis(agency_tables["kpis_daily_path"], columns=["date"]).equals(whole.select("date"))
    weekly = report.read_kpis(agency_tables["kpis_weekly_path"], week="2026-W47")
    assert weekly.equals(report.read_kpis(agency_tables["kpis_weekly_path"]).filter(pl.col("week") == "2026-W47"))
    orders = report.read_optional(agency_tables["orders_path"])
    assert report.read_optional(agency_tables["orders_path"], days).equals(
        orders.filter(pl.col("date").is_between(*days)))
    assert report.read_store(agency_tables["orders_path"]).equals(kpis.store_daily(orders))
    assert report.read_optional("") is None
    assert report.scan_optional("") is None
    assert report.scan_optional(Path(agency_tables["orders_path"]).with_name("absent.parquet")) is None
    scan = report.scan_optional(agency_tables["ad_insights_path"])
    eager = report.read_optional(agency_tables["ad_insights_path"])
    assert report.week_sources(scan, None, "2026-W47") == report.week_sources(eager, None, "2026-W47")


def test_html_outputs_skip_nbconverts_soup_pass_and_come_back_as_written():
    outputs = [
        '<div class="table-wrap"><table><tr><td class="num">$1.00</td><td>&lt;img src=x&gt; &#x27;q&#x27;<br>'
        "</td></tr></table></div>",
        '<div class="chart"><div id="chart-x"></div><script type="text/javascript">if (1 < 2) {}</script></div>',
    ]
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Section"),
        nbformat.v4.new_code_cell("x", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "<HTML>"})
            for html in outputs
        ]),
    ])
    exporter = HTMLExporter(template_name=report.TEMPLATE_NAME, extra_template_basedirs=[str(report.TEMPLATES_DIR)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    plain, _ = exporter.from_notebook_node(nbformat.from_dict(json.loads(json.dumps(notebook))))
    parked = _park_html_outputs(notebook)
    assert all(html in parked.values() for html in outputs)
    page = _unpark_html_outputs(exporter.from_notebook_node(notebook)[0], parked)
    assert all(html in page for html in outputs)  # byte for byte as the report wrote them
    assert "adlab-output-" not in page
    # The same page once parsed, as nbconvert would have written it.
    assert str(BeautifulSoup(page, features="html.parser")) == str(BeautifulSoup(plain, features="html.parser"))


def test_frame_digest_is_stable_across_interpreters_and_follows_values_names_and_types():
    frame = pl.DataFrame({"date": [dt.date(2026, 11, 16), None], "ad": [XSS, "b"], "spend": [1.5, None]})
    digest = _frame_digest(frame)
    fresh = subprocess.run(
        [sys.executable, "-c",
         "import datetime as dt, polars as pl; from adlab.report.incremental import _frame_digest; "
         "print(_frame_digest(pl.DataFrame("
         f"{{'date': [dt.date(2026, 11, 16), None], 'ad': [{XSS!r}, 'b'], 'spend': [1.5, None]}})))"],
        capture_output=True, text=True, check=True,
    )
    assert fresh.stdout.strip() == digest
    changed = [
        frame.with_columns(pl.col("spend").fill_null(0.0)),
        frame.rename({"ad": "adset"}),
        frame.with_columns(pl.col("spend").cast(pl.Float32)),
        frame.reverse(),
        frame.head(1),
        frame.clear(),
    ]
    assert len({digest, *(_frame_digest(other) for other in changed)}) == len(changed) + 1
    assert _frame_digest(None) == "absent"
