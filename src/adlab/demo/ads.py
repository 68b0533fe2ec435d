"""Meta ad-level delivery: each ad's daily spend, impressions, funnel and video plays, and the Ads Manager export.

`simulate_ad_days` plants the winner, the burning ad, the fatiguing creative and the last-day story
(checkout break or CPM spike), plus any day-by-day effects of a portfolio account's story (`DayEffects`);
`meta_ad_level_table` writes its rows as Ads Manager's ad-level daily export, in the account's currency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from adlab.demo.account import CHECKOUT_PROBLEM_DAY, CPM_SPIKE, N_DAYS, START, period_day
from adlab.demo.draws import binomial, lognormal
from adlab.demo.money import USD, Currency
from adlab.demo.text import count_or_empty, money, ratio

META_AD_LEVEL_FILE = "meta_ads_daily_ad_level.csv"

_HEADER_IN_USD: tuple[str, ...] = (
    "Campaign name",
    "Ad set name",
    "Ad name",
    "Day",
    "Campaign ID",
    "Ad set ID",
    "Ad ID",
    "Delivery status",
    "Delivery level",
    "Objective",
    "Attribution setting",
    "Result type",
    "Results",
    "Cost per result",
    "Amount spent (USD)",
    "Impressions",
    "Reach",
    "Frequency",
    "CPM (cost per 1,000 impressions) (USD)",
    "Clicks (all)",
    "CTR (all)",
    "Link clicks",
    "CTR (link click-through rate)",
    "CPC (cost per link click) (USD)",
    "Landing page views",
    "Adds to cart",
    "Checkouts initiated",
    "Purchases",
    "Purchases conversion value",
    "Cost per purchase (USD)",
    "Purchase ROAS (return on ad spend)",
    "3-second video plays",
    "ThruPlays",
    "Video plays at 25%",
    "Video plays at 50%",
    "Video plays at 75%",
    "Video plays at 100%",
    "Reporting starts",
    "Reporting ends",
)


def meta_ad_level_header(currency: str = "USD") -> tuple[str, ...]:
    """The ad-level export's header for an account billed in `currency` (`Amount spent (EUR)`, ...)."""
    return tuple(name.replace("(USD)", f"({currency})") for name in _HEADER_IN_USD)


META_AD_LEVEL_HEADER = meta_ad_level_header()

ATTRIBUTION = "7-day click or 1-day view"
OBJECTIVE = "OUTCOME_SALES"
RESULT_TYPE = "Website purchases"

# Weekday patterns (Mon..Sun) of spend and conversion rate.
SPEND_WEEKDAY = np.array([1.00, 1.00, 0.98, 0.99, 1.02, 1.03, 1.00])
CVR_WEEKDAY = np.array([1.00, 1.02, 1.00, 0.99, 0.97, 0.95, 1.03])


Q4_CPM_RISE = 0.20  # CPMs are this much higher on the last day than before late October


def q4_ramp(day: np.ndarray) -> np.ndarray:
    """Per period day: 0 until 2026-10-26, then rising evenly to 1 on the last day (Q4 ahead of Black Friday)."""
    ramp: np.ndarray = np.clip((day - period_day("2026-10-26")) / 29, 0, 1)
    return ramp


def _no_effect() -> np.ndarray:
    return np.ones(N_DAYS)


@dataclass(frozen=True)
class DayEffects:
    """Multipliers a story puts on every ad of an account, one per day of the period (1: no effect)."""

    spend: np.ndarray = field(default_factory=_no_effect)  # budgets
    cpm: np.ndarray = field(default_factory=_no_effect)  # cost per 1,000 impressions
    cvr: np.ndarray = field(default_factory=_no_effect)  # purchases per link click


def simulate_ad_days(
    rng: np.random.Generator,
    ads: pl.DataFrame,
    last_day_story: str | None = "checkout_break",
    effects: DayEffects | None = None,
    currency: Currency = USD,
) -> pl.DataFrame:
    """Daily delivery and results of every ad on its live days (rows with impressions only).

    Args:
        rng: the generator all draws come from, in a fixed order.
        ads: the table from `ads_table` (budgets, CPMs and order values in `currency`).
        last_day_story: `checkout_break`, `cpm_spike` or None (no last-day event).
        effects: day-by-day multipliers of a portfolio account's story.
        currency: the account's currency; spend and value are counted in its minor units.

    Returns:
        One row per (ad, day) with integer metrics (spend and value in minor units: cents, or whole yen).
    """
    effects = effects or DayEffects()
    minor = currency.minor
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
    budget = (1.0 + 0.18 * q4_ramp(day)) * effects.spend
    season_cpm = (1.0 + Q4_CPM_RISE * q4_ramp(day)) * effects.cpm
    # A newly launched ad spends less while it exits the learning phase.
    learning = np.where((col["start"][:, None] > 0) & (age < 3), 0.55 + 0.15 * np.maximum(age, 0), 1.0)
    sigma = col["noise"][:, None]

    spend = col["spend"][:, None] * budget * SPEND_WEEKDAY[weekday] * learning * lognormal(rng, sigma, shape)
    spend_cents = np.where(live, np.round(spend * minor), 0).astype(np.int64)
    cpm = col["cpm"][:, None] * season_cpm * lognormal(rng, 0.05, shape)
    last_day = day[None, :] == (CHECKOUT_PROBLEM_DAY - START).days
    if last_day_story == "cpm_spike":
        cpm = np.where(last_day, cpm * CPM_SPIKE, cpm)
    impressions = np.round(spend_cents / minor / cpm * 1000).astype(np.int64)
    # Fatigue: the same small audience sees the creative ever more often and clicks ever less.
    weeks_live = np.clip(age, 0, None) / 7
    frequency = np.where(fatigue, 1.2 + 1.3 * np.clip(weeks_live / 5, 0, 1.05), col["frequency"][:, None])
    frequency = np.maximum(1.0, frequency * lognormal(rng, 0.03, shape))
    reach = np.minimum(impressions, np.round(impressions / frequency)).astype(np.int64)
    ctr = col["ctr"][:, None] * lognormal(rng, 0.06, shape) * np.where(fatigue, 0.5 ** (weeks_live / 4.3), 1.0)
    link_clicks = binomial(rng, impressions, ctr)
    clicks = link_clicks + binomial(rng, impressions, ctr * col["other_click_ratio"][:, None])
    landing_page_views = binomial(rng, link_clicks, col["lpv_rate"][:, None])
    # Funnel: checkouts per landing page view, then the share of checkouts that complete.
    completion = np.full(shape, 0.62)
    broken = col["checkout_problem"][:, None] & last_day & (last_day_story == "checkout_break")
    completion = np.where(broken, 0.62 * 0.1, completion)
    completion = np.where(story == "burning", 0.0, completion)
    cvr = (
        col["cvr"][:, None]
        * (CVR_WEEKDAY[weekday] * effects.cvr)
        * lognormal(rng, np.where(story == "winner", 0.05, 0.08), shape)
    )
    checkouts = binomial(rng, landing_page_views, cvr / (col["lpv_rate"][:, None] * 0.62))
    purchases = binomial(rng, checkouts, completion)
    adds_to_cart = checkouts + binomial(rng, landing_page_views - checkouts, 0.07)
    aov = col["aov"][:, None] * lognormal(rng, 0.03, shape)
    value = rng.gamma(np.maximum(purchases, 1) * 20.0, aov / 20.0) * (purchases > 0)
    value_cents = np.round(value * minor).astype(np.int64)

    is_video = col["is_video"][:, None]
    seconds = col["video_seconds"][:, None]
    hook = col["hook"][:, None] * np.where(fatigue, 0.75 ** (weeks_live / 5), 1.0) * lognormal(rng, 0.05, shape)
    plays_3s = binomial(rng, impressions * is_video, hook)
    hold = np.where(seconds <= 9, 0.90, np.where(seconds <= 15, 0.80, np.where(seconds <= 20, 0.74, 0.66)))
    p25 = binomial(rng, plays_3s, 0.95 * hold)
    p50 = binomial(rng, p25, hold)
    p75 = binomial(rng, p50, hold)
    p100 = binomial(rng, p75, hold + 0.05)
    # ThruPlay = watched to the end or for 15 seconds, whichever comes first.
    thruplays = np.where(seconds <= 15, p100, np.where(seconds <= 20, p75, p50))

    keep = live & (impressions > 0)
    a_idx, d_idx = np.nonzero(keep)
    metrics = {
        "spend_cents": spend_cents,
        "impressions": impressions,
        "reach": reach,
        "clicks": clicks,
        "link_clicks": link_clicks,
        "landing_page_views": landing_page_views,
        "adds_to_cart": adds_to_cart,
        "checkouts": checkouts,
        "purchases": purchases,
        "value_cents": value_cents,
        "video_3s": plays_3s,
        "thruplays": thruplays,
        "p25": p25,
        "p50": p50,
        "p75": p75,
        "p100": p100,
    }
    frame = pl.DataFrame(
        {
            "ad_index": a_idx.astype(np.int64),
            "day_index": d_idx.astype(np.int64),
            **{name: values[a_idx, d_idx].astype(np.int64) for name, values in metrics.items()},
        }
    )
    return (
        frame.with_columns(
            (pl.lit(START) + pl.duration(days=pl.col("day_index"))).alias("day"),
        )
        .join(
            ads.select(
                pl.int_range(pl.len(), dtype=pl.Int64).alias("ad_index"),
                "campaign",
                "adset",
                "ad",
                "campaign_id",
                "adset_id",
                "ad_id",
                "status",
                "is_video",
            ),
            on="ad_index",
            how="left",
        )
        .sort("day_index", "campaign", "adset", "ad", "ad_index")
    )


def meta_ad_level_table(ad_days: pl.DataFrame, currency: Currency = USD) -> pl.DataFrame:
    """The Ads Manager ad-level daily export as text columns, in `meta_ad_level_header(currency)` order."""
    spend = pl.col("spend_cents") / currency.minor
    code, decimals = currency.code, currency.decimals
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
        "Results": count_or_empty(pl.col("purchases")),
        "Cost per result": ratio(spend, pl.col("purchases")),
        f"Amount spent ({code})": money(pl.col("spend_cents"), decimals),
        "Impressions": pl.col("impressions").cast(pl.String),
        "Reach": pl.col("reach").cast(pl.String),
        "Frequency": ratio(pl.col("impressions"), pl.col("reach")),
        f"CPM (cost per 1,000 impressions) ({code})": ratio(spend, pl.col("impressions"), 1000.0),
        "Clicks (all)": pl.col("clicks").cast(pl.String),
        "CTR (all)": ratio(pl.col("clicks"), pl.col("impressions"), 100.0),
        "Link clicks": count_or_empty(pl.col("link_clicks")),
        "CTR (link click-through rate)": ratio(pl.col("link_clicks"), pl.col("impressions"), 100.0),
        f"CPC (cost per link click) ({code})": ratio(spend, pl.col("link_clicks")),
        "Landing page views": count_or_empty(pl.col("landing_page_views")),
        "Adds to cart": count_or_empty(pl.col("adds_to_cart")),
        "Checkouts initiated": count_or_empty(pl.col("checkouts")),
        "Purchases": count_or_empty(pl.col("purchases")),
        "Purchases conversion value": pl.when(pl.col("value_cents") > 0).then(money(pl.col("value_cents"), decimals)),
        f"Cost per purchase ({code})": ratio(spend, pl.col("purchases")),
        "Purchase ROAS (return on ad spend)": ratio(pl.col("value_cents"), pl.col("spend_cents")),
        "3-second video plays": pl.when(video).then(count_or_empty(pl.col("video_3s"))),
        "ThruPlays": pl.when(video).then(count_or_empty(pl.col("thruplays"))),
        "Video plays at 25%": pl.when(video).then(count_or_empty(pl.col("p25"))),
        "Video plays at 50%": pl.when(video).then(count_or_empty(pl.col("p50"))),
        "Video plays at 75%": pl.when(video).then(count_or_empty(pl.col("p75"))),
        "Video plays at 100%": pl.when(video).then(count_or_empty(pl.col("p100"))),
        "Reporting starts": day,
        "Reporting ends": day,
    }
    return ad_days.select([expr.alias(name) for name, expr in columns.items()])
