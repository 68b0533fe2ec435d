"""metrics/summary.json: the figures of the latest complete ISO week (or reporting window) and the row ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from adlab.kpis.periods import Figures, period_figures, spend_by_platform, window_figures
from adlab.kpis.rollups import rounded
from adlab.kpis.weeks import iso_week, latest_week, reporting_dates, week_bounds
from adlab.kpis.windows import report_windows, window_kpis

SUMMARY_KEYS = (
    "spend",
    "purchase_value",
    "purchases",
    "impressions",
    "link_clicks",
    "roas",
    "cpa",
    "ctr",
    "cpm",
    "cvr",
    "aov",
    "orders",
    "revenue",
    "mer",
    "sessions",
    "store_cvr",
)


def build_summary(
    kpis_daily: pl.DataFrame,
    store: pl.DataFrame | None,
    ledger: pl.DataFrame,
    currency: str | None,
    data_source: str,
    sessions: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """metrics/summary.json: the latest complete ISO week, the week before, and the row ledger.

    The latest complete week is the newest ISO week whose 7 days all lie on or
    before the last date in the ad data (for a store without ads, in its sales
    data); without one, the latest (partial) week. Without ad data every ad
    metric is null; with no dated data at all, so is the week.
    """
    week, complete = latest_week(reporting_dates(kpis_daily, store))
    if week is None:
        empty: Figures = {key: None for key in SUMMARY_KEYS}
        return _summary(None, complete, currency, empty, None, empty, ledger, {}, data_source)
    monday, sunday = week_bounds(week)
    previous_monday = monday - dt.timedelta(days=7)
    current = period_figures(kpis_daily, store, monday, sunday, sessions)
    previous = period_figures(kpis_daily, store, previous_monday, previous_monday + dt.timedelta(days=6), sessions)
    by_platform = spend_by_platform(kpis_daily, monday, sunday)
    return _summary(
        week, complete, currency, current, iso_week(previous_monday), previous, ledger, by_platform, data_source
    )


def _summary(
    week: str | None,
    complete: bool,
    currency: str | None,
    current: Figures,
    previous_week: str | None,
    previous: Figures,
    ledger: pl.DataFrame,
    by_platform: dict[str, dict[str, float | None]],
    data_source: str,
) -> dict[str, Any]:
    """The summary.json mapping, every contract key present (null where unknown)."""
    totals = ledger.select(pl.col("rows_in", "kept", "replaced", "totals", "quarantined").sum()).row(0, named=True)
    return {
        "week": week,
        "week_complete": complete,
        "currency": currency,
        **{key: rounded(current[key]) for key in SUMMARY_KEYS},
        "previous": {"week": previous_week, **{key: rounded(previous[key]) for key in SUMMARY_KEYS}},
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


def build_period_summary(
    kpis_period: pl.DataFrame,
    store: pl.DataFrame | None,
    ledger: pl.DataFrame,
    currency: str | None,
    data_source: str,
    sessions: pl.DataFrame | None = None,
) -> dict[str, Any]:
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
        **{key: rounded(current[key]) for key in SUMMARY_KEYS},
        "previous": {"week": iso_week(end - dt.timedelta(days=7)), **dict.fromkeys(SUMMARY_KEYS)},
        "rows": {
            key: int(totals[name] or 0)
            for key, name in (
                ("in", "rows_in"),
                ("kept", "kept"),
                ("replaced", "replaced"),
                ("totals", "totals"),
                ("quarantined", "quarantined"),
            )
        },
        "by_platform": spend_by_platform(rows, start, end),
        "data_source": data_source,
    }
