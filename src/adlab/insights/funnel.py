"""Funnel checks behind a change: purchase tracking that stopped, or a checkout that broke.

Both are flagged only where chance alone rarely gives the pattern, so a quiet day is not called a break.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from adlab.insights.answer import LEVEL_WORDS, Row, account_text, quoted, several_accounts
from adlab.insights.periods import Period, in_period
from adlab.kpis import rollup


def funnel_break(kpis_daily: pl.DataFrame, current: Period, previous: Period, keys: list[str]) -> list[str]:
    """Tracking or checkout breaks: purchases fall to (almost) nothing while clicks or checkouts started hold."""
    notes = []
    frame = kpis_daily.filter(in_period(current) | in_period(previous))
    several = several_accounts(frame)
    group = keys or ["_all"]
    if not keys:
        frame = frame.with_columns(pl.lit("account").alias("_all"))
    # One roll-up of every group in both periods (a day in both periods counts in both, as filtering each would).
    tagged = pl.concat(
        [
            frame.filter(in_period(period)).with_columns(pl.lit(tag).alias("_period"))
            for tag, period in (("now", current), ("before", previous))
        ]
    )
    by_group: dict[tuple[Any, ...], dict[str, Row]] = {}
    for row in rollup(tagged, [*group, "_period"]).iter_rows(named=True):
        by_group.setdefault(tuple(row[k] for k in group), {})[row["_period"]] = row
    for key in frame.select(group).unique(maintain_order=True).iter_rows():  # first-seen order, as partition_by
        now, before = by_group.get(key, {}).get("now", {}), by_group.get(key, {}).get("before", {})
        if not now or not before or not before.get("purchases") or not now.get("spend"):
            continue
        per_day = {
            name: ((now.get(name) or 0) / current.days, (before.get(name) or 0) / previous.days)
            for name in ("link_clicks", "clicks", "purchases", "checkouts")
        }
        traffic = "link_clicks" if before.get("link_clicks") else "clicks"
        clicks_now, clicks_before = per_day[traffic]
        purchases_now, purchases_before = per_day["purchases"]
        where = (
            "the account"
            if not keys
            else f"{LEVEL_WORDS[keys[-1]]} {quoted(key[-1])}"
            + (f" ({account_text(key[0])})" if keys[0] == "account" and several else "")
        )
        clicks_held = clicks_before > 0 and clicks_now >= 0.5 * clicks_before
        # Only flag what chance alone rarely gives: at least 5 purchases expected at the old rate (P(0) < 1%).
        expected = clicks_now * current.days * purchases_before / clicks_before if clicks_before else 0.0
        if expected >= 5 and purchases_now == 0 and clicks_held:
            notes.append(
                f"Tracking check: {where} recorded no purchase in {current.label()} while {traffic.replace('_', ' ')} "
                f"held ({clicks_now:,.0f} a day vs {clicks_before:,.0f}); check the pixel / Conversions API and "
                "the checkout before changing budgets."
            )
            continue
        if not all(figures.get(name) for figures in (before, now) for name in ("checkouts", "link_clicks")):
            continue
        started_now = now["checkouts"] / now["link_clicks"]
        started_before = before["checkouts"] / before["link_clicks"]
        done_now, done_before = now["purchases"] / now["checkouts"], before["purchases"] / before["checkouts"]
        expected = now["checkouts"] * done_before
        if expected >= 10 and done_now < 0.5 * done_before and started_now >= 0.7 * started_before:
            notes.append(
                f"Funnel check: in {where} checkouts started held ({started_now:.1%} of link clicks vs "
                f"{started_before:.1%}) but only {done_now:.0%} of them ended in a purchase ({done_before:.0%} "
                "before): the break is at checkout/payment or in purchase tracking, not in the ads."
            )
    return notes
