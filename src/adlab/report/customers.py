"""reports/customers.html: customers by the month of their first order, what each cohort brought in month after
month (a heatmap and the LTV curves), what a new customer cost and when that paid back (kpis.cohorts).

The page of one store (a folder's account, or accounts added up in one currency); linked from the index and
every weekly page. Without orders that name a customer it says so in one line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence

import polars as pl

from adlab import charts, kpis
from adlab.display import fmt_int, fmt_money, fmt_pct, fmt_roas, month_text
from adlab.insights.customers import date_text, history_notes, month_span, payback_text, payback_words
from adlab.kpis.cohorts import SUMMARY_MONTHS, AcquisitionCost, OrderHistory
from adlab.report.html import (
    PlotlyEmbed,
    Tile,
    banner_html,
    code_note_html,
    esc,
    html_table,
    note_html,
    page_html,
    tiles_html,
)

ORDERS_EXPORT = "a Shopify orders export (Shopify admin › Orders › Export, all orders) in data/raw/"
NO_CUSTOMERS = (
    f"No order names a customer, so there are no customer cohorts: they need {ORDERS_EXPORT}, "
    "with the customers' e-mails (adlab keeps only a salted hash of each)."
)
MAX_CURVES = 12  # cohorts drawn as their own LTV line (the latest ones)
# LTV:CAC of 3 or more is the usual mark of healthy acquisition; under 1 the customer has not paid back yet.
HEALTHY_LTV_CAC = 3.0


def customers_page_html(
    cohorts: pl.DataFrame,
    history: OrderHistory,
    *,
    currency: str,
    gross_margin: float,
    sample_data: bool,
    ad_days: tuple[dt.date, dt.date] | None = None,
) -> str:
    """The complete offline page of the store's customer cohorts.

    Args:
        cohorts: kpis.cohort_table of the store (several accounts are added up: kpis.combine_accounts).
        history: kpis.order_history of the same orders.
        gross_margin: `targets.gross_margin`, named where gross profit was estimated with it.
        ad_days: the first and last day of the ad data (None without ads), named when no month has a CPA.
    """
    accounts = cohorts["account"].unique().to_list() if cohorts.height else []
    if len(accounts) > 1:
        cohorts = kpis.combine_accounts(cohorts)
    parts = [header_html(history, currency, sample_data)]
    if cohorts.is_empty():
        parts.append(note_html(empty_note(history)))
        return page_html("Customers and lifetime value", "".join(parts) + footer_html())
    curve = kpis.ltv_curve(cohorts)
    cost = kpis.acquisition_cost(cohorts)
    figure_html = PlotlyEmbed()
    parts += [
        "<h2>At a glance</h2>",
        tiles_html(glance_tiles(cohorts, curve, cost, currency)),
        *(code_note_html(line) for line in history_notes(cohorts, history, gross_margin, cost, ad_days, accounts)),
        "<h2>Lifetime value by cohort</h2>",
        note_html(
            "Each row is the customers whose first order fell in that month; each column adds the months since "
            "(M0: the first order's month, repeat orders in it included). A cell is what those customers brought "
            "in per head up to that month; ✓ marks the cells where gross profit per customer has reached the "
            "cohort's new-customer CPA. Blank cells are months not over yet."
        ),
        figure_html(charts.fig_cohort_heatmap(cohorts, currency), "cohort-heatmap"),
        "<h2>LTV curves</h2>",
        note_html(
            "Gross profit per customer as the months go by: a thin line per cohort (the latest "
            f"{MAX_CURVES}), the thick line the average customer (M0 from every cohort, then each month adding what "
            "the cohorts that have lived it brought in per customer). Where a line crosses the dashed new-customer "
            "CPA, those customers have paid for their acquisition."
        ),
        figure_html(
            charts.fig_ltv_curves(cohorts, curve, currency, cpa=cost.cpa, max_cohorts=MAX_CURVES), "ltv-curves"
        ),
        "<h2>Cohorts</h2>",
        cohort_table_html(cohorts, curve, cost, currency),
        how_to_read_html(gross_margin),
        footer_html(),
    ]
    return page_html("Customers and lifetime value", "".join(parts))


def accounts_page_html(links: Sequence[tuple[str, str]], *, sample_data: bool) -> str:
    """The customers page of accounts billed in several currencies (their money never adds up): one line
    linking each account's own page, given as (account name, link)."""
    items = "".join(f'<li><a href="{esc(href)}">{esc(name)}</a></li>' for name, href in links)
    body = (
        header_html(OrderHistory(None, None, 0, 0.0, 0, 0.0, None, 0), "", sample_data)
        + note_html("The accounts bill in several currencies, so their customers are shown account by account:")
        + f"<ul>{items}</ul>"
        + footer_html()
    )
    return page_html("Customers and lifetime value", body)


def header_html(history: OrderHistory, currency: str, sample_data: bool) -> str:
    """The title block: the order history's dates, the account currency and the links to the other pages."""
    meta = [f"Account currency {esc(currency)}" if currency else "Currency unknown"] if history.orders else []
    if history.first_order is not None and history.through is not None:
        meta.append(f"orders {esc(date_text(history.first_order))} – {esc(date_text(history.through))}")
    nav = ' <span class="nav"><a href="index.html">All weeks</a><a href="quality.html">Data quality</a></span>'
    return (
        '<header class="report-header"><div class="eyebrow">Customers</div>'
        "<h1>Cohorts and lifetime value</h1>"
        f'<p class="meta">{" · ".join(meta)}{nav}</p></header>{banner_html(sample_data)}'
    )


def empty_note(history: OrderHistory) -> str:
    """The one line of a page without cohorts: no orders naming a customer, or no month of them over yet."""
    first, last = history.first_order, history.through
    if not history.has_customers or first is None or last is None or history.open_month is None:
        return NO_CUSTOMERS
    return (
        f"No month of the order history has ended yet (orders {date_text(first)} – {date_text(last)}): the first "
        f"cohort appears when {month_text(history.open_month)} ends."
    )


def glance_tiles(cohorts: pl.DataFrame, curve: pl.DataFrame, cost: AcquisitionCost, currency: str) -> list[Tile]:
    """Customers, new-customer CPA, LTV 1, 3 and 12 months on, payback month and LTV:CAC."""
    money = functools.partial(fmt_money, currency=currency)
    months = cohorts.filter(pl.col("month") == 0).sort("cohort")
    first, last = months["cohort"].first(), months["cohort"].last()
    at = {int(row["month"]): row for row in curve.iter_rows(named=True)}
    tiles = [
        Tile(
            label="Customers",
            value=fmt_int(months["customers"].sum()),
            note=f"in {months.height} monthly cohort(s), {month_span(first, last)}",
            hint="Customers whose first order is in a month that has ended",
        ),
        Tile(
            label="New-customer CPA",
            value=money(cost.cpa),
            note=f"ad spend / new customers, {month_span(cost.cohorts[0], cost.cohorts[-1])}"
            if cost.cohorts
            else "needs ad data covering a whole month",
            hint="A month's ad spend on every platform divided by the customers whose first order is in it",
        ),
    ]
    for month in SUMMARY_MONTHS:
        row = at.get(month)
        tiles.append(
            Tile(
                label=f"LTV, {month} month{'s' if month > 1 else ''} on",
                value=money(row["revenue_per_customer"]) if row else money(None),
                note=f"gross profit {money(row['gross_profit_per_customer'])} · M{month} from "
                f"{fmt_int(row['customers'])} customers"
                if row
                else f"no cohort is {month} month{'s' if month > 1 else ''} on yet",
                hint=f"Net revenue per customer up to M{month} of the average customer: M0 from every cohort, each "
                "later month from the cohorts that have lived it",
            )
        )
    paid = kpis.payback_month(curve, cost.cpa)
    tiles.append(
        Tile(
            label="Payback",
            value=payback_text(paid, cost.cpa),
            status=None if cost.cpa is None else "good" if paid is not None else "bad",
            note=payback_words(paid) if paid is not None else "",
            hint="The first month since the first order at which the average customer's gross profit covers the "
            "new-customer CPA",
        )
    )
    month = max((m for m in SUMMARY_MONTHS if m in at), default=max(at, default=0))
    ratio = at[month]["gross_profit_per_customer"] / cost.cpa if cost.cpa and month in at else None
    tiles.append(
        Tile(
            label=f"LTV:CAC, M{month}",
            value=fmt_roas(ratio),
            status=ltv_cac_tone(ratio),
            note=f"{HEALTHY_LTV_CAC:.0f}x or more is healthy",
            hint="Gross profit per customer up to that month / new-customer CPA",
        )
    )
    return [dataclasses.replace(tile, change="") for tile in tiles]  # no week before to compare with


def ltv_cac_tone(value: float | None) -> str | None:
    """good at 3x and over, warn between 1x (paid back) and 3x, bad under 1x."""
    if value is None:
        return None
    return "good" if value >= HEALTHY_LTV_CAC else "warn" if value >= 1.0 else "bad"


def cohort_table_html(cohorts: pl.DataFrame, curve: pl.DataFrame, cost: AcquisitionCost, currency: str) -> str:
    """One row per cohort (oldest first) with its figures up to its latest month, and all cohorts together."""
    money = functools.partial(fmt_money, currency=currency)
    latest = kpis.cohort_overview(cohorts)
    rows = latest.select(
        pl.col("cohort").map_elements(month_text, return_dtype=pl.String).alias("cohort"),
        "customers",
        "new_customer_spend",
        "new_customer_cpa",
        "months",
        "revenue_per_customer",
        "gross_profit_per_customer",
        "repeat_rate",
        pl.struct("payback_month", "new_customer_cpa")
        .map_elements(lambda row: payback_text(row["payback_month"], row["new_customer_cpa"]), return_dtype=pl.String)
        .cast(pl.Categorical)  # a short label: laid out as a figure, not as a name
        .alias("payback"),
        "ltv_cac",
    )
    customers = int(latest["customers"].sum())
    known = latest.filter(pl.col("new_customer_spend").is_not_null())
    spend_known = float(known["new_customer_spend"].sum()) if known.height else 0.0
    total = {
        "cohort": "All cohorts",
        "customers": customers,
        "new_customer_spend": cost.spend,
        "new_customer_cpa": cost.cpa,
        "months": "to date",
        "revenue_per_customer": float(latest["revenue"].sum()) / customers if customers else None,
        "gross_profit_per_customer": float(latest["gross_profit"].sum()) / customers if customers else None,
        "repeat_rate": float(latest["repeat_customers"].sum()) / customers if customers else None,
        "payback": payback_text(kpis.payback_month(curve, cost.cpa), cost.cpa),
        "ltv_cac": float(known["gross_profit"].sum()) / spend_known if spend_known else None,
    }
    return html_table(
        rows,
        {
            "customers": fmt_int,
            "new_customer_spend": money,
            "new_customer_cpa": money,
            "revenue_per_customer": money,
            "gross_profit_per_customer": money,
            "repeat_rate": functools.partial(fmt_pct, decimals=1),
            "ltv_cac": fmt_roas,
            "months": lambda month: month if isinstance(month, str) else f"M{month}",
        },
        labels={
            "cohort": "First order in",
            "customers": "Customers",
            "new_customer_spend": "Ad spend",
            "new_customer_cpa": "New-customer CPA",
            "months": "Up to",
            "revenue_per_customer": "Revenue / customer",
            "gross_profit_per_customer": "Gross profit / customer",
            "repeat_rate": "Ordered again",
            "payback": "Paid back",
            "ltv_cac": "LTV:CAC",
        },
        tones={"ltv_cac": ltv_cac_tone},
        total=total,
    ) + note_html(
        "Figures are each cohort's up to its latest complete month (Up to); the last row adds every cohort "
        "up: its paid-back month is the average customer's (the thick LTV line against the CPA of the months "
        "with ad data), its LTV:CAC the cohorts with a known CPA."
    )


def how_to_read_html(gross_margin: float) -> str:
    """The definitions behind the page."""
    items = [
        "<b>Cohort</b>: the customers whose first order (neither cancelled nor voided) fell in that calendar "
        "month. A customer is one e-mail (kept as a salted hash) within one store.",
        "<b>M0, M1, …</b>: months since the first order's month; M0 is that month itself, repeat orders in it "
        "included. A month counts once it is over.",
        "<b>Revenue</b>: order total minus refunds, by order date, as store revenue everywhere in adlab. "
        f"<b>Gross profit</b>: from product costs where known, else revenue x the {gross_margin:.0%} margin "
        "setting.",
        "<b>New-customer CPA</b> = the month's ad spend on every platform / the customers whose first order is "
        "in it; known only for months the ad data covers from first to last day.",
        "<b>Paid back</b>: the first month at which cumulative gross profit per customer reaches that CPA. "
        "<b>LTV:CAC</b> = gross profit per customer up to a month / new-customer CPA.",
        "<b>Ordered again</b>: the share of the cohort's customers with a second order by then.",
    ]
    return '<h2>How to read this page</h2><ul class="note">' + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def footer_html() -> str:
    return (
        '<div class="footer">Ratios are computed from sums (per customer: the cohort\'s total / its customers), '
        'never averaged. <a href="index.html">All weeks</a>.</div>'
    )
