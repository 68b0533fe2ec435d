"""reports/index.html: every week (or, for ad data without days, every reporting window) with its headline
figures and a link to its page; and the page that leads from the summary's week to its window.

Each page is chosen (which rows and columns), formatted (text and tone of every cell) here, and laid out by
its template in templates/pages/.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from markupsafe import Markup

from adlab import io, kpis
from adlab.display import (
    cpa_tone,
    fmt_change,
    fmt_int,
    fmt_money,
    fmt_pct,
    fmt_roas,
    relative_change,
    roas_tone,
)
from adlab.report.frames import previous_week
from adlab.report.html import fmt_dates
from adlab.report.templating import Cell, Table, render_page, sparkline
from adlab.report.weekly.header import NO_ADS_NOTES, currency_line_html, unknown_metrics_html
from adlab.report.window import DAILY_EXPORT, fmt_window, window_stem

# Index columns that hold text or a drawing rather than a number.
TEXT_COLUMNS = ("Week", "Daily spend", "Daily ROAS")


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
    columns = IndexColumns.of(rows)
    money = functools.partial(fmt_money, currency=currency)
    breakeven = kpis.breakeven_roas(gross_margin) if gross_margin else None
    tones = WeekTones(
        roas=roas_tone(target_roas, breakeven) if target_roas and breakeven else _no_tone,
        cpa=cpa_tone(target_cpa) if target_cpa else _no_tone,
    )
    by_week = {row["week"]: row for row in rows}
    # A metric no week has (no export has its column) gets one line.
    known = {
        key: next((row[key] for row in rows if row.get(key) is not None), None)
        for key in ("spend", "purchases", "purchase_value", "link_clicks")
    }
    page = render_page(
        "index.html.j2",
        title="Advertising reports",
        sample_data=sample_data,
        currency_text=f"Account currency {currency}" if currency else "Currency unknown",
        targets=targets_text(target_roas, breakeven, target_cpa, money) if columns.ads else "",
        # Lines the weekly page shows too, written (and escaped) by its header helpers.
        currency_line=Markup(currency_line_html(currency, 0)),
        accounts_note=f"{len(accounts)} accounts: {', '.join(accounts)}. Every figure is their sum; each week's "
        "page names the account of every campaign."
        if len(accounts) > 1
        else "",
        trend=roas_trend(rows),
        has_ads=columns.ads,
        unknown_metrics=Markup(unknown_metrics_html(known)),
        no_ads_note=NO_ADS_NOTES["glance"],
        table=Table(
            columns.head(),
            [week_row(row, by_week.get(previous_week(row["week"]), {}), columns, money, tones) for row in rows],
        ),
        # The newest week without a page: the note under the table says how to render it.
        without_page=next((row["week"] for row in rows if not row.get("rendered", True)), ""),
    )
    io.write_text(page, out_html)
    return out_html


def targets_text(
    target_roas: float | None, breakeven: float | None, target_cpa: float | None, money: Callable[[Any], str]
) -> str:
    """`target ROAS 2.50x, break-even ROAS 1.67x, target CPA $25.00`, naming only the targets that are set."""
    targets = [
        *([f"target ROAS {fmt_roas(target_roas)}"] if target_roas else []),
        *([f"break-even ROAS {fmt_roas(breakeven)}"] if breakeven else []),
        *([f"target CPA {money(target_cpa)}"] if target_cpa else []),
    ]
    return ", ".join(targets)


@dataclass(frozen=True)
class IndexColumns:
    """Which column groups the weekly index shows: the ad figures, the store's, the daily sparklines."""

    ads: bool
    store: bool
    spark: bool

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Any]]) -> IndexColumns:
        """Ad columns when any week has spend (or there is no week); store columns when any has store revenue;
        sparklines when any day has spend."""
        return cls(
            ads=any(row.get("spend") is not None for row in rows) or not rows,
            store=any(row.get("revenue") is not None for row in rows),
            spark=any(spend is not None for row in rows for spend in row.get("daily_spend") or []),
        )

    def head(self) -> list[Cell]:
        """The header cells; figures are right-aligned."""
        names = ["Week", "Spend", "Purchase value", "ROAS", "vs week before", "CPA"] if self.ads else ["Week"]
        if self.store:
            names += ["Store revenue", "MER"] if self.ads else ["Orders", "Store revenue", "Store AOV", "New customers"]
        names += ["Daily spend", "Daily ROAS"] if self.spark else []
        return [Cell(name, "" if name in TEXT_COLUMNS else "num") for name in names]


@dataclass(frozen=True)
class WeekTones:
    """The CSS class of a week's ROAS and CPA against the targets (None without a target)."""

    roas: Callable[[Any], str | None]
    cpa: Callable[[Any], str | None]


def _no_tone(value: Any) -> None:
    return None


def week_row(
    row: Mapping[str, Any],
    before: Mapping[str, Any],
    columns: IndexColumns,
    money: Callable[[Any], str],
    tones: WeekTones,
) -> dict[str, Any]:
    """One week of the index as its template lays it out: link, dates, partial days, figure cells, sparklines.

    Args:
        row: the week's summary (render_index's weeks_summary); before: the week before's, or empty.
    """
    return {
        "week": row["week"],
        "rendered": row.get("rendered", True),
        "partial_days": int(row["days"]) if row.get("days") is not None and row["days"] < 7 else None,
        "dates": fmt_dates(*kpis.week_bounds(row["week"])),
        "cells": ad_cells(row, before, columns, money, tones) if columns.ads else store_cells(row, columns, money),
        "sparks": {
            "spend": sparkline(row.get("daily_spend") or [], label="Daily spend"),
            "roas": sparkline(row.get("daily_roas") or [], label="Daily ROAS"),
        }
        if columns.ads and columns.spark
        else None,
    }


def ad_cells(
    row: Mapping[str, Any],
    before: Mapping[str, Any],
    columns: IndexColumns,
    money: Callable[[Any], str],
    tones: WeekTones,
) -> list[Cell]:
    """Spend, purchase value, ROAS and its change from the week before, CPA; store revenue and MER with a store."""
    change = relative_change(row.get("roas"), before.get("roas"))
    change_tone = "neutral" if change is None or abs(change) < 0.0005 else ("good" if change > 0 else "bad")
    cells = [
        Cell(money(row.get("spend")), "num"),
        Cell(money(row.get("purchase_value")), "num"),
        Cell(fmt_roas(row.get("roas")), f"num {tones.roas(row.get('roas')) or ''}"),
        Cell(fmt_change(change), f"num {change_tone}"),
        Cell(money(row.get("cpa")), f"num {tones.cpa(row.get('cpa')) or ''}"),
    ]
    if columns.store:
        cells += [Cell(money(row.get("revenue")), "num"), Cell(fmt_roas(row.get("mer")), "num")]
    return cells


def store_cells(row: Mapping[str, Any], columns: IndexColumns, money: Callable[[Any], str]) -> list[Cell]:
    """A store without ad data: orders, store revenue, AOV and new customers' share (none without a store)."""
    if not columns.store:
        return []
    return [
        Cell(text, "num")
        for text in (
            fmt_int(row.get("orders")),
            money(row.get("revenue")),
            money(row.get("store_aov")),
            fmt_pct(row.get("new_customer_share"), 0),
        )
    ]


def roas_trend(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The weekly ROAS line over the listed weeks, oldest first, and the latest ROAS; None under two weeks."""
    ordered = [row for row in reversed(rows) if row.get("roas") is not None]
    if len(ordered) < 2:
        return None
    return {
        "first": ordered[0]["week"],
        "last": ordered[-1]["week"],
        "line": sparkline([row["roas"] for row in ordered], width=220, height=36, label="Weekly ROAS"),
        "roas": fmt_roas(ordered[-1]["roas"]),
    }


def window_summaries(
    kpis_period: pl.DataFrame, store: pl.DataFrame | None, sessions: pl.DataFrame | None = None
) -> list[dict[str, Any]]:
    """One dict per reporting window, latest end first: `start`, `end`, `days` and its kpis.window_figures."""
    return [
        {
            "start": start,
            "end": end,
            "days": (end - start).days + 1,
            **kpis.window_figures(kpis_period, store, start, end, sessions),
        }
        for start, end in kpis.report_windows(kpis_period)
    ]


def windows_index_html(
    windows: Sequence[Mapping[str, Any]],
    *,
    currency: str,
    sample_data: bool,
    target_roas: float,
    target_cpa: float,
    gross_margin: float,
) -> str:
    """reports/index.html when the ad data has no days: one row per reporting window with its figures and link."""
    money = functools.partial(fmt_money, currency=currency)
    breakeven = kpis.breakeven_roas(gross_margin)
    tone_roas, tone_cpa = roas_tone(target_roas, breakeven), cpa_tone(target_cpa)
    rows = [
        {
            "stem": window_stem(w["start"], w["end"]),
            "dates": fmt_window(w["start"], w["end"]),
            "cells": [
                Cell(fmt_int(w["days"]), "num"),
                Cell(money(w["spend"]), "num"),
                Cell(money(w["purchase_value"]), "num"),
                Cell(fmt_roas(w["roas"]), f"num {tone_roas(w['roas']) or ''}"),
                Cell(money(w["cpa"]), f"num {tone_cpa(w['cpa']) or ''}"),
                Cell(money(w["revenue"]), "num"),
                Cell(fmt_roas(w["mer"]), "num"),
            ],
        }
        for w in windows
    ]
    head = [
        Cell("Reporting window"),
        *(Cell(name, "num") for name in ("Days", "Spend", "Purchase value", "ROAS", "CPA", "Store revenue", "MER")),
    ]
    return render_page(
        "windows_index.html.j2",
        title="Advertising reports",
        sample_data=sample_data,
        currency=currency,
        targets=f"target ROAS {fmt_roas(target_roas)}, break-even ROAS {fmt_roas(breakeven)}, target CPA "
        f"{money(target_cpa)}",
        daily_export=DAILY_EXPORT,
        table=Table(head, rows),
    )


def week_pointer_html(week: str, start: dt.date, end: dt.date, *, sample_data: bool) -> str:
    """The page of metrics/summary.json's week when the data has no days: where the window's report is."""
    return render_page(
        "week_pointer.html.j2",
        title=f"Advertising report {week}",
        sample_data=sample_data,
        week=week,
        window=fmt_window(start, end),
        stem=window_stem(start, end),
    )
