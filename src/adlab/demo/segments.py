"""The age x gender breakdown: segment rows that add up exactly to the ad-level rows, and their export.

Women 25-34 convert far better on one ad (`FEMALE_25_34_AD`, or `CPM_SPIKE_SEGMENT_WINNER` in the cpm_spike
story); other segments follow shared age and gender profiles.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from adlab.demo.account import AGES, FEMALE_25_34_AD, GENDERS, N_DAYS
from adlab.demo.ads import ATTRIBUTION
from adlab.demo.draws import lognormal, multinomial, split_exact
from adlab.demo.money import USD, Currency
from adlab.demo.text import count_or_empty, money, ratio

META_AGE_GENDER_FILE = "meta_ads_daily_age_gender.csv"

_HEADER_IN_USD: tuple[str, ...] = (
    "Campaign name",
    "Ad set name",
    "Ad name",
    "Day",
    "Age",
    "Gender",
    "Amount spent (USD)",
    "Impressions",
    "Reach",
    "Clicks (all)",
    "Link clicks",
    "Purchases",
    "Purchases conversion value",
    "Purchase ROAS (return on ad spend)",
    "Attribution setting",
    "Reporting starts",
    "Reporting ends",
)


def meta_age_gender_header(currency: str = "USD") -> tuple[str, ...]:
    """The age x gender export's header for an account billed in `currency`."""
    return tuple(name.replace("(USD)", f"({currency})") for name in _HEADER_IN_USD)


META_AGE_GENDER_HEADER = meta_age_gender_header()

# The breakdown covers the last 4 ISO weeks + 2 days: 6 weeks would not fit the sample's 5 MB budget.
BREAKDOWN_DAYS = 30

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
    get = {
        name: base[name].to_numpy()
        for name in ("impressions", "reach", "clicks", "link_clicks", "purchases", "spend_cents", "value_cents")
    }

    impressions = multinomial(rng, get["impressions"], profile["share"] * lognormal(rng, 0.10, (n, k)))
    spend_cents = split_exact(get["spend_cents"], impressions * profile["cpm"])
    link_clicks = multinomial(rng, get["link_clicks"], impressions * profile["ctr"])
    other_clicks = multinomial(rng, get["clicks"] - get["link_clicks"], impressions * profile["ctr"])
    purchases = multinomial(rng, get["purchases"], link_clicks * profile["cvr"])
    value_cents = split_exact(get["value_cents"], purchases * profile["aov"] * lognormal(rng, 0.15, (n, k)))
    # Every person falls in one segment: segment reach adds up to the ad's reach, at least 1 per segment shown.
    shown = (impressions > 0).astype(np.int64)
    spare = np.maximum(get["reach"] - shown.sum(axis=1), 0)
    reach = shown + split_exact(spare, np.maximum(impressions - shown, 0).astype(float))

    segments = {
        "spend_cents": spend_cents,
        "impressions": impressions,
        "reach": reach,
        "clicks": link_clicks + other_clicks,
        "link_clicks": link_clicks,
        "purchases": purchases,
        "value_cents": value_cents,
    }
    long = pl.DataFrame(
        {
            "row": np.repeat(np.arange(n, dtype=np.int64), k),
            "segment": np.tile(np.arange(k, dtype=np.int64), n),
            **{name: values.ravel().astype(np.int64) for name, values in segments.items()},
        }
    ).filter(pl.col("impressions") > 0)
    names = base.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
        "campaign",
        "adset",
        "ad",
        "day",
    )
    segment_names = pl.DataFrame(
        {
            "segment": np.arange(k, dtype=np.int64),
            "age": np.repeat(AGES, len(GENDERS)),
            "gender": np.tile(GENDERS, len(AGES)),
        }
    )
    long = long.join(names, on="row", how="left").join(segment_names, on="segment", how="left")
    return long.sort("row", "segment")


def age_gender_text(segments: pl.DataFrame, currency: Currency = USD) -> pl.DataFrame:
    """Age x Gender rows as the Ads Manager breakdown export's text columns, amounts in `currency`."""
    day = pl.col("day").dt.strftime("%Y-%m-%d")
    columns = {
        "Campaign name": pl.col("campaign"),
        "Ad set name": pl.col("adset"),
        "Ad name": pl.col("ad"),
        "Day": day,
        "Age": pl.col("age"),
        "Gender": pl.col("gender"),
        f"Amount spent ({currency.code})": money(pl.col("spend_cents"), currency.decimals),
        "Impressions": pl.col("impressions").cast(pl.String),
        "Reach": pl.col("reach").cast(pl.String),
        "Clicks (all)": pl.col("clicks").cast(pl.String),
        "Link clicks": count_or_empty(pl.col("link_clicks")),
        "Purchases": count_or_empty(pl.col("purchases")),
        "Purchases conversion value": pl.when(pl.col("value_cents") > 0).then(
            money(pl.col("value_cents"), currency.decimals)
        ),
        "Purchase ROAS (return on ad spend)": ratio(pl.col("value_cents"), pl.col("spend_cents")),
        "Attribution setting": pl.lit(ATTRIBUTION),
        "Reporting starts": day,
        "Reporting ends": day,
    }
    return segments.select([expr.alias(name) for name, expr in columns.items()])
