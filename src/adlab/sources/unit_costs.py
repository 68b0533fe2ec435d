"""A costs CSV -> `unit_costs` rows: `sku,unit_cost` (optionally `product` and `variant`), one row per variant.

For stores that keep their costs outside Shopify (a spreadsheet, an ERP export). A row without a SKU is matched to
line items by its product and variant titles.
"""

from __future__ import annotations

import polars as pl

from adlab.io import RawTable
from adlab.schema import INPUT_ROWS, UNIT_COSTS, conform
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

KIND = "costs_csv"
TABLE = "unit_costs"

COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("sku",),
    "unit_cost": ("unit_cost", "unit cost", "cost"),
    "product": ("product", "product title", "title"),
    "variant": ("variant", "variant title"),
}
REQUIRED = ("sku", "unit_cost")


def detect(raw: RawTable) -> Detection:
    """How well the header fits a costs CSV (`sku,unit_cost`)."""
    return detect_by_aliases(KIND, raw.header, {name: COLUMNS[name] for name in REQUIRED})


def parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed:
    """One row per SKU (or product and variant) with its unit cost; bad rows quarantined with a reason."""
    cols = {name: col for name, aliases in COLUMNS.items() if (col := find_column(raw.header, aliases))}
    raw = raw.project(list(cols.values()))
    text = {name: null_if_token(col) for name, col in cols.items()}
    frame, needs_check = with_parsed(raw.cells, [cols["unit_cost"]])
    cost = pl.col(parsed_column(cols["unit_cost"], "number"))
    product = text["product"] if "product" in text else pl.lit(None, pl.String)
    checks = [
        (f"`{cols['sku']}` is empty and no product is named", text["sku"].is_null() & product.is_null()),
        (f"`{cols['unit_cost']}` is empty", text["unit_cost"].is_null()),
        (f"`{cols['unit_cost']}` is not a number", unparsed_check(cols["unit_cost"], "number", needs_check)),
        ("unit cost is negative", (cost < 0).fill_null(False)),
    ]
    rows = frame.with_columns(row_numbers(raw), first_failure(checks).alias("reason"))
    costs = rows.filter(pl.col("reason").is_null()).select(
        text["sku"].alias("sku"),
        product.alias("product"),
        (text["variant"] if "variant" in text else pl.lit(None, pl.String)).alias("variant"),
        cost.alias("unit_cost"),
        pl.lit(KIND).alias("source"),
        pl.lit(source_file).alias("source_file"),
    )
    return Parsed(
        kind=KIND,
        table=TABLE,
        rows=conform(costs, UNIT_COSTS).with_columns(pl.lit(1, pl.Int64).alias(INPUT_ROWS)),
        quarantine=quarantined(raw, rows).with_columns(pl.lit(source_file).alias("source_file")),
    )
