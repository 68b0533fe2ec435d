"""The Shopify admin orders export: its 79 columns, one row per line item, order fields on the first line only."""

from __future__ import annotations

from typing import cast

import polars as pl

from adlab.demo.money import USD, Currency
from adlab.demo.orders import OrdersData
from adlab.demo.store import STORE_TZ
from adlab.demo.text import decimal, money

ORDERS_FILE = "orders_export.csv"

SHOPIFY_ORDERS_HEADER: tuple[str, ...] = (
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Tax 2 Name",
    "Tax 2 Value",
    "Tax 3 Name",
    "Tax 3 Value",
    "Tax 4 Name",
    "Tax 4 Value",
    "Tax 5 Name",
    "Tax 5 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
)


def _shopify_time(ts: pl.Expr) -> pl.Expr:
    """`2026-11-24 19:46:45 -0500`."""
    return ts.dt.convert_time_zone(STORE_TZ).dt.strftime("%Y-%m-%d %H:%M:%S %z")


def _order_columns(currency: Currency) -> dict[str, pl.Expr]:
    """The order-level export columns, over an orders frame joined with billing (`b_`) and recipient (`r_`)."""

    def amount(cents: pl.Expr) -> pl.Expr:
        return money(cents, currency.decimals)

    gift = pl.col("gift")
    ship = {
        part: pl.when(gift).then(pl.col(f"r_{part}")).otherwise(pl.col(f"b_{part}"))
        for part in ("name", "address1", "unit", "city", "zip", "state", "state_name", "phone")
    }
    ship["company"] = pl.when(gift).then(pl.lit(None, pl.String)).otherwise(pl.col("b_company"))
    status = pl.col("status")
    paid = status != "voided"
    reference = "c" + pl.col("checkout").cast(pl.String) + ".1"

    def street(address1: pl.Expr, unit: pl.Expr) -> pl.Expr:
        return pl.when(unit.is_not_null()).then(address1 + ", " + unit).otherwise(address1)

    tags = (
        pl.when(pl.col("draft"))
        .then(pl.lit("wholesale, net-30"))
        .when(pl.col("vip") & gift)
        .then(pl.lit("VIP, gift"))
        .when(pl.col("vip"))
        .then(pl.lit("VIP"))
        .when(gift)
        .then(pl.lit("gift"))
    )
    return {
        "Email": pl.col("b_email"),
        "Financial Status": status,
        "Paid at": pl.when(paid).then(_shopify_time(pl.col("paid"))),
        "Fulfillment Status": pl.when(pl.col("fulfilled_flag"))
        .then(pl.lit("fulfilled"))
        .otherwise(pl.lit("unfulfilled")),
        "Fulfilled at": pl.when(pl.col("fulfilled_flag")).then(_shopify_time(pl.col("fulfilled"))),
        "Accepts Marketing": pl.when(pl.col("b_accepts_marketing")).then(pl.lit("yes")).otherwise(pl.lit("no")),
        "Currency": pl.lit(currency.code),
        "Subtotal": amount(pl.col("subtotal")),
        "Shipping": amount(pl.col("shipping")),
        "Taxes": amount(pl.col("tax1") + pl.col("tax2")),
        "Total": amount(pl.col("total")),
        "Discount Code": pl.col("code"),
        "Discount Amount": amount(pl.col("discount")),
        "Shipping Method": pl.col("method"),
        "Created at": _shopify_time(pl.col("created")),
        "Billing Name": pl.col("b_name"),
        "Billing Street": street(pl.col("b_address1"), pl.col("b_unit")),
        "Billing Address1": pl.col("b_address1"),
        "Billing Address2": pl.col("b_unit"),
        "Billing Company": pl.col("b_company"),
        "Billing City": pl.col("b_city"),
        "Billing Zip": pl.col("b_zip"),
        "Billing Province": pl.col("b_state"),
        "Billing Country": pl.lit("US"),
        "Billing Phone": pl.col("b_phone"),
        "Shipping Name": ship["name"],
        "Shipping Street": street(ship["address1"], ship["unit"]),
        "Shipping Address1": ship["address1"],
        "Shipping Address2": ship["unit"],
        "Shipping Company": ship["company"],
        "Shipping City": ship["city"],
        "Shipping Zip": ship["zip"],
        "Shipping Province": ship["state"],
        "Shipping Country": pl.lit("US"),
        "Shipping Phone": ship["phone"],
        "Notes": pl.col("note"),
        "Note Attributes": pl.col("note_attributes"),
        "Cancelled at": pl.when(pl.col("cancelled_flag")).then(_shopify_time(pl.col("cancelled"))),
        "Payment Method": pl.col("payment"),
        "Payment Reference": pl.when(paid).then(reference),
        "Refunded Amount": amount(pl.col("refund")),
        "Outstanding Balance": pl.lit(f"{0:.{currency.decimals}f}"),
        "Id": pl.col("order_id").cast(pl.String),
        "Tags": tags,
        "Risk Level": pl.col("risk"),
        "Source": pl.when(pl.col("draft")).then(pl.lit("shopify_draft_order")).otherwise(pl.lit("web")),
        "Tax 1 Name": pl.when(pl.col("b_state_rate") > 0).then(
            pl.col("b_state") + " State Tax " + decimal(pl.col("b_state_rate")) + "%"
        ),
        "Tax 1 Value": pl.when(pl.col("b_state_rate") > 0).then(amount(pl.col("tax1"))),
        "Tax 2 Name": pl.when(pl.col("b_local_rate") > 0).then(
            pl.col("b_local_tax") + " " + decimal(pl.col("b_local_rate")) + "%"
        ),
        "Tax 2 Value": pl.when(pl.col("b_local_rate") > 0).then(amount(pl.col("tax2"))),
        "Phone": pl.when(pl.col("order_phone")).then(pl.col("b_phone")),
        "Billing Province Name": pl.col("b_state_name"),
        "Shipping Province Name": ship["state_name"],
        "Payment ID": pl.when(paid).then(reference),
        "Payment References": pl.when(paid).then(reference),
    }


def _line_columns(decimals: int) -> dict[str, pl.Expr]:
    """The line item export columns, amounts with `decimals` digits after the point."""
    return {
        "Lineitem quantity": pl.col("quantity").cast(pl.String),
        "Lineitem name": pl.col("line_name"),
        "Lineitem price": money(pl.col("price"), decimals),
        "Lineitem compare at price": pl.when(pl.col("compare") > 0).then(money(pl.col("compare"), decimals)),
        "Lineitem sku": pl.col("sku"),
        "Lineitem requires shipping": pl.lit("true"),
        "Lineitem taxable": pl.lit("true"),
        "Lineitem fulfillment status": pl.when(pl.col("fulfilled_flag"))
        .then(pl.lit("fulfilled"))
        .otherwise(pl.lit("pending")),
        "Vendor": pl.col("vendor"),
        "Lineitem discount": money(pl.col("line_discount"), decimals),
    }


BILLING_FIELDS = (
    "email",
    "name",
    "address1",
    "unit",
    "company",
    "city",
    "zip",
    "state",
    "state_name",
    "state_rate",
    "local_tax",
    "local_rate",
    "phone",
    "accepts_marketing",
)
RECIPIENT_FIELDS = ("name", "address1", "unit", "city", "zip", "state", "state_name", "phone")


def shopify_export_rows(
    data: OrdersData, start: int = 0, stop: int | None = None, currency: Currency = USD
) -> pl.DataFrame:
    """Rows [start, stop) of the Shopify orders export as text columns in `SHOPIFY_ORDERS_HEADER` order.

    Args:
        data: the simulated orders.
        start: first export row (0 = first line of the newest order).
        stop: end of the row range (default: the last row).
        currency: the store's currency (the orders' amounts are in its minor units).

    Returns:
        One text row per line item; order-level columns filled on each order's first line only.
    """
    stop = data.lines.height if stop is None else min(stop, data.lines.height)
    lines = data.lines.slice(start, max(stop - start, 0))
    if lines.height == 0:
        return pl.DataFrame(schema={column: pl.String for column in SHOPIFY_ORDERS_HEADER})
    # Rows are newest order first, so the orders of a row range are one contiguous block.
    # `order` is Int64: its min and max are ints (polars types them as any scalar).
    low, high = cast(int, lines["order"].min()), cast(int, lines["order"].max())
    orders = data.orders.slice(low, high - low + 1)
    orders = pl.concat(
        [
            orders,
            data.customers[orders["customer"]].select(BILLING_FIELDS).rename(lambda c: f"b_{c}"),
            data.customers[orders["recipient"]].select(RECIPIENT_FIELDS).rename(lambda c: f"r_{c}"),
        ],
        how="horizontal",
    )
    order_columns = _order_columns(currency)
    line_columns = _line_columns(currency.decimals)
    order_text = orders.select([expr.cast(pl.String).alias(name) for name, expr in order_columns.items()])
    # The order's fields go on its first line only; later lines carry the line item alone.
    first_line = lines.select(
        pl.when(pl.col("position") == 0).then(pl.col("order") - low).cast(pl.UInt32).alias("row")
    ).to_series()
    on_first_line = order_text[first_line]
    columns = []
    for column in SHOPIFY_ORDERS_HEADER:
        if column == "Name":
            columns.append(("#" + (pl.col("order") + 1001).cast(pl.String)).alias(column))
        elif column in line_columns:
            columns.append(line_columns[column].alias(column))
        else:
            columns.append(pl.lit(None, pl.String).alias(column))
    return lines.select(columns).with_columns(on_first_line.get_columns())
