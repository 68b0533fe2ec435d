"""The hand-worked orders and ad spend of the customer-cohort tests (tests/test_cohorts.py explains every row).

One store (the default account), gross margin 50%:

    order  date        customer  total  refunded  status               counts
    #1     2026-01-10  A         100    0         paid                 yes   A's first: cohort Jan
    #2     2026-01-20  B          60    20        partially_refunded   yes   B's first: cohort Jan, net 40
    #3     2026-02-05  A          50    0         paid                 yes   A again: Jan cohort, month 1
    #4     2026-02-14  C          80    0         paid, cancelled      no    C is never a customer
    #5     2026-02-20  D          30    0         paid                 yes   D's first: cohort Feb
    #6     2026-02-25  (none)     70    0         paid                 yes   no customer: left out of cohorts
    #7     2026-03-03  E          90    0         voided               no    E is never a customer
    #8     2026-03-15  A          10    0         paid                 yes   A in month 2 (March not complete)
    #9     2026-03-18  F          20    0         paid                 yes   F's first: cohort Mar (in progress)
    #10    2026-03-20  B          40    0         paid                 yes   B's second order, month 2

Ad spend: 50 on 1 Jan and 30 on 31 Jan (Jan: 80), 12 on 10 Feb and 8 on 28 Feb (Feb: 20), 100 on 5 Mar.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from adlab.schema import ORDERS, conform

D = dt.date
MARGIN = 0.5


def orders_frame(extra: dict[str, list[object]] | None = None) -> pl.DataFrame:
    rows = {
        "order_id": [f"#{n}" for n in range(1, 11)],
        "date": [
            D(2026, 1, 10),
            D(2026, 1, 20),
            D(2026, 2, 5),
            D(2026, 2, 14),
            D(2026, 2, 20),
            D(2026, 2, 25),
            D(2026, 3, 3),
            D(2026, 3, 15),
            D(2026, 3, 18),
            D(2026, 3, 20),
        ],
        "customer_key": ["A", "B", "A", "C", "D", None, "E", "A", "F", "B"],
        "total": [100.0, 60.0, 50.0, 80.0, 30.0, 70.0, 90.0, 10.0, 20.0, 40.0],
        "refunded": [0.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        "financial_status": [
            "paid",
            "partially_refunded",
            "paid",
            "paid",
            "paid",
            "paid",
            "voided",
            "paid",
            "paid",
            "paid",
        ],
        "cancelled": [False, False, False, True, False, False, False, False, False, False],
    }
    frame = conform(pl.DataFrame(rows), ORDERS)
    return frame.with_columns(pl.Series(name, values) for name, values in (extra or {}).items())


def spend_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account": [None] * 5,
            "date": [D(2026, 1, 1), D(2026, 1, 31), D(2026, 2, 10), D(2026, 2, 28), D(2026, 3, 5)],
            "spend": [50.0, 30.0, 12.0, 8.0, 100.0],
        },
        schema={"account": pl.String, "date": pl.Date, "spend": pl.Float64},
    )
