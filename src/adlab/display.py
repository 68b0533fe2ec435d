"""How numbers are shown, everywhere: report pages, charts, `adlab ask` and the CLI.

One vocabulary: column labels, money / count / percent / ratio formatting, `–` for a value no export
provides (unknown, never 0), relative changes, and the colour tones a figure takes against its target.
Pages write money with the currency's symbol (`$1,234.56`, `1,234.56 AUD` where a symbol is ambiguous);
sentences write it with the ISO code (`1,234.56 USD`), so an answer reads the same in any terminal.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

MISSING = "–"  # a value no export provides: unknown, never 0

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
# Currencies quoted without minor units in ad platforms and shops.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "IDR", "ISK"})

# Column headers of report tables.
LABELS = {
    "name": "Campaign / ad set / ad",
    "campaign": "Campaign",
    "adset": "Ad set",
    "ad": "Ad",
    "platform_source": "Platform",
    "account": "Account",
    "share_of_spend": "% of spend",
    "spend": "Spend",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "link_clicks": "Link clicks",
    "ctr": "CTR",
    "cpc": "CPC",
    "cpm": "CPM",
    "purchases": "Purchases",
    "cvr": "CVR",
    "cpa": "CPA",
    "purchase_value": "Purchase value",
    "aov": "AOV",
    "roas": "ROAS",
    "results": "Results",
    "cost_per_result": "Cost per result",
    "revenue": "Store revenue",
    "orders": "Orders",
    "mer": "MER",
    "week": "Week",
    "dates": "Dates",
    "product": "Product",
    "units": "Units",
    "gross_profit": "Gross profit",
    "contribution_after_ads": "Profit after ads",
    "poas": "POAS",
    "ncroas": "ncROAS",
    "new_customers": "New customers",
    "new_customer_cpa": "New-customer CPA",
    "new_customer_revenue": "New-customer revenue",
    "cogs": "Cost of goods",
    "fees": "Payment fees",
    "shipping_cost": "Shipping cost",
    "product_revenue": "Revenue",
    "product_cogs": "Cost of goods",
    "product_gross_profit": "Gross profit",
    "product_margin": "Margin",
    "cost_fallback_share": "At margin setting",
}
PLATFORM_NAMES = {"meta": "Meta", "google_ads": "Google Ads", "pinterest": "Pinterest"}
# KPI names inside sentences (answers, notes).
KPI_WORDS = {
    "roas": "ROAS",
    "cpa": "CPA",
    "ctr": "link CTR",
    "cpc": "CPC",
    "cpm": "CPM",
    "cvr": "CVR",
    "aov": "AOV",
    "hook_rate": "hook rate",
    "hold_rate": "hold rate",
    "ctr_all": "CTR (all)",
    "poas": "POAS",
    "ncroas": "ncROAS",
    "new_customer_cpa": "new-customer CPA",
    "breakeven_roas_actual": "break-even ROAS at your actual margin",
    "gross_margin_actual": "gross margin",
    "cost_fallback_share": "share of product sales costed at the margin setting",
}
# Profit figures that are amounts of money (kpis.profit).
PROFIT_MONEY = (
    "gross_profit",
    "contribution_after_ads",
    "net_revenue",
    "cogs",
    "fees",
    "shipping_cost",
    "new_customer_revenue",
    "new_customer_cpa",
    "product_revenue",
    "product_cogs",
    "product_gross_profit",
)
MONEY_COLUMNS = ("spend", "purchase_value", "cpa", "cpc", "cpm", "aov", "revenue", "store_aov", *PROFIT_MONEY)
COUNT_COLUMNS = (
    "impressions",
    "clicks",
    "link_clicks",
    "landing_page_views",
    "adds_to_cart",
    "checkouts",
    "purchases",
    "orders",
    "units",
    "new_customers",
    "days",
    "rows_in",
    "kept",
    "replaced",
    "totals",
    "quarantined",
    "unexpected_count",
)
PERCENT_COLUMNS = (
    "ctr",
    "ctr_all",
    "cvr",
    "hook_rate",
    "hold_rate",
    "share_of_spend",
    "new_customer_share",
    "gross_margin_actual",
    "product_margin",
    "cost_fallback_share",
)
RATIO_COLUMNS = ("roas", "mer", "poas", "ncroas", "breakeven_roas_actual")
MONEY_KPIS = ("cpa", "cpc", "cpm", "aov", "new_customer_cpa")
PERCENT_KPIS = ("ctr", "cvr", "ctr_all", "hook_rate", "hold_rate", "gross_margin_actual", "cost_fallback_share")

# Colours of the tones (report.css uses the same) and of the series in charts.
COLOURS = {
    "spend": "#4263eb",
    "purchase_value": "#37b24d",
    "revenue": "#343a40",
    "roas": "#f76707",
    "mer": "#7048e8",
    "target": "#868e96",
    "good": "#2b8a3e",
    "warn": "#e67700",
    "bad": "#c92a2a",
    "none": "#adb5bd",
    "highlight": "rgba(66, 99, 235, 0.07)",
}


def number(value: Any) -> float | None:
    """The value as a float, or None for null, NaN and infinities."""
    if value is None or isinstance(value, bool):
        return None
    as_float = float(value)
    return as_float if math.isfinite(as_float) else None


# ---------------------------------------------------------------------------------------------------- pages


def money_affixes(currency: str) -> tuple[str, str]:
    """Prefix and suffix for amounts in `currency`: ("$", "") for USD, ("", " AUD") where a symbol is ambiguous."""
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    return (symbol, "") if symbol else ("", f" {code}" if code else "")


def fmt_money(value: Any, currency: str, decimals: int | None = None) -> str:
    """An amount in the account currency: `$1,234.56`, `1,234.56 AUD`, `-$5.00`; `–` when missing."""
    amount = number(value)
    if amount is None:
        return MISSING
    places = decimals if decimals is not None else (0 if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES else 2)
    prefix, suffix = money_affixes(currency)
    sign = "-" if amount < 0 and round(abs(amount), places) > 0 else ""
    return f"{sign}{prefix}{abs(amount):,.{places}f}{suffix}"


def fmt_int(value: Any) -> str:
    """A count with thousands separators: `12,345`; `–` when missing."""
    count = number(value)
    return MISSING if count is None else f"{round(count):,}"


def fmt_pct(value: Any, decimals: int = 2) -> str:
    """A fraction as a percentage: 0.01234 -> `1.23%`; `–` when missing."""
    fraction = number(value)
    return MISSING if fraction is None else f"{fraction * 100:,.{decimals}f}%"


def fmt_roas(value: Any) -> str:
    """A return multiple (ROAS, MER): 2.4149 -> `2.41x`; `–` when missing."""
    multiple = number(value)
    return MISSING if multiple is None else f"{multiple:,.2f}x"


def fmt_decimal(value: Any) -> str:
    """A plain decimal with two places: 1234.5 -> `1,234.50`; `–` when missing."""
    decimal = number(value)
    return MISSING if decimal is None else f"{decimal:,.2f}"


def relative_change(current: Any, previous: Any) -> float | None:
    """(current - previous) / previous; None when either is missing or previous is 0."""
    now, before = number(current), number(previous)
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before)


def fmt_change(change: float | None) -> str:
    """A relative change with an arrow: `▲ 12.3%`, `▼ 4.0%`, `● 0.0%`; `–` when missing."""
    if change is None:
        return MISSING
    arrow = "▲" if change > 0.0005 else "▼" if change < -0.0005 else "●"
    return f"{arrow} {abs(change) * 100:,.1f}%"


def column_formats(currency: str) -> dict[str, Callable[[Any], str]]:
    """The formatter of every known column: money in `currency`, counts, rates as %, ROAS and MER as `2.41x`."""
    money = functools.partial(fmt_money, currency=currency)
    formats: dict[str, Callable[[Any], str]] = {}
    formats.update(dict.fromkeys(MONEY_COLUMNS, money))
    formats.update(dict.fromkeys(COUNT_COLUMNS, fmt_int))
    formats.update(dict.fromkeys(PERCENT_COLUMNS, fmt_pct))
    formats.update(dict.fromkeys(RATIO_COLUMNS, fmt_roas))
    return formats


# ---------------------------------------------------------------------------------------------------- sentences


def money_text(value: float | None, currency: str | None) -> str:
    """`1,234.56 USD`, `123,457 JPY` (currencies without minor units get none); `–` for no value."""
    if value is None:
        return MISSING
    places = 0 if (currency or "").upper() in ZERO_DECIMAL_CURRENCIES else 2
    return f"{value:,.{places}f} {currency or ''}".rstrip()


def signed_money_text(value: float | None, currency: str | None) -> str:
    """`+1,234.56 USD`, `-5.00 USD` (a change of money, its sign always shown); `–` for no value."""
    if value is None or not math.isfinite(value):
        return MISSING
    return ("-" if round(value, 2) < 0 else "+") + money_text(abs(value), currency)


def count_text(value: float | None) -> str:
    """A count such as purchases, `12`, `2.5` for Meta's fractional counts; `–` where no export has it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def whole_text(value: float | None) -> str:
    """A count rounded to a whole number, `12`; `–` where no export has the column."""
    return MISSING if value is None else f"{value:,.0f}"


def share_text(value: float | None) -> str:
    """A share as a whole percentage, `42%`; `–` when unknown."""
    return MISSING if value is None else f"{value:.0%}"


def month_text(day: Any) -> str:
    """A calendar month, `Sep 2026` (a customer cohort); `–` for no date."""
    return MISSING if day is None else f"{day:%b %Y}"


def kpi_text(kpi: str, value: float | None, currency: str | None) -> str:
    """A KPI as users read it: ROAS `2.35`, rates `1.31%`, money with the currency code."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if kpi in PERCENT_KPIS:
        return f"{value:.2%}"
    if kpi in MONEY_KPIS:
        return money_text(value, currency)
    return f"{value:.2f}"


# ---------------------------------------------------------------------------------------------------- tones


def roas_tone(target_roas: float, breakeven_roas: float) -> Callable[[Any], str | None]:
    """good at or above target, warn between break-even and target, bad below break-even."""

    def tone(value: Any) -> str | None:
        roas = number(value)
        if roas is None:
            return None
        if roas >= target_roas:
            return "good"
        return "warn" if roas >= breakeven_roas else "bad"

    return tone


def cpa_tone(target_cpa: float) -> Callable[[Any], str | None]:
    """good at or below the target cost per purchase, bad above it."""

    def tone(value: Any) -> str | None:
        cpa = number(value)
        return None if cpa is None else ("good" if cpa <= target_cpa else "bad")

    return tone
