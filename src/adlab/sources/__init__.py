"""Export kinds: one module per kind of file adlab reads, and `KINDS`, the registry ingest detects them by.

A new export kind goes in its own module here and provides
    detect(raw: RawTable) -> Detection   how well a table's header fits the kind (`kind.Detection`);
    parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed
                                         its canonical rows (a table of `schema.py`), the rows quarantined
                                         with a reason, totals rows left out, warnings (`kind.Parsed`);
and its place in `KINDS` below. An ad platform's export is only a spec (`ads_export.AdsExport`: how its
spend, dimension, metric and purchase columns are named) for the shared parser, as `pinterest_ads.py` is.

Shared by the kinds: `common` (header matching, numbers, dates, no-data tokens, quarantined rows),
`ads_export` (the parser of every ads export), `locale` (exports written in the user's interface language).
"""

from __future__ import annotations

from types import ModuleType

from adlab.sources import (
    ga4,
    google_ads,
    meta_ads,
    other,
    pinterest_ads,
    shopify_analytics,
    shopify_orders,
    shopify_products,
    unit_costs,
)
from adlab.sources.kind import Detection, Parsed

# Detection order breaks ties: specific kinds first, "known but not used" last (a products export with
# `Cost per item` is read for its costs; one without is listed as not used).
KINDS: tuple[ModuleType, ...] = (
    meta_ads,
    google_ads,
    pinterest_ads,
    shopify_orders,
    shopify_analytics,
    ga4,
    shopify_products,
    unit_costs,
    other,
)

__all__ = ["KINDS", "Detection", "Parsed"]
