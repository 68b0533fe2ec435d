"""The headline tiles of a weekly page (ads, store and profit), coloured against the targets and break-even."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from adlab import kpis
from adlab.display import (
    PLATFORM_NAMES,
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
from adlab.report.html import Tile, code_spans_html, esc


@dataclass(frozen=True)
class _Figure:
    """A headline figure: its key in kpis.period_figures, tile label, format, which way is better, and hover text."""

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


PROFIT_HEADLINE = (
    _Figure("gross_profit", "Gross profit", "money", 1, "Net revenue - cost of goods - payment fees - shipping"),
    _Figure("contribution_after_ads", "Profit after ads", "money", 1, "Gross profit - ad spend"),
    _Figure("poas", "POAS", "roas", 1, "Gross profit / ad spend (profit on ad spend)"),
    _Figure("ncroas", "ncROAS", "roas", 1, "Revenue of new customers' first orders / ad spend"),
    _Figure("new_customer_cpa", "New-customer CPA", "money", -1, "Ad spend / new customers"),
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
    """One tile per figure: its value, the change against `previous` coloured the way the business wants, and
    the (status, note) of `targets` by key."""
    tiles = []
    for figure in figures:
        change = relative_change(current.get(figure.key), (previous or {}).get(figure.key))
        direction = 0 if change is None or abs(change) < 0.0005 else (1 if change > 0 else -1)
        tone = "neutral" if figure.better == 0 or direction == 0 else ("good" if direction == figure.better else "bad")
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
            " · ".join(
                [*([summed] if summed else []), f"target {fmt_roas(target_roas)}", f"break-even {fmt_roas(breakeven)}"]
            ),
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
    valued = sorted(
        (name for name, figures in platforms.items() if figures.get("purchase_value") is not None),
        key=lambda name: (order.index(name) if name in order else len(order), name),
    )
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
        lines.append(code_spans_html(target_note))
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
    targets = {
        "mer": (None if mer is None else ("good" if mer >= breakeven else "bad"), f"break-even {fmt_roas(breakeven)}")
    }
    # Sessions tiles only where a sessions report exists; a sales report per product has no order count;
    # MER only where there is ad spend to divide by.
    shown = [
        f
        for f in STORE_HEADLINE
        if current.get(f.key) is not None or f.key == "revenue" or (f.key == "mer" and current.get("spend") is not None)
    ]
    return _tiles(shown, current, previous, currency, previous_label, targets)


def profit_tiles(
    current: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    currency: str,
    *,
    previous_label: str = "last week",
) -> list[Tile]:
    """Profit tiles (gross profit, profit after ads, POAS, ncROAS, new-customer CPA) with week-over-week change.

    `current` / `previous` hold the figures of kpis.profit_figures. Against break-even: profit after ads is red
    below 0 and POAS below 1 (the ads cost more than the gross profit of the week's orders), gross profit red
    below 0; ncROAS is amber below the break-even ROAS at the week's actual margin (new customers' first orders
    alone do not pay for the ads; what they buy later may).
    """
    gross, contribution, poas, ncroas, breakeven = (
        number(current.get(key))
        for key in ("gross_profit", "contribution_after_ads", "poas", "ncroas", "breakeven_roas_actual")
    )
    spend = _format("money", current.get("spend"), currency)
    targets: dict[str, tuple[str | None, str]] = {
        "gross_profit": (None if gross is None else ("bad" if gross < 0 else None), _margin_note(current)),
        "contribution_after_ads": (
            None if contribution is None else ("good" if contribution >= 0 else "bad"),
            f"after {spend} ad spend" if current.get("spend") is not None else "needs ad spend",
        ),
        "poas": (None if poas is None else ("good" if poas >= 1 else "bad"), f"break-even {fmt_roas(1.0)}"),
        "ncroas": (
            None if ncroas is None or breakeven is None else ("good" if ncroas >= breakeven else "warn"),
            f"break-even {fmt_roas(breakeven)}" if breakeven is not None else "",
        ),
        "new_customer_cpa": (None, f"{fmt_int(current.get('new_customers'))} new customers"),
    }
    return _tiles(PROFIT_HEADLINE, current, previous, currency, previous_label, targets)


def _margin_note(figures: Mapping[str, Any]) -> str:
    """`margin 38.2%`: gross profit / store revenue; empty when unknown."""
    margin = number(figures.get("gross_margin_actual"))
    return "" if margin is None else f"margin {fmt_pct(margin, 1)}"
