"""The page of an export without days: one page per reporting window (`Reporting starts`..`Reporting ends`).

Ads Manager exports one row per entity for a whole window ("period" or "lifetime" exports). Such a window is
one period: its page shows the window's tiles, campaign table, best and worst ads and breakdowns (from
kpis_period, ratios of the window's sums) with the weekly page's section builders, and says in one line which
sections need daily rows. Every string from a file is escaped by those builders."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from adlab import charts, kpis
from adlab.display import column_formats, fmt_int, fmt_money
from adlab.report.frames import (
    account_names,
    ads_without_purchase,
    best_and_worst_ads,
    entity_tables,
    entity_tree,
    fold_entity_tree,
    plotted_ads,
)
from adlab.report.html import (
    PlotlyEmbed,
    Tile,
    banner_html,
    code_note_html,
    esc,
    fmt_dates,
    html_table,
    info_html,
    note_html,
    page_html,
    tiles_html,
)
from adlab.report.weekly.breakdowns import BREAKDOWN_DIMS, BREAKDOWN_EXPORTS, breakdown_table_html, delivered
from adlab.report.weekly.campaigns import best_worst_html, entity_table_html
from adlab.report.weekly.creatives import plotted_ads_note_html
from adlab.report.weekly.header import accounts_note_html
from adlab.report.weekly.quality import source_files_html
from adlab.report.weekly.store import NO_ORDERS_NOTE
from adlab.report.weekly.tiles import HEADLINE, headline, store_tiles

# The window's ad figures in tile order: the additive sums, then the ratios of those sums. The figures of the
# weekly headline keep its tiles (and targets); the counts below get tiles of their own.
WINDOW_TILES = (
    "spend",
    "impressions",
    "link_clicks",
    "purchases",
    "purchase_value",
    "roas",
    "cpa",
    "ctr",
    "cpm",
    "cvr",
    "aov",
    "mer",
)


COUNT_TILES = {
    "impressions": ("Impressions", "Times the ads were shown"),
    "link_clicks": ("Link clicks", "Clicks on the ads' links"),
    "purchases": ("Purchases", "Purchases the ad platforms attribute to ads"),
}


# A tile that stays unknown names the Ads Manager column that would fill it.
MISSING_COLUMNS = {
    "link_clicks": ("Link clicks", "CTR and CVR"),
    "purchases": ("Purchases", "CPA, CVR and AOV"),
    "purchase_value": ("Purchases conversion value (or Purchase ROAS)", "ROAS and AOV"),
}


# Weekly sections that compare days or weeks, so a window (one period, no days) cannot have them.
NEEDS_DAYS = (
    ("Recommendations", "Recommendations weigh an entity's recent days against its earlier ones"),
    ("Why ROAS moved", "The split of ROAS's change into CPM, CTR, CVR and AOV compares two periods"),
    ("Daily trend", "The daily spend and ROAS chart draws one point per day"),
    ("Creative fatigue", "Fatigue flags look for CTR falling while frequency rises, day by day"),
)


DAILY_EXPORT = "in Ads Manager choose Breakdown → By time → Day and export again"


def window_stem(start: dt.date, end: dt.date) -> str:
    """The window's page name: `2023-02-05_2026-03-05` (its file is reports/weekly/<stem>.html)."""
    return f"{start.isoformat()}_{end.isoformat()}"


def fmt_window(start: dt.date, end: dt.date) -> str:
    """A window's dates for people: `5 Feb 2023 – 5 Mar 2026`."""
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def window_tables(kpis_period: pl.DataFrame, start: dt.date, end: dt.date) -> dict[str, pl.DataFrame]:
    """The window's roll-ups (the shape of frames.week_tables): `account`, `campaign`, `adset`, `ad`."""
    return entity_tables(kpis.window_kpis(kpis_period, start, end))


def window_tiles(
    figures: Mapping[str, Any],
    currency: str,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
    has_store: bool = False,
) -> list[Tile]:
    """One tile per figure of WINDOW_TILES; ROAS, CPA and MER held against targets, no change (no period before).

    `has_store`: there is store data, so an unknown MER means it does not span the window (not a missing export).
    """
    targeted = dict(
        zip(
            (figure.key for figure in HEADLINE),
            headline(
                figures, None, currency, target_roas=target_roas, target_cpa=target_cpa, gross_margin=gross_margin
            ),
            strict=True,
        )
    )
    if has_store and figures.get("mer") is None:
        targeted["mer"] = dataclasses.replace(targeted["mer"], note="store data does not span the window")
    tiles = []
    for key in WINDOW_TILES:
        if key in COUNT_TILES:
            label, hint = COUNT_TILES[key]
            tile = Tile(label=label, value=fmt_int(figures.get(key)), hint=hint)
        else:
            tile = targeted[key]
        tiles.append(dataclasses.replace(tile, change="", compared_to=""))
    return tiles


def missing_notes(figures: Mapping[str, Any]) -> list[str]:
    """One line per ad figure the export does not give, naming the Ads Manager column (in backticks) that would."""
    return [
        f"{_label(key)} unknown: add the `{column}` column in Ads Manager (Columns → Customise columns) and "
        f"export again to see it and {needs}."
        for key, (column, needs) in MISSING_COLUMNS.items()
        if figures.get(key) is None
    ]


def _label(key: str) -> str:
    """The label of a window tile."""
    return COUNT_TILES[key][0] if key in COUNT_TILES else next(f.label for f in HEADLINE if f.key == key)


def header_html(
    start: dt.date, end: dt.date, *, currency: str, sample_data: bool, others: Sequence[tuple[dt.date, dt.date]] = ()
) -> str:
    """The window page's title block: its dates, length, links, the other windows and the sample-data banner."""
    days = (end - start).days + 1
    meta = [f"Account currency {esc(currency)}", f"{days:,} days", "one row per entity for the whole window"]
    nav = (
        ' <span class="nav"><a href="../index.html">All reports</a><a href="../customers.html">Customers</a>'
        '<a href="../quality.html">Data quality</a></span>'
    )
    other = ""
    if others:
        links = ", ".join(f'<a href="{window_stem(*w)}.html">{esc(fmt_window(*w))}</a>' for w in others)
        other = f'<p class="meta">Other reporting windows: {links}</p>'
    return (
        '<header class="report-header">'
        '<div class="eyebrow">Advertising report for a reporting window</div>'
        f'<h1>{esc(fmt_window(start, end))} <span class="dates">{esc(fmt_dates(start, end))} · '
        f"{esc(window_stem(start, end))}</span></h1>"
        f'<p class="meta">{" · ".join(meta)}{nav}</p>{other}'
        "</header>"
        f"{banner_html(sample_data)}"
        + info_html(
            "These exports have no <code>Day</code> column: every figure below covers the whole window, summed "
            "over its rows. A window is never added to days or to windows of another length."
        )
    )


def window_results_html(
    ad_insights: pl.DataFrame | pl.LazyFrame,
    start: dt.date,
    end: dt.date,
    currency: str,
    figures: Mapping[str, Any],
    kpis_period: pl.DataFrame,
) -> str:
    """The window's results by result type (one tile each, cost per result of its sums); empty without any.

    Purchase results are left to the purchases tiles when the export has purchases (they count the same thing).
    """
    results = kpis.window_results(ad_insights, start, end)
    purchases_known = figures.get("purchases") is not None
    if purchases_known:
        results = results.filter(~kpis.is_purchase_type("result_type"))
    if not results.height:
        return ""
    tiles = [
        Tile(
            label=row["result_type"],
            value=fmt_int(row["results"]),
            note=f"{fmt_money(row['cost_per_result'], currency)} per {kpis.result_unit(row['result_type'])}",
            hint=f"{row['result_type']} as Ads Manager counts them, over the window; cost per "
            f"{kpis.result_unit(row['result_type'])} = spend of the ads optimised for them / results",
        )
        for row in results.iter_rows(named=True)
    ]
    notes = (
        []
        if purchases_known
        else [
            "The exports have no purchases, so ROAS and CPA are unknown (–): results by type and cost per result are "
            "what these ads can be judged by."
        ]
    )
    spend = window_kpis_spend(kpis_period, start, end)
    untyped = spend - float(results["spend"].sum() or 0.0)
    if untyped > 0.005:
        notes.append(
            f"{fmt_money(untyped, currency)} of the window's spend has no result type in the export "
            "(Result type left blank) and is not in these tiles."
        )
    return "<h2>Results by type</h2>" + tiles_html(tiles) + "".join(note_html(note) for note in notes)


def window_kpis_spend(kpis_period: pl.DataFrame, start: dt.date, end: dt.date) -> float:
    """The window's total spend as its tiles show it."""
    return float(kpis.window_kpis(kpis_period, start, end)["spend"].sum() or 0.0)


def left_out_html(ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date, currency: str) -> str:
    """One line on the rows left out of the window's totals for a second attribution setting; empty without any."""
    left = kpis.window_left_out(ad_insights, start, end)
    if not left["rows"]:
        return ""
    return note_html(
        f"{left['rows']:,} row(s) with {fmt_money(left['spend'], currency)} of spend are not in these totals: the "
        "same campaign, ad set and ad was also exported under another attribution setting, and attribution "
        "windows are never mixed in one total (the first setting by name counts)."
    )


def needs_days_html() -> str:
    """One line per weekly section that cannot exist without daily rows, with the export that would give it."""
    return "".join(
        f"<h2>{esc(title)}</h2>" + note_html(f"{what}, so it needs daily rows: {DAILY_EXPORT}.")
        for title, what in NEEDS_DAYS
    )


def breakdown_section_html(
    ad_insights: pl.DataFrame | pl.LazyFrame,
    breakdown: str,
    start: dt.date,
    end: dt.date,
    currency: str,
    figure_html: PlotlyEmbed,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str:
    """One breakdown's section for the window: table (largest spend first) and, for age x gender, the heatmap."""
    title, dims = BREAKDOWN_DIMS[breakdown]
    rolled = delivered(kpis.window_breakdown_rollup(ad_insights, breakdown, dims, start, end))
    if rolled.is_empty():
        return f"<h2>{esc(title)}</h2>" + note_html("No delivery in this breakdown for the window.")
    chart = ""
    if breakdown == "age_gender":
        fig = charts.fig_age_gender_heatmap(
            rolled,
            currency,
            target_roas=target_roas,
            breakeven_roas=kpis.breakeven_roas(gross_margin),
            min_spend=target_cpa,
        )
        chart = figure_html(fig, "age-gender")
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    return (
        f"<h2>{esc(title)}</h2>"
        + note_html(
            "From the breakdown export, summed on its own: a breakdown describes the same spend again, "
            "so it is never added to the totals above."
        )
        + chart
        + breakdown_table_html(rolled, breakdown, currency, **targets)
    )


def breakdowns_html(
    ad_insights: pl.DataFrame | pl.LazyFrame,
    start: dt.date,
    end: dt.date,
    currency: str,
    figure_html: PlotlyEmbed,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str:
    """A section per breakdown exported for the window; a line naming the export for age x gender, placements
    and regions or countries without one."""
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    exported = kpis.window_breakdowns(ad_insights, start, end)
    parts = []
    for breakdown, (title, _) in BREAKDOWN_DIMS.items():
        if breakdown in exported:
            parts.append(breakdown_section_html(ad_insights, breakdown, start, end, currency, figure_html, **targets))
        elif breakdown in ("age_gender", "placement"):
            text = (
                BREAKDOWN_EXPORTS[breakdown]
                .replace("for this week", "for this window")
                .replace("report by Day", "for the same reporting window")
            )
            parts += [f"<h2>{esc(title)}</h2>", info_html(text)]
    if not {"region", "country"} & set(exported):
        parts += [
            "<h2>Regions and countries</h2>",
            note_html(
                "No region or country figures for this window. In Meta Ads Manager choose Breakdown → By delivery → "
                "Region (or Country) for the same reporting window, export CSV and drop it into data/raw/."
            ),
        ]
    return "".join(parts)


def store_window_html(
    store: pl.DataFrame | None,
    figures: Mapping[str, Any],
    start: dt.date,
    end: dt.date,
    currency: str,
    *,
    gross_margin: float,
) -> str:
    """Store tiles for the window's dates where the store data spans them; else one line saying what would."""
    if store is None:
        return info_html(NO_ORDERS_NOTE)
    if not kpis.store_spans(store, start, end):
        dates = store["date"].drop_nulls()
        held = f"runs {fmt_dates(*kpis.date_span(dates))}" if dates.len() else "holds no orders"
        return note_html(
            f"The store data {held}, which does not span the window {fmt_window(start, end)}; export orders "
            "covering these dates from Shopify to see store revenue and MER for it."
        )
    extra = ("mer", "sessions", "store_cvr")
    now = {**kpis.store_figures(store, start, end), **{key: figures.get(key) for key in extra}}
    tiles = [
        dataclasses.replace(tile, change="", compared_to="")
        for tile in store_tiles(now, None, currency, gross_margin=gross_margin)
    ]
    return tiles_html(tiles) + note_html(
        "Store figures count every order in the store over the window's dates, not only those the ad platforms "
        "attribute to ads; MER (store revenue / ad spend) is the account-wide check on ROAS."
    )


def data_quality_window_html(
    ad_insights: pl.DataFrame | pl.LazyFrame,
    ledger: pl.DataFrame | None,
    warnings: pl.DataFrame | None,
    start: dt.date,
    end: dt.date,
) -> str:
    """The ledger and warnings of the files behind the window, and a link to the quality page."""
    files = sorted(
        kpis.window_rows(ad_insights)
        .filter((pl.col("window_start") == start) & (pl.col("window_end") == end))
        .select(pl.col("source_file").unique())
        .collect()["source_file"]
        .drop_nulls()
        .to_list()
    )
    return (
        '<p><a href="../quality.html">Data quality details</a> (checks, quarantine, every file of the latest run).</p>'
        + source_files_html(ledger, warnings, files, "File behind this window")
    )


def _this_week_to_window(markup: str) -> str:
    """Builders written for the weekly page say "this week"; on a window's page the period is the window."""
    return markup.replace("this week", "in this window")


def campaigns_section_html(
    kpis_period: pl.DataFrame,
    tables: Mapping[str, pl.DataFrame],
    start: dt.date,
    end: dt.date,
    currency: str,
    figure_html: PlotlyEmbed,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str:
    """The window's spend by campaign, its campaign -> ad set -> ad table (folded as the weekly one) and, with
    several ad platforms, a table of them."""
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    fig = charts.fig_spend_by_campaign(
        tables["campaign"], currency, target_roas=target_roas, breakeven_roas=kpis.breakeven_roas(gross_margin)
    )
    parts = [
        "<h2>Campaigns, ad sets and ads</h2>",
        note_html(
            "Every row is summed from the window's rows and its ratios computed from those sums, never "
            "averaged from the rows below."
        ),
        figure_html(fig, "spend-by-campaign"),
        _this_week_to_window(entity_table_html(fold_entity_tree(entity_tree(tables)), currency, **targets)),
    ]
    if tables["campaign"]["platform_source"].n_unique() > 1:
        platforms = kpis.rollup(kpis.window_kpis(kpis_period, start, end), ["platform_source"])
        parts += [
            "<h2>Ad platforms</h2>",
            html_table(
                platforms.select("platform_source", "spend", "purchase_value", "roas", "cpa", "ctr", "cpm"),
                column_formats(currency),
            ),
        ]
    return "".join(parts)


def ads_section_html(
    ads: pl.DataFrame,
    label: str,
    currency: str,
    figure_html: PlotlyEmbed,
    *,
    top_n: int,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str:
    """The window's best and worst ads by ROAS, the ads that spent without a purchase, and ROAS against spend;
    one line instead when the export is not at ad level.

    Args:
        ads: the window's ads (window_tables()["ad"]).
        label: the window's stem, standing for the week of the weekly page's rankings.
    """
    if not ads["ad"].is_not_null().any():
        return note_html(
            "The export is not at ad level, so there are no ads to rank; export at ad level "
            "(Ads Manager → Ads tab) to see them."
        )
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    ranked = ads.with_columns(pl.lit(label).alias("week"))
    best, worst = best_and_worst_ads(ranked, label, min_spend=target_cpa, n=top_n)
    no_purchase = ads_without_purchase(ranked, label, min_spend=target_cpa, n=top_n)
    parts = [
        _this_week_to_window(
            best_worst_html(best, worst, currency, min_spend=target_cpa, no_purchase=no_purchase, **targets)
        )
    ]
    if ads["roas"].is_not_null().any():  # without a purchase value there is no ROAS to plot
        plotted, left_out = plotted_ads(ads)
        fig = charts.fig_roas_vs_spend(
            plotted, currency, target_roas=target_roas, breakeven_roas=kpis.breakeven_roas(gross_margin)
        )
        parts.append(figure_html(fig, "roas-vs-spend") + plotted_ads_note_html(plotted, left_out))
    return "".join(parts)


def period_page_html(
    kpis_period: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    *,
    ad_insights: pl.DataFrame | pl.LazyFrame,
    store: pl.DataFrame | None,
    sessions: pl.DataFrame | None,
    ledger: pl.DataFrame | None,
    warnings: pl.DataFrame | None,
    currency: str,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
    top_n: int,
    sample_data: bool,
    others: Sequence[tuple[dt.date, dt.date]] = (),
) -> str:
    """The complete offline HTML page of one reporting window (one period, no days).

    Args:
        kpis_period: kpis.compute_kpis_period, one row per (window, platform, campaign, ad set, ad).
        ad_insights: the validated ad rows (for the window's breakdown exports and source files).
        store: kpis.store_daily (or store_daily_from_sales), None without store data.
        others: the other windows in the data, linked from the header.
    """
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    figure_html = PlotlyEmbed()  # plotly.js goes inline with the first chart only
    figures = kpis.window_figures(kpis_period, store, start, end, sessions)
    tables = window_tables(kpis_period, start, end)
    parts = [
        header_html(start, end, currency=currency, sample_data=sample_data, others=others),
        "<h2>The window at a glance</h2>",
        note_html(
            "Each figure is summed over the window's rows and each ratio divides those sums. ROAS, CPA and "
            "MER are coloured against your targets."
        ),
        tiles_html(window_tiles(figures, currency, has_store=store is not None, **targets)),
        accounts_note_html(account_names(kpis.window_kpis(kpis_period, start, end))),
        *(code_note_html(line) for line in missing_notes(figures)),
        left_out_html(ad_insights, start, end, currency),
        window_results_html(ad_insights, start, end, currency, figures, kpis_period),
        campaigns_section_html(kpis_period, tables, start, end, currency, figure_html, **targets),
        "<h2>Creative leaderboard</h2>",
        ads_section_html(tables["ad"], window_stem(start, end), currency, figure_html, top_n=top_n, **targets),
        breakdowns_html(ad_insights, start, end, currency, figure_html, **targets),
        "<h2>Store</h2>",
        store_window_html(store, figures, start, end, currency, gross_margin=gross_margin),
        needs_days_html(),
        "<h2>Data quality</h2>",
        data_quality_window_html(ad_insights, ledger, warnings, start, end),
        '<div class="footer">Ratios are computed from sums at each level shown, never averaged. '
        '<a href="../index.html">All reports</a>.</div>',
    ]
    return page_html(f"Advertising report {fmt_window(start, end)}", "".join(parts))
