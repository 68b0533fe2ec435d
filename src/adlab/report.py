"""HTML reports: the weekly page (papermill runs notebooks/weekly_report.ipynb, nbconvert makes one
offline HTML file of it), the index of weeks and the data-quality page, all in one style.

The weekly notebook calls the pure helpers here (tables, tiles, formatters); every string that came
from a file goes through `html.escape` on its way into a page.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from adlab import io, kpis
from adlab.errors import AdlabError

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "adlab"
CSS_PATH = TEMPLATES_DIR / TEMPLATE_NAME / "static" / "report.css"
KERNEL = "python3"

MISSING = "–"
SAMPLE_BANNER = (
    "This report runs on the embedded sample data; drop your exports into <code>data/raw/</code> "
    "and run <code>make report</code> to see your own accounts."
)
NO_ORDERS_NOTE = (
    "No store orders yet. Drop a Shopify orders export (Shopify admin → Orders → Export, CSV) into "
    "<code>data/raw/</code> and run <code>make report</code> to see orders, store revenue, AOV and MER "
    "(store revenue / ad spend) here."
)
WEEK_LABEL = re.compile(r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])")

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
# Currencies quoted without minor units in ad platforms and shops.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "IDR", "ISK"})

ENTITY_KEYS = {
    "campaign": ["platform_source", "campaign"],
    "adset": ["platform_source", "campaign", "adset"],
    "ad": ["platform_source", "campaign", "adset", "ad"],
}
LABELS = {
    "name": "Campaign / ad set / ad",
    "campaign": "Campaign",
    "adset": "Ad set",
    "ad": "Ad",
    "platform_source": "Platform",
    "share_of_spend": "% of spend",
    "spend": "Spend",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "link_clicks": "Link clicks",
    "ctr": "CTR",
    "cpc": "CPC",
    "cpm": "CPM",
    "purchases": "Purchases",
    "cvr": "CVR",
    "cpa": "CPA",
    "purchase_value": "Purchase value",
    "aov": "AOV",
    "roas": "ROAS",
    "revenue": "Store revenue",
    "orders": "Orders",
    "mer": "MER",
    "week": "Week",
    "dates": "Dates",
}
# The columns a reader looks at first come first: on a phone the rest scroll in from the right.
TREE_COLUMNS = ("name", "spend", "roas", "cpa", "purchase_value", "purchases", "share_of_spend", "aov", "ctr",
                "cvr", "cpm", "link_clicks", "impressions")
AD_COLUMNS = ("ad", "spend", "roas", "cpa", "purchase_value", "purchases", "ctr", "campaign", "adset")
NO_PURCHASE_COLUMNS = ("ad", "spend", "impressions", "link_clicks", "ctr", "cpm", "campaign", "adset")


# ---------------------------------------------------------------------------------------------------- formatting


def _number(value: Any) -> float | None:
    """The value as a float, or None for null, NaN and infinities."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def money_affixes(currency: str) -> tuple[str, str]:
    """Prefix and suffix for amounts in `currency`: ("$", "") for USD, ("", " AUD") where a symbol is ambiguous."""
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    return (symbol, "") if symbol else ("", f" {code}" if code else "")


def fmt_money(value: Any, currency: str, decimals: int | None = None) -> str:
    """An amount in the account currency: `$1,234.56`, `1,234.56 AUD`, `-$5.00`; `–` when missing."""
    number = _number(value)
    if number is None:
        return MISSING
    places = decimals if decimals is not None else (0 if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES else 2)
    prefix, suffix = money_affixes(currency)
    sign = "-" if number < 0 and round(abs(number), places) > 0 else ""
    return f"{sign}{prefix}{abs(number):,.{places}f}{suffix}"


def fmt_int(value: Any) -> str:
    """A count with thousands separators: `12,345`; `–` when missing."""
    number = _number(value)
    return MISSING if number is None else f"{round(number):,}"


def fmt_pct(value: Any, decimals: int = 2) -> str:
    """A fraction as a percentage: 0.01234 -> `1.23%`; `–` when missing."""
    number = _number(value)
    return MISSING if number is None else f"{number * 100:,.{decimals}f}%"


def fmt_roas(value: Any) -> str:
    """A return multiple (ROAS, MER): 2.4149 -> `2.41x`; `–` when missing."""
    number = _number(value)
    return MISSING if number is None else f"{number:,.2f}x"


def relative_change(current: Any, previous: Any) -> float | None:
    """(current - previous) / previous; None when either is missing or previous is 0."""
    now, before = _number(current), _number(previous)
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before)


def fmt_change(change: float | None) -> str:
    """A relative change with an arrow: `▲ 12.3%`, `▼ 4.0%`, `● 0.0%`; `–` when missing."""
    if change is None:
        return MISSING
    arrow = "▲" if change > 0.0005 else "▼" if change < -0.0005 else "●"
    return f"{arrow} {abs(change) * 100:,.1f}%"


def column_formats(currency: str) -> dict[str, Callable[[Any], str]]:
    """The formatter of every known column: money in `currency`, counts, rates as %, ROAS and MER as `2.41x`."""
    money = functools.partial(fmt_money, currency=currency)
    formats: dict[str, Callable[[Any], str]] = {}
    for name in ("spend", "purchase_value", "cpa", "cpc", "cpm", "aov", "revenue", "store_aov"):
        formats[name] = money
    for name in ("impressions", "clicks", "link_clicks", "landing_page_views", "adds_to_cart", "checkouts",
                 "purchases", "orders", "units", "days", "rows_in", "kept", "replaced", "totals", "quarantined",
                 "unexpected_count"):
        formats[name] = fmt_int
    for name in ("ctr", "ctr_all", "cvr", "hook_rate", "hold_rate", "share_of_spend", "new_customer_share"):
        formats[name] = fmt_pct
    for name in ("roas", "mer"):
        formats[name] = fmt_roas
    return formats


def roas_tone(target_roas: float, breakeven_roas: float) -> Callable[[Any], str | None]:
    """good at or above target, warn between break-even and target, bad below break-even."""

    def tone(value: Any) -> str | None:
        number = _number(value)
        if number is None:
            return None
        if number >= target_roas:
            return "good"
        return "warn" if number >= breakeven_roas else "bad"

    return tone


def cpa_tone(target_cpa: float) -> Callable[[Any], str | None]:
    """good at or below the target cost per purchase, bad above it."""

    def tone(value: Any) -> str | None:
        number = _number(value)
        return None if number is None else ("good" if number <= target_cpa else "bad")

    return tone


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
    rows = []
    for row in frame.iter_rows(named=True):
        css = f' class="level-{esc(row[row_class])}"' if row_class else ""
        rows.append(f"<tr{css}>" + "".join(cell(name, row[name]) for name in columns) + "</tr>")
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
) -> str:
    """The weekly page's title block: ISO week, its dates, data freshness, links and the sample-data banner."""
    start, end = kpis.week_bounds(week)
    year, number = week.split("-W")
    meta = [f"Account currency {esc(currency)}"]
    if data_through is not None:
        meta.append(f"data through {data_through:%a %d %b %Y}")
    nav = ' <span class="nav"><a href="../index.html">All weeks</a><a href="../quality.html">Data quality</a></span>'
    coverage = ""
    if days_with_data < 7:
        coverage = (
            '<div class="banner info" role="note">Only '
            f"{days_with_data} of the 7 days of this week have ad data, so totals are partial.</div>"
        )
    return (
        '<header class="report-header">'
        '<div class="eyebrow">Weekly advertising report</div>'
        f'<h1>Week {int(number)}, {esc(year)} <span class="dates">{esc(fmt_dates(start, end))} · {esc(week)}</span>'
        "</h1>"
        f'<p class="meta">{" · ".join(meta)}{nav}</p>'
        "</header>"
        f"{banner_html(sample_data)}{coverage}"
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
)


def _format(kind: str, value: Any, currency: str) -> str:
    """A tile's value; money from 10,000 up in whole units, so it fits a tile (tables keep the cents)."""
    if kind == "money":
        number = _number(value)
        return fmt_money(value, currency, 0 if number is not None and abs(number) >= 10_000 else None)
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
) -> list[Tile]:
    """Headline tiles (spend, purchase value, ROAS, CPA, CTR, CPM, CVR, AOV, MER) with week-over-week change.

    `current` and `previous` hold the keys of kpis.period_figures / metrics/summary.json. A change is
    good when it moves the way the business wants (CPA and CPM down, the others up; spend is neither).
    ROAS is held against the target and break-even (1 / gross margin), CPA against its target, MER
    against break-even.
    """
    breakeven = kpis.breakeven_roas(gross_margin)
    roas, cpa, mer = (_number(current.get(key)) for key in ("roas", "cpa", "mer"))
    targets: dict[str, tuple[str | None, str]] = {
        "roas": (
            roas_tone(target_roas, breakeven)(roas),
            f"target {fmt_roas(target_roas)} · break-even {fmt_roas(breakeven)}",
        ),
        "cpa": (cpa_tone(target_cpa)(cpa), f"target {fmt_money(target_cpa, currency)}"),
        "mer": (
            None if mer is None else ("good" if mer >= breakeven else "bad"),
            f"break-even {fmt_roas(breakeven)}" if current.get("revenue") is not None else "needs an orders export",
        ),
    }
    return _tiles(HEADLINE, current, previous, currency, previous_label, targets)


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
    mer = _number(current.get("mer"))
    targets = {"mer": (None if mer is None else ("good" if mer >= breakeven else "bad"),
                       f"break-even {fmt_roas(breakeven)}")}
    return _tiles(STORE_HEADLINE, current, previous, currency, previous_label, targets)


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
    if not WEEK_LABEL.fullmatch(week):
        raise AdlabError(f"week {week!r} is not an ISO week label such as 2026-W47 (or 'latest').")
    return week


def days_with_data(kpis_daily: pl.DataFrame, week: str) -> int:
    """How many of the week's 7 days have ad data."""
    start, end = kpis.week_bounds(week)
    return kpis_daily.filter(pl.col("date").is_between(start, end))["date"].n_unique()


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
        campaigns.with_columns(pl.lit("campaign").alias("level"), pl.col("campaign").alias("name")),
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
    if tree["platform_source"].drop_nulls().n_unique() > 1:
        # Same campaign names may run on two platforms: say which row is which.
        shown = shown.with_columns(
            pl.when(pl.col("level") == "campaign")
            .then(pl.concat_str(pl.col("name"), pl.lit(" ("), tree["platform_source"], pl.lit(")")))
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
    value cannot be ranked (see ads_without_purchase); larger spend breaks ties.
    """
    key = ENTITY_KEYS["ad"]
    ranked = kpis_weekly.filter(
        (pl.col("week") == week)
        & (pl.col("spend") >= min_spend)
        & pl.col("roas").is_not_null()
        & pl.col("ad").is_not_null()
    ).sort(["roas", "spend", *key], descending=[True, True, False, False, False, False])
    n_best = min(n, math.ceil(ranked.height / 2))
    best = ranked.head(n_best)
    worst = ranked.slice(n_best).reverse().head(n)
    return best, worst


def ads_without_purchase(kpis_weekly: pl.DataFrame, week: str, min_spend: float, n: int) -> pl.DataFrame:
    """Up to `n` ads that spent at least `min_spend` in the week with no purchase recorded, largest spend first.

    These have no ROAS to rank when the export leaves purchases blank, yet they are the stop-loss candidates.
    """
    return (
        kpis_weekly.filter(
            (pl.col("week") == week)
            & (pl.col("spend") >= min_spend)
            & (pl.col("purchases").fill_null(0) == 0)
            & pl.col("ad").is_not_null()
        )
        .sort(["spend", *ENTITY_KEYS["ad"]], descending=[True, False, False, False, False])
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
    """A table of single ads (best or worst) with their campaign and ad set; ROAS and CPA coloured."""
    tones = {"roas": roas_tone(target_roas, kpis.breakeven_roas(gross_margin)), "cpa": cpa_tone(target_cpa)}
    return html_table(ads.select(*columns), column_formats(currency), tones=tones)


def trend_days(account_daily: pl.DataFrame, end: dt.date, weeks: int) -> pl.DataFrame:
    """The rows of account_daily for the `weeks` x 7 days ending on `end` (the reported Sunday)."""
    start = end - dt.timedelta(days=7 * weeks - 1)
    return account_daily.filter(pl.col("date").is_between(start, end))


def has_store_data(store: pl.DataFrame | None, week: str) -> bool:
    """Whether the orders export reaches into the week."""
    return kpis.store_covers(store, *kpis.week_bounds(week))


def week_summaries(kpis_daily: pl.DataFrame, store: pl.DataFrame | None, weeks: Iterable[str]) -> list[dict]:
    """One dict per week: `week`, `start`, `end`, `days` and the figures of kpis.period_figures."""
    rows = []
    for week in weeks:
        start, end = kpis.week_bounds(week)
        figures = kpis.period_figures(kpis_daily, store, start, end)
        rows.append({"week": week, "start": start, "end": end, "days": days_with_data(kpis_daily, week), **figures})
    return rows


def footer_html(summary: Mapping[str, Any], *, data_through: dt.date | None) -> str:
    """Where the numbers come from: the row ledger of the last run and a link to the quality page."""
    parts = []
    rows = summary.get("rows") or {}
    if rows:
        parts.append(
            f"Input rows: {fmt_int(rows.get('in'))} read; {fmt_int(rows.get('kept'))} kept, "
            f"{fmt_int(rows.get('replaced'))} replaced by newer exports, {fmt_int(rows.get('totals'))} totals rows "
            f"set aside, {fmt_int(rows.get('quarantined'))} quarantined."
        )
    if data_through is not None:
        parts.append(f"Ad data through {data_through:%d %b %Y}.")
    parts.append("Ratios are computed from sums at each level shown, never averaged.")
    link = ' <a href="../quality.html">Data quality details</a>.'
    return f'<div class="footer">{esc(" ".join(parts))}{link}</div>'


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
    now = {**kpis.store_figures(store, start, end), "mer": current.get("mer")}
    before = (
        {**kpis.store_figures(store, before_start, before_end), "mer": (previous or {}).get("mer")}
        if has_store_data(store, previous_week(week))
        else None
    )
    tiles = store_tiles(now, before, currency, gross_margin=gross_margin, previous_label=previous_label)
    return tiles_html(tiles) + note_html(
        "Store figures count every order in the store, not only those the ad platforms attribute to ads; "
        "MER (store revenue / ad spend) is the account-wide check on ROAS."
    )


# ---------------------------------------------------------------------------------------------------- reading


def read_kpis(path: str | Path) -> pl.DataFrame:
    """A KPI table written by the kpis stage.

    Raises:
        AdlabError: the file is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise AdlabError(f"{path}: not found; run the kpis stage (`dvc repro`) before the report.")
    return io.read_parquet(path)


def read_store(path: str | Path) -> pl.DataFrame | None:
    """Store orders per day (kpis.store_daily) from the orders table, or None when it is absent or empty."""
    path = Path(path)
    if not path.is_file():
        return None
    orders = io.read_parquet(path)
    return kpis.store_daily(orders) if orders.height else None


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
                notebook, None, parameters={**values, "week": week}, kernel_name=KERNEL,
                progress_bar=False, cwd=notebook.resolve().parent, config=_kernel_config(socket_dir),
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
    page, _ = exporter.from_notebook_node(executed)
    io.write_text(page, out_html)
    return out_html


def render_index(
    weeks_summary: Sequence[Mapping[str, Any]],
    out_html: Path,
    *,
    currency: str = "USD",
    sample_data: bool = False,
    target_roas: float | None = None,
    target_cpa: float | None = None,
    gross_margin: float | None = None,
) -> Path:
    """Write reports/index.html: every rendered week, newest first, with its headline figures and link.

    Args:
        weeks_summary: one mapping per week with `week`, `spend`, `purchase_value`, `roas`, `cpa`,
            `revenue`, `mer` (week_summaries); `days` < 7 marks a partial week.
    """
    rows = sorted(weeks_summary, key=lambda row: row["week"], reverse=True)
    money = functools.partial(fmt_money, currency=currency)
    breakeven = kpis.breakeven_roas(gross_margin) if gross_margin else None
    has_store = any(row.get("revenue") is not None for row in rows)
    header = ["Week", "Spend", "Purchase value", "ROAS", "CPA"]
    header += ["Store revenue", "MER"] if has_store else []
    lines = []
    for row in rows:
        week = esc(row["week"])
        partial = f' <span class="pill bad">{int(row["days"])} of 7 days</span>' if row.get("days", 7) < 7 else ""
        roas_class = roas_tone(target_roas, breakeven)(row.get("roas")) if target_roas and breakeven else None
        cpa_class = cpa_tone(target_cpa)(row.get("cpa")) if target_cpa else None
        cells = [
            f'<td><a href="weekly/{week}.html">{week}</a>{partial}'
            f'<div class="sub">{esc(fmt_dates(*kpis.week_bounds(row["week"])))}</div></td>',
            f'<td class="num">{esc(money(row.get("spend")))}</td>',
            f'<td class="num">{esc(money(row.get("purchase_value")))}</td>',
            f'<td class="num {roas_class or ""}">{esc(fmt_roas(row.get("roas")))}</td>',
            f'<td class="num {cpa_class or ""}">{esc(money(row.get("cpa")))}</td>',
        ]
        if has_store:
            cells.append(f'<td class="num">{esc(money(row.get("revenue")))}</td>')
            cells.append(f'<td class="num">{esc(fmt_roas(row.get("mer")))}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" if h == "Week" else f'<th class="num">{h}</th>' for h in header)
    table = (
        f'<div class="table-wrap"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(lines)
        + "\n</tbody>\n</table></div>"
        if rows
        else note_html("No week has been rendered yet: the ad data holds no complete ISO week.")
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
        f'<p class="meta">Account currency {esc(currency)}'
        f'{" · " + esc(", ".join(targets)) if targets else ""}'
        ' <span class="nav"><a href="quality.html">Data quality</a></span></p></header>'
        f"{banner_html(sample_data)}{table}"
        '<p class="note">Weeks run Monday to Sunday (ISO weeks). ROAS = purchase value / spend; CPA = spend / '
        "purchase; MER = store revenue / ad spend. Green meets the target, amber is between break-even and "
        "target, red is below break-even or over the target CPA.</p>"
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
        f"<h2>Validation checks</h2>{check_verdict}{checks_table}"
        f"<h2>Warnings</h2>{warnings_table}"
    )
    io.write_text(page_html("Data quality", body), out_html)
    return out_html
