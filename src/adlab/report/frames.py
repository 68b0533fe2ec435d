"""Week selection, roll-ups and readers for the pages: pure polars, no HTML.

Which week a page shows and which days it reads, the campaign -> ad set -> ad tree and the ad lists it ranks,
and the readers of the stage outputs (each reads only the rows a page shows).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from adlab import io, kpis
from adlab.data_warnings import CURRENCY_UNKNOWN
from adlab.display import fmt_int
from adlab.errors import AdlabError
from adlab.schema import ISO_WEEK

Days = tuple[dt.date, dt.date]  # first and last day, inclusive


ENTITY_KEYS = {
    "campaign": ["platform_source", "account", "campaign"],
    "adset": ["platform_source", "account", "campaign", "adset"],
    "ad": ["platform_source", "account", "campaign", "adset", "ad"],
}


RECOMMENDATION_EVIDENCE = ("spend", "purchases", "roas", "cpa", "ctr", "frequency")


@dataclass(frozen=True)
class TreeLimits:
    """How many rows of each level the campaign table shows, largest spend first; the others of a level are one
    row of their summed figures. A million ad rows hold some 18,000 campaigns, ad sets and ads a week: a table of
    them all weighed 16 MB and took seconds to open."""

    campaigns: int = 100  # campaigns with a row of their own
    expanded: int = 25  # of those, how many list their ad sets and ads (the others show their totals only)
    adsets: int = 5  # ad sets per listed campaign
    ads: int = 5  # ads per listed ad set


# The level of a row that sums the entities of a level not shown, and the key it carries: its parent's.
FOLDED_KEYS = {"campaign-more": [], "adset-more": ENTITY_KEYS["campaign"], "ad-more": ENTITY_KEYS["adset"]}


FOLDED_NAMES = {"campaign": ("campaign", "campaigns"), "adset": ("ad set", "ad sets"), "ad": ("ad", "ads")}


# The ROAS-vs-spend chart draws at most this many ads, those with the most spend: a million ad rows hold some
# 10,000 ads a week, a chart of megabytes that takes seconds to draw.
PLOTTED_ADS = 2000


def previous_week(week: str) -> str:
    """The ISO week label before `week`."""
    return kpis.iso_week(kpis.week_bounds(week)[0] - dt.timedelta(days=7))


def resolve_week(week: str, kpis_daily: pl.DataFrame) -> str:
    """`week` checked, or for "latest" the newest complete ISO week in the data (else the newest week).

    Raises:
        AdlabError: the label is not an ISO week, or there is no data to pick the latest week from.
    """
    if week == "latest":
        if kpis_daily.is_empty():
            raise AdlabError("kpis_daily holds no rows, so there is no latest week; run the kpis stage first.")
        first_day, last_day = kpis.date_span(kpis_daily["date"])
        weeks = kpis.complete_weeks(last_day, first_day)
        return weeks[0] if weeks else kpis.iso_week(last_day)
    if not ISO_WEEK.fullmatch(week):
        raise AdlabError(f"week {week!r} is not an ISO week label such as 2026-W47 (or 'latest').")
    return week


def week_days(ad_days: pl.DataFrame, store: pl.DataFrame | None) -> pl.DataFrame:
    """The days weeks are picked from (a `date` column): those with ad data; for a store without ads, the store's."""
    return kpis.reporting_dates(ad_days, store).to_frame("date")


def days_with_data(kpis_daily: pl.DataFrame, week: str) -> int:
    """How many of the week's 7 days have ad data."""
    start, end = kpis.week_bounds(week)
    return kpis_daily.filter(pl.col("date").is_between(start, end))["date"].n_unique()


def data_through(kpis_daily: pl.DataFrame, week: str) -> dt.date | None:
    """The last day with ad data on or before the week's Sunday (later days do not change the week's page)."""
    dates = kpis_daily.filter(pl.col("date") <= kpis.week_bounds(week)[1])["date"].drop_nulls()
    return kpis.date_span(dates)[1] if dates.len() else None


def trend_days(account_daily: pl.DataFrame, end: dt.date, weeks: int) -> pl.DataFrame:
    """The rows of account_daily for the `weeks` x 7 days ending on `end` (the reported Sunday)."""
    start = end - dt.timedelta(days=7 * weeks - 1)
    return account_daily.filter(pl.col("date").is_between(start, end))


def has_store_data(store: pl.DataFrame | None, week: str) -> bool:
    """Whether the orders export reaches into the week."""
    return kpis.store_covers(store, *kpis.week_bounds(week))


def shown_for_week(frame: pl.DataFrame | None, week: str, for_week: str) -> pl.DataFrame | None:
    """The rows of a stage output that belong to `week`: by its `week` column, else all of it on for_week's page."""
    if frame is None:
        return None
    if "week" in frame.columns:
        return frame.filter(pl.col("week") == week)
    return frame if week == for_week else None


def entity_tables(rows: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The roll-ups of some ad rows (a week's, a reporting window's): `account` (one row), `campaign`, `adset` and
    `ad` (one row each).

    Each level is summed from the rows and its KPIs divided last (kpis.rollup), never averaged from the level below.
    """
    tables = {level: kpis.rollup(rows, keys) for level, keys in ENTITY_KEYS.items()}
    tables["account"] = kpis.rollup(rows.with_columns(pl.lit("All campaigns").alias("name")), ["name"])
    return tables


def week_tables(kpis_daily: pl.DataFrame, week: str) -> dict[str, pl.DataFrame]:
    """The week's roll-ups from kpis_daily: `account` (one row), `campaign`, `adset` and `ad` (one row each)."""
    start, end = kpis.week_bounds(week)
    return entity_tables(kpis_daily.filter(pl.col("date").is_between(start, end)))


def entity_tree(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per campaign, then its ad sets, each followed by its ads, largest spend first at every level.

    Columns: `level` (account | campaign | adset | ad), `name`, `share_of_spend` and the sums and KPIs of
    week_tables. The account total comes first. Ad-set and ad rows without a name (exports at campaign
    level) are left out: the row above already holds their figures.
    """
    campaign_keys, adset_keys = ENTITY_KEYS["campaign"], ENTITY_KEYS["adset"]

    def ranked(frame: pl.DataFrame, parent: list[str], alias: str) -> pl.DataFrame:
        rank = pl.col("spend").fill_null(0.0).rank("ordinal", descending=True)
        return frame.with_columns((rank.over(parent) if parent else rank).cast(pl.Int64).alias(alias))

    campaigns = ranked(tables["campaign"], [], "campaign_rank")
    adsets = ranked(tables["adset"].filter(pl.col("adset").is_not_null()), campaign_keys, "adset_rank")
    ads = ranked(tables["ad"].filter(pl.col("ad").is_not_null()), adset_keys, "ad_rank")
    campaign_ranks = campaigns.select(*campaign_keys, "campaign_rank")
    adset_ranks = adsets.select(*adset_keys, "adset_rank")
    parts = [
        tables["account"].with_columns(pl.lit("account").alias("level"), pl.lit(0, pl.Int64).alias("campaign_rank")),
        # Account-level exports (e.g. an Age or Region breakdown alone) name no campaign: say so, not `–`.
        campaigns.with_columns(
            pl.lit("campaign").alias("level"), pl.col("campaign").fill_null("(no campaign name)").alias("name")
        ),
        adsets.join(campaign_ranks, on=campaign_keys, how="left", nulls_equal=True).with_columns(
            pl.lit("adset").alias("level"), pl.col("adset").alias("name")
        ),
        ads.join(campaign_ranks, on=campaign_keys, how="left", nulls_equal=True)
        .join(adset_ranks, on=adset_keys, how="left", nulls_equal=True)
        .with_columns(pl.lit("ad").alias("level"), pl.col("ad").alias("name")),
    ]
    total_spend = tables["account"]["spend"].sum()
    share = pl.col("spend") / total_spend if total_spend else pl.lit(None, pl.Float64)
    return (
        pl.concat(parts, how="diagonal_relaxed")
        .with_columns(pl.col("adset_rank", "ad_rank").fill_null(0), share.alias("share_of_spend"))
        .sort("campaign_rank", "adset_rank", "ad_rank")
        .drop("campaign_rank", "adset_rank", "ad_rank")
    )


def fold_entity_tree(tree: pl.DataFrame, limits: TreeLimits = TreeLimits()) -> pl.DataFrame:
    """entity_tree cut to the rows of `limits`, largest spend first: the others of a level under one parent become
    one row after the shown ones (level `campaign-more`, `adset-more` or `ad-more`, name `12 more ads`) with their
    summed figures and the ratios of those sums. Campaigns past `limits.expanded` keep their row without the ad
    sets and ads it sums.

    Only rows that delivered (spend or impressions) are ranked and folded; the others stay where they are, for the
    table to leave out and count. A level is folded only where that hides two rows or more. A folded row carries
    its parent's key (FOLDED_KEYS); with nothing to fold the tree comes back as it is.
    """
    delivered = (pl.col("spend").fill_null(0) != 0) | (pl.col("impressions").fill_null(0) != 0)
    rows = tree.with_row_index("_row").with_columns(delivered.alias("_delivered"))
    entities = rows.filter(pl.col("level") != "account")
    folded = []
    for level, limit, offset in (
        ("campaign", limits.campaigns, 0.75),
        ("adset", limits.adsets, 0.5),
        ("ad", limits.ads, 0.25),
    ):
        keys, parent = ENTITY_KEYS[level], FOLDED_KEYS[f"{level}-more"]
        rank, count = _delivered_rank(level, parent)
        hidden = rows.filter((rank > limit) & (count > limit + 1))
        if hidden.height:
            rows = _without_rows_under(rows, entities, hidden.select(keys))
            folded.append(
                _folded_rows(hidden, entities, level, tree.height).with_columns(
                    (pl.col("_end") + offset).alias("_position")
                )
            )
        if level == "campaign":
            collapsed = rows.filter(_delivered_rank("campaign", [])[0] > limits.expanded).select(keys)
            rows = _without_rows_under(rows, entities.filter(pl.col("level") != "campaign"), collapsed)
    if rows.height == tree.height:
        return tree
    return (
        pl.concat(
            [rows.with_columns(pl.col("_row").cast(pl.Float64).alias("_position")), *folded], how="diagonal_relaxed"
        )
        .sort("_position")
        .select(tree.columns)
    )


def _delivered_rank(level: str, parent: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """The rank of each delivered row of `level` under its parent in tree order (largest spend first), and how
    many there are; null for other rows."""
    ranked = pl.when((pl.col("level") == level) & pl.col("_delivered")).then(pl.col("_row"))
    rank, count = ranked.rank("ordinal"), ranked.count()
    return (rank.over(parent), count.over(parent)) if parent else (rank, count)


def _without_rows_under(rows: pl.DataFrame, entities: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """`rows` without the delivered `entities` whose keys are among `keys` (those entities and everything under
    them); rows that delivered nothing stay, for the table to count."""
    gone = entities.filter(pl.col("_delivered")).join(keys, on=keys.columns, how="semi", nulls_equal=True)
    return rows.join(gone.select("_row"), on="_row", how="anti")


def _folded_rows(hidden: pl.DataFrame, entities: pl.DataFrame, level: str, end: int) -> pl.DataFrame:
    """One row per parent of the `hidden` rows of `level`: their sums and the KPIs of those sums (kpis.rollup),
    their share of spend, level `<level>-more`, name `12 more ads` and `_end`, the parent's last row in the tree
    (`end` for the account)."""
    parent = FOLDED_KEYS[f"{level}-more"]
    by = parent or ["_all"]
    hidden = hidden if parent else hidden.with_columns(pl.lit(True).alias("_all"))
    counts = hidden.group_by(by).agg(*kpis.sum_metrics_of(["share_of_spend"]), pl.len().alias("_count"))
    if parent:
        ends = entities.group_by(parent).agg(pl.col("_row").max().alias("_end"))
    else:
        ends = pl.DataFrame({"_all": [True], "_end": [end]}, schema={"_all": pl.Boolean, "_end": pl.UInt32})
    more = (
        kpis.rollup(hidden, by)
        .join(counts, on=by, how="left", nulls_equal=True)
        .join(ends, on=by, how="left", nulls_equal=True)
    )
    one, several = FOLDED_NAMES[level]
    return more.with_columns(
        pl.lit(f"{level}-more").alias("level"),
        pl.Series("name", [f"{fmt_int(n)} more {one if n == 1 else several}" for n in more["_count"]], pl.String),
    )


def best_and_worst_ads(
    kpis_weekly: pl.DataFrame, week: str, min_spend: float, n: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The best and worst ads of the week by ROAS, up to `n` each, among ads that spent at least `min_spend`.

    One row per ad (best: highest ROAS first; worst: lowest first). An ad is never in both lists: with
    fewer than 2n ranked ads, the upper half is best and the lower half worst. Ads without a purchase
    value cannot be ranked (see ads_without_purchase); larger spend breaks ties. The `account` column is
    kept only when the week has several accounts (same ad names may run in each).
    """
    week_ads = _with_account_if_several(kpis_weekly.filter(pl.col("week") == week))
    key = [k for k in ENTITY_KEYS["ad"] if k in week_ads.columns]
    ranked = week_ads.filter(
        (pl.col("spend") >= min_spend) & pl.col("roas").is_not_null() & pl.col("ad").is_not_null()
    ).sort(["roas", "spend", *key], descending=[True, True, *[False] * len(key)])
    n_best = min(n, math.ceil(ranked.height / 2))
    best = ranked.head(n_best)
    worst = ranked.slice(n_best).reverse().head(n)
    return best, worst


def ads_without_purchase(kpis_weekly: pl.DataFrame, week: str, min_spend: float, n: int) -> pl.DataFrame:
    """Up to `n` ads that spent at least `min_spend` in the week with no purchase recorded, largest spend first.

    These have no ROAS to rank when the export leaves purchases blank, yet they are the stop-loss candidates.
    Ads whose exports have no purchase column at all are not listed: their purchases are unknown, not 0.
    The `account` column is kept only when the week has several accounts.
    """
    week_ads = _with_account_if_several(kpis_weekly.filter(pl.col("week") == week))
    key = [k for k in ENTITY_KEYS["ad"] if k in week_ads.columns]
    return (
        week_ads.filter(
            (pl.col("spend") >= min_spend)
            & (pl.col("purchases") == 0)  # null: no purchase column, unknown rather than none
            & pl.col("ad").is_not_null()
        )
        .sort(["spend", *key], descending=[True, *[False] * len(key)])
        .head(n)
    )


def _with_account_if_several(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as is when it holds several accounts; else without its `account` column (nothing to tell apart)."""
    if "account" not in frame.columns or frame["account"].n_unique() > 1:
        return frame
    return frame.drop("account")


def plotted_ads(ads: pl.DataFrame, limit: int = PLOTTED_ADS) -> tuple[pl.DataFrame, int]:
    """The ads the ROAS-vs-spend chart draws (those with spend and a ROAS), at most `limit` with the most spend,
    and how many others it leaves out; with `limit` or fewer, `ads` as it is and 0."""
    drawn = ads.filter(pl.col("roas").is_not_null() & (pl.col("spend") > 0))
    if drawn.height <= limit:
        return ads, 0
    key = [k for k in ENTITY_KEYS["ad"] if k in ads.columns]
    largest = drawn.sort(["spend", *key], descending=[True, *[False] * len(key)], nulls_last=True).head(limit)
    return largest, drawn.height - limit


def week_summaries(kpis_daily: pl.DataFrame, store: pl.DataFrame | None, weeks: Iterable[str]) -> list[dict[str, Any]]:
    """One dict per week: `week`, `start`, `end`, `days` (with ad data; None without any ad data), the figures
    of kpis.period_figures, the store's `store_aov` and `new_customer_share` (kpis.store_figures, None where the
    store data does not reach the week), and the daily `daily_spend` and `daily_roas` of its 7 days (None where
    a day has no data) for the index's sparklines."""
    daily = kpis.account_daily(kpis_daily, None)
    rows = []
    for week in weeks:
        start, end = kpis.week_bounds(week)
        figures = kpis.period_figures(kpis_daily, store, start, end)
        shop = kpis.store_figures(store, start, end) if kpis.store_covers(store, start, end) else {}
        days = {row["date"]: row for row in daily.filter(pl.col("date").is_between(start, end)).iter_rows(named=True)}
        dates = [start + dt.timedelta(days=offset) for offset in range(7)]
        rows.append(
            {
                "week": week,
                "start": start,
                "end": end,
                "days": days_with_data(kpis_daily, week) if kpis_daily.height else None,
                **figures,
                "store_aov": shop.get("store_aov"),
                "new_customer_share": shop.get("new_customer_share"),
                "daily_spend": [days[d]["spend"] if d in days else None for d in dates],
                "daily_roas": [days[d]["roas"] if d in days else None for d in dates],
            }
        )
    return rows


def week_results(results_daily: pl.DataFrame | None, week: str) -> pl.DataFrame | None:
    """The week's rows of results_daily (one row per day, ad and result type); None without any."""
    if results_daily is None:
        return None
    days = results_daily.filter(pl.col("date").is_between(*kpis.week_bounds(week)))
    return days if days.height else None


def account_names(kpis_daily: pl.DataFrame) -> list[str]:
    """The accounts of the rows, sorted, the default account (null) last as `the default account`."""
    if "account" not in kpis_daily.columns:
        return []
    owners = kpis_daily["account"].unique()
    return sorted(owners.drop_nulls().to_list()) + (["the default account"] if owners.null_count() else [])


def currency_warning_count(warnings: pl.DataFrame | None, files: Sequence[str]) -> int:
    """How many of `files` have the quality warning that their currency is unknown."""
    if warnings is None or not files:
        return 0
    unknown = warnings.filter((pl.col("check") == CURRENCY_UNKNOWN) & pl.col("source_file").is_in(files))
    return unknown["source_file"].n_unique()


def read_kpis(
    path: str | Path, days: Days | None = None, *, week: str | None = None, columns: Sequence[str] | None = None
) -> pl.DataFrame:
    """A KPI table written by the kpis stage: all of it, or only the rows dated in `days` (first, last) or of
    ISO `week` (kpis_weekly), or only some `columns`.

    Raises:
        AdlabError: the file is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise AdlabError(f"{path}: not found; run the kpis stage (`dvc repro`) before the report.")
    return _read(path, days, week, columns)


def read_optional(path: str | Path, days: Days | None = None) -> pl.DataFrame | None:
    """A parquet table another stage may not have written yet: None when the path is empty or absent.

    With `days` (first, last): only its rows dated in those days.
    """
    if not str(path):
        return None
    path = Path(path)
    return _read(path, days) if path.is_file() else None


def scan_optional(path: str | Path) -> pl.LazyFrame | None:
    """A lazy scan of a parquet table another stage may not have written yet: None when the path is empty or absent.

    For tables a page needs only a filtered part of (e.g. one breakdown export of ad_insights).
    """
    if not str(path):
        return None
    path = Path(path)
    return pl.scan_parquet(path) if path.is_file() else None


def _read(
    path: Path, days: Days | None = None, week: str | None = None, columns: Sequence[str] | None = None
) -> pl.DataFrame:
    """A parquet table, all of it or only the rows dated in `days` (first, last) or of ISO `week`.

    The filter is pushed into the scan, so row groups outside it are skipped: a page reads what it shows.
    """
    if days is None and week is None and columns is None:
        return io.read_parquet(path)
    frame = pl.scan_parquet(path)
    if days is not None:
        frame = frame.filter(pl.col("date").is_between(*days))
    if week is not None:
        frame = frame.filter(pl.col("week") == week)
    return frame.select(columns).collect() if columns is not None else frame.collect()


def read_store(path: str | Path, store_sales_path: str | Path = "") -> pl.DataFrame | None:
    """Store sales per day (kpis.store_daily) from the orders table; without orders, from Shopify Analytics
    daily sales (`store_sales`); None when neither holds rows."""
    orders = scan_optional(path)  # only the columns store_daily sums are read
    if orders is not None and orders.select(pl.len()).collect().item():
        return kpis.store_daily(orders)
    sales = read_optional(store_sales_path) if store_sales_path else None
    return kpis.store_daily_from_sales(sales) if sales is not None and sales.height else None


def read_sessions(path: str | Path) -> pl.DataFrame | None:
    """Daily web sessions (kpis.sessions_daily) from the sessions table, or None without daily sessions."""
    sessions = read_optional(path) if path else None
    return kpis.sessions_daily(sessions) if sessions is not None and sessions.height else None


def read_recommendations(path: str | Path) -> pl.DataFrame | None:
    """data/processed/recommendations.csv with its evidence columns as numbers; None before the recommend stage.

    Cells stay as the stage wrote them (formula-like text neutralised there); the page escapes them.
    """
    if not str(path) or not Path(path).is_file():
        return None
    # A stage output of ours, not a user export: plain polars CSV (io.py reads exports of every shape).
    frame = pl.read_csv(Path(path), infer_schema=False)
    numeric = [c for c in (*RECOMMENDATION_EVIDENCE, "confidence") if c in frame.columns]
    as_number = [pl.col(c).str.strip_chars().cast(pl.Float64, strict=False) for c in numeric]
    # A confidence given as a label ("high") stays text.
    keep_text = (
        "confidence" in frame.columns
        and frame["confidence"].str.strip_chars().cast(pl.Float64, strict=False).null_count()
        > frame["confidence"].null_count()
    )
    return frame.with_columns(e for e in as_number if not (keep_text and e.meta.output_name() == "confidence"))


def read_summary(path: str | Path) -> dict[str, Any]:
    """metrics/summary.json, or {} when it is absent."""
    path = Path(path)
    return io.read_json(path) if path.is_file() else {}
