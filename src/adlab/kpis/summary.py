"""metrics/summary.json: the figures of the latest complete ISO week (or reporting window) and the row ledger, of
one account or of a portfolio of accounts (their sums, each account's own summary under `accounts`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from adlab.kpis.formulas import (
    KPI_FRACTIONS,
    PROFIT_DIFFERENCES,
    PROFIT_FRACTIONS,
    RESULT_FRACTIONS,
    STORE_FRACTIONS,
    ratio,
)
from adlab.kpis.periods import Figures, period_figures, spend_by_platform, store_spans, window_figures
from adlab.kpis.profit import PROFIT_SUMS, profit_figures
from adlab.kpis.results import RESULTS_KEY
from adlab.kpis.rollups import rounded
from adlab.kpis.weeks import complete_weeks, date_span, iso_week, latest_week, reporting_dates, week_bounds
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
# Profit and new-customer figures (kpis.profit; null without an orders export): sums, then their KPIs. Orders,
# revenue and spend are among the summary's own keys.
PROFIT_SUMMED = tuple(key for key in PROFIT_SUMS if key not in ("orders", "revenue", "spend"))
PROFIT_KEYS = (*PROFIT_SUMMED, *PROFIT_DIFFERENCES, *PROFIT_FRACTIONS)


def build_summary(
    kpis_daily: pl.DataFrame,
    store: pl.DataFrame | None,
    ledger: pl.DataFrame,
    currency: str | None,
    data_source: str,
    sessions: pl.DataFrame | None = None,
    week: str | None = None,
    profit: pl.DataFrame | None = None,
    first_order: dt.date | None = None,
) -> dict[str, Any]:
    """metrics/summary.json: the latest complete ISO week, the week before, and the row ledger.

    The latest complete week is the newest ISO week whose 7 days all lie on or
    before the last date in the ad data (for a store without ads, in its sales
    data); without one, the latest (partial) week. Without ad data every ad
    metric is null; with no dated data at all, so is the week. A given `week`
    (e.g. the portfolio's, so that every account reports the same one) is
    reported instead, `week_complete` saying whether these rows cover it.
    With `profit` (kpis.profit_daily), the profit and new-customer figures (PROFIT_KEYS) of the same weeks
    and `first_order_date`, how far back the orders (and so new vs returning customers) go.
    """
    dates = reporting_dates(kpis_daily, store)
    if week is None:
        week, complete = latest_week(dates)
    else:
        complete = False
        if not dates.is_empty():
            first_day, last_day = date_span(dates)
            complete = week in complete_weeks(last_day, first_day)
    if week is None:
        empty: Figures = {key: None for key in SUMMARY_KEYS}
        return _summary(None, complete, currency, empty, None, empty, ledger, {}, data_source, first_order)
    monday, sunday = week_bounds(week)
    previous_monday = monday - dt.timedelta(days=7)
    current = period_figures(kpis_daily, store, monday, sunday, sessions)
    previous = period_figures(kpis_daily, store, previous_monday, previous_monday + dt.timedelta(days=6), sessions)
    # POAS and the contribution divide by the spend ROAS and MER divide by.
    current |= _profit_part(profit_figures(profit, monday, sunday, current["spend"]))
    previous |= _profit_part(
        profit_figures(profit, previous_monday, previous_monday + dt.timedelta(days=6), previous["spend"])
    )
    by_platform = spend_by_platform(kpis_daily, monday, sunday)
    return _summary(
        week,
        complete,
        currency,
        current,
        iso_week(previous_monday),
        previous,
        ledger,
        by_platform,
        data_source,
        first_order,
    )


def _profit_part(figures: dict[str, float | int | None]) -> Figures:
    """The PROFIT_KEYS of kpis.profit_figures."""
    return {key: figures[key] for key in PROFIT_KEYS}


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
    first_order: dt.date | None = None,
) -> dict[str, Any]:
    """The summary.json mapping, every contract key present (null where unknown)."""
    totals = ledger.select(pl.col("rows_in", "kept", "replaced", "totals", "quarantined").sum()).row(0, named=True)
    return {
        "week": week,
        "week_complete": complete,
        "currency": currency,
        **{key: rounded(current.get(key)) for key in (*SUMMARY_KEYS, *PROFIT_KEYS)},
        "first_order_date": None if first_order is None else first_order.isoformat(),
        "previous": {
            "week": previous_week,
            **{key: rounded(previous.get(key)) for key in (*SUMMARY_KEYS, *PROFIT_KEYS)},
        },
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
    profit: pl.DataFrame | None = None,
    first_order: dt.date | None = None,
) -> dict[str, Any]:
    """metrics/summary.json when the ad data has no days: the figures of the latest reporting window.

    `week` is the ISO week the window ends in (the contract's label; its page points to the window's
    page), `period` gives the window's dates and length, and `previous` holds nulls: no day-by-day data
    means no week before to compare with.
    """
    start, end = report_windows(kpis_period)[0]
    current = window_figures(kpis_period, store, start, end, sessions)
    # Profit over the window only where the orders span it, as store figures (store_spans).
    spanned = profit if store_spans(profit, start, end) else None
    current |= _profit_part(profit_figures(spanned, start, end, current["spend"]))
    totals = ledger.select(pl.col("rows_in", "kept", "replaced", "totals", "quarantined").sum()).row(0, named=True)
    rows = window_kpis(kpis_period, start, end)
    return {
        "week": iso_week(end),
        "week_complete": False,
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": (end - start).days + 1},
        "currency": currency,
        **{key: rounded(current[key]) for key in (*SUMMARY_KEYS, *PROFIT_KEYS)},
        "first_order_date": None if first_order is None else first_order.isoformat(),
        "previous": {"week": iso_week(end - dt.timedelta(days=7)), **dict.fromkeys((*SUMMARY_KEYS, *PROFIT_KEYS))},
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


# The summary's additive figures; its other keys are ratios of these (SUMMARY_FRACTIONS).
SUMMARY_SUMS = ("spend", "purchase_value", "purchases", "impressions", "link_clicks", "orders", "revenue", "sessions")
SUMMARY_FRACTIONS = {
    **{name: KPI_FRACTIONS[name] for name in ("roas", "cpa", "ctr", "cpm", "cvr", "aov")},
    **STORE_FRACTIONS,
}
# Amounts of money: never added across currencies (every ratio with one of them is then null too).
MONEY_SUMS = ("spend", "purchase_value", "revenue", *(key for key in PROFIT_SUMMED if key != "new_customers"))
LEDGER_KEYS = ("in", "kept", "replaced", "totals", "quarantined")
# The default account's key in the portfolio summary's `accounts` (its report folder's name, accounts.slug).
DEFAULT_KEY = "default"

# One account's figures (a summary, its `previous`); None where they are unknown (a summary of another week).
Part = Mapping[str, Any] | None


def portfolio_summary(per_account: Mapping[str | None, dict[str, Any]]) -> dict[str, Any]:
    """metrics/summary.json of several accounts: their sums, the KPIs of those sums, and each account's own.

    `per_account` maps each account (None: the default account) to its build_summary (or
    build_period_summary) dict, results included. Figures add the accounts' figures of the portfolio's
    week, the latest complete one among them; an account whose summary is for another week adds unknown
    figures, so build them all for one week (build_summary's `week`). A sum with an unknown part is null;
    KPIs are ratios of the sums, never averages of ratios. Accounts in different currencies (or some
    without one) give a null `currency` and null money: spend, purchase value, revenue and every ratio
    with one of them (ROAS, CPA, CPM, AOV, MER, cost per result); counts and CTR, CVR, store CVR stay.
    The row ledger adds up over every account. `accounts` holds each account's summary as given, keyed
    by name ("default" for None).
    """
    summaries = list(per_account.values())
    dated = [summary for summary in summaries if summary["week"] is not None]
    # The latest complete week among the accounts (on a tie, the first account's window); else the latest week.
    chosen = max(dated, key=lambda summary: (summary["week_complete"], summary["week"])) if dated else None
    label = _label(chosen) if chosen is not None else (None, None)
    aligned: list[Part] = [summary if _label(summary) == label else None for summary in summaries]
    previous: list[Part] = [None if summary is None else summary["previous"] for summary in aligned]
    currencies = {summary["currency"] for summary in summaries}
    one_currency = len(currencies) <= 1
    return {
        "week": label[0],
        "week_complete": chosen is not None and all(part["week_complete"] for part in aligned if part is not None),
        **({"period": label[1]} if label[1] is not None else {}),
        "currency": next(iter(currencies)) if len(currencies) == 1 else None,
        **_figures(aligned, one_currency),
        # New customers of every account are judged from at least this day on (the latest account's first order).
        "first_order_date": max(
            (summary["first_order_date"] for summary in summaries if summary.get("first_order_date")), default=None
        ),
        "previous": {
            "week": chosen["previous"]["week"] if chosen is not None else None,
            **_figures(previous, one_currency),
            **(
                {"results": _results(previous, one_currency)}
                if any("results" in summary["previous"] for summary in summaries)
                else {}
            ),
        },
        "rows": {key: sum(int(summary["rows"][key]) for summary in summaries) for key in LEDGER_KEYS},
        "by_platform": _grouped(
            [None if part is None else part["by_platform"] for part in aligned],
            ("spend", "purchase_value"),
            {"roas": KPI_FRACTIONS["roas"]},
            one_currency,
        ),
        "data_source": _common([summary["data_source"] for summary in summaries]),
        **({"results": _results(aligned, one_currency)} if any("results" in summary for summary in summaries) else {}),
        "accounts": {DEFAULT_KEY if account is None else account: summary for account, summary in per_account.items()},
    }


def _label(summary: Mapping[str, Any]) -> tuple[str | None, Any]:
    """What a summary's figures are for: its week and, for a reporting window, the window."""
    return summary["week"], summary.get("period")


def _figures(parts: Sequence[Part], one_currency: bool) -> dict[str, Any]:
    """The SUMMARY_KEYS and PROFIT_KEYS of the parts together: sums, then the KPIs of the sums."""
    sums = {name: _sum_of(parts, name, one_currency) for name in (*SUMMARY_SUMS, *PROFIT_SUMMED)}
    differences = {name: _difference(sums[first], sums[second]) for name, (first, second) in PROFIT_DIFFERENCES.items()}
    figures = {**sums, **_ratios(sums, {**SUMMARY_FRACTIONS, **PROFIT_FRACTIONS}), **differences}
    return {key: rounded(figures[key]) for key in (*SUMMARY_KEYS, *PROFIT_KEYS)}


def _difference(first: float | int | None, second: float | int | None) -> float | None:
    """first - second; unknown when either is."""
    return None if first is None or second is None else float(first - second)


def _results(parts: Sequence[Part], one_currency: bool) -> list[dict[str, Any]]:
    """The parts' results by type added up (as results_summary gives them): largest spend first, then by type."""
    by_type: list[Mapping[str, Mapping[str, Any]] | None] = []
    for part in parts:
        rows = None if part is None else part.get("results")
        by_type.append(None if rows is None else {row[RESULTS_KEY]: row for row in rows})
    added = _grouped(by_type, ("spend", "results"), RESULT_FRACTIONS, one_currency)
    rows = [{RESULTS_KEY: result_type, **figures} for result_type, figures in added.items()]
    return sorted(rows, key=lambda row: (-(row["spend"] or 0.0), row[RESULTS_KEY]))


def _grouped(
    groups: Sequence[Mapping[str, Mapping[str, Any]] | None],
    sums: tuple[str, ...],
    fractions: Mapping[str, tuple[str, str, float]],
    one_currency: bool,
) -> dict[str, dict[str, Any]]:
    """Per group (ad platform, result type), sorted: `sums` over the parts, then `fractions` of those sums.

    A part without the group adds nothing to it; an unknown part (None) leaves every sum unknown.
    """
    added = {}
    for name in sorted({name for group in groups if group is not None for name in group}):
        parts = [None if group is None else group[name] for group in groups if group is None or name in group]
        totals = {key: _sum_of(parts, key, one_currency) for key in sums}
        added[name] = {key: rounded(value) for key, value in {**totals, **_ratios(totals, fractions)}.items()}
    return added


def _sum_of(parts: Sequence[Part], key: str, one_currency: bool) -> float | int | None:
    """`key` added up over the parts; unknown for money in several currencies."""
    if key in MONEY_SUMS and not one_currency:
        return None
    return _total([None if part is None else part.get(key) for part in parts])


def _total(values: Sequence[Any]) -> float | int | None:
    """The sum of `values`; unknown (None) when any of them is, or there are none. Counts stay integers."""
    if not values or any(value is None for value in values):
        return None
    if all(isinstance(value, int) for value in values):
        return int(sum(values))
    # fsum: the exact sum once rounded, whatever the accounts' order.
    return rounded(math.fsum(values))


def _ratios(sums: Mapping[str, Any], fractions: Mapping[str, tuple[str, str, float]]) -> dict[str, Any]:
    """The KPIs of one row of sums, by the formulas every table uses (kpis.formulas.ratio)."""
    row = pl.DataFrame({name: [value] for name, value in sums.items()}, schema=dict.fromkeys(sums, pl.Float64))
    kpis = row.select(ratio(num, den, scale).alias(name) for name, (num, den, scale) in fractions.items())
    return kpis.row(0, named=True)


def _common(values: Sequence[Any]) -> Any:
    """The value all of `values` share; None when they differ."""
    return values[0] if values and all(value == values[0] for value in values) else None
