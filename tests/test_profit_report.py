"""The weekly page's profit row (tiles coloured against break-even, the lines under them) and its products tables."""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.kpis.profit import PROFIT_KPIS, PROFIT_SUMS, profit_rollup
from adlab.report.weekly.profit import products_html, profit_row_html
from adlab.report.weekly.tiles import profit_tiles

W45, W44 = dt.date(2026, 11, 2), dt.date(2026, 10, 26)  # the Mondays of 2026-W45 and 2026-W44


def day(date: dt.date, **sums: float | int) -> dict[str, object]:
    """A profit_daily row: the sums given, 0 for the others."""
    return {"account": None, "date": date, **{name: sums.get(name, 0) for name in PROFIT_SUMS}}


def daily(*rows: dict[str, object]) -> pl.DataFrame:
    """profit_daily rows with their KPIs, as the kpis stage writes them."""
    schema = {"account": pl.String, "date": pl.Date}
    schema |= {name: pl.Int64 if name in ("orders", "new_customers") else pl.Float64 for name in PROFIT_SUMS}
    frame = pl.DataFrame(list(rows), schema=schema)
    return profit_rollup(frame, ["account", "date"]).select("account", "date", *PROFIT_SUMS, *PROFIT_KPIS)


# W45: revenue 1,000 (net 900 after 100 tax), cost of goods 400 (100 of 800 product sales at the margin), fees 30,
# shipping 0: gross profit 470; 10 new customers spent 600. W44: gross profit 600.
WEEK = daily(
    day(
        W45,
        orders=20,
        revenue=1000.0,
        net_revenue=900.0,
        cogs=400.0,
        fees=30.0,
        gross_profit=470.0,
        product_sales=800.0,
        margin_fallback_sales=200.0,
        new_customers=10,
        new_customer_revenue=600.0,
        spend=500.0,
    ),
    day(W44, orders=25, revenue=1200.0, net_revenue=1100.0, cogs=500.0, gross_profit=600.0, spend=400.0),
)


def test_profit_tiles_colour_poas_and_profit_after_ads_against_break_even():
    losing = {
        "gross_profit": 470.0,
        "contribution_after_ads": -30.0,
        "poas": 0.94,
        "ncroas": 1.2,
        "breakeven_roas_actual": 2.127660,
        "new_customer_cpa": 50.0,
        "new_customers": 10,
        "spend": 500.0,
    }
    tiles = {tile.label: tile for tile in profit_tiles(losing, None, "USD")}
    assert list(tiles) == ["Gross profit", "Profit after ads", "POAS", "ncROAS", "New-customer CPA"]
    assert (tiles["Profit after ads"].value, tiles["Profit after ads"].status) == ("-$30.00", "bad")
    assert (tiles["POAS"].value, tiles["POAS"].status, tiles["POAS"].note) == ("0.94x", "bad", "break-even 1.00x")
    assert (tiles["ncROAS"].status, tiles["ncROAS"].note) == ("warn", "break-even 2.13x")  # 1.2 < 2.13
    assert tiles["New-customer CPA"].note == "10 new customers"
    earning = {**losing, "contribution_after_ads": 30.0, "poas": 1.06}
    tiles = {tile.label: tile for tile in profit_tiles(earning, losing, "USD")}
    assert (tiles["Profit after ads"].status, tiles["POAS"].status) == ("good", "good")
    assert tiles["POAS"].change_tone == "good"  # up from 0.94
    unknown = {tile.label: tile for tile in profit_tiles({"gross_profit": -5.0}, None, "USD")}
    assert unknown["Gross profit"].status == "bad"
    assert (unknown["POAS"].value, unknown["POAS"].status) == ("–", None)  # no spend: unknown, never 0


def test_profit_row_shows_the_week_and_what_it_rests_on():
    page = profit_row_html(WEEK, "2026-W45", {"spend": 500.0, "mer": 2.0}, {"spend": 400.0}, "USD", gross_margin=0.5)
    assert "Profit after costs and ads" in page
    assert "$470.00" in page  # gross profit 900 - 400 - 30 - 0
    assert "-$30.00" in page  # 470 - 500 after ads
    assert "0.94x" in page  # POAS 470 / 500
    assert "$50.00" in page  # new-customer CPA 500 / 10
    assert "▼ 21.7%" in page  # gross profit 470 against 600 the week before
    # 200 of 800 product sales at the margin setting: 25%; the rest from unit costs.
    assert "75% of product sales from unit costs" in page
    assert "25% at the 50% gross margin of <code>targets.gross_margin</code>" in page
    assert "without $100.00 of tax" in page
    assert "<code>profit.shipping_cost_per_order</code>" in page  # shipping 0: not counted, and said so
    assert "goes back to 26 Oct 2026" in page  # the first day with an order
    assert "2.13x (MER 2.00x)" in page  # break-even ROAS 1,000 / 470
    for word in ("None", "nan", "null"):
        assert word not in page


def test_profit_row_is_absent_without_orders_and_says_so_for_a_week_without_them():
    assert profit_row_html(None, "2026-W45", {}, None, "USD", gross_margin=0.5) == ""
    assert profit_row_html(WEEK.clear(), "2026-W45", {}, None, "USD", gross_margin=0.5) == ""
    page = profit_row_html(WEEK, "2026-W40", {}, None, "USD", gross_margin=0.5)
    assert "holds no orders for 2026-W40" in page
    assert "tile" not in page  # no tiles of zeros


def test_products_tables_rank_by_revenue_and_margin_and_escape_names():
    products = pl.DataFrame(
        {
            "account": [None] * 4,
            "week": ["2026-W45"] * 3 + ["2026-W44"],
            "product": ["Tee", "<img src=x onerror=alert(1)>", "Sticker", "Old"],
            "units": [10, 2, 1, 1],
            "product_revenue": [300.0, 100.0, 1.0, 50.0],
            "product_cogs": [90.0, 80.0, 0.1, 10.0],
            "product_gross_profit": [210.0, 20.0, 0.9, 40.0],
            "product_margin": [0.7, 0.2, 0.9, 0.8],
            "cost_fallback_share": [0.0, 1.0, 0.0, 0.0],
        },
        schema_overrides={"account": pl.String},
    )
    page = products_html(products, "2026-W45", "USD", top_n=1)
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    by_revenue, by_margin = page.split("Products by margin")
    assert "Tee" in by_revenue
    assert "Sticker" not in by_revenue
    # Sticker's 1.00 is under 1% of the week's 401.00: left out of the margin ranking, whatever its 90%.
    assert "Sticker" not in by_margin
    assert "Lowest margins" in by_margin  # the 20% product under the best one
    assert "Old" not in page  # another week's
    assert products_html(None, "2026-W45", "USD", top_n=5) == ""
    assert products_html(products, "2026-W30", "USD", top_n=5) == ""
