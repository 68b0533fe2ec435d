"""Profit on real Shopify exports (../shared/data/real; skipped when absent): the products export's variants and
costs, and an orders export's profit and new customers against a computation of our own from the raw CSV."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from adlab.ingest import ingest
from adlab.kpis import ProfitSettings, first_order_date, order_profit

PRODUCTS = "shopify_products_demo_mit/Product-data.csv"
ORDERS = "shopify_maison_maria_gbp/orders_export_1_REDACTED.csv"
SETTINGS = ProfitSettings(gross_margin=0.5, payment_fee_rate=0.029, payment_fee_fixed=0.30, shipping_cost_per_order=0)


def test_real_products_export_gives_a_variant_row_each_with_the_title_carried(real_data, tmp_path):
    path = real_data / PRODUCTS
    result = ingest([path], real_data, "salt")
    costs = result.costs["unit_costs"]
    assert costs.height == 21  # 20 products, the gloves in two colours
    gloves = costs.filter(costs["product"] == "Gardening Gloves").sort("variant")
    assert gloves["variant"].to_list() == ["Green", "Yellow"]  # the yellow row leaves Title empty
    assert costs["unit_cost"].null_count() == 21  # this demo store never filled in `Cost per item`
    assert costs.filter(costs["product"] == "Floor Lamp")["variant"].to_list() == [None]  # `Default Title`
    ledger = result.ledger.row(0, named=True)
    assert (ledger["kind"], ledger["rows_in"], ledger["kept"]) == ("shopify_products", 21, 21)
    assert result.warnings["message"].to_list() == [
        "21 of 21 variants have no `Cost per item`: their sales are costed at targets.gross_margin"
    ]


def raw_orders(path: Path) -> dict[str, dict]:
    """The export's orders as written: order fields from the first line, every line's quantity, price and SKU."""
    orders: dict[str, dict] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            order = orders.setdefault(row["Name"], {"lines": []})
            if row["Financial Status"]:
                order.update(
                    email=row["Email"].strip().lower(),
                    status=row["Financial Status"],
                    cancelled=bool(row["Cancelled at"]),
                    total=float(row["Total"]),
                    taxes=float(row["Taxes"] or 0),
                    refunded=float(row["Refunded Amount"] or 0),
                    created=dt.datetime.strptime(row["Created at"], "%Y-%m-%d %H:%M:%S %z"),
                )
            order["lines"].append((int(row["Lineitem quantity"]), float(row["Lineitem price"]), row["Lineitem sku"]))
    return orders


def test_real_orders_profit_equals_our_own_computation_from_the_csv(real_data, tmp_path):
    path = real_data / ORDERS
    orders = raw_orders(path)
    # A costs CSV for some of the store's SKUs (made up): the others are costed at the margin.
    skus = sorted({sku for order in orders.values() for _, _, sku in order["lines"] if sku})
    costs = {sku: 5.0 + index for index, sku in enumerate(skus[::2])}
    costs_csv = tmp_path / "costs.csv"
    costs_csv.write_text("sku,unit_cost\n" + "".join(f"{sku},{cost}\n" for sku, cost in costs.items()))

    result = ingest([path, costs_csv], tmp_path, "salt")
    assert result.costs["order_lines"].height == sum(len(order["lines"]) for order in orders.values())
    profits = order_profit(result.tables["orders"], result.costs["order_lines"], result.costs["unit_costs"], SETTINGS)

    # Our own reading: orders neither cancelled nor voided; a refund returns its share of revenue, tax and goods.
    counted = {name: o for name, o in orders.items() if not o["cancelled"] and o["status"] != "voided"}
    gross = cogs_total = 0.0
    for order in counted.values():
        share = min(order["refunded"] / order["total"], 1.0) if order["total"] > 0 else 0.0
        cogs = sum(qty * (costs[sku] if sku in costs else price * 0.5) for qty, price, sku in order["lines"])
        fees = 0.029 * order["total"] + 0.30 if order["total"] > 0 else 0.0
        cogs_total += cogs * (1 - share)
        gross += (order["total"] - order["taxes"]) * (1 - share) - cogs * (1 - share) - fees
    assert profits.height == len(counted)
    assert profits["cogs"].sum() == pytest.approx(cogs_total)
    assert profits["gross_profit"].sum() == pytest.approx(gross)

    # New customers: each e-mail's first counted order, by time.
    first: dict[str, tuple[dt.datetime, str]] = {}
    for name, order in counted.items():
        if order["email"] and (order["email"] not in first or order["created"] < first[order["email"]][0]):
            first[order["email"]] = (order["created"], name)
    assert sorted(profits.filter(profits["is_new_customer"])["order_id"].to_list()) == sorted(
        name for _, name in first.values()
    )


def test_real_orders_export_history_starts_at_its_first_order(real_data):
    result = ingest([real_data / ORDERS], real_data, "salt")
    # SOURCE.txt: orders from 2025-08-03 to 2025-12-07; new customers are judged from the first of them.
    assert first_order_date(result.tables["orders"]) == dt.date(2025, 8, 3)
