import datetime as dt
import json
import os
import re
import subprocess
from pathlib import Path

import nbformat
import polars as pl
import pytest

from adlab import kpis
from adlab.display import fmt_change, fmt_money, fmt_pct, fmt_roas, money_text, relative_change
from adlab.errors import AdlabError
from adlab.report import render
from adlab.report.frames import (
    ads_without_purchase,
    best_and_worst_ads,
    entity_tree,
    previous_week,
    resolve_week,
    week_tables,
)
from adlab.report.html import Tile, html_table, sparkline_svg, tiles_html
from adlab.report.incremental import week_fingerprint
from adlab.report.index import render_index
from adlab.report.quality_page import render_quality
from adlab.report.render import render_week
from adlab.report.weekly.breakdowns import breakdown_html
from adlab.report.weekly.creatives import creative_leaderboard_html
from adlab.report.weekly.quality import data_quality_html
from adlab.report.weekly.recommendations import action_tone, recommendations_html
from adlab.report.weekly.store import store_section_html
from adlab.report.weekly.tiles import headline
from adlab.report.weekly.why import roas_change_html
from adlab.schema import AD_INSIGHTS, AD_METRICS, ORDERS, conform
from conftest import chromium_tab, dvc, hidden_width

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "weekly_report.ipynb"
XSS = "<img src=x onerror=alert(1)>"
MON, TUE = dt.date(2026, 11, 16), dt.date(2026, 11, 17)  # ISO week 2026-W47


def kpis_daily(rows: list[dict]) -> pl.DataFrame:
    """kpis_daily-shaped rows: the given sums (others null) and the KPIs kpis.rollup derives from them."""
    base = {"platform_source": "meta", "campaign": "C", "adset": "S"}
    frame = pl.DataFrame([{**base, **row} for row in rows])
    if "account" not in frame.columns:  # the one default account
        frame = frame.with_columns(pl.lit(None, pl.String).alias("account"))
    frame = frame.with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in AD_METRICS.items() if name not in frame.columns
    )
    return kpis.rollup(frame, ["date", "platform_source", "account", "campaign", "adset", "ad"])


def test_fmt_money_uses_symbol_or_code_and_dash_for_missing():
    assert fmt_money(1234.5, "USD") == "$1,234.50"
    assert fmt_money(1234.5, "EUR") == "€1,234.50"
    assert fmt_money(1234.567, "AUD") == "1,234.57 AUD"
    assert fmt_money(-5, "USD") == "-$5.00"
    assert fmt_money(15000.4, "IDR") == "15,000 IDR"
    assert fmt_money(None, "USD") == "–"


def test_money_text_in_answers_keeps_minor_units_only_where_the_currency_has_them():
    assert money_text(3701858.4, "JPY") == "3,701,858 JPY"
    assert money_text(1528.454, "USD") == "1,528.45 USD"
    assert money_text(12.5, None) == "12.50"
    assert money_text(None, "JPY") == "–"


def test_fmt_pct_shows_fraction_as_percent_with_two_decimals():
    assert fmt_pct(0.012345) == "1.23%"
    assert fmt_pct(1) == "100.00%"
    assert fmt_pct(None) == "–"
    assert fmt_pct(float("nan")) == "–"


def test_fmt_roas_shows_two_decimals_and_x():
    assert fmt_roas(2.4149) == "2.41x"
    assert fmt_roas(0) == "0.00x"
    assert fmt_roas(None) == "–"


def test_fmt_change_shows_arrow_and_relative_change():
    assert fmt_change(relative_change(110, 100)) == "▲ 10.0%"
    assert fmt_change(relative_change(45, 50)) == "▼ 10.0%"
    assert fmt_change(relative_change(5, 0)) == "–"  # no base to compare with
    assert fmt_change(relative_change(None, 5)) == "–"


def test_html_table_escapes_names_from_data():
    frame = pl.DataFrame({"ad": [XSS, "Plain"], "spend": [12.5, 3.0]})
    page = html_table(frame, {"spend": lambda value: fmt_money(value, "USD")}, labels={"ad": "Ad <name>"})
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in page
    assert "Ad &lt;name&gt;" in page
    assert '<td class="num">$12.50</td>' in page


def test_html_table_marks_rows_and_cells_with_classes():
    frame = pl.DataFrame({"level": ["campaign", "ad"], "name": ["C", "A"], "roas": [3.0, 1.0]})
    page = html_table(frame, row_class="level", tones={"roas": lambda v: "good" if v >= 2.5 else "bad"})
    assert '<tr class="level-campaign">' in page
    assert '<td class="num good">3.0</td>' in page
    assert ">level<" not in page  # the class column is not shown


def test_week_tables_campaign_roas_is_ratio_of_sums_not_mean_of_ad_roas():
    daily = kpis_daily(
        [
            # Ad A: 100 spent, 400 value (ROAS 4); ad B: 100 + 200 spent, 300 value (ROAS 1).
            {"date": MON, "ad": "A", "spend": 100.0, "purchase_value": 400.0, "purchases": 4},
            {"date": MON, "ad": "B", "spend": 100.0, "purchase_value": 100.0, "purchases": 1},
            {"date": TUE, "ad": "B", "spend": 200.0, "purchase_value": 200.0, "purchases": 2},
            # The week before: must not count.
            {"date": dt.date(2026, 11, 15), "ad": "A", "spend": 999.0, "purchase_value": 0.0, "purchases": 0},
        ]
    )
    tables = week_tables(daily, "2026-W47")
    campaign = tables["campaign"].row(0, named=True)
    # Mean of the ad ROAS would be (4 + 1) / 2 = 2.5; the campaign's ROAS is 700 / 400.
    assert campaign["spend"] == pytest.approx(400.0)
    assert campaign["roas"] == pytest.approx(1.75)
    assert campaign["cpa"] == pytest.approx(400 / 7)
    assert tables["ad"].filter(pl.col("ad") == "B")["roas"].item() == pytest.approx(1.0)
    assert tables["account"]["purchase_value"].item() == pytest.approx(700.0)


def test_entity_tree_lists_children_under_parents_largest_spend_first():
    daily = kpis_daily(
        [
            {"date": MON, "campaign": "Small", "adset": "S1", "ad": "a", "spend": 10.0},
            {"date": MON, "campaign": "Big", "adset": "B1", "ad": "b", "spend": 30.0},
            {"date": MON, "campaign": "Big", "adset": "B2", "ad": "c", "spend": 50.0},
            {"date": MON, "campaign": "Big", "adset": "B2", "ad": "d", "spend": 60.0},
        ]
    )
    tree = entity_tree(week_tables(daily, "2026-W47"))
    assert tree.select("level", "name").rows() == [
        ("account", "All campaigns"),
        ("campaign", "Big"),
        ("adset", "B2"),
        ("ad", "d"),
        ("ad", "c"),
        ("adset", "B1"),
        ("ad", "b"),
        ("campaign", "Small"),
        ("adset", "S1"),
        ("ad", "a"),
    ]
    assert tree["share_of_spend"][1] == pytest.approx(140 / 150)


def test_best_and_worst_ads_need_min_spend_and_never_repeat():
    weekly = pl.DataFrame(
        {
            "week": ["2026-W47"] * 4 + ["2026-W46"],
            "platform_source": ["meta"] * 5,
            "account": ["Shop"] * 5,
            "campaign": ["C"] * 5,
            "adset": ["S"] * 5,
            "ad": ["lucky", "good", "bad", "ok", "old"],
            "spend": [5.0, 100.0, 80.0, 60.0, 500.0],
            "roas": [20.0, 3.0, 0.0, 2.0, 9.0],
        }
    )
    best, worst = best_and_worst_ads(weekly, "2026-W47", min_spend=40.0, n=2)
    assert best["ad"].to_list() == ["good", "ok"]  # 3 ranked ads: 2 best, the last one worst
    assert worst["ad"].to_list() == ["bad"]
    best, worst = best_and_worst_ads(weekly, "2026-W47", min_spend=40.0, n=1)
    assert (best["ad"].to_list(), worst["ad"].to_list()) == (["good"], ["bad"])


def test_ads_without_purchase_lists_big_spenders_with_zero_purchases_not_unknown_ones():
    # Ingest reads a blank cell of an exported Purchases column as 0; null means the export had no such column.
    weekly = pl.DataFrame(
        {
            "week": ["2026-W47"] * 4,
            "platform_source": ["meta"] * 4,
            "account": ["Shop"] * 4,
            "campaign": ["C"] * 4,
            "adset": ["S"] * 4,
            "ad": ["blank", "zero", "sold", "small"],
            "spend": [90.0, 120.0, 200.0, 10.0],
            "purchases": [None, 0, 3, None],
        }
    )
    assert ads_without_purchase(weekly, "2026-W47", min_spend=40.0, n=5)["ad"].to_list() == ["zero"]


def test_headline_colours_cpa_and_cpm_falls_as_good_and_holds_roas_to_target():
    current = {"spend": 1000.0, "roas": 2.2, "cpa": 30.0, "cpm": 9.0, "ctr": 0.01, "mer": None, "revenue": None}
    previous = {"spend": 800.0, "roas": 2.0, "cpa": 40.0, "cpm": 10.0, "ctr": 0.02}
    tiles = {t.label: t for t in headline(current, previous, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5)}
    assert tiles["CPA"].change == "▼ 25.0%"
    assert tiles["CPA"].change_tone == "good"
    assert tiles["CPA"].status == "good"
    assert tiles["CPM"].change_tone == "good"
    assert tiles["CTR"].change_tone == "bad"
    assert tiles["Spend"].change_tone == "neutral"
    assert tiles["ROAS"].status == "warn"  # between break-even 2.00x and target 2.50x
    assert tiles["MER"].value == "–"
    assert tiles["MER"].note == "needs an orders export"


def test_tiles_html_escapes_text():
    page = tiles_html([Tile(label="<b>", value="1", hint='"x"')])
    assert "&lt;b&gt;" in page
    assert 'title="&quot;x&quot;"' in page


def test_store_section_html_without_orders_names_the_export_to_add():
    page = store_section_html(None, "2026-W47", {}, None, "USD", gross_margin=0.5)
    assert "Shopify orders export" in page


def test_previous_week_crosses_the_year():
    assert previous_week("2026-W01") == "2025-W52"
    assert previous_week("2026-W47") == "2026-W46"


def test_resolve_week_latest_is_newest_complete_week():
    daily = kpis_daily(
        [
            {"date": dt.date(2026, 11, 15), "ad": "A", "spend": 1.0},  # Sunday, ends 2026-W46
            {"date": TUE, "ad": "A", "spend": 1.0},  # 2026-W47 is not complete yet
        ]
    )
    assert resolve_week("latest", daily) == "2026-W46"
    assert resolve_week("2026-W30", daily) == "2026-W30"


def test_render_quality_escapes_names_and_flags_unbalanced_files(tmp_path):
    ledger = pl.DataFrame(
        {
            "source_file": ["ok.csv", f"{XSS}.csv"],
            "kind": ["meta_ads", "meta_ads"],
            "table": ["ad_insights"] * 2,
            "rows_in": [10, 5],
            "kept": [8, 3],
            "replaced": [1, 0],
            "totals": [1, 1],
            "quarantined": [0, 0],
        }
    )
    checks = pl.DataFrame(
        {
            "table": ["ad_insights"],
            "check": ["ExpectColumnValuesToNotBeNull"],
            "column": ["date"],
            "success": [False],
            "unexpected_count": [2],
            "details": ["date missing"],
        }
    )
    warnings = pl.DataFrame({"source_file": ["ok.csv"], "check": ["totals"], "message": ["sum <> totals row"]})
    out = render_quality(ledger, checks, warnings, tmp_path / "quality.html")
    page = out.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    assert "<img" not in page
    assert "✗ off by 1" in page  # 5 in, 4 accounted for
    assert "Not balanced" in page
    assert "0 of 1 passed" in page
    assert "sum &lt;&gt; totals row" in page
    assert "<script" not in page


def test_render_index_lists_weeks_newest_first_with_links_and_banner(tmp_path):
    weeks = [
        {
            "week": "2026-W46",
            "start": dt.date(2026, 11, 9),
            "end": dt.date(2026, 11, 15),
            "spend": 100.0,
            "purchase_value": 250.0,
            "roas": 2.5,
            "cpa": 20.0,
            "revenue": None,
            "mer": None,
            "days": 7,
        },
        {
            "week": "2026-W47",
            "start": MON,
            "end": dt.date(2026, 11, 22),
            "spend": 200.0,
            "purchase_value": 300.0,
            "roas": 1.5,
            "cpa": 50.0,
            "revenue": None,
            "mer": None,
            "days": 7,
        },
    ]
    page = render_index(weeks, tmp_path / "index.html", currency="USD", sample_data=True).read_text(encoding="utf-8")
    assert page.index("weekly/2026-W47.html") < page.index("weekly/2026-W46.html")
    assert "$200.00" in page
    assert "2.50x" in page
    assert "sample data" in page
    assert 'href="quality.html"' in page
    assert "Store revenue" not in page  # no orders export: no store columns


def test_weekly_report_notebook_is_stripped_and_parameters_are_literals():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    assert "parameters" in code[0].metadata["tags"]
    for line in code[0].source.splitlines():
        assert re.fullmatch(r"\w+: (str|int|float|bool) = (\".*\"|[\d.]+|True|False)  # .+", line), line


@pytest.fixture
def week_inputs(tmp_path) -> dict:
    """Two weeks of ads (one named like an XSS probe), a few orders and a summary, written as the stages do."""
    ads = [
        ("Prospecting", "Broad", "UGC video", 60.0, 180.0, 3),
        ("Prospecting", "Broad", XSS, 50.0, 40.0, 1),
        ("Retargeting", "Viewers", "Static", 30.0, 150.0, 2),
    ]
    rows = [
        {
            "date": dt.date(2026, 11, 9) + dt.timedelta(days=day),
            "campaign": campaign,
            "adset": adset,
            "ad": ad,
            "spend": spend,
            "purchase_value": value,
            "purchases": purchases,
            "impressions": 4000,
            "link_clicks": 60,
            "clicks": 80,
        }
        for day in range(14)
        for campaign, adset, ad, spend, value, purchases in ads
    ]
    daily = kpis_daily(rows)
    orders = conform(
        pl.DataFrame(
            {
                "order_id": ["#1", "#2", "#3"],
                "date": [MON, TUE, dt.date(2026, 11, 10)],
                "total": [120.0, 80.0, 60.0],
                "refunded": [0.0, 20.0, 0.0],
                "financial_status": ["paid", "partially_refunded", "paid"],
                "cancelled": [False, False, False],
                "is_new_customer": [True, False, True],
                "units": [2, 1, 1],
            }
        ),
        ORDERS,
    )
    paths = {name: tmp_path / name for name in ("kpis_daily.parquet", "kpis_weekly.parquet", "orders.parquet")}
    daily.write_parquet(paths["kpis_daily.parquet"])
    kpis.compute_kpis_weekly(daily).write_parquet(paths["kpis_weekly.parquet"])
    orders.write_parquet(paths["orders.parquet"])
    return {
        "kpis_daily_path": paths["kpis_daily.parquet"],
        "kpis_weekly_path": paths["kpis_weekly.parquet"],
        "orders_path": paths["orders.parquet"],
        "ad_insights_path": tmp_path / "absent_ad_insights.parquet",
        "ledger_path": tmp_path / "absent_ledger.parquet",
        "warnings_path": tmp_path / "absent_warnings.parquet",
        "recommendations_path": tmp_path / "absent_recommendations.csv",
        "creatives_path": tmp_path / "absent_creatives.parquet",
        "currency": "USD",
        "target_roas": 2.5,
        "target_cpa": 40.0,
        "gross_margin": 0.5,
        "top_n": 5,
        "sample_data": True,
    }


def test_render_week_writes_one_offline_page_with_escaped_names(tmp_path, week_inputs):
    out = render_week("2026-W47", week_inputs, tmp_path / "weekly" / "2026-W47.html", notebook=NOTEBOOK)
    page = out.read_text(encoding="utf-8")
    # Nothing is fetched from the network: no external script, stylesheet, image or frame.
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"']?(https?:)?//", page)
    assert page.count("* plotly.js v") == 1  # the bundle's header comment: plotly.js inline exactly once
    assert page.count("Plotly.newPlot(") == 3
    assert "sample data" in page
    assert "Week 47, 2026" in page
    assert "Mon 16 – Sun 22 Nov 2026" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page
    # No code, no prompts.
    assert "read_kpis" not in page
    assert "In&nbsp;[" not in page
    assert "Out[" not in page
    assert "jp-Editor" not in page  # the class of code input areas
    # Store figures from the orders: 2 orders this week, revenue 120 + (80 - 20).
    assert "$180.00" in page
    # Sections without their data say which export or stage would fill them, in the order.
    order = [
        "The week at a glance",
        "What to do this week",
        "Why ROAS moved",
        "Daily trend",
        "Campaigns, ad sets and ads",
        "Creative leaderboard",
        "Age and gender",
        "Placements",
        "Store",
        "Data quality",
    ]
    positions = [page.index(f'">{title}<a') for title in order]
    assert positions == sorted(positions)
    assert "data/processed/recommendations.csv" in page
    assert "data/processed/creatives.parquet" in page
    assert "Age and Gender, report by Day" in page
    assert "Platform and Placement" in page
    assert 'href="../quality.html"' in page


def test_pages_rendered_in_one_kept_kernel_equal_pages_each_in_a_new_kernel(tmp_path, week_inputs):
    """A process keeps one kernel for its pages; a page rendered after another week's page in that kernel is
    byte for byte the page a new kernel gives."""
    render._KERNELS.shutdown()  # this page in a new kernel
    alone = render_week("2026-W47", week_inputs, tmp_path / "alone.html", notebook=NOTEBOOK).read_bytes()
    kernel = render._KERNELS.get(render.kernel_name(), NOTEBOOK.parent)
    render_week("2026-W46", week_inputs, tmp_path / "other.html", notebook=NOTEBOOK)
    after = render_week("2026-W47", week_inputs, tmp_path / "after.html", notebook=NOTEBOOK).read_bytes()
    assert render._KERNELS.get(render.kernel_name(), NOTEBOOK.parent) is kernel  # the same kernel all along
    assert after == alone
    assert (tmp_path / "other.html").read_bytes() != alone


def notebook_file(folder: Path, name: str, *sources: str) -> Path:
    """A notebook of code cells, the first one tagged `parameters` (as papermill wants)."""
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    cells[0].metadata["tags"] = ["parameters"]
    book = nbformat.v4.new_notebook(cells=cells)
    book.metadata["kernelspec"] = {"name": render.kernel_name(), "display_name": "adlab", "language": "python"}
    path = folder / name
    nbformat.write(book, path)
    return path


def test_a_kept_kernel_gives_each_page_an_empty_namespace_and_a_failed_page_a_new_kernel(tmp_path):
    sets = notebook_file(tmp_path, "sets.ipynb", "week = ''", "leaked = 'the page before'")
    reads = notebook_file(
        tmp_path, "reads.ipynb", "week = ''", "from IPython.display import HTML\nHTML(f'<p>{\"leaked\" in dir()}</p>')"
    )
    fails = notebook_file(tmp_path, "fails.ipynb", "week = ''", "raise ValueError('bad week')")
    render_week("2026-W47", {}, tmp_path / "sets.html", notebook=sets)
    kernel = render._KERNELS.get(render.kernel_name(), tmp_path)
    page = render_week("2026-W47", {}, tmp_path / "reads.html", notebook=reads).read_text(encoding="utf-8")
    assert "<p>False</p>" in page  # the variable of the page before is gone
    assert render._KERNELS.get(render.kernel_name(), tmp_path) is kernel
    with pytest.raises(
        AdlabError,
        match=r"fails.ipynb: the report for 2026-W47 failed in the cell `raise ValueError\('bad week'\)`: "
        r"ValueError: bad week",
    ):
        render_week("2026-W47", {}, tmp_path / "fails.html", notebook=fails)
    assert not kernel.is_alive()  # replaced: the next page starts in a new kernel
    render_week("2026-W47", {}, tmp_path / "again.html", notebook=reads)
    assert render._KERNELS.get(render.kernel_name(), tmp_path) is not kernel


def test_socket_folders_of_ended_processes_are_swept(tmp_path, monkeypatch):
    child = subprocess.Popen(["true"])
    child.wait()  # ended and reaped: its pid names no process now
    monkeypatch.setattr(render.tempfile, "gettempdir", lambda: str(tmp_path))
    dead, live = tmp_path / f"{render.SOCKETS}{child.pid}-x", tmp_path / f"{render.SOCKETS}{os.getpid()}-y"
    dead.mkdir()
    live.mkdir()
    render._sweep_sockets.__wrapped__()
    assert not dead.exists()
    assert live.exists()


def recommendation_rows() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "level": ["ad", "adset", "ad"],
            "entity": ["Winner", "Loser", XSS],
            "campaign": ["C", "C", "C"],
            "adset": ["S", "Loser", "S"],
            "action": ["scale", "stop-loss", "refresh creative"],
            "reason": ["ROAS 3.40x above target 2.50x", "spent $130.00 with no purchase", "CTR down, frequency up"],
            "confidence": [0.91, 0.97, 0.7],
            "spend": [400.0, 130.0, 90.0],
            "purchases": [8.0, 0.0, 2.0],
            "roas": [3.4, None, 1.8],
            "cpa": [50.0, None, 45.0],
            "ctr": [0.02, 0.01, 0.008],
            "frequency": [1.5, 2.0, 4.2],
        }
    )


def test_recommendations_html_puts_stop_loss_first_and_escapes_names():
    page = recommendations_html(recommendation_rows(), "2026-W47", "USD", for_week="2026-W47")
    assert page.index("Loser") < page.index("&lt;img src=x") < page.index("Winner")  # stop, refresh, scale
    assert "<img" not in page
    assert "Confidence 97%" in page
    assert "ROAS 3.40x" in page
    assert "Frequency 4.20" in page
    assert 'class="rec rec-bad"' in page


def test_recommendations_html_without_the_stage_names_it_and_shows_only_on_their_week():
    assert "recommend</code> stage" in recommendations_html(None, "2026-W47", "USD", for_week="2026-W47")
    older = recommendations_html(recommendation_rows(), "2026-W46", "USD", for_week="2026-W47")
    assert "latest complete week" in older
    assert "Winner" not in older


def test_action_tone_reads_the_usual_spellings():
    assert [action_tone(a) for a in ("Scale", "stop_loss", "PAUSE", "refresh creative", "still learning")] == [
        "good",
        "bad",
        "bad",
        "warn",
        "neutral",
    ]


def test_creative_leaderboard_html_is_none_without_file_and_flags_fatigue():
    targets = {"target_roas": 2.5, "target_cpa": 40.0, "gross_margin": 0.5}
    assert creative_leaderboard_html(None, "2026-W47", "USD", for_week="2026-W47", top_n=5, **targets) is None
    creatives = pl.DataFrame(
        {
            "week": ["2026-W47", "2026-W47", "2026-W46"],
            "ad": [XSS, "Static", "Old"],
            "format": ["video", "image", "video"],
            "spend": [50.0, 80.0, 999.0],
            "roas": [1.0, 3.0, 2.0],
            "hook_rate": [0.31, None, 0.2],
            "fatigued": [True, False, False],
        }
    )
    page = creative_leaderboard_html(creatives, "2026-W47", "USD", for_week="2026-W47", top_n=5, **targets)
    assert page.index("Static") < page.index("&lt;img")  # largest spend first
    assert "Old" not in page  # another week
    assert "⚠ yes" in page
    assert "31.00%" in page
    assert "Format" in page


def ad_rows(rows: list[dict]) -> pl.DataFrame:
    """ad_insights-shaped rows: daily, ad level, one attribution setting; other columns null."""
    base = {
        "platform_source": "meta",
        "level": "ad",
        "campaign": "C",
        "adset": "S",
        "ad": "A",
        "attribution_setting": "7d_click",
        "source_file": "data/raw/meta.csv",
    }
    return conform(pl.DataFrame([{**base, **row} for row in rows]), AD_INSIGHTS)


def test_breakdown_html_sums_one_breakdown_and_names_the_export_when_absent():
    rows = ad_rows(
        [
            {
                "date": MON,
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "spend": 30.0,
                "purchase_value": 90.0,
                "purchases": 1,
            },
            {
                "date": TUE,
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "spend": 10.0,
                "purchase_value": 10.0,
                "purchases": 1,
            },
            {
                "date": MON,
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "spend": 999.0,
                "attribution_setting": "zz_other_window",
            },  # another attribution window: never mixed in
            {"date": MON, "breakdown": "none", "spend": 40.0},  # the totals view is not a breakdown
            {
                "date": dt.date(2026, 11, 23),
                "breakdown": "age_gender",
                "age": "25-34",
                "gender": "female",
                "spend": 5.0,
            },  # next week
        ]
    )
    targets = {"target_roas": 2.5, "target_cpa": 40.0, "gross_margin": 0.5}
    frame, page = breakdown_html(rows, "age_gender", "2026-W47", "USD", **targets)
    assert frame.select("age", "gender", "spend", "roas").rows() == [("25-34", "female", 40.0, 2.5)]
    assert "$40.00" in page
    frame, page = breakdown_html(rows, "placement", "2026-W47", "USD", **targets)
    assert frame is None
    assert "Platform and Placement" in page


def test_data_quality_html_shows_only_the_files_behind_the_week():
    daily = kpis_daily([{"date": MON, "ad": "A", "spend": 1.0}])
    rows = ad_rows([{"date": MON, "breakdown": "none", "spend": 1.0, "source_file": f"{XSS}.csv"}])
    ledger = pl.DataFrame(
        {
            "source_file": [f"{XSS}.csv", "old.csv"],
            "kind": ["meta_ads"] * 2,
            "table": ["ad_insights"] * 2,
            "rows_in": [3, 9],
            "kept": [2, 9],
            "replaced": [0, 0],
            "totals": [1, 0],
            "quarantined": [0, 0],
        }
    )
    warnings = pl.DataFrame({"source_file": ["old.csv"], "check": ["totals"], "message": ["sum <> totals"]})
    page = data_quality_html(daily, rows, None, ledger, warnings, "2026-W47")
    assert "Ad data on 1 of 7 days; no orders export" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    assert "old.csv" not in page
    assert "No warnings for these files." in page


def test_roas_change_html_splits_the_change_into_its_factors():
    daily = kpis_daily(
        [
            # W46: 1000 impressions, 20 link clicks, 2 purchases, value 200 on 100 spent: ROAS 2.
            {
                "date": dt.date(2026, 11, 10),
                "ad": "A",
                "spend": 100.0,
                "impressions": 1000,
                "link_clicks": 20,
                "purchases": 2,
                "purchase_value": 200.0,
            },
            # W47: the same except CVR halves (1 purchase, value 100): ROAS 1, all of it CVR.
            {
                "date": MON,
                "ad": "A",
                "spend": 100.0,
                "impressions": 1000,
                "link_clicks": 20,
                "purchases": 1,
                "purchase_value": 100.0,
            },
        ]
    )
    page = roas_change_html(daily, "2026-W47", "USD")
    assert "−50.0%" in page  # CVR halves ROAS
    assert page.index("conversion rate (CVR)") < page.index(">CPM<")
    assert ">10.00%</td>" in page  # CVR before
    assert ">5.00%</td>" in page  # and now
    assert "no split" in roas_change_html(daily, "2026-W46", "USD")  # nothing the week before


def test_sparkline_svg_draws_points_and_skips_gaps():
    svg = sparkline_svg([1.0, None, 3.0], width=24, height=10, label="<x>")
    assert svg.startswith('<svg class="spark"')
    assert 'points="2.0,7.0 22.0,3.0"' in svg  # low at the bottom, high at the top, the gap left out
    assert 'aria-label="&lt;x&gt;"' in svg
    assert sparkline_svg([None, 2.0]) == ""


def test_week_fingerprint_changes_only_for_weeks_whose_inputs_change(week_inputs):
    daily = pl.read_parquet(week_inputs["kpis_daily_path"])

    def digests(frame: pl.DataFrame, **settings) -> dict[str, str]:
        return {
            week: week_fingerprint(
                week,
                kpis_daily=frame,
                orders=None,
                ad_insights=None,
                ledger=None,
                warnings=None,
                recommendations=None,
                creatives=None,
                settings={"target_roas": 2.5, **settings},
                trend_weeks=4,
                code="v1",
            )
            for week in ("2026-W46", "2026-W47")
        }

    before = digests(daily)
    extra_day = kpis_daily([{"date": dt.date(2026, 11, 23), "ad": "A", "spend": 1.0}])  # Monday of W48
    assert digests(pl.concat([daily, extra_day], how="diagonal_relaxed")) == before
    changed = daily.with_columns(
        pl.when(pl.col("date") == TUE).then(pl.col("spend") + 1).otherwise(pl.col("spend")).alias("spend")
    )
    after = digests(changed)
    assert (after["2026-W46"], after["2026-W47"] != before["2026-W47"]) == (before["2026-W46"], True)
    assert digests(daily, target_roas=3.0) != before  # a target change re-renders


def test_render_index_lists_weeks_without_page_and_sparklines(tmp_path):
    weeks = [
        {
            "week": "2026-W47",
            "spend": 200.0,
            "purchase_value": 300.0,
            "roas": 1.5,
            "cpa": 50.0,
            "revenue": None,
            "mer": None,
            "days": 7,
            "daily_spend": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            "daily_roas": [1.0] * 7,
        },
        {
            "week": "2026-W46",
            "spend": 100.0,
            "purchase_value": 250.0,
            "roas": 2.0,
            "cpa": 20.0,
            "revenue": None,
            "mer": None,
            "days": 7,
            "rendered": False,
            "daily_spend": [1.0] * 7,
            "daily_roas": [2.0] * 7,
        },
    ]
    page = render_index(weeks, tmp_path / "index.html", currency="USD").read_text(encoding="utf-8")
    assert 'href="weekly/2026-W47.html"' in page
    assert 'href="weekly/2026-W46.html"' not in page
    assert 'To render 2026-W46 too, add it: <code>extra_weeks: ["2026-W46"]</code>.' in page
    assert "▼ 25.0%" in page  # ROAS 2.00x -> 1.50x
    assert page.count('<svg class="spark"') >= 3  # spend and ROAS of W47, spend of W46 (flat ROAS also draws)


def test_render_index_fits_a_laptop_screen_with_store_columns_and_large_amounts(tmp_path):
    """Every column, the daily ROAS sparkline included, shows on a 1280-px-wide screen without scrolling the
    table sideways: ad and store figures in the millions, a partial week, weeks without a page."""
    weeks = [
        {
            "week": f"2026-W{week:02d}",
            "spend": 1_234_567.89,
            "purchase_value": 9_876_543.21,
            "roas": 8.0,
            "cpa": 123_456.78,
            "revenue": 19_876_543.21,
            "mer": 16.1,
            "days": 5 if week == 40 else 7,
            "rendered": week > 44,
            "daily_spend": [1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 7.0],
            "daily_roas": [2.0, 1.0, 3.0, 2.0, 4.0, 1.0, 2.0],
        }
        for week in range(40, 48)
    ]
    out = render_index(weeks, tmp_path / "index.html", currency="SEK", target_roas=2.5, target_cpa=40.0)
    assert 'To render 2026-W44 too, add it: <code>extra_weeks: ["2026-W44"]</code>.' in out.read_text("utf-8")
    with chromium_tab(out, width=1280) as tab:
        assert "19,876,543.21 SEK" in tab.inner_text("table.index")
        assert tab.locator("table.index th").count() == 10  # the store's columns and both sparklines
        hidden = hidden_width(tab)
        assert hidden <= 0, f"the table is {hidden} px wider than the page: its last column is cut off"


@pytest.mark.slow
def test_dvc_repro_after_one_new_day_renders_only_its_week(project, tmp_path):
    # A copy of the built project (outputs, dvc.lock, cache): one more export holding a single day of W47.
    import shutil

    copy = tmp_path / "project"
    shutil.copytree(project, copy, symlinks=True)
    (copy / "data" / "raw" / "meta_day.csv").write_text(
        '"Campaign name","Ad set name","Ad name",Day,"Amount spent (GBP)",Impressions,Reach,"Link clicks",'
        'Purchases,"Purchases conversion value","Attribution setting","Reporting starts","Reporting ends"\n'
        "Prospecting,Broad,Ad W,2026-11-21,10.00,1000,900,10,1,50.00,7-day click or 1-day view,"
        "2026-11-21,2026-11-21\n"
    )
    w46 = (copy / "reports" / "weekly" / "2026-W46.html").stat().st_mtime_ns
    result = dvc(copy, "repro")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 up to date, 1 to render (2026-W47)" in result.stdout
    assert "[1/1] 2026-W47 rendered" in result.stdout
    assert (copy / "reports" / "weekly" / "2026-W46.html").stat().st_mtime_ns == w46
    assert "Ad W" in (copy / "reports" / "weekly" / "2026-W47.html").read_text()
    manifest = json.loads((copy / "reports" / "weekly" / ".manifest.json").read_text())
    assert sorted(manifest) == ["2026-W46", "2026-W47"]
    plot = (copy / "data" / "processed" / "account_daily.csv").read_text().splitlines()
    assert plot[0].startswith("date,spend,purchase_value,revenue,roas,mer")
    assert any(line.startswith("2026-11-21,") for line in plot)
