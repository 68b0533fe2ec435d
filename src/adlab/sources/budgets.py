"""Budget columns of ads exports -> `budget`, `budget_type` and `budget_level` of `ad_insights`.

Ads Manager writes the ad set's budget on every row (`Ad set budget` = `70`, `Ad set budget type` = `Daily`),
or, under a campaign budget, the text `Using campaign budget` (with a type of `0`); some exports add
`Campaign budget` / `Campaign budget type`. The budget is the one set when the file was exported, not the
day's: it is kept as written, never summed, and a text value means no amount (null) at the level it names.
A cell that is not a budget (a `-`, a stray word) is unknown, never a reason to set the row aside.
"""

from __future__ import annotations

import polars as pl

from adlab.sources.common import parse_number, parsed_column

# The spelling of each budget column, by what it holds (normalised headers, as `find_column` compares them).
BUDGET_COLUMNS: dict[str, tuple[str, ...]] = {
    "adset_budget": ("ad set budget", "adset budget"),
    "adset_budget_type": ("ad set budget type", "adset budget type"),
    "campaign_budget": ("campaign budget",),
    "campaign_budget_type": ("campaign budget type",),
}
# Words of a budget cell saying the budget is set on the campaign (Advantage campaign budget).
CAMPAIGN_BUDGET_TEXT = r"(?i)campaign"


def _kind(column: str | None) -> pl.Expr:
    """`daily` or `lifetime` from a budget type cell; null for anything else (`0`, `-`, blank)."""
    if column is None:
        return pl.lit(None, pl.String)
    text = pl.col(parsed_column(column, "text")).str.to_lowercase()
    return (
        pl.when(text.str.contains("daily|day"))
        .then(pl.lit("daily"))
        .when(text.str.contains("lifetime|total"))
        .then(pl.lit("lifetime"))
    )


def budget_exprs(columns: dict[str, str], decimal_comma: bool = False) -> list[pl.Expr]:
    """The expressions of `budget` (Float64), `budget_type` (daily | lifetime) and `budget_level` (adset | campaign).

    `columns` maps the keys of BUDGET_COLUMNS to the export's headers (only those it has); their cleaned
    text sits beside them (`with_parsed` texts). An ad set amount wins; `Using campaign budget` (or an
    ad set cell left empty while a campaign amount exists) puts the budget on the campaign, with the
    campaign's amount when exported, else a null amount at level `campaign`.
    """
    if not columns:
        return [
            pl.lit(None, pl.Float64).alias("budget"),
            pl.lit(None, pl.String).alias("budget_type"),
            pl.lit(None, pl.String).alias("budget_level"),
        ]
    absent = pl.lit(None, pl.Float64)
    adset = (
        parse_number(parsed_column(columns["adset_budget"], "text"), decimal_comma)
        if "adset_budget" in columns
        else absent
    )
    campaign = (
        parse_number(parsed_column(columns["campaign_budget"], "text"), decimal_comma)
        if "campaign_budget" in columns
        else absent
    )
    says_campaign = (
        pl.col(parsed_column(columns["adset_budget"], "text")).str.contains(CAMPAIGN_BUDGET_TEXT).fill_null(False)
        if "adset_budget" in columns
        else pl.lit(False)
    )
    on_adset = adset.is_not_null() & (adset > 0)
    on_campaign = ~on_adset & (says_campaign | (campaign.is_not_null() & (campaign > 0)))
    return [
        pl.when(on_adset).then(adset).when(on_campaign & (campaign > 0)).then(campaign).alias("budget"),
        pl.when(on_adset)
        .then(_kind(columns.get("adset_budget_type")))
        .when(on_campaign)
        .then(_kind(columns.get("campaign_budget_type")))
        .alias("budget_type"),
        pl.when(on_adset).then(pl.lit("adset")).when(on_campaign).then(pl.lit("campaign")).alias("budget_level"),
    ]
