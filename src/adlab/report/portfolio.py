"""reports/index.html with several accounts: every account side by side for one week and the week before.

`portfolio_rows` works out each account's figures (sums first, ratios of those sums last), their change on the
week before, their tones against that account's own targets, its recommendation calls and whether it needs
attention; `render_portfolio` lays them out as a sortable table through templates/pages/portfolio.html.j2.
`account_rows` does the same over any two periods, for `adlab ask` ("which account's ROAS fell most?").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl

from adlab import accounts, io, kpis
from adlab.currency import cpa_target_note
from adlab.display import (
    cpa_tone,
    fmt_change,
    fmt_int,
    fmt_money,
    fmt_roas,
    number,
    relative_change,
    roas_tone,
)
from adlab.params import TargetsParams
from adlab.report.frames import previous_week
from adlab.report.html import fmt_dates
from adlab.report.templating import render_page

Days = tuple[dt.date, dt.date]  # first and last day, inclusive

# The figures shown per account and which way each is better: +1 higher, -1 lower, 0 neither.
FIGURES = {"spend": 0, "purchase_value": 1, "roas": 1, "cpa": -1, "mer": 1}
# The recommendation calls counted per account: column -> the `action` of recommendations.csv.
CALLS = {"pause": "pause", "scale": "scale", "refresh": "refresh_creative"}
# When an account needs attention (thresholds of the flags, see attention_flags).
ROAS_DROP = 0.25  # ROAS fell by this fraction or more on the period before
CPA_OVER = 0.5  # CPA this fraction or more above the account's target
CLICKS_HELD = 0.5  # purchases went to 0 while link clicks kept at least this share of the period before's
SILENT_DAYS = 2  # the latest days of an account's data without a purchase, after a week with purchases every day


def portfolio_rows(
    kpis_daily: pl.DataFrame,
    store: pl.DataFrame | None,
    recommendations: pl.DataFrame | None,
    targets: Mapping[str | None, TargetsParams],
    week: str,
    *,
    currency: str | Mapping[str | None, str | None] = "",
    also: Sequence[str | None] = (),
) -> list[dict[str, Any]]:
    """One row per account (accounts.names order) for ISO `week` and the week before: see account_rows.
    `also`: accounts without ad rows (a store alone) that get a row too, their ad figures unknown.

    Args:
        kpis_daily: one row per (date, ad) with an `account` column. Each account's amounts are in the currency
            of its rows' `currency` column when kpis_daily has one; else in `currency`: account -> its currency
            (e.g. the accounts' currencies in metrics/summary.json), or one code for every account (the
            exports' one currency); empty: unknown, amounts without a currency sign.
        store: store orders and revenue per day (kpis.store_daily) with an `account` column; a table without
            one is the store of a single account. None without store data (MER unknown).
        recommendations: data/processed/recommendations.csv (report.frames.read_recommendations); None before
            the recommend stage (the calls are unknown).
        targets: each account's targets (an account absent takes the default TargetsParams).
        week: the ISO week shown, e.g. the latest complete one.
    """
    return account_rows(
        kpis_daily,
        store,
        recommendations,
        targets,
        kpis.week_bounds(week),
        kpis.week_bounds(previous_week(week)),
        currencies=account_currencies(kpis_daily, currency, also),
        also=also,
    )


def account_rows(
    kpis_daily: pl.DataFrame,
    store: pl.DataFrame | None,
    recommendations: pl.DataFrame | None,
    targets: Mapping[str | None, TargetsParams],
    current: Days,
    previous: Days,
    *,
    currencies: Mapping[str | None, str | None],
    before_words: str = "the week before",
    amounts: Callable[[Any, str], str] = fmt_money,
    also: Sequence[str | None] = (),
) -> list[dict[str, Any]]:
    """One row per account (accounts.names order) over the days `current`, compared with `previous`.

    Each row: `account` (None: the default account), `label`, `currency`; the sums and KPIs of kpis.rollup
    (`spend`, `purchase_value`, `purchases`, `link_clicks`, `roas`, `cpa`, ...) with the store's `revenue` and
    `mer` (store revenue / ad spend); the same of `previous` in `before` and each FIGURES' relative change in
    `change` (None where either is unknown or the earlier one 0); `tones` (CSS class of roas, cpa, mer against
    the account's targets and of each change); `targets` (roas, breakeven_roas, cpa); `calls` (pause, scale,
    refresh counts, None without recommendations); `reasons` (why it needs attention, in words) and
    `attention`. Every ratio is a ratio of the account's sums over the period, never an average of days.
    The reasons write amounts with `amounts(value, currency)`: display.fmt_money on pages (`$60.00`),
    display.money_text in sentences (`60.00 USD`).
    """
    with_ads = accounts.names(kpis_daily)
    names = with_ads + [account for account in also if account not in with_ads]
    calls = call_counts(recommendations, names)
    store_ends = last_store_days(store, names)
    now = account_figures(kpis_daily, store, *current)
    before = account_figures(kpis_daily, store, *previous)
    rows = []
    for account in names:
        goals = targets.get(account, TargetsParams())
        breakeven = kpis.breakeven_roas(goals.gross_margin)
        unknown = dict.fromkeys((*FIGURES, "purchases", "link_clicks", "revenue"))  # an account without ads
        figures, earlier = now.get(account, unknown), before.get(account, unknown)
        change = {name: relative_change(figures.get(name), earlier.get(name)) for name in FIGURES}
        row = {
            "account": account,
            "label": accounts.label(account),
            "currency": currencies.get(account),
            **figures,
            "before": earlier,
            "change": change,
            "tones": figure_tones(figures, change, goals, currencies.get(account)),
            "targets": {"roas": goals.roas, "breakeven_roas": breakeven, "cpa": goals.cpa},
            "calls": calls[account],
        }
        own = accounts.rows_of(kpis_daily, account)
        row["silent"] = silent_days(own)
        # Ad data that stops before the period: the export is stale, the figures of the period unknown.
        last: dt.date | None = own["date"].max() if own.height else None  # type: ignore[assignment]
        row["ends"] = last if last is not None and last < current[0] else None
        shop_last = store_ends.get(account)
        row["store_ends"] = shop_last if shop_last is not None and shop_last < current[0] else None
        flags = attention_flags(row, before_words, amounts)
        row["reasons"] = [text for _, text in flags]
        row["urgency"] = flags[0][0] if flags else None
        row["attention"] = bool(flags)
        rows.append(row)
    return rows


def account_figures(
    kpis_daily: pl.DataFrame, store: pl.DataFrame | None, start: dt.date, end: dt.date
) -> dict[str | None, dict[str, Any]]:
    """account -> its sums and KPIs over the days start..end (kpis.rollup), its store `revenue` and `mer`.

    Every account of kpis_daily has an entry. An account whose ad data runs through the period but has no row
    in it spent 0; outside its data (and store revenue outside its store data) figures are unknown (None), as
    in kpis.period_figures.
    """
    frame = with_account(kpis_daily)
    names = accounts.names(frame)
    inside = pl.col("date").is_between(start, end)
    covers = (pl.col("date").min() <= end) & (pl.col("date").max() >= start)
    table = (
        pl.DataFrame({"account": names}, schema={"account": pl.String})
        .join(kpis.rollup(frame.filter(inside), ["account"]), on="account", how="left", nulls_equal=True)
        .join(frame.group_by("account").agg(covers.alias("_covered")), on="account", how="left", nulls_equal=True)
        .with_columns(pl.when(pl.col("_covered")).then(pl.col("spend").fill_null(0.0)).alias("spend"))
        .join(store_revenue(store, names, inside, covers), on="account", how="left", nulls_equal=True)
        .with_columns(kpis.ratio("revenue", "spend").alias("mer"))
        .drop("_covered")
    )
    return {row.pop("account"): row for row in table.iter_rows(named=True)}


def with_account(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with an `account` column: its own, else null (every row the default account's)."""
    return frame if "account" in frame.columns else frame.with_columns(pl.lit(None, pl.String).alias("account"))


def store_revenue(
    store: pl.DataFrame | None, names: Sequence[str | None], inside: pl.Expr, covers: pl.Expr
) -> pl.DataFrame:
    """One row per account with store data: the `revenue` of its days `inside`, null where its store data does
    not reach them (`covers`). A store table without `account` is the store of the only account; with several,
    whose it is is unknown, so no account gets it."""
    shops = owned_store(store, names)
    if shops is None:
        return pl.DataFrame(schema={"account": pl.String, "revenue": pl.Float64})
    return shops.group_by("account").agg(
        pl.when(covers).then(pl.col("revenue").filter(inside).sum().cast(pl.Float64)).alias("revenue")
    )


def owned_store(store: pl.DataFrame | None, names: Sequence[str | None]) -> pl.DataFrame | None:
    """The store table with each row's owner in `account`: its own column, else the only account's; None
    without a store table, or with several accounts and a table that does not say whose it is."""
    if store is None or ("account" not in store.columns and len(names) > 1):
        return None
    return store if "account" in store.columns else store.with_columns(pl.lit(names[0], pl.String).alias("account"))


def last_store_days(store: pl.DataFrame | None, names: Sequence[str | None]) -> dict[str | None, dt.date]:
    """account -> the last day of its store data (owned_store)."""
    shops = owned_store(store, names)
    if shops is None or shops.is_empty():
        return {}
    last = shops.group_by("account").agg(pl.col("date").max())
    return dict(zip(last["account"], last["date"], strict=True))


def call_counts(
    recommendations: pl.DataFrame | None, names: Sequence[str | None]
) -> dict[str | None, dict[str, int | None]]:
    """account -> how many pause, scale and refresh-creative calls recommendations.csv makes on its ad sets and
    ads. A table without `account` holds the only account's calls; without the table (or with several accounts
    and a table that does not say whose rows are), each count is unknown (None)."""
    if recommendations is None or not names or (len(names) > 1 and "account" not in recommendations.columns):
        return {account: dict.fromkeys(CALLS) for account in names}
    owned = (
        recommendations
        if "account" in recommendations.columns
        else recommendations.with_columns(pl.lit(names[0], pl.String).alias("account"))
    )
    counted = owned.group_by("account", "action").len()
    found = {(account, action): count for account, action, count in counted.iter_rows()}
    return {account: {name: found.get((account, action), 0) for name, action in CALLS.items()} for account in names}


def figure_tones(
    figures: Mapping[str, Any], change: Mapping[str, float | None], goals: TargetsParams, currency: str | None = None
) -> dict[str, str | None]:
    """CSS tones as the weekly tiles give them: ROAS against the target and break-even, CPA against its target
    (none when that target cannot be meant in the account's `currency`, currency.cpa_target_note), MER against
    break-even; each change good or bad in the direction the business wants (spend neither)."""
    breakeven = kpis.breakeven_roas(goals.gross_margin)
    mer = number(figures.get("mer"))
    plausible = cpa_target_note(goals.cpa, currency) is None
    tones: dict[str, str | None] = {
        "roas": roas_tone(goals.roas, breakeven)(figures.get("roas")),
        "cpa": cpa_tone(goals.cpa)(figures.get("cpa")) if plausible else None,
        "mer": None if mer is None else ("good" if mer >= breakeven else "bad"),
    }
    for name, better in FIGURES.items():
        moved = change.get(name)
        direction = 0 if moved is None or abs(moved) < 0.0005 else (1 if moved > 0 else -1)
        tones[f"{name}_change"] = (
            "neutral" if better == 0 or direction == 0 else ("good" if direction == better else "bad")
        )
    return tones


def attention_order(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Accounts that need attention first, the most urgent first (attention_flags: tracking, then ROAS drops,
    the largest first, ...), then the others; accounts.names order within."""

    def key(row: Mapping[str, Any]) -> tuple[bool, int, float]:
        fell = number(row["change"].get("roas"))
        return (not row["attention"], row.get("urgency") or 0, fell if fell is not None else 0.0)

    return sorted(rows, key=key)


def attention_flags(
    row: Mapping[str, Any], before_words: str = "the week before", amounts: Callable[[Any, str], str] = fmt_money
) -> list[tuple[int, str]]:
    """Why an account needs attention: (urgency, words) pairs, most urgent (lowest) first; empty when nothing does.

    Flags, by urgency: 0 purchases went to 0 while link clicks held (tracking: money spent blind), over the
    period or over the latest days of the data (`silent`); 1 ROAS fell by ROAS_DROP or more on the period
    before; 2 ROAS below break-even (1 / gross margin); 3 CPA at least CPA_OVER above the target (when the target
    is an amount plausible in the account's currency: a default of 40 says nothing of a JPY account); 4 the
    account's ad data or store data ends before the period (`ends`, `store_ends`: a stale export, its figures
    unknown). Pause calls are counted beside, not flagged: most accounts have an ad to stop; the account-level
    figures say whether it matters.
    """
    before, goals = row["before"], row["targets"]
    flags: list[tuple[int, str]] = []
    if ends := row.get("ends"):
        flags.append(
            (4, f"no ad data for this period: the export ends {ends:%a} {ends.day} {ends:%b %Y}; export it again")
        )
    if ends := row.get("store_ends"):
        flags.append(
            (
                4,
                f"no store data for this period: the store export ends {ends:%a} {ends.day} {ends:%b %Y}; "
                "export it again",
            )
        )
    clicks, clicks_before = number(row.get("link_clicks")), number(before.get("link_clicks"))
    purchases_before = number(before.get("purchases"))
    if (
        row.get("purchases") == 0
        and purchases_before
        and clicks
        and clicks_before
        and clicks >= CLICKS_HELD * clicks_before
    ):
        flags.append(
            (
                0,
                f"no purchase recorded on {fmt_int(clicks)} link clicks ({fmt_int(purchases_before)} purchases on "
                f"{fmt_int(clicks_before)} {before_words}): check tracking",
            )
        )
    if silent := row.get("silent"):
        flags.append(
            (
                0,
                f"no purchase recorded since {silent['since']:%a} {silent['since'].day} {silent['since']:%b} "
                f"({silent['days']} days, "
                f"{fmt_int(silent['link_clicks'])} link clicks) after {fmt_int(silent['purchases_before'])} purchases "
                "the 7 days before: check tracking",
            )
        )
    roas, fell = number(row.get("roas")), row["change"].get("roas")
    if fell is not None and fell <= -ROAS_DROP:
        flags.append(
            (
                1,
                f"ROAS fell {abs(fell):.0%} on {before_words} ({fmt_roas(before.get('roas'))} → {fmt_roas(roas)})",
            )
        )
    if roas is not None and roas < goals["breakeven_roas"]:
        flags.append((2, f"ROAS {fmt_roas(roas)} is below break-even {fmt_roas(goals['breakeven_roas'])}"))
    cpa, currency = number(row.get("cpa")), row["currency"] or ""
    plausible = cpa_target_note(goals["cpa"], currency or None) is None
    if cpa is not None and plausible and cpa >= goals["cpa"] * (1 + CPA_OVER):
        flags.append(
            (
                3,
                f"CPA {amounts(cpa, currency)} is {cpa / goals['cpa'] - 1:.0%} above the "
                f"{amounts(goals['cpa'], currency)} target",
            )
        )
    return sorted(flags, key=lambda flag: flag[0])  # stable: the order above within an urgency


def silent_days(daily: pl.DataFrame) -> dict[str, Any] | None:
    """The latest days of one account's data without a purchase, when they are SILENT_DAYS or more, the 7
    days before had a purchase every day and link clicks held (CLICKS_HELD of the daily average before):
    `since` (first silent day), `days`, `link_clicks` and `purchases_before`. None otherwise (also when
    purchases are unknown: not exported is not zero)."""
    if daily.is_empty() or daily["purchases"].null_count() == daily.height:
        return None
    days = (
        daily.group_by("date").agg(pl.col("purchases").sum(), pl.col("link_clicks").sum()).sort("date", descending=True)
    )
    with_purchases = days.filter(pl.col("purchases") > 0)
    if with_purchases.is_empty():
        return None
    last_sale = with_purchases["date"][0]
    silent = days.filter(pl.col("date") > last_sale)
    before = days.filter(pl.col("date").is_between(last_sale - dt.timedelta(days=6), last_sale))
    if silent.height < SILENT_DAYS or before.height < 7 or before["purchases"].min() == 0:
        return None
    clicks, clicks_before = float(silent["link_clicks"].sum()), float(before["link_clicks"].sum())
    if not clicks_before or clicks / silent.height < CLICKS_HELD * clicks_before / 7:
        return None
    return {
        "since": silent["date"].min(),
        "days": silent.height,
        "link_clicks": clicks,
        "purchases_before": before["purchases"].sum(),
    }


def account_currencies(
    frame: pl.DataFrame | None, default: str | Mapping[str | None, str | None] = "", also: Sequence[str | None] = ()
) -> dict[str | None, str | None]:
    """account -> the currency of its amounts, every account of `frame` and of `also` (accounts without rows in
    it, e.g. a store alone): the most common of its rows' `currency` (first by name on a tie) where `frame` has
    that column, else `default`'s (account -> currency, or one code for all; None where empty or absent)."""
    if frame is None:
        return {}
    names = accounts.names(frame)
    names += [account for account in also if account not in names]

    def fallback(account: str | None) -> str | None:
        return (default.get(account) if isinstance(default, Mapping) else default) or None

    if "currency" not in frame.columns:
        return {account: fallback(account) for account in names}
    counts = (
        frame.filter(pl.col("currency").is_not_null())
        .group_by("account", "currency")
        .len()
        .sort(["account", "len", "currency"], descending=[False, True, False], nulls_last=True)
        .unique("account", keep="first", maintain_order=True)
    )
    found = dict(zip(counts["account"], counts["currency"], strict=True))
    return {account: found.get(account) or fallback(account) for account in names}


def totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The accounts' figures added up (ratios of the sums) and their change, when every account has the same
    currency; None when currencies differ (amounts in different currencies never add up)."""
    if len({row["currency"] for row in rows}) != 1:
        return None

    def summed(values: Sequence[Mapping[str, Any]], name: str) -> float | None:
        """The sum over the accounts; unknown when any account's is (a part is not the whole)."""
        known = [number(row.get(name)) for row in values]
        return None if not known or None in known else sum(value for value in known if value is not None)

    def figures(values: Sequence[Mapping[str, Any]]) -> dict[str, float | None]:
        sums = {name: summed(values, name) for name in ("spend", "purchase_value", "purchases", "revenue")}
        sums["roas"] = ratio_of(sums["purchase_value"], sums["spend"])
        sums["cpa"] = ratio_of(sums["spend"], sums["purchases"])
        sums["mer"] = ratio_of(sums["revenue"], sums["spend"])
        return sums

    now, before = figures(rows), figures([row["before"] for row in rows])
    return {**now, "change": {name: relative_change(now[name], before[name]) for name in FIGURES}}


def ratio_of(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator of two sums (kpis.ratio's rule: null where the denominator is 0 or unknown)."""
    return None if numerator is None or not denominator or denominator <= 0 else numerator / denominator


# ---------------------------------------------------------------------------------------------------- the page

# The table's columns after the account's name: header text, what they hold (for a header's tooltip), and
# whether each cell also shows its change on the week before (a second sort key, the header's `±`).
HEAD = (
    ("Needs attention", "needs attention (most reasons first)", False),
    ("Spend", "spend", True),
    ("Purchase value", "purchase value", True),
    ("ROAS", "ROAS", True),
    ("CPA", "CPA", True),
    ("MER", "MER", True),
    ("Pause", "pause calls", False),
    ("Scale", "scale calls", False),
    ("Refresh", "refresh-creative calls", False),
)


def render_portfolio(
    rows: Sequence[Mapping[str, Any]],
    out: Path,
    *,
    week: str,
    sample_data: bool,
    links: Mapping[str | None, tuple[str, str]],
    root: str = "",
) -> Path:
    """Write the portfolio page: one row per account (portfolio_rows), flagged ones first, sortable by any column.

    Args:
        rows: portfolio_rows of `week`.
        week: the ISO week shown; the week before is what every change compares with.
        links: account -> (href of its index page, href of its page of `week`), e.g.
            (`<slug>/index.html`, `<slug>/weekly/<week>.html`); the second may name an earlier week (an
            account whose data ends before `week`: its latest page, said so) or be empty (no page).
    """
    start, end = kpis.week_bounds(week)
    ordered = attention_order(rows)
    flagged = [row for row in ordered if row["attention"]]
    page = render_page(
        "portfolio.html.j2",
        title=f"Accounts {week}",
        sample_data=sample_data,
        summary=f"{len(rows)} account{'s' if len(rows) != 1 else ''} · week {week} ({fmt_dates(start, end)}), "
        f"compared with {previous_week(week)}",
        totals=totals_line(rows),
        attention=f"{len(flagged)} of {len(rows)} accounts need attention: "
        + ", ".join(row["label"] for row in flagged)
        + "."
        if flagged
        else "No account needs attention this week.",
        flagged=bool(flagged),
        head=[{"text": text, "title": title, "change": change} for text, title, change in HEAD],
        rows=[table_row(row, links.get(row["account"], ("", "")), week) for row in ordered],
        # From reports/weekly/ (a week's portfolio), the other pages are one folder up.
        nav=[
            (f"{root}customers.html", "Customers"),
            (f"{root}budget.html", "Budget plan"),
            (f"{root}audit.html", "Audit"),
            (f"{root}quality.html", "Data quality"),
        ]
        + ([(f"{root}index.html", "Latest week")] if root else []),
    )
    io.write_text(page, out)
    return out


def totals_line(rows: Sequence[Mapping[str, Any]]) -> str:
    """`All accounts: spend $1,234.00 (▲ 5.0%), purchase value ..., ROAS 2.41x, CPA $40.00, MER 3.10x` in the one
    currency of every account; where currencies differ, a line saying totals are per account."""
    summed = totals(rows)
    if summed is None:
        codes = sorted({row["currency"] or "unknown" for row in rows})
        return f"Totals are per account because the accounts' currencies differ ({', '.join(codes)})."
    money = functools.partial(fmt_money, currency=rows[0]["currency"] or "") if rows else fmt_roas
    parts = [
        f"spend {money(summed['spend'])} ({fmt_change(summed['change']['spend'])})",
        f"purchase value {money(summed['purchase_value'])}",
        f"ROAS {fmt_roas(summed['roas'])} ({fmt_change(summed['change']['roas'])})",
        f"CPA {money(summed['cpa'])}",
        f"MER {fmt_roas(summed['mer'])}",
    ]
    return "All accounts: " + ", ".join(parts) + "."


def table_row(row: Mapping[str, Any], link: tuple[str, str], week: str = "") -> dict[str, Any]:
    """One account as the template lays it out: its name and links (the page of `week`, or the account's
    latest one, named by its week), what needs attention, then each figure's text, tone and raw value (`sort`:
    what a click on the column header sorts by, empty when unknown so it sorts last) with its change on the
    week before (`change`, the same for the header's `±`)."""
    shown = PurePosixPath(link[1]).stem
    money = functools.partial(fmt_money, currency=row["currency"] or "")
    formats: dict[str, Callable[[Any], str]] = {
        "spend": money,
        "purchase_value": money,
        "roas": fmt_roas,
        "cpa": money,
        "mer": fmt_roas,
    }
    cells = []
    for name, format_value in formats.items():
        moved = row["change"].get(name)
        cell = _cell(format_value(row.get(name)), row.get(name), row["tones"].get(name))
        cells.append({**cell, "change": _cell(fmt_change(moved), moved, row["tones"].get(f"{name}_change"))})
    for name in CALLS:
        count = row["calls"].get(name)
        cells.append({**_cell(fmt_int(count), count, "bad" if name == "pause" and count else None), "change": None})
    return {
        "label": row["label"],
        "account_sort": row["label"].casefold(),
        "index_href": link[0],
        "week_href": link[1],
        "latest_week": shown if week and shown != week else "",  # the page linked is of an earlier week
        "currency": row["currency"] or "currency unknown",
        "reasons": row["reasons"],
        "cells": cells,
    }


def _cell(text: str, sort: Any, tone: str | None) -> dict[str, Any]:
    """A figure: its text, its tone (a CSS class, or empty) and the raw value it sorts by (empty: unknown)."""
    value = number(sort)
    return {"text": text, "tone": tone or "", "sort": "" if value is None else format(value, ".10g")}
