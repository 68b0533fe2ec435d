"""A portfolio of demo shops for an agency: N accounts, each with its own name, currency, size and story.

`python -m adlab.demo --accounts N --out DIR` writes each account into `DIR/<account name>/` with the same
three exports the single demo store has (Meta ad level, Meta age x gender, Shopify orders), so the pipeline
reads every folder as one account. Every account runs the demo store's campaigns, ad sets and ads under
the very same names (agencies reuse their naming templates: the same name in two accounts stays two
things), with its own IDs, budgets, currency and size:

* name: a readable shop name (`Nordic Knitwear`), drawn from the seed;
* currency: the accounts take `PORTFOLIO_CURRENCIES` in a seeded order (JPY amounts have no decimals);
  the Meta headers carry it (`Amount spent (EUR)`) and so does the orders' `Currency` column;
* size: ad-level rows, log-uniform over a 10x range, summing to about `rows` (more rows: more ads);
  daily spend 2,500-5,000 USD worth, so a steady account's weekly ROAS moves only a few percent.

Stories, by the account's position in the plan (its name is drawn, so the folders do not give it away):

* `drop` (every 5th account, the first included): from Monday 2026-11-16 the conversion rate falls to
  `DROP_CVR` of normal while spend holds, so the latest complete week (2026-W47) has about 55% less ROAS
  than the week before (2026-W46); the store's orders fall with Meta's sales.
* `scaling` (accounts 2, 12, 22, ...): budgets x1.35 in W46 and x1.9 from W47, CPMs rising a little with
  them: spend up about 40% on the week, ROAS about 5% lower.
* `tracking_break` (accounts 3, 13, 23, ...): from Sunday 2026-11-22 Meta records no purchases while
  clicks, landing page views and checkouts hold; the store keeps selling (its orders hold).
* `steady`: everything else; the latest complete week is within a few percent of the week before.

The planted ad-level stories of the demo store (winner, burning ad, fatigue, losing promo, women 25-34)
are in every account; its last-day checkout break is not. `write_accounts` returns the truth: per account
its currency, rows, story and the ROAS of both weeks, summed from the very cents written.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import shutil
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from adlab.demo.account import FEMALE_25_34_AD, N_DAYS, START, ads_table, period_day
from adlab.demo.ads import (
    META_AD_LEVEL_FILE,
    Q4_CPM_RISE,
    DayEffects,
    meta_ad_level_table,
    q4_ramp,
    simulate_ad_days,
)
from adlab.demo.money import PORTFOLIO_CURRENCIES, Currency
from adlab.demo.orders import simulate_orders
from adlab.demo.segments import META_AGE_GENDER_FILE, age_gender_text, simulate_age_gender
from adlab.demo.shopify import ORDERS_FILE, shopify_export_rows
from adlab.demo.write import row_chunks, write_csv
from adlab.errors import AdlabError
from adlab.io import list_exports

STEADY, DROP, SCALING, TRACKING_BREAK = "steady", "drop", "scaling", "tracking_break"
# The latest complete ISO week of the period (it ends on Tuesday 2026-11-24) and the week before it.
LATEST_WEEK, WEEK_BEFORE = "2026-W47", "2026-W46"
LATEST_WEEK_START, WEEK_BEFORE_START = period_day("2026-11-16"), period_day("2026-11-09")
DROP_CVR = 0.45  # the drop story's conversion rate, as a share of normal, from the latest complete week on
# The scaling story's budget multipliers in the week before and from the latest complete week on.
SCALING_BUDGET_BEFORE, SCALING_BUDGET_LATEST = 1.35, 1.9
SCALING_CPM_ELASTICITY = 0.15  # CPM grows as budget ** this: reaching more people costs a little more each
TRACKING_BREAK_FROM = period_day("2026-11-22")
ROWS_PER_ACCOUNT = 1300  # the default size of an account (about the demo store's 1,302 ad-level rows)
SIZE_RANGE = 10.0  # the largest account may be this many times the smallest
# Daily spend of an account, USD worth, log-uniform in this range whatever its size in rows: enough
# purchases a week (500-1,000) for a steady account's weekly ROAS to move only a few percent.
BUDGET_USD = (2500.0, 5000.0)
MARKER = ".adlab-demo-account"  # a hidden file in each account folder (the pipeline skips hidden files)

SHOP_WORDS = (
    "Nordic",
    "Coastal",
    "Alpine",
    "Urban",
    "Golden",
    "Little",
    "Wild",
    "Bright",
    "Honest",
    "Humble",
    "Silver",
    "Maple",
    "Cedar",
    "Harbor",
    "Meadow",
    "Willow",
    "Copper",
    "Velvet",
    "Sunny",
    "Misty",
    "Oak",
    "River",
    "Stone",
    "Cloud",
    "Lunar",
    "Saffron",
    "Indigo",
    "Juniper",
    "Fern",
    "Ember",
    "Atlas",
    "Pebble",
    "Kestrel",
    "Linden",
    "Birch",
    "Tidal",
    "Summit",
    "Prairie",
    "Orchard",
    "Northern",
)
SHOP_TRADES = (
    "Knitwear",
    "Candles",
    "Coffee",
    "Ceramics",
    "Outfitters",
    "Apothecary",
    "Pet Supply",
    "Bakeware",
    "Tea House",
    "Skincare",
    "Jewelry",
    "Home Goods",
    "Footwear",
    "Bike Co",
    "Toys",
    "Stationery",
    "Kitchen",
    "Garden",
    "Swimwear",
    "Denim",
    "Leather",
    "Yoga",
    "Pantry",
    "Optics",
    "Books",
    "Supply Co",
    "Linens",
    "Botanicals",
    "Wool",
    "Audio",
    "Watches",
    "Goods",
    "Threads",
    "Soap Co",
    "Provisions",
    "Atelier",
    "Studio",
    "Trading Co",
    "Cycles",
    "Lighting",
)


@dataclass(frozen=True)
class AccountPlan:
    """One account of the portfolio before it is simulated."""

    index: int  # position in the plan; with the seed, it seeds the account's own generator
    name: str
    currency: Currency
    rows: int  # ad-level rows aimed at
    story: str


@dataclass(frozen=True)
class AccountTruth:
    """What one generated account holds: its currency, size and story, and its latest two complete weeks.

    Weekly sums are of the ad-level export, in the account's currency; changes are latest / before - 1.
    """

    folder: str  # the account's folder under the output folder: its name
    currency: str
    rows: int  # ad-level rows written
    ads: int
    order_lines: int
    story: str
    latest_complete_week: str
    week_before: str
    planted_roas_change: float  # what the story plants on ROAS
    planted_spend_change: float
    spend_week_before: float
    spend_latest_week: float
    purchase_value_week_before: float
    purchase_value_latest_week: float
    roas_week_before: float
    roas_latest_week: float
    roas_change: float
    spend_change: float
    tracking_break_from: str | None  # first day Meta records no purchase (tracking_break only)


def story_of(index: int) -> str:
    """The story of the account at `index` in the plan."""
    if index % 5 == 0:
        return DROP
    return {2: SCALING, 3: TRACKING_BREAK}.get(index % 10, STEADY)


def shop_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct readable shop names; past the word pairs, names repeat with a number (`Oak Toys 2`)."""
    pairs = len(SHOP_WORDS) * len(SHOP_TRADES)
    order = rng.permutation(pairs)
    names = []
    for index in range(n):
        pair = int(order[index % pairs])
        name = f"{SHOP_WORDS[pair // len(SHOP_TRADES)]} {SHOP_TRADES[pair % len(SHOP_TRADES)]}"
        names.append(name if index < pairs else f"{name} {index // pairs + 1}")
    return names


def plan_accounts(n: int, rows: int | None = None, seed: int = 7) -> list[AccountPlan]:
    """The portfolio's accounts: names, currencies, sizes and stories, all from the seed.

    Args:
        n: number of accounts (at least 1).
        rows: ad-level rows of all accounts together, about (default `ROWS_PER_ACCOUNT` per account).
        seed: the seed of the portfolio; the first accounts of a larger portfolio are the same shops.
    """
    if n < 1:
        raise AdlabError(f"--accounts must be at least 1, not {n}.")
    total = ROWS_PER_ACCOUNT * n if rows is None else rows
    if total < 1:
        raise AdlabError(f"--rows must be at least 1, not {total}.")
    rng = np.random.default_rng(seed)
    names = shop_names(rng, n)
    currencies = [PORTFOLIO_CURRENCIES[i] for i in rng.permutation(len(PORTFOLIO_CURRENCIES))]
    weight = SIZE_RANGE ** rng.uniform(0.0, 1.0, n)
    sizes = np.maximum(np.round(total * weight / weight.sum()), 1).astype(np.int64)
    return [AccountPlan(i, names[i], currencies[i % len(currencies)], int(sizes[i]), story_of(i)) for i in range(n)]


def story_effects(story: str) -> DayEffects:
    """The day-by-day budget, CPM and conversion-rate multipliers of a story.

    In every story shoppers convert better ahead of Black Friday, as much as Q4 CPMs rise, so a steady
    account's ROAS holds from week to week (the single demo store's ROAS drifts down instead).
    """
    day = np.arange(N_DAYS)
    latest, before = day >= LATEST_WEEK_START, day >= WEEK_BEFORE_START
    season = 1.0 + Q4_CPM_RISE * q4_ramp(day)
    if story == DROP:
        return DayEffects(cvr=season * np.where(latest, DROP_CVR, 1.0))
    if story == SCALING:
        budget = np.select([latest, before], [SCALING_BUDGET_LATEST, SCALING_BUDGET_BEFORE], 1.0)
        return DayEffects(spend=budget, cpm=budget**SCALING_CPM_ELASTICITY, cvr=season)
    return DayEffects(cvr=season)


def planted_changes(story: str) -> tuple[float, float]:
    """The (ROAS, spend) change on the week before that a story plants in the latest complete week."""
    if story == DROP:
        return DROP_CVR - 1, 0.0
    if story == SCALING:
        budget = SCALING_BUDGET_LATEST / SCALING_BUDGET_BEFORE
        return budget**-SCALING_CPM_ELASTICITY - 1, budget - 1
    if story == TRACKING_BREAK:
        # Sales of the days from the break on go unrecorded: one of the latest week's seven days.
        return -(LATEST_WEEK_START + 7 - TRACKING_BREAK_FROM) / 7, 0.0
    return 0.0, 0.0


def account_ads(rng: np.random.Generator, plan: AccountPlan) -> pl.DataFrame:
    """The account's ads: the demo store's, copied or cut to about `plan.rows` ad-days, priced in its currency.

    Budgets are scaled so the account spends its daily budget (`BUDGET_USD`) over the latest two complete
    weeks; CPMs and order values are the demo store's at the rough rate.
    """
    ads = ads_table(rng, max(1, math.ceil(plan.rows / 1000)))
    live_days = (ads["end"] - ads["start"] + 1).to_numpy()
    ads = ads.filter(pl.Series(np.cumsum(live_days) - live_days < plan.rows))
    day = np.arange(WEEK_BEFORE_START, LATEST_WEEK_START + 7)
    live = (day[None, :] >= ads["start"].to_numpy()[:, None]) & (day[None, :] <= ads["end"].to_numpy()[:, None])
    daily = float((ads["spend"].to_numpy()[:, None] * live).sum()) / len(day)
    low, high = BUDGET_USD
    budget_usd = low * (high / low) ** rng.uniform(0.0, 1.0)
    rate = plan.currency.per_usd
    return ads.with_columns(
        (pl.col("spend") * (budget_usd * rate / daily)).alias("spend"),
        (pl.col("cpm") * rate).alias("cpm"),
        (pl.col("aov") * rate).alias("aov"),
    )


def _week_sums(ad_days: pl.DataFrame, start: int) -> tuple[int, int]:
    """Spend and purchase value (minor units) of the seven days from period day `start`."""
    week = ad_days.filter(pl.col("day_index").is_between(start, start + 6))
    return int(week["spend_cents"].sum()), int(week["value_cents"].sum())


def write_account(
    folder: Path, plan: AccountPlan, seed: int, breakdowns: bool = True, orders_share: float = 1.0
) -> AccountTruth:
    """Write one account's exports into `folder`; its truth (currency, rows, story, weekly ROAS).

    Args:
        folder: the account's folder (`<out>/<account name>`), created if missing.
        plan: the account.
        seed: the portfolio's seed; the account's generator is seeded with (seed, plan.index).
        breakdowns: also write the age x gender file.
        orders_share: the store's orders as a share of the default (the benchmark writes fewer).
    """
    rng = np.random.default_rng([seed, plan.index])
    currency = plan.currency
    ads = account_ads(rng, plan)
    ad_days = simulate_ad_days(rng, ads, None, story_effects(plan.story), currency)
    # The store sells what the ads really sold, whether or not Meta's pixel recorded it.
    value_by_day = (
        np.bincount(ad_days["day_index"].to_numpy(), weights=ad_days["value_cents"].to_numpy(), minlength=N_DAYS)
        / currency.minor
    )
    if plan.story == TRACKING_BREAK:
        lost = pl.col("day_index") >= TRACKING_BREAK_FROM
        ad_days = ad_days.with_columns(
            pl.when(lost).then(0).otherwise(pl.col(name)).alias(name) for name in ("purchases", "value_cents")
        )
    segments = simulate_age_gender(rng, ad_days, ads, FEMALE_25_34_AD) if breakdowns else None
    orders = simulate_orders(rng, value_by_day * orders_share, currency)

    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        "Written by `python -m adlab.demo --accounts`; rewritten or removed by its next run.\n"
    )
    write_csv(
        folder / META_AD_LEVEL_FILE,
        (meta_ad_level_table(ad_days.slice(a, b - a), currency) for a, b in row_chunks(ad_days.height)),
        bom=True,
    )
    if segments is not None:
        write_csv(
            folder / META_AGE_GENDER_FILE,
            (age_gender_text(segments.slice(a, b - a), currency) for a, b in row_chunks(segments.height)),
            bom=True,
        )
    write_csv(
        folder / ORDERS_FILE,
        (shopify_export_rows(orders, a, b, currency) for a, b in row_chunks(orders.lines.height)),
        bom=False,
    )
    return _truth(plan, ad_days, ads.height, orders.lines.height)


def _truth(plan: AccountPlan, ad_days: pl.DataFrame, ads: int, order_lines: int) -> AccountTruth:
    """What was planted in an account and what its latest complete week shows, from the amounts written."""
    minor, decimals = plan.currency.minor, plan.currency.decimals
    spend_before, value_before = _week_sums(ad_days, WEEK_BEFORE_START)
    spend_latest, value_latest = _week_sums(ad_days, LATEST_WEEK_START)
    roas_before, roas_latest = value_before / spend_before, value_latest / spend_latest
    planted_roas, planted_spend = planted_changes(plan.story)
    broken = plan.story == TRACKING_BREAK
    return AccountTruth(
        folder=plan.name,
        currency=plan.currency.code,
        rows=ad_days.height,
        ads=ads,
        order_lines=order_lines,
        story=plan.story,
        latest_complete_week=LATEST_WEEK,
        week_before=WEEK_BEFORE,
        planted_roas_change=round(planted_roas, 4),
        planted_spend_change=round(planted_spend, 4),
        spend_week_before=round(spend_before / minor, decimals),
        spend_latest_week=round(spend_latest / minor, decimals),
        purchase_value_week_before=round(value_before / minor, decimals),
        purchase_value_latest_week=round(value_latest / minor, decimals),
        roas_week_before=round(roas_before, 4),
        roas_latest_week=round(roas_latest, 4),
        roas_change=round(roas_latest / roas_before - 1, 4),
        spend_change=round(spend_latest / spend_before - 1, 4),
        tracking_break_from=(START + dt.timedelta(days=TRACKING_BREAK_FROM)).isoformat() if broken else None,
    )


def _clear_previous_run(out_dir: Path) -> None:
    """Remove the account folders an earlier run wrote; refuse to mix the demo with anyone's own exports."""
    if not out_dir.is_dir():
        return
    demo_folders = [path for path in out_dir.iterdir() if (path / MARKER).is_file()]
    others = [path for path in list_exports(out_dir) if not any(path.is_relative_to(f) for f in demo_folders)]
    if others:
        raise AdlabError(
            f"{out_dir} already holds exports that are not demo accounts ({others[0].relative_to(out_dir)}); "
            "write the demo portfolio into an empty folder (--out) or move them out first."
        )
    for folder in demo_folders:
        shutil.rmtree(folder)


def _write_one(job: tuple[Path, AccountPlan, int, bool, float]) -> AccountTruth:
    return write_account(*job)


def write_accounts(
    out_dir: Path,
    n: int,
    rows: int | None = None,
    seed: int = 7,
    breakdowns: bool = True,
    orders_share: float = 1.0,
    jobs: int = 1,
) -> dict[str, AccountTruth]:
    """Write `n` accounts, each into `out_dir/<account name>/`, and return the truth by account name.

    Account folders of an earlier run in `out_dir` are replaced; other exports there stop the run.

    Args:
        out_dir: the folder of the account folders (e.g. `data/raw`).
        n: number of accounts.
        rows: ad-level rows of all accounts together, about (default 1,300 per account).
        seed: seed of the portfolio; the same seed writes the same bytes.
        breakdowns: also write each account's age x gender file.
        orders_share: each store's orders as a share of the default.
        jobs: processes writing accounts side by side (the files do not depend on it).

    Returns:
        account name -> its truth (see `write_account`), names sorted.
    """
    out_dir = Path(out_dir)
    plans = plan_accounts(n, rows, seed)
    _clear_previous_run(out_dir)
    work = [(out_dir / plan.name, plan, seed, breakdowns, orders_share) for plan in plans]
    truths: Iterator[AccountTruth]
    if jobs > 1 and n > 1:
        # `spawn`: a forked child would inherit polars' thread pool mid-flight.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, n), mp_context=context) as pool:
            truths = iter(list(pool.map(_write_one, work)))
    else:
        truths = map(_write_one, work)
    by_name = {plan.name: truth for plan, truth in zip(plans, truths, strict=True)}
    return dict(sorted(by_name.items()))
