"""Profit from costs: order lines and unit costs read at ingest, each order's cost of goods, fees, shipping and gross
profit, and the profit and new-customer figures per day, week and product, every figure worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from adlab.errors import AdlabError
from adlab.ingest import ingest
from adlab.kpis import (
    ProfitSettings,
    build_summary,
    line_costs,
    order_profit,
    orders_with_profit,
    portfolio_summary,
    product_profit,
    profit_daily,
    profit_figures,
    profit_weekly,
)
from adlab.kpis.by_account import KpisSettings, account_kpis
from adlab.params import load_params
from adlab.schema import AD_INSIGHTS, LEDGER, conform, empty
from adlab.sources.shopify_orders import mark_new_customers

# Settings of every test: lines without a cost at a 50% margin, fees 3% + 0.30 per paid order, 5.00 shipping.
SETTINGS = ProfitSettings(gross_margin=0.5, payment_fee_rate=0.03, payment_fee_fixed=0.30, shipping_cost_per_order=5.0)

ORDERS_HEADER = (
    "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,"
    "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Lineitem discount,Refunded Amount,Cancelled at,"
    "Billing Name"
)
# Week 2026-W45 (Mon 2 Nov - Sun 8 Nov). Ann buys twice (new, then returning); Bob's order is half refunded; Cat's
# is voided; Dan's is refunded in full.
ORDERS = [
    # #1 Ann, new: 2 tees (TEE-S, 9.00 each in the products export) + a mug (MUG, 4.00) with 2.00 off the mug.
    "#1,ann@example.com,paid,USD,70.00,6.00,7.80,83.80,2.00,2026-11-02 10:00:00 -0500,2,Organic Tee - S,30.00,TEE-S,"
    "0.00,0.00,,Ann Lee",
    "#1,ann@example.com,,,,,,,,2026-11-02 10:00:00 -0500,1,Enamel Mug,12.00,MUG,2.00,,,",
    # #2 Bob, new: a cap (no cost: margin) + a tee M without SKU (by name: 9.00 from the products export).
    "#2,bob@example.com,partially_refunded,USD,50.00,0.00,0.00,50.00,0.00,2026-11-03 09:00:00 -0500,1,Canvas Cap,"
    "20.00,CAP,0.00,25.00,,Bob Ray",
    "#2,bob@example.com,,,,,,,,2026-11-03 09:00:00 -0500,1,organic  tee - m,30.00,,0.00,,,",
    # #3 Ann, returning: a tee M by SKU (10.00 in the costs CSV, which wins over the products export's 9.00).
    "#3,ann@example.com,paid,USD,30.00,5.00,0.00,35.00,0.00,2026-11-05 12:00:00 -0500,1,Organic Tee - M,30.00,"
    "TEE-M,0.00,0.00,,Ann Lee",
    # #4 Cat: voided and cancelled, never counts.
    "#4,cat@example.com,voided,USD,12.00,0.00,0.00,12.00,0.00,2026-11-05 13:00:00 -0500,1,Enamel Mug,12.00,MUG,"
    "0.00,0.00,2026-11-05 14:00:00 -0500,Cat Poe",
    # #5 Dan, new: a product no export knows (margin), refunded in full.
    "#5,dan@example.com,refunded,USD,40.00,0.00,0.00,40.00,0.00,2026-11-06 08:00:00 -0500,1,Mystery Box,40.00,,"
    "0.00,40.00,,Dan Wu",
]
# The classic products export: the tee's second variant leaves Title empty, then an image-only row; the cap has no cost.
PRODUCTS = [
    "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Cost per item,Image Src",
    "tee,Organic Tee,Size,S,TEE-S,30.00,9.00,https://example.com/tee-1.jpg",
    "tee,,,M,TEE-M,30.00,9.00,",
    "tee,,,,,,,https://example.com/tee-2.jpg",
    "mug,Enamel Mug,Title,Default Title,MUG,12.00,4.00,https://example.com/mug.jpg",
    "cap,Canvas Cap,Title,Default Title,CAP,20.00,,https://example.com/cap.jpg",
]
COSTS = ["sku,unit_cost", "TEE-M,10.00"]
# Ad spend: 20.00 on 2 Nov and 30.00 on 5 Nov (the ad exports run 2-5 Nov).
SPEND = pl.DataFrame(
    {"date": [dt.date(2026, 11, 2), dt.date(2026, 11, 5)], "spend": [20.0, 30.0]},
    schema={"date": pl.Date, "spend": pl.Float64},
)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    folder = tmp_path_factory.mktemp("exports")
    files = []
    for name, lines in (("orders.csv", [ORDERS_HEADER, *ORDERS]), ("products.csv", PRODUCTS), ("costs.csv", COSTS)):
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(folder / name)
    result = ingest(files, folder, "salt")
    return {**result.tables, **result.costs, "ledger": result.ledger}


def by_order(frame: pl.DataFrame, column: str) -> dict[str, float]:
    return {row["order_id"]: round(row[column], 6) for row in frame.iter_rows(named=True)}


# --------------------------------------------------------------------------- ingest


def test_ingest_keeps_order_lines_with_sku_name_quantity_and_prices(tables):
    lines = tables["order_lines"]
    assert lines.select("order_id", "line", "sku", "product", "quantity", "unit_price", "line_discount").rows() == [
        ("#1", 1, "TEE-S", "Organic Tee - S", 2, 30.0, 0.0),
        ("#1", 2, "MUG", "Enamel Mug", 1, 12.0, 2.0),
        ("#2", 1, "CAP", "Canvas Cap", 1, 20.0, 0.0),
        ("#2", 2, None, "organic  tee - m", 1, 30.0, 0.0),
        ("#3", 1, "TEE-M", "Organic Tee - M", 1, 30.0, 0.0),
        ("#4", 1, "MUG", "Enamel Mug", 1, 12.0, 0.0),
        ("#5", 1, None, "Mystery Box", 1, 40.0, 0.0),
    ]
    assert lines["date"].to_list()[:2] == [dt.date(2026, 11, 2)] * 2  # the order's date, on every line
    assert lines["order_shipping_cost"].null_count() == lines.height  # no shipping cost column in the export


def test_ingest_reads_unit_costs_from_a_products_export_and_a_costs_csv(tables):
    costs = tables["unit_costs"].sort("source", "sku")
    assert costs.select("sku", "product", "variant", "unit_cost", "source").rows() == [
        ("TEE-M", None, None, 10.0, "costs_csv"),
        ("CAP", "Canvas Cap", None, None, "shopify_products"),  # `Default Title` is no variant
        ("MUG", "Enamel Mug", None, 4.0, "shopify_products"),
        ("TEE-M", "Organic Tee", "M", 9.0, "shopify_products"),  # the title of the product's first row
        ("TEE-S", "Organic Tee", "S", 9.0, "shopify_products"),
    ]


def test_ingest_ledger_counts_a_products_image_row_with_its_product(tables):
    ledger = {row["source_file"]: row for row in tables["ledger"].iter_rows(named=True)}
    products = ledger["products.csv"]
    # 5 rows in: 4 variants kept, the image row counted with the tee's first variant.
    assert (products["kind"], products["rows_in"], products["kept"], products["quarantined"]) == (
        "shopify_products",
        5,
        5,
        0,
    )
    assert (ledger["costs.csv"]["kind"], ledger["costs.csv"]["kept"]) == ("costs_csv", 1)


def test_ingest_marks_new_customers_by_their_first_counted_order(tables):
    orders = tables["orders"].sort("order_id")
    # Ann: #1 new, #3 returning; Bob #2 new; Cat's voided #4 never counts; Dan's refunded #5 was placed: new.
    assert orders["is_new_customer"].to_list() == [True, True, False, False, True]


def test_mark_new_customers_skips_a_cancelled_first_order():
    orders = pl.DataFrame(
        {
            "account": [None, None, None],
            "order_id": ["#1", "#2", "#3"],
            "created_at": [dt.datetime(2026, 1, d, tzinfo=dt.UTC) for d in (1, 2, 3)],
            "cancelled": [True, False, False],
            "financial_status": ["refunded", "paid", "paid"],
            "customer_key": ["eve", "eve", None],
        },
        schema_overrides={"account": pl.String},
    )
    # Eve's first order was cancelled, so her second is her first that counts; no e-mail, no customer (null).
    assert mark_new_customers(orders)["is_new_customer"].to_list() == [False, True, None]


def test_ingest_quarantines_a_bad_cost_and_a_bad_line_price(tmp_path):
    (tmp_path / "costs.csv").write_text("sku,unit_cost\nA,1.50\nB,n/a\nC,-2\n,3\n")
    result = ingest([tmp_path / "costs.csv"], tmp_path, "salt")
    assert result.costs["unit_costs"]["sku"].to_list() == ["A"]
    # `n/a` is a no-data token: the cost is empty.
    assert result.quarantine["unit_costs"]["reason"].to_list() == [
        "`unit_cost` is empty",
        "unit cost is negative",
        "`sku` is empty and no product is named",
    ]
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,"
        "Lineitem price\n"
        "#1,a@example.com,paid,USD,10.00,10.00,2026-11-02 10:00:00 -0500,1,Mug,ten\n"
    )
    result = ingest([orders], tmp_path, "salt")
    assert result.tables["orders"].is_empty()
    assert result.costs["order_lines"].is_empty()
    assert result.quarantine["orders"]["reason"].to_list() == ["`Lineitem price` is not a number"]


# --------------------------------------------------------------------------- costs and orders


def test_line_costs_match_by_sku_then_by_name_else_the_margin(tables):
    lines = line_costs(tables["order_lines"], tables["unit_costs"], 0.5)
    rows = {(row["order_id"], row["line"]): row for row in lines.iter_rows(named=True)}
    assert [(rows[key]["cost_source"], rows[key]["unit_cost"], rows[key]["line_cogs"]) for key in sorted(rows)] == [
        ("sku", 9.0, 18.0),  # #1 TEE-S: 2 x 9.00
        ("sku", 4.0, 4.0),  # #1 MUG: 1 x 4.00 (a discount does not lower the cost of goods)
        ("margin", None, 10.0),  # #2 CAP has no cost: 20.00 x (1 - 0.5)
        ("name", 9.0, 9.0),  # #2 "organic  tee - m" is "Organic Tee - M" case- and space-insensitively
        ("sku", 10.0, 10.0),  # #3 TEE-M: the costs CSV's 10.00 wins over the products export's 9.00
        ("sku", 4.0, 4.0),  # #4 MUG (voided: it will not count)
        ("margin", None, 20.0),  # #5 no export knows it: 40.00 x 0.5
    ]
    assert rows[("#2", 2)]["product_title"] == "Organic Tee"  # named as the products export names it
    assert rows[("#5", 1)]["product_title"] == "Mystery Box"  # unmatched: the line item's name


def test_order_profit_works_out_each_order_by_hand(tables):
    orders = order_profit(tables["orders"], tables["order_lines"], tables["unit_costs"], SETTINGS)
    assert orders["order_id"].to_list() == ["#1", "#2", "#3", "#5"]  # #4 is voided
    # refund share = refunded / total: #2 25 / 50 = 0.5; #5 40 / 40 = 1.
    assert by_order(orders, "refund_share") == {"#1": 0.0, "#2": 0.5, "#3": 0.0, "#5": 1.0}
    # revenue = total - refunded
    assert by_order(orders, "revenue") == {"#1": 83.8, "#2": 25.0, "#3": 35.0, "#5": 0.0}
    # net revenue = (total - taxes) x (1 - refund share): #1 (83.80 - 7.80) = 76; #2 50 x 0.5 = 25
    assert by_order(orders, "net_revenue") == {"#1": 76.0, "#2": 25.0, "#3": 35.0, "#5": 0.0}
    # cost of goods x (1 - refund share): #1 18 + 4 = 22; #2 (10 + 9) x 0.5 = 9.5; #3 10; #5 20 x 0 = 0
    assert by_order(orders, "cogs") == {"#1": 22.0, "#2": 9.5, "#3": 10.0, "#5": 0.0}
    # fees = 3% of the total + 0.30, not given back on refunds:
    # #1 2.514 + 0.3; #2 1.5 + 0.3; #3 1.05 + 0.3; #5 1.2 + 0.3
    assert by_order(orders, "fees") == {"#1": 2.814, "#2": 1.8, "#3": 1.35, "#5": 1.5}
    assert by_order(orders, "shipping_cost") == {"#1": 5.0, "#2": 5.0, "#3": 5.0, "#5": 5.0}
    # gross profit = net revenue - cogs - fees - shipping: #1 76 - 22 - 2.814 - 5 = 46.186; #2 25 - 9.5 - 1.8 - 5 = 8.7;
    # #3 35 - 10 - 1.35 - 5 = 18.65; #5 0 - 0 - 1.5 - 5 = -6.5
    assert by_order(orders, "gross_profit") == {"#1": 46.186, "#2": 8.7, "#3": 18.65, "#5": -6.5}
    # product sales (quantity x price) and those costed at the margin: #2's cap 20; #5's box 40
    assert by_order(orders, "product_sales") == {"#1": 72.0, "#2": 50.0, "#3": 30.0, "#5": 40.0}
    assert by_order(orders, "margin_fallback_sales") == {"#1": 0.0, "#2": 20.0, "#3": 0.0, "#5": 40.0}


def test_order_profit_takes_an_exported_shipping_cost_over_the_setting():
    orders = pl.DataFrame(
        {
            "account": [None, None],
            "order_id": ["#1", "#2"],
            "date": [dt.date(2026, 11, 2)] * 2,
            "subtotal": [10.0, 10.0],
            "taxes": [0.0, 0.0],
            "total": [10.0, 0.0],
            "refunded": [0.0, 0.0],
            "financial_status": ["paid", "paid"],
            "cancelled": [False, False],
            "is_new_customer": [True, True],
            "units": [1, 1],
        },
        schema_overrides={"account": pl.String},
    )
    lines = pl.DataFrame(
        {
            "account": [None, None],
            "order_id": ["#1", "#2"],
            "line": [1, 1],
            "sku": ["A", "A"],
            "product": ["A", "A"],
            "variant": [None, None],
            "quantity": [1, 1],
            "unit_price": [None, 10.0],  # #1's export has no price: priced at its subtotal per unit, 10 / 1
            "line_discount": [None, None],
            "order_shipping_cost": [7.5, None],
        },
        schema_overrides={"account": pl.String, "variant": pl.String, "line_discount": pl.Float64},
    )
    costs = pl.DataFrame(schema={"account": pl.String, "sku": pl.String, "product": pl.String, "variant": pl.String,
                                 "unit_cost": pl.Float64, "source": pl.String})  # fmt: skip
    result = order_profit(orders, lines, costs, SETTINGS)
    assert result["shipping_cost"].to_list() == [7.5, 5.0]  # the export's 7.50, else the setting's 5.00
    assert result["cogs"].to_list() == [5.0, 5.0]  # 10 x (1 - 0.5) each
    assert result["fees"].to_list() == [0.6, 0.0]  # 3% of 10 + 0.30; a free order pays no fee


# --------------------------------------------------------------------------- days, weeks, products


@pytest.fixture(scope="module")
def daily(tables) -> pl.DataFrame:
    orders = order_profit(tables["orders"], tables["order_lines"], tables["unit_costs"], SETTINGS)
    return profit_daily(orders, SPEND)


def test_profit_daily_adds_orders_by_day_against_that_day_spend(daily):
    rows = {row["date"].day: row for row in daily.iter_rows(named=True)}
    assert sorted(rows) == [2, 3, 5, 6]  # order days and ad days
    assert (rows[2]["gross_profit"], rows[2]["spend"], rows[2]["contribution_after_ads"]) == (46.186, 20.0, 26.186)
    assert rows[2]["poas"] == pytest.approx(46.186 / 20)  # 2.3093
    # 3 Nov: an order, no ad row inside the ad exports' dates: spend 0, so POAS has nothing to divide by.
    assert (rows[3]["spend"], rows[3]["poas"], rows[3]["contribution_after_ads"]) == (0.0, None, 8.7)
    # 5 Nov: 18.65 - 30 = -11.35 after ads; POAS 18.65 / 30
    assert rows[5]["contribution_after_ads"] == pytest.approx(-11.35)
    assert rows[5]["poas"] == pytest.approx(0.621667, abs=1e-6)
    # 6 Nov lies after the ad exports: spend unknown, never 0.
    assert (rows[6]["spend"], rows[6]["poas"], rows[6]["contribution_after_ads"]) == (None, None, None)
    assert (rows[6]["new_customers"], rows[6]["new_customer_revenue"]) == (1, 0.0)  # Dan, fully refunded


def test_profit_weekly_is_the_ratio_of_the_week_sums(daily):
    week = profit_weekly(daily).row(0, named=True)
    assert week["week"] == "2026-W45"
    assert (week["orders"], week["new_customers"]) == (4, 3)  # Ann, Bob, Dan
    assert week["revenue"] == pytest.approx(143.8)  # 83.80 + 25 + 35 + 0
    assert week["cogs"] == pytest.approx(41.5)  # 22 + 9.5 + 10 + 0
    assert week["fees"] == pytest.approx(7.464)  # 2.814 + 1.8 + 1.35 + 1.5
    assert week["gross_profit"] == pytest.approx(67.036)  # 136 - 41.5 - 7.464 - 20
    assert week["spend"] == 50.0
    assert week["contribution_after_ads"] == pytest.approx(17.036)  # 67.036 - 50
    assert week["poas"] == pytest.approx(1.34072)  # 67.036 / 50
    assert week["breakeven_roas_actual"] == pytest.approx(143.8 / 67.036)  # 2.1451
    assert week["gross_margin_actual"] == pytest.approx(67.036 / 143.8)  # 0.4662
    assert week["new_customer_revenue"] == pytest.approx(108.8)  # 83.80 + 25 + 0
    assert week["ncroas"] == pytest.approx(2.176)  # 108.8 / 50
    assert week["new_customer_cpa"] == pytest.approx(50 / 3)  # 16.67
    assert week["cost_fallback_share"] == pytest.approx(0.3125)  # (20 + 40) / (72 + 50 + 30 + 40)


def test_profit_figures_divide_by_the_spend_given(daily):
    figures = profit_figures(daily, dt.date(2026, 11, 2), dt.date(2026, 11, 8), spend=60.0)
    assert figures["poas"] == pytest.approx(67.036 / 60)
    assert figures["contribution_after_ads"] == pytest.approx(7.036)
    assert profit_figures(daily, dt.date(2026, 10, 1), dt.date(2026, 10, 7))["gross_profit"] is None  # no orders
    assert profit_figures(None, dt.date(2026, 11, 2), dt.date(2026, 11, 8))["poas"] is None


def test_profit_daily_without_orders_has_no_rows(tables):
    none = order_profit(tables["orders"].clear(), tables["order_lines"].clear(), tables["unit_costs"].clear(), SETTINGS)
    daily = profit_daily(none, SPEND)
    assert daily.is_empty()  # no orders: no profit figures at all, not days of 0
    assert "poas" in daily.columns


def test_product_profit_ranks_products_by_revenue_and_margin(tables):
    costed = line_costs(tables["order_lines"], tables["unit_costs"], 0.5)
    orders = orders_with_profit(tables["orders"], costed, SETTINGS)
    products = {row["product"]: row for row in product_profit(orders, costed).iter_rows(named=True)}
    assert sorted(products) == ["Canvas Cap", "Enamel Mug", "Mystery Box", "Organic Tee"]
    tee = products["Organic Tee"]
    # #1 2 x 30, #2 30 x 0.5 (half refunded), #3 30: revenue 105; cost 18 + 9 x 0.5 + 10 = 32.5
    assert (tee["units"], tee["product_revenue"], tee["product_cogs"]) == (4, 105.0, 32.5)
    assert tee["product_margin"] == pytest.approx(72.5 / 105)
    mug = products["Enamel Mug"]  # 12 - 2.00 line discount = 10; cost 4; #4 voided left out
    assert (mug["units"], mug["product_revenue"], mug["product_gross_profit"]) == (1, 10.0, 6.0)
    cap = products["Canvas Cap"]  # 20 x 0.5 kept; cost 10 x 0.5; all at the margin setting
    assert (cap["product_revenue"], cap["product_cogs"], cap["cost_fallback_share"]) == (10.0, 5.0, 1.0)
    box = products["Mystery Box"]  # refunded in full: no revenue, so no margin (not 0)
    assert (box["product_revenue"], box["product_margin"]) == (0.0, None)


# --------------------------------------------------------------------------- the kpis stage and metrics


def test_account_kpis_writes_profit_tables_and_summary_keys(tables):
    ad_rows = pl.DataFrame(
        {
            "date": [dt.date(2026, 11, 2), dt.date(2026, 11, 5)],
            "platform_source": ["meta", "meta"],
            "level": ["ad", "ad"],
            "campaign": ["C", "C"],
            "adset": ["S", "S"],
            "ad": ["A", "A"],
            "breakdown": ["none", "none"],
            "currency": ["USD", "USD"],
            "spend": [20.0, 30.0],
            "impressions": [1000, 1000],
            "source_file": ["ads.csv", "ads.csv"],
        }
    )
    inputs = {
        "ad_insights": conform(ad_rows, AD_INSIGHTS),
        "orders": tables["orders"].drop("_input_rows"),
        "order_lines": tables["order_lines"],
        "unit_costs": tables["unit_costs"],
        "store_sales": empty(
            {"account": pl.String(), "date": pl.Date(), "orders": pl.Int64(), "total_sales": pl.Float64()}
        ),
        "sessions": empty(
            {
                "account": pl.String(),
                "date": pl.Date(),
                "period": pl.String(),
                "source": pl.String(),
                "sessions": pl.Int64(),
            }
        ),
        "ledger": empty({"account": pl.String(), **LEDGER}),
    }
    out = account_kpis(None, inputs, KpisSettings("video_3s_plays", "2026-W45", "raw", SETTINGS))
    assert set(out) >= {"profit_daily", "profit_weekly", "profit_products"}
    summary = json.loads(out["summary"]["summary"][0])
    assert summary["gross_profit"] == 67.036
    assert summary["contribution_after_ads"] == 17.036
    assert summary["poas"] == 1.34072
    assert summary["new_customers"] == 3
    assert summary["new_customer_cpa"] == 16.666667
    assert summary["ncroas"] == 2.176
    assert summary["cost_fallback_share"] == 0.3125
    assert summary["breakeven_roas_actual"] == 2.145116  # 143.8 / 67.036
    assert summary["first_order_date"] == "2026-11-02"
    assert summary["previous"]["gross_profit"] is None  # no orders in W44: unknown, not 0


def test_build_summary_without_orders_has_every_profit_key_null():
    no_days = pl.DataFrame(schema={"date": pl.Date})
    summary = build_summary(no_days, None, empty(LEDGER), None, "raw")
    for key in ("gross_profit", "contribution_after_ads", "poas", "breakeven_roas_actual", "new_customers",
                "new_customer_revenue", "new_customer_cpa", "ncroas", "cost_fallback_share"):  # fmt: skip
        assert key in summary
        assert summary[key] is None
    assert summary["first_order_date"] is None


def test_portfolio_summary_adds_profit_and_divides_the_sums():
    def account(gross: float, spend: float, new: int, new_revenue: float, first: str) -> dict:
        return {
            "week": "2026-W45",
            "week_complete": True,
            "currency": "USD",
            "spend": spend,
            "revenue": 2 * gross,
            "gross_profit": gross,
            "new_customers": new,
            "new_customer_revenue": new_revenue,
            "product_sales": 100.0,
            "margin_fallback_sales": 25.0 if first < "2026" else 0.0,
            "first_order_date": first,
            "previous": {"week": "2026-W44"},
            "rows": {"in": 0, "kept": 0, "replaced": 0, "totals": 0, "quarantined": 0},
            "by_platform": {},
            "data_source": "raw",
        }

    portfolio = portfolio_summary(
        {"A": account(300.0, 100.0, 4, 200.0, "2025-01-01"), "B": account(100.0, 300.0, 6, 400.0, "2026-03-01")}
    )
    assert portfolio["gross_profit"] == 400.0
    assert portfolio["contribution_after_ads"] == 0.0  # 400 - 400
    assert portfolio["poas"] == 1.0  # 400 / 400, not the mean of 3.0 and 0.33
    assert portfolio["new_customer_cpa"] == 40.0  # 400 / 10
    assert portfolio["ncroas"] == 1.5  # 600 / 400
    assert portfolio["breakeven_roas_actual"] == 2.0  # revenue 800 / 400
    assert portfolio["cost_fallback_share"] == 0.125  # 25 / 200
    assert portfolio["first_order_date"] == "2026-03-01"  # every account's history goes back at least that far


def test_profit_settings_of_params_take_the_account_override():
    from adlab.params import Params, ProfitParams, TargetsParams

    params = Params(targets=TargetsParams(gross_margin=0.4), profit=ProfitParams(0.02, 0.25, 3.0))
    assert ProfitSettings.of(params) == ProfitSettings(0.4, 0.02, 0.25, 3.0)


def test_stage_files_are_named_in_dvc_yaml():
    import yaml

    stages = yaml.safe_load((Path(__file__).resolve().parents[1] / "dvc.yaml").read_text())["stages"]
    outs = [next(iter(out)) if isinstance(out, dict) else out for out in stages["kpis"]["outs"]]
    assert {"data/processed/profit_daily.parquet", "data/processed/profit_weekly.parquet"} <= set(outs)
    assert "data/interim/order_lines.parquet" in stages["kpis"]["deps"]
    assert {"profit", "targets.gross_margin", "accounts"} <= set(stages["kpis"]["params"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("profit: {payment_fee_rate: 1.5}\n", r"`profit\.payment_fee_rate` must be a fraction in \[0, 1\)"),
        ("profit: {payment_fee_fixed: -1}\n", r"`profit\.payment_fee_fixed` must be >= 0"),
        ("profit: {shipping_cost: 3}\n", r"`profit\.shipping_cost` is not a setting; known: payment_fee_rate"),
        ("profit: {payment_fee_rate: high}\n", r"`profit\.payment_fee_rate` = 'high' should be a float"),
        (
            'accounts:\n  "Shop A":\n    profit: {shipping_cost_per_order: -2}\n',
            r"`accounts\.\"Shop A\"\.profit\.shipping_cost_per_order` must be >= 0",
        ),
    ],
)
def test_load_params_wrong_profit_setting_is_one_line(tmp_path, text, message):
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(AdlabError, match=message) as error:
        load_params(path)
    assert "\n" not in str(error.value)


def test_load_params_profit_settings_per_account(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(
        "targets: {gross_margin: 0.6}\nprofit: {payment_fee_rate: 0.02, shipping_cost_per_order: 4}\n"
        'accounts:\n  "Shop A":\n    profit: {payment_fee_fixed: 2500}\n    targets: {gross_margin: 0.4}\n'
    )
    params = load_params(path)
    assert ProfitSettings.of(params) == ProfitSettings(0.6, 0.02, 0.30, 4.0)  # fixed fee: the default 0.30
    # Shop A's own fixed fee and margin over the top-level rate and shipping.
    assert ProfitSettings.of(params.for_account("Shop A")) == ProfitSettings(0.4, 0.02, 2500.0, 4.0)
