"""HTML reports: the weekly page (papermill runs notebooks/weekly_report.ipynb, nbconvert makes one
offline HTML file of it), the index of weeks and the data-quality page, all in one style.

The weekly notebook calls the pure helpers here (tables, tiles, formatters); every string that came
from a file goes through `html.escape` on its way into a page.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import json
import math
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from adlab import io, kpis
from adlab.display import (
    LABELS,
    MISSING,
    column_formats,
    cpa_tone,
    fmt_change,
    fmt_int,
    fmt_money,
    fmt_pct,
    fmt_roas,
    number,
    relative_change,
    roas_tone,
)
from adlab.errors import AdlabError
from adlab.quality import CURRENCY_UNKNOWN
from adlab.schema import ISO_WEEK

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "adlab"
CSS_PATH = TEMPLATES_DIR / TEMPLATE_NAME / "static" / "report.css"
# The kernel `make setup` installs into .venv; python3 (this interpreter) where it is not installed.
KERNEL = "adlab"
FALLBACK_KERNEL = "python3"
# Modules the weekly page runs; a change to one re-renders every week. Optional ones count once they exist.
RENDER_MODULES = ("report.py", "charts.py", "kpis.py", "schema.py", "io.py", "insights.py", "creatives.py",
                  "currency.py")

SAMPLE_BANNER = (
    "This report runs on the embedded sample data; drop your exports into <code>data/raw/</code> "
    "and run <code>make report</code> to see your own accounts."
)
NO_ORDERS_NOTE = (
    "No store orders yet. Drop a Shopify orders export (Shopify admin → Orders → Export, CSV) into "
    "<code>data/raw/</code> and run <code>make report</code> to see orders, store revenue, AOV and MER "
    "(store revenue / ad spend) here."
)
META_EXPORT = "a Meta Ads Manager export (Ads Manager › Reports › Export table data, by Day)"
# What each ad section of a weekly page would show, and the export that fills it, for a store without ad data.
NO_ADS_NOTES = {
    "glance": f"Ad spend, ROAS, CPA, CTR, CPM and MER need {META_EXPORT} in data/raw/.",
    "recommendations": f"Recommendations (scale, stop-loss, refresh creative) need {META_EXPORT} at ad level.",
    "roas_change": f"Why ROAS moved needs {META_EXPORT} covering this week and the week before.",
    "trend": f"Daily spend, purchase value and ROAS need {META_EXPORT}; the line is store revenue.",
    "campaigns": f"Campaign, ad set and ad figures need {META_EXPORT} at ad level.",
    "platforms": f"Spend and ROAS per ad platform need {META_EXPORT}, or a Google Ads or Pinterest export.",
    "creatives": f"The creative leaderboard needs {META_EXPORT} at ad level.",
}
# Metrics an export may lack altogether (unknown, never 0): what they hold up and the column that gives them.
UNKNOWN_METRICS = (
    ("purchases", "purchases, purchase value, ROAS, CPA, CVR and AOV",
     "`Purchases` and `Purchases conversion value` columns"),
    ("purchase_value", "purchase value, ROAS and AOV", "a `Purchases conversion value` (or `Purchase ROAS`) column"),
    ("link_clicks", "link clicks, CTR and CVR", "a `Link clicks` column"),
)
Days = tuple[dt.date, dt.date]  # first and last day, inclusive


ENTITY_KEYS = {
    "campaign": ["platform_source", "account", "campaign"],
    "adset": ["platform_source", "account", "campaign", "adset"],
    "ad": ["platform_source", "account", "campaign", "adset", "ad"],
}
# The columns a reader looks at first come first: on a phone the rest scroll in from the right.
TREE_COLUMNS = ("name", "spend", "roas", "cpa", "purchase_value", "purchases", "results", "cost_per_result",
                "share_of_spend", "aov", "ctr", "cvr", "cpm", "link_clicks", "impressions")
AD_COLUMNS = ("ad", "spend", "roas", "cpa", "purchase_value", "purchases", "ctr", "campaign", "adset")
NO_PURCHASE_COLUMNS = ("ad", "spend", "impressions", "link_clicks", "ctr", "cpm", "campaign", "adset")


# ---------------------------------------------------------------------------------------------------- formatting


# ---------------------------------------------------------------------------------------------------- HTML pieces


def esc(value: Any) -> str:
    """Any value as escaped HTML text; `–` for null."""
    return MISSING if value is None else html.escape(str(value), quote=True)


def html_table(
    frame: pl.DataFrame,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    tones: Mapping[str, Callable[[Any], str | None]] | None = None,
    row_class: str | None = None,
    total: Mapping[str, Any] | None = None,
) -> str:
    """An HTML table of `frame` in a horizontally scrolling wrapper; every header and cell is escaped.

    Args:
        frame: the rows to show, columns in display order.
        formats: column -> function giving the cell text (e.g. column_formats(currency)); others use str().
        labels: column -> header text (default LABELS, then the column name).
        tones: column -> function giving a CSS class (good, warn, bad) for the cell's value.
        row_class: a column whose value becomes the row's class `level-<value>`; it is not shown.
        total: values of a closing totals row, by column.
    """
    formats = formats or {}
    labels = {**LABELS, **(labels or {})}
    tones = tones or {}
    columns = [name for name in frame.columns if name != row_class]
    numeric = {name for name in columns if frame.schema[name].is_numeric()}
    text = {name for name in columns if frame.schema[name] == pl.String}

    def cell(name: str, value: Any, blank_missing: bool = False) -> str:
        shown = esc(formats[name](value)) if name in formats else esc(value)
        if value is None and blank_missing:
            shown = ""
        tone = tones[name](value) if name in tones and value is not None else None
        kind = "num" if name in numeric else "text" if name in text else ""
        attr = " ".join(c for c in (kind, tone) if c)
        return f'<td class="{attr}">{shown}</td>' if attr else f"<td>{shown}</td>"

    head = "".join(
        f'<th class="num">{esc(labels.get(n, n))}</th>' if n in numeric else f"<th>{esc(labels.get(n, n))}</th>"
        for n in columns
    )

    def column(name: str) -> list[str]:
        """The cells of one column as cell() writes them: a column at a time, for tables of thousands of rows."""
        fmt = formats.get(name)
        tone = tones.get(name)
        kind = "num" if name in numeric else "text" if name in text else ""
        plain = f'<td class="{kind}">' if kind else "<td>"
        cells = []
        for value in frame.get_column(name).to_list():
            shown = esc(fmt(value)) if fmt is not None else esc(value)
            css = tone(value) if tone is not None and value is not None else None
            opening = (f'<td class="{kind} {css}">' if kind else f'<td class="{css}">') if css else plain
            cells.append(f"{opening}{shown}</td>")
        return cells

    row_css = (
        [f' class="level-{esc(value)}"' for value in frame.get_column(row_class).to_list()] if row_class
        else [""] * frame.height
    )
    cells_by_row = zip(*(column(name) for name in columns), strict=True) if columns else ((),) * frame.height
    rows = [f"<tr{css}>" + "".join(cells) + "</tr>" for css, cells in zip(row_css, cells_by_row, strict=True)]
    if total is not None:
        rows.append('<tr class="total">' + "".join(cell(name, total.get(name), True) for name in columns) + "</tr>")
    body = "\n".join(rows)
    return f'<div class="table-wrap"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table></div>'


def banner_html(sample_data: bool) -> str:
    """The sample-data banner, or an empty string for the user's own data."""
    if not sample_data:
        return ""
    return f'<div class="banner" role="note"><strong>Sample data.</strong> {SAMPLE_BANNER}</div>'


def note_html(text: str) -> str:
    """A short note paragraph; `text` is escaped."""
    return f'<p class="note">{esc(text)}</p>'


def fmt_dates(start: dt.date, end: dt.date) -> str:
    """A date range for people: `Mon 16 – Sun 22 Nov 2026` (month and year only where they change)."""
    left = f"{start:%a} {start.day}"
    if start.month != end.month or start.year != end.year:
        left += f" {start:%b}"
    if start.year != end.year:
        left += f" {start.year}"
    return f"{left} – {end:%a} {end.day} {end:%b} {end.year}"


def page_header_html(
    week: str,
    *,
    currency: str,
    data_through: dt.date | None,
    days_with_data: int,
    sample_data: bool,
    ads: bool = True,
    currency_warnings: int = 0,
) -> str:
    """The weekly page's title block: ISO week, its dates, data freshness, links and the sample-data banner.

    Args:
        ads: False for a store without ad data (a store report; no ad-coverage banner).
        currency_warnings: how many of the week's files do not say their currency (one line says so).
    """
    start, end = kpis.week_bounds(week)
    year, number = week.split("-W")
    meta = [f"Account currency {esc(currency)}" if currency else "Currency unknown"]
    if data_through is not None:
        meta.append(f"data through {data_through:%a %d %b %Y}")
    nav = ' <span class="nav"><a href="../index.html">All weeks</a><a href="../quality.html">Data quality</a></span>'
    coverage = currency_line_html(currency, currency_warnings)
    if ads and days_with_data < 7:
        coverage += (
            '<div class="banner info" role="note">Only '
            f"{days_with_data} of the 7 days of this week have ad data, so totals are partial.</div>"
        )
    return (
        '<header class="report-header">'
        f'<div class="eyebrow">Weekly {"advertising" if ads else "store"} report</div>'
        f'<h1>Week {int(number)}, {esc(year)} <span class="dates">{esc(fmt_dates(start, end))} · {esc(week)}</span>'
        "</h1>"
        f'<p class="meta">{" · ".join(meta)}{nav}</p>'
        "</header>"
        f"{banner_html(sample_data)}{coverage}"
    )


def currency_line_html(currency: str, unknown_files: int) -> str:
    """One line when amounts may be in an unknown currency: no export said it, or `unknown_files` did not."""
    if not currency:
        text = ("The exports do not say their currency (none in the money headers, no Currency column), so "
                "amounts are shown without one; see Data quality.")
    elif unknown_files:
        text = (f"{unknown_files} file(s) behind this week do not say their currency; their amounts are added "
                f"as {currency}. Check them on the Data quality page.")
    else:
        return ""
    return f'<div class="banner info" role="note">{esc(text)}</div>'


def currency_warning_count(warnings: pl.DataFrame | None, files: Sequence[str]) -> int:
    """How many of `files` have the quality warning that their currency is unknown."""
    if warnings is None or not files:
        return 0
    unknown = warnings.filter((pl.col("check") == CURRENCY_UNKNOWN) & pl.col("source_file").is_in(files))
    return unknown["source_file"].n_unique()


def no_ads_html(section: str) -> str:
    """The one line an ad section shows for a store without ad data: which export would fill it."""
    return note_html(NO_ADS_NOTES[section])


def account_names(kpis_daily: pl.DataFrame) -> list[str]:
    """The accounts of the rows, sorted, the default account (null) last as `the default account`."""
    if "account" not in kpis_daily.columns:
        return []
    owners = kpis_daily["account"].unique()
    return sorted(owners.drop_nulls().to_list()) + (["the default account"] if owners.null_count() else [])


def accounts_html(kpis_daily: pl.DataFrame, week: str) -> str:
    """One line under the tiles when the week's ad data holds several accounts (`2 accounts: client_a,
    client_b`): the tiles are their sum; empty for one account or the default one alone."""
    start, end = kpis.week_bounds(week)
    return accounts_note_html(account_names(kpis_daily.filter(pl.col("date").is_between(start, end))))


def accounts_note_html(names: Sequence[str]) -> str:
    """`2 accounts: client_a, client_b. The figures above are their sum; ...`; empty for fewer than two."""
    if len(names) < 2:
        return ""
    return note_html(f"{len(names)} accounts: {', '.join(names)}. The figures above are their sum; the tables "
                     "below name each campaign's account.")


def unknown_metrics_html(figures: Mapping[str, Any]) -> str:
    """One line naming the metrics no ad export provides (null, shown as `–`) and the column that would give
    them; empty when they are all known or there is no ad data at all (no_ads_html says so)."""
    if figures.get("spend") is None:
        return ""
    # Without purchases, purchase value's gap is part of theirs.
    gaps = [f"{what} need {column}" for key, what, column in UNKNOWN_METRICS
            if figures.get(key) is None and not (key == "purchase_value" and figures.get("purchases") is None)]
    if not gaps:
        return ""
    unknown = "; ".join(gaps)
    return note_html(
        f"Unknown, not 0: the ad exports have no such data ({unknown}). Add them in Ads Manager "
        "(Columns › Customize columns), export again and drop the file into data/raw/."
    )


@dataclass(frozen=True)
class Tile:
    """One headline figure: its value, the change against the week before, and where it stands to a target."""

    label: str
    value: str
    change: str = MISSING
    change_tone: str = "neutral"  # good | bad | neutral
    compared_to: str = ""
    status: str | None = None  # good | warn | bad against a target or break-even
    note: str = ""
    hint: str = ""


def tiles_html(tiles: Iterable[Tile]) -> str:
    """A responsive grid of headline tiles; all text escaped."""
    cards = []
    for tile in tiles:
        status = f" status-{esc(tile.status)}" if tile.status else ""
        title = f' title="{esc(tile.hint)}"' if tile.hint else ""
        compared = tile.compared_to and tile.change != MISSING
        vs = f' <span class="vs">vs {esc(tile.compared_to)}</span>' if compared else ""
        note = f'<div class="tile-note">{esc(tile.note)}</div>' if tile.note else ""
        cards.append(
            f'<div class="tile{status}"{title}><div class="tile-label">{esc(tile.label)}</div>'
            f'<div class="tile-value">{esc(tile.value)}</div>'
            f'<div class="tile-change {esc(tile.change_tone)}">{esc(tile.change)}{vs}</div>{note}</div>'
        )
    return f'<div class="tiles">{"".join(cards)}</div>'


@dataclass(frozen=True)
class _Figure:
    key: str
    label: str
    kind: str  # money | int | pct | roas
    better: int  # +1 higher is better, -1 lower is better, 0 neither
    hint: str


HEADLINE = (
    _Figure("spend", "Spend", "money", 0, "Amount spent on ads"),
    _Figure("purchase_value", "Purchase value", "money", 1, "Value of purchases the ad platforms attribute to ads"),
    _Figure("roas", "ROAS", "roas", 1, "Purchase value / spend"),
    _Figure("cpa", "CPA", "money", -1, "Spend / purchases"),
    _Figure("ctr", "CTR", "pct", 1, "Link clicks / impressions"),
    _Figure("cpm", "CPM", "money", -1, "Spend per 1,000 impressions"),
    _Figure("cvr", "CVR", "pct", 1, "Purchases / link clicks"),
    _Figure("aov", "AOV", "money", 1, "Purchase value / purchases"),
    _Figure("mer", "MER", "roas", 1, "Store revenue / ad spend, same days"),
)
STORE_HEADLINE = (
    _Figure("orders", "Orders", "int", 1, "Store orders, not cancelled or voided, by order date"),
    _Figure("revenue", "Store revenue", "money", 1, "Order totals minus refunds"),
    _Figure("store_aov", "Store AOV", "money", 1, "Store revenue / orders"),
    _Figure("mer", "MER", "roas", 1, "Store revenue / ad spend, same days"),
    _Figure("new_customer_share", "New customers", "pct", 0, "Share of orders from first-time customers"),
    _Figure("sessions", "Sessions", "int", 1, "Web sessions (GA4 or Shopify), same days"),
    _Figure("store_cvr", "Store conversion", "pct", 1, "Store orders / sessions"),
)


def _format(kind: str, value: Any, currency: str) -> str:
    """A tile's value; money from 10,000 up in whole units, so it fits a tile (tables keep the cents)."""
    if kind == "money":
        amount = number(value)
        return fmt_money(value, currency, 0 if amount is not None and abs(amount) >= 10_000 else None)
    return {"int": fmt_int, "pct": fmt_pct, "roas": fmt_roas}[kind](value)


def _tiles(
    figures: Sequence[_Figure],
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    currency: str,
    compared_to: str,
    targets: Mapping[str, tuple[str | None, str]],
) -> list[Tile]:
    tiles = []
    for figure in figures:
        change = relative_change(current.get(figure.key), (previous or {}).get(figure.key))
        direction = 0 if change is None or abs(change) < 0.0005 else (1 if change > 0 else -1)
        tone = "neutral" if figure.better == 0 or direction == 0 else (
            "good" if direction == figure.better else "bad"
        )
        status, note = targets.get(figure.key, (None, ""))
        tiles.append(
            Tile(
                label=figure.label,
                value=_format(figure.kind, current.get(figure.key), currency),
                change=fmt_change(change),
                change_tone=tone,
                compared_to=compared_to,
                status=status,
                note=note,
                hint=figure.hint,
            )
        )
    return tiles


def headline(
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    currency: str,
    *,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
    previous_label: str = "last week",
    platforms: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Tile]:
    """Headline tiles (spend, purchase value, ROAS, CPA, CTR, CPM, CVR, AOV, MER) with week-over-week change.

    `current` and `previous` hold the keys of kpis.period_figures / metrics/summary.json. A change is
    good when it moves the way the business wants (CPA and CPM down, the others up; spend is neither).
    ROAS is held against the target and break-even (1 / gross margin), CPA against its target, MER
    against break-even. `platforms` (kpis.spend_by_platform of the week): when purchase value comes from
    several ad platforms, the purchase value and ROAS tiles name them (`Meta + Google Ads`).
    """
    breakeven = kpis.breakeven_roas(gross_margin)
    roas, cpa, mer = (number(current.get(key)) for key in ("roas", "cpa", "mer"))
    summed = platforms_summed(platforms or {})
    targets: dict[str, tuple[str | None, str]] = {
        "purchase_value": (None, summed),
        "roas": (
            roas_tone(target_roas, breakeven)(roas),
            " · ".join([*([summed] if summed else []), f"target {fmt_roas(target_roas)}",
                        f"break-even {fmt_roas(breakeven)}"]),
        ),
        "cpa": (cpa_tone(target_cpa)(cpa), f"target {fmt_money(target_cpa, currency)}"),
        "mer": (
            None if mer is None else ("good" if mer >= breakeven else "bad"),
            f"break-even {fmt_roas(breakeven)}" if current.get("revenue") is not None else "needs an orders export",
        ),
    }
    return _tiles(HEADLINE, current, previous, currency, previous_label, targets)


def platforms_summed(platforms: Mapping[str, Mapping[str, Any]]) -> str:
    """`Meta + Google Ads` when purchase value from more than one ad platform is added up; else empty."""
    order = list(PLATFORM_NAMES)
    valued = sorted((name for name, figures in platforms.items() if figures.get("purchase_value") is not None),
                    key=lambda name: (order.index(name) if name in order else len(order), name))
    return " + ".join(PLATFORM_NAMES.get(name, name) for name in valued) if len(valued) > 1 else ""


def headline_notes_html(
    ad_insights: pl.DataFrame | pl.LazyFrame | None, week: str, currency: str | None, *, target_cpa: float
) -> str:
    """One line each, under the tiles: a CPA target implausible in the account currency, and the attribution
    settings the week's purchase-based tiles add up (insights.attribution_mix); empty when neither applies."""
    from adlab import insights  # imported here as in roas_change_html: scipy loads only for a page
    from adlab.currency import cpa_target_note

    lines = []
    if target_note := cpa_target_note(target_cpa, currency):
        lines.append(re.sub(r"`([^`<>&]+)`", r"<code>\1</code>", esc(target_note)))
    mix = insights.attribution_mix(ad_insights, *kpis.week_bounds(week))
    if attribution := insights.attribution_line(mix, "ROAS"):
        lines.append(esc(attribution))
    return "".join(f'<p class="note">{line}</p>' for line in lines)


def store_tiles(
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    currency: str,
    *,
    gross_margin: float,
    previous_label: str = "last week",
) -> list[Tile]:
    """Store tiles (orders, store revenue, store AOV, MER, new-customer share) with week-over-week change.

    `current` / `previous` merge kpis.store_figures with `mer` from kpis.period_figures.
    """
    breakeven = kpis.breakeven_roas(gross_margin)
    mer = number(current.get("mer"))
    targets = {"mer": (None if mer is None else ("good" if mer >= breakeven else "bad"),
                       f"break-even {fmt_roas(breakeven)}")}
    # Sessions tiles only where a sessions report exists; a sales report per product has no order count;
    # MER only where there is ad spend to divide by.
    shown = [f for f in STORE_HEADLINE if current.get(f.key) is not None or f.key == "revenue"
             or (f.key == "mer" and current.get("spend") is not None)]
    return _tiles(shown, current, previous, currency, previous_label, targets)


class PlotlyEmbed:
    """Figures as HTML for display in the report: plotly.js inline with the first figure only, never from a CDN."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, fig: Any, name: str) -> str:
        """The figure as an HTML fragment; `name` makes the div id stable, so reruns write the same bytes."""
        fragment = fig.to_html(
            full_html=False,
            include_plotlyjs=self.count == 0,
            div_id=f"chart-{name}",
            config={"displayModeBar": False, "responsive": True, "displaylogo": False, "scrollZoom": False},
        )
        self.count += 1
        return f'<div class="chart">{fragment}</div>'


# ---------------------------------------------------------------------------------------------------- week data


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
        last_day, first_day = kpis_daily["date"].max(), kpis_daily["date"].min()
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
    return kpis_daily.filter(pl.col("date") <= kpis.week_bounds(week)[1])["date"].max()


def week_tables(kpis_daily: pl.DataFrame, week: str) -> dict[str, pl.DataFrame]:
    """The week's roll-ups from kpis_daily: `account` (one row), `campaign`, `adset` and `ad` (one row each).

    Each level is summed from the daily rows and its KPIs divided last (kpis.rollup), never averaged
    from the level below.
    """
    start, end = kpis.week_bounds(week)
    days = kpis_daily.filter(pl.col("date").is_between(start, end))
    tables = {level: kpis.rollup(days, keys) for level, keys in ENTITY_KEYS.items()}
    tables["account"] = kpis.rollup(days.with_columns(pl.lit("All campaigns").alias("name")), ["name"])
    return tables


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
        campaigns.with_columns(pl.lit("campaign").alias("level"),
                               pl.col("campaign").fill_null("(no campaign name)").alias("name")),
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


def entity_table_html(
    tree: pl.DataFrame, currency: str, *, target_roas: float, target_cpa: float, gross_margin: float
) -> str:
    """The campaign -> ad set -> ad table of entity_tree as HTML, ROAS and CPA coloured against targets.

    Rows without spend or impressions (paused ads an export still lists) are left out, with a note.
    """
    delivered = (pl.col("spend").fill_null(0) != 0) | (pl.col("impressions").fill_null(0) != 0)
    idle_ads = tree.filter(~delivered & (pl.col("level") == "ad")).height
    tree = tree.filter(delivered | (pl.col("level") == "account"))
    columns = [name for name in TREE_COLUMNS if name in tree.columns]
    shown = tree.select("level", *columns)
    # Same campaign names may run on two platforms or in two accounts: say which row is which.
    # The default account (null) beside a named one is an account too: its campaigns say `default account`.
    campaigns = tree.filter(pl.col("level") == "campaign")
    owners = [name for name in ("account", "platform_source")
              if name in tree.columns and campaigns[name].n_unique() > 1]
    if owners:
        owner = pl.concat_str([tree[name].fill_null("default account") if name == "account" else tree[name]
                               for name in owners], separator=", ", ignore_nulls=True)
        shown = shown.with_columns(
            pl.when(pl.col("level") == "campaign")
            .then(pl.concat_str(pl.col("name"), pl.lit(" ("), owner, pl.lit(")")))
            .otherwise(pl.col("name"))
            .alias("name")
        )
    tones = {"roas": roas_tone(target_roas, kpis.breakeven_roas(gross_margin)), "cpa": cpa_tone(target_cpa)}
    table = html_table(shown, column_formats(currency), tones=tones, row_class="level")
    if idle_ads:
        table += note_html(f"{idle_ads} ad(s) listed in the exports had no spend or impressions this week.")
    return table


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
        (pl.col("spend") >= min_spend)
        & pl.col("roas").is_not_null()
        & pl.col("ad").is_not_null()
    ).sort(["roas", "spend", *key], descending=[True, True, *[False] * len(key)])
    n_best = min(n, math.ceil(ranked.height / 2))
    best = ranked.head(n_best)
    worst = ranked.slice(n_best).reverse().head(n)
    return best, worst


def _with_account_if_several(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as is when it holds several accounts; else without its `account` column (nothing to tell apart)."""
    if "account" not in frame.columns or frame["account"].n_unique() > 1:
        return frame
    return frame.drop("account")


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
    tones = {"roas": roas_tone(target_roas, kpis.breakeven_roas(gross_margin)), "cpa": cpa_tone(target_cpa)}
    shown = [*columns, *(["account"] if "account" in ads.columns and "account" not in columns else [])]
    return html_table(ads.select(*shown), column_formats(currency), tones=tones)


def trend_days(account_daily: pl.DataFrame, end: dt.date, weeks: int) -> pl.DataFrame:
    """The rows of account_daily for the `weeks` x 7 days ending on `end` (the reported Sunday)."""
    start = end - dt.timedelta(days=7 * weeks - 1)
    return account_daily.filter(pl.col("date").is_between(start, end))


def has_store_data(store: pl.DataFrame | None, week: str) -> bool:
    """Whether the orders export reaches into the week."""
    return kpis.store_covers(store, *kpis.week_bounds(week))


def week_summaries(kpis_daily: pl.DataFrame, store: pl.DataFrame | None, weeks: Iterable[str]) -> list[dict]:
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
        rows.append({
            "week": week, "start": start, "end": end,
            "days": days_with_data(kpis_daily, week) if kpis_daily.height else None, **figures,
            "store_aov": shop.get("store_aov"), "new_customer_share": shop.get("new_customer_share"),
            "daily_spend": [days[d]["spend"] if d in days else None for d in dates],
            "daily_roas": [days[d]["roas"] if d in days else None for d in dates],
        })
    return rows


def footer_html(*, data_through: dt.date | None, ads: bool = True) -> str:
    """The closing line: how far the week's data (ad data; store data without it) reaches and how ratios are
    computed."""
    parts = []
    if data_through is not None:
        parts.append(f"{'Ad' if ads else 'Store'} data through {data_through:%d %b %Y}.")
    parts.append("Ratios are computed from sums at each level shown, never averaged.")
    return f'<div class="footer">{esc(" ".join(parts))} <a href="../index.html">All weeks</a>.</div>'


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
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    threshold = fmt_money(min_spend, currency)
    parts = [note_html(
        f"Ranked by ROAS among ads that spent at least {threshold} this week (the target CPA), "
        "so a lucky single purchase does not top the list."
    )]
    if best.is_empty():
        parts.append(note_html("No ad reached that spend with a purchase value to rank."))
    else:
        parts.append(f'<h3 class="good">Best</h3>{ads_table_html(best, currency, **targets)}')
    if worst.height:
        parts.append(f'<h3 class="bad">Worst</h3>{ads_table_html(worst, currency, **targets)}')
    if no_purchase is not None and no_purchase.height:
        parts.append(
            f'<h3 class="bad">Spent {esc(threshold)} or more without a purchase</h3>'
            + ads_table_html(no_purchase, currency, columns=NO_PURCHASE_COLUMNS, **targets)
        )
    return "".join(parts)


def store_section_html(
    store: pl.DataFrame | None,
    week: str,
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    currency: str,
    *,
    gross_margin: float,
    previous_label: str = "last week",
) -> str:
    """Store tiles for the week, or a note saying which export would fill them.

    `current` / `previous` are kpis.period_figures of the week and the week before (for MER).
    """
    if store is None:
        return f'<div class="banner info" role="note">{NO_ORDERS_NOTE}</div>'
    if not has_store_data(store, week):
        return note_html(
            f"The orders export holds no orders for {week}; export orders covering these dates from Shopify "
            "to see store revenue and MER."
        )
    start, end = kpis.week_bounds(week)
    before_start, before_end = kpis.week_bounds(previous_week(week))
    extra = ("spend", "mer", "sessions", "store_cvr")
    now = {**kpis.store_figures(store, start, end), **{key: current.get(key) for key in extra}}
    before = (
        {**kpis.store_figures(store, before_start, before_end),
         **{key: (previous or {}).get(key) for key in extra}}
        if has_store_data(store, previous_week(week))
        else None
    )
    tiles = store_tiles(now, before, currency, gross_margin=gross_margin, previous_label=previous_label)
    return tiles_html(tiles) + _store_gaps_html(now) + note_html(
        "Store figures count every order in the store, not only those the ad platforms attribute to ads; "
        "MER (store revenue / ad spend) is the account-wide check on ROAS."
    )


# ---------------------------------------------------------------------------------------------------- results

def week_results(results_daily: pl.DataFrame | None, week: str) -> pl.DataFrame | None:
    """The week's rows of results_daily (one row per day, ad and result type); None without any."""
    if results_daily is None:
        return None
    days = results_daily.filter(pl.col("date").is_between(*kpis.week_bounds(week)))
    return days if days.height else None


def shows_results(results: pl.DataFrame | None, purchases_known: bool) -> bool:
    """Whether the page shows results by type: some type other than purchases, or purchases themselves unknown.

    On a sales account whose only result type is purchases, the results repeat the purchases and CPA.
    """
    if results is None or results.height == 0:
        return False
    return not purchases_known or not results.select(kpis.is_purchase_type("result_type").all()).item()


def results_tiles(
    results_daily: pl.DataFrame | None, week: str, currency: str, *, purchases_known: bool,
    previous_label: str = "last week",
) -> list[Tile]:
    """One tile per result type of the week, largest spend first: results, their change, and cost per result.

    Results of different types are never added up. Purchase results are left to the purchases and CPA tiles
    when the export has purchases (they count the same thing).
    """
    now = week_results(results_daily, week)
    if not shows_results(now, purchases_known):
        return []
    start, end = kpis.week_bounds(week)
    current = kpis.results_by_type(now, start, end)
    before = {row["result_type"]: row for row in kpis.results_by_type(
        results_daily, *kpis.week_bounds(previous_week(week))).iter_rows(named=True)}
    if purchases_known:
        current = current.filter(~kpis.is_purchase_type("result_type"))
    tiles = []
    for row in current.iter_rows(named=True):
        kind, unit = row["result_type"], kpis.result_unit(row["result_type"])
        old = before.get(kind, {})
        change = relative_change(row["results"], old.get("results"))
        direction = 0 if change is None or abs(change) < 0.0005 else (1 if change > 0 else -1)
        was = fmt_money(old.get("cost_per_result"), currency)
        note = f"{fmt_money(row['cost_per_result'], currency)} per {unit}" + (f" (was {was})" if old else "")
        tiles.append(Tile(
            label=kind, value=fmt_int(row["results"]), change=fmt_change(change),
            change_tone="neutral" if direction == 0 else "good" if direction > 0 else "bad",
            compared_to=previous_label, note=note,
            hint=f"{kind} as Ads Manager counts them; cost per {unit} = spend of the ads optimised for them / "
            f"{kind.lower()}",
        ))
    return tiles


def results_html(
    results_daily: pl.DataFrame | None, kpis_daily: pl.DataFrame, week: str, currency: str, *, purchases_known: bool
) -> str:
    """The week's results-by-type tiles, with a note on the spend no result type covers; empty when not shown.

    An account without purchases gets a note that results by type are what it can be judged by.
    """
    tiles = results_tiles(results_daily, week, currency, purchases_known=purchases_known)
    if not tiles:
        return ""
    start, end = kpis.week_bounds(week)
    typed = kpis.results_by_type(week_results(results_daily, week), start, end)["spend"].sum()
    spend = kpis_daily.filter(pl.col("date").is_between(start, end))["spend"].sum()
    notes = []
    if not purchases_known:
        notes.append("The exports have no purchases, so ROAS and CPA are unknown (–); results by type and cost per "
                     "result are what these ads can be judged by. A Purchases column in the Ads Manager export "
                     "would give them.")
    else:
        notes.append("Purchase results are in the Purchases and CPA tiles above.")
    untyped = (spend or 0.0) - (typed or 0.0)
    if untyped > 0.005:
        notes.append(f"{fmt_money(untyped, currency)} of the week's {fmt_money(spend, currency)} spend has no result "
                     "type in the export (Result type left blank) and is not in these tiles.")
    return tiles_html(tiles) + "".join(note_html(note) for note in notes)


def with_results(
    tree: pl.DataFrame, results_daily: pl.DataFrame | None, week: str, currency: str, *, purchases_known: bool
) -> pl.DataFrame:
    """entity_tree with `results` and `cost_per_result` text per row, one part per result type, never one sum.

    `412 Leads · 96 Messaging conversations started` and `$3.21 per lead · $1.10 per conversation`; `–` for a
    row without a typed result. The tree comes back unchanged when the page shows no results (see shows_results).
    """
    now = week_results(results_daily, week)
    if not shows_results(now, purchases_known):
        return tree
    texts: dict[tuple, tuple[str, str]] = {}
    for level, keys in {"account": [], **ENTITY_KEYS}.items():
        rolled = kpis.rollup_results(now, keys).sort(
            [*keys, pl.col("spend").fill_null(0.0), "result_type"], descending=[*[False] * len(keys), True, False])
        parts: dict[tuple, list[tuple[str, str]]] = {}
        for row in rolled.iter_rows(named=True):
            count = f"{fmt_int(row['results'])} {row['result_type']}"
            cost = f"{fmt_money(row['cost_per_result'], currency)} per {kpis.result_unit(row['result_type'])}"
            parts.setdefault((level, *(row[k] for k in keys)), []).append((count, cost))
        for key, shown in parts.items():
            texts[key] = (" · ".join(c for c, _ in shown), " · ".join(c for _, c in shown))
    names = dict.fromkeys(k for keys in ENTITY_KEYS.values() for k in keys)
    rows = [
        texts.get((row["level"], *(row.get(k) for k in ENTITY_KEYS.get(row["level"], []))), (None, None))
        for row in tree.select("level", *names).iter_rows(named=True)
    ]
    return tree.with_columns(
        pl.Series("results", [r for r, _ in rows], pl.String),
        pl.Series("cost_per_result", [c for _, c in rows], pl.String),
    )


def _store_gaps_html(figures: Mapping[str, Any]) -> str:
    """One line naming the store figures a Shopify Analytics sales report lacks and the export that has them."""
    if figures.get("orders") is None:
        return note_html("Orders, store AOV and new vs returning customers need a Shopify orders export (Shopify "
                         "admin → Orders → Export, CSV) or a sales report over time that counts orders.")
    if figures.get("new_customer_orders") is None:
        return note_html("New vs returning customers need a Shopify orders export (Shopify admin → Orders → Export, "
                         "CSV).")
    return ""


# ---------------------------------------------------------------------------------------------------- sections

RECOMMEND_STAGE_NOTE = (
    "Recommendations (scale, stop-loss, refresh creative, still learning) appear here once the <code>recommend</code> "
    "stage has written <code>data/processed/recommendations.csv</code>; run <code>make report</code> after it joins "
    "the pipeline."
)
CREATIVES_STAGE_NOTE = (
    "The creative leaderboard (attributes, hook and hold rates, fatigue flags) comes from "
    "<code>data/processed/creatives.parquet</code>, written by the <code>creatives</code> stage; until it runs, "
    "the best and worst ads by ROAS stand in."
)
BREAKDOWN_EXPORTS = {
    "age_gender": (
        "No age x gender figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Age and "
        "Gender, report by Day, export CSV and drop it into <code>data/raw/</code>."
    ),
    "placement": (
        "No placement figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Platform and "
        "Placement, report by Day, export CSV and drop it into <code>data/raw/</code>."
    ),
    "region": (
        "No region figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Region, report by "
        "Day, export CSV and drop it into <code>data/raw/</code>."
    ),
    "country": (
        "No country figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Country, report by "
        "Day, export CSV and drop it into <code>data/raw/</code>."
    ),
}
# Recommendation actions in the order a reader should act on them, with their colour.
ACTION_ORDER = {"stop-loss": 0, "pause": 0, "refresh-creative": 1, "refresh": 1, "scale": 2, "still-learning": 3,
                "learning": 3}
RECOMMENDATION_EVIDENCE = ("spend", "purchases", "roas", "cpa", "ctr", "frequency")
CREATIVE_METRICS = ("spend", "roas", "cpa", "purchases", "ctr", "hook_rate", "hold_rate", "frequency")
FACTOR_NAMES = {"cpm": "CPM", "ctr": "CTR", "cvr": "conversion rate (CVR)", "aov": "order value (AOV)"}


def info_html(markup: str) -> str:
    """An information banner; `markup` is trusted HTML written in this module, never text from a file."""
    return f'<div class="banner info" role="note">{markup}</div>'


def _action_key(action: Any) -> str:
    return re.sub(r"[\s_]+", "-", str(action or "").strip().lower())


def action_tone(action: Any) -> str:
    """good for scale, bad for stop-loss or pause, warn for refresh, neutral for the rest."""
    key = _action_key(action)
    if "stop" in key or "pause" in key:
        return "bad"
    if "scale" in key:
        return "good"
    return "warn" if "refresh" in key or "fatigue" in key else "neutral"


def _shown_for_week(frame: pl.DataFrame | None, week: str, for_week: str) -> pl.DataFrame | None:
    """The rows of a stage output that belong to `week`: by its `week` column, else all of it on for_week's page."""
    if frame is None:
        return None
    if "week" in frame.columns:
        return frame.filter(pl.col("week") == week)
    return frame if week == for_week else None


def recommendations_html(
    recommendations: pl.DataFrame | None, week: str, currency: str, *, for_week: str, limit: int = 12
) -> str:
    """"What to do this week": one card per recommendation (action, entity, reason, evidence, confidence).

    Args:
        recommendations: data/processed/recommendations.csv (level, entity, campaign, adset, action, reason,
            confidence and the evidence columns; `account` with several accounts, shown first in each card's
            path), or None before the recommend stage exists.
        for_week: the ISO week the recommendations were made for when the file has no `week` column.
    """
    if recommendations is None:
        return info_html(RECOMMEND_STAGE_NOTE)
    shown = _shown_for_week(recommendations, week, for_week)
    if shown is None:
        return note_html("Recommendations are made for the latest complete week: see the newest report in the index.")
    if shown.is_empty():
        return note_html("Nothing to act on this week: no entity met a stop-loss, scale or refresh rule.")
    order = pl.col("action").map_elements(lambda a: ACTION_ORDER.get(_action_key(a), 4), return_dtype=pl.Int64)
    spend = pl.col("spend").cast(pl.Float64, strict=False) if "spend" in shown.columns else pl.lit(0.0)
    ranked = shown.with_columns(order.alias("_order"), spend.alias("_spend")).sort(
        "_order", "_spend", descending=[False, True], nulls_last=True
    )
    formats = column_formats(currency)
    cards = []
    for row in ranked.head(limit).iter_rows(named=True):
        tone = action_tone(row.get("action"))
        # With several accounts the CSV has an `account` column: the account heads the path to the entity.
        where = " › ".join(
            [esc(row.get("account") or "default account")] * ("account" in row)
            + [esc(row[k]) for k in ("campaign", "adset") if row.get(k) and row[k] != row.get("entity")]
        )
        evidence = " · ".join(
            f"{esc(LABELS.get(k, k.capitalize()))} {esc(formats[k](row[k]) if k in formats else fmt_roas(row[k]))}"
            if k != "frequency" else f"Frequency {esc(_fmt_decimal(row[k]))}"
            for k in RECOMMENDATION_EVIDENCE if k in row and row[k] is not None
        )
        confidence = row.get("confidence")
        confidence_text = (
            fmt_pct(number(confidence), 0) if isinstance(confidence, int | float) else esc(confidence)
        ) if confidence is not None else MISSING
        cards.append(
            f'<article class="rec rec-{tone}"><div class="rec-head"><span class="pill {tone}">'
            f'{esc(row.get("action"))}</span> <span class="rec-level">{esc(row.get("level"))}</span> '
            f'<strong class="rec-entity">{esc(row.get("entity"))}</strong></div>'
            + (f'<div class="rec-where">{where}</div>' if where else "")
            + f'<p class="rec-reason">{esc(row.get("reason"))}</p>'
            f'<div class="rec-evidence">{evidence}</div>'
            f'<div class="rec-confidence">Confidence {confidence_text}</div></article>'
        )
    more = ranked.height - limit
    extra = note_html(f"{more} more in data/processed/recommendations.csv.") if more > 0 else ""
    period = _period_note(shown, "period_start", "period_end", "Made on")
    return f'{period}<div class="recs">{"".join(cards)}</div>{extra}'


def _period_note(frame: pl.DataFrame, first: str, last: str, lead: str) -> str:
    """`lead` the days first..last of a stage output (its own window, which may differ from the week's)."""
    if first not in frame.columns or last not in frame.columns or frame.is_empty():
        return ""
    try:
        start = dt.date.fromisoformat(str(frame[first].min())[:10])
        end = dt.date.fromisoformat(str(frame[last].max())[:10])
    except ValueError:
        return ""
    return note_html(f"{lead} the days {fmt_dates(start, end)}.")


def _fmt_decimal(value: Any) -> str:
    decimal = number(value)
    return MISSING if decimal is None else f"{decimal:,.2f}"


def roas_change_html(kpis_daily: pl.DataFrame, week: str, currency: str) -> str:
    """"Why ROAS moved": the week-over-week change split exactly into CPM, CTR, CVR and AOV (kpis.log_split),
    in words from adlab.insights.explain_change (which also names the campaigns that moved it, mix vs rate)
    and as a table of the four factors.
    """
    current, previous = kpis.week_bounds(week), kpis.week_bounds(previous_week(week))
    now = kpis.period_figures(kpis_daily, None, *current)
    before = kpis.period_figures(kpis_daily, None, *previous)
    if now.get("spend") and now.get("purchase_value") is None:
        return note_html("No ROAS this week: its ad exports hold no purchase value (see the line under the tiles), "
                         "so there is no change to split.")
    if not before.get("spend") or not now.get("spend") or not now.get("roas") or not before.get("roas"):
        return note_html(f"No ROAS to compare for {previous_week(week)}, the week before, so no split of the change.")
    try:
        from adlab import insights
    except ImportError:  # the insights module ships with the recommend stage; the split below stands alone
        insights = None
    paragraph = ""
    if insights is not None:
        try:
            answer = insights.explain_change(
                kpis_daily, insights.Period(*current), insights.Period(*previous), "roas", currency
            )
            paragraph = " ".join([answer.headline, *answer.lines])
        except AdlabError as err:
            paragraph = str(err)
    terms = kpis.log_split(before, now, "roas")
    rows = []
    for name in sorted(terms, key=lambda factor: abs(terms[factor] or 0.0), reverse=True):
        term = terms[name]
        effect = None if term is None else f"{'+' if term >= 0 else '−'}{abs(math.exp(term) - 1) * 100:.1f}%"
        rows.append({
            "factor": FACTOR_NAMES.get(name, name),
            "before": _factor_value(name, before.get(name), currency),
            "now": _factor_value(name, now.get(name), currency),
            "change": fmt_change(relative_change(now.get(name), before.get(name))),
            "effect": effect or MISSING,
        })
    if not paragraph:
        change = relative_change(now["roas"], before["roas"])
        paragraph = f"ROAS went from {fmt_roas(before['roas'])} to {fmt_roas(now['roas'])} ({fmt_change(change)})."
        if rows and rows[0]["effect"] != MISSING:
            paragraph += f" The biggest driver was {rows[0]['factor']} ({rows[0]['change']})."
    table = html_table(
        pl.DataFrame(rows, schema=dict.fromkeys(("factor", "before", "now", "change", "effect"), pl.String)),
        labels={"factor": "Factor", "before": previous_week(week), "now": week, "change": "Change",
                "effect": "Effect on ROAS"},
    ) if rows else ""
    return f'<p class="why">{esc(paragraph)}</p>{table}'


def _factor_value(factor: str, value: Any, currency: str) -> str:
    return fmt_money(value, currency) if factor in ("cpm", "aov") else fmt_pct(value)


def creative_leaderboard_html(
    creatives: pl.DataFrame | None,
    week: str,
    currency: str,
    *,
    for_week: str,
    top_n: int,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str | None:
    """The creatives of the week by spend with their attributes, rates and fatigue flags; None without the file.

    Args:
        creatives: data/processed/creatives.parquet (one row per creative or per (week, creative)).
    """
    shown = _shown_for_week(creatives, week, for_week)
    if creatives is None:
        return None
    if shown is None:
        return note_html("The creative leaderboard is made for the latest complete week: see the newest report.")
    if shown.is_empty():
        return note_html("No creative delivered this week.")
    name = next((c for c in ("creative", "ad", "entity", "name") if c in shown.columns), shown.columns[0])
    metrics = [c for c in CREATIVE_METRICS if c in shown.columns]
    flags = [c for c in shown.columns if "fatigue" in c or shown.schema[c] == pl.Boolean]
    attributes = [
        c for c in shown.columns
        if shown.schema[c] == pl.String and c not in {name, "week", "platform_source", "account", *flags}
        and not c.endswith("_id")
    ][:5]
    ordered = shown.sort("spend", descending=True, nulls_last=True) if "spend" in shown.columns else shown
    owner = ["account"] if "account" in shown.columns else []  # the stage keeps it only with several accounts
    table = ordered.head(max(top_n * 2, 10)).select(name, *owner, *metrics, *flags, *attributes)
    table = table.with_columns(
        pl.col(c).cast(pl.String).replace({"true": "⚠ yes", "false": ""})
        for c in flags if table.schema[c] == pl.Boolean
    )
    formats = {**column_formats(currency), "frequency": _fmt_decimal}
    tones = {"roas": roas_tone(target_roas, kpis.breakeven_roas(gross_margin)), "cpa": cpa_tone(target_cpa),
             **{c: (lambda v: "bad" if v and str(v).strip() not in ("", "False", "false", "0") else None)
                for c in flags}}
    labels = {c: c.replace("_", " ").capitalize() for c in (name, *owner, *flags, *attributes)}
    labels.update({"hook_rate": "Hook rate", "hold_rate": "Hold rate", "frequency": "Frequency"})
    period = _period_note(shown, "first_day", "last_day", "Largest spend first, over")
    return period + html_table(table, formats, labels=labels, tones=tones)


def breakdown_html(
    ad_insights: pl.DataFrame | pl.LazyFrame | None, breakdown: str, week: str, currency: str, *, target_roas: float,
    target_cpa: float, gross_margin: float,
) -> tuple[pl.DataFrame | None, str]:
    """The week's rows of one breakdown export rolled up by its dimensions, and a table of them (or a note
    naming the export to add).

    `ad_insights` may be a lazy scan (scan_optional): only that breakdown's rows are read.
    """
    dims = {"age_gender": ["age", "gender"], "placement": ["publisher_platform", "placement"], "region": ["region"],
            "country": ["country"]}[breakdown]
    if ad_insights is None or (isinstance(ad_insights, pl.DataFrame) and ad_insights.is_empty()):
        return None, info_html(BREAKDOWN_EXPORTS[breakdown])
    rolled = kpis.breakdown_rollup(ad_insights, breakdown, dims, *kpis.week_bounds(week))
    rolled = rolled.filter((pl.col("spend").fill_null(0) > 0) | (pl.col("impressions").fill_null(0) > 0))
    if rolled.is_empty():
        return None, info_html(BREAKDOWN_EXPORTS[breakdown])
    total = rolled["spend"].sum()
    shown = rolled.with_columns(
        (pl.col("spend") / total if total else pl.lit(None, pl.Float64)).alias("share_of_spend")
    ).sort("spend", descending=True, nulls_last=True)
    columns = [*dims, "spend", "share_of_spend", "roas", "cpa", "purchases", "ctr", "cpm", "cvr", "impressions"]
    tones = {"roas": roas_tone(target_roas, kpis.breakeven_roas(gross_margin)), "cpa": cpa_tone(target_cpa)}
    labels = {"age": "Age", "gender": "Gender", "publisher_platform": "Platform", "placement": "Placement",
              "region": "Region", "country": "Country"}
    return rolled, html_table(shown.select(columns), column_formats(currency), labels=labels, tones=tones)


def regions_html(
    ad_insights: pl.DataFrame | pl.LazyFrame | None, week: str, currency: str, *, target_roas: float,
    target_cpa: float, gross_margin: float,
) -> str:
    """The week's region and country breakdown tables, each where its export exists; else one line naming them."""
    targets = {"target_roas": target_roas, "target_cpa": target_cpa, "gross_margin": gross_margin}
    parts = []
    for breakdown, title in (("region", "Regions"), ("country", "Countries")):
        rolled, table = breakdown_html(ad_insights, breakdown, week, currency, **targets)
        if rolled is not None:
            parts.append(f"<h3>{title}</h3>{table}")
    return "".join(parts) or note_html(
        "No region or country figures for this week. In Meta Ads Manager choose Breakdown → By delivery → Region "
        "(or Country), report by Day, export CSV and drop it into data/raw/."
    )


def customer_split_html(orders: pl.DataFrame | None, week: str, currency: str) -> str:
    """New vs returning customers of the week: orders, revenue and AOV (empty without an orders export)."""
    if orders is None or orders.is_empty():
        return ""
    split = kpis.customer_split(orders, *kpis.week_bounds(week))
    if split.is_empty():
        return ""
    total = split["orders"].sum()
    shown = split.with_columns((pl.col("orders") / total).alias("share"))
    return "<h3>New and returning customers</h3>" + html_table(
        shown.select("customer", "orders", "share", "revenue", "store_aov"),
        {**column_formats(currency), "share": fmt_pct},
        labels={"customer": "Customers", "share": "% of orders", "store_aov": "Store AOV"},
    )


def week_sources(
    ad_insights: pl.DataFrame | pl.LazyFrame | None, orders: pl.DataFrame | pl.LazyFrame | None, week: str
) -> list[str]:
    """The source files that hold ad rows or orders dated in `week`, sorted (either table may be a lazy scan)."""
    start, end = kpis.week_bounds(week)
    files: set[str] = set()
    for frame in (ad_insights, orders):
        if frame is None or (isinstance(frame, pl.DataFrame) and not frame.height):
            continue
        names = frame.lazy().filter(pl.col("date").is_between(start, end)).select(pl.col("source_file").unique())
        files.update(names.collect()["source_file"].drop_nulls().to_list())
    return sorted(files)


def data_quality_html(
    kpis_daily: pl.DataFrame,
    ad_insights: pl.DataFrame | pl.LazyFrame | None,
    orders: pl.DataFrame | None,
    ledger: pl.DataFrame | None,
    warnings: pl.DataFrame | None,
    week: str,
) -> str:
    """Where this week's numbers come from: coverage of its 7 days, the ledger and warnings of its source files,
    and a link to the quality page."""
    start, end = kpis.week_bounds(week)
    ad_days = days_with_data(kpis_daily, week)
    order_days = (
        orders.filter(pl.col("date").is_between(start, end))["date"].n_unique() if orders is not None else 0
    )
    facts = [f"Ad data on {ad_days} of 7 days"]
    facts.append(f"orders on {order_days} of 7 days" if orders is not None else "no orders export")
    files = week_sources(ad_insights, orders, week)
    parts = [f'<p>{esc("; ".join(facts))}. <a href="../quality.html">Data quality details</a> (checks, quarantine, '
             "every file of the latest run).</p>"]
    if ledger is not None and files:
        rows = ledger.filter(pl.col("source_file").is_in(files))
        if rows.height:
            parts.append(html_table(
                rows.select("source_file", "kind", "rows_in", "kept", "replaced", "totals", "quarantined"),
                column_formats(""),
                labels={"source_file": "File behind this week", "kind": "Kind", "rows_in": "Rows in (whole file)",
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


def sparkline_svg(values: Sequence[float | None], *, width: int = 120, height: int = 28, label: str = "") -> str:
    """A small inline SVG line of `values` (gaps where None); no script, so it draws in any mail client."""
    points = [(i, v) for i, v in enumerate(values) if number(v) is not None]
    if len(points) < 2:
        return ""
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)
    coords = " ".join(f"{2 + i * step:.1f},{height - 3 - (v - low) / span * (height - 6):.1f}" for i, v in points)
    last_x, last_y = coords.split(" ")[-1].split(",")
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(label)}"><polyline fill="none" stroke="currentColor" stroke-width="1.6" '
        f'points="{coords}"/><circle cx="{last_x}" cy="{last_y}" r="2.2" fill="currentColor"/></svg>'
    )


# ---------------------------------------------------------------------------------------------------- reading

def _read(path: Path, days: Days | None = None, week: str | None = None, columns: Sequence[str] | None = None
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
    keep_text = "confidence" in frame.columns and frame["confidence"].str.strip_chars().cast(
        pl.Float64, strict=False).null_count() > frame["confidence"].null_count()
    return frame.with_columns(e for e in as_number if not (keep_text and e.meta.output_name() == "confidence"))



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
    formats = column_formats(currency)
    return html_table(
        table,
        {**formats, "share": fmt_pct},
        labels={"platform_source": "Platform", "share": "% of spend"},
        tones={"roas": roas_tone(target_roas, kpis.breakeven_roas(gross_margin)), "cpa": cpa_tone(target_cpa)},
    )


PLATFORM_NAMES = {"meta": "Meta", "google_ads": "Google Ads", "pinterest": "Pinterest"}


def read_summary(path: str | Path) -> dict:
    """metrics/summary.json, or {} when it is absent."""
    path = Path(path)
    return io.read_json(path) if path.is_file() else {}


# ---------------------------------------------------------------------------------------------------- pages


@functools.cache
def report_css() -> str:
    """The stylesheet all report pages share (also inlined by the nbconvert template)."""
    return CSS_PATH.read_text(encoding="utf-8")


def page_html(title: str, body: str) -> str:
    """A complete standalone page: inline CSS, no scripts, nothing loaded from the network."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f'<meta name="color-scheme" content="light">\n<title>{esc(title)}</title>\n'
        f'<style type="text/css">\n{report_css()}</style>\n</head>\n'
        f'<body class="adlab-report">\n<main class="page">\n{body}\n</main>\n</body>\n</html>\n'
    )


def _kernel_config(socket_dir: str) -> Any:
    """Kernel settings: a quiet log, and local sockets in `socket_dir` instead of unencrypted TCP where the OS has them.

    Each render gets its own folder, so kernels started side by side never share a socket.
    """
    from traitlets.config import Config

    config = Config()
    # The kernel's own log only tells of its start and stop (jupyter_client interrupts it on shutdown, which
    # it may log as an error); a failing cell reaches us as PapermillExecutionError all the same.
    config.NotebookClient.extra_arguments = ["--IPKernelApp.log_level=CRITICAL"]
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(socket_dir, "kernel")
    return config


# ---------------------------------------------------------------------------------------------------- incremental


def kernel_name() -> str:
    """The project's kernel when installed (make setup does), else the plain python3 kernel of this interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        return FALLBACK_KERNEL
    return KERNEL


def code_version(notebook: Path) -> str:
    """A digest of everything that shapes a page besides the data: notebook, templates, the modules it runs and
    the versions of the libraries that write the HTML."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    package = Path(__file__).parent
    files = [notebook, *sorted(p for p in TEMPLATES_DIR.rglob("*") if p.is_file())]
    files += [package / name for name in RENDER_MODULES if (package / name).is_file()]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("plotly", "nbconvert", "polars", "papermill"):
        digest.update(f"{dist}={version(dist)}\0".encode())
    return digest.hexdigest()


def _frame_digest(frame: pl.DataFrame | None) -> str:
    """A digest of a frame's column names, types and rows, in order.

    Rows go in as polars' row hashes with a fixed seed: the same in every run of one polars version, and
    code_version holds that version, so an upgrade re-renders every page anyway. (Digesting CSV text took
    about a second per page's window at a million ad rows.)
    """
    if frame is None:
        return "absent"
    digest = hashlib.sha256(f"{frame.height}\0{list(frame.schema.items())}\0".encode())
    if frame.width:
        digest.update(frame.hash_rows(seed=0).to_numpy().tobytes())
    return digest.hexdigest()


def week_window(week: str, trend_weeks: int) -> Days:
    """The days a weekly page reads: its trend (trend_weeks weeks ending with `week`, at least the week before)."""
    start, end = kpis.week_bounds(week)
    return start - dt.timedelta(days=7 * (max(trend_weeks, 2) - 1)), end


def week_fingerprint(
    week: str,
    *,
    kpis_daily: pl.DataFrame,
    orders: pl.DataFrame | None,
    ad_insights: pl.DataFrame | None,
    ledger: pl.DataFrame | None,
    warnings: pl.DataFrame | None,
    recommendations: pl.DataFrame | None,
    creatives: pl.DataFrame | None,
    settings: Mapping[str, Any],
    trend_weeks: int,
    code: str,
    store_sales: pl.DataFrame | None = None,
    sessions: pl.DataFrame | None = None,
    results_daily: pl.DataFrame | None = None,
) -> str:
    """A digest of every input the page of `week` shows: when it is unchanged the page needs no re-render.

    Covers the week's trend window of kpis_daily and orders, the week's ad rows (breakdowns, source files),
    the ledger and warnings of those files, the recommendations and creatives shown on this page, the
    settings (targets, currency, ...) and the code version.
    """
    first, last = week_window(week, trend_weeks)
    start, end = kpis.week_bounds(week)

    def between(frame: pl.DataFrame | None, low: dt.date, high: dt.date) -> pl.DataFrame | None:
        return None if frame is None else frame.filter(pl.col("date").is_between(low, high))

    files = week_sources(ad_insights, orders, week)
    for_week = str(settings.get("stage_outputs_week", ""))
    parts = {
        "week": week,
        "kpis_daily": _frame_digest(between(kpis_daily, first, last)),
        "orders": _frame_digest(between(orders, first, last)),
        "store_sales": _frame_digest(between(store_sales, first, last)),
        "sessions": _frame_digest(between(sessions, start, end)),
        "results_daily": _frame_digest(between(results_daily, first, last)),
        "ad_insights": _frame_digest(between(ad_insights, start, end)),
        "ledger": _frame_digest(None if ledger is None else ledger.filter(pl.col("source_file").is_in(files))),
        "warnings": _frame_digest(None if warnings is None else warnings.filter(pl.col("source_file").is_in(files))),
        "recommendations": _frame_digest(_shown_for_week(recommendations, week, for_week)),
        "recommendations_exist": recommendations is not None,
        "creatives": _frame_digest(_shown_for_week(creatives, week, for_week)),
        "creatives_exist": creatives is not None,
        "settings": {k: str(v) for k, v in sorted(settings.items()) if k != "stage_outputs_week"},
        "trend_weeks": trend_weeks,
        "code": code,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def render_week(week: str, parameters: Mapping[str, Any], out_html: Path, *, notebook: Path) -> Path:
    """Run the report notebook for one ISO week and write it as one offline HTML page.

    Args:
        week: ISO week label, e.g. 2026-W47.
        parameters: the notebook's other parameters (see its `parameters` cell); `*_path` values are
            made absolute, so relative paths mean relative to the current folder.
        out_html: the page to write (atomically).
        notebook: the papermill template, notebooks/weekly_report.ipynb.

    Raises:
        AdlabError: a cell of the notebook failed; the message names the cell and the error.
    """
    # Imported here, not at the top: the notebook's kernel imports this module and never renders.
    import papermill
    from nbconvert import HTMLExporter

    values = {
        name: str(Path(value).resolve()) if name.endswith("_path") else value for name, value in parameters.items()
    }
    try:
        with tempfile.TemporaryDirectory(prefix="adlab-kernel-") as socket_dir:
            executed = papermill.execute_notebook(
                notebook, None, parameters={**values, "week": week},
                progress_bar=False, cwd=notebook.resolve().parent, config=_kernel_config(socket_dir),
                kernel_name=kernel_name(),
            )
    except papermill.PapermillExecutionError as err:
        raise AdlabError(
            f"{notebook}: the report for {week} failed in cell {err.exec_count}: {err.ename}: {err.evalue}"
        ) from err
    # Code cells without output (parameters, set-up) would leave empty boxes; notes for notebook users go too.
    executed.cells = [
        cell for cell in executed.cells
        if (cell.cell_type != "code" or cell.outputs) and "remove-cell" not in cell.metadata.get("tags", [])
    ]
    executed.metadata["title"] = f"Advertising report {week}"
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    outputs = _park_html_outputs(executed)
    page, _ = exporter.from_notebook_node(executed)
    io.write_text(_unpark_html_outputs(page, outputs), out_html)
    return out_html


def _park_html_outputs(notebook: Any) -> dict[str, str]:
    """Swap every HTML output of the executed notebook for a placeholder comment; the outputs by placeholder.

    nbconvert's HTMLExporter parses and re-serialises the whole page with BeautifulSoup, to add alt text to
    images and tabindex to the cells of its own notebook layout (which the adlab template does not use). The
    outputs are HTML this module wrote, without images; parsing them took about a second per 10,000 table cells,
    half a minute for an agency's campaign tree. They go round that pass as placeholders and come back byte for
    byte; the page is the one the pass would have written, up to how it spells the same HTML (`<br>` for `<br/>`).
    """
    marker = f"adlab-output-{uuid.uuid4().hex}"
    parked: dict[str, str] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                key = f"{marker}-{len(parked)}"
                value = data["text/html"]
                parked[key] = "".join(value) if isinstance(value, list) else value
                data["text/html"] = f"<!--{key}-->"
    return parked


def _unpark_html_outputs(page: str, parked: Mapping[str, str]) -> str:
    """The page with each placeholder of _park_html_outputs replaced by its output."""
    if not parked:
        return page
    marker = next(iter(parked)).rsplit("-", 1)[0]
    placeholders = re.compile(rf"<!--({re.escape(marker)}-\d+)-->")
    return placeholders.sub(lambda match: parked[match.group(1)], page)


def render_index(
    weeks_summary: Sequence[Mapping[str, Any]],
    out_html: Path,
    *,
    currency: str = "USD",
    sample_data: bool = False,
    target_roas: float | None = None,
    target_cpa: float | None = None,
    gross_margin: float | None = None,
    accounts: Sequence[str] = (),
) -> Path:
    """Write reports/index.html: every week, newest first, with its headline figures, a daily sparkline and link.

    Args:
        weeks_summary: one mapping per week with `week`, `spend`, `purchase_value`, `roas`, `cpa`,
            `revenue`, `mer` (week_summaries); `days` < 7 marks a partial week; `rendered` False lists a
            week without a page (older than report.weeks); `daily_spend` / `daily_roas` draw the sparklines.
            Without spend in any week (a store without ad data) the columns are the store's: `orders`,
            `revenue`, `store_aov` and `new_customer_share`, with one line naming the export that adds the ads.
        accounts: the accounts the figures add up, named under the title when there are two or more.
    """
    rows = sorted(weeks_summary, key=lambda row: row["week"], reverse=True)
    money = functools.partial(fmt_money, currency=currency)
    breakeven = kpis.breakeven_roas(gross_margin) if gross_margin else None
    has_ads = any(row.get("spend") is not None for row in rows) or not rows
    has_store = any(row.get("revenue") is not None for row in rows)
    has_spark = any(spend is not None for row in rows for spend in row.get("daily_spend") or [])
    header = ["Week", "Spend", "Purchase value", "ROAS", "vs week before", "CPA"] if has_ads else ["Week"]
    header += (["Store revenue", "MER"] if has_ads else ["Orders", "Store revenue", "Store AOV", "New customers"]
               ) if has_store else []
    header += ["Daily spend", "Daily ROAS"] if has_spark else []
    by_week = {row["week"]: row for row in rows}
    lines = []
    for row in rows:
        week = esc(row["week"])
        days = row.get("days")
        partial = f' <span class="pill bad">{int(days)} of 7 days</span>' if days is not None and days < 7 else ""
        roas_class = roas_tone(target_roas, breakeven)(row.get("roas")) if target_roas and breakeven else None
        cpa_class = cpa_tone(target_cpa)(row.get("cpa")) if target_cpa else None
        before = by_week.get(previous_week(row["week"]), {})
        change = relative_change(row.get("roas"), before.get("roas"))
        change_class = "neutral" if change is None or abs(change) < 0.0005 else ("good" if change > 0 else "bad")
        link = (
            f'<a href="weekly/{week}.html">{week}</a>' if row.get("rendered", True)
            else f'{week} <span class="sub">no page: add it to report.extra_weeks</span>'
        )
        cells = [
            f'<td>{link}{partial}<div class="sub">{esc(fmt_dates(*kpis.week_bounds(row["week"])))}</div></td>',
        ]
        if not has_ads:
            cells += [f'<td class="num">{esc(text)}</td>' for text in (
                fmt_int(row.get("orders")), money(row.get("revenue")), money(row.get("store_aov")),
                fmt_pct(row.get("new_customer_share"), 0),
            )] if has_store else []
            lines.append("<tr>" + "".join(cells) + "</tr>")
            continue
        cells += [
            f'<td class="num">{esc(money(row.get("spend")))}</td>',
            f'<td class="num">{esc(money(row.get("purchase_value")))}</td>',
            f'<td class="num {roas_class or ""}">{esc(fmt_roas(row.get("roas")))}</td>',
            f'<td class="num {change_class}">{esc(fmt_change(change))}</td>',
            f'<td class="num {cpa_class or ""}">{esc(money(row.get("cpa")))}</td>',
        ]
        if has_store:
            cells.append(f'<td class="num">{esc(money(row.get("revenue")))}</td>')
            cells.append(f'<td class="num">{esc(fmt_roas(row.get("mer")))}</td>')
        if has_spark:
            spend_line = sparkline_svg(row.get("daily_spend") or [], label="Daily spend")
            roas_line = sparkline_svg(row.get("daily_roas") or [], label="Daily ROAS")
            cells.append(f'<td class="spark-cell spend">{spend_line}</td><td class="spark-cell roas">{roas_line}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" if h in ("Week", "Daily spend", "Daily ROAS") else f'<th class="num">{h}</th>'
                   for h in header)
    table = (
        f'<div class="table-wrap"><table class="index">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(lines)
        + "\n</tbody>\n</table></div>"
        if rows
        else note_html("No week has been rendered yet: the ad data holds no complete ISO week.")
    )
    if not has_ads:
        table = no_ads_html("glance") + table
    else:  # a metric no week has (no export has its column) gets one line
        known = {key: next((row[key] for row in rows if row.get(key) is not None), None)
                 for key in ("spend", "purchases", "purchase_value", "link_clicks")}
        table = unknown_metrics_html(known) + table
    trend = ""
    ordered = [row for row in reversed(rows) if row.get("roas") is not None]
    if len(ordered) >= 2:
        trend = (
            f'<p class="index-trend">Weekly ROAS, {esc(ordered[0]["week"])} to {esc(ordered[-1]["week"])} '
            f'{sparkline_svg([row["roas"] for row in ordered], width=220, height=36, label="Weekly ROAS")} '
            f'<strong>{esc(fmt_roas(ordered[-1]["roas"]))}</strong></p>'
        )
    targets = []
    if target_roas:
        targets.append(f"target ROAS {fmt_roas(target_roas)}")
    if breakeven:
        targets.append(f"break-even ROAS {fmt_roas(breakeven)}")
    if target_cpa:
        targets.append(f"target CPA {money(target_cpa)}")
    body = (
        '<header class="report-header"><div class="eyebrow">Advertising reports</div>'
        "<h1>Weekly reports</h1>"
        f'<p class="meta">{f"Account currency {esc(currency)}" if currency else "Currency unknown"}'
        f'{" · " + esc(", ".join(targets)) if targets and has_ads else ""}'
        ' <span class="nav"><a href="quality.html">Data quality</a></span></p></header>'
        f"{banner_html(sample_data)}{currency_line_html(currency, 0)}"
        + (note_html(f"{len(accounts)} accounts: {', '.join(accounts)}. Every figure is their sum; each week's "
                     "page names the account of every campaign.") if len(accounts) > 1 else "")
        + f"{trend}{table}"
        + ('<p class="note">Weeks run Monday to Sunday (ISO weeks). ROAS = purchase value / spend; CPA = spend / '
           "purchase; MER = store revenue / ad spend. Green meets the target, amber is between break-even and "
           "target, red is below break-even or over the target CPA. Sparklines show each day of the week.</p>"
           if has_ads else
           '<p class="note">Weeks run Monday to Sunday (ISO weeks). Orders count every order not cancelled or '
           "voided, by order date; store revenue is order totals minus refunds; store AOV = store revenue / "
           "orders.</p>")
    )
    io.write_text(page_html("Advertising reports", body), out_html)
    return out_html


def render_quality(
    ledger: pl.DataFrame,
    checks: pl.DataFrame,
    warnings: pl.DataFrame,
    out_html: Path,
    *,
    sample_data: bool = False,
) -> Path:
    """Write reports/quality.html: the per-file row ledger and whether it balances, the checks and the warnings.

    Args:
        ledger: one row per source file: source_file, kind, table, rows_in, kept, replaced, totals, quarantined.
        checks: one row per check: table, check, column, success, unexpected_count, details.
        warnings: one row per warning: source_file, check, message.
    """
    parts = ("kept", "replaced", "totals", "quarantined")
    balanced = ledger.with_columns(
        (pl.col("rows_in") - pl.sum_horizontal(parts)).alias("difference")
    ).with_columns(
        pl.when(pl.col("difference") == 0).then(pl.lit("✓")).otherwise(
            pl.concat_str(pl.lit("✗ off by "), pl.col("difference").cast(pl.String))
        ).alias("balances")
    )
    totals = ledger.select(pl.col("rows_in", *parts).sum()).row(0, named=True) if ledger.height else {}
    unbalanced = balanced.filter(pl.col("difference") != 0).height
    if ledger.height and not unbalanced:
        verdict = (
            f'<p><span class="pill good">Balanced</span> Every input row is accounted for: '
            f"{fmt_int(totals['rows_in'])} rows in = {fmt_int(totals['kept'])} kept + "
            f"{fmt_int(totals['replaced'])} replaced by newer exports + {fmt_int(totals['totals'])} totals rows + "
            f"{fmt_int(totals['quarantined'])} quarantined.</p>"
        )
    elif ledger.height:
        verdict = (
            f'<p><span class="pill bad">Not balanced</span> {unbalanced} file(s) have rows that are not '
            "accounted for; see the last column.</p>"
        )
    else:
        verdict = note_html("No input files were read.")
    ledger_columns = ["source_file", "kind", "table", "rows_in", *parts, "balances"]
    ledger_tone = {"balances": lambda value: "good" if value == "✓" else "bad"}
    ledger_table = html_table(
        balanced.select(ledger_columns),
        column_formats(""),
        labels={"source_file": "File", "kind": "Kind", "table": "Table", "rows_in": "Rows in", "kept": "Kept",
                "replaced": "Replaced", "totals": "Totals rows", "quarantined": "Quarantined", "balances": "Balances"},
        tones=ledger_tone,
        total={**totals, "source_file": "All files", "balances": "✓" if not unbalanced else "✗"} if ledger.height
        else None,
    )
    has_used = "columns_used" in ledger.columns
    used = ledger.filter(pl.col("columns_used").fill_null("") != "") if has_used else ledger.clear()
    columns_used = html_table(
        used.select("source_file", "columns_used"),
        labels={"source_file": "File", "columns_used": "Purchases and purchase value come from"},
    ) if used.height else ""
    failed = checks.filter(~pl.col("success")).height if checks.height else 0
    shown_checks = (
        checks.with_columns(
            pl.when(pl.col("success")).then(pl.lit("✓ passed")).otherwise(pl.lit("✗ failed")).alias("success")
        ).sort(pl.col("success").str.starts_with("✓"), maintain_order=True)  # failed checks first
        if checks.height
        else checks
    )
    checks_table = html_table(
        shown_checks,
        column_formats(""),
        labels={"table": "Table", "check": "Check", "column": "Column", "success": "Result",
                "unexpected_count": "Failing rows", "details": "Details"},
        tones={"success": lambda value: "good" if str(value).startswith("✓") else "bad"},
    ) if checks.height else note_html("No checks were run.")
    warnings_table = html_table(
        warnings.select("source_file", "check", "message"),
        labels={"source_file": "File", "check": "Check", "message": "Message"},
    ) if warnings.height else note_html("No warnings.")
    check_verdict = (
        f'<p><span class="pill {"bad" if failed else "good"}">{checks.height - failed} of {checks.height} passed</span>'
        + (" Rows failing a check are moved to <code>data/quarantine/</code> with the reason." if failed else "")
        + "</p>"
        if checks.height
        else ""
    )
    body = (
        '<header class="report-header"><div class="eyebrow">Advertising reports</div><h1>Data quality</h1>'
        '<p class="meta">Where every input row went, and the checks the data passed.'
        ' <span class="nav"><a href="index.html">All weeks</a></span></p></header>'
        f"{banner_html(sample_data)}"
        f"<h2>Row ledger</h2>{verdict}{ledger_table}"
        + (f"<h2>Where purchases come from</h2>{columns_used}" if columns_used else "")
        + f"<h2>Validation checks</h2>{check_verdict}{checks_table}"
        f"<h2>Warnings</h2>{warnings_table}"
    )
    io.write_text(page_html("Data quality", body), out_html)
    return out_html
