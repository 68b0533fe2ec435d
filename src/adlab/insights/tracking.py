"""Tracking answers: is purchase tracking or the funnel broken? Purchases against the clicks and checkouts that
lead to them (funnel.funnel_break), and the platforms' purchases against the store's own orders when a store
export exists.
"""

from __future__ import annotations

import polars as pl

from adlab.display import count_text, fmt_pct, share_text
from adlab.insights.answer import Answer, Row, Workspace
from adlab.insights.funnel import funnel_break
from adlab.insights.lookup import before_text, figures_of, scoped, when_text
from adlab.insights.periods import Period, in_period, periods_for
from adlab.insights.questions import Intent
from adlab.kpis import store_covers


def _rate(num: float | None, den: float | None) -> float | None:
    return num / den if num is not None and den else None


def _funnel_line(row: Row, when: str) -> str:
    """`Last week (...): 8,874 link clicks -> 420 checkouts (4.73%) -> 222 purchases (52.86% of checkouts).`"""
    clicks, checkouts, purchases = row.get("link_clicks"), row.get("checkouts"), row.get("purchases")
    return (
        f"{when[0].upper()}{when[1:]}: {count_text(clicks)} link clicks -> {count_text(checkouts)} checkouts "
        f"({fmt_pct(_rate(checkouts, clicks))}) -> {count_text(purchases)} purchases "
        f"({fmt_pct(_rate(purchases, checkouts))} of checkouts, {fmt_pct(_rate(purchases, clicks))} of link clicks)."
    )


def tracking(intent: Intent, workspace: Workspace) -> Answer:
    """Whether purchases still follow clicks and checkouts as before, and match the store's orders."""
    kpis_daily = workspace.kpis_daily
    current, previous = intent.periods or periods_for(kpis_daily, "days", 7)
    frame, label = scoped(intent.name, intent.level, intent.platform, kpis_daily)
    whole = not label
    where = f" for {label}" if label else ""
    when, before = when_text(kpis_daily, current), before_text(kpis_daily, current, previous)
    now, then = figures_of(frame, current, workspace, whole), figures_of(frame, previous, workspace, whole)
    if not now["rows"]:
        return Answer(f"There is no ad data {when}{where}, so tracking cannot be checked.")
    if now.get("purchases") is None:
        return Answer(
            f"Purchase tracking cannot be checked{where} {when}: the ad export has no purchases column, so purchases "
            "are unknown (not 0). Export the Purchases and Purchases conversion value columns to check it.",
            [_funnel_line(now, when)],
            {"current": now},
        )
    breaks = funnel_break(frame, current, previous, [])
    breaks += funnel_break(frame, current, previous, ["account", "campaign"])
    lines = [*breaks, _funnel_line(now, when), _funnel_line(then, before)]
    # Days that spent and clicked without a single purchase: a pixel that stopped shows as a run of them.
    daily = (
        frame.filter(in_period(current))
        .group_by("date")
        .agg(pl.col("spend").sum(), pl.col("link_clicks").sum(), pl.col("purchases").sum())
        .filter((pl.col("spend") > 0) & (pl.col("purchases") == 0) & (pl.col("link_clicks") > 0))
        .sort("date")
    )
    if daily.height:
        days = ", ".join(str(day) for day in daily["date"].to_list())
        lines.append(f"Days with spend and clicks but no purchase: {days}.")
    lines.append(_store_check(now, workspace, whole, when, current))
    cvr_now, cvr_then = (
        _rate(now["purchases"], now.get("link_clicks")),
        _rate(then["purchases"], then.get("link_clicks")),
    )
    summary = (
        f"{count_text(now['purchases'])} purchases from {count_text(now.get('link_clicks'))} link clicks "
        f"({fmt_pct(cvr_now)}) {when}, vs {fmt_pct(cvr_then)} {before}"
    )
    if breaks:
        headline = f"Tracking or checkout looks broken{where}: {summary}, while clicks and checkouts held."
    else:
        headline = f"Tracking looks fine{where}: {summary}; no break in purchases, clicks or checkouts."
    return Answer(headline, lines, {"current": now, "previous": then, "breaks": breaks})


def _store_check(row: Row, workspace: Workspace, whole: bool, when: str, current: Period) -> str:
    """The platforms' purchases against the store's orders, or why they cannot be compared."""
    if not whole:
        return "Store orders are the whole shop's, so they are compared with the ads only for the whole account."
    if workspace.store is None:
        return (
            "No store orders export (Shopify orders or sales) in data/raw/, so the platforms' purchases cannot be "
            "checked against real orders."
        )
    orders = row.get("orders")
    if orders is None:
        covered = store_covers(workspace.store, current.start, current.end)
        return f"The store export {'has no order count' if covered else 'does not cover'} {when}."
    claimed = _rate(row["purchases"], orders)
    return (
        f"Store: {count_text(orders)} orders {when}; the ad platforms claim {count_text(row['purchases'])} purchases, "
        f"{share_text(claimed)} of the store's orders"
        + (
            " (over 100%: purchases counted twice, or orders from other channels claimed)."
            if (claimed or 0) > 1
            else "."
        )
    )
