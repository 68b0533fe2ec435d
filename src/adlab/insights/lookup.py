"""Metric, compare and trend answers: one figure over a period, against another period, or day by day.

Every figure is a sum, or a KPI of the period's sums (kpis.rollup), never an average of daily ratios. A figure
the exports cannot give (purchases of an export without them, store revenue without a store export) is said to
be unknown and why, never 0.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.display import KPI_WORDS, MONEY_COLUMNS, count_text, kpi_text, money_text
from adlab.errors import AdlabError
from adlab.insights.answer import LEVEL_WORDS, Answer, Row, Workspace, find_entity, quoted, several_accounts
from adlab.insights.periods import Period, first_date, in_period, last_day, periods_for
from adlab.insights.questions import Intent
from adlab.kpis import (
    KPI_FRACTIONS,
    PROFIT_FRACTIONS,
    complete_weeks,
    iso_week,
    period_figures,
    profit_figures,
    results_by_type,
    rollup,
)
from adlab.kpis.results import RESULTS_KEY, result_unit
from adlab.schema import AD_METRICS

# Figures of the store export (orders table or Shopify sales), not of the ad exports.
STORE_FIGURES = ("orders", "revenue", "mer")
# Profit and new-customer figures of the orders export (kpis.profit_figures), the whole store's.
PROFIT_FIGURES = (
    "gross_profit",
    "contribution_after_ads",
    "poas",
    "breakeven_roas_actual",
    "gross_margin_actual",
    "ncroas",
    "new_customer_cpa",
    "new_customers",
    "new_customer_revenue",
    "cogs",
    "cost_fallback_share",
)
# The sums behind them that an answer shows (what gross profit is made of).
PROFIT_PARTS = ("net_revenue", "fees", "shipping_cost", "product_sales", "margin_fallback_sales")
RESULT_FIGURES = ("results", "cost_per_result")
FIGURE_WORDS = {
    **KPI_WORDS,
    "spend": "spend",
    "impressions": "impressions",
    "reach": "reach",
    "clicks": "clicks",
    "link_clicks": "link clicks",
    "checkouts": "checkouts",
    "adds_to_cart": "adds to cart",
    "purchases": "purchases",
    "purchase_value": "purchase value",
    "frequency": "average daily frequency",
    "orders": "store orders",
    "revenue": "store revenue",
    "mer": "MER",
    "results": "results",
    "cost_per_result": "cost per result",
    "gross_profit": "gross profit",
    "contribution_after_ads": "profit after ad spend",
    "new_customers": "new customers",
    "new_customer_revenue": "new-customer revenue",
    "cogs": "cost of goods",
    "margin_fallback_sales": "product sales costed at the margin setting",
    "product_sales": "product sales",
}
# Ratio figures whose fraction is not in KPI_FRACTIONS (KPI_FRACTIONS holds the ad KPIs).
OTHER_FRACTIONS = {
    "frequency": ("reached_impressions", "reach"),
    "mer": ("revenue", "spend"),
    "cost_per_result": ("spend", "results"),
}


def figure_word(kpi: str) -> str:
    """The figure's name inside a sentence: `CPA`, `link CTR`, `spend`, `store orders`."""
    return FIGURE_WORDS.get(kpi, kpi.replace("_", " "))


def is_ratio(kpi: str) -> bool:
    """Whether the figure is a ratio of sums (ROAS, CPA, MER, ...) rather than a sum (spend, purchases)."""
    return kpi in KPI_FRACTIONS or kpi in OTHER_FRACTIONS or kpi in PROFIT_FRACTIONS


def value_text(kpi: str, value: float | None, currency: str | None) -> str:
    """A figure as users read it: money with the currency code, counts, rates in %, ROAS as `2.35`."""
    if kpi in MONEY_COLUMNS or kpi == "cost_per_result":
        return money_text(value, currency)
    if is_ratio(kpi):
        return kpi_text(kpi, value, currency)
    return count_text(value)


# --------------------------------------------------------------------------- periods in words


def day_text(day: dt.date) -> str:
    """`24 Nov`."""
    return f"{day.day} {day:%b}"


def span_text(period: Period) -> str:
    """`24 Nov`, `17-23 Nov`, `28 Oct-3 Nov`, with the year when it is not the end's."""
    if period.days == 1:
        return day_text(period.start)
    if (period.start.year, period.start.month) == (period.end.year, period.end.month):
        return f"{period.start.day}-{day_text(period.end)}"
    start = day_text(period.start) + (f" {period.start.year}" if period.start.year != period.end.year else "")
    return f"{start}-{day_text(period.end)}"


def when_text(kpis_daily: pl.DataFrame, period: Period) -> str:
    """The period as a sentence says it, relative to the last day in the data, with its dates.

    `yesterday (24 Nov)`, `last week (2026-W47, 17-23 Nov)`, `over the last 7 days (18-24 Nov)`,
    `in November 2026 (1-30 Nov)`, `on 3 Nov`, `over 3-9 Nov`.
    """
    end = last_day(kpis_daily)
    dates = span_text(period)
    if period.days == 1:
        return f"yesterday ({dates})" if period.end == end else f"on {dates}"
    if period.days == 7 and period.start.isoweekday() == 1:
        weeks = complete_weeks(end, first_date(kpis_daily))
        week = iso_week(period.start)
        return f"last week ({week}, {dates})" if weeks and weeks[0] == week else f"in week {week} ({dates})"
    month_end = (period.start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if period.start.day == 1 and period.end in (month_end, end) and period.end.month == period.start.month:
        return f"in {period.start:%B %Y} ({dates})"
    if period.end == end:
        return f"over the last {period.days} days ({dates})"
    return f"over {dates}"


def before_text(kpis_daily: pl.DataFrame, current: Period, previous: Period) -> str:
    """How the comparison names the earlier period: `the week before`, `the 7 days before`, else its dates."""
    if previous.end == current.start - dt.timedelta(days=1) and previous.days == current.days:
        if current.days == 7 and current.start.isoweekday() == 1:
            return "the week before"
        return "the day before" if current.days == 1 else f"the {current.days} days before"
    return when_text(kpis_daily, previous).removeprefix("over ").removeprefix("on ")


# --------------------------------------------------------------------------- figures


def scoped(intent_name: str, level: str | None, platform: str, kpis_daily: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """The rows the question is about (one campaign, ad set or ad; one ad platform) and how to name them.

    Raises:
        AdlabError: the name matches nothing, or the platform is not an ad platform of the data.
    """
    frame, label = kpis_daily, ""
    if intent_name:
        found_level, name = find_entity(kpis_daily, intent_name, level)
        frame = frame.filter(pl.col(found_level) == name)
        label = f"{LEVEL_WORDS[found_level]} {quoted(name)}"
    if platform:
        platforms = kpis_daily["platform_source"].drop_nulls().unique().to_list()
        if platform not in platforms:
            raise AdlabError(
                f"the ad exports have no platform {quoted(platform)} (they hold {', '.join(sorted(platforms))}); "
                "placements such as Instagram are answered by breakdown questions "
                '("ROAS by platform last week").'
            )
        frame = frame.filter(pl.col("platform_source") == platform)
        label = (label + " on " if label else "") + platform.replace("_", " ").title()
    return frame, label


def figures_of(frame: pl.DataFrame, period: Period, workspace: Workspace, whole_account: bool) -> Row:
    """Sums and KPIs of the rows in the period, average daily frequency, and the store figures where known.

    Store figures (orders, revenue, MER) are the whole store's, so only an account-wide question gets them.
    """
    days = frame.filter(in_period(period))
    rolled = rollup(days.with_columns(pl.lit(1).alias("_all")), ["_all"])
    row: Row = rolled.row(0, named=True) if rolled.height else {}
    row["rows"] = days.height
    # Reach never adds up across days: frequency is impressions / reach summed over the days with reach.
    reached = days.filter(pl.col("reach").is_not_null()) if "reach" in days.columns else days.clear()
    row["reach"] = reached["reach"].sum() if reached.height else None
    row["reached_impressions"] = reached["impressions"].sum() if reached.height else None
    row["frequency"] = row["reached_impressions"] / row["reach"] if row["reach"] else None
    if whole_account and days.height:
        store = period_figures(days, workspace.store, period.start, period.end)
        row.update({name: store[name] for name in STORE_FIGURES})
    else:
        row.update(dict.fromkeys(STORE_FIGURES))
    profit = profit_figures(workspace.profit if whole_account else None, period.start, period.end, row.get("spend"))
    row.update({name: profit[name] for name in (*PROFIT_FIGURES, *PROFIT_PARTS)})
    if row.get("revenue") is None:  # the same orders' revenue (total - refunded), where no store table was read
        row["revenue"] = profit["revenue"]
    row["store_orders_known"] = profit["orders"] is not None
    main = results_by_type(workspace.results_daily, period.start, period.end).head(1)
    if main.height and not (frame.height < workspace.kpis_daily.height):
        result = main.row(0, named=True)
        row.update(results=result["results"], cost_per_result=result["cost_per_result"])
        row["result_type"] = result[RESULTS_KEY]
    return row


def unknown_reason(kpi: str, row: Row, workspace: Workspace, whole_account: bool, when: str) -> str:
    """Why the figure is unknown (an export without the column, nothing to divide by, no store export)."""
    if not row.get("rows"):
        kpis_daily = workspace.kpis_daily
        return f"there is no ad data {when} (the data runs {first_date(kpis_daily)} to {last_day(kpis_daily)})"
    if kpi in STORE_FIGURES:
        if not whole_account:
            return "store orders and revenue are the whole shop's, not one campaign's or platform's"
        if workspace.store is None:
            return "there is no store export (orders table or Shopify sales) in data/raw/"
        return f"the store export does not cover {when}"
    if kpi in PROFIT_FIGURES and (reason := profit_unknown_reason(workspace, whole_account, when, row)):
        return reason
    if kpi in RESULT_FIGURES:
        return "results are counted for the whole account only, from the exports' result columns"
    num, den = _fraction(kpi) or (kpi, kpi)
    for column in dict.fromkeys((num, den)):
        if row.get(column) is None:
            return f"the ad export has no {figure_word(column)} column"
    return f"there were no {figure_word(den)} {when}, so there is nothing to divide by"


def profit_unknown_reason(workspace: Workspace, whole_account: bool, when: str, row: Row) -> str:
    """Why a profit figure is unknown, when the orders are (no orders export, a campaign's question, no orders
    in the period); empty when the orders are known and the figure's own fraction says why."""
    if not whole_account:
        return "profit is the whole store's (every order), not one campaign's or platform's"
    if workspace.profit is None or workspace.profit.is_empty():  # empty: other accounts have orders, not this one
        return "there is no Shopify orders export in data/raw/ to take revenue and costs from"
    if not row.get("store_orders_known"):
        return f"the orders export does not cover {when}"
    if row.get("spend") is None:
        return f"there is no ad data {when}"
    return ""


def _fraction(kpi: str) -> tuple[str, str] | None:
    """(numerator, denominator) of a ratio figure; None for a sum."""
    for fractions in (KPI_FRACTIONS, OTHER_FRACTIONS, PROFIT_FRACTIONS):
        if kpi in fractions:
            return fractions[kpi][0], fractions[kpi][1]
    return None


def change_clause(kpi: str, now: float | None, before: float | None, than: str, currency: str | None) -> str:
    """`, 5% less than <than> (1,610.20 USD)`; empty when either figure is unknown or the earlier one is 0."""
    if now is None or before is None or before == 0:
        return ""
    change = (now - before) / abs(before)
    shown = value_text(kpi, before, currency)
    if round(change, 2) == 0:
        return f", about the same as {than} ({shown})"
    up, down = ("higher", "lower") if is_ratio(kpi) else ("more", "less")
    return f", {abs(change):.0%} {up if change > 0 else down} than {than} ({shown})"


def sentence(kpi: str, value: str, when: str, label: str) -> str:
    """`You spent 1,528.45 USD yesterday (24 Nov)`, `Your CPA for ad 'A' last week (...) was 50.55 USD`."""
    where = f" on {label}" if label else ""
    if kpi == "spend":
        return f"You spent {value}{where} {when}"
    if kpi in MONEY_COLUMNS or is_ratio(kpi):
        return f"Your {figure_word(kpi)}{' for ' + label if label else ''} {when} was {value}"
    return f"You had {value} {figure_word(kpi)}{' from ' + label if label else ''} {when}"


def evidence_line(row: Row, when: str, currency: str | None) -> str:
    """`24 Nov: spend 1,528.45 USD, 30 purchases, purchase value 4,012.00 USD, ROAS 2.62, CPA 50.95 USD.`"""
    return (
        f"{when[0].upper()}{when[1:]}: spend {money_text(row.get('spend'), currency)}, "
        f"{count_text(row.get('purchases'))} purchases, purchase value "
        f"{money_text(row.get('purchase_value'), currency)}, ROAS {kpi_text('roas', row.get('roas'), currency)}, "
        f"CPA {kpi_text('cpa', row.get('cpa'), currency)}, {count_text(row.get('link_clicks'))} link clicks."
    )


def fraction_line(kpi: str, row: Row, currency: str | None) -> str | None:
    """`CPA = spend / purchases = 1,516.50 USD / 30.` for a ratio, so the figure traces to its sums."""
    num, den = _fraction(kpi) or ("", "")
    if not num or kpi == "frequency":
        return None
    scale = " x 1,000" if kpi == "cpm" else ""
    return (
        f"{figure_word(kpi)} = {figure_word(num)}{scale} / {figure_word(den)} = "
        f"{value_text(num, row.get(num), currency)}{scale} / {value_text(den, row.get(den), currency)}."
    )


def _periods(intent_periods: tuple[Period, Period] | None, kpis_daily: pl.DataFrame) -> tuple[Period, Period]:
    return intent_periods or periods_for(kpis_daily, "yesterday")


def _account_lines(
    frame: pl.DataFrame, period: Period, kpi: str, workspace: Workspace, when: str, whole: bool
) -> list[str]:
    """One line per account when the data holds several (the headline adds them up)."""
    if not whole or not several_accounts(frame):
        return []
    lines = []
    for (account,), rows in frame.partition_by("account", as_dict=True, maintain_order=True).items():
        row = figures_of(rows, period, workspace, whole_account=False)
        name = "the default account" if account is None else f"account {quoted(str(account))}"
        lines.append(f"{name}: {value_text(kpi, row.get(kpi), workspace.currency)} {when}.")
    return lines


# --------------------------------------------------------------------------- answers


def metric(intent: Intent, workspace: Workspace) -> Answer:
    """What was the figure over the period: the value, against the 7 days before (one day) or the period before."""
    kpis_daily, currency, kpi = workspace.kpis_daily, workspace.currency, intent.kpi
    current, previous = _periods(intent.periods, kpis_daily)
    frame, label = scoped(intent.name, intent.level, intent.platform, kpis_daily)
    whole = not label
    when = when_text(kpis_daily, current)
    row = figures_of(frame, current, workspace, whole)
    value = row.get(kpi)
    if value is None:
        reason = unknown_reason(kpi, row, workspace, whole, when)
        headline = f"Your {figure_word(kpi)}{' for ' + label if label else ''} {when} is unknown: {reason}."
        return Answer(headline, [evidence_line(row, when, currency)] if row.get("rows") else [], {"figures": row})
    if current.days == 1:
        # One day is judged against the week before it: a single earlier day is mostly noise.
        start = max(current.start - dt.timedelta(days=7), first_date(kpis_daily))
        baseline = Period(start, current.start - dt.timedelta(days=1))
        than = f"your daily average of the {baseline.days} days before" if not is_ratio(kpi) else ""
        than = than or f"the {baseline.days} days before"
    else:
        baseline, than = previous, before_text(kpis_daily, current, previous)
    lines = []
    before_value = None
    if baseline.days >= 1 and baseline.end >= first_date(kpis_daily):
        before = figures_of(frame, baseline, workspace, whole)
        before_value = before.get(kpi)
        if before_value is not None and not is_ratio(kpi) and current.days == 1:
            before_value = before_value / baseline.days
        lines.append(evidence_line(before, when_text(kpis_daily, baseline), currency))
    headline = sentence(kpi, value_text(kpi, value, currency), when, label)
    headline += change_clause(kpi, value, before_value, than, currency) + "."
    fraction = fraction_line(kpi, row, currency) if is_ratio(kpi) else None
    lines = [evidence_line(row, when, currency), *lines, *([fraction] if fraction else [])]
    lines += _account_lines(frame, current, kpi, workspace, when, whole)
    if kpi in RESULT_FIGURES and row.get("result_type"):
        lines.append(f"Result type: {row['result_type']} (cost per {result_unit(str(row['result_type']))}).")
    return Answer(headline, lines, {"figures": row, "period": current})


def compare(intent: Intent, workspace: Workspace) -> Answer:
    """The figure over two periods: both values and the change, then the figures behind each."""
    kpis_daily, currency, kpi = workspace.kpis_daily, workspace.currency, intent.kpi
    current, previous = intent.periods or periods_for(kpis_daily, "last_week")
    frame, label = scoped(intent.name, intent.level, intent.platform, kpis_daily)
    whole = not label
    when_now, when_before = when_text(kpis_daily, current), when_text(kpis_daily, previous)
    now, before = figures_of(frame, current, workspace, whole), figures_of(frame, previous, workspace, whole)
    value_now, value_before = now.get(kpi), before.get(kpi)
    word = f"{figure_word(kpi)}{' for ' + label if label else ''}"
    if value_now is None or value_before is None:
        unknown = [
            f"{when} is unknown: {unknown_reason(kpi, row, workspace, whole, when)}"
            for when, row, value in ((when_now, now, value_now), (when_before, before, value_before))
            if value is None
        ]
        known = [
            f"{when} it was {value_text(kpi, value, currency)}"
            for when, value in ((when_now, value_now), (when_before, value_before))
            if value is not None
        ]
        headline = f"Your {word} {'; '.join(unknown + known)}."
    else:
        change = (value_now - value_before) / abs(value_before) if value_before else None
        moved = (
            "no change"
            if change is None or round(change, 3) == 0
            else f"{'up' if change > 0 else 'down'} {abs(change):.0%}"
        )
        headline = (
            f"Your {word} was {value_text(kpi, value_now, currency)} {when_now} vs "
            f"{value_text(kpi, value_before, currency)} {when_before}: {moved}."
        )
    lines = [
        evidence_line(row, when, currency) for when, row in ((when_now, now), (when_before, before)) if row["rows"]
    ]
    if is_ratio(kpi):
        lines += [line for row in (now, before) if row["rows"] and (line := fraction_line(kpi, row, currency))]
    return Answer(headline, lines, {"current": now, "previous": before, "periods": (current, previous)})


def trend(intent: Intent, workspace: Workspace) -> Answer:
    """The figure day by day over the period (week by week past 31 days), and which way it went."""
    kpis_daily, currency, kpi = workspace.kpis_daily, workspace.currency, intent.kpi
    period = intent.periods[0] if intent.periods else periods_for(kpis_daily, "days", 14)[0]
    frame, label = scoped(intent.name, intent.level, intent.platform, kpis_daily)
    whole = not label
    when = when_text(kpis_daily, period)
    row = figures_of(frame, period, workspace, whole)
    word = f"{figure_word(kpi)}{' for ' + label if label else ''}"
    if row.get(kpi) is None:
        reason = unknown_reason(kpi, row, workspace, whole, when)
        return Answer(f"Your {word} {when} is unknown: {reason}.", [], {"figures": row})
    step = 1 if period.days <= 31 else 7
    parts = [
        Period(start, min(start + dt.timedelta(days=step - 1), period.end))
        for start in (period.start + dt.timedelta(days=i) for i in range(0, period.days, step))
    ]
    if kpi in KPI_FRACTIONS or kpi in AD_METRICS:
        # One roll-up of every day (or week) at once: a million rows stay well under a second.
        bucket = ((pl.col("date") - pl.lit(period.start)).dt.total_days() // step).alias("_bucket")
        rolled = rollup(frame.filter(in_period(period)).with_columns(bucket), ["_bucket"])
        values = dict(zip(rolled["_bucket"].to_list(), rolled[kpi].to_list(), strict=True))
        points = [(part, values.get(i)) for i, part in enumerate(parts)]
    else:
        points = [(part, figures_of(frame, part, workspace, whole).get(kpi)) for part in parts]
    # Which way it went: the first half's figure against the second half's (sums first, so a quiet day weighs less).
    half = period.days // 2
    first = figures_of(frame, Period(period.start, period.start + dt.timedelta(days=half - 1)), workspace, whole)
    second = figures_of(frame, Period(period.end - dt.timedelta(days=half - 1), period.end), workspace, whole)
    early, late = first.get(kpi), second.get(kpi)
    total = value_text(kpi, row[kpi], currency)
    if half and early is not None and late is not None and early:
        change = (late - early) / abs(early)
        way = "flat" if abs(change) < 0.05 else "rising" if change > 0 else "falling"
        headline = (
            f"Your {word} {when} was {total} and {way}: {value_text(kpi, early, currency)} in the first {half} "
            f"days, {value_text(kpi, late, currency)} in the last {half}."
        )
    else:
        headline = f"Your {word} {when} was {total}."
    known = [(part, value) for part, value in points if value is not None]
    if known:
        high, low = max(known, key=lambda point: point[1]), min(known, key=lambda point: point[1])
        lines = [
            f"Highest {value_text(kpi, high[1], currency)} ({span_text(high[0])}), lowest "
            f"{value_text(kpi, low[1], currency)} ({span_text(low[0])})."
        ]
    else:
        lines = []
    lines += [f"{span_text(part)}: {value_text(kpi, value, currency)}" for part, value in points]
    table = pl.DataFrame(
        {"start": [part.start for part, _ in points], kpi: [value for _, value in points]},
        schema={"start": pl.Date, kpi: pl.Float64},
    )
    return Answer(headline, lines, {"trend": table, "figures": row})
