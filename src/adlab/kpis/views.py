"""Which ad rows count, so that nothing is counted twice: one level, one breakdown, one attribution setting.

Re-exports, coarser levels and breakdown files describe the same spend again; every daily table and
roll-up sums one view of it (`totals_view`), and a breakdown is only ever summed on its own (`breakdown_view`).
"""

from __future__ import annotations

import polars as pl

from adlab.schema import ENTITY

LEVEL_RANK = {"account": 0, "campaign": 1, "adset": 2, "ad": 3}


def totals_view(ad_insights: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One view of daily spend per (date, ad), so that nothing is counted twice.

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


def breakdown_view(ad_insights: pl.DataFrame | pl.LazyFrame, breakdown: str) -> pl.LazyFrame:
    """The daily rows of one breakdown export (age_gender, placement, ...) counted once.

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
