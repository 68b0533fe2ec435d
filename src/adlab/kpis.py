"""KPI formulas (DESIGN 4) and roll-ups at any grain: sum first, divide last.

Every ratio is written once here, as a polars expression over summed columns.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

import polars as pl

from adlab.schema import AD_METRICS, ENTITY, EXCLUDED_FINANCIAL_STATUSES, KPI_SUMS

LEVEL_RANK = {"account": 0, "campaign": 1, "adset": 2, "ad": 3}


def ratio(num: str, den: str, scale: float = 1.0) -> pl.Expr:
    """num / den of the summed columns (times scale); null where den is 0 or null."""
    return pl.when(pl.col(den) > 0).then(pl.col(num) * scale / pl.col(den))


# Every KPI of DESIGN 4 as (numerator, denominator, scale) of summed columns; hold_rate's base is a setting.
KPI_FRACTIONS: dict[str, tuple[str, str, float]] = {
    "roas": ("purchase_value", "spend", 1.0),
    "cpa": ("spend", "purchases", 1.0),
    "ctr": ("link_clicks", "impressions", 1.0),
    "ctr_all": ("clicks", "impressions", 1.0),
    "cpc": ("spend", "link_clicks", 1.0),
    "cpm": ("spend", "impressions", 1000.0),
    "cvr": ("purchases", "link_clicks", 1.0),
    "aov": ("purchase_value", "purchases", 1.0),
    "hook_rate": ("video_3s_plays", "impressions", 1.0),
    "hold_rate": ("thruplays", "video_3s_plays", 1.0),
}

# ROAS = (1000 / cpm) x ctr x cvr x aov, CPA = (cpm / 1000) / (ctr x cvr), CPC = (cpm / 1000) / ctr exactly,
# so a change in their log is the sum of these powers times the log changes of the factors (DESIGN 4).
KPI_FACTORS: dict[str, dict[str, int]] = {
    "roas": {"cpm": -1, "ctr": 1, "cvr": 1, "aov": 1},
    "cpa": {"cpm": 1, "ctr": -1, "cvr": -1},
    "cpc": {"cpm": 1, "ctr": -1},
}


def kpi_exprs(hold_rate_base: str = "video_3s_plays") -> list[pl.Expr]:
    """The KPI ratios of DESIGN 4, each named for what it is."""
    fractions = {**KPI_FRACTIONS, "hold_rate": ("thruplays", hold_rate_base, 1.0)}
    return [ratio(num, den, scale).alias(name) for name, (num, den, scale) in fractions.items()]


def log_split(before: dict, after: dict, kpi: str = "roas") -> dict[str, float | None]:
    """The change in log(kpi) from `before` to `after` split into its factors' terms (DESIGN 4).

    `before` and `after` map KPI names to values (rows of a roll-up). The terms
    add up exactly to log(after / before) of the KPI; a factor that is null or 0
    in either period gives a null term. A KPI without factors is its own term.
    """
    powers = KPI_FACTORS.get(kpi, {kpi: 1})
    terms: dict[str, float | None] = {}
    for factor, power in powers.items():
        old, new = before.get(factor), after.get(factor)
        terms[factor] = power * math.log(new / old) if old and new else None
    return terms


SUM_DECIMALS = 6
FLOAT_SUMS = tuple(name for name in KPI_SUMS if AD_METRICS[name] == pl.Float64())


def sum_metrics_of(columns: Iterable[str]) -> list[pl.Expr]:
    """Sums that stay null when every input is null (absent is not 0)."""
    # count() (non-null values) is one of polars' fast group aggregations; is_not_null().any() is not.
    return [pl.when(pl.col(name).count() > 0).then(pl.col(name).sum()).alias(name) for name in columns]


def sum_metrics() -> list[pl.Expr]:
    """Sums of the additive metrics, null where nothing was exported."""
    return sum_metrics_of(KPI_SUMS)


def _rounded_sum(name: str) -> pl.Expr:
    """A float sum as `rollup` gives it: never -0.0 (its sums start at 0.0), then rounded."""
    return pl.when(pl.col(name) == 0.0).then(0.0).otherwise(pl.col(name)).round(SUM_DECIMALS).alias(name)


def rollup(frame: pl.DataFrame | pl.LazyFrame, by: list[str], hold_rate_base: str = "video_3s_plays") -> pl.DataFrame:
    """One row per value of `by`: summed metrics, then the KPI ratios of those sums.

    `frame` holds additive metric columns at a finer grain (a totals view of
    `ad_insights`, or a KPI table); reach is dropped since it never adds up.
    """
    return (
        frame.lazy()
        .group_by(by, maintain_order=True)
        .agg(sum_metrics())
        # Parallel float sums differ in their last bits from run to run; money never needs them.
        .with_columns(pl.col(name).round(SUM_DECIMALS) for name in FLOAT_SUMS)
        .with_columns(kpi_exprs(hold_rate_base))
        .sort(by, nulls_last=True)
        .collect()
    )


def totals_view(ad_insights: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One view of daily spend per (date, ad), so that nothing is counted twice (DESIGN 3.3).

    Only daily rows count (a reporting-window row spans many days). Per (date,
    platform, campaign) only the finest level exported is used; per (date,
    entity) the `breakdown = none` rows where present, else the first breakdown
    (by name) summed; and one attribution setting, the first by name, since
    windows are never mixed in one total.
    """
    frame = ad_insights.lazy().filter(pl.col("window_start").is_null() | (pl.col("window_start") == pl.col("date")))
    frame = frame.with_columns(
        pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8).alias("level_rank")
    )
    finest = finest_level(pl.col("level_rank"), ["date", "platform_source", "account"])
    chosen_breakdown = pl.when(pl.col("breakdown") == "none").then(pl.lit("")).otherwise(pl.col("breakdown"))
    one_view = chosen_breakdown == chosen_breakdown.min().over("date", "platform_source", *ENTITY)
    attribution = pl.col("attribution_setting").fill_null("")
    one_window = attribution == attribution.min().over("date", "platform_source", *ENTITY)
    # A column with one value everywhere keeps every row: its window filter (seconds per million rows) is skipped.
    varies = _varies(ad_insights, {"level": finest, "breakdown": one_view, "attribution_setting": one_window})
    for keep in varies:
        frame = frame.filter(keep)
    return frame.drop("level_rank")


def finest_level(rank: pl.Expr, where: list[str]) -> pl.Expr:
    """Whether a row is of the finest level exported for its campaign (`where` + campaign).

    An account-level row names no campaign: it describes the spend of every campaign, so it counts only
    where no campaign, ad set or ad row exists for the same `where` (else the spend would count twice).
    """
    account_level = rank == LEVEL_RANK["account"]
    return (rank == rank.max().over(*where, "campaign")) & ~(account_level & (rank.max().over(*where) > 0))


def _varies(ad_insights: pl.DataFrame | pl.LazyFrame, filters: dict[str, pl.Expr]) -> list[pl.Expr]:
    """The filters, in order, except those whose column holds one non-null value everywhere; all of a LazyFrame's."""
    if isinstance(ad_insights, pl.LazyFrame):
        return list(filters.values())
    single = ad_insights.select(
        ((pl.col(name).n_unique() == 1) & (pl.col(name).null_count() == 0)).alias(name) for name in filters
    ).row(0, named=True)
    return [keep for name, keep in filters.items() if not single[name]]


def add_week(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """The frame with `week`, the ISO week label YYYY-Www (Monday-Sunday) of `date`."""
    return frame.lazy().with_columns(pl.col("date").dt.strftime("%G-W%V").alias("week"))


def compute_kpis_daily(
    ad_insights: pl.DataFrame | pl.LazyFrame, hold_rate_base: str = "video_3s_plays"
) -> pl.DataFrame:
    """One row per (date, platform_source, account, campaign, adset, ad) with sums, KPIs and frequency.

    Frequency (impressions / reach) is only given where reach was exported at
    this grain: a single ad-level, no-breakdown row behind the output row.
    """
    by = ["date", "platform_source", *ENTITY]
    single = ((pl.col("level") == "ad") & (pl.col("breakdown") == "none")).alias("_single")
    # The in-memory engine sums each group in row order (the same bits every run) and returns one chunk.
    view = totals_view(ad_insights).select(*by, *KPI_SUMS, "reach", single).collect(engine="in-memory")
    ordered, repeated = _order(view, by)
    if ordered:  # an export is usually sorted already: one chunk (the layout the parquet file gets), no sort
        view = view.rechunk()
    else:
        view = view.sort(by, nulls_last=True)
        repeated = _order(view, by)[1]
    reach = pl.col("reach").filter("_single").first()
    daily = (
        view.lazy().group_by(by, maintain_order=True)
        .agg(*sum_metrics(), pl.when(pl.col("_single").sum() == 1).then(reach).alias("reach"))
        if repeated else
        # One row per output row (an ad-level export): its sums are its values, no group_by needed.
        view.lazy().select(*by, *KPI_SUMS, pl.when("_single").then(pl.col("reach")).alias("reach"))
    )
    daily = (
        daily.with_columns(_rounded_sum(name) for name in FLOAT_SUMS)
        .with_columns(kpi_exprs(hold_rate_base))
        .with_columns(ratio("impressions", "reach").alias("frequency"))
        .select(*by, *KPI_SUMS, *KPI_FRACTIONS, "reach", "frequency")
        .collect(engine="in-memory")
    )
    return daily.sort(by, nulls_last=True) if repeated else daily


# Results (what each ad was optimised for: leads, messaging conversations, purchases, ...) are counted per
# result type, never summed across types; cost per result is spend / results of the rows of one type.
RESULT_SUMS: tuple[str, ...] = ("spend", "impressions", "clicks", "link_clicks", "results")
RESULT_FRACTIONS: dict[str, tuple[str, str, float]] = {"cost_per_result": ("spend", "results", 1.0)}
RESULTS_KEY = "result_type"


def result_exprs() -> list[pl.Expr]:
    """The per-result-type ratios (cost per result), each named for what it is."""
    return [ratio(num, den, scale).alias(name) for name, (num, den, scale) in RESULT_FRACTIONS.items()]


def typed_rows(view: pl.LazyFrame, entity: list[str]) -> pl.LazyFrame:
    """The rows of a totals view that carry a result type, with the type filled in where the export left it out.

    Ads Manager leaves `Result type` blank on days without a result; such a day's spend still went to that
    objective, so an ad with one result type in the data gets it (and 0 results) on those days too. Rows of an
    ad with no type, or with several, stay untyped and are left out: their spend cannot be put on one type.
    """
    first, last = pl.col(RESULTS_KEY).min().over(entity), pl.col(RESULTS_KEY).max().over(entity)
    inferred = pl.col(RESULTS_KEY).is_null() & (first == last)
    return (
        view.with_columns(
            pl.when(inferred).then(first).otherwise(pl.col(RESULTS_KEY)).alias(RESULTS_KEY),
            pl.when(inferred).then(pl.col("results").fill_null(0.0)).otherwise(pl.col("results")).alias("results"),
        )
        .filter(pl.col(RESULTS_KEY).is_not_null())
    )


def compute_results_daily(ad_insights: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per (date, platform_source, campaign, adset, ad, result_type): spend, delivery, results, cost per result.

    Rows come from the same totals view as kpis_daily (one level, breakdown and attribution setting), so
    spend here never exceeds kpis_daily's; spend without a result type is left out (see typed_rows).
    """
    by = ["date", "platform_source", *ENTITY]
    keys = [*by, RESULTS_KEY]
    view = totals_view(ad_insights).select(*keys, *RESULT_SUMS).collect(engine="in-memory")
    # Blank result types need the per-ad inference (a window over every row); an export that types every row does not.
    if view[RESULTS_KEY].null_count():
        view = typed_rows(view.lazy(), by[1:]).collect(engine="in-memory")
    ordered, repeated = _order(view, keys)
    # One row per key (an ad-level export, the usual case): its sums are its values, no group_by needed.
    rows = view.lazy().group_by(keys, maintain_order=True).agg(sum_metrics_of(RESULT_SUMS)) if repeated else view.lazy()
    results = (
        rows.with_columns(_rounded_sum(name) for name in ("spend", "results"))
        .with_columns(result_exprs())
        .select(*keys, *RESULT_SUMS, *RESULT_FRACTIONS)
        .collect(engine="in-memory")
    )
    return results if ordered and not repeated else results.sort(keys, nulls_last=True)


def rollup_results(results: pl.DataFrame | pl.LazyFrame, by: list[str]) -> pl.DataFrame:
    """One row per (value of `by`, result type): summed spend and results, then cost per result of those sums.

    Results of different types are never added up: `result_type` is always part of the grain.
    """
    keys = [*by, RESULTS_KEY] if RESULTS_KEY not in by else list(by)
    return (
        results.lazy()
        .group_by(keys)
        .agg(sum_metrics_of(RESULT_SUMS))
        .with_columns(pl.col("spend", "results").round(SUM_DECIMALS))
        .with_columns(result_exprs())
        .sort(keys, nulls_last=True)
        .collect()
    )


def results_by_type(results: pl.DataFrame | None, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per result type over the days start..end: spend, results and cost per result; largest spend first."""
    schema = {RESULTS_KEY: pl.String, **{name: pl.Float64 for name in ("spend", "results", "cost_per_result")}}
    if results is None or results.height == 0:
        return pl.DataFrame(schema=schema)
    days = results.filter(pl.col("date").is_between(start, end))
    return rollup_results(days, []).sort(
        pl.col("spend").fill_null(0.0), RESULTS_KEY, descending=[True, False]
    ).select(*schema)


# What one result of a type is called after "per" (cost per lead); other types read "per result".
RESULT_UNITS = {
    "leads": "lead", "website leads": "lead", "on-facebook leads": "lead", "meta leads": "lead",
    "messaging conversations started": "conversation", "conversations started": "conversation",
    "landing page views": "landing page view", "link clicks": "link click", "website purchases": "purchase",
    "purchases": "purchase", "checkouts initiated": "checkout", "website checkouts initiated": "checkout",
    "adds to cart": "add to cart", "website adds to cart": "add to cart", "follows": "follow",
    "instagram profile visits": "profile visit", "page likes": "page like", "thruplays": "ThruPlay",
    "post engagements": "engagement", "reach": "1,000 reached", "registrations completed": "registration",
}


def result_unit(result_type: str) -> str:
    """`lead` for Leads, `conversation` for Messaging conversations started; `result` for types not listed."""
    return RESULT_UNITS.get(" ".join(result_type.lower().split()), "result")


def results_summary(results: pl.DataFrame | None, week: str | None) -> list[dict]:
    """One dict per result type of the ISO week (results_by_type), numbers rounded so reruns write the same bytes.

    No week (no dated data at all) gives none.
    """
    if week is None:
        return []
    return [{key: _rounded(value) for key, value in row.items()}
            for row in results_by_type(results, *week_bounds(week)).iter_rows(named=True)]


def is_purchase_type(result_type: pl.Expr | str) -> pl.Expr:
    """Whether a result type counts purchases (`Website purchases`, `Purchases`, ...): the purchases KPIs show them."""
    column = pl.col(result_type) if isinstance(result_type, str) else result_type
    return column.str.to_lowercase().str.contains("purchase")


def _order(frame: pl.DataFrame, by: list[str]) -> tuple[bool, bool]:
    """(rows sorted by `by` ascending with nulls last, some row repeats the key of the row before it)."""
    if frame.height < 2:
        return True, False
    before = {name: pl.col(name).shift(1) for name in by}
    after = pl.lit(False)  # the row's key sorts after the previous row's key
    for name in reversed(by):
        greater = (before[name] < pl.col(name)) | (before[name].is_not_null() & pl.col(name).is_null())
        after = greater.fill_null(False) | (before[name].eq_missing(pl.col(name)) & after)
    same = pl.all_horizontal(before[name].eq_missing(pl.col(name)) for name in by)
    ordered, repeated = frame.select(
        (after | same).slice(1).all().alias("ordered"), same.slice(1).any().alias("repeated")
    ).row(0)
    return ordered, repeated


def compute_kpis_weekly(kpis_daily: pl.DataFrame, hold_rate_base: str = "video_3s_plays") -> pl.DataFrame:
    """One row per (week, platform_source, account, campaign, adset, ad); `days` counts days with data."""
    by = ["week", "platform_source", *ENTITY]
    return (
        add_week(kpis_daily)
        .group_by(by, maintain_order=True)
        .agg(*sum_metrics(), pl.col("date").n_unique().alias("days"))
        # Float sums are rounded like every roll-up's (and summed in row order by the in-memory engine).
        .with_columns(_rounded_sum(name) for name in FLOAT_SUMS)
        .with_columns(kpi_exprs(hold_rate_base))
        .select(*by, *KPI_SUMS, *KPI_FRACTIONS, "days")
        .collect(engine="in-memory")
        .sort(by, nulls_last=True)  # eager: the lazy sort after this group_by takes three times as long
    )


def store_daily(orders: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """One row per order date: store orders and revenue (DESIGN 4).

    An order counts when it is neither cancelled nor voided; revenue is
    total - refunded, by the date of `Created at` as written (store zone).
    """
    return (
        orders.lazy()
        .filter(~pl.col("cancelled") & ~pl.col("financial_status").is_in(EXCLUDED_FINANCIAL_STATUSES))
        .group_by("date")
        .agg(
            pl.len().alias("orders"),
            (pl.col("total") - pl.col("refunded").fill_null(0.0)).sum().alias("revenue"),
            pl.col("is_new_customer").sum().alias("new_customer_orders"),
            pl.col("units").sum().alias("units"),
        )
        .with_columns(ratio("revenue", "orders").alias("store_aov"))
        .sort("date")
        .collect()
    )


def week_bounds(week: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week label YYYY-Www."""
    monday = dt.datetime.strptime(week + "-1", "%G-W%V-%u").date()
    return monday, monday + dt.timedelta(days=6)


def iso_week(day: dt.date) -> str:
    """The ISO week label YYYY-Www of a date."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def complete_weeks(last_day: dt.date, first_day: dt.date) -> list[str]:
    """ISO weeks, newest first, whose 7 days all lie on or before `last_day` and end on or after `first_day`."""
    sunday = last_day - dt.timedelta(days=(last_day.isoweekday() % 7))
    weeks = []
    while sunday >= first_day:
        weeks.append(iso_week(sunday))
        sunday -= dt.timedelta(days=7)
    return weeks


def store_covers(store: pl.DataFrame | None, start: dt.date, end: dt.date) -> bool:
    """Whether the daily rows of `store` (an orders export; or ad data) reach into start..end; outside them
    figures are unknown, not 0.

    Small stores go days without an order, so overlapping the period is enough.
    """
    return store is not None and store.height > 0 and store["date"].min() <= end and store["date"].max() >= start


def period_figures(
    kpis_daily: pl.DataFrame,
    store: pl.DataFrame | None,
    start: dt.date,
    end: dt.date,
    sessions: pl.DataFrame | None = None,
) -> dict[str, float | int | None]:
    """Account totals and KPIs for the days start..end (inclusive), with store orders, revenue and MER.

    With daily `sessions` (see `sessions_daily`) covering the period: sessions and
    store conversion rate (orders / sessions).
    """
    days = kpis_daily.filter(pl.col("date").is_between(start, end))
    totals = rollup(days.with_columns(pl.lit(1).alias("_all")), ["_all"]).drop("_all")
    row = totals.row(0, named=True) if totals.height else {name: None for name in totals.columns}
    # A day without a row inside the ad exports' dates spent nothing; outside them (or with no ad export) spend
    # is unknown, not 0.
    no_rows = 0 if store_covers(kpis_daily, start, end) else None
    figures: dict[str, float | int | None] = {
        "spend": row.get("spend") or (None if no_rows is None else 0.0),
        "purchase_value": row.get("purchase_value"),
        "purchases": row.get("purchases"),
        "impressions": row.get("impressions") or no_rows,
        "link_clicks": row.get("link_clicks"),
        **{name: row.get(name) for name in ("roas", "cpa", "ctr", "cpm", "cvr", "aov")},
        "orders": None,
        "revenue": None,
        "mer": None,
        "sessions": None,
        "store_cvr": None,
    }
    if store_covers(store, start, end):
        sales = store.filter(pl.col("date").is_between(start, end)).select(
            pl.col("orders").sum().alias("orders") if store["orders"].null_count() < store.height
            else pl.lit(None, pl.Int64).alias("orders"),
            pl.col("revenue").sum(),
            pl.lit(figures["spend"], pl.Float64).alias("spend"),
        )
        figures.update(sales.select("orders", "revenue", ratio("revenue", "spend").alias("mer")).row(0, named=True))
    if store_covers(sessions, start, end):
        visits = sessions.filter(pl.col("date").is_between(start, end)).select(
            pl.col("sessions").sum(), pl.lit(figures["orders"], pl.Int64).alias("orders")
        )
        figures.update(visits.select("sessions", ratio("orders", "sessions").alias("store_cvr")).row(0, named=True))
    return figures


def store_daily_from_sales(store_sales: pl.DataFrame) -> pl.DataFrame:
    """The `store_daily` shape from Shopify Analytics sales (revenue = total sales after returns)."""
    return store_sales.select(
        "date",
        "orders",
        pl.col("total_sales").alias("revenue"),
        pl.lit(None, pl.Int64).alias("new_customer_orders"),
        pl.lit(None, pl.Int64).alias("units"),
        ratio("total_sales", "orders").alias("store_aov"),
    ).sort("date")


def sessions_daily(sessions: pl.DataFrame) -> pl.DataFrame | None:
    """One row per day: sessions summed over channels, from one source (GA4 before Shopify) per day.

    Weekly GA4 rows (weeks start on Sunday there) do not map onto ISO weeks and are left out.
    """
    daily = sessions.filter(pl.col("period") == "day")
    if daily.height == 0:
        return None
    return (
        daily.filter(pl.col("source") == pl.col("source").min().over("date"))
        .group_by("date")
        .agg(pl.col("sessions").sum())
        .sort("date")
    )


def spend_by_platform(kpis_daily: pl.DataFrame, start: dt.date, end: dt.date) -> dict[str, dict[str, float | None]]:
    """Spend, purchase value and ROAS per ad platform for the days start..end."""
    days = kpis_daily.filter(pl.col("date").is_between(start, end))
    return {
        row["platform_source"]: {"spend": _rounded(row["spend"]), "purchase_value": _rounded(row["purchase_value"]),
                                 "roas": _rounded(row["roas"])}
        for row in rollup(days, ["platform_source"]).iter_rows(named=True)
    }


def account_daily(kpis_daily: pl.DataFrame, store: pl.DataFrame | None) -> pl.DataFrame:
    """One row per date: account sums and KPIs, store orders and revenue, and MER."""
    daily = rollup(kpis_daily, ["date"])
    if store is None:
        store = pl.DataFrame(schema={"date": pl.Date, "orders": pl.Int64, "revenue": pl.Float64})
    # A store day without an ad row spent nothing while there are ad exports; without any, spend is unknown.
    no_rows = [pl.col(name).fill_null(0) for name in ("spend", "impressions")] if kpis_daily.height else []
    return (
        daily.join(store.select("date", "orders", "revenue"), on="date", how="full", coalesce=True)
        .with_columns(no_rows)
        .with_columns(ratio("revenue", "spend").alias("mer"))
        .sort("date")
    )


def breakeven_roas(gross_margin: float) -> float:
    """The ROAS at which ads pay for the goods they sell: 1 / gross margin (DESIGN 4)."""
    return 1.0 / gross_margin


def store_figures(store: pl.DataFrame, start: dt.date, end: dt.date) -> dict[str, float | int | None]:
    """Store totals for the days start..end (inclusive): orders, revenue, units, AOV and new-customer share.

    `store` is kpis.store_daily(orders); `days` counts the days that had orders.
    """
    totals = (
        store.lazy()
        .filter(pl.col("date").is_between(start, end))
        .select(*sum_metrics_of(["orders", "revenue", "new_customer_orders", "units"]), pl.len().alias("days"))
        .with_columns(
            ratio("revenue", "orders").alias("store_aov"),
            ratio("new_customer_orders", "orders").alias("new_customer_share"),
        )
        .collect()
    )
    return totals.row(0, named=True)


def breakdown_view(ad_insights: pl.DataFrame | pl.LazyFrame, breakdown: str) -> pl.LazyFrame:
    """The daily rows of one breakdown export (age_gender, placement, ...) counted once (DESIGN 3.3).

    Per (date, platform, campaign) only the finest level exported, and per (date, entity) one attribution
    setting (the first by name): a breakdown describes the same spend again, so it is only ever summed on its own.
    """
    frame = ad_insights.lazy().filter(
        (pl.col("breakdown") == breakdown)
        & (pl.col("window_start").is_null() | (pl.col("window_start") == pl.col("date")))
    )
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8)
    finest = finest_level(rank, ["date", "platform_source", "account"])
    attribution = pl.col("attribution_setting").fill_null("")
    # One attribution setting per (date, entity), as totals_view: not one for the whole account.
    return frame.filter(finest).filter(attribution == attribution.min().over("date", "platform_source", *ENTITY))


def breakdown_rollup(
    ad_insights: pl.DataFrame | pl.LazyFrame, breakdown: str, by: list[str], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """One row per value of `by` (e.g. age, gender) over the days start..end, from one breakdown export only."""
    days = breakdown_view(ad_insights, breakdown).filter(pl.col("date").is_between(start, end))
    return rollup(days, by)


def customer_split(orders: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per customer type (new, returning, unknown) over start..end: orders, revenue and store AOV.

    Counts the same orders as store_daily (neither cancelled nor voided; revenue = total - refunded).
    """
    kind = (
        pl.when(pl.col("is_new_customer")).then(pl.lit("new"))
        .when(~pl.col("is_new_customer")).then(pl.lit("returning"))
        .otherwise(pl.lit("unknown"))
    )
    return (
        orders.lazy()
        .filter(pl.col("date").is_between(start, end))
        .filter(~pl.col("cancelled") & ~pl.col("financial_status").is_in(EXCLUDED_FINANCIAL_STATUSES))
        .group_by(kind.alias("customer"))
        .agg(pl.len().alias("orders"), (pl.col("total") - pl.col("refunded").fill_null(0.0)).sum().alias("revenue"))
        .with_columns(ratio("revenue", "orders").alias("store_aov"))
        .sort(pl.col("customer").replace_strict({"new": 0, "returning": 1, "unknown": 2}, return_dtype=pl.Int8))
        .collect()
    )


__all__ = [
    "AD_METRICS",
    "account_daily",
    "add_week",
    "breakdown_rollup",
    "breakdown_view",
    "breakeven_roas",
    "complete_weeks",
    "compute_kpis_daily",
    "compute_kpis_weekly",
    "compute_results_daily",
    "customer_split",
    "kpi_exprs",
    "latest_week",
    "log_split",
    "period_figures",
    "ratio",
    "reporting_dates",
    "rollup",
    "rollup_results",
    "store_daily",
    "store_figures",
    "totals_view",
    "week_bounds",
]


SUMMARY_KEYS = ("spend", "purchase_value", "purchases", "impressions", "link_clicks", "roas", "cpa", "ctr", "cpm",
                "cvr", "aov", "orders", "revenue", "mer", "sessions", "store_cvr")


def _rounded(value: float | int | None) -> float | int | None:
    """JSON-friendly numbers: floats to 6 decimals so reruns write the same bytes."""
    return round(value, 6) if isinstance(value, float) else value


def reporting_dates(kpis_daily: pl.DataFrame, store: pl.DataFrame | None) -> pl.Series:
    """The dates weeks are reported for: those of the ad data; for a store without ads, those of its sales."""
    if kpis_daily.height or store is None:
        return kpis_daily["date"]
    return store["date"]


def latest_week(dates: pl.Series) -> tuple[str | None, bool]:
    """The newest ISO week whose 7 days all lie on or before the last of `dates`, and True; without one, the
    week of the last date and False; (None, False) without dates."""
    if dates.is_empty():
        return None, False
    weeks = complete_weeks(dates.max(), dates.min())
    return (weeks[0], True) if weeks else (iso_week(dates.max()), False)


def build_summary(
    kpis_daily: pl.DataFrame, store: pl.DataFrame | None, ledger: pl.DataFrame, currency: str | None,
    data_source: str, sessions: pl.DataFrame | None = None,
) -> dict:
    """metrics/summary.json (DESIGN 3.5): the latest complete ISO week, the week before, and the row ledger.

    The latest complete week is the newest ISO week whose 7 days all lie on or
    before the last date in the ad data (for a store without ads, in its sales
    data); without one, the latest (partial) week. Without ad data every ad
    metric is null; with no dated data at all, so is the week.
    """
    week, complete = latest_week(reporting_dates(kpis_daily, store))
    if week is None:
        empty = {key: None for key in SUMMARY_KEYS}
        return _summary(None, complete, currency, empty, None, empty, ledger, {}, data_source)
    monday, sunday = week_bounds(week)
    previous_monday = monday - dt.timedelta(days=7)
    current = period_figures(kpis_daily, store, monday, sunday, sessions)
    previous = period_figures(kpis_daily, store, previous_monday, previous_monday + dt.timedelta(days=6), sessions)
    by_platform = spend_by_platform(kpis_daily, monday, sunday)
    return _summary(week, complete, currency, current, iso_week(previous_monday), previous, ledger, by_platform,
                    data_source)


def _summary(
    week: str | None, complete: bool, currency: str | None, current: dict, previous_week: str | None,
    previous: dict, ledger: pl.DataFrame, by_platform: dict, data_source: str,
) -> dict:
    """The summary.json mapping, every contract key present (null where unknown)."""
    totals = ledger.select(pl.col("rows_in", "kept", "replaced", "totals", "quarantined").sum()).row(0, named=True)
    return {
        "week": week,
        "week_complete": complete,
        "currency": currency,
        **{key: _rounded(current[key]) for key in SUMMARY_KEYS},
        "previous": {"week": previous_week, **{key: _rounded(previous[key]) for key in SUMMARY_KEYS}},
        "rows": {
            "in": int(totals["rows_in"] or 0),
            "kept": int(totals["kept"] or 0),
            "replaced": int(totals["replaced"] or 0),
            "totals": int(totals["totals"] or 0),
            "quarantined": int(totals["quarantined"] or 0),
        },
        "by_platform": by_platform,
        "data_source": data_source,
    }


# ---------------------------------------------------------------------------------------------------- windows
# Exports without a `Day` column hold one row per entity for a `Reporting starts`..`Reporting ends` window.
# A window row spans many days, so it never enters the daily tables; it is summed only with rows of the
# very same window, never with days or with windows of another length.

WINDOW_KEYS = ("window_start", "window_end")


def window_rows(ad_insights: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The rows of reporting-window exports (a window longer than one day), with `window_end` = their date."""
    return (
        ad_insights.lazy()
        .filter(pl.col("window_start").is_not_null() & (pl.col("window_start") < pl.col("date")))
        .with_columns(pl.col("date").alias("window_end"))
    )


def window_view(ad_insights: pl.DataFrame | pl.LazyFrame, *, other_attribution: bool = False) -> pl.LazyFrame:
    """One view of each window's spend per ad, so that nothing is counted twice (DESIGN 3.3, as totals_view).

    Per (window, platform, campaign) only the finest level exported; per (window, entity) the
    `breakdown = none` rows where present, else the first breakdown (by name) summed; one attribution
    setting, the first by name. With `other_attribution`, the rows of that view the attribution rule
    leaves out instead (so a page can say what was not counted).
    """
    window = [*WINDOW_KEYS, "platform_source"]
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8)
    chosen_breakdown = pl.when(pl.col("breakdown") == "none").then(pl.lit("")).otherwise(pl.col("breakdown"))
    attribution = pl.col("attribution_setting").fill_null("")
    first_attribution = attribution == attribution.min().over(*window, *ENTITY)
    return (
        window_rows(ad_insights)
        .filter(finest_level(rank, [*window, "account"]))
        .filter(chosen_breakdown == chosen_breakdown.min().over(*window, *ENTITY))
        .filter(~first_attribution if other_attribution else first_attribution)
    )


def window_results(ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """One row per result type of the window start..end: spend, results and cost per result; largest spend first.

    From the same one view as kpis_period (window_view); results of different types are never added up.
    """
    rows = window_view(ad_insights).filter((pl.col("window_start") == start) & (pl.col("window_end") == end))
    typed = typed_rows(rows.select(*WINDOW_KEYS, "platform_source", *ENTITY, RESULTS_KEY, *RESULT_SUMS),
                       [*WINDOW_KEYS, "platform_source", *ENTITY])
    return rollup_results(typed, []).sort(pl.col("spend").fill_null(0.0), RESULTS_KEY, descending=[True, False])


def window_results_summary(ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> list[dict]:
    """One dict per result type of the window start..end (window_results), rounded as results_summary rounds."""
    return [{key: _rounded(value) for key, value in row.items()}
            for row in window_results(ad_insights, start, end).select(
                RESULTS_KEY, "spend", "results", "cost_per_result").iter_rows(named=True)]


def window_left_out(ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> dict[str, float | int]:
    """Rows and spend of the window start..end left out of its totals for a second attribution setting."""
    return (
        window_view(ad_insights, other_attribution=True)
        .filter((pl.col("window_start") == start) & (pl.col("window_end") == end))
        .select(pl.len().alias("rows"), pl.col("spend").sum().round(SUM_DECIMALS).alias("spend"))
        .collect()
        .row(0, named=True)
    )


def compute_kpis_period(
    ad_insights: pl.DataFrame | pl.LazyFrame, hold_rate_base: str = "video_3s_plays"
) -> pl.DataFrame:
    """One row per (window_start, window_end, platform_source, campaign, adset, ad) of reporting-window exports.

    Sums, KPIs (ratios of the window's sums), `days` (the window's length) and frequency where reach was
    exported at this grain (a single ad-level, no-breakdown row behind the output row). Empty when every
    export has days.
    """
    by = [*WINDOW_KEYS, "platform_source", *ENTITY]
    single = (pl.col("level") == "ad") & (pl.col("breakdown") == "none")
    reach = pl.col("reach").filter(single).first()
    return (
        window_view(ad_insights)
        .group_by(by, maintain_order=True)
        .agg(*sum_metrics(), pl.when(single.sum() == 1).then(reach).alias("reach"))
        .with_columns(_rounded_sum(name) for name in FLOAT_SUMS)
        .with_columns(
            *kpi_exprs(hold_rate_base),
            ratio("impressions", "reach").alias("frequency"),
            ((pl.col("window_end") - pl.col("window_start")).dt.total_days() + 1).alias("days"),
        )
        .select(*by, *KPI_SUMS, *KPI_FRACTIONS, "reach", "frequency", "days")
        .collect(engine="in-memory")
        .sort(by, nulls_last=True)
    )


def report_windows(kpis_period: pl.DataFrame) -> list[tuple[dt.date, dt.date]]:
    """The distinct (window_start, window_end) of kpis_period, latest end first (the longer first on a tie)."""
    windows = kpis_period.select(*WINDOW_KEYS).unique().sort("window_end", "window_start", descending=[True, False])
    return [tuple(row) for row in windows.iter_rows()]


def window_kpis(kpis_period: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The kpis_period rows of exactly the window start..end, with `date` = its end (the shape of kpis_daily)."""
    return kpis_period.filter((pl.col("window_start") == start) & (pl.col("window_end") == end)).with_columns(
        pl.col("window_end").alias("date")
    )


def store_spans(store: pl.DataFrame | None, start: dt.date, end: dt.date, slack_days: int = 7) -> bool:
    """Whether the store data runs from start to end, give or take `slack_days` without an order at either end.

    A window may span years; an orders export that covers a few of its months would make MER a ratio of
    unlike periods, so store figures for a window need the store data to span it.
    """
    slack = dt.timedelta(days=slack_days)
    return (
        store_covers(store, start, end)
        and store["date"].min() <= start + slack
        and store["date"].max() >= end - slack
    )


def window_figures(
    kpis_period: pl.DataFrame,
    store: pl.DataFrame | None,
    start: dt.date,
    end: dt.date,
    sessions: pl.DataFrame | None = None,
) -> dict[str, float | int | None]:
    """Account totals and KPIs of one reporting window (the keys of period_figures), from its rows only.

    Store orders, revenue and MER (and sessions) are given only where that data spans the window
    (store_spans); otherwise they stay unknown.
    """
    return period_figures(
        window_kpis(kpis_period, start, end),
        store if store_spans(store, start, end) else None,
        start,
        end,
        sessions if store_spans(sessions, start, end) else None,
    )


def build_period_summary(
    kpis_period: pl.DataFrame, store: pl.DataFrame | None, ledger: pl.DataFrame, currency: str | None,
    data_source: str, sessions: pl.DataFrame | None = None,
) -> dict:
    """metrics/summary.json when the ad data has no days: the figures of the latest reporting window.

    `week` is the ISO week the window ends in (the contract's label; its page points to the window's
    page), `period` gives the window's dates and length, and `previous` holds nulls: no day-by-day data
    means no week before to compare with.
    """
    start, end = report_windows(kpis_period)[0]
    current = window_figures(kpis_period, store, start, end, sessions)
    totals = ledger.select(pl.col("rows_in", "kept", "replaced", "totals", "quarantined").sum()).row(0, named=True)
    rows = window_kpis(kpis_period, start, end)
    return {
        "week": iso_week(end),
        "week_complete": False,
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": (end - start).days + 1},
        "currency": currency,
        **{key: _rounded(current[key]) for key in SUMMARY_KEYS},
        "previous": {"week": iso_week(end - dt.timedelta(days=7)), **dict.fromkeys(SUMMARY_KEYS)},
        "rows": {key: int(totals[name] or 0) for key, name in
                 (("in", "rows_in"), ("kept", "kept"), ("replaced", "replaced"), ("totals", "totals"),
                  ("quarantined", "quarantined"))},
        "by_platform": spend_by_platform(rows, start, end),
        "data_source": data_source,
    }


def window_breakdown_rollup(
    ad_insights: pl.DataFrame | pl.LazyFrame, breakdown: str, by: list[str], start: dt.date, end: dt.date
) -> pl.DataFrame:
    """One row per value of `by` over the window start..end, from that window's rows of one breakdown export.

    As breakdown_view: the finest level exported per campaign and one attribution setting (the first by
    name), since a breakdown describes the same spend again and is only ever summed on its own.
    """
    rank = pl.col("level").replace_strict(LEVEL_RANK, default=0, return_dtype=pl.Int8)
    attribution = pl.col("attribution_setting").fill_null("")
    rows = (
        window_rows(ad_insights)
        .filter((pl.col("breakdown") == breakdown) & (pl.col("window_start") == start) & (pl.col("window_end") == end))
        .filter(finest_level(rank, ["platform_source", "account"]))
        .filter(attribution == attribution.min().over("platform_source", *ENTITY))
    )
    return rollup(rows, by)


def window_breakdowns(ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date) -> list[str]:
    """The breakdowns (age_gender, placement, ...) exported for exactly the window start..end, sorted."""
    rows = window_rows(ad_insights).filter((pl.col("window_start") == start) & (pl.col("window_end") == end))
    names = rows.select(pl.col("breakdown").unique()).collect()["breakdown"].drop_nulls().to_list()
    return sorted(name for name in names if name != "none")
