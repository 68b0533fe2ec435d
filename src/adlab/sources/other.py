"""Exports adlab recognises but does not use (inventory, monthly or customer summaries, products without costs).

They are listed in the quality report as not used instead of stopping the run.
"""

from __future__ import annotations

import polars as pl

from adlab.io import RawTable
from adlab.sources.common import find_column
from adlab.sources.kind import Detection, Parsed

KIND = "not_used"
KNOWN: dict[str, tuple[tuple[str, ...], ...]] = {
    # With `Cost per item` it is read for unit costs (shopify_products); without, it holds nothing to cost with.
    "Shopify products export without `Cost per item`": (("handle",), ("variant sku", "variant price")),
    "Shopify inventory export": (("handle",), ("on hand (current)", "available (not editable)", "sku")),
    "Shopify Analytics report by month or week": (
        ("month", "week"),
        ("sessions", "online store visitors", "sessions with cart additions", "sessions that reached checkout"),
    ),
    "Shopify Analytics customers report": (("new or returning customer",), ("customers",)),
    "GA4 BigQuery item-level extract": (("event_date",), ("item_revenue", "item_revenue_in_usd")),
    "ad performance table without dates": (("ad_id", "ad id"), ("spent", "impressions")),
}


def _match(header: list[str]) -> str | None:
    for name, groups in KNOWN.items():
        if all(find_column(header, aliases) for aliases in groups):
            return name
    return None


def detect(raw: RawTable) -> Detection:
    """Known export shapes that hold nothing adlab computes with."""
    name = _match(raw.header)
    return Detection(KIND, 1.0 if name else 0.0, [] if name else ["a known export shape"])


def parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed:
    """Nothing to keep; one warning saying what the file is and that it is not used."""
    return Parsed(
        KIND,
        "",
        pl.DataFrame(),
        pl.DataFrame(),
        warnings=[
            {
                "source_file": source_file,
                "check": "not_used",
                "message": f"{_match(raw.header)} ({raw.frame.height} rows): adlab does not use it",
            }
        ],
    )
