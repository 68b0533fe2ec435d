"""Shopify admin orders export -> `orders` rows (one per order) and `order_lines` (one per line item).

The export has ONE ROW PER LINE ITEM; order-level fields (Total, Financial
Status, Refunded Amount, Cancelled at...) are filled on the order's first row
only. Personal data (e-mail, names, addresses, phones) never leaves this module:
the customer becomes a salted hash.
"""

from __future__ import annotations

import hashlib

import polars as pl

from adlab.io import RawTable
from adlab.schema import EXCLUDED_FINANCIAL_STATUSES, INPUT_ROWS, ORDER_LINES, ORDERS, conform
from adlab.sources.common import (
    detect_by_aliases,
    find_column,
    first_failure,
    null_if_token,
    parsed_column,
    quarantined,
    row_numbers,
    unparsed_check,
    with_parsed,
)
from adlab.sources.kind import Detection, Parsed

KIND = "shopify_orders"
TABLE = "orders"

COLUMNS: dict[str, tuple[str, ...]] = {
    "order_id": ("name",),
    "email": ("email",),
    "financial_status": ("financial status",),
    "currency": ("currency",),
    "subtotal": ("subtotal",),
    "shipping": ("shipping",),
    "taxes": ("taxes",),
    "total": ("total",),
    "discounts": ("discount amount",),
    "created_at": ("created at",),
    "quantity": ("lineitem quantity",),
    "refunded": ("refunded amount",),
    "cancelled_at": ("cancelled at",),
    # What each line sold, for the cost of goods (order_lines).
    "sku": ("lineitem sku",),
    "product": ("lineitem name",),
    "variant": ("lineitem variant title", "lineitem variant"),
    "unit_price": ("lineitem price",),
    "line_discount": ("lineitem discount",),
    # What the store paid to ship the order, in exports (or apps) that carry it; `Shipping` is what the customer paid.
    "shipping_cost": ("shipping cost", "shipping costs", "shipping label cost", "fulfillment cost"),
}
REQUIRED = ("order_id", "financial_status", "total", "created_at", "quantity")
MONEY = ("subtotal", "shipping", "taxes", "total", "discounts", "refunded")
# Amounts of each line (checked on every line) and of the order beyond MONEY (checked on its first line).
LINE_MONEY = ("unit_price", "line_discount")
ORDER_COST = ("shipping_cost",)
# `2026-11-24 19:46:45 -0500`; older exports write `2026-11-24 19:46:45 -05:00`.
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z")


def detect(raw: RawTable) -> Detection:
    """How well the header fits a Shopify orders export."""
    return detect_by_aliases(KIND, raw.header, {name: COLUMNS[name] for name in REQUIRED})


def parse_timestamp(column: str) -> pl.Expr:
    """A Shopify timestamp with its offset, as UTC."""
    text = null_if_token(column)
    return pl.coalesce(
        [
            text.str.to_datetime(fmt, strict=False, time_unit="us").dt.convert_time_zone("UTC")
            for fmt in TIMESTAMP_FORMATS
        ]
    )


def parsed_timestamps(frame: pl.DataFrame, column: str) -> pl.Series:
    """`parse_timestamp` of a column, trying the other formats only when the first leaves cells unparsed."""
    text = frame.select(null_if_token(column)).to_series()
    first = text.str.to_datetime(TIMESTAMP_FORMATS[0], strict=False, time_unit="us").dt.convert_time_zone("UTC")
    if (text.is_not_null() & first.is_null()).any():
        return frame.select(parse_timestamp(column)).to_series()
    return first


def customer_key(email: pl.Expr, salt: str) -> pl.Expr:
    """Salted SHA-256 of the normalised e-mail: stable per customer, useless to anyone without the salt.

    Each distinct e-mail is hashed once (repeat customers share the work).
    """
    normalised = email.str.strip_chars().str.to_lowercase()
    return pl.when(normalised.is_not_null() & (normalised != "")).then(
        normalised.map_batches(lambda values: _hashed(values, salt), return_dtype=pl.String)
    )


def _hashed(values: pl.Series, salt: str) -> pl.Series:
    distinct = values.unique().drop_nulls()
    return values.replace_strict(distinct, _sha256(salt + distinct), default=None, return_dtype=pl.String)


def _sha256(values: pl.Series) -> pl.Series:
    return pl.Series(
        [hashlib.sha256(v.encode("utf-8")).hexdigest()[:24] if v is not None else None for v in values],
        dtype=pl.String,
    )


def parse(raw: RawTable, source_file: str, salt: str) -> Parsed:
    """One row per order (grouped by `Name`); line items counted; bad orders quarantined with a reason."""
    cols = {name: col for name, aliases in COLUMNS.items() if (col := find_column(raw.header, aliases))}
    raw = raw.project(list(cols.values()))
    text = {name: null_if_token(col) for name, col in cols.items()}
    amounts = [cols[m] for m in (*MONEY, *ORDER_COST) if m in cols]
    line_amounts = [cols[m] for m in LINE_MONEY if m in cols]
    frame, needs_check = with_parsed(raw.cells, [*amounts, *line_amounts, cols["quantity"]])
    created_at = parsed_timestamps(frame, cols["created_at"])
    lines = frame.with_columns(
        row_numbers(raw),
        created_at.alias("_created_at"),
        text["order_id"].alias("_order"),
        # The order's own row is the one carrying its financial status (the first line item).
        text["financial_status"].is_not_null().alias("_order_row"),
    )
    money_checks = [(f"`{c}` is not a number", unparsed_check(c, "number", needs_check)) for c in amounts]
    row_checks = [
        ("`Name` is empty", pl.col("_order").is_null()),
        (f"`{cols['quantity']}` is not a number", unparsed_check(cols["quantity"], "number", needs_check)),
        *[(f"`{c}` is not a number", unparsed_check(c, "number", needs_check)) for c in line_amounts],
        *[(message, pl.col("_order_row") & failed) for message, failed in money_checks],
        (
            f"`{cols['created_at']}` is not a timestamp with offset",
            pl.col("_order_row") & pl.col("_created_at").is_null(),
        ),
    ]
    lines = lines.with_columns(first_failure(row_checks).alias("reason"))
    # A bad line spoils its whole order; an order without its first line cannot be totalled.
    order_checks = lines.group_by("_order").agg(
        pl.col("reason").is_not_null().any().alias("_failed"),
        (~pl.col("_order_row").any()).alias("_no_first"),
        (pl.col("_order_row").sum() > 1).alias("_twice"),
    )
    spoilt = order_checks.filter(pl.col("_failed") | pl.col("_no_first") | pl.col("_twice")).drop_nulls("_order")
    if spoilt.height:  # usually none: then the export is not joined
        ok = pl.col("reason").is_null()
        lines = (
            lines.join(spoilt, on="_order", how="left", maintain_order="left")
            .with_columns(
                pl.when(ok & pl.col("_failed"))
                .then(pl.lit("another line of this order failed a check"))
                .when(ok & pl.col("_no_first"))
                .then(pl.lit("the order's first line (with its totals) is not in the file"))
                .when(ok & pl.col("_twice"))
                .then(pl.lit("order number appears twice with order totals"))
                .otherwise(pl.col("reason"))
                .alias("reason")
            )
            .drop("_failed", "_no_first", "_twice")
        )
    # Only the columns read below are filtered: filtering every text column would copy the export.
    parsed = [parsed_column(c, "number") for c in [*amounts, *line_amounts, cols["quantity"]]]
    used = list(dict.fromkeys(["_order", "_order_row", "_created_at", "reason", "source_row", *cols.values(), *parsed]))
    good = lines.select(used).filter(pl.col("reason").is_null())
    per_order = good.group_by("_order").agg(
        pl.len().alias("line_items"),
        pl.col(parsed_column(cols["quantity"], "number")).sum().round(0).cast(pl.Int64).alias("units"),
    )
    orders = (
        good.filter(pl.col("_order_row"))
        .select(
            pl.col("_order").alias("order_id"),
            pl.col("_created_at").alias("created_at"),
            # The order date is the date as written, in the store's own zone.
            null_if_token(cols["created_at"]).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("date"),
            (text["currency"].str.to_uppercase() if "currency" in text else pl.lit(None, pl.String)).alias("currency"),
            *[pl.col(parsed_column(cols[m], "number")).fill_null(0.0).alias(m) for m in MONEY if m in cols],
            text["financial_status"].str.to_lowercase().alias("financial_status"),
            (text["cancelled_at"].is_not_null() if "cancelled_at" in text else pl.lit(False)).alias("cancelled"),
            (customer_key(text["email"], salt) if "email" in text else pl.lit(None, pl.String)).alias("customer_key"),
            pl.lit(source_file).alias("source_file"),
        )
        .join(per_order, left_on="order_id", right_on="_order", how="left")
    )
    quarantine = quarantined(raw, lines)
    personal = [c for c in raw.header if _is_personal(c)]
    window_end = orders["date"].max() if orders.height else None
    return Parsed(
        kind=KIND,
        table=TABLE,
        rows=conform(orders.with_columns(pl.lit(None, pl.Boolean).alias("is_new_customer")), ORDERS).with_columns(
            pl.col("line_items").alias(INPUT_ROWS)
        ),
        # Quarantined lines keep their values, minus personal data.
        quarantine=quarantine.drop(personal).with_columns(pl.lit(source_file).alias("source_file")),
        window_end=window_end,
        side={"order_lines": _order_lines(good, cols, text, orders.select("order_id", "date"), source_file)},
    )


def _order_lines(
    good: pl.DataFrame, cols: dict[str, str], text: dict[str, pl.Expr], dates: pl.DataFrame, source_file: str
) -> pl.DataFrame:
    """`order_lines` of the orders kept: each line item with its SKU, name, quantity and prices, in export order."""

    def number(name: str) -> pl.Expr:
        return pl.col(parsed_column(cols[name], "number")) if name in cols else pl.lit(None, pl.Float64)

    def words(name: str) -> pl.Expr:
        return text[name] if name in text else pl.lit(None, pl.String)

    lines = good.select(
        pl.col("_order").alias("order_id"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("_order").alias("line"),
        words("sku").alias("sku"),
        words("product").alias("product"),
        words("variant").alias("variant"),
        number("quantity").round(0).cast(pl.Int64).alias("quantity"),
        number("unit_price").alias("unit_price"),
        number("line_discount").alias("line_discount"),
        pl.when(pl.col("_order_row")).then(number("shipping_cost")).alias("order_shipping_cost"),
        pl.lit(source_file).alias("source_file"),
        "source_row",
    )
    return conform(lines.join(dates, on="order_id", how="left", maintain_order="left"), ORDER_LINES)


PERSONAL_WORDS = (
    "email",
    "name",
    "street",
    "address",
    "phone",
    "zip",
    "company",
    "note",
    "payment reference",
    "payment id",
    "payment references",
    "device id",
    "receipt",
)


def _is_personal(column: str) -> bool:
    """Columns of a store export that hold customer identity or contact data."""
    lowered = column.lower()
    if lowered in ("name", "lineitem name"):
        return False  # order number and product name
    return any(word in lowered for word in PERSONAL_WORDS)


def mark_new_customers(orders: pl.DataFrame) -> pl.DataFrame:
    """`is_new_customer`: the order is the customer's first counted order in the data (by time, over every
    export of the account); null without a customer.

    A cancelled or voided order never counts (DESIGN's store rule), so it is nobody's first order (False): the
    customer's next order that counts is their first. A refunded order did count when it was placed.
    """
    counts = ~pl.col("cancelled") & ~pl.col("financial_status").is_in(EXCLUDED_FINANCIAL_STATUSES).fill_null(False)
    # Orders that do not count rank after every order that does, so rank 1 is the first counted order.
    order = pl.struct((~counts).alias("_excluded"), "created_at", "order_id")
    first = counts & (order.rank("ordinal").over("account", "customer_key") == 1)
    return orders.with_columns(pl.when(pl.col("customer_key").is_not_null()).then(first).alias("is_new_customer"))
