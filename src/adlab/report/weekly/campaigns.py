"""The campaign -> ad set -> ad table, the best and worst ads and the ad-platform table of a weekly page
(the campaign table and the ad lists serve the reporting-window page too)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import polars as pl

from adlab import kpis
from adlab.display import PLATFORM_NAMES, column_formats, fmt_money, fmt_pct
from adlab.report.html import esc, html_table, note_html
from adlab.report.weekly.header import no_ads_html
from adlab.report.weekly.tones import target_tones

# The columns a reader looks at first come first: on a phone the rest scroll in from the right.
TREE_COLUMNS = (
    "name",
    "spend",
    "roas",
    "cpa",
    "purchase_value",
    "purchases",
    "results",
    "cost_per_result",
    "share_of_spend",
    "aov",
    "ctr",
    "cvr",
    "cpm",
    "link_clicks",
    "impressions",
)


AD_COLUMNS = ("ad", "spend", "roas", "cpa", "purchase_value", "purchases", "ctr", "campaign", "adset")


NO_PURCHASE_COLUMNS = ("ad", "spend", "impressions", "link_clicks", "ctr", "cpm", "campaign", "adset")


# Under a folded table (frames.fold_entity_tree).
FOLDED_NOTE = (
    "Only the campaigns with the most spend have a row of their own, and only the largest of them list "
    "their largest ad sets and ads; each “… more” row sums the figures of the others of its level, so the "
    "rows still add up to the totals. notebooks/explore.ipynb lists them all."
)


def entity_table_html(
    tree: pl.DataFrame, currency: str, *, target_roas: float, target_cpa: float, gross_margin: float
) -> str:
    """The campaign -> ad set -> ad table of entity_tree (or fold_entity_tree) as HTML, ROAS and CPA coloured
    against targets.

    Rows without spend or impressions (paused ads an export still lists) are left out, with a note; so is a
    note on the folded rows when there are any.
    """
    delivered = (pl.col("spend").fill_null(0) != 0) | (pl.col("impressions").fill_null(0) != 0)
    idle_ads = tree.filter(~delivered & (pl.col("level") == "ad")).height
    tree = tree.filter(delivered | (pl.col("level") == "account"))
    columns = [name for name in TREE_COLUMNS if name in tree.columns]
    shown = tree.select("level", *columns)
    # Same campaign names may run on two platforms or in two accounts: say which row is which.
    # The default account (null) beside a named one is an account too: its campaigns say `default account`.
    campaigns = tree.filter(pl.col("level") == "campaign")
    owners = [
        name for name in ("account", "platform_source") if name in tree.columns and campaigns[name].n_unique() > 1
    ]
    if owners:
        owner = pl.concat_str(
            [tree[name].fill_null("default account") if name == "account" else tree[name] for name in owners],
            separator=", ",
            ignore_nulls=True,
        )
        shown = shown.with_columns(
            pl.when(pl.col("level") == "campaign")
            .then(pl.concat_str(pl.col("name"), pl.lit(" ("), owner, pl.lit(")")))
            .otherwise(pl.col("name"))
            .alias("name")
        )
    tones = target_tones(target_roas=target_roas, target_cpa=target_cpa, gross_margin=gross_margin)
    table = html_table(shown, column_formats(currency), tones=tones, row_class="level")
    if tree["level"].str.ends_with("-more").any():
        table += note_html(FOLDED_NOTE)
    if idle_ads:
        table += note_html(f"{idle_ads} ad(s) listed in the exports had no spend or impressions this week.")
    return table


def ads_table_html(
    ads: pl.DataFrame,
    currency: str,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
    columns: Sequence[str] = AD_COLUMNS,
) -> str:
    """A table of single ads (best or worst) with their campaign and ad set, and account where the frame has
    one (several accounts); ROAS and CPA coloured."""
    tones = target_tones(target_roas=target_roas, target_cpa=target_cpa, gross_margin=gross_margin)
    shown = [*columns, *(["account"] if "account" in ads.columns and "account" not in columns else [])]
    return html_table(ads.select(*shown), column_formats(currency), tones=tones)


def best_worst_html(
    best: pl.DataFrame,
    worst: pl.DataFrame,
    currency: str,
    *,
    min_spend: float,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
    no_purchase: pl.DataFrame | None = None,
) -> str:
    """The best and the worst ads, then the ads that spent without a purchase, with the rule that picked them."""
    table = functools.partial(
        ads_table_html, currency=currency, target_roas=target_roas, target_cpa=target_cpa, gross_margin=gross_margin
    )
    threshold = fmt_money(min_spend, currency)
    parts = [
        note_html(
            f"Ranked by ROAS among ads that spent at least {threshold} this week (the target CPA), "
            "so a lucky single purchase does not top the list."
        )
    ]
    if best.is_empty():
        parts.append(note_html("No ad reached that spend with a purchase value to rank."))
    else:
        parts.append(f'<h3 class="good">Best</h3>{table(best)}')
    if worst.height:
        parts.append(f'<h3 class="bad">Worst</h3>{table(worst)}')
    if no_purchase is not None and no_purchase.height:
        parts.append(
            f'<h3 class="bad">Spent {esc(threshold)} or more without a purchase</h3>'
            + table(no_purchase, columns=NO_PURCHASE_COLUMNS)
        )
    return "".join(parts)


def platform_table_html(
    kpis_daily: pl.DataFrame, week: str, currency: str, *, target_roas: float, target_cpa: float, gross_margin: float
) -> str:
    """Spend and ROAS per ad platform for the week (MER above already uses the spend of all of them)."""
    start, end = kpis.week_bounds(week)
    platforms = kpis.rollup(kpis_daily.filter(pl.col("date").is_between(start, end)), ["platform_source"])
    if platforms.is_empty():
        return no_ads_html("platforms")
    if platforms.height == 1:
        only = platforms["platform_source"][0]
        return note_html(
            f"All ad spend this week is on {PLATFORM_NAMES.get(only, only)}. Drop Google Ads or Pinterest "
            "exports into data/raw/ to compare platforms here."
        )
    total = float(platforms["spend"].sum() or 0.0)
    table = platforms.with_columns(
        pl.col("platform_source").replace(PLATFORM_NAMES).alias("platform_source"),
        (pl.col("spend") / total if total else pl.lit(None, pl.Float64)).alias("share"),
    ).select("platform_source", "spend", "share", "purchase_value", "roas", "purchases", "cpa", "ctr", "cpm")
    return html_table(
        table,
        {**column_formats(currency), "share": fmt_pct},
        labels={"platform_source": "Platform", "share": "% of spend"},
        tones=target_tones(target_roas=target_roas, target_cpa=target_cpa, gross_margin=gross_margin),
    )
