"""Shopify Analytics report downloads: daily sales -> `store_sales`, daily sessions -> `sessions`.

Used as the store side when no orders export exists. A sales report broken
down by product is summed per day; its order counts are then unknown (one
order can hold several products), never summed.
"""

from __future__ import annotations

import polars as pl

from adlab.io import RawTable
from adlab.schema import INPUT_ROWS, SESSIONS, STORE_SALES, conform
from adlab.sources.common import find_column, parse_date, parse_number, row_numbers, unparsed
from adlab.sources.kind import Detection, Parsed

KIND = "shopify_analytics"
DAY = ("day", "date")
SALES = {
    "orders": ("orders",),
    "gross_sales": ("gross sales",),
    "discounts": ("discounts",),
    "returns": ("returns",),
    "net_sales": ("net sales",),
    "taxes": ("taxes",),
    "total_sales": ("total sales",),
}
PRODUCT = ("product title", "product", "product variant sku", "product type", "product vendor", "variant title")
SESSIONS_COLUMNS = ("sessions",)
VISITORS = ("online store visitors", "visitors")


def detect(raw: RawTable) -> Detection:
    """A daily Shopify Analytics report: `Day` with `Total sales`, or with `Sessions` and visitors."""
    header = raw.header
    missing = []
    if find_column(header, DAY) is None:
        missing.append("Day")
    sales = find_column(header, SALES["total_sales"])
    sessions = find_column(header, SESSIONS_COLUMNS) and find_column(header, VISITORS)
    if not (sales or sessions):
        missing.append("Total sales (or Sessions and Online store visitors)")
    return Detection(KIND, 1 - len(missing) / 2, missing)


def parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed:
    """One row per day of store sales (or sessions); rows of a day are summed."""
    header = raw.header
    day = find_column(header, DAY)
    assert day is not None
    frame = raw.frame.with_columns(row_numbers(raw))
    if find_column(header, SALES["total_sales"]):
        table, schema = "store_sales", STORE_SALES
        source = {n: c for n, a in SALES.items() if (c := find_column(header, a))}
        if find_column(header, PRODUCT):
            source.pop("orders", None)
    else:
        table, schema = "sessions", SESSIONS
        sessions = find_column(header, SESSIONS_COLUMNS)
        assert sessions is not None  # detect wants Sessions where there is no Total sales
        source = {"sessions": sessions}
    checks = [(f"`{day}` is not a date", parse_date(day).is_null())] + [
        (f"`{col}` is not a number", unparsed(col, parse_number(col))) for col in source.values()
    ]
    frame = frame.with_columns(
        pl.coalesce([pl.when(failed).then(pl.lit(message)) for message, failed in checks]).alias("reason")
    )
    good = frame.filter(pl.col("reason").is_null())
    daily = (
        good.select(
            parse_date(day).alias("date"),
            *[parse_number(c).fill_null(0).alias(n) for n, c in source.items()],
            pl.col("source_row"),
        )
        .group_by("date")
        .agg(*[pl.col(n).sum() for n in source], pl.col("source_row").min(), pl.len().alias(INPUT_ROWS))
        .with_columns(pl.lit(source_file).alias("source_file"))
    )
    if table == "sessions":
        daily = daily.with_columns(
            pl.lit("day").alias("period"), pl.lit("shopify").alias("source"), pl.lit("all").alias("channel")
        )
    weights = daily.select("date", INPUT_ROWS)
    rows = conform(daily, schema).join(weights, on="date", how="left")
    return Parsed(
        kind=KIND,
        table=table,
        rows=rows,
        quarantine=frame.filter(pl.col("reason").is_not_null()).with_columns(pl.lit(source_file).alias("source_file")),
        window_end=rows["date"].max() if rows.height else None,
    )
