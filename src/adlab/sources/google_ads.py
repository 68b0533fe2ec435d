"""Google Ads UI reports (title lines above the header, `24.00%`, `1,790`) -> `ad_insights` rows."""

from __future__ import annotations

import re

from adlab.io import RawTable
from adlab.sources.ads_export import AdsExport, PurchaseFamily, detect_ads, parse_ads
from adlab.sources.kind import Detection, Parsed

GOOGLE_ADS = AdsExport(
    kind="google_ads",
    platform="google_ads",
    spend=re.compile(r"^cost(?: \(([a-z]{3})\))?$"),
    spend_label="Cost",
    dimensions={
        "date": ("day", "date"),
        "account": ("account", "account name"),
        "campaign": ("campaign",),
        "adset": ("ad group",),
        "ad": ("ad", "ad name", "headline"),
        "campaign_id": ("campaign id",),
        "adset_id": ("ad group id",),
        "ad_id": ("ad id",),
        "currency": ("currency code", "currency"),
        "objective": ("campaign type",),
        "country": ("country/territory (user location)",),
    },
    metrics={
        "impressions": ("impr.", "impressions"),
        "clicks": ("clicks",),
        # Search, Shopping and PMax clicks land on the site: they are the link clicks.
        "link_clicks": ("clicks",),
    },
    purchases=(
        PurchaseFamily(
            "conversions", ("conversions", "purchases"), ("conv. value", "conversion value", "total conv. value")
        ),
    ),
    blank_is_zero=False,
)


def detect(raw: RawTable) -> Detection:
    """How well the header fits a Google Ads report."""
    return detect_ads(raw, GOOGLE_ADS)


def parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed:
    """Canonical `ad_insights` rows of a Google Ads report (level campaign, ad group or ad)."""
    return parse_ads(raw, source_file, GOOGLE_ADS)
