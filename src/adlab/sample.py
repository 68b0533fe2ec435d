"""Deterministic sample exports for an embedded demo store (Meta Ads Manager + Shopify orders).

`write_sample` writes three files, in the formats the real tools write:

* `meta_ads_daily_ad_level.csv`: Ads Manager export, ad level, one row per ad
  per day with impressions, UTF-8 with BOM, USD, attribution `7-day click or
  1-day view`. Action columns (results, link clicks, landing page views, adds to
  cart, checkouts, purchases, conversion value, video plays) are empty where
  Ads Manager has no action to report (0); delivery columns are always written;
  video columns are empty for image (`IMG_`) and carousel (`CAR_`) ads.
* `meta_ads_daily_age_gender.csv`: the same ads broken down by Age x Gender for
  the last 4 ISO weeks + 2 days (2026-10-26 .. 2026-11-24; 6 weeks would not fit
  the 5 MB budget); per (ad, day) the segment rows add up exactly to the
  ad-level row (spend cents, impressions, reach, clicks, link clicks, purchases,
  conversion value cents). Only segments with impressions are written.
* `orders_export.csv`: Shopify admin orders export (79 columns, one row per line
  item, order-level fields on the order's first row only, newest order first),
  timestamps in America/New_York (-0400 until 2026-11-01, -0500 after). Names,
  e-mails (example.com/.net/.org), addresses and phones (555 exchange) are fake.
  Store revenue is each day's Meta-attributed value plus other channels worth
  0.58-0.83x Meta's trailing 7-day value (about 1.7x Meta on a normal day).

Period: 2026-08-31 (Mon) .. 2026-11-24 (Tue): ISO weeks 2026-W36 .. 2026-W47
plus two days of W48. At scale 1 the account has 4 campaigns, 10 ad sets and
23 ads and spends 1,350-2,100 USD a day (median about 1,650) at an account ROAS
of about 2.35 (link CTR 1.3%, CPM 15.6 USD, CVR 2.7%, AOV 101 USD); the store
takes 20-70 orders a day (median about 47).

Planted stories (entity names exact; figures for seed 7, scale 1):

1. Winner: ad `VID | UGC-Unboxing | 15s` (campaign `PROSP | Broad | Sales`, ad
   set `Broad | US | 25-54`): the largest spender every day (380-540 USD a day,
   about 26% of account spend), ROAS about 4.75 over the period (account 2.35);
   weekly ROAS 4.3-6.0, with one soft week (W47, 3.2) as Q4 CPMs rise.
2. Burning money: ad `IMG_TOF_Wool Overshirt Flatlay` (campaign
   `PROSP | LAL | Sales`, ad set `LAL 5% | Engaged Shoppers`), live 2026-10-26 ..
   2026-11-24 at 230-300 USD a week (over 3x the 40 USD target CPA), about 590
   USD in the last 14 days and not a single purchase in its life (its link goes
   to a sold-out colourway: clicks and a few adds to cart, no sales).
3. Creative fatigue: ad `VID | Founder-Story | 30s` (campaign
   `RT | Website Visitors 30d`, ad set `RT | Viewed Product 30d`), launched
   2026-10-19: link CTR halves from about 2.05% in W43 to about 1.0% in W47 while
   daily frequency climbs from about 1.3 to about 2.3 (reach shrinks while
   impressions hold).
4. Losing promo: ad set `Summer Sale` (campaign `Summer Sale | Promo`; ads
   `IMG_BOF_Summer Sale 30% Off`, `VID | Promo-Countdown | 6s`,
   `CAR_MOF_Summer Sale Best Sellers`), live 2026-08-31 .. 2026-10-25: about
   20,800 USD spent for 14,900 USD of purchases, ROAS about 0.71 (discounted AOV
   about 68 USD, CVR about 1.7%).
5. Women 25-34: ad `VID | Try-On-Haul | 20s` (campaign `PROSP | LAL | Sales`, ad
   set `LAL 1% | Purchasers 180d`): in the age x gender file its female 25-34
   segment has ROAS about 7.4 on about 16% of its spend (43 purchases); no other
   segment reaches 2.6 and the others together make about 1.35.
6. Last-day drop: on 2026-11-24 the checkout breaks for the landing page of
   campaign `PROSP | Broad | Sales` (about 70% of Meta purchase value): its
   checkouts initiated stay normal but only about 7% of them complete (59%
   before), so its CVR falls from about 2.7% to 0.4% while CPM, CTR and AOV stay
   normal. Account ROAS is about 0.86 against a 2.08 mean over the previous 7
   days (-59%), and a log split of the ROAS change into CPM, CTR, CVR and AOV
   puts about 98% of it on CVR. Store orders dip by the lost Meta sales only.

`story="cpm_spike"` plants a different last-day cause and segment winner, for
testing explanations: on 2026-11-24 every ad's CPM triples (an auction squeeze
on the eve of Black Friday; the checkout works), so account ROAS falls mostly
through CPM, and the women 25-34 boost of story 5 goes to ad
`CAR_BOF_Cart Reminder Dynamic` instead of the try-on haul. The default story
(`checkout_break`) writes exactly the files described above.

`scale` makes `round(scale)` (at least 1) copies of the account; copies 2.. carry
an `A<n> | ` prefix on campaign and ad set names, perturbed parameters and their
own IDs, and the store's orders grow with them (scale 400: about 0.5M ad-level
rows, 2.9M age x gender rows and 3.1M order lines, 2 GB, written in chunks).
Output is byte-identical for the same (seed, scale) with the same numpy and
polars versions.
"""
from __future__ import annotations

import argparse
import codecs
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from adlab.io import atomic_path

START = dt.date(2026, 8, 31)
END = dt.date(2026, 11, 24)
N_DAYS = (END - START).days + 1
STORE_TZ = "America/New_York"
# The orders export is taken the morning after the period (store time).
EXPORT_AT_LOCAL = dt.datetime(2026, 11, 25, 8, 30)
BREAKDOWN_DAYS = 30
CHUNK_ROWS = 250_000  # rows formatted and written at a time (bounds memory at large scales)

META_AD_LEVEL_FILE = "meta_ads_daily_ad_level.csv"
META_AGE_GENDER_FILE = "meta_ads_daily_age_gender.csv"
ORDERS_FILE = "orders_export.csv"

META_AD_LEVEL_HEADER: tuple[str, ...] = (
    "Campaign name", "Ad set name", "Ad name", "Day", "Campaign ID", "Ad set ID", "Ad ID", "Delivery status",
    "Delivery level", "Objective", "Attribution setting", "Result type", "Results", "Cost per result",
    "Amount spent (USD)", "Impressions", "Reach", "Frequency", "CPM (cost per 1,000 impressions) (USD)",
    "Clicks (all)", "CTR (all)", "Link clicks", "CTR (link click-through rate)", "CPC (cost per link click) (USD)",
    "Landing page views", "Adds to cart", "Checkouts initiated", "Purchases", "Purchases conversion value",
    "Cost per purchase (USD)", "Purchase ROAS (return on ad spend)", "3-second video plays", "ThruPlays",
    "Video plays at 25%", "Video plays at 50%", "Video plays at 75%", "Video plays at 100%",
    "Reporting starts", "Reporting ends",
)
META_AGE_GENDER_HEADER: tuple[str, ...] = (
    "Campaign name", "Ad set name", "Ad name", "Day", "Age", "Gender", "Amount spent (USD)", "Impressions", "Reach",
    "Clicks (all)", "Link clicks", "Purchases", "Purchases conversion value", "Purchase ROAS (return on ad spend)",
    "Attribution setting", "Reporting starts", "Reporting ends",
)
SHOPIFY_ORDERS_HEADER: tuple[str, ...] = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
    "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Billing Name", "Billing Street", "Billing Address1", "Billing Address2", "Billing Company", "Billing City",
    "Billing Zip", "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes", "Cancelled at",
    "Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Outstanding Balance", "Employee",
    "Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name",
    "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
    "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
    "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
)

AGES: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS: tuple[str, ...] = ("female", "male", "unknown")
ATTRIBUTION = "7-day click or 1-day view"
OBJECTIVE = "OUTCOME_SALES"
RESULT_TYPE = "Website purchases"

PROSP_BROAD = "PROSP | Broad | Sales"
PROSP_LAL = "PROSP | LAL | Sales"
RETARGETING = "RT | Website Visitors 30d"
SUMMER_SALE_CAMPAIGN = "Summer Sale | Promo"

WINNER_CAMPAIGN = PROSP_BROAD
WINNER_ADSET = "Broad | US | 25-54"
WINNER_AD = "VID | UGC-Unboxing | 15s"
BURNING_CAMPAIGN = PROSP_LAL
BURNING_ADSET = "LAL 5% | Engaged Shoppers"
BURNING_AD = "IMG_TOF_Wool Overshirt Flatlay"
FATIGUE_CAMPAIGN = RETARGETING
FATIGUE_ADSET = "RT | Viewed Product 30d"
FATIGUE_AD = "VID | Founder-Story | 30s"
SUMMER_SALE_ADSET = "Summer Sale"
FEMALE_25_34_CAMPAIGN = PROSP_LAL
FEMALE_25_34_ADSET = "LAL 1% | Purchasers 180d"
FEMALE_25_34_AD = "VID | Try-On-Haul | 20s"
CHECKOUT_PROBLEM_CAMPAIGN = PROSP_BROAD
CHECKOUT_PROBLEM_DAY = END
STORIES = ("checkout_break", "cpm_spike")
CPM_SPIKE = 3.0  # the cpm_spike story's last-day CPM multiplier, every ad
CPM_SPIKE_SEGMENT_WINNER = "CAR_BOF_Cart Reminder Dynamic"


@dataclass(frozen=True)
class AdSpec:
    """One ad of the demo account and its typical daily performance."""

    campaign: str
    adset: str
    ad: str
    start: int  # first live day, as an index into the period
    end: int  # last live day (inclusive)
    spend: float  # daily budget, USD
    cpm: float  # USD per 1,000 impressions
    ctr: float  # link clicks per impression, percent
    cvr: float  # purchases per link click, percent
    aov: float  # purchase value per purchase, USD
    frequency: float  # daily impressions per person reached
    story: str = ""


def _day(text: str) -> int:
    """Index of an ISO date in the period (0 = 2026-08-31)."""
    return (dt.date.fromisoformat(text) - START).days


LAST = N_DAYS - 1
AD_SPECS: tuple[AdSpec, ...] = (
    AdSpec(PROSP_BROAD, WINNER_ADSET, WINNER_AD, 0, LAST, 430, 14.0, 1.60, 4.35, 104, 1.12, "winner"),
    AdSpec(PROSP_BROAD, WINNER_ADSET, "IMG_TOF_Linen Shirt Lifestyle", 0, LAST, 99, 12.0, 1.10, 1.7, 99, 1.08),
    AdSpec(PROSP_BROAD, WINNER_ADSET, "CAR_TOF_Fall Essentials Carousel", _day("2026-09-21"), LAST,
           108, 13.0, 1.30, 1.8, 104, 1.10),
    AdSpec(PROSP_BROAD, "Advantage+ Audience | US", "VID | Problem-Solution | 30s", 0, _day("2026-10-18"),
           169, 15.0, 1.20, 2.05, 102, 1.10),
    AdSpec(PROSP_BROAD, "Advantage+ Audience | US", "VID | Customer-Review | 20s", _day("2026-10-05"), LAST,
           136, 16.0, 1.40, 2.0, 106, 1.10),
    AdSpec(PROSP_BROAD, "Advantage+ Audience | US", "IMG_TOF_Merino Knit Studio", _day("2026-09-10"),
           _day("2026-11-01"), 70, 13.0, 0.90, 1.67, 99, 1.06),
    AdSpec(PROSP_BROAD, "Advantage+ Audience | US", "VID | UGC-Unboxing | 30s", 0, _day("2026-10-11"),
           80, 15.0, 1.30, 1.7, 104, 1.10),
    AdSpec(PROSP_LAL, FEMALE_25_34_ADSET, FEMALE_25_34_AD, _day("2026-09-14"), LAST,
           127, 16.0, 1.50, 2.42, 106, 1.15, "female_25_34"),
    AdSpec(PROSP_LAL, FEMALE_25_34_ADSET, "IMG_MOF_Linen Dress Model", 0, _day("2026-10-25"),
           100, 15.0, 1.20, 1.86, 102, 1.12),
    AdSpec(PROSP_LAL, "LAL 3% | Add to Cart 90d", "VID | Behind-The-Seams | 30s", 0, _day("2026-10-25"),
           85, 14.0, 1.00, 1.77, 99, 1.10),
    AdSpec(PROSP_LAL, "LAL 3% | Add to Cart 90d", "CAR_MOF_New Arrivals Carousel", _day("2026-09-28"), LAST,
           85, 14.0, 1.30, 1.95, 104, 1.10),
    AdSpec(PROSP_LAL, BURNING_ADSET, BURNING_AD, _day("2026-10-26"), LAST,
           36, 18.0, 0.90, 0.4, 90, 1.15, "burning"),
    AdSpec(PROSP_LAL, BURNING_ADSET, "VID | Street-Interview | 15s", _day("2026-10-10"), LAST,
           61, 15.0, 1.10, 1.86, 102, 1.10),
    AdSpec(RETARGETING, FATIGUE_ADSET, FATIGUE_AD, _day("2026-10-19"), LAST,
           85, 22.0, 2.20, 3.1, 104, 1.20, "fatigue"),
    AdSpec(RETARGETING, FATIGUE_ADSET, "IMG_BOF_Bestseller Reviews", 0, LAST, 56, 20.0, 1.60, 2.85, 102, 1.45),
    AdSpec(RETARGETING, "RT | Added to Cart 7d", "CAR_BOF_Cart Reminder Dynamic", 0, LAST,
           52, 25.0, 2.00, 3.45, 106, 1.60),
    AdSpec(RETARGETING, "RT | Added to Cart 7d", "IMG_BOF_Free Shipping Over 75", _day("2026-09-30"), LAST,
           36, 24.0, 1.70, 3.0, 97, 1.55),
    AdSpec(RETARGETING, "RT | IG & FB Engagers 60d", "VID | Styling-Tips | 9s", 0, _day("2026-10-30"),
           39, 18.0, 1.30, 2.0, 99, 1.30),
    AdSpec(RETARGETING, "RT | IG & FB Engagers 60d", "IMG_MOF_Gift Guide Under 100", _day("2026-11-02"), LAST,
           47, 19.0, 1.40, 2.15, 93, 1.30),
    AdSpec(SUMMER_SALE_CAMPAIGN, SUMMER_SALE_ADSET, "IMG_BOF_Summer Sale 30% Off", 0, _day("2026-10-25"),
           165, 17.0, 1.10, 1.4, 65, 1.20),
    AdSpec(SUMMER_SALE_CAMPAIGN, SUMMER_SALE_ADSET, "VID | Promo-Countdown | 6s", 0, _day("2026-10-25"),
           140, 16.0, 0.90, 1.49, 67, 1.20),
    AdSpec(SUMMER_SALE_CAMPAIGN, SUMMER_SALE_ADSET, "CAR_MOF_Summer Sale Best Sellers", 0, _day("2026-10-04"),
           110, 17.0, 1.20, 1.67, 69, 1.20),
    AdSpec(SUMMER_SALE_CAMPAIGN, "Sale | Past Purchasers 180d", "IMG_BOF_Last Chance Markdowns", 0,
           _day("2026-10-25"), 39, 21.0, 1.50, 2.7, 82, 1.35),
)



# Share of an ad's impressions by segment (age x gender, age-major), and each
# segment's relative CPM, link CTR, conversion rate and order value.
AGE_SHARE = np.array([0.11, 0.26, 0.24, 0.18, 0.13, 0.08])
GENDER_SHARE = np.array([0.60, 0.37, 0.03])
AGE_CPM = np.array([0.85, 1.10, 1.10, 1.00, 0.90, 0.80])
GENDER_CPM = np.array([1.05, 0.95, 0.80])
AGE_CTR = np.array([1.15, 1.05, 1.00, 0.95, 0.90, 0.85])
GENDER_CTR = np.array([1.05, 0.92, 0.80])
AGE_CVR = np.array([0.70, 1.00, 1.15, 1.10, 0.95, 0.80])
GENDER_CVR = np.array([1.10, 0.85, 0.50])
AGE_AOV = np.array([0.85, 0.95, 1.05, 1.10, 1.05, 1.00])
GENDER_AOV = np.array([1.00, 1.05, 0.95])
FEMALE_25_34 = 1 * len(GENDERS) + 0  # index of (25-34, female) in the age-major segment order

# The store: (title, SKU code, price, compare-at price or 0, vendor, sized apparel?, colours, popularity).
BRAND = "Linden & Loom"
PRODUCTS: tuple[tuple[str, str, float, float, str, bool, tuple[str, ...], float], ...] = (
    ("Linen Button-Down Shirt", "LBS", 68, 0, BRAND, True, ("White", "Sky Blue", "Olive"), 1.4),
    ("Linen Wrap Dress", "LWD", 98, 0, BRAND, True, ("Sand", "Black", "Terracotta"), 1.1),
    ("Merino Crew Sweater", "MCS", 88, 0, BRAND, True, ("Oatmeal", "Navy", "Charcoal"), 1.0),
    ("Wool Overshirt", "WOS", 128, 0, BRAND, True, ("Camel", "Forest"), 0.4),
    ("Organic Cotton Tee", "OCT", 32, 0, BRAND, True, ("White", "Black", "Heather Grey", "Sage"), 2.2),
    ("Relaxed Chino", "RCH", 78, 0, BRAND, True, ("Khaki", "Navy", "Stone"), 0.9),
    ("High-Rise Straight Jean", "HSJ", 98, 0, BRAND, True, ("Indigo", "Washed Black"), 0.8),
    ("Cashmere Blend Beanie", "CBB", 38, 0, BRAND, False, ("Oatmeal", "Rust", "Black"), 1.0),
    ("Ribbed Wool Socks (3-Pack)", "RWS", 24, 0, BRAND, False, (), 1.3),
    ("Canvas Market Tote", "CMT", 42, 0, BRAND, False, ("Natural", "Black"), 0.8),
    ("Leather Card Holder", "LCH", 45, 0, "Harbor Leather Co.", False, ("Tan", "Black"), 0.6),
    ("Linen Drawstring Pant", "LDP", 72, 96, BRAND, True, ("Sand", "Black"), 0.9),
    ("Summer Linen Shorts", "SLS", 39, 58, BRAND, True, ("Olive", "Sand", "Navy"), 0.9),
    ("Cotton Poplin Midi Skirt", "CPS", 64, 0, BRAND, True, ("Ivory", "Black"), 0.6),
    ("Chunky Knit Cardigan", "CKC", 118, 0, BRAND, True, ("Cream", "Moss"), 0.6),
    ("Quilted Vest", "QVE", 86, 0, BRAND, True, ("Black", "Olive"), 0.5),
    ('Silk Scarf "Meadow"', "SSM", 58, 0, BRAND, False, (), 0.4),
    ("Waffle Knit Henley", "WKH", 54, 0, BRAND, True, ("Bone", "Navy"), 0.9),
    ("Everyday Hoodie", "EHO", 74, 0, BRAND, True, ("Heather Grey", "Black", "Sage"), 1.0),
    ("Recycled Puffer Jacket", "RPJ", 168, 0, BRAND, True, ("Black", "Olive"), 0.4),
    ("Corduroy Bucket Hat", "CBH", 34, 0, BRAND, False, ("Chocolate", "Sage"), 0.6),
    ("Leather Belt", "LBT", 52, 0, "Harbor Leather Co.", True, ("Tan", "Black"), 0.5),
    ("Bamboo Lounge Set", "BLS", 92, 0, BRAND, True, ("Sand", "Slate"), 0.5),
    ("Linen Camp Collar Shirt", "LCC", 62, 78, BRAND, True, ("Rust", "Ivory"), 0.6),
    ("Terry Cloth Polo", "TCP", 48, 64, BRAND, True, ("Cream", "Cobalt"), 0.5),
    ("Alpaca Blend Scarf", "ABS", 48, 0, BRAND, False, ("Camel", "Grey"), 0.6),
    ("Sherpa Fleece Pullover", "SFP", 96, 0, BRAND, True, ("Cream", "Charcoal"), 0.6),
    ("Trail Runner Sock Bundle", "TRS", 18, 0, "Terra Sock Co.", False, (), 0.8),
    ("Wide-Leg Trouser", "WLT", 84, 0, BRAND, True, ("Black", "Stone"), 0.5),
    ("Merino Turtleneck", "MTN", 94, 0, BRAND, True, ("Black", "Oatmeal"), 0.5),
    ("Canvas Weekender Bag", "CWB", 128, 0, BRAND, False, ("Natural",), 0.2),
)
SIZES = ("XS", "S", "M", "L", "XL")
SIZE_WEIGHTS = (0.08, 0.25, 0.32, 0.25, 0.10)

PLAIN_FIRST_NAMES = (
    "Olivia", "Emma", "Charlotte", "Amelia", "Sophia", "Isabella", "Ava", "Mia", "Evelyn", "Harper", "Luna",
    "Camila", "Gianna", "Elizabeth", "Eleanor", "Ella", "Abigail", "Sofia", "Avery", "Scarlett", "Emily", "Aria",
    "Penelope", "Chloe", "Layla", "Mila", "Nora", "Hazel", "Madison", "Ellie", "Lily", "Nova", "Grace", "Violet",
    "Aurora", "Riley", "Zoey", "Willow", "Emilia", "Stella", "Hannah", "Natalie", "Leah", "Maya", "Claire",
    "Sarah", "Jessica", "Ashley", "Lauren", "Megan", "Rachel", "Priya", "Aisha", "Mei", "Fatima", "Ana",
    "Liam", "Noah", "Oliver", "James", "Elijah", "William", "Henry", "Lucas", "Benjamin", "Theodore", "Mateo",
    "Levi", "Sebastian", "Daniel", "Jack", "Michael", "Alexander", "Owen", "Asher", "Samuel", "Ethan", "Leo",
    "Jackson", "Mason", "Ezra", "John", "Hudson", "Luca", "Aiden", "Joseph", "David", "Jacob", "Logan",
    "Ryan", "Nathan", "Marcus", "Andre", "Kenji", "Omar", "Diego", "Raj", "Tyler", "Brandon", "Kevin",
)
# Customer names as written, and as they appear in e-mail addresses.
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    *((name, name.lower()) for name in PLAIN_FIRST_NAMES),
    ("Zoë", "zoe"), ("José", "jose"), ("Chloé", "chloe"), ("Renée", "renee"),
)
PLAIN_LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez",
    "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart",
    "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez",
    "Wood", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Patel", "Shah", "Chen", "Wang",
    "Nakamura", "Sullivan", "Russell", "Foster", "Bryant", "Hayes", "Myers",
)
LAST_NAMES: tuple[tuple[str, str], ...] = (
    *((name, name.lower()) for name in PLAIN_LAST_NAMES),
    ("O'Connor", "oconnor"), ("Muñoz", "munoz"), ("Van der Berg", "vanderberg"), ("Smith-Jones", "smithjones"),
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
STREET_NAMES = (
    "Maple", "Oak", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Main", "Highland", "Sunset",
    "Jefferson", "Lincoln", "Franklin", "Madison", "Willow", "Chestnut", "Walnut", "Spring", "Ridge", "Church",
    "Mill", "River", "Prospect", "Union", "Grove", "Meadow", "Bay", "Harbor", "Orchard", "Forest", "Valley",
    "Summit", "Broad", "Market", "Water", "Liberty", "Cherry", "Magnolia",
)
STREET_SUFFIXES = ("St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Pl", "Way", "Terrace")
UNITS = ("Apt 2B", "Apt 4", "Apt 12C", "Unit 5", "Unit 210", "Suite 300", "Apt 3F", "#7", "Apt 1A", "Floor 2")
COMPANIES = ("Bluebird Design Studio", "Hartwell & Co", "Northpoint Consulting", "Saguaro Dental", "Kite Labs Inc.")
# (state code, state name, state tax %, [(city, zip prefix, area code, local tax name, local tax %)], weight)
STATES: tuple[tuple[str, str, float, tuple[tuple[str, str, str, str, float], ...], float], ...] = (
    ("NY", "New York", 4.0, (("New York", "100", "212", "New York City Tax", 4.5),
                             ("Brooklyn", "112", "718", "New York City Tax", 4.5),
                             ("Buffalo", "142", "716", "Erie County Tax", 4.75)), 0.11),
    ("CA", "California", 6.0, (("Los Angeles", "900", "213", "Los Angeles County Tax", 3.5),
                               ("San Francisco", "941", "415", "San Francisco County Tax", 2.625),
                               ("San Diego", "921", "619", "San Diego County Tax", 1.75),
                               ("Oakland", "946", "510", "Alameda County Tax", 4.25)), 0.16),
    ("IL", "Illinois", 6.25, (("Chicago", "606", "312", "Chicago City Tax", 4.0),
                              ("Evanston", "602", "847", "Cook County Tax", 3.75)), 0.05),
    ("TX", "Texas", 6.25, (("Houston", "770", "713", "Houston City Tax", 2.0),
                           ("Austin", "787", "512", "Austin City Tax", 2.0),
                           ("Dallas", "752", "214", "Dallas City Tax", 2.0)), 0.09),
    ("FL", "Florida", 6.0, (("Miami", "331", "305", "Miami-Dade County Tax", 1.0),
                            ("Orlando", "328", "407", "Orange County Tax", 0.5),
                            ("Tampa", "336", "813", "Hillsborough County Tax", 1.5)), 0.08),
    ("WA", "Washington", 6.5, (("Seattle", "981", "206", "Seattle City Tax", 3.85),
                               ("Spokane", "992", "509", "Spokane City Tax", 2.5)), 0.04),
    ("OR", "Oregon", 0.0, (("Portland", "972", "503", "", 0.0),), 0.03),
    ("MA", "Massachusetts", 6.25, (("Boston", "021", "617", "", 0.0), ("Cambridge", "021", "617", "", 0.0)), 0.04),
    ("CO", "Colorado", 2.9, (("Denver", "802", "303", "Denver City Tax", 5.91),
                             ("Boulder", "803", "303", "Boulder City Tax", 4.985)), 0.03),
    ("GA", "Georgia", 4.0, (("Atlanta", "303", "404", "Fulton County Tax", 4.9),), 0.03),
    ("PA", "Pennsylvania", 6.0, (("Philadelphia", "191", "215", "Philadelphia City Tax", 2.0),
                                 ("Pittsburgh", "152", "412", "Allegheny County Tax", 1.0)), 0.04),
    ("AZ", "Arizona", 5.6, (("Phoenix", "850", "602", "Phoenix City Tax", 3.0),), 0.02),
    ("MN", "Minnesota", 6.875, (("Minneapolis", "554", "612", "Minneapolis City Tax", 1.15),), 0.02),
    ("TN", "Tennessee", 7.0, (("Nashville", "372", "615", "Davidson County Tax", 2.25),), 0.02),
    ("NC", "North Carolina", 4.75, (("Charlotte", "282", "704", "Mecklenburg County Tax", 2.5),
                                    ("Raleigh", "276", "919", "Wake County Tax", 2.5)), 0.03),
    ("OH", "Ohio", 5.75, (("Columbus", "432", "614", "Franklin County Tax", 1.75),), 0.03),
    ("MI", "Michigan", 6.0, (("Detroit", "482", "313", "", 0.0), ("Ann Arbor", "481", "734", "", 0.0)), 0.03),
    ("WI", "Wisconsin", 5.0, (("Madison", "537", "608", "Dane County Tax", 0.5),), 0.02),
    ("UT", "Utah", 4.85, (("Salt Lake City", "841", "801", "Salt Lake County Tax", 2.9),), 0.02),
    ("MD", "Maryland", 6.0, (("Baltimore", "212", "410", "", 0.0),), 0.02),
    ("VA", "Virginia", 4.3, (("Richmond", "232", "804", "Richmond City Tax", 1.0),
                             ("Arlington", "222", "703", "Arlington County Tax", 1.0)), 0.03),
    ("NJ", "New Jersey", 6.625, (("Jersey City", "073", "201", "", 0.0), ("Hoboken", "070", "201", "", 0.0)), 0.04),
    ("DC", "District of Columbia", 6.0, (("Washington", "200", "202", "", 0.0),), 0.02),
)
NOTES = (
    "Please leave the package with the doorman.",
    "Gift for my sister, please don't include the receipt!",
    'Can you write "Happy Birthday, Sam" on the card?',
    "Ring the bell twice, the dog is friendly.",
    "Leave at the side door\nNOT the front porch, thanks",
    "Is the overshirt true to size? Ordered an M.",
)
NOTE_ATTRIBUTES = (
    "gift_wrap: yes",
    "gift_wrap: yes\ngift_message: Happy anniversary, love you!",
    "delivery_instructions: Buzz 4B, leave with concierge",
    "how_did_you_hear: Instagram",
    "how_did_you_hear: Friend, podcast",
)
SHIPPING_METHODS = ("Standard Shipping", "Free Shipping", "Express Shipping")
FINANCIAL_STATUSES = ("paid", "partially_refunded", "refunded", "voided")
RISK_LEVELS = ("Low", "Medium", "High")
PAYMENT_METHODS = ("Shopify Payments", "PayPal Express Checkout", "Shop Pay Installments", "Afterpay")
PAYMENT_WEIGHTS = (0.76, 0.17, 0.04, 0.03)
# (code, percent off, first day, last day, who may use it)
DISCOUNTS: tuple[tuple[str, float, int, int, str], ...] = (
    ("WELCOME10", 10.0, 0, LAST, "new"),
    ("VIP15", 15.0, 0, LAST, "repeat"),
    ("SUMMER30", 30.0, 0, _day("2026-11-08"), "all"),
    ("FALL20", 20.0, _day("2026-10-01"), LAST, "all"),
    ("EARLYBF25", 25.0, _day("2026-11-20"), LAST, "all"),
)
DISCOUNT_USE = (0.12, 0.10, 0.09, 0.05, 0.10)  # share of eligible orders using each code

# Weekday patterns (Mon..Sun) of spend and conversion rate.
SPEND_WEEKDAY = np.array([1.00, 1.00, 0.98, 0.99, 1.02, 1.03, 1.00])
CVR_WEEKDAY = np.array([1.00, 1.02, 1.00, 0.99, 0.97, 0.95, 1.03])
ORDER_HOUR_WEIGHTS = np.array(
    [1.2, 0.8, 0.5, 0.3, 0.3, 0.4, 0.8, 1.5, 2.4, 3.2, 3.8, 4.2, 4.8, 4.6, 4.2, 4.0, 4.0, 4.2, 4.6, 5.4, 6.2,
     6.4, 5.2, 3.0]
)
# A normal day's store revenue is this multiple of Meta-attributed (7-day click / 1-day view) value.
STORE_TO_META_RATIO = (1.58, 1.83)
NET_PER_ORDER = 142.0  # typical store revenue per order, USD; sizes the pool of candidate orders


# --------------------------------------------------------------------------- number formatting


def _money(cents: pl.Expr) -> pl.Expr:
    """Integer cents (>= 0) as `12.34`."""
    return (cents // 100).cast(pl.String) + "." + (cents % 100).cast(pl.String).str.zfill(2)


def _decimal(value: pl.Expr) -> pl.Expr:
    """A non-negative float as a plain decimal with at most 6 decimals, trailing zeros dropped."""
    micro = (value * 1_000_000).round(0).cast(pl.Int64)
    whole = (micro // 1_000_000).cast(pl.String)
    frac = (micro % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return pl.when(frac == "").then(whole).otherwise(whole + "." + frac)


def _ratio(num: pl.Expr, den: pl.Expr, scale: float = 1.0) -> pl.Expr:
    """num / den x scale as a decimal; empty where den is 0."""
    return pl.when(den > 0).then(_decimal(num.cast(pl.Float64) * scale / den.cast(pl.Float64)))


def _count_or_empty(count: pl.Expr) -> pl.Expr:
    """An action count; Ads Manager leaves the cell empty when there was none."""
    return pl.when(count > 0).then(count.cast(pl.String))


# --------------------------------------------------------------------------- splitting helpers


def split_exact(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer totals into integer parts proportional to weights (largest remainder).

    Args:
        total: (n,) non-negative integers.
        weights: (n, k) non-negative weights; a part with weight 0 gets 0.

    Returns:
        (n, k) integers whose rows sum exactly to `total`.
    """
    n, k = weights.shape
    wsum = weights.sum(axis=1, keepdims=True)
    share = np.divide(weights, wsum, out=np.zeros_like(weights, dtype=float), where=wsum > 0)
    exact = share * total[:, None]
    parts = np.floor(exact).astype(np.int64)
    remainder = total - parts.sum(axis=1)
    order = np.argsort(-(exact - parts), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(k), (n, k)).copy(), axis=1)
    return parts + (ranks < remainder[:, None])


def _multinomial(rng: np.random.Generator, total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Random integer split of each total with probabilities proportional to weights (uniform when all 0)."""
    wsum = weights.sum(axis=1, keepdims=True)
    probs = np.where(wsum > 0, weights / np.where(wsum > 0, wsum, 1.0), 1.0 / weights.shape[1])
    return rng.multinomial(total, probs)


def _lognormal(rng: np.random.Generator, sigma: float | np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Multiplicative noise with median 1."""
    return np.exp(rng.normal(0.0, 1.0, shape) * sigma)


# --------------------------------------------------------------------------- Meta


def _ads_table(rng: np.random.Generator, replicas: int) -> pl.DataFrame:
    """One row per ad of every account copy: names, IDs, status and performance parameters."""
    rows = []
    campaign_ids: dict[tuple[int, str], int] = {}
    adset_ids: dict[tuple[int, str, str], int] = {}
    for copy in range(replicas):
        prefix = "" if copy == 0 else f"A{copy + 1} | "
        shift = 0 if copy == 0 else int(rng.integers(-10, 11))
        for spec in AD_SPECS:
            # Copies of the account differ in budget, CPM, CTR, CVR and AOV.
            low, high = [0.6, 0.85, 0.85, 0.85, 0.9], [1.4, 1.15, 1.15, 1.15, 1.1]
            jitter = np.ones(5) if copy == 0 else rng.uniform(low, high)
            start = spec.start if spec.start == 0 or copy == 0 else int(np.clip(spec.start + shift, 1, LAST - 10))
            end = spec.end if spec.end == LAST or copy == 0 else int(np.clip(spec.end + shift, start + 7, LAST - 9))
            ckey, akey = (copy, spec.campaign), (copy, spec.campaign, spec.adset)
            campaign_ids.setdefault(ckey, 120_210_000_000_000_000 + int(rng.integers(10**13, 9 * 10**13)))
            adset_ids.setdefault(akey, 120_211_000_000_000_000 + int(rng.integers(10**13, 9 * 10**13)))
            is_video = spec.ad.startswith("VID")
            rows.append({
                "campaign": prefix + spec.campaign,
                "adset": prefix + spec.adset,
                "ad": spec.ad,
                "campaign_id": str(campaign_ids[ckey]),
                "adset_id": str(adset_ids[akey]),
                "ad_id": str(120_212_000_000_000_000 + int(rng.integers(10**13, 9 * 10**13))),
                "status": "active" if end == LAST else "inactive",
                "start": start,
                "end": end,
                "spend": spec.spend * jitter[0],
                "cpm": spec.cpm * jitter[1],
                "ctr": spec.ctr / 100 * jitter[2],
                "cvr": spec.cvr / 100 * jitter[3],
                "aov": spec.aov * jitter[4],
                "frequency": spec.frequency,
                "story": spec.story,
                "checkout_problem": spec.campaign == CHECKOUT_PROBLEM_CAMPAIGN,
                "is_video": is_video,
                "video_seconds": int(spec.ad.rsplit("|", 1)[1].strip().rstrip("s")) if is_video else 0,
                "hook": float(rng.uniform(0.22, 0.38)) if is_video else 0.0,
                "other_click_ratio": float(rng.uniform(0.65, 1.0)),
                "lpv_rate": float(rng.uniform(0.76, 0.86)),
                "noise": 0.05 if spec.story == "winner" else 0.10,
                "segment_mix": rng.lognormal(0.0, 0.12, len(AGES) * len(GENDERS)).tolist(),
            })
    return pl.DataFrame(rows)


def _binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial draws with n clipped at 0 and p into [0, 1]."""
    return rng.binomial(np.maximum(n, 0), np.clip(p, 0.0, 1.0)).astype(np.int64)


def simulate_ad_days(
    rng: np.random.Generator, ads: pl.DataFrame, last_day_story: str = "checkout_break"
) -> pl.DataFrame:
    """Daily delivery and results of every ad on its live days (rows with impressions only).

    Args:
        rng: the generator all draws come from, in a fixed order.
        ads: the table from `_ads_table`.

    Returns:
        One row per (ad, day) with integer metrics (spend and value in cents).
    """
    n_ads = ads.height
    day = np.arange(N_DAYS)
    shape = (n_ads, N_DAYS)
    col = {name: ads[name].to_numpy() for name in ads.columns if name != "segment_mix"}
    live = (day[None, :] >= col["start"][:, None]) & (day[None, :] <= col["end"][:, None])
    age = day[None, :] - col["start"][:, None]
    weekday = np.array([(START + dt.timedelta(days=int(d))).weekday() for d in day])
    story = col["story"][:, None]
    fatigue = (story == "fatigue") & live
    # Budgets rise from late October ahead of Black Friday; CPMs rise with Q4 competition.
    budget = 1.0 + 0.18 * np.clip((day - _day("2026-10-26")) / 29, 0, 1)
    season_cpm = 1.0 + 0.20 * np.clip((day - _day("2026-10-26")) / 29, 0, 1)
    # A newly launched ad spends less while it exits the learning phase.
    learning = np.where((col["start"][:, None] > 0) & (age < 3), 0.55 + 0.15 * np.maximum(age, 0), 1.0)
    sigma = col["noise"][:, None]

    spend = col["spend"][:, None] * budget * SPEND_WEEKDAY[weekday] * learning * _lognormal(rng, sigma, shape)
    spend_cents = np.where(live, np.round(spend * 100), 0).astype(np.int64)
    cpm = col["cpm"][:, None] * season_cpm * _lognormal(rng, 0.05, shape)
    last_day = day[None, :] == (CHECKOUT_PROBLEM_DAY - START).days
    if last_day_story == "cpm_spike":
        cpm = np.where(last_day, cpm * CPM_SPIKE, cpm)
    impressions = np.round(spend_cents / 100 / cpm * 1000).astype(np.int64)
    # Fatigue: the same small audience sees the creative ever more often and clicks ever less.
    weeks_live = np.clip(age, 0, None) / 7
    frequency = np.where(fatigue, 1.2 + 1.3 * np.clip(weeks_live / 5, 0, 1.05), col["frequency"][:, None])
    frequency = np.maximum(1.0, frequency * _lognormal(rng, 0.03, shape))
    reach = np.minimum(impressions, np.round(impressions / frequency)).astype(np.int64)
    ctr = col["ctr"][:, None] * _lognormal(rng, 0.06, shape) * np.where(fatigue, 0.5 ** (weeks_live / 4.3), 1.0)
    link_clicks = _binomial(rng, impressions, ctr)
    clicks = link_clicks + _binomial(rng, impressions, ctr * col["other_click_ratio"][:, None])
    landing_page_views = _binomial(rng, link_clicks, col["lpv_rate"][:, None])
    # Funnel: checkouts per landing page view, then the share of checkouts that complete.
    completion = np.full(shape, 0.62)
    broken = col["checkout_problem"][:, None] & last_day & (last_day_story == "checkout_break")
    completion = np.where(broken, 0.62 * 0.1, completion)
    completion = np.where(story == "burning", 0.0, completion)
    cvr = col["cvr"][:, None] * CVR_WEEKDAY[weekday] * _lognormal(rng, np.where(story == "winner", 0.05, 0.08), shape)
    checkouts = _binomial(rng, landing_page_views, cvr / (col["lpv_rate"][:, None] * 0.62))
    purchases = _binomial(rng, checkouts, completion)
    adds_to_cart = checkouts + _binomial(rng, landing_page_views - checkouts, 0.07)
    aov = col["aov"][:, None] * _lognormal(rng, 0.03, shape)
    value = rng.gamma(np.maximum(purchases, 1) * 20.0, aov / 20.0) * (purchases > 0)
    value_cents = np.round(value * 100).astype(np.int64)

    is_video = col["is_video"][:, None]
    seconds = col["video_seconds"][:, None]
    hook = col["hook"][:, None] * np.where(fatigue, 0.75 ** (weeks_live / 5), 1.0) * _lognormal(rng, 0.05, shape)
    plays_3s = _binomial(rng, impressions * is_video, hook)
    hold = np.where(seconds <= 9, 0.90, np.where(seconds <= 15, 0.80, np.where(seconds <= 20, 0.74, 0.66)))
    p25 = _binomial(rng, plays_3s, 0.95 * hold)
    p50 = _binomial(rng, p25, hold)
    p75 = _binomial(rng, p50, hold)
    p100 = _binomial(rng, p75, hold + 0.05)
    # ThruPlay = watched to the end or for 15 seconds, whichever comes first.
    thruplays = np.where(seconds <= 15, p100, np.where(seconds <= 20, p75, p50))

    keep = live & (impressions > 0)
    a_idx, d_idx = np.nonzero(keep)
    metrics = {
        "spend_cents": spend_cents, "impressions": impressions, "reach": reach, "clicks": clicks,
        "link_clicks": link_clicks, "landing_page_views": landing_page_views, "adds_to_cart": adds_to_cart,
        "checkouts": checkouts, "purchases": purchases, "value_cents": value_cents, "video_3s": plays_3s,
        "thruplays": thruplays, "p25": p25, "p50": p50, "p75": p75, "p100": p100,
    }
    frame = pl.DataFrame({
        "ad_index": a_idx.astype(np.int64),
        "day_index": d_idx.astype(np.int64),
        **{name: values[a_idx, d_idx].astype(np.int64) for name, values in metrics.items()},
    })
    return frame.with_columns(
        (pl.lit(START) + pl.duration(days=pl.col("day_index"))).alias("day"),
    ).join(
        ads.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("ad_index"),
            "campaign", "adset", "ad", "campaign_id", "adset_id", "ad_id", "status", "is_video",
        ),
        on="ad_index",
        how="left",
    ).sort("day_index", "campaign", "adset", "ad", "ad_index")


def meta_ad_level_table(ad_days: pl.DataFrame) -> pl.DataFrame:
    """The Ads Manager ad-level daily export as text columns, in `META_AD_LEVEL_HEADER` order."""
    spend = pl.col("spend_cents") / 100
    day = pl.col("day").dt.strftime("%Y-%m-%d")
    video = pl.col("is_video")
    columns = {
        "Campaign name": pl.col("campaign"),
        "Ad set name": pl.col("adset"),
        "Ad name": pl.col("ad"),
        "Day": day,
        "Campaign ID": pl.col("campaign_id"),
        "Ad set ID": pl.col("adset_id"),
        "Ad ID": pl.col("ad_id"),
        "Delivery status": pl.col("status"),
        "Delivery level": pl.lit("ad"),
        "Objective": pl.lit(OBJECTIVE),
        "Attribution setting": pl.lit(ATTRIBUTION),
        "Result type": pl.lit(RESULT_TYPE),
        "Results": _count_or_empty(pl.col("purchases")),
        "Cost per result": _ratio(spend, pl.col("purchases")),
        "Amount spent (USD)": _money(pl.col("spend_cents")),
        "Impressions": pl.col("impressions").cast(pl.String),
        "Reach": pl.col("reach").cast(pl.String),
        "Frequency": _ratio(pl.col("impressions"), pl.col("reach")),
        "CPM (cost per 1,000 impressions) (USD)": _ratio(spend, pl.col("impressions"), 1000.0),
        "Clicks (all)": pl.col("clicks").cast(pl.String),
        "CTR (all)": _ratio(pl.col("clicks"), pl.col("impressions"), 100.0),
        "Link clicks": _count_or_empty(pl.col("link_clicks")),
        "CTR (link click-through rate)": _ratio(pl.col("link_clicks"), pl.col("impressions"), 100.0),
        "CPC (cost per link click) (USD)": _ratio(spend, pl.col("link_clicks")),
        "Landing page views": _count_or_empty(pl.col("landing_page_views")),
        "Adds to cart": _count_or_empty(pl.col("adds_to_cart")),
        "Checkouts initiated": _count_or_empty(pl.col("checkouts")),
        "Purchases": _count_or_empty(pl.col("purchases")),
        "Purchases conversion value": pl.when(pl.col("value_cents") > 0).then(_money(pl.col("value_cents"))),
        "Cost per purchase (USD)": _ratio(spend, pl.col("purchases")),
        "Purchase ROAS (return on ad spend)": _ratio(pl.col("value_cents"), pl.col("spend_cents")),
        "3-second video plays": pl.when(video).then(_count_or_empty(pl.col("video_3s"))),
        "ThruPlays": pl.when(video).then(_count_or_empty(pl.col("thruplays"))),
        "Video plays at 25%": pl.when(video).then(_count_or_empty(pl.col("p25"))),
        "Video plays at 50%": pl.when(video).then(_count_or_empty(pl.col("p50"))),
        "Video plays at 75%": pl.when(video).then(_count_or_empty(pl.col("p75"))),
        "Video plays at 100%": pl.when(video).then(_count_or_empty(pl.col("p100"))),
        "Reporting starts": day,
        "Reporting ends": day,
    }
    return ad_days.select([expr.alias(name) for name, expr in columns.items()])


def _segment_profiles(ads: pl.DataFrame, winner: str = FEMALE_25_34_AD) -> dict[str, np.ndarray]:
    """Per ad (rows) and segment (columns): impression share and CPM, CTR, CVR, AOV multipliers."""
    def grid(age: np.ndarray, gender: np.ndarray) -> np.ndarray:
        return np.outer(age, gender).ravel()

    mix = np.array(ads["segment_mix"].to_list())
    share = grid(AGE_SHARE, GENDER_SHARE)[None, :] * mix
    cvr = np.tile(grid(AGE_CVR, GENDER_CVR), (ads.height, 1))
    aov = np.tile(grid(AGE_AOV, GENDER_AOV), (ads.height, 1))
    # The try-on haul speaks to women 25-34: they convert ~3.6x and buy more; men and unknowns barely convert.
    special = (ads["ad"] == winner).to_numpy()
    genders = np.tile(np.arange(len(GENDERS)), len(AGES))
    cvr[special] *= np.select([genders == 0, genders == 1], [0.7, 0.4], 0.0)[None, :]
    cvr[special, FEMALE_25_34] = 3.6
    aov[special, FEMALE_25_34] *= 1.15
    return {
        "share": share,
        "cpm": np.tile(grid(AGE_CPM, GENDER_CPM), (ads.height, 1)),
        "ctr": np.tile(grid(AGE_CTR, GENDER_CTR), (ads.height, 1)),
        "cvr": cvr,
        "aov": aov,
    }


def simulate_age_gender(
    rng: np.random.Generator, ad_days: pl.DataFrame, ads: pl.DataFrame, winner: str = FEMALE_25_34_AD
) -> pl.DataFrame:
    """Age x Gender rows of the last `BREAKDOWN_DAYS` days that add up exactly to the ad-level rows.

    Returns:
        One row per (ad, day, segment) with impressions, integer metrics (spend and value in cents).
    """
    base = ad_days.filter(pl.col("day_index") >= N_DAYS - BREAKDOWN_DAYS)
    ad_index = base["ad_index"].to_numpy()
    profile = {name: values[ad_index] for name, values in _segment_profiles(ads, winner).items()}
    n, k = len(ad_index), len(AGES) * len(GENDERS)
    get = {name: base[name].to_numpy() for name in (
        "impressions", "reach", "clicks", "link_clicks", "purchases", "spend_cents", "value_cents")}

    impressions = _multinomial(rng, get["impressions"], profile["share"] * _lognormal(rng, 0.10, (n, k)))
    spend_cents = split_exact(get["spend_cents"], impressions * profile["cpm"])
    link_clicks = _multinomial(rng, get["link_clicks"], impressions * profile["ctr"])
    other_clicks = _multinomial(rng, get["clicks"] - get["link_clicks"], impressions * profile["ctr"])
    purchases = _multinomial(rng, get["purchases"], link_clicks * profile["cvr"])
    value_cents = split_exact(get["value_cents"], purchases * profile["aov"] * _lognormal(rng, 0.15, (n, k)))
    # Every person falls in one segment: segment reach adds up to the ad's reach, at least 1 per segment shown.
    shown = (impressions > 0).astype(np.int64)
    spare = np.maximum(get["reach"] - shown.sum(axis=1), 0)
    reach = shown + split_exact(spare, np.maximum(impressions - shown, 0).astype(float))

    segments = {
        "spend_cents": spend_cents, "impressions": impressions, "reach": reach,
        "clicks": link_clicks + other_clicks, "link_clicks": link_clicks, "purchases": purchases,
        "value_cents": value_cents,
    }
    long = pl.DataFrame({
        "row": np.repeat(np.arange(n, dtype=np.int64), k),
        "segment": np.tile(np.arange(k, dtype=np.int64), n),
        **{name: values.ravel().astype(np.int64) for name, values in segments.items()},
    }).filter(pl.col("impressions") > 0)
    names = base.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), "campaign", "adset", "ad", "day",
    )
    segment_names = pl.DataFrame({
        "segment": np.arange(k, dtype=np.int64),
        "age": np.repeat(AGES, len(GENDERS)),
        "gender": np.tile(GENDERS, len(AGES)),
    })
    long = long.join(names, on="row", how="left").join(segment_names, on="segment", how="left")
    return long.sort("row", "segment")


def age_gender_text(segments: pl.DataFrame) -> pl.DataFrame:
    """Age x Gender rows as the Ads Manager breakdown export's text columns."""
    day = pl.col("day").dt.strftime("%Y-%m-%d")
    columns = {
        "Campaign name": pl.col("campaign"),
        "Ad set name": pl.col("adset"),
        "Ad name": pl.col("ad"),
        "Day": day,
        "Age": pl.col("age"),
        "Gender": pl.col("gender"),
        "Amount spent (USD)": _money(pl.col("spend_cents")),
        "Impressions": pl.col("impressions").cast(pl.String),
        "Reach": pl.col("reach").cast(pl.String),
        "Clicks (all)": pl.col("clicks").cast(pl.String),
        "Link clicks": _count_or_empty(pl.col("link_clicks")),
        "Purchases": _count_or_empty(pl.col("purchases")),
        "Purchases conversion value": pl.when(pl.col("value_cents") > 0).then(_money(pl.col("value_cents"))),
        "Purchase ROAS (return on ad spend)": _ratio(pl.col("value_cents"), pl.col("spend_cents")),
        "Attribution setting": pl.lit(ATTRIBUTION),
        "Reporting starts": day,
        "Reporting ends": day,
    }
    return segments.select([expr.alias(name) for name, expr in columns.items()])


# --------------------------------------------------------------------------- Shopify


def _catalog() -> dict[str, np.ndarray]:
    """Every sellable variant: product index, line item name, SKU, price and compare-at (cents), weight."""
    product, names, skus, price, compare, vendor, weight = [], [], [], [], [], [], []
    for index, (title, code, unit, was, brand, sized, colours, _popularity) in enumerate(PRODUCTS):
        sizes = SIZES if sized else (("S", "M", "L") if code == "LBT" else ("",))
        size_weights = SIZE_WEIGHTS if sized else ((0.3, 0.45, 0.25) if code == "LBT" else (1.0,))
        for colour in colours or ("",):
            for size, size_weight in zip(sizes, size_weights, strict=True):
                variant = " / ".join(part for part in (colour, size) if part)
                product.append(index)
                names.append(f"{title} - {variant}" if variant else title)
                skus.append("-".join(part for part in ("LL", code, colour[:3].upper(), size) if part))
                price.append(round(unit * 100))
                compare.append(round(was * 100))
                vendor.append(brand)
                weight.append(size_weight / max(len(colours), 1))
    return {
        "product": np.array(product), "name": np.array(names, dtype=object), "sku": np.array(skus, dtype=object),
        "price": np.array(price, dtype=np.int64), "compare": np.array(compare, dtype=np.int64),
        "vendor": np.array(vendor, dtype=object), "weight": np.array(weight),
    }


def _pick_variants(rng: np.random.Generator, catalog: dict[str, np.ndarray], products: np.ndarray) -> np.ndarray:
    """One variant of each given product, sizes and colours weighted."""
    n_products = len(PRODUCTS)
    cumulative = np.zeros_like(catalog["weight"])
    for p in range(n_products):
        mask = catalog["product"] == p
        cumulative[mask] = p + np.cumsum(catalog["weight"][mask]) / catalog["weight"][mask].sum()
    target = products + rng.uniform(0.0, 1.0, len(products)) * (1 - 1e-9)
    return np.searchsorted(cumulative, target, side="left")


def _customers(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Fake but realistic customers: names, unique e-mails, US addresses and phones."""
    cities = [(s, *city) for s, state in enumerate(STATES) for city in state[3]]
    weights = np.array([STATES[s][4] / len(STATES[s][3]) for s, *_ in cities])
    city = rng.choice(len(cities), n, p=weights / weights.sum())
    state = np.array([s for s, *_ in cities])[city]
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)

    def column(values: Sequence[str], index: np.ndarray) -> pl.Series:
        return _pick(tuple(values), index)

    frame = pl.DataFrame({
        "customer": np.arange(n, dtype=np.int64),
        "first": column([f for f, _ in FIRST_NAMES], first),
        "last": column([f for f, _ in LAST_NAMES], last),
        "first_ascii": column([a for _, a in FIRST_NAMES], first),
        "last_ascii": column([a for _, a in LAST_NAMES], last),
        "pattern": rng.integers(0, 5, n), "n2": rng.integers(1, 99, n), "n4": rng.integers(1960, 2006, n),
        "domain": column(EMAIL_DOMAINS, rng.choice(3, n, p=[0.7, 0.18, 0.12])),
        "street_no": rng.integers(2, 9800, n),
        "street": column(STREET_NAMES, rng.integers(0, len(STREET_NAMES), n)),
        "suffix": column(STREET_SUFFIXES, rng.integers(0, len(STREET_SUFFIXES), n)),
        "unit": column(UNITS, np.where(rng.uniform(0, 1, n) < 0.25, rng.integers(0, len(UNITS), n), -1)),
        "company": column(COMPANIES, np.where(rng.uniform(0, 1, n) < 0.04, rng.integers(0, len(COMPANIES), n), -1)),
        "state": column([s[0] for s in STATES], state),
        "state_name": column([s[1] for s in STATES], state),
        "state_rate": np.array([s[2] for s in STATES])[state],
        "city": column([c[1] for c in cities], city),
        "zip3": column([c[2] for c in cities], city),
        "area": column([c[3] for c in cities], city),
        "local_tax": column([c[4] for c in cities], city),
        "local_rate": np.array([c[5] for c in cities])[city],
        "zip2": rng.integers(1, 99, n),
        "line": rng.integers(100, 9999, n),
        "has_phone": rng.uniform(0, 1, n) < 0.4,
        "accepts_marketing": rng.uniform(0, 1, n) < 0.42,
        "vip": rng.uniform(0, 1, n) < 0.06,
    })
    f, l_ = pl.col("first_ascii"), pl.col("last_ascii")
    local = (
        pl.when(pl.col("pattern") <= 1).then(f + "." + l_)
        .when(pl.col("pattern") == 2).then(f + l_ + pl.col("n2").cast(pl.String))
        .when(pl.col("pattern") == 3).then(f.str.slice(0, 1) + l_)
        .otherwise(f + "_" + l_ + pl.col("n4").cast(pl.String))
    )
    frame = frame.with_columns(local.alias("local"))
    # Two customers never share an e-mail: later namesakes get a number.
    duplicate = ~(pl.col("local") + "@" + pl.col("domain")).is_first_distinct()
    email_local = pl.when(duplicate).then(pl.col("local") + pl.col("customer").cast(pl.String)).otherwise("local")
    return frame.with_columns(
        (email_local + "@" + pl.col("domain")).alias("email"),
        (pl.col("first") + " " + pl.col("last")).alias("name"),
        (pl.col("street_no").cast(pl.String) + " " + pl.col("street") + " " + pl.col("suffix")).alias("address1"),
        ("'" + pl.col("zip3") + pl.col("zip2").cast(pl.String).str.zfill(2)).alias("zip"),
        pl.when(pl.col("has_phone"))
        .then("+1" + pl.col("area") + "555" + pl.col("line").cast(pl.String).str.zfill(4))
        .alias("phone"),
    )


def _local_time(day: pl.Expr, seconds: pl.Expr) -> pl.Expr:
    """A store-local wall-clock time (day + seconds) as an aware datetime in the store zone."""
    naive = day.cast(pl.Datetime("us")) + pl.duration(seconds=seconds)
    return naive.dt.replace_time_zone(STORE_TZ, ambiguous="earliest")


def _shopify_time(ts: pl.Expr) -> pl.Expr:
    """`2026-11-24 19:46:45 -0500`."""
    return ts.dt.convert_time_zone(STORE_TZ).dt.strftime("%Y-%m-%d %H:%M:%S %z")


@dataclass(frozen=True)
class OrdersData:
    """Simulated store orders before formatting: one row per order, one per line item (in export order)."""

    orders: pl.DataFrame  # oldest first; row i is order #(1001 + i)
    lines: pl.DataFrame  # newest order first, line items in order
    customers: pl.DataFrame


def simulate_orders(rng: np.random.Generator, meta_value_by_day: np.ndarray) -> OrdersData:
    """Store orders that follow Meta's daily sales, with customers, discounts, taxes, refunds and cancellations.

    Args:
        rng: the generator all draws come from.
        meta_value_by_day: Meta-attributed purchase value per day of the period, USD.

    Returns:
        Orders (numbers, flags, customer indices, timestamps), line items in export order, and customers.
    """
    # Store revenue = the day's Meta-attributed sales + other channels (organic, email, search), which follow
    # Meta's trailing 7-day sales: a one-day Meta glitch only costs the store the Meta sales it loses.
    # Candidate orders are drawn per day and kept until the day's revenue reaches that target.
    trailing = np.array([meta_value_by_day[max(0, d - 7):max(d, 1)].mean() for d in range(N_DAYS)])
    target = (meta_value_by_day + (rng.uniform(*STORE_TO_META_RATIO, N_DAYS) - 1) * trailing) * 100
    candidates = np.ceil(1.5 * target / (NET_PER_ORDER * 100) + 10).astype(np.int64)
    day = np.repeat(np.arange(N_DAYS), candidates)
    n = len(day)
    repeat = rng.uniform(0, 1, n) < 0.25  # a quarter of orders come from a returning customer

    # Line items: 1-4 distinct products, quantities 1-3.
    n_lines = rng.choice(4, n, p=[0.50, 0.30, 0.14, 0.06]) + 1
    popularity = np.array([p[7] for p in PRODUCTS])
    first_product = rng.choice(len(PRODUCTS), n, p=popularity / popularity.sum())
    step = rng.integers(1, len(PRODUCTS), n)
    line_order = np.repeat(np.arange(n), n_lines)
    position = np.arange(len(line_order)) - (np.cumsum(n_lines) - n_lines)[line_order]
    products = (first_product[line_order] + position * step[line_order]) % len(PRODUCTS)
    catalog = _catalog()
    variant = _pick_variants(rng, catalog, products)
    quantity = rng.choice(3, len(line_order), p=[0.82, 0.14, 0.04]) + 1
    line_cents = catalog["price"][variant] * quantity
    gross = np.bincount(line_order, weights=line_cents, minlength=n).astype(np.int64)

    # Discount codes: the first eligible code an order uses wins.
    code = np.full(n, -1)
    for index, (_, _, first_day, last_day, who) in enumerate(DISCOUNTS):
        eligible = (code < 0) & (day >= first_day) & (day <= last_day)
        eligible &= {"new": ~repeat, "repeat": repeat, "all": np.ones(n, bool)}[who]
        code = np.where(eligible & (rng.uniform(0, 1, n) < DISCOUNT_USE[index]), index, code)
    percent = np.where(code >= 0, np.array([d[1] for d in DISCOUNTS])[np.maximum(code, 0)], 0.0)
    discount = np.round(gross * percent / 100).astype(np.int64)
    line_weights = np.zeros((n, 4))
    line_weights[line_order, position] = line_cents
    line_discount = split_exact(discount, line_weights)[line_order, position]
    subtotal = gross - discount
    express = rng.uniform(0, 1, n) < 0.07
    shipping = np.where(express, 1495, np.where(subtotal >= 7500, 0, 695))

    # Payment outcome; refunds need time, so recent orders are rarely refunded.
    settle = np.clip((N_DAYS - day) / 12, 0, 1)
    u = rng.uniform(0, 1, n)
    voided = u < 0.025
    cancelled_refund = (u >= 0.025) & (u < 0.04)
    refunded = cancelled_refund | ((u >= 0.04) & (u < 0.04 + 0.035 * settle))
    partial = (u >= 0.08) & (u < 0.08 + 0.045 * settle)
    refund_share = np.where(refunded, 1.0, np.where(partial, rng.uniform(0.15, 0.7, n), 0.0))
    # Revenue an order brings (before its customer's sales tax is known, at a typical 6.5%).
    revenue = np.where(voided | cancelled_refund, 0.0, (subtotal * 1.065 + shipping) * (1 - refund_share))
    day_start = np.concatenate([[0.0], np.cumsum(revenue)])[np.repeat(np.cumsum(candidates) - candidates, candidates)]
    keep = np.cumsum(revenue) - day_start - revenue / 2 < target[day]

    # Keep the chosen orders, then put them in time order.
    n = int(keep.sum())
    hour = rng.choice(24, n, p=ORDER_HOUR_WEIGHTS / ORDER_HOUR_WEIGHTS.sum())
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    in_time_order = np.lexsort((seconds, day[keep]))
    chosen, seconds = np.flatnonzero(keep)[in_time_order], seconds[in_time_order]
    rank = np.full(len(keep), -1)
    rank[chosen] = np.arange(n)
    line_keep = keep[line_order]
    line_order, position, variant, quantity, line_discount = (
        rank[line_order[line_keep]], position[line_keep], variant[line_keep], quantity[line_keep],
        line_discount[line_keep],
    )
    day, repeat, code, discount, subtotal, shipping, express = (
        day[chosen], repeat[chosen], code[chosen], discount[chosen], subtotal[chosen], shipping[chosen],
        express[chosen],
    )
    voided, cancelled_refund, refunded, partial, refund_share = (
        voided[chosen], cancelled_refund[chosen], refunded[chosen], partial[chosen], refund_share[chosen],
    )

    # Customers: ids 0..prior_pool-1 ordered before the period, then new customers in order of first purchase.
    new_so_far = np.cumsum(~repeat) - (~repeat)
    prior_pool = max(20, n // 60)
    customer = np.where(repeat, np.floor(rng.uniform(0, 1, n) * (new_so_far + prior_pool)).astype(np.int64),
                        prior_pool + new_so_far)
    customers = _customers(rng, prior_pool + int((~repeat).sum()))
    tax1 = np.round(subtotal * customers["state_rate"].to_numpy()[customer] / 100).astype(np.int64)
    tax2 = np.round(subtotal * customers["local_rate"].to_numpy()[customer] / 100).astype(np.int64)
    total = subtotal + shipping + tax1 + tax2
    method = _pick(SHIPPING_METHODS, np.where(express, 2, np.where(shipping == 0, 1, 0)))
    status = _pick(FINANCIAL_STATUSES, np.where(voided, 3, np.where(refunded, 2, np.where(partial, 1, 0))))
    cancelled = voided | cancelled_refund
    refund_cents = np.where(refunded, total, 0)
    refund_cents = np.where(partial, np.clip(np.round(total * refund_share), 1, total - 1), refund_cents)

    created = pl.DataFrame({"day": (np.datetime64(START) + day).astype("datetime64[D]"), "sec": seconds})
    fulfil_hours = rng.uniform(5, 60, n)
    cancel_hours = np.where(voided, rng.uniform(0.3, 20, n), rng.uniform(1, 40, n))
    times = created.select(_local_time(pl.col("day"), pl.col("sec")).alias("created")).with_columns(
        (pl.col("created") + pl.duration(seconds=pl.Series(rng.integers(2, 45, n)))).alias("paid"),
        (pl.col("created") + pl.duration(seconds=pl.Series(np.round(fulfil_hours * 3600).astype(np.int64))))
        .alias("fulfilled"),
        (pl.col("created") + pl.duration(seconds=pl.Series(np.round(cancel_hours * 3600).astype(np.int64))))
        .alias("cancelled"),
    )
    export_at = pl.lit(EXPORT_AT_LOCAL).dt.replace_time_zone(STORE_TZ)
    cancelled &= times.select(pl.col("cancelled") <= export_at).to_series().to_numpy() | voided
    fulfilled = ~cancelled & times.select(pl.col("fulfilled") <= export_at).to_series().to_numpy()

    note = np.where(rng.uniform(0, 1, n) < 0.03, rng.integers(0, len(NOTES), n), -1)
    note_attributes = np.where(rng.uniform(0, 1, n) < 0.04, rng.integers(0, len(NOTE_ATTRIBUTES), n), -1)
    risk_u = rng.uniform(0, 1, n)
    orders = pl.concat([
        pl.DataFrame({
            "name": np.arange(n, dtype=np.int64) + 1001,
            "order_id": 6_231_004_512_345 + np.cumsum(rng.integers(2_000_000, 9_000_000, n)),
            "checkout": 33_104_556_000_000 + np.cumsum(rng.integers(40_000, 400_000, n)),
            "customer": customer,
            "recipient": rng.integers(0, customers.height, n),
            "gift": rng.uniform(0, 1, n) < 0.06,
            "note": _pick(NOTES, note),
            "note_attributes": _pick(NOTE_ATTRIBUTES, note_attributes),
            "payment": _pick(PAYMENT_METHODS, rng.choice(len(PAYMENT_METHODS), n, p=PAYMENT_WEIGHTS)),
            "risk": _pick(RISK_LEVELS, np.where(risk_u < np.where(voided, 0.35, 0.01), 2,
                                                np.where(risk_u < np.where(voided, 0.6, 0.04), 1, 0))),
            "draft": rng.uniform(0, 1, n) < 0.015,
            "order_phone": customers["has_phone"].to_numpy()[customer] & (rng.uniform(0, 1, n) < 0.35),
            "vip": customers["vip"].to_numpy()[customer] & repeat,
            "subtotal": subtotal, "shipping": shipping, "tax1": tax1, "tax2": tax2, "total": total,
            "discount": discount, "refund": refund_cents.astype(np.int64),
            "code": _pick(tuple(d[0] for d in DISCOUNTS), code),
            "method": method, "status": status, "cancelled_flag": cancelled, "fulfilled_flag": fulfilled,
        }),
        times,
    ], how="horizontal")
    # Shopify lists the newest order first, its line items in their order.
    export = np.lexsort((position, -line_order))
    lines = pl.DataFrame({
        "order": line_order[export].astype(np.int64),
        "position": position[export].astype(np.int64),
        "quantity": quantity[export].astype(np.int64),
        "price": catalog["price"][variant[export]],
        "compare": catalog["compare"][variant[export]],
        "line_name": _pick(tuple(catalog["name"]), variant[export]),
        "sku": _pick(tuple(catalog["sku"]), variant[export]),
        "vendor": _pick(tuple(catalog["vendor"]), variant[export]),
        "line_discount": line_discount[export].astype(np.int64),
        "fulfilled_flag": fulfilled[line_order[export]],
    })
    return OrdersData(orders=orders, lines=lines, customers=customers)


def _pick(choices: tuple[str, ...], index: np.ndarray) -> pl.Series:
    """choices[index] as a String series, null where index is negative."""
    values = pl.Series(choices, dtype=pl.String).gather(pl.Series(np.where(index >= 0, index, 0).astype(np.uint32)))
    return pl.select(pl.when(pl.Series(index >= 0)).then(values)).to_series()


def _order_columns() -> dict[str, pl.Expr]:
    """The order-level export columns, over an orders frame joined with billing (`b_`) and recipient (`r_`)."""
    gift = pl.col("gift")
    ship = {part: pl.when(gift).then(pl.col(f"r_{part}")).otherwise(pl.col(f"b_{part}"))
            for part in ("name", "address1", "unit", "city", "zip", "state", "state_name", "phone")}
    ship["company"] = pl.when(gift).then(pl.lit(None, pl.String)).otherwise(pl.col("b_company"))
    status = pl.col("status")
    paid = status != "voided"
    reference = "c" + pl.col("checkout").cast(pl.String) + ".1"

    def street(address1: pl.Expr, unit: pl.Expr) -> pl.Expr:
        return pl.when(unit.is_not_null()).then(address1 + ", " + unit).otherwise(address1)

    tags = (
        pl.when(pl.col("draft")).then(pl.lit("wholesale, net-30"))
        .when(pl.col("vip") & gift).then(pl.lit("VIP, gift"))
        .when(pl.col("vip")).then(pl.lit("VIP"))
        .when(gift).then(pl.lit("gift"))
    )
    return {
        "Email": pl.col("b_email"),
        "Financial Status": status,
        "Paid at": pl.when(paid).then(_shopify_time(pl.col("paid"))),
        "Fulfillment Status": pl.when(pl.col("fulfilled_flag")).then(pl.lit("fulfilled"))
        .otherwise(pl.lit("unfulfilled")),
        "Fulfilled at": pl.when(pl.col("fulfilled_flag")).then(_shopify_time(pl.col("fulfilled"))),
        "Accepts Marketing": pl.when(pl.col("b_accepts_marketing")).then(pl.lit("yes")).otherwise(pl.lit("no")),
        "Currency": pl.lit("USD"),
        "Subtotal": _money(pl.col("subtotal")),
        "Shipping": _money(pl.col("shipping")),
        "Taxes": _money(pl.col("tax1") + pl.col("tax2")),
        "Total": _money(pl.col("total")),
        "Discount Code": pl.col("code"),
        "Discount Amount": _money(pl.col("discount")),
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
        "Refunded Amount": _money(pl.col("refund")),
        "Outstanding Balance": pl.lit("0.00"),
        "Id": pl.col("order_id").cast(pl.String),
        "Tags": tags,
        "Risk Level": pl.col("risk"),
        "Source": pl.when(pl.col("draft")).then(pl.lit("shopify_draft_order")).otherwise(pl.lit("web")),
        "Tax 1 Name": pl.when(pl.col("b_state_rate") > 0).then(
            pl.col("b_state") + " State Tax " + _decimal(pl.col("b_state_rate")) + "%"),
        "Tax 1 Value": pl.when(pl.col("b_state_rate") > 0).then(_money(pl.col("tax1"))),
        "Tax 2 Name": pl.when(pl.col("b_local_rate") > 0).then(
            pl.col("b_local_tax") + " " + _decimal(pl.col("b_local_rate")) + "%"),
        "Tax 2 Value": pl.when(pl.col("b_local_rate") > 0).then(_money(pl.col("tax2"))),
        "Phone": pl.when(pl.col("order_phone")).then(pl.col("b_phone")),
        "Billing Province Name": pl.col("b_state_name"),
        "Shipping Province Name": ship["state_name"],
        "Payment ID": pl.when(paid).then(reference),
        "Payment References": pl.when(paid).then(reference),
    }


LINE_COLUMNS: dict[str, pl.Expr] = {
    "Lineitem quantity": pl.col("quantity").cast(pl.String),
    "Lineitem name": pl.col("line_name"),
    "Lineitem price": _money(pl.col("price")),
    "Lineitem compare at price": pl.when(pl.col("compare") > 0).then(_money(pl.col("compare"))),
    "Lineitem sku": pl.col("sku"),
    "Lineitem requires shipping": pl.lit("true"),
    "Lineitem taxable": pl.lit("true"),
    "Lineitem fulfillment status": pl.when(pl.col("fulfilled_flag")).then(pl.lit("fulfilled"))
    .otherwise(pl.lit("pending")),
    "Vendor": pl.col("vendor"),
    "Lineitem discount": _money(pl.col("line_discount")),
}
BILLING_FIELDS = ("email", "name", "address1", "unit", "company", "city", "zip", "state", "state_name", "state_rate",
                  "local_tax", "local_rate", "phone", "accepts_marketing")
RECIPIENT_FIELDS = ("name", "address1", "unit", "city", "zip", "state", "state_name", "phone")


def shopify_export_rows(data: OrdersData, start: int = 0, stop: int | None = None) -> pl.DataFrame:
    """Rows [start, stop) of the Shopify orders export as text columns in `SHOPIFY_ORDERS_HEADER` order.

    Args:
        data: the simulated orders.
        start: first export row (0 = first line of the newest order).
        stop: end of the row range (default: the last row).

    Returns:
        One text row per line item; order-level columns filled on each order's first line only.
    """
    stop = data.lines.height if stop is None else min(stop, data.lines.height)
    lines = data.lines.slice(start, max(stop - start, 0))
    if lines.height == 0:
        return pl.DataFrame(schema={column: pl.String for column in SHOPIFY_ORDERS_HEADER})
    # Rows are newest order first, so the orders of a row range are one contiguous block.
    low, high = int(lines["order"].min()), int(lines["order"].max())
    orders = data.orders.slice(low, high - low + 1)
    orders = pl.concat([
        orders,
        data.customers[orders["customer"]].select(BILLING_FIELDS).rename(lambda c: f"b_{c}"),
        data.customers[orders["recipient"]].select(RECIPIENT_FIELDS).rename(lambda c: f"r_{c}"),
    ], how="horizontal")
    order_columns = _order_columns()
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
        elif column in LINE_COLUMNS:
            columns.append(LINE_COLUMNS[column].alias(column))
        else:
            columns.append(pl.lit(None, pl.String).alias(column))
    return lines.select(columns).with_columns(on_first_line.get_columns())


# --------------------------------------------------------------------------- entry points


def _write_csv(path: Path, parts: Iterable[pl.DataFrame], bom: bool) -> None:
    """Write text frames as one CSV (header from the first part), atomically."""
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        if bom:
            handle.write(codecs.BOM_UTF8)
        for index, part in enumerate(parts):
            part.write_csv(handle, include_header=index == 0, quote_style="necessary", line_terminator="\n")
    path.chmod(0o644)


def _row_chunks(rows: int, size: int = CHUNK_ROWS) -> list[tuple[int, int]]:
    """[start, stop) row ranges covering `rows` rows (one empty range when there are none)."""
    return [(start, min(start + size, rows)) for start in range(0, max(rows, 1), size)]


def write_sample(
    out_dir: Path, seed: int = 7, scale: float = 1.0, breakdowns: bool = True, orders_share: float = 1.0,
    story: str = "checkout_break",
) -> list[Path]:
    """Write the three sample exports into `out_dir`.

    Args:
        out_dir: folder to write into (created if missing).
        seed: seed of the one random generator every draw comes from.
        scale: multiplies ads, campaigns and orders (`round(scale)` account copies, at least 1).
        breakdowns: also write the age x gender file (the benchmark needs only ad-level rows and orders).
        orders_share: the store's orders as a share of the default, e.g. 0.2 for a fifth of the order lines.
        story: the last-day cause and segment winner planted: `checkout_break` (default) or `cpm_spike`.

    Returns:
        The paths of the Meta ad-level, Meta age x gender (when written) and Shopify orders files.
    """
    if story not in STORIES:
        raise ValueError(f"story must be one of {', '.join(STORIES)}, not {story!r}")
    rng = np.random.default_rng(seed)
    ads = _ads_table(rng, max(1, round(scale)))
    ad_days = simulate_ad_days(rng, ads, story)
    winner = CPM_SPIKE_SEGMENT_WINNER if story == "cpm_spike" else FEMALE_25_34_AD
    segments = simulate_age_gender(rng, ad_days, ads, winner) if breakdowns else None
    value_by_day = np.bincount(
        ad_days["day_index"].to_numpy(), weights=ad_days["value_cents"].to_numpy(), minlength=N_DAYS
    ) / 100
    orders = simulate_orders(rng, value_by_day * orders_share)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / META_AD_LEVEL_FILE]
    _write_csv(paths[0], (meta_ad_level_table(ad_days.slice(a, b - a)) for a, b in _row_chunks(ad_days.height)),
               bom=True)
    if segments is not None:
        paths.append(out_dir / META_AGE_GENDER_FILE)
        _write_csv(paths[-1], (age_gender_text(segments.slice(a, b - a)) for a, b in _row_chunks(segments.height)),
                   bom=True)
    paths.append(out_dir / ORDERS_FILE)
    _write_csv(paths[-1], (shopify_export_rows(orders, a, b) for a, b in _row_chunks(orders.lines.height)),
               bom=False)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m adlab.sample [--out data/sample] [--seed 7] [--scale 1.0]`."""
    parser = argparse.ArgumentParser(prog="python -m adlab.sample", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies ads, campaigns and orders")
    args = parser.parse_args(argv)
    for path in write_sample(args.out, seed=args.seed, scale=args.scale):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
