"""The report of an export without days: one page per reporting window (`Reporting starts`..`Reporting ends`).

Ads Manager exports one row per entity for a whole window ("period" or "lifetime" exports). Such a
window is one period: its page shows the window's tiles, entity table, best and worst ads and breakdowns
(from kpis_period, ratios of the window's sums) and says in one line which sections need daily rows.
Pages are built here in Python from the same helpers as the weekly page; every string from a file is
escaped by those helpers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from adlab import charts, kpis
from adlab.display import (
    column_formats,
    cpa_tone,
    fmt_int,
    fmt_money,
    fmt_pct,
    fmt_roas,
    roas_tone,
)
from adlab.report.frames import ENTITY_KEYS, account_names, ads_without_purchase, best_and_worst_ads, entity_tree
from adlab.report.html import (
    PlotlyEmbed,
    Tile,
    banner_html,
    esc,
    fmt_dates,
    html_table,
    info_html,
    note_html,
    page_html,
    tiles_html,
)
from adlab.report.weekly.breakdowns import BREAKDOWN_EXPORTS
from adlab.report.weekly.campaigns import best_worst_html, entity_table_html
from adlab.report.weekly.header import accounts_note_html
from adlab.report.weekly.store import NO_ORDERS_NOTE
from adlab.report.weekly.tiles import headline, store_tiles

# The ad figures of DESIGN 3.5 in tile order: the additive sums, then the ratios of those sums.
WINDOW_TILES = (
    ("spend", "Spend", "money", "Amount spent on ads over the window"),
    ("impressions", "Impressions", "int", "Times the ads were shown"),
    ("link_clicks", "Link clicks", "int", "Clicks on the ads' links"),
    ("purchases", "Purchases", "int", "Purchases the ad platforms attribute to ads"),
    ("purchase_value", "Purchase value", "money", "Value of purchases the ad platforms attribute to ads"),
    ("roas", "ROAS", "roas", "Purchase value / spend"),
    ("cpa", "CPA", "money", "Spend / purchases"),
    ("ctr", "CTR", "pct", "Link clicks / impressions"),
    ("cpm", "CPM", "money", "Spend per 1,000 impressions"),
    ("cvr", "CVR", "pct", "Purchases / link clicks"),
    ("aov", "AOV", "money", "Purchase value / purchases"),
    ("mer", "MER", "roas", "Store revenue / ad spend, same days"),
)


# A tile that stays unknown names the Ads Manager column that would fill it.
MISSING_COLUMNS = {
    "link_clicks": ("Link clicks", "CTR and CVR"),
    "purchases": ("Purchases", "CPA, CVR and AOV"),
    "purchase_value": ("Purchases conversion value (or Purchase ROAS)", "ROAS and AOV"),
}


BREAKDOWN_DIMS = {
    "age_gender": ("Age and gender", ["age", "gender"]),
    "placement": ("Placements", ["publisher_platform", "placement"]),
    "region": ("Regions", ["region"]),
    "country": ("Countries", ["country"]),
}


BREAKDOWN_LABELS = {"age": "Age", "gender": "Gender", "publisher_platform": "Platform", "placement": "Placement",
                    "region": "Region", "country": "Country"}


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
    """The window's roll-ups (the shape of week_tables): `account`, `campaign`, `adset`, `ad`."""
    rows = kpis.window_kpis(kpis_period, start, end)
    tables = {level: kpis.rollup(rows, keys) for level, keys in ENTITY_KEYS.items()}
    tables["account"] = kpis.rollup(rows.with_columns(pl.lit("All campaigns").alias("name")), ["name"])
    return tables


def window_tiles(figures: Mapping[str, Any], currency: str, *, target_roas: float, target_cpa: float,
                 gross_margin: float, has_store: bool = False) -> list[Tile]:
    """One tile per figure of WINDOW_TILES; ROAS, CPA and MER held against targets, no change (no period before).

    `has_store`: there is store data, so an unknown MER means it does not span the window (not a missing export).
    """
    targeted = {tile.label: tile for tile in headline(
        figures, None, currency, target_roas=target_roas, target_cpa=target_cpa, gross_margin=gross_margin
    )}
    if has_store and figures.get("mer") is None:
        targeted["MER"] = dataclasses.replace(targeted["MER"], note="store data does not span the window")
    formats = {"money": functools.partial(fmt_money, currency=currency), "int": fmt_int,
               "pct": fmt_pct, "roas": fmt_roas}
    tiles = []
    for key, label, kind, hint in WINDOW_TILES:
        tile = targeted.get(label) or Tile(label=label, value=formats[kind](figures.get(key)), hint=hint)
        tiles.append(dataclasses.replace(tile, change="", compared_to=""))
    return tiles


def missing_notes(figures: Mapping[str, Any]) -> list[str]:
    """One line per ad figure the export does not give, naming the Ads Manager column that would."""
    return [
        f"{_label(key)} unknown: add the `{column}` column in Ads Manager (Columns → Customise columns) and "
        f"export again to see it and {needs}."
        for key, (column, needs) in MISSING_COLUMNS.items()
        if figures.get(key) is None
    ]


def _label(key: str) -> str:
    return next(label for name, label, _, _ in WINDOW_TILES if name == key)


def header_html(
    start: dt.date, end: dt.date, *, currency: str, sample_data: bool, others: Sequence[tuple[dt.date, dt.date]] = ()
) -> str:
    """The window page's title block: its dates, length, links, the other windows and the sample-data banner."""
    days = (end - start).days + 1
    meta = [f"Account currency {esc(currency)}", f"{days:,} days", "one row per entity for the whole window"]
    nav = ' <span class="nav"><a href="../index.html">All reports</a><a href="../quality.html">Data quality</a></span>'
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
    ad_insights: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date, currency: str,
    figures: Mapping[str, Any], kpis_period: pl.DataFrame,
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
        Tile(label=row["result_type"], value=fmt_int(row["results"]),
                    note=f"{fmt_money(row['cost_per_result'], currency)} per "
                         f"{kpis.result_unit(row['result_type'])}",
                    hint=f"{row['result_type']} as Ads Manager counts them, over the window; cost per "
                         f"{kpis.result_unit(row['result_type'])} = spend of the ads optimised for them / results")
        for row in results.iter_rows(named=True)
    ]
    notes = [] if purchases_known else [
        "The exports have no purchases, so ROAS and CPA are unknown (–): results by type and cost per result are "
        "what these ads can be judged by."]
    spend = window_kpis_spend(kpis_period, start, end)
    untyped = spend - (results["spend"].sum() or 0.0) if spend is not None else 0.0
    if untyped > 0.005:
        notes.append(f"{fmt_money(untyped, currency)} of the window's spend has no result type in the export "
                     "(Result type left blank) and is not in these tiles.")
    return ("<h2>Results by type</h2>" + tiles_html(tiles)
            + "".join(note_html(note) for note in notes))


def window_kpis_spend(kpis_period: pl.DataFrame, start: dt.date, end: dt.date) -> float | None:
    """The window's total spend as its tiles show it."""
    return kpis.window_kpis(kpis_period, start, end)["spend"].sum()


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
    ad_insights: pl.DataFrame | pl.LazyFrame, breakdown: str, start: dt.date, end: dt.date, currency: str,
    figure_html: PlotlyEmbed, *, target_roas: float, target_cpa: float, gross_margin: float,
) -> str:
    """One breakdown's section for the window: table (largest spend first) and, for age x gender, the heatmap."""
    title, dims = BREAKDOWN_DIMS[breakdown]
    rolled = kpis.window_breakdown_rollup(ad_insights, breakdown, dims, start, end).filter(
        (pl.col("spend").fill_null(0) > 0) | (pl.col("impressions").fill_null(0) > 0)
    )
    if rolled.is_empty():
        return f"<h2>{esc(title)}</h2>" + note_html("No delivery in this breakdown for the window.")
    total = rolled["spend"].sum()
    shown = rolled.with_columns(
        (pl.col("spend") / total if total else pl.lit(None, pl.Float64)).alias("share_of_spend")
    ).sort("spend", *dims, descending=[True, *[False] * len(dims)], nulls_last=True)
    columns = [*dims, "spend", "share_of_spend", "roas", "cpa", "purchases", "ctr", "cpm", "cvr", "impressions"]
    breakeven = kpis.breakeven_roas(gross_margin)
    tones = {"roas": roas_tone(target_roas, breakeven), "cpa": cpa_tone(target_cpa)}
    chart = ""
    if breakdown == "age_gender":
        fig = charts.fig_age_gender_heatmap(
            rolled, currency, target_roas=target_roas, breakeven_roas=breakeven, min_spend=target_cpa
        )
        chart = figure_html(fig, "age-gender")
    return (
        f"<h2>{esc(title)}</h2>"
        + note_html("From the breakdown export, summed on its own: a breakdown describes the same spend again, "
                    "so it is never added to the totals above.")
        + chart
        + html_table(shown.select(columns), column_formats(currency), labels=BREAKDOWN_LABELS,
                            tones=tones)
    )


def store_window_html(
    store: pl.DataFrame | None, figures: Mapping[str, Any], start: dt.date, end: dt.date, currency: str, *,
    gross_margin: float,
) -> str:
    """Store tiles for the window's dates where the store data spans them; else one line saying what would."""
    if store is None:
        return info_html(NO_ORDERS_NOTE)
    if not kpis.store_spans(store, start, end):
        first, last = store["date"].min(), store["date"].max()
        held = f"runs {fmt_dates(first, last)}" if first is not None else "holds no orders"
        return note_html(
            f"The store data {held}, which does not span the window {fmt_window(start, end)}; export orders "
            "covering these dates from Shopify to see store revenue and MER for it."
        )
    extra = ("mer", "sessions", "store_cvr")
    now = {**kpis.store_figures(store, start, end), **{key: figures.get(key) for key in extra}}
    tiles = [dataclasses.replace(tile, change="", compared_to="")
             for tile in store_tiles(now, None, currency, gross_margin=gross_margin)]
    return tiles_html(tiles) + note_html(
        "Store figures count every order in the store over the window's dates, not only those the ad platforms "
        "attribute to ads; MER (store revenue / ad spend) is the account-wide check on ROAS."
    )


def data_quality_window_html(
    ad_insights: pl.DataFrame | pl.LazyFrame, ledger: pl.DataFrame | None, warnings: pl.DataFrame | None,
    start: dt.date, end: dt.date,
) -> str:
    """The ledger and warnings of the files behind the window, and a link to the quality page."""
    files = sorted(
        kpis.window_rows(ad_insights)
        .filter((pl.col("window_start") == start) & (pl.col("window_end") == end))
        .select(pl.col("source_file").unique())
        .collect()["source_file"].drop_nulls().to_list()
    )
    parts = ['<p><a href="../quality.html">Data quality details</a> (checks, quarantine, every file of the latest '
             "run).</p>"]
    if ledger is not None and files:
        rows = ledger.filter(pl.col("source_file").is_in(files))
        parts.append(html_table(
            rows.select("source_file", "kind", "rows_in", "kept", "replaced", "totals", "quarantined"),
            column_formats(""),
            labels={"source_file": "File behind this window", "kind": "Kind", "rows_in": "Rows in (whole file)",
                    "kept": "Kept", "replaced": "Replaced", "totals": "Totals rows", "quarantined": "Quarantined"},
        ))
    if warnings is not None and files:
        shown = warnings.filter(pl.col("source_file").is_in(files))
        parts.append(
            html_table(shown.select("source_file", "check", "message"),
                              labels={"source_file": "File", "check": "Check", "message": "Warning"})
            if shown.height else note_html("No warnings for these files.")
        )
    return "".join(parts)


def _this_week_to_window(markup: str) -> str:
    """Helpers written for the weekly page say "this week"; on a window's page the period is the window."""
    return markup.replace("this week", "in this window")


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
    breakeven = kpis.breakeven_roas(gross_margin)
    figure_html = PlotlyEmbed()
    figures = kpis.window_figures(kpis_period, store, start, end, sessions)
    tables = window_tables(kpis_period, start, end)
    parts = [
        header_html(start, end, currency=currency, sample_data=sample_data, others=others),
        "<h2>The window at a glance</h2>",
        note_html("Each figure is summed over the window's rows and each ratio divides those sums. ROAS, CPA and "
                  "MER are coloured against your targets."),
        tiles_html(window_tiles(figures, currency, has_store=store is not None, **targets)),
        accounts_note_html(account_names(kpis.window_kpis(kpis_period, start, end))),
        *(note_html(line) for line in missing_notes(figures)),
        left_out_html(ad_insights, start, end, currency),
        window_results_html(ad_insights, start, end, currency, figures, kpis_period),
        "<h2>Campaigns, ad sets and ads</h2>",
        note_html("Every row is summed from the window's rows and its ratios computed from those sums, never "
                  "averaged from the rows below."),
        figure_html(charts.fig_spend_by_campaign(tables["campaign"], currency, target_roas=target_roas,
                                                 breakeven_roas=breakeven), "spend-by-campaign"),
        _this_week_to_window(entity_table_html(entity_tree(tables), currency, **targets)),
    ]
    if tables["campaign"]["platform_source"].n_unique() > 1:
        platforms = kpis.rollup(kpis.window_kpis(kpis_period, start, end), ["platform_source"])
        parts += ["<h2>Ad platforms</h2>", html_table(
            platforms.select("platform_source", "spend", "purchase_value", "roas", "cpa", "ctr", "cpm"),
            column_formats(currency),
        )]
    parts.append("<h2>Creative leaderboard</h2>")
    if tables["ad"]["ad"].is_not_null().any():
        label = window_stem(start, end)
        ads = tables["ad"].with_columns(pl.lit(label).alias("week"))
        best, worst = best_and_worst_ads(ads, label, min_spend=target_cpa, n=top_n)
        no_purchase = ads_without_purchase(ads, label, min_spend=target_cpa, n=top_n)
        parts.append(_this_week_to_window(best_worst_html(
            best, worst, currency, min_spend=target_cpa, no_purchase=no_purchase, **targets
        )))
        if tables["ad"]["roas"].is_not_null().any():  # without a purchase value there is no ROAS to plot
            parts.append(figure_html(charts.fig_roas_vs_spend(tables["ad"], currency, target_roas=target_roas,
                                                              breakeven_roas=breakeven), "roas-vs-spend"))
    else:
        parts.append(note_html("The export is not at ad level, so there are no ads to rank; export at ad level "
                               "(Ads Manager → Ads tab) to see them."))
    exported = kpis.window_breakdowns(ad_insights, start, end)
    for breakdown in BREAKDOWN_DIMS:
        if breakdown in exported:
            parts.append(breakdown_section_html(ad_insights, breakdown, start, end, currency, figure_html, **targets))
        elif breakdown in ("age_gender", "placement"):
            text = BREAKDOWN_EXPORTS[breakdown].replace("for this week", "for this window").replace(
                "report by Day", "for the same reporting window")
            parts += [f"<h2>{esc(BREAKDOWN_DIMS[breakdown][0])}</h2>", info_html(text)]
    if not {"region", "country"} & set(exported):
        parts += ["<h2>Regions and countries</h2>", note_html(
            "No region or country figures for this window. In Meta Ads Manager choose Breakdown → By delivery → "
            "Region (or Country) for the same reporting window, export CSV and drop it into data/raw/."
        )]
    parts += [
        "<h2>Store</h2>",
        store_window_html(store, figures, start, end, currency, gross_margin=gross_margin),
        needs_days_html(),
        "<h2>Data quality</h2>",
        data_quality_window_html(ad_insights, ledger, warnings, start, end),
        '<div class="footer">Ratios are computed from sums at each level shown, never averaged. '
        '<a href="../index.html">All reports</a>.</div>',
    ]
    return page_html(f"Advertising report {fmt_window(start, end)}", "".join(parts))
