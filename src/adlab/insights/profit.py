"""Profit answers: "what was my profit last week", "what's my POAS", gross profit, margin, break-even ROAS, new
customers, ncROAS and new-customer CPA over a period, in words with the sums behind them.

Figures are the whole store's (every order that counts, kpis.profit_figures of the kpis stage's profit_daily),
against the ad spend of the same days, so POAS and profit after ads divide by the spend ROAS and MER divide by.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adlab.display import MISSING, count_text, kpi_text, money_text, share_text
from adlab.insights.answer import Answer, Row, Workspace
from adlab.insights.lookup import before_text, figure_word, figures_of, profit_unknown_reason, when_text
from adlab.insights.periods import first_date, periods_for
from adlab.insights.questions import Intent
from adlab.kpis import first_order_day


def profit(intent: Intent, workspace: Workspace) -> Answer:
    """A profit or new-customer figure of the whole store over the period, against the period before."""
    kpis_daily, currency, kpi = workspace.kpis_daily, workspace.currency, intent.kpi
    current, previous = intent.periods or periods_for(kpis_daily, "last_7_days")
    when = when_text(kpis_daily, current)
    now = figures_of(kpis_daily, current, workspace, whole_account=True)
    word = figure_word(kpi)
    if now.get(kpi) is None:
        reason = profit_unknown_reason(workspace, True, when, now) or _no_value_reason(kpi, now, when)
        return Answer(f"Your {word} {when} is unknown: {reason}.", _lines(now, currency, workspace), {"figures": now})
    before = (
        figures_of(kpis_daily, previous, workspace, whole_account=True)
        if previous.end >= first_date(kpis_daily)
        else {}
    )
    headline = _headline(kpi, now, when, currency) + _change(
        kpi, now, before, before_text(kpis_daily, current, previous), currency
    )
    if kpi == "poas":
        headline += (
            " Above 1: the ads paid for themselves and left profit."
            if now["poas"] >= 1
            else " Below 1: the ads cost more than the gross profit of the orders."
        )
    lines = _lines(now, currency, workspace)
    if before.get("contribution_after_ads") is not None or before.get("gross_profit") is not None:
        lines.append(_before_line(before, when_text(kpis_daily, previous), currency))
    return Answer(headline, lines, {"figures": now, "previous": before, "period": current})


def _value(kpi: str, value: Any, currency: str | None) -> str:
    """A profit figure as a sentence writes it: money with its code, counts, ratios `1.97`, margins in %."""
    if kpi in ("new_customers",):
        return count_text(value)
    if kpi in ("poas", "ncroas", "breakeven_roas_actual", "gross_margin_actual", "cost_fallback_share"):
        return kpi_text(kpi, value, currency)
    return money_text(value, currency)


def _headline(kpi: str, row: Row, when: str, currency: str | None) -> str:
    """The answer in one sentence with its number (no change clause, no full stop)."""

    def money(key: str) -> str:
        return money_text(row.get(key), currency)

    if kpi == "contribution_after_ads":
        value = row["contribution_after_ads"]
        if value < 0:
            return (
                f"You lost {money_text(-value, currency)} after ad spend {when}: gross profit {money('gross_profit')} "
                f"did not cover ad spend of {money('spend')}"
            )
        return (
            f"Your profit after ad spend {when} was {money('contribution_after_ads')}: gross profit "
            f"{money('gross_profit')} minus ad spend {money('spend')}"
        )
    if kpi == "gross_profit":
        return (
            f"Your gross profit {when} was {money('gross_profit')}, {share_text(row.get('gross_margin_actual'))} of "
            f"store revenue {money('revenue')}"
        )
    if kpi == "poas":
        return (
            f"Your POAS {when} was {kpi_text('poas', row['poas'], currency)} (gross profit {money('gross_profit')} / "
            f"ad spend {money('spend')})"
        )
    if kpi == "breakeven_roas_actual":
        mer = row.get("mer")
        side = (
            ""
            if mer is None
            else f"; MER was {kpi_text('mer', mer, currency)}, {'above' if mer >= row[kpi] else 'below'} it"
        )
        return (
            f"Your break-even ROAS {when} was {kpi_text(kpi, row[kpi], currency)} at your actual margin of "
            f"{share_text(row.get('gross_margin_actual'))} (store revenue / gross profit){side}"
        )
    if kpi == "gross_margin_actual":
        return (
            f"Your gross margin {when} was {kpi_text(kpi, row[kpi], currency)} (gross profit {money('gross_profit')} "
            f"/ store revenue {money('revenue')})"
        )
    if kpi == "ncroas":
        return (
            f"Your ncROAS {when} was {kpi_text('ncroas', row['ncroas'], currency)}: new customers' first orders "
            f"brought {money('new_customer_revenue')} for {money('spend')} of ad spend"
        )
    if kpi == "new_customer_cpa":
        return (
            f"Your new-customer CPA {when} was {money('new_customer_cpa')}: {money('spend')} of ad spend for "
            f"{count_text(row.get('new_customers'))} new customers"
        )
    if kpi == "new_customers":
        return (
            f"You had {count_text(row['new_customers'])} new customers {when}, "
            f"{money('new_customer_revenue')} of revenue on their first orders"
        )
    return f"Your {figure_word(kpi)} {when} was {_value(kpi, row[kpi], currency)}"


def _change(kpi: str, now: Row, before: Mapping[str, Any], than: str, currency: str | None) -> str:
    """`, up from 1.52 the week before.`; a full stop alone when the earlier figure is unknown."""
    old, new = before.get(kpi), now.get(kpi)
    if old is None or new is None:
        return "."
    if new == old:
        return f", the same as {than}."
    return f", {'up' if new > old else 'down'} from {_value(kpi, old, currency)} {than}."


def _lines(row: Row, currency: str | None, workspace: Workspace) -> list[str]:
    """The evidence: what gross profit is made of, where cost of goods came from, new customers and history."""
    if row.get("gross_profit") is None:
        return []

    def money(key: str) -> str:
        return money_text(row.get(key), currency)

    tax = (row.get("revenue") or 0.0) - (row.get("net_revenue") or 0.0)
    lines = [
        f"Gross profit {money('gross_profit')} = net revenue {money('net_revenue')} (store revenue "
        f"{money('revenue')} without {money_text(tax, currency)} of tax) - cost of goods {money('cogs')} - "
        f"payment fees {money('fees')} - shipping {money('shipping_cost')}."
    ]
    share = row.get("cost_fallback_share")
    margin = share_text(workspace.params.targets.gross_margin)
    if share is not None:
        lines.append(
            f"Cost of goods: {share_text(1 - share)} of product sales from unit costs (products export or costs "
            f"CSV), {share_text(share)} at the {margin} gross margin of targets.gross_margin."
        )
    if row.get("shipping_cost") == 0:
        lines.append("Shipping you pay is not counted: set profit.shipping_cost_per_order in params.yaml.")
    lines.append(
        f"Ad spend {money('spend')}: POAS {kpi_text('poas', row.get('poas'), currency)}, ncROAS "
        f"{kpi_text('ncroas', row.get('ncroas'), currency)}, new-customer CPA {money('new_customer_cpa')} "
        f"({count_text(row.get('new_customers'))} new customers), break-even ROAS at this margin "
        f"{kpi_text('breakeven_roas_actual', row.get('breakeven_roas_actual'), currency)}."
    )
    first = _first_order(workspace)
    lines.append(
        "New customers are those placing their first order in the orders export"
        + (f", which goes back to {first}." if first != MISSING else ".")
    )
    return lines


def _before_line(before: Mapping[str, Any], when: str, currency: str | None) -> str:
    """`Last week (...): profit after ad spend 1,234.00 USD, gross profit ..., POAS 1.52.`"""
    contribution = money_text(before.get("contribution_after_ads"), currency)
    return (
        f"{when[0].upper()}{when[1:]}: profit after ad spend {contribution}, "
        f"gross profit {money_text(before.get('gross_profit'), currency)}, POAS "
        f"{kpi_text('poas', before.get('poas'), currency)}."
    )


def _first_order(workspace: Workspace) -> str:
    """The first day with an order in the profit data, `31 Aug 2026`; `–` without one."""
    if workspace.profit is None:
        return MISSING
    first = first_order_day(workspace.profit)
    return MISSING if first is None else f"{first:%d %b %Y}"


def _no_value_reason(kpi: str, row: Row, when: str) -> str:
    """Why a profit ratio has no value though the orders are known: nothing to divide by."""
    if kpi in ("poas", "ncroas", "new_customer_cpa", "contribution_after_ads"):
        if not row.get("spend"):
            return f"there was no ad spend {when}, so there is nothing to divide by"
        return f"there were no new customers {when}"
    if kpi == "breakeven_roas_actual":
        return f"gross profit {when} was not above 0, so no ROAS breaks even"
    return f"there were no orders {when}"
