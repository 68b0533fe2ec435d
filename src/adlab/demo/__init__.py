"""The demo store: deterministic sample exports (Meta Ads Manager + Shopify orders) with planted stories.

This package writes `data/sample/`, the exports a new project runs on before the user adds their own. It is a
tool for `make sample` (`python -m adlab.demo --out data/sample`), the tests and the benchmark
(`bench/run.py`); the runtime library never imports it. `make sample` regenerates `data/sample/` byte for byte.

`write_sample` writes four files, in the formats the real tools write:

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
* `products_export.csv`: Shopify admin products export (classic 48 columns, one
  row per variant, later variant rows without a title, a few extra image rows)
  whose `Variant SKU` matches the orders' `Lineitem sku`; `Cost per item` is
  28-42% of the price by product, empty for three products (`Silk Scarf
  "Meadow"`, `Trail Runner Sock Bundle`, `Canvas Weekender Bag`), whose sales
  are costed at the gross-margin setting.

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

Modules, in the order a run uses them:

* `account`: the period, campaigns, ad sets and ads (`AD_SPECS`), the stories' names, account copies.
* `draws`: random draws and exact integer splits; `text`: how the exports write numbers.
* `ads`: daily delivery of each ad and the Meta ad-level export.
* `segments`: the age x gender breakdown and its export.
* `store`: the store's time zone, catalogue and customers; `orders`: the orders that follow Meta's sales.
* `shopify`: the Shopify orders export; `products`: the Shopify products export with unit costs.
* `money`: the currencies accounts bill in (amounts in minor units; JPY without decimals).
* `write`: `write_sample` (one seed, one generator, all four files, written in chunks).
* `portfolio`: `write_accounts`, N shops for an agency, each in its own folder with its own currency,
  size and story, and the truth of what was planted (`python -m adlab.demo --accounts N`).
* `cli`: `main`, the command line of both.
"""

from __future__ import annotations

from adlab.demo.account import (
    AGES,
    BURNING_AD,
    BURNING_ADSET,
    BURNING_CAMPAIGN,
    CHECKOUT_PROBLEM_CAMPAIGN,
    CHECKOUT_PROBLEM_DAY,
    CPM_SPIKE_SEGMENT_WINNER,
    FATIGUE_AD,
    FATIGUE_ADSET,
    FATIGUE_CAMPAIGN,
    FEMALE_25_34_AD,
    FEMALE_25_34_ADSET,
    FEMALE_25_34_CAMPAIGN,
    GENDERS,
    STORIES,
    SUMMER_SALE_ADSET,
    SUMMER_SALE_CAMPAIGN,
    WINNER_AD,
    WINNER_ADSET,
    WINNER_CAMPAIGN,
)
from adlab.demo.ads import META_AD_LEVEL_FILE, META_AD_LEVEL_HEADER
from adlab.demo.cli import main
from adlab.demo.portfolio import AccountPlan, AccountTruth, plan_accounts, write_account, write_accounts
from adlab.demo.products import PRODUCTS_FILE, SHOPIFY_PRODUCTS_HEADER
from adlab.demo.segments import META_AGE_GENDER_FILE, META_AGE_GENDER_HEADER
from adlab.demo.shopify import ORDERS_FILE, SHOPIFY_ORDERS_HEADER
from adlab.demo.write import write_sample

__all__ = [
    "AGES",
    "BURNING_AD",
    "BURNING_ADSET",
    "BURNING_CAMPAIGN",
    "CHECKOUT_PROBLEM_CAMPAIGN",
    "CHECKOUT_PROBLEM_DAY",
    "CPM_SPIKE_SEGMENT_WINNER",
    "FATIGUE_AD",
    "FATIGUE_ADSET",
    "FATIGUE_CAMPAIGN",
    "FEMALE_25_34_AD",
    "FEMALE_25_34_ADSET",
    "FEMALE_25_34_CAMPAIGN",
    "GENDERS",
    "META_AD_LEVEL_FILE",
    "META_AD_LEVEL_HEADER",
    "META_AGE_GENDER_FILE",
    "META_AGE_GENDER_HEADER",
    "ORDERS_FILE",
    "PRODUCTS_FILE",
    "SHOPIFY_ORDERS_HEADER",
    "SHOPIFY_PRODUCTS_HEADER",
    "STORIES",
    "SUMMER_SALE_ADSET",
    "SUMMER_SALE_CAMPAIGN",
    "WINNER_AD",
    "WINNER_ADSET",
    "WINNER_CAMPAIGN",
    "AccountPlan",
    "AccountTruth",
    "main",
    "plan_accounts",
    "write_account",
    "write_accounts",
    "write_sample",
]
