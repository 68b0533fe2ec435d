"""Pinterest Ads Manager reports -> `ad_insights` rows (checkout conversions are the purchases)."""

from __future__ import annotations

import re

from adlab.io import RawTable
from adlab.sources.ads_export import AdsExport, PurchaseFamily, detect_ads, parse_ads
from adlab.sources.kind import Detection, Parsed

PINTEREST_ADS = AdsExport(
    kind="pinterest_ads",
    platform="pinterest",
    spend=re.compile(r"^spend in account currency$|^spend \(([a-z]{3})\)$"),
    spend_label="Spend in account currency",
    dimensions={
        "date": ("date",),
        "campaign": ("campaign name",),
        "adset": ("ad group name",),
        "ad": ("ad name",),
        "campaign_id": ("campaign id",),
        "adset_id": ("ad group id",),
        "ad_id": ("ad id",),
        "currency": ("currency",),
    },
    metrics={
        "impressions": ("impressions",),
        "reach": ("reach",),
        "clicks": ("pin clicks",),
        "link_clicks": ("outbound clicks",),
    },
    purchases=(
        PurchaseFamily("checkout conversions", ("total conversions (checkout)",), ("total order value (checkout)",)),
    ),
)


def detect(raw: RawTable) -> Detection:
    """How well the header fits a Pinterest Ads report."""
    return detect_ads(raw, PINTEREST_ADS)


def parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed:
    """Canonical `ad_insights` rows of a Pinterest Ads report."""
    return parse_ads(raw, source_file, PINTEREST_ADS)
