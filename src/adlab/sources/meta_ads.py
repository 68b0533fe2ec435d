"""Meta (Facebook + Instagram) Ads Manager exports -> `ad_insights` rows: Meta's spec for the shared parser.

Meta's own rules live here: its column names (in English; localized headers are renamed by `locale`
first), its purchase families, the names Ads Manager shows for result action codes, and account-level
files (no campaign, ad set or ad column). Everything else is `ads_export`.
"""

from __future__ import annotations

import re

from adlab.io import RawTable
from adlab.sources.ads_export import AdsExport, PurchaseFamily, detect_ads, parse_ads
from adlab.sources.budgets import BUDGET_COLUMNS
from adlab.sources.kind import Detection, Parsed

KIND = "meta_ads"
# `Amount spent (EUR)`; API-shaped tables say `spend`; the Russian UI says `Бюджет`.
SPEND_HEADER = re.compile(r"^(?:amount spent|spend|бюджет|расход)(?: \(([a-z]{3})\))?$")

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "date": ("day", "date", "дата", "день"),
    "reporting_starts": ("reporting starts",),
    "reporting_ends": ("reporting ends",),
    "account": ("account name", "account id", "facebook_account_id"),
    # Recent exports name the entity columns `Campaigns` / `Ad sets` / `Ads` (the table's tabs).
    "campaign": ("campaign name", "campaigns", "campaign", "кампания", "название кампании"),
    "adset": ("ad set name", "adset name", "ad sets", "ad set", "группа объявлений", "название группы объявлений"),
    "ad": ("ad name", "ads"),
    "campaign_id": ("campaign id",),
    "adset_id": ("ad set id", "adset id"),
    "ad_id": ("ad id",),
    "level": ("delivery level", "level"),
    "age": ("age",),
    "gender": ("gender",),
    "publisher_platform": ("platform", "publisher platform"),
    "placement": ("placement", "impression device"),
    "region": ("region",),
    "country": ("country",),
    "attribution_setting": ("attribution setting",),
    "objective": ("objective",),
    "result_type": ("result type", "result indicator"),
    "currency": ("currency",),
}

METRICS: dict[str, tuple[str, ...]] = {
    "impressions": ("impressions", "показы"),
    "results": ("results", "заявки"),
    "reach": ("reach", "охват"),
    "clicks": ("clicks (all)", "clicks", "клики"),
    "link_clicks": ("link clicks",),
    "landing_page_views": ("landing page views", "website landing page views"),
    "adds_to_cart": ("adds to cart", "website adds to cart"),
    "checkouts": ("checkouts initiated", "website checkouts initiated"),
    "video_3s_plays": ("3-second video plays",),
    "thruplays": ("thruplays",),
    "video_p25": ("video plays at 25%",),
    "video_p50": ("video plays at 50%",),
    "video_p75": ("video plays at 75%",),
    "video_p100": ("video plays at 100%",),
}

# In precedence order, broadest total first: `Purchases` counts every channel (website, app, offline,
# on Meta); the channel families are parts of it; `... with shared items` counts only purchases of the
# advertised catalogue items. A file's `purchases` come from the first family it has.
PURCHASE_FAMILIES: tuple[PurchaseFamily, ...] = (
    PurchaseFamily(
        "all purchases",
        ("purchases", "all purchases"),
        (
            "purchases conversion value",
            "purchase conversion value",
            "purchases_conversion_value",
            "all purchases conversion value",
        ),
        ("purchase roas (return on ad spend)", "purchase roas (return on advertising spend)", "purchase roas"),
    ),
    PurchaseFamily(
        "website purchases",
        ("website purchases",),
        ("website purchases conversion value", "website purchase conversion value"),
        (
            "website purchase roas (return on ad spend)",
            "website purchase roas (return on advertising spend)",
            "website purchase roas",
        ),
    ),
    PurchaseFamily(
        "purchases on Meta",
        ("meta purchases", "on-facebook purchases", "on facebook purchases"),
        (
            "meta purchases conversion value",
            "meta purchase conversion value",
            "on-facebook purchases conversion value",
            "on-facebook purchase conversion value",
        ),
        ("meta purchase roas (return on ad spend)", "on-facebook purchase roas (return on ad spend)"),
    ),
    PurchaseFamily(
        "in-app purchases",
        ("in-app purchases", "mobile app purchases", "app purchases"),
        (
            "in-app purchases conversion value",
            "in-app purchase conversion value",
            "mobile app purchases conversion value",
            "app purchases conversion value",
        ),
        ("mobile app purchase roas (return on ad spend)", "in-app purchase roas (return on ad spend)"),
    ),
    PurchaseFamily(
        "offline purchases",
        ("offline purchases",),
        ("offline purchases conversion value", "offline purchase conversion value"),
        ("offline purchase roas (return on ad spend)",),
    ),
    PurchaseFamily(
        "direct website purchases", ("direct website purchases",), ("direct website purchases conversion value",)
    ),
    PurchaseFamily(
        "shops-assisted purchases", ("shops-assisted purchases",), ("shops-assisted purchases conversion value",)
    ),
    PurchaseFamily(
        "purchases with shared items",
        ("purchases with shared items",),
        ("purchases conversion value for shared items only", "purchase conversion value for shared items only"),
        ("purchase roas for shared items only",),
    ),
)
# `Result indicator` (and some `Result type` cells) give the API's action code: the name Ads Manager shows
# for it, so that one objective is one result type whichever column or export it came from.
RESULT_ACTIONS: dict[str, str] = {
    "offsite_conversion.fb_pixel_purchase": "Website purchases",
    "omni_purchase": "Purchases",
    "purchase": "Purchases",
    "onsite_web_purchase": "Website purchases",
    "link_click": "Link clicks",
    "landing_page_view": "Landing page views",
    "omni_landing_page_view": "Landing page views",
    "lead": "Leads",
    "offsite_conversion.fb_pixel_lead": "Website leads",
    "onsite_conversion.lead_grouped": "Meta leads",
    "onsite_conversion.messaging_conversation_started_7d": "Messaging conversations started",
    "offsite_conversion.fb_pixel_add_to_cart": "Website adds to cart",
    "omni_add_to_cart": "Adds to cart",
    "offsite_conversion.fb_pixel_initiate_checkout": "Website checkouts initiated",
    "omni_initiated_checkout": "Checkouts initiated",
    "offsite_conversion.fb_pixel_complete_registration": "Website registrations completed",
    "post_engagement": "Post engagements",
    "page_engagement": "Page engagement",
    "like": "Follows or likes",
    "profile_visit_view": "Instagram profile visits",
    "mobile_app_install": "Mobile app installs",
    "app_install": "Mobile app installs",
    "video_thruplay_watched_actions": "ThruPlays",
    "video_view": "3-second video plays",
    "reach": "Reach",
}
# A results column named for its type (the Russian UI's `Заявки` = leads) types its rows without a Result type column.
TYPED_RESULTS = {"заявки": "Leads"}


META = AdsExport(
    kind=KIND,
    platform="meta",
    spend=SPEND_HEADER,
    spend_label="Amount spent (<currency>)",
    dimensions=DIMENSIONS,
    metrics=METRICS,
    purchases=PURCHASE_FAMILIES,
    needs_name=False,
    result_actions=RESULT_ACTIONS,
    typed_results=TYPED_RESULTS,
    budgets=BUDGET_COLUMNS,
)


def detect(raw: RawTable) -> Detection:
    """How well the header fits a Meta Ads Manager export."""
    return detect_ads(raw, META)


def parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed:
    """Canonical `ad_insights` rows of one Meta export; bad rows quarantined with a reason."""
    return parse_ads(raw, source_file, META)
