"""Store orders: how many a day (following Meta's sales), what they contain, discounts, taxes and refunds.

`simulate_orders` returns the orders before formatting; `adlab.demo.shopify` writes them as Shopify's export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from adlab.demo.account import LAST, N_DAYS, START, period_day
from adlab.demo.draws import split_exact
from adlab.demo.money import USD, Currency
from adlab.demo.store import PRODUCTS, STORE_TZ, pick, pick_variants, simulate_customers, variant_catalog

# The orders export is taken the morning after the period (store time).
EXPORT_AT_LOCAL = dt.datetime(2026, 11, 25, 8, 30)

NOTES = (
    "Please leave the package with the doorman.",
    "Gift for my sister, please don't include the receipt!",
    'Can you write "Happy Birthday, Sam" on the card?',
    "Ring the bell twice, the dog is friendly.",
    "Leave at the side door\nNOT the front porch, thanks",
    "Is the overshirt true to size? Ordered an M.",
)
NOTE_ATTRIBUTES = (
    "gift_wrap: yes",
    "gift_wrap: yes\ngift_message: Happy anniversary, love you!",
    "delivery_instructions: Buzz 4B, leave with concierge",
    "how_did_you_hear: Instagram",
    "how_did_you_hear: Friend, podcast",
)
SHIPPING_METHODS = ("Standard Shipping", "Free Shipping", "Express Shipping")
FINANCIAL_STATUSES = ("paid", "partially_refunded", "refunded", "voided")
RISK_LEVELS = ("Low", "Medium", "High")
PAYMENT_METHODS = ("Shopify Payments", "PayPal Express Checkout", "Shop Pay Installments", "Afterpay")
PAYMENT_WEIGHTS = (0.76, 0.17, 0.04, 0.03)
# (code, percent off, first day, last day, who may use it)
DISCOUNTS: tuple[tuple[str, float, int, int, str], ...] = (
    ("WELCOME10", 10.0, 0, LAST, "new"),
    ("VIP15", 15.0, 0, LAST, "repeat"),
    ("SUMMER30", 30.0, 0, period_day("2026-11-08"), "all"),
    ("FALL20", 20.0, period_day("2026-10-01"), LAST, "all"),
    ("EARLYBF25", 25.0, period_day("2026-11-20"), LAST, "all"),
)
DISCOUNT_USE = (0.12, 0.10, 0.09, 0.05, 0.10)  # share of eligible orders using each code

# Orders by hour of the day, store time.
ORDER_HOUR_WEIGHTS = np.array(
    [
        1.2,
        0.8,
        0.5,
        0.3,
        0.3,
        0.4,
        0.8,
        1.5,
        2.4,
        3.2,
        3.8,
        4.2,
        4.8,
        4.6,
        4.2,
        4.0,
        4.0,
        4.2,
        4.6,
        5.4,
        6.2,
        6.4,
        5.2,
        3.0,
    ]
)
# A normal day's store revenue is this multiple of Meta-attributed (7-day click / 1-day view) value.
STORE_TO_META_RATIO = (1.58, 1.83)
NET_PER_ORDER = 142.0  # typical store revenue per order, USD; sizes the pool of candidate orders
# Shipping, in USD cents: standard, express, and the order subtotal from which standard shipping is free.
STANDARD_SHIPPING, EXPRESS_SHIPPING, FREE_SHIPPING_FROM = 695, 1495, 7500


def _local_time(day: pl.Expr, seconds: pl.Expr) -> pl.Expr:
    """A store-local wall-clock time (day + seconds) as an aware datetime in the store zone."""
    naive = day.cast(pl.Datetime("us")) + pl.duration(seconds=seconds)
    return naive.dt.replace_time_zone(STORE_TZ, ambiguous="earliest")


@dataclass(frozen=True)
class OrdersData:
    """Simulated store orders before formatting: one row per order, one per line item (in export order)."""

    orders: pl.DataFrame  # oldest first; row i is order #(1001 + i)
    lines: pl.DataFrame  # newest order first, line items in order
    customers: pl.DataFrame


def simulate_orders(rng: np.random.Generator, meta_value_by_day: np.ndarray, currency: Currency = USD) -> OrdersData:
    """Store orders that follow Meta's daily sales, with customers, discounts, taxes, refunds and cancellations.

    Args:
        rng: the generator all draws come from.
        meta_value_by_day: Meta-attributed purchase value per day of the period, in `currency`.
        currency: the store's currency; prices, shipping and every amount are in its minor units.

    Returns:
        Orders (numbers, flags, customer indices, timestamps), line items in export order, and customers.
    """
    # Store revenue = the day's Meta-attributed sales + other channels (organic, email, search), which follow
    # Meta's trailing 7-day sales: a one-day Meta glitch only costs the store the Meta sales it loses.
    # Candidate orders are drawn per day and kept until the day's revenue reaches that target.
    trailing = np.array([meta_value_by_day[max(0, d - 7) : max(d, 1)].mean() for d in range(N_DAYS)])
    target = (meta_value_by_day + (rng.uniform(*STORE_TO_META_RATIO, N_DAYS) - 1) * trailing) * currency.minor
    net_per_order = NET_PER_ORDER * currency.per_usd * currency.minor
    candidates = np.ceil(1.5 * target / net_per_order + 10).astype(np.int64)
    day = np.repeat(np.arange(N_DAYS), candidates)
    n = len(day)
    repeat = rng.uniform(0, 1, n) < 0.25  # a quarter of orders come from a returning customer

    # Line items: 1-4 distinct products, quantities 1-3.
    n_lines = rng.choice(4, n, p=[0.50, 0.30, 0.14, 0.06]) + 1
    popularity = np.array([p[7] for p in PRODUCTS])
    first_product = rng.choice(len(PRODUCTS), n, p=popularity / popularity.sum())
    step = rng.integers(1, len(PRODUCTS), n)
    line_order = np.repeat(np.arange(n), n_lines)
    position = np.arange(len(line_order)) - (np.cumsum(n_lines) - n_lines)[line_order]
    products = (first_product[line_order] + position * step[line_order]) % len(PRODUCTS)
    catalog = variant_catalog(currency)
    variant = pick_variants(rng, catalog, products)
    quantity = rng.choice(3, len(line_order), p=[0.82, 0.14, 0.04]) + 1
    line_cents = catalog["price"][variant] * quantity
    gross = np.bincount(line_order, weights=line_cents, minlength=n).astype(np.int64)

    # Discount codes: the first eligible code an order uses wins.
    code = np.full(n, -1)
    for index, (_, _, first_day, last_day, who) in enumerate(DISCOUNTS):
        eligible = (code < 0) & (day >= first_day) & (day <= last_day)
        eligible &= {"new": ~repeat, "repeat": repeat, "all": np.ones(n, bool)}[who]
        code = np.where(eligible & (rng.uniform(0, 1, n) < DISCOUNT_USE[index]), index, code)
    percent = np.where(code >= 0, np.array([d[1] for d in DISCOUNTS])[np.maximum(code, 0)], 0.0)
    discount = np.round(gross * percent / 100).astype(np.int64)
    line_weights = np.zeros((n, 4))
    line_weights[line_order, position] = line_cents
    line_discount = split_exact(discount, line_weights)[line_order, position]
    subtotal = gross - discount
    express = rng.uniform(0, 1, n) < 0.07
    free = subtotal >= currency.from_usd_cents(FREE_SHIPPING_FROM)
    standard = currency.from_usd_cents(STANDARD_SHIPPING)
    shipping = np.where(express, currency.from_usd_cents(EXPRESS_SHIPPING), np.where(free, 0, standard))

    # Payment outcome; refunds need time, so recent orders are rarely refunded.
    settle = np.clip((N_DAYS - day) / 12, 0, 1)
    u = rng.uniform(0, 1, n)
    voided = u < 0.025
    cancelled_refund = (u >= 0.025) & (u < 0.04)
    refunded = cancelled_refund | ((u >= 0.04) & (u < 0.04 + 0.035 * settle))
    partial = (u >= 0.08) & (u < 0.08 + 0.045 * settle)
    refund_share = np.where(refunded, 1.0, np.where(partial, rng.uniform(0.15, 0.7, n), 0.0))
    # Revenue an order brings (before its customer's sales tax is known, at a typical 6.5%).
    revenue = np.where(voided | cancelled_refund, 0.0, (subtotal * 1.065 + shipping) * (1 - refund_share))
    day_start = np.concatenate([[0.0], np.cumsum(revenue)])[np.repeat(np.cumsum(candidates) - candidates, candidates)]
    keep = np.cumsum(revenue) - day_start - revenue / 2 < target[day]

    # Keep the chosen orders, then put them in time order.
    n = int(keep.sum())
    hour = rng.choice(24, n, p=ORDER_HOUR_WEIGHTS / ORDER_HOUR_WEIGHTS.sum())
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    in_time_order = np.lexsort((seconds, day[keep]))
    chosen, seconds = np.flatnonzero(keep)[in_time_order], seconds[in_time_order]
    rank = np.full(len(keep), -1)
    rank[chosen] = np.arange(n)
    line_keep = keep[line_order]
    line_order, position, variant, quantity, line_discount = (
        rank[line_order[line_keep]],
        position[line_keep],
        variant[line_keep],
        quantity[line_keep],
        line_discount[line_keep],
    )
    day, repeat, code, discount, subtotal, shipping, express = (
        day[chosen],
        repeat[chosen],
        code[chosen],
        discount[chosen],
        subtotal[chosen],
        shipping[chosen],
        express[chosen],
    )
    voided, cancelled_refund, refunded, partial, refund_share = (
        voided[chosen],
        cancelled_refund[chosen],
        refunded[chosen],
        partial[chosen],
        refund_share[chosen],
    )

    # Customers: ids 0..prior_pool-1 ordered before the period, then new customers in order of first purchase.
    new_so_far: np.ndarray = np.cumsum(~repeat) - (~repeat)
    prior_pool = max(20, n // 60)
    customer = np.where(
        repeat, np.floor(rng.uniform(0, 1, n) * (new_so_far + prior_pool)).astype(np.int64), prior_pool + new_so_far
    )
    customers = simulate_customers(rng, prior_pool + int((~repeat).sum()))
    tax1 = np.round(subtotal * customers["state_rate"].to_numpy()[customer] / 100).astype(np.int64)
    tax2 = np.round(subtotal * customers["local_rate"].to_numpy()[customer] / 100).astype(np.int64)
    total = subtotal + shipping + tax1 + tax2
    method = pick(SHIPPING_METHODS, np.where(express, 2, np.where(shipping == 0, 1, 0)))
    status = pick(FINANCIAL_STATUSES, np.where(voided, 3, np.where(refunded, 2, np.where(partial, 1, 0))))
    cancelled = voided | cancelled_refund
    refund_cents = np.where(refunded, total, 0)
    refund_cents = np.where(partial, np.clip(np.round(total * refund_share), 1, total - 1), refund_cents)

    created = pl.DataFrame({"day": (np.datetime64(START) + day).astype("datetime64[D]"), "sec": seconds})
    fulfil_hours = rng.uniform(5, 60, n)
    cancel_hours = np.where(voided, rng.uniform(0.3, 20, n), rng.uniform(1, 40, n))
    times = created.select(_local_time(pl.col("day"), pl.col("sec")).alias("created")).with_columns(
        (pl.col("created") + pl.duration(seconds=pl.lit(pl.Series(rng.integers(2, 45, n))))).alias("paid"),
        (
            pl.col("created") + pl.duration(seconds=pl.lit(pl.Series(np.round(fulfil_hours * 3600).astype(np.int64))))
        ).alias("fulfilled"),
        (
            pl.col("created") + pl.duration(seconds=pl.lit(pl.Series(np.round(cancel_hours * 3600).astype(np.int64))))
        ).alias("cancelled"),
    )
    export_at = pl.lit(EXPORT_AT_LOCAL).dt.replace_time_zone(STORE_TZ)
    cancelled &= times.select(pl.col("cancelled") <= export_at).to_series().to_numpy() | voided
    fulfilled = ~cancelled & times.select(pl.col("fulfilled") <= export_at).to_series().to_numpy()

    note = np.where(rng.uniform(0, 1, n) < 0.03, rng.integers(0, len(NOTES), n), -1)
    note_attributes = np.where(rng.uniform(0, 1, n) < 0.04, rng.integers(0, len(NOTE_ATTRIBUTES), n), -1)
    risk_u = rng.uniform(0, 1, n)
    orders = pl.concat(
        [
            pl.DataFrame(
                {
                    "name": np.arange(n, dtype=np.int64) + 1001,
                    "order_id": 6_231_004_512_345 + np.cumsum(rng.integers(2_000_000, 9_000_000, n)),
                    "checkout": 33_104_556_000_000 + np.cumsum(rng.integers(40_000, 400_000, n)),
                    "customer": customer,
                    "recipient": rng.integers(0, customers.height, n),
                    "gift": rng.uniform(0, 1, n) < 0.06,
                    "note": pick(NOTES, note),
                    "note_attributes": pick(NOTE_ATTRIBUTES, note_attributes),
                    "payment": pick(PAYMENT_METHODS, rng.choice(len(PAYMENT_METHODS), n, p=PAYMENT_WEIGHTS)),
                    "risk": pick(
                        RISK_LEVELS,
                        np.where(
                            risk_u < np.where(voided, 0.35, 0.01),
                            2,
                            np.where(risk_u < np.where(voided, 0.6, 0.04), 1, 0),
                        ),
                    ),
                    "draft": rng.uniform(0, 1, n) < 0.015,
                    "order_phone": customers["has_phone"].to_numpy()[customer] & (rng.uniform(0, 1, n) < 0.35),
                    "vip": customers["vip"].to_numpy()[customer] & repeat,
                    "subtotal": subtotal,
                    "shipping": shipping,
                    "tax1": tax1,
                    "tax2": tax2,
                    "total": total,
                    "discount": discount,
                    "refund": refund_cents.astype(np.int64),
                    "code": pick(tuple(d[0] for d in DISCOUNTS), code),
                    "method": method,
                    "status": status,
                    "cancelled_flag": cancelled,
                    "fulfilled_flag": fulfilled,
                }
            ),
            times,
        ],
        how="horizontal",
    )
    # Shopify lists the newest order first, its line items in their order.
    export = np.lexsort((position, -line_order))
    lines = pl.DataFrame(
        {
            "order": line_order[export].astype(np.int64),
            "position": position[export].astype(np.int64),
            "quantity": quantity[export].astype(np.int64),
            "price": catalog["price"][variant[export]],
            "compare": catalog["compare"][variant[export]],
            "line_name": pick(tuple(catalog["name"]), variant[export]),
            "sku": pick(tuple(catalog["sku"]), variant[export]),
            "vendor": pick(tuple(catalog["vendor"]), variant[export]),
            "line_discount": line_discount[export].astype(np.int64),
            "fulfilled_flag": fulfilled[line_order[export]],
        }
    )
    return OrdersData(orders=orders, lines=lines, customers=customers)
