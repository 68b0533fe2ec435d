"""Customer answers: what a customer is worth over time (LTV) and when a new customer pays back what it cost,
from the monthly first-order cohorts (kpis.cohorts); and the sentences about those cohorts that the customers
page shows too (how far back the orders go, what is left out, how gross profit was found).

Months count from the month of the first order (M0) and a month counts once it is over. The average customer
(kpis.ltv_curve) adds up, month by month, what the cohorts that have lived each month brought in per customer;
the new-customer CPA is ad spend / new customers over the months the ad data covers from first to last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from adlab.display import fmt_int, fmt_roas, money_text, month_text, share_text
from adlab.errors import AdlabError
from adlab.insights.answer import Answer, Workspace
from adlab.insights.questions import Intent
from adlab.kpis.cohorts import (
    SUMMARY_MONTHS,
    AcquisitionCost,
    OrderHistory,
    acquisition_cost,
    cohort_overview,
    cohort_table,
    combine_accounts,
    daily_spend,
    ltv_curve,
    month_end,
    order_history,
    payback_month,
)
from adlab.kpis.weeks import date_span

PAGE = "reports/customers.html"
LATEST_COHORTS = 3  # cohorts an answer names one by one, newest first


def customers(intent: Intent, workspace: Workspace) -> Answer:
    """`what's my LTV` (view ltv) or `how long until a new customer pays back` (view payback).

    Raises:
        AdlabError: no order names a customer, no month of them is over yet, or the accounts' currencies differ.
    """
    cohorts, history, notes = store_cohorts(workspace)
    currency = workspace.currency or _orders_currency(workspace.orders)
    ad_days = date_span(workspace.kpis_daily["date"]) if workspace.kpis_daily.height else None
    margin = workspace.params.targets.gross_margin
    notes += history_notes(cohorts, history, margin, acquisition_cost(cohorts), ad_days)
    answer = payback(cohorts, currency) if intent.view == "payback" else lifetime_value(cohorts, currency)
    return Answer(answer.headline, [*answer.lines, *notes, f"Cohorts, LTV curves and the table: {PAGE}."], answer.data)


def store_cohorts(workspace: Workspace) -> tuple[pl.DataFrame, OrderHistory, list[str]]:
    """The workspace's cohorts (accounts in one currency added up), its order history and a line when several
    accounts were added.

    Raises:
        AdlabError: no order names a customer, no month of them is over yet, or the accounts' currencies differ.
    """
    orders = workspace.orders
    history = order_history(orders)
    cohorts = workspace.cohorts
    if cohorts is None and orders is not None:
        spend = daily_spend(workspace.kpis_daily) if workspace.kpis_daily.height else None
        cohorts = cohort_table(orders, spend, gross_margin=workspace.params.targets.gross_margin)
    if cohorts is None or not history.has_customers:
        raise AdlabError(
            "no order names a customer, so there is no LTV or payback to give: they need a Shopify orders export "
            "(Shopify admin › Orders › Export, all orders) with the customers' e-mails in data/raw/."
        )
    if cohorts.is_empty():
        first, last = history.first_order, history.through
        raise AdlabError(
            f"no month of the order history ({first} to {last}) has ended yet, so no cohort of customers has a "
            f"month to show; ask again after {month_text(history.open_month)} ends."
        )
    owners = cohorts["account"].unique().to_list()
    if len(owners) < 2:
        return cohorts, history, []
    if orders is not None and orders["currency"].drop_nulls().n_unique() > 1:
        names = ", ".join(sorted(str(owner) for owner in owners if owner is not None))
        raise AdlabError(
            f"the accounts ({names}) bill in several currencies, so their customers do not add up; ask about one "
            "with --account NAME."
        )
    return combine_accounts(cohorts), history, [f"{len(owners)} accounts added up: a customer of two counts in each."]


def _orders_currency(orders: pl.DataFrame | None) -> str | None:
    known = orders["currency"].drop_nulls() if orders is not None else None
    return str(known.first()) if known is not None and known.len() else None


# The months since the first order an LTV answer lists when the history is long.
MILESTONES = (0, 1, 2, 3, 6, 9, 12, 18, 24, 36, 48, 60)


def lifetime_value(cohorts: pl.DataFrame, currency: str | None) -> Answer:
    """What a customer brings in by months since the first order: the longest of 12, 3 and 1 months (else the
    longest the cohorts have) in the headline, every month and the latest cohorts in the evidence."""
    curve = ltv_curve(cohorts)
    at = {int(row["month"]): row for row in curve.iter_rows(named=True)}
    month = max((m for m in SUMMARY_MONTHS if m in at), default=max(at))
    row = at[month]
    later = f" (each later month by the cohorts that have lived it; M{month}: {cohorts_text(row)})" if month else ""
    headline = (
        f"A customer brings in {money_text(row['revenue_per_customer'], currency)} of revenue "
        f"({money_text(row['gross_profit_per_customer'], currency)} of gross profit) {by_month(month)}, going by "
        f"the {customers_count(at[0]['customers'])} of {month_span(at[0]['first_cohort'], at[0]['last_cohort'])}"
        f"{later}."
    )
    # Every month while they are few; past that the milestones (and the last month), so years of history stay
    # one readable line.
    shown = sorted(m for m in at if len(at) <= len(MILESTONES) or m in MILESTONES or m == max(at))
    steps = "; ".join(
        f"M{m} {money_text(at[m]['revenue_per_customer'], currency)} "
        + (
            f"({cohorts_text(at[m])})"
            if m == 0
            else f"(+{money_text(at[m]['revenue_per_customer'] - at[before]['revenue_per_customer'], currency)} "
            + ("" if before == m - 1 else f"since M{before} ")
            + f"from {cohorts_text(at[m])})"
        )
        for before, m in zip([0, *shown], shown, strict=False)
    )
    overview = cohort_overview(cohorts).sort("cohort", descending=True).head(LATEST_COHORTS)
    latest = "; ".join(
        f"{month_text(r['cohort'])} {money_text(r['revenue_per_customer'], currency)} by M{r['months']} "
        f"({customers_count(r['customers'])}, {share_text(r['repeat_rate'])} ordered again)"
        for r in overview.iter_rows(named=True)
    )
    lines = [
        f"Revenue per customer by month since the first order (M0: the first order's month): {steps}.",
        f"Latest cohorts: {latest}.",
        f"{share_text(row['repeat_rate'])} of customers ordered again {by_month(month)}.",
    ]
    data = {
        "month": month,
        "revenue_per_customer": row["revenue_per_customer"],
        "gross_profit_per_customer": row["gross_profit_per_customer"],
        "customers": row["customers"],
        "curve": curve,
    }
    return Answer(headline, lines, data)


def payback(cohorts: pl.DataFrame, currency: str | None) -> Answer:
    """When the average new customer's gross profit reaches the new-customer CPA, then each cohort's own."""
    curve = ltv_curve(cohorts)
    cost = acquisition_cost(cohorts)
    overview = cohort_overview(cohorts).sort("cohort", descending=True)
    by_cohort = "; ".join(cohort_payback_text(row, currency) for row in overview.iter_rows(named=True))
    if cost.cpa is None:
        headline = (
            "When a new customer pays back is unknown: the new-customer CPA needs the ad spend of a whole month "
            "of first orders, and no cohort's month has it."
        )
        return Answer(headline, [f"By cohort: {by_cohort}."], {"curve": curve})
    paid = payback_month(curve, cost.cpa)
    at = {int(row["month"]): row for row in curve.iter_rows(named=True)}
    cpa_text = (
        f"a new-customer CPA of {money_text(cost.cpa, currency)} ({money_text(cost.spend, currency)} of ad spend / "
        f"{fmt_int(cost.customers)} new customers, {month_span(cost.cohorts[0], cost.cohorts[-1])})"
    )
    if paid is not None:
        headline = (
            f"A new customer pays back {payback_words(paid)}: gross profit per customer reaches "
            f"{money_text(at[paid]['gross_profit_per_customer'], currency)} by M{paid} against {cpa_text}."
        )
    else:
        last = max(at)
        headline = (
            f"New customers have not paid back yet: by M{last} gross profit per customer is "
            f"{money_text(at[last]['gross_profit_per_customer'], currency)} against {cpa_text}."
        )
    month = max((m for m in SUMMARY_MONTHS if m in at), default=max(at))
    ratio = at[month]["gross_profit_per_customer"] / cost.cpa
    lines = [
        f"LTV:CAC {fmt_roas(ratio)} by M{month} (gross profit per customer / new-customer CPA; 3x or more is healthy).",
        f"By cohort, newest first: {by_cohort}.",
        "The average customer adds up, month by month, what the cohorts that have lived each month brought in per "
        "customer (M0: every cohort); the CPA is that of the months the ad data covers from first to last day.",
    ]
    data = {"payback_month": paid, "new_customer_cpa": cost.cpa, "ltv_cac": ratio, "month": month, "curve": curve}
    return Answer(headline, lines, data)


def cohort_payback_text(row: dict[str, Any], currency: str | None) -> str:
    """`Sep 2026: CPA 46.03 USD, paid back in M0, LTV:CAC 2.35x by M1`."""
    name = month_text(row["cohort"])
    if row["new_customer_cpa"] is None:
        return f"{name}: CPA unknown (the ad data does not cover the whole month)"
    paid = f"paid back in M{row['payback_month']}" if row["payback_month"] is not None else "not paid back yet"
    return (
        f"{name}: CPA {money_text(row['new_customer_cpa'], currency)}, {paid}, LTV:CAC "
        f"{fmt_roas(row['ltv_cac'])} by M{row['months']}"
    )


# --------------------------------------------------------------------------- the cohorts in words


def by_month(month: int) -> str:
    """`in the month of the first order` (M0), `by 3 months after the first order's month`."""
    if month == 0:
        return "in the month of their first order"
    return f"by {month} month{'s' if month > 1 else ''} after the month of their first order"


def cohorts_text(row: dict[str, Any]) -> str:
    """`Aug 2026 – Oct 2026, 2,344 customers` of an ltv_curve row."""
    return f"{month_span(row['first_cohort'], row['last_cohort'])}, {customers_count(row['customers'])}"


def customers_count(count: int) -> str:
    """`1 customer`, `2,344 customers`."""
    return f"{fmt_int(count)} customer{'' if count == 1 else 's'}"


def date_text(day: dt.date) -> str:
    """`31 Aug 2026`."""
    return f"{day.day} {day:%b %Y}"


def month_span(first: Any, last: Any) -> str:
    """`Aug 2026 – Oct 2026`, or one month."""
    return month_text(first) if first == last else f"{month_text(first)} – {month_text(last)}"


def payback_text(month: int | None, cpa: float | None) -> str:
    """`M0` (within the first order's month), `M2`; `not yet`; `–` when the CPA is unknown."""
    if cpa is None:
        return "–"
    return "not yet" if month is None else f"M{month}"


def payback_words(month: int) -> str:
    """When gross profit per customer reaches the CPA: `in the month of their first order`, `2 months after ...`."""
    if month == 0:
        return "in the month of their first order"
    return f"{month} month{'s' if month > 1 else ''} after the month of their first order"


def history_notes(
    cohorts: pl.DataFrame,
    history: OrderHistory,
    gross_margin: float,
    cost: AcquisitionCost,
    ad_days: tuple[dt.date, dt.date] | None,
    accounts: Sequence[Any] = (),
) -> list[str]:
    """What the cohorts' figures rest on: how far back the orders go, a first cohort cut short, the month in
    progress, orders without a customer, how gross profit was found, which months have a CPA, accounts added."""
    notes = []
    if history.first_order is not None and history.through is not None:
        notes.append(
            f"The orders run from {date_text(history.first_order)} to {date_text(history.through)}: a customer "
            f"whose first order came before {date_text(history.first_order)} counts as new here. Export all orders "
            "(not a date range) for the whole history."
        )
        if history.first_order.day > 1:
            days = (month_end(history.first_order) - history.first_order).days + 1
            notes.append(
                f"The {month_text(history.first_order)} cohort holds only the customers of its last {days} day(s): "
                "the orders start inside that month."
            )
    if history.open_month is not None:
        notes.append(
            f"{month_text(history.open_month)} is not over ({fmt_int(history.open_month_customers)} new customer(s) "
            "so far): its cohort, and every cohort's figures for that month, come when it ends."
        )
    if history.orders_without_customer:
        share = history.revenue_without_customer / history.revenue if history.revenue else None
        notes.append(
            f"{fmt_int(history.orders_without_customer)} order(s) ({share_text(share)} of store revenue) have no "
            "customer (no e-mail) and are left out."
        )
    latest = cohort_overview(cohorts)
    revenue, at_margin = float(latest["revenue"].sum()), float(latest["revenue_at_margin"].sum())
    margin = f"{gross_margin:.0%}"
    if revenue and at_margin >= revenue:
        notes.append(
            f"Gross profit estimated at the {margin} margin setting (`targets.gross_margin`): net revenue x {margin}."
        )
    elif at_margin > 0:
        notes.append(
            f"Gross profit from product costs; {share_text(at_margin / revenue)} of revenue had no cost and is "
            f"estimated at the {margin} margin setting (`targets.gross_margin`)."
        )
    elif revenue:
        notes.append("Gross profit from product costs.")
    if not cost.cohorts:
        ads = (
            f"the ad data runs from {date_text(ad_days[0])} to {date_text(ad_days[1])}"
            if ad_days
            else "there is no daily ad data (an Ads Manager export by Day)"
        )
        notes.append(
            "New-customer CPA, payback and LTV:CAC need the ad spend of a whole month of first orders, and "
            f"{ads}: they are unknown, not 0."
        )
    if len(accounts) > 1:
        notes.append(f"{len(accounts)} accounts added up: a customer of two shops counts in each.")
    return notes
