"""Shopify admin products export -> `unit_costs` rows (one per variant, with its `Cost per item`).

One row per variant; a product's later variant rows leave `Title` empty and share its `Handle`, and rows holding
only another image of the product (no option, SKU, price or cost) follow. Both dialects are read: the classic
(`Handle`, `Variant SKU`, `Variant Price`) and the 2024 one (`URL handle`, `SKU`, `Price`). An image row is
counted in the ledger with its product's first variant row.
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

KIND = "shopify_products"
TABLE = "unit_costs"

COLUMNS: dict[str, tuple[str, ...]] = {
    "handle": ("handle", "url handle"),
    "title": ("title",),
    "unit_cost": ("cost per item",),
    "sku": ("variant sku", "sku"),
    "price": ("variant price", "price"),
    "option1": ("option1 value",),
    "option2": ("option2 value",),
    "option3": ("option3 value",),
}
REQUIRED = ("handle", "title", "unit_cost")
OPTIONS = ("option1", "option2", "option3")
# The option value Shopify gives a product without variants; its line items carry the bare title.
DEFAULT_VARIANT = "default title"


def detect(raw: RawTable) -> Detection:
    """How well the header fits a Shopify products export with costs."""
    return detect_by_aliases(KIND, raw.header, {name: COLUMNS[name] for name in REQUIRED})


def variant_title(options: list[pl.Expr]) -> pl.Expr:
    """The variant's title as Shopify writes it in line item names: option values joined by ` / `; null for the
    default variant of a product without options."""
    joined = pl.concat_str(options, separator=" / ", ignore_nulls=True)
    plain = joined.str.strip_chars()
    return pl.when((plain != "") & (plain.str.to_lowercase() != DEFAULT_VARIANT)).then(plain)


def parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed:
    """One row per variant with its unit cost (null where the export leaves `Cost per item` empty)."""
    cols = {name: col for name, aliases in COLUMNS.items() if (col := find_column(raw.header, aliases))}
    raw = raw.project(list(cols.values()))
    text = {name: null_if_token(col) for name, col in cols.items()}
    numbers = [cols[name] for name in ("unit_cost", "price") if name in cols]
    frame, needs_check = with_parsed(raw.cells, numbers)
    cost = pl.col(parsed_column(cols["unit_cost"], "number"))
    filled = [text[name] for name in ("sku", "price", *OPTIONS) if name in text] + [text["unit_cost"]]
    rows = frame.with_columns(
        row_numbers(raw),
        text["handle"].alias("_handle"),
        # Image rows hold none of a variant's fields.
        pl.any_horizontal(value.is_not_null() for value in filled).alias("_variant"),
    )
    checks = [
        ("`Handle` is empty", pl.col("_handle").is_null()),
        (
            f"`{cols['unit_cost']}` is not a number",
            pl.col("_variant") & unparsed_check(cols["unit_cost"], "number", needs_check),
        ),
        ("unit cost is negative", pl.col("_variant") & (cost < 0).fill_null(False)),
    ]
    rows = rows.with_columns(first_failure(checks).alias("reason"))
    usable = pl.col("_variant") & pl.col("reason").is_null()
    first_usable = usable & (pl.int_range(pl.len()) == pl.int_range(pl.len()).filter(usable).first()).over("_handle")
    images = (~pl.col("_variant") & pl.col("reason").is_null()).sum().over("_handle")
    rows = rows.with_columns(
        pl.when(~pl.col("_variant") & pl.col("reason").is_null() & ~usable.any().over("_handle"))
        .then(pl.lit("an image row of a product with no usable variant in this file"))
        .otherwise(pl.col("reason"))
        .alias("reason"),
        (1 + pl.when(first_usable).then(images).otherwise(0)).cast(pl.Int64).alias(INPUT_ROWS),
        # Later variant rows leave the title empty: the product's title is that of its first row with one.
        text["title"].drop_nulls().first().over("_handle").alias("_product"),
    )
    options = [text[name] for name in OPTIONS if name in text]
    costs = rows.filter(pl.col("_variant") & pl.col("reason").is_null()).select(
        (text["sku"] if "sku" in text else pl.lit(None, pl.String)).alias("sku"),
        pl.col("_product").alias("product"),
        variant_title(options).alias("variant") if options else pl.lit(None, pl.String).alias("variant"),
        cost.alias("unit_cost"),
        pl.lit(KIND).alias("source"),
        pl.lit(source_file).alias("source_file"),
        INPUT_ROWS,
    )
    known = costs["unit_cost"].is_not_null().sum()
    warnings = []
    if known < costs.height:
        warnings.append(
            {
                "source_file": source_file,
                "check": "costs_missing",
                "message": f"{costs.height - known} of {costs.height} variants have no `Cost per item`: their sales "
                "are costed at targets.gross_margin",
            }
        )
    return Parsed(
        kind=KIND,
        table=TABLE,
        rows=conform(costs, UNIT_COSTS).with_columns(costs[INPUT_ROWS]),
        quarantine=quarantined(raw, rows).with_columns(pl.lit(source_file).alias("source_file")),
        warnings=warnings,
    )
