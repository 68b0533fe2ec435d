"""Customer cohorts (kpis.cohorts): hand-worked orders and ad spend, and the real Shopify orders export.

The fixture, one store (the default account), gross margin 50%:

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

The last order is on 20 March, so March has not elapsed: the Jan cohort has months 0 and 1, Feb month 0, and
there is no March cohort yet. Ad spend: 50 on 1 Jan and 30 on 31 Jan (Jan: 80, the ads cover all of January),
12 on 10 Feb and 8 on 28 Feb (Feb: 20), 100 on 5 Mar (the ads stop on 5 March: March is not covered).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from adlab.ingest import ingest
from adlab.kpis import (
    acquisition_cost,
    cohort_matrix,
    cohort_overview,
    cohort_table,
    customers_summary,
    daily_spend,
    ltv_curve,
    order_history,
    payback_month,
)
from adlab.schema import ORDERS, conform
from cohort_fixture import MARGIN, D, orders_frame, spend_frame


def rows_by_key(cohorts: pl.DataFrame) -> dict[tuple[dt.date, int], dict[str, object]]:
    return {(row["cohort"], row["month"]): row for row in cohorts.iter_rows(named=True)}


def test_cohort_table_counts_customers_by_first_counted_order_month() -> None:
    cohorts = cohort_table(orders_frame(), spend_frame(), gross_margin=MARGIN)
    # Jan: A and B; Feb: D (C's only order was cancelled); no March row: March has not elapsed.
    assert cohorts.select("cohort", "month", "customers").rows() == [
        (D(2026, 1, 1), 0, 2),
        (D(2026, 1, 1), 1, 2),
        (D(2026, 2, 1), 0, 1),
    ]


def test_cohort_table_sums_net_revenue_and_gross_profit_cumulatively() -> None:
    rows = rows_by_key(cohort_table(orders_frame(), spend_frame(), gross_margin=MARGIN))
    jan0, jan1, feb0 = rows[D(2026, 1, 1), 0], rows[D(2026, 1, 1), 1], rows[D(2026, 2, 1), 0]
    # Jan month 0: #1 100 + #2 (60 - 20 refunded) = 140; gross profit 140 x 0.5 = 70; 2 orders.
    assert (jan0["orders"], jan0["revenue"], jan0["gross_profit"]) == (2, 140.0, 70.0)
    # Jan month 1 adds A's #3 (50): 190, gross profit 95, 3 orders.
    assert (jan1["orders"], jan1["revenue"], jan1["gross_profit"]) == (3, 190.0, 95.0)
    # Feb month 0: D's #5 (30), gross profit 15. The order without a customer (#6, 70) is in no cohort.
    assert (feb0["orders"], feb0["revenue"], feb0["gross_profit"]) == (1, 30.0, 15.0)
    # Every gross profit came from the margin setting: revenue_at_margin is all the revenue.
    assert [jan0["revenue_at_margin"], jan1["revenue_at_margin"], feb0["revenue_at_margin"]] == [140.0, 190.0, 30.0]


def test_cohort_table_takes_each_orders_gross_profit_and_its_share_costed_at_the_margin() -> None:
    # Per-order profit figures as kpis.order_profit gives them (orders #1..#10): gross profit, product sales and
    # the product sales costed at the margin setting. #2: half its product sales at the margin; #3: none;
    # #5: no lines (product sales 0): all of it rests on the margin; the others all at the margin.
    extra = {
        "gross_profit": [30.0, 10.0, 20.0, 0.0, 12.0, 0.0, 0.0, 3.0, 8.0, 16.0],
        "product_sales": [100.0, 60.0, 50.0, 80.0, 0.0, 70.0, 90.0, 10.0, 20.0, 40.0],
        "margin_fallback_sales": [100.0, 30.0, 0.0, 80.0, 0.0, 70.0, 90.0, 10.0, 20.0, 40.0],
    }
    rows = rows_by_key(cohort_table(orders_frame(extra), spend_frame(), gross_margin=MARGIN))
    jan0, jan1, feb0 = rows[D(2026, 1, 1), 0], rows[D(2026, 1, 1), 1], rows[D(2026, 2, 1), 0]
    # Jan month 0: gross profit 30 + 10 = 40 (not 140 x 0.5); at the margin: #1 all of 100, #2 half of its net
    # revenue 40 = 20: 120. Month 1 adds #3: gross profit 60, nothing more at the margin.
    assert (jan0["gross_profit"], jan0["revenue_at_margin"]) == (40.0, 120.0)
    assert (jan1["gross_profit"], jan1["revenue_at_margin"]) == (60.0, 120.0)
    # Feb: #5 without lines, gross profit 12 given, its 30 of revenue all at the margin.
    assert (feb0["gross_profit"], feb0["revenue_at_margin"]) == (12.0, 30.0)


def test_cohort_table_per_customer_ltv_repeat_rate_cpa_and_ltv_cac() -> None:
    rows = rows_by_key(cohort_table(orders_frame(), spend_frame(), gross_margin=MARGIN))
    jan0, jan1, feb0 = rows[D(2026, 1, 1), 0], rows[D(2026, 1, 1), 1], rows[D(2026, 2, 1), 0]
    # Per customer (Jan: 2): revenue 140 / 2 = 70 then 190 / 2 = 95; gross profit 35 then 47.5.
    assert (jan0["revenue_per_customer"], jan0["gross_profit_per_customer"]) == (70.0, 35.0)
    assert (jan1["revenue_per_customer"], jan1["gross_profit_per_customer"]) == (95.0, 47.5)
    # Repeat: A's second order is in February (month 1), B's in March (not elapsed): 0 / 2, then 1 / 2.
    assert (jan0["repeat_customers"], jan0["repeat_rate"]) == (0, 0.0)
    assert (jan1["repeat_customers"], jan1["repeat_rate"]) == (1, 0.5)
    # January's ad spend 50 + 30 = 80 over its 2 new customers: CPA 40; February's 12 + 8 = 20 over 1: CPA 20.
    assert (jan0["new_customer_spend"], jan0["new_customer_cpa"]) == (80.0, 40.0)
    assert (feb0["new_customer_spend"], feb0["new_customer_cpa"]) == (20.0, 20.0)
    # LTV:CAC = gross profit / new-customer spend: 70 / 80 = 0.875, 95 / 80 = 1.1875, 15 / 20 = 0.75.
    assert [jan0["ltv_cac"], jan1["ltv_cac"], feb0["ltv_cac"]] == [0.875, 1.1875, 0.75]


def test_cohort_overview_payback_month_is_first_month_gross_profit_covers_cpa() -> None:
    overview = cohort_overview(cohort_table(orders_frame(), spend_frame(), gross_margin=MARGIN))
    # Jan: gross profit per customer 35 < CPA 40 in month 0, 47.5 >= 40 in month 1: pays back in month 1.
    # Feb: 15 < 20 in its only month: not yet (null).
    assert overview.select("cohort", "months", "payback_month", "ltv_cac").rows() == [
        (D(2026, 1, 1), 1, 1, 1.1875),
        (D(2026, 2, 1), 0, None, 0.75),
    ]


def test_cohort_matrix_leaves_months_not_elapsed_null() -> None:
    matrix = cohort_matrix(cohort_table(orders_frame(), spend_frame(), gross_margin=MARGIN))
    # Revenue per customer: Jan 70 then 95; Feb 30 then unknown (February's month 1 is March: not over).
    assert matrix.select("cohort", "0", "1").rows() == [(D(2026, 1, 1), 70.0, 95.0), (D(2026, 2, 1), 30.0, None)]


def test_ltv_curve_acquisition_cost_and_payback_of_all_cohorts_together() -> None:
    cohorts = cohort_table(orders_frame(), spend_frame(), gross_margin=MARGIN)
    curve = ltv_curve(cohorts)
    # M0: Jan and Feb, 3 customers, revenue 140 + 30 = 170 (56.67 each), gross profit 85 (28.33 each).
    # M1 adds what Jan (the one cohort that has lived it, 2 customers) brought in that month: A's 50 (25 each,
    # gross profit 12.50 each) and 1 repeat customer: 56.67 + 25 = 81.67, 28.33 + 12.50 = 40.83, 0 + 1 / 2.
    assert curve.select(
        "month", "cohorts", "customers", "revenue_added", "gross_profit_added", "repeat_added"
    ).rows() == [
        (0, 2, 3, 170.0, 85.0, 0),
        (1, 1, 2, 50.0, 25.0, 1),
    ]
    assert curve["revenue_per_customer"].to_list() == pytest.approx([170 / 3, 170 / 3 + 25])
    assert curve["gross_profit_per_customer"].to_list() == pytest.approx([85 / 3, 85 / 3 + 12.5])
    assert curve["repeat_rate"].to_list() == [0.0, 0.5]
    # New-customer CPA of both months together: (80 + 20) / (2 + 1) = 33.33.
    cost = acquisition_cost(cohorts)
    assert (cost.spend, cost.customers, cost.cohorts) == (100.0, 3, (D(2026, 1, 1), D(2026, 2, 1)))
    assert cost.cpa == pytest.approx(100 / 3)
    # 28.33 < 33.33 in M0; 40.83 >= 33.33 in M1.
    assert payback_month(curve, cost.cpa) == 1
    assert payback_month(curve, 50.0) is None  # never reached yet
    assert payback_month(curve, None) is None  # CPA unknown


def test_order_history_says_how_far_back_and_what_is_left_out() -> None:
    history = order_history(orders_frame())
    assert (history.first_order, history.through) == (D(2026, 1, 10), D(2026, 3, 20))
    # Counted: all but #4 (cancelled) and #7 (voided): 8 orders, 100 + 40 + 50 + 30 + 70 + 10 + 20 + 40 = 360.
    assert (history.orders, history.revenue) == (8, 360.0)
    assert (history.orders_without_customer, history.revenue_without_customer) == (1, 70.0)
    # March is in progress: F's first order (18 Mar) joins the cohorts when it ends.
    assert (history.open_month, history.open_month_customers) == (D(2026, 3, 1), 1)


def test_customers_summary_reports_ltv_payback_and_ltv_cac() -> None:
    orders = orders_frame()
    summary = customers_summary(cohort_table(orders, spend_frame(), gross_margin=MARGIN), order_history(orders))
    assert summary == {
        "first_order": "2026-01-10",
        "through": "2026-03-20",
        "cohorts": 2,
        "customers": 3,
        "orders_without_customer": 1,
        "gross_profit_at_margin": 1.0,
        "new_customer_cpa": pytest.approx(33.333333),  # 100 / 3
        "ltv_1m": pytest.approx(81.666667),  # 170 / 3 in M0, + 50 / 2 from Jan in M1
        "ltv_3m": None,
        "ltv_12m": None,
        "ltv_gross_profit_1m": pytest.approx(40.833333),
        "ltv_gross_profit_3m": None,
        "ltv_gross_profit_12m": None,
        "payback_months": 1,
        "ltv_cac_1m": pytest.approx(1.225),  # 40.83 / 33.33
        "ltv_cac_3m": None,
        "ltv_cac_12m": None,
    }


def test_cohort_table_uses_order_gross_profit_where_given() -> None:
    # #1 brings 30 of gross profit (its costs are known), #2 has none: 40 net x 0.5 = 20.
    profits = [30.0, None, 20.0, None, 12.0, 35.0, None, 4.0, 8.0, 16.0]
    rows = rows_by_key(cohort_table(orders_frame({"gross_profit": profits}), spend_frame(), gross_margin=MARGIN))
    jan0, jan1 = rows[D(2026, 1, 1), 0], rows[D(2026, 1, 1), 1]
    assert (jan0["gross_profit"], jan0["revenue_at_margin"]) == (50.0, 40.0)  # 30 + 20; #2's 40 estimated
    assert (jan1["gross_profit"], jan1["revenue_at_margin"]) == (70.0, 40.0)  # + #3's 20
    assert rows[D(2026, 2, 1), 0]["gross_profit"] == 12.0


def test_cohort_table_cpa_unknown_when_ads_do_not_cover_the_whole_month() -> None:
    # The ads start on 15 January: January's spend (30 on the 31st) is not all of it, so its CPA is unknown.
    spend = spend_frame().filter(pl.col("date") >= D(2026, 1, 15))
    rows = rows_by_key(cohort_table(orders_frame(), spend, gross_margin=MARGIN))
    jan0 = rows[D(2026, 1, 1), 0]
    assert (jan0["new_customer_spend"], jan0["new_customer_cpa"], jan0["ltv_cac"]) == (None, None, None)
    assert rows[D(2026, 2, 1), 0]["new_customer_cpa"] == 20.0
    # Without any ad data every CPA is unknown, the rest stays.
    alone = cohort_table(orders_frame(), None, gross_margin=MARGIN)
    assert alone["new_customer_cpa"].null_count() == alone.height
    assert alone["revenue"].to_list() == [140.0, 190.0, 30.0]


def test_cohort_table_through_a_later_day_adds_the_months_it_completes() -> None:
    # History through 31 March: March has elapsed, so Jan gets month 2 (A's 10 and B's 40: 240), Feb month 1
    # (nothing: 30), and March's cohort (F, 20) appears.
    cohorts = cohort_table(orders_frame(), spend_frame(), gross_margin=MARGIN, through=D(2026, 3, 31))
    assert cohorts.select("cohort", "month", "customers", "revenue", "repeat_customers").rows() == [
        (D(2026, 1, 1), 0, 2, 140.0, 0),
        (D(2026, 1, 1), 1, 2, 190.0, 1),
        (D(2026, 1, 1), 2, 2, 240.0, 2),
        (D(2026, 2, 1), 0, 1, 30.0, 0),
        (D(2026, 2, 1), 1, 1, 30.0, 0),
        (D(2026, 3, 1), 0, 1, 20.0, 0),
    ]
    # March's spend (100 on the 5th) does not cover the month: its CPA is unknown.
    assert cohorts.filter(pl.col("cohort") == D(2026, 3, 1))["new_customer_cpa"].to_list() == [None]


def test_cohort_table_keeps_accounts_apart() -> None:
    # The same customer key in two shops is two customers: each shop's cohort has one.
    orders = conform(
        pl.DataFrame(
            {
                "account": ["north", "south", "north"],
                "order_id": ["#1", "#1", "#2"],
                "date": [D(2026, 1, 5), D(2026, 1, 6), D(2026, 3, 1)],
                "customer_key": ["X", "X", "Y"],
                "total": [10.0, 20.0, 5.0],
                "refunded": [0.0, 0.0, 0.0],
                "financial_status": ["paid", "paid", "paid"],
                "cancelled": [False, False, False],
            }
        ),
        ORDERS,
    )
    cohorts = cohort_table(orders, None, gross_margin=MARGIN)
    # north's history runs to 1 March (Jan and Feb elapsed), south's to 6 January (no month elapsed).
    assert cohorts.select("account", "cohort", "month", "customers", "revenue").rows() == [
        ("north", D(2026, 1, 1), 0, 1, 10.0),
        ("north", D(2026, 1, 1), 1, 1, 10.0),
    ]


def test_cohort_table_of_no_orders_is_empty_with_its_columns() -> None:
    cohorts = cohort_table(conform(pl.DataFrame(), ORDERS), None, gross_margin=MARGIN)
    assert cohorts.is_empty()
    assert "ltv_cac" in cohorts.columns
    assert customers_summary(cohorts, order_history(None))["customers"] == 0


def test_daily_spend_adds_every_platform_per_day() -> None:
    kpis_daily = pl.DataFrame(
        {
            "account": [None, None, None],
            "date": [D(2026, 1, 1), D(2026, 1, 1), D(2026, 1, 2)],
            "platform_source": ["meta", "google_ads", "meta"],
            "spend": [10.0, 5.5, 7.0],
        },
        schema={"account": pl.String, "date": pl.Date, "platform_source": pl.String, "spend": pl.Float64},
    )
    assert daily_spend(kpis_daily).select("date", "spend").rows() == [(D(2026, 1, 1), 15.5), (D(2026, 1, 2), 7.0)]


# ---------------------------------------------------------------- the real Shopify orders export


MAISON_MARIA_ORDERS = "shopify_maison_maria_gbp/orders_export_1_REDACTED.csv"


def expected_cohort_customers(path: Path) -> dict[dt.date, int]:
    """Customers per first-order month, counted from the CSV: each order's first row (by `Name`) holds its
    e-mail, date and status; an order counts unless cancelled or voided; months after the last complete one
    (the export's last order date) are left out."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first_rows: dict[str, dict[str, str]] = {}
    for row in rows:
        first_rows.setdefault(row["Name"], row)
    last_day = max(dt.date.fromisoformat(row["Created at"][:10]) for row in first_rows.values())
    first_order: dict[str, dt.date] = {}
    for row in first_rows.values():
        if row["Cancelled at"].strip() or row["Financial Status"].strip().lower() == "voided" or not row["Email"]:
            continue
        day = dt.date.fromisoformat(row["Created at"][:10])
        first_order[row["Email"]] = min(day, first_order.get(row["Email"], day))
    complete_before = last_day.replace(day=1)  # the export ends mid-month: that month is not complete
    counts: dict[dt.date, int] = defaultdict(int)
    for day in first_order.values():
        if day < complete_before:
            counts[day.replace(day=1)] += 1
    return dict(counts)


def test_cohort_table_customers_match_an_independent_count_of_the_shopify_export(real_data: Path) -> None:
    path = real_data / MAISON_MARIA_ORDERS
    if not path.is_file():
        pytest.skip(f"{path} not found")
    orders = ingest([path], real_data, "acceptance-test-salt").tables["orders"]
    cohorts = cohort_table(orders, None, gross_margin=MARGIN)
    actual = dict(cohorts.filter(pl.col("month") == 0).select("cohort", "customers").iter_rows())
    expected = expected_cohort_customers(path)
    assert actual == expected
    assert sum(expected.values()) > 20  # the export's Aug..Nov 2025 cohorts, most of its 60 orders
