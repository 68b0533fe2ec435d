"""The weekly page at agency scale: it reads only the rows it shows, yet shows exactly what it showed from the
whole tables; its campaign table folds all but the largest rows into summed ones; nbconvert's BeautifulSoup pass
skips the outputs; page digests are fast and stable."""

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

from adlab import kpis
from adlab.report import frames
from adlab.report.frames import TreeLimits, entity_tree, fold_entity_tree, week_tables
from adlab.report.html import TEMPLATE_NAME, TEMPLATES_DIR
from adlab.report.incremental import _frame_digest
from adlab.report.render import _park_html_outputs, _unpark_html_outputs
from adlab.report.weekly.campaigns import FOLDED_NOTE, entity_table_html
from adlab.report.weekly.quality import week_sources
from adlab.schema import ORDERS, conform
from test_report import MON, NOTEBOOK, XSS, ad_rows, kpis_daily

# The notebook's set-up cell as it was before the page read only its window: every table whole.
WHOLE_TABLES_SETUP = """
from adlab import charts, kpis
from adlab.report import frames, html
from adlab.report.weekly import (
    audit,
    breakdowns,
    campaigns,
    creatives,
    header,
    profit,
    quality,
    recommendations,
    results,
    store,
    tiles,
    why,
)

kpis_daily = frames.read_kpis(kpis_daily_path)
kpis_weekly = frames.read_kpis(kpis_weekly_path)
results_daily = frames.read_optional(results_daily_path)
orders = frames.read_optional(orders_path)
store_daily = kpis.store_daily(orders) if orders is not None and orders.height else None
sessions = frames.read_sessions(sessions_path)
ad_insights = frames.read_optional(ad_insights_path)
ledger = frames.read_optional(ledger_path)
quality_warnings = frames.read_optional(warnings_path)
recommendations_csv = frames.read_recommendations(recommendations_path)
creatives_table = frames.read_optional(creatives_path)
profit_daily = frames.read_optional(profit_daily_path)
profit_products = frames.read_optional(profit_products_path)
week = frames.resolve_week(week, kpis_daily)
outputs_week = frames.resolve_week(stage_outputs_week, kpis_daily)
start, end = kpis.week_bounds(week)
last_week = frames.previous_week(week)
breakeven_roas = kpis.breakeven_roas(gross_margin)
targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
figure_html = html.PlotlyEmbed()
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
    ads = [
        ("Prospecting", "Broad", "UGC video", 60.0, 180.0, 3),
        ("Prospecting", "Broad", XSS, 50.0, 40.0, 1),
        ("Retargeting", "Viewers", "Static", 30.0, 150.0, 2),
        ("Retargeting", "Viewers", "Idle", 0.0, 0.0, 0),
    ]
    rows = [
        {
            "date": day,
            "campaign": campaign,
            "adset": adset,
            "ad": ad,
            "spend": spend * (1 + offset % 5 / 10),
            "purchase_value": value * (1 + offset % 3 / 10),
            "purchases": purchases,
            "impressions": 4000 + offset,
            "link_clicks": 60,
            "clicks": 80,
            "checkouts": 9,
        }
        for offset in range(42)
        if (day := first + dt.timedelta(days=offset)) and not dt.date(2026, 10, 26) <= day <= dt.date(2026, 11, 1)
        for campaign, adset, ad, spend, value, purchases in ads
    ]
    daily = kpis_daily(rows)
    orders = conform(
        pl.DataFrame(
            {
                "order_id": [f"#{n}" for n in range(8)],
                "date": [
                    dt.date(2026, 10, 13),
                    dt.date(2026, 10, 20),
                    dt.date(2026, 11, 3),
                    dt.date(2026, 11, 10),
                    dt.date(2026, 11, 16),
                    dt.date(2026, 11, 17),
                    dt.date(2026, 11, 18),
                    dt.date(2026, 11, 22),
                ],
                "total": [50.0, 70.0, 90.0, 60.0, 120.0, 80.0, 40.0, 30.0],
                "refunded": [0.0, 0.0, 10.0, 0.0, 0.0, 20.0, 0.0, 0.0],
                "financial_status": [
                    "paid",
                    "paid",
                    "partially_refunded",
                    "paid",
                    "paid",
                    "partially_refunded",
                    "voided",
                    "paid",
                ],
                "cancelled": [False] * 7 + [True],
                "is_new_customer": [True, False, True, None, True, False, True, False],
                "units": [1, 2, 1, 1, 2, 1, 1, 1],
                "source_file": ["orders_old.csv"] * 3 + ["orders_new.csv"] * 5,
            }
        ),
        ORDERS,
    )
    breakdown = [
        {
            "date": day,
            "breakdown": "age_gender",
            "age": age,
            "gender": gender,
            "spend": 20.0 + len(age),
            "purchase_value": 45.0,
            "purchases": 1,
            "impressions": 900,
            "link_clicks": 9,
            "attribution_setting": setting,
            "source_file": f"meta_{setting}.csv",
        }
        # W47 holds only 7d_click rows; the export's first setting by name is 1d_click, in W45.
        for day, setting in (
            (dt.date(2026, 11, 4), "1d_click"),
            (dt.date(2026, 11, 17), "7d_click"),
            (dt.date(2026, 11, 18), "7d_click"),
        )
        for age in ("18-24", "25-34")
        for gender in ("female", "male")
    ] + [
        {
            "date": dt.date(2026, 11, 17),
            "breakdown": "placement",
            "publisher_platform": "instagram",
            "placement": "feed",
            "spend": 33.0,
            "impressions": 1000,
            "source_file": "meta_placement.csv",
        },
        {"date": dt.date(2026, 11, 16), "breakdown": "none", "spend": 1.0, "source_file": f"{XSS}.csv"},
    ]
    ledger = pl.DataFrame(
        {
            "source_file": ["meta_7d_click.csv", "meta_1d_click.csv", "orders_new.csv", "orders_old.csv"],
            "kind": ["meta_ads", "meta_ads", "shopify_orders", "shopify_orders"],
            "table": ["ad_insights", "ad_insights", "orders", "orders"],
            "rows_in": [4, 8, 5, 3],
            "kept": [4, 8, 5, 3],
            "replaced": [0] * 4,
            "totals": [0] * 4,
            "quarantined": [0] * 4,
        }
    )
    warnings = pl.DataFrame(
        {"source_file": ["orders_old.csv", "orders_new.csv"], "check": ["c1", "c2"], "message": ["old", "new"]}
    )
    paths = {
        name: tmp_path / f"{name}.parquet"
        for name in ("kpis_daily", "kpis_weekly", "orders", "ad_insights", "ledger", "warnings")
    }
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
    whole = frames.read_kpis(agency_tables["kpis_daily_path"])
    assert frames.read_kpis(agency_tables["kpis_daily_path"], days).equals(
        whole.filter(pl.col("date").is_between(*days))
    )
    assert frames.read_kpis(agency_tables["kpis_daily_path"], columns=["date"]).equals(whole.select("date"))
    weekly = frames.read_kpis(agency_tables["kpis_weekly_path"], week="2026-W47")
    assert weekly.equals(frames.read_kpis(agency_tables["kpis_weekly_path"]).filter(pl.col("week") == "2026-W47"))
    orders = frames.read_optional(agency_tables["orders_path"])
    assert frames.read_optional(agency_tables["orders_path"], days).equals(
        orders.filter(pl.col("date").is_between(*days))
    )
    assert frames.read_store(agency_tables["orders_path"]).equals(kpis.store_daily(orders))
    assert frames.read_optional("") is None
    assert frames.scan_optional("") is None
    assert frames.scan_optional(Path(agency_tables["orders_path"]).with_name("absent.parquet")) is None
    scan = frames.scan_optional(agency_tables["ad_insights_path"])
    eager = frames.read_optional(agency_tables["ad_insights_path"])
    assert week_sources(scan, None, "2026-W47") == week_sources(eager, None, "2026-W47")


def four_campaigns() -> pl.DataFrame:
    """One day of 2026-W47, four campaigns, each ad with 100 impressions when it spent.

    A 155: ad set A1 140 (ads a1 50, a2 40, a3 30 with 3 purchases worth 90, a4 20 with 1 worth 10, a5 idle:
    no spend, no impressions), A2 10 (ad b1), A3 5 (ad c1). B 30 (B1, ad x: 1 purchase worth 60). C 20 (C1, ad y:
    1 purchase worth 40). D 10 (D1, ad z: no purchase).
    """
    ads = [
        ("A", "A1", "a1", 50.0, 0, 0.0),
        ("A", "A1", "a2", 40.0, 0, 0.0),
        ("A", "A1", "a3", 30.0, 3, 90.0),
        ("A", "A1", "a4", 20.0, 1, 10.0),
        ("A", "A1", "a5", 0.0, 0, 0.0),
        ("A", "A2", "b1", 10.0, 0, 0.0),
        ("A", "A3", "c1", 5.0, 0, 0.0),
        ("B", "B1", "x", 30.0, 1, 60.0),
        ("C", "C1", "y", 20.0, 1, 40.0),
        ("D", "D1", "z", 10.0, 0, 0.0),
    ]
    return kpis_daily(
        [
            {
                "date": MON,
                "campaign": campaign,
                "adset": adset,
                "ad": ad,
                "spend": spend,
                "impressions": 100 if spend else 0,
                "purchases": purchases,
                "purchase_value": value,
            }
            for campaign, adset, ad, spend, purchases, value in ads
        ]
    )


def test_fold_entity_tree_sums_the_smaller_rows_of_each_level_into_one():
    tree = entity_tree(week_tables(four_campaigns(), "2026-W47"))
    folded = fold_entity_tree(tree, TreeLimits(campaigns=2, expanded=2, adsets=1, ads=2))
    assert folded.select("level", "name", "spend").rows() == [
        ("account", "All campaigns", 215.0),
        ("campaign", "A", 155.0),
        ("adset", "A1", 140.0),
        ("ad", "a1", 50.0),
        ("ad", "a2", 40.0),
        ("ad", "a5", 0.0),  # idle: left in place for the table to leave out and count
        ("ad-more", "2 more ads", 50.0),  # a3 30 + a4 20
        ("adset-more", "2 more ad sets", 15.0),  # A2 10 + A3 5
        ("campaign", "B", 30.0),
        ("adset", "B1", 30.0),
        ("ad", "x", 30.0),
        ("campaign-more", "2 more campaigns", 30.0),  # C 20 + D 10
    ]
    more = {row["name"]: row for row in folded.iter_rows(named=True)}
    # Ratios of the sums: a3 + a4 spent 50 for 4 purchases worth 100; C + D spent 30 for 1 worth 40.
    assert (more["2 more ads"]["roas"], more["2 more ads"]["cpa"], more["2 more ads"]["purchases"]) == (2.0, 12.5, 4)
    assert more["2 more campaigns"]["roas"] == pytest.approx(40 / 30)
    assert more["2 more campaigns"]["share_of_spend"] == pytest.approx(30 / 215)
    assert (more["2 more ads"]["campaign"], more["2 more ads"]["adset"], more["2 more ads"]["ad"]) == ("A", "A1", None)
    html = entity_table_html(folded, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5)
    assert '<tr class="level-ad-more"><td class="text">2 more ads</td><td class="num">$50.00</td>' in html
    assert FOLDED_NOTE in html
    assert "1 ad(s) listed in the exports had no spend or impressions this week." in html
    assert ">a3<" not in html
    # With one campaign expanded, B keeps its row but not its ad set's and ad's.
    one = fold_entity_tree(tree, TreeLimits(campaigns=2, expanded=1, adsets=1, ads=2))
    assert one.select("level", "name").rows()[-3:] == [
        ("adset-more", "2 more ad sets"),
        ("campaign", "B"),
        ("campaign-more", "2 more campaigns"),
    ]


def test_fold_entity_tree_leaves_a_tree_alone_when_folding_would_hide_one_row_or_none():
    tree = entity_tree(week_tables(four_campaigns(), "2026-W47"))
    # 4 campaigns, 3 ad sets in A, 4 delivered ads in A1: one over each limit, so each keeps its own row.
    assert fold_entity_tree(tree, TreeLimits(campaigns=3, expanded=4, adsets=2, ads=3)).equals(tree)
    assert fold_entity_tree(tree).equals(tree)
    assert FOLDED_NOTE not in entity_table_html(tree, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5)


def test_entity_table_html_of_an_agency_week_shows_the_largest_rows_and_still_adds_up():
    # 300 campaigns x 3 ad sets x 8 ads, every spend different: 7,200 ads, 8,401 rows unfolded.
    rows = [
        {
            "date": MON,
            "campaign": f"c{c:03}",
            "adset": f"c{c:03}s{s}",
            "ad": f"c{c:03}s{s}a{a}",
            "spend": 1.0 + c * 100 + s * 10 + a,
            "impressions": 1000,
            "purchases": 1,
            "purchase_value": 50.0,
        }
        for c in range(300)
        for s in range(3)
        for a in range(8)
    ]
    tree = fold_entity_tree(entity_tree(week_tables(kpis_daily(rows), "2026-W47")))
    html = entity_table_html(tree, "USD", target_roas=2.5, target_cpa=40.0, gross_margin=0.5)
    # The account row; the 25 largest campaigns, each with its 3 ad sets, each with its 5 largest ads and one row
    # for the other 3; the next 75 campaigns without their ad sets and ads; one row for the other 200 campaigns.
    assert TreeLimits() == TreeLimits(campaigns=100, expanded=25, adsets=5, ads=5)
    assert html.count("<tr class=") == 1 + 25 * (1 + 3 * (1 + 5 + 1)) + 75 + 1
    assert html.count('<tr class="level-ad-more"><td class="text">3 more ads</td>') == 25 * 3
    assert html.count('<tr class="level-campaign">') == 100
    assert '<tr class="level-campaign-more"><td class="text">200 more campaigns</td>' in html
    assert len(html) < 300_000
    top = tree.filter(pl.col("level").is_in(["campaign", "campaign-more"]))
    assert top["spend"].sum() == pytest.approx(tree.filter(pl.col("level") == "account")["spend"].item())
    assert top["purchases"].sum() == 7_200
    assert tree.filter(pl.col("level") == "campaign")["name"].to_list() == [f"c{c:03}" for c in range(299, 199, -1)]
    assert tree.filter(pl.col("level") == "adset")["campaign"].unique().sort().to_list() == [
        f"c{c:03}" for c in range(275, 300)
    ]


def test_html_outputs_skip_nbconverts_soup_pass_and_come_back_as_written():
    outputs = [
        '<div class="table-wrap"><table><tr><td class="num">$1.00</td><td>&lt;img src=x&gt; &#x27;q&#x27;<br>'
        "</td></tr></table></div>",
        '<div class="chart"><div id="chart-x"></div><script type="text/javascript">if (1 < 2) {}</script></div>',
    ]
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("## Section"),
            nbformat.v4.new_code_cell(
                "x",
                outputs=[
                    nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "<HTML>"})
                    for html in outputs
                ],
            ),
        ]
    )
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
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
        [
            sys.executable,
            "-c",
            "import datetime as dt, polars as pl; from adlab.report.incremental import _frame_digest; "
            "print(_frame_digest(pl.DataFrame("
            f"{{'date': [dt.date(2026, 11, 16), None], 'ad': [{XSS!r}, 'b'], 'spend': [1.5, None]}})))",
        ],
        capture_output=True,
        text=True,
        check=True,
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
