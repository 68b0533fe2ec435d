"""The demo account: its period, campaigns, ad sets and ads, and the stories planted in them.

`AD_SPECS` holds one row per ad of the account at scale 1 (its live days and typical daily budget, CPM, CTR,
CVR, AOV and frequency); `ads_table` turns it into the ads of every account copy at larger scales.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

START = dt.date(2026, 8, 31)
END = dt.date(2026, 11, 24)
N_DAYS = (END - START).days + 1

# The audience segments of the age x gender breakdown, age-major.
AGES: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS: tuple[str, ...] = ("female", "male", "unknown")

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


def period_day(text: str) -> int:
    """Index of an ISO date in the period (0 = 2026-08-31)."""
    return (dt.date.fromisoformat(text) - START).days


LAST = N_DAYS - 1
AD_SPECS: tuple[AdSpec, ...] = (
    AdSpec(PROSP_BROAD, WINNER_ADSET, WINNER_AD, 0, LAST, 430, 14.0, 1.60, 4.35, 104, 1.12, "winner"),
    AdSpec(PROSP_BROAD, WINNER_ADSET, "IMG_TOF_Linen Shirt Lifestyle", 0, LAST, 99, 12.0, 1.10, 1.7, 99, 1.08),
    AdSpec(
        PROSP_BROAD,
        WINNER_ADSET,
        "CAR_TOF_Fall Essentials Carousel",
        period_day("2026-09-21"),
        LAST,
        108,
        13.0,
        1.30,
        1.8,
        104,
        1.10,
    ),
    AdSpec(
        PROSP_BROAD,
        "Advantage+ Audience | US",
        "VID | Problem-Solution | 30s",
        0,
        period_day("2026-10-18"),
        169,
        15.0,
        1.20,
        2.05,
        102,
        1.10,
    ),
    AdSpec(
        PROSP_BROAD,
        "Advantage+ Audience | US",
        "VID | Customer-Review | 20s",
        period_day("2026-10-05"),
        LAST,
        136,
        16.0,
        1.40,
        2.0,
        106,
        1.10,
    ),
    AdSpec(
        PROSP_BROAD,
        "Advantage+ Audience | US",
        "IMG_TOF_Merino Knit Studio",
        period_day("2026-09-10"),
        period_day("2026-11-01"),
        70,
        13.0,
        0.90,
        1.67,
        99,
        1.06,
    ),
    AdSpec(
        PROSP_BROAD,
        "Advantage+ Audience | US",
        "VID | UGC-Unboxing | 30s",
        0,
        period_day("2026-10-11"),
        80,
        15.0,
        1.30,
        1.7,
        104,
        1.10,
    ),
    AdSpec(
        PROSP_LAL,
        FEMALE_25_34_ADSET,
        FEMALE_25_34_AD,
        period_day("2026-09-14"),
        LAST,
        127,
        16.0,
        1.50,
        2.42,
        106,
        1.15,
        "female_25_34",
    ),
    AdSpec(
        PROSP_LAL,
        FEMALE_25_34_ADSET,
        "IMG_MOF_Linen Dress Model",
        0,
        period_day("2026-10-25"),
        100,
        15.0,
        1.20,
        1.86,
        102,
        1.12,
    ),
    AdSpec(
        PROSP_LAL,
        "LAL 3% | Add to Cart 90d",
        "VID | Behind-The-Seams | 30s",
        0,
        period_day("2026-10-25"),
        85,
        14.0,
        1.00,
        1.77,
        99,
        1.10,
    ),
    AdSpec(
        PROSP_LAL,
        "LAL 3% | Add to Cart 90d",
        "CAR_MOF_New Arrivals Carousel",
        period_day("2026-09-28"),
        LAST,
        85,
        14.0,
        1.30,
        1.95,
        104,
        1.10,
    ),
    AdSpec(
        PROSP_LAL, BURNING_ADSET, BURNING_AD, period_day("2026-10-26"), LAST, 36, 18.0, 0.90, 0.4, 90, 1.15, "burning"
    ),
    AdSpec(
        PROSP_LAL,
        BURNING_ADSET,
        "VID | Street-Interview | 15s",
        period_day("2026-10-10"),
        LAST,
        61,
        15.0,
        1.10,
        1.86,
        102,
        1.10,
    ),
    AdSpec(
        RETARGETING,
        FATIGUE_ADSET,
        FATIGUE_AD,
        period_day("2026-10-19"),
        LAST,
        85,
        22.0,
        2.20,
        3.1,
        104,
        1.20,
        "fatigue",
    ),
    AdSpec(RETARGETING, FATIGUE_ADSET, "IMG_BOF_Bestseller Reviews", 0, LAST, 56, 20.0, 1.60, 2.85, 102, 1.45),
    AdSpec(
        RETARGETING, "RT | Added to Cart 7d", "CAR_BOF_Cart Reminder Dynamic", 0, LAST, 52, 25.0, 2.00, 3.45, 106, 1.60
    ),
    AdSpec(
        RETARGETING,
        "RT | Added to Cart 7d",
        "IMG_BOF_Free Shipping Over 75",
        period_day("2026-09-30"),
        LAST,
        36,
        24.0,
        1.70,
        3.0,
        97,
        1.55,
    ),
    AdSpec(
        RETARGETING,
        "RT | IG & FB Engagers 60d",
        "VID | Styling-Tips | 9s",
        0,
        period_day("2026-10-30"),
        39,
        18.0,
        1.30,
        2.0,
        99,
        1.30,
    ),
    AdSpec(
        RETARGETING,
        "RT | IG & FB Engagers 60d",
        "IMG_MOF_Gift Guide Under 100",
        period_day("2026-11-02"),
        LAST,
        47,
        19.0,
        1.40,
        2.15,
        93,
        1.30,
    ),
    AdSpec(
        SUMMER_SALE_CAMPAIGN,
        SUMMER_SALE_ADSET,
        "IMG_BOF_Summer Sale 30% Off",
        0,
        period_day("2026-10-25"),
        165,
        17.0,
        1.10,
        1.4,
        65,
        1.20,
    ),
    AdSpec(
        SUMMER_SALE_CAMPAIGN,
        SUMMER_SALE_ADSET,
        "VID | Promo-Countdown | 6s",
        0,
        period_day("2026-10-25"),
        140,
        16.0,
        0.90,
        1.49,
        67,
        1.20,
    ),
    AdSpec(
        SUMMER_SALE_CAMPAIGN,
        SUMMER_SALE_ADSET,
        "CAR_MOF_Summer Sale Best Sellers",
        0,
        period_day("2026-10-04"),
        110,
        17.0,
        1.20,
        1.67,
        69,
        1.20,
    ),
    AdSpec(
        SUMMER_SALE_CAMPAIGN,
        "Sale | Past Purchasers 180d",
        "IMG_BOF_Last Chance Markdowns",
        0,
        period_day("2026-10-25"),
        39,
        21.0,
        1.50,
        2.7,
        82,
        1.35,
    ),
)


def ads_table(rng: np.random.Generator, replicas: int) -> pl.DataFrame:
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
            rows.append(
                {
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
                }
            )
    return pl.DataFrame(rows)
