"""Money settings against the account currency: is a CPA target plausible, and volume gates in that currency.

`UNITS_PER_USD` is a rough table (mid-2020s rates to two significant figures). It only tells a CPA
target of 40 IDR (about 0.0025 USD) from 40 USD and puts a gate such as `recommend.segment_min_spend`
into the right order of magnitude; it never converts a figure shown in a table, a page or an answer.
"""

from __future__ import annotations

import math

# Approximate units of each currency per US dollar, for plausibility only (never to convert figures).
UNITS_PER_USD: dict[str, float] = {
    "USD": 1.0,
    "EUR": 0.92,
    "GBP": 0.79,
    "CHF": 0.88,
    "AUD": 1.5,
    "NZD": 1.65,
    "CAD": 1.37,
    "SEK": 10.5,
    "NOK": 10.7,
    "DKK": 6.9,
    "ISK": 138.0,
    "PLN": 4.0,
    "CZK": 23.0,
    "HUF": 360.0,
    "RON": 4.6,
    "BGN": 1.8,
    "TRY": 34.0,
    "ILS": 3.7,
    "AED": 3.67,
    "SAR": 3.75,
    "QAR": 3.64,
    "KWD": 0.31,
    "EGP": 49.0,
    "ZAR": 18.0,
    "NGN": 1500.0,
    "KES": 129.0,
    "MAD": 10.0,
    "INR": 84.0,
    "PKR": 280.0,
    "BDT": 120.0,
    "LKR": 300.0,
    "IDR": 16300.0,
    "MYR": 4.5,
    "SGD": 1.35,
    "THB": 34.0,
    "PHP": 57.0,
    "VND": 25000.0,
    "KRW": 1380.0,
    "JPY": 150.0,
    "CNY": 7.2,
    "HKD": 7.8,
    "TWD": 32.0,
    "MXN": 18.0,
    "BRL": 5.5,
    "ARS": 1000.0,
    "CLP": 940.0,
    "COP": 4100.0,
    "PEN": 3.75,
    "UYU": 40.0,
    "RUB": 90.0,
    "UAH": 41.0,
    "KZT": 480.0,
}
# A cost per purchase below 5 USD or above 20,000 USD is not a target a shop sets: the number was
# written for another currency (most often a USD amount, such as the default 40, in an account billed in
# SEK, NOK, CZK, MXN, ZAR or IDR, JPY, INR ...: 40 SEK is about 3.80 USD).
MIN_CPA_USD = 5.0
MAX_CPA_USD = 20_000.0
TYPICAL_CPA_USD = 40.0  # suggested when the configured target gives no hint
# A fixed money gate is read as USD and scaled once the currency is 3x or more away from the dollar
# (50 SEK is 5 USD); closer currencies keep the configured amount, since a gate needs only its order of magnitude.
FAR_FROM_USD = 3.0


def units_per_usd(currency: str | None) -> float | None:
    """Rough units of `currency` per US dollar; None for an unknown or missing currency."""
    return UNITS_PER_USD.get((currency or "").strip().upper())


def round_significant(value: float, digits: int = 2) -> float:
    """`value` rounded to `digits` significant figures (652,000 -> 650,000; 0.00245 -> 0.0025)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def amount_text(value: float, currency: str) -> str:
    """`650,000 IDR`, `0.0025 USD`, `40 USD`: an approximate amount to two significant figures."""
    rounded = round_significant(value)
    decimals = max(0, 1 - math.floor(math.log10(abs(rounded)))) if rounded else 0
    text = f"{rounded:,.{decimals}f}"
    return f"{text.rstrip('0').rstrip('.') if '.' in text else text} {currency}"


def gate_amount(amount_usd: float, currency: str | None) -> float:
    """A fixed money gate (configured as a USD amount) in the account currency.

    Scaled by the rough rate, to two significant figures, when the currency is at least `FAR_FROM_USD`
    times away from the dollar; otherwise (and for an unknown currency) the configured amount as is.
    """
    rate = units_per_usd(currency)
    if rate is None or 1 / FAR_FROM_USD < rate < FAR_FROM_USD:
        return amount_usd
    return round_significant(amount_usd * rate)


def cpa_target_note(target_cpa: float, currency: str | None, setting: str = "targets.cpa") -> str | None:
    """One plain sentence when a CPA target cannot be meant in the account currency; None when it is plausible.

    Judged per account with that account's target and currency; `setting` is where the sentence tells to
    set it (`params.account_setting(account, "targets.cpa")`: an account's own entry in params.yaml).
    Nothing is said for an unknown currency (no export named it, or it is not in `UNITS_PER_USD`).
    """
    rate = units_per_usd(currency)
    if rate is None or target_cpa <= 0:
        return None
    code = (currency or "").strip().upper()
    in_usd = target_cpa / rate
    if MIN_CPA_USD <= in_usd <= MAX_CPA_USD:
        return None
    uses = "it also sets the stop-loss and the minimum spend to rank an ad"
    in_dollars = "" if code == "USD" else f" (about {amount_text(in_usd, 'USD')})"
    said = f"Your CPA target is {amount_text(target_cpa, code)}{in_dollars}"
    if in_usd < MIN_CPA_USD and MIN_CPA_USD <= target_cpa <= MAX_CPA_USD:
        return (
            f"{said}, which looks like a USD amount: set `{setting}` in params.yaml to about "
            f"{amount_text(target_cpa * rate, code)} ({uses})."
        )
    where = "less" if in_usd < MIN_CPA_USD else "far more"
    return (
        f"{said}, {where} than a purchase costs, so it looks like an amount in another currency: set "
        f"`{setting}` in params.yaml to your cost per purchase target in {code}, e.g. about "
        f"{amount_text(TYPICAL_CPA_USD * rate, code)} ({uses})."
    )
