"""`adlab ask` about customers: "what's my LTV", "how long until a new customer pays back" (insights.customers),
on the hand-worked orders of tests/cohort_fixture.py.

The figures, worked out in tests/test_cohorts.py: cohorts Jan 2026 (A, B) and Feb 2026 (D); the average
customer has revenue 170 / 3 = 56.67 and gross profit 85 / 3 = 28.33 in M0 (Jan + Feb), and M1 adds Jan's
50 / 2 = 25 (gross profit 12.50): 81.67 and 40.83; the new-customer CPA is (80 + 20) / 3 = 33.33, reached in M1.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from adlab.errors import AdlabError
from adlab.insights import Workspace
from adlab.insights.ask import ask
from adlab.insights.portfolio import account_workspace
from adlab.insights.questions import customers_intent, parse_question
from adlab.params import Params
from adlab.schema import ORDERS, conform
from cohort_fixture import orders_frame, spend_frame


def workspace(**changes: object) -> Workspace:
    values: dict[str, object] = {
        "kpis_daily": spend_frame(),
        "ad_insights": None,
        "params": Params(),
        "currency": "USD",
        "orders": orders_frame(),
    }
    values.update(changes)
    return Workspace(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "view"),
    [
        ("What's my LTV?", "ltv"),
        ("what is my customer lifetime value", "ltv"),
        ("How much is a customer worth?", "ltv"),
        ("show me my cohorts", "ltv"),
        ("what is my repeat rate", "ltv"),
        ("How long until a new customer pays back?", "payback"),
        ("when does a customer pay for themselves", "payback"),
        ("what's my payback period", "payback"),
        ("what is my LTV:CAC", "payback"),
        ("LTV to CAC ratio", "payback"),
    ],
)
def test_customers_intent_reads_ltv_and_payback_questions(question: str, view: str) -> None:
    intent = parse_question(question, spend_frame())
    assert (intent.kind, intent.view) == ("customers", view)


@pytest.mark.parametrize("question", ["What was my CPA last week?", "how much did I pay yesterday", "what is my cac"])
def test_customers_intent_leaves_other_questions_alone(question: str) -> None:
    assert customers_intent(question) is None


def test_ltv_answer_names_the_month_cohorts_and_figures() -> None:
    answer = ask("what's my LTV", workspace())
    # The longest of 12, 3 and 1 months that a cohort has reached: M1, 81.67 and 40.83.
    assert answer.headline == (
        "A customer brings in 81.67 USD of revenue (40.83 USD of gross profit) by 1 month after the month of their "
        "first order, going by the 3 customers of Jan 2026 – Feb 2026 (each later month by the cohorts that have "
        "lived it; M1: Jan 2026, 2 customers)."
    )
    assert answer.lines[0] == (
        "Revenue per customer by month since the first order (M0: the first order's month): "
        "M0 56.67 USD (Jan 2026 – Feb 2026, 3 customers); M1 81.67 USD (+25.00 USD from Jan 2026, 2 customers)."
    )
    # Newest cohort first: Feb 30 by M0 (D never came back); Jan 95 by M1 (A came back: 1 of 2).
    assert answer.lines[1] == (
        "Latest cohorts: Feb 2026 30.00 USD by M0 (1 customer, 0% ordered again); "
        "Jan 2026 95.00 USD by M1 (2 customers, 50% ordered again)."
    )
    text = answer.text()
    assert "The orders run from 10 Jan 2026 to 20 Mar 2026" in text  # how far back the history goes
    assert "Mar 2026 is not over (1 new customer(s) so far)" in text  # F waits for March to end
    # #6 has no customer: 70 of the 360 counted revenue (100 + 40 + 50 + 30 + 70 + 10 + 20 + 40) = 19%.
    assert "1 order(s) (19% of store revenue) have no customer" in text
    assert "Gross profit estimated at the 50% margin setting" in text
    assert answer.data["revenue_per_customer"] == pytest.approx(81.666667)


def test_payback_answer_gives_the_month_the_cpa_and_each_cohort() -> None:
    answer = ask("How long until a new customer pays back?", workspace())
    assert answer.headline == (
        "A new customer pays back 1 month after the month of their first order: gross profit per customer reaches "
        "40.83 USD by M1 against a new-customer CPA of 33.33 USD (100.00 USD of ad spend / 3 new customers, "
        "Jan 2026 – Feb 2026)."
    )
    # LTV:CAC by M1: 40.83 / 33.33 = 1.225.
    assert answer.data["ltv_cac"] == pytest.approx(1.225)
    assert answer.data["payback_month"] == 1
    # Feb: CPA 20 / 1, gross profit 15: LTV:CAC 0.75, not yet. Jan: CPA 80 / 2 = 40, 47.50 by M1: paid back in M1.
    assert answer.lines[1].startswith(
        "By cohort, newest first: Feb 2026: CPA 20.00 USD, not paid back yet, LTV:CAC 0.75x by M0; "
        "Jan 2026: CPA 40.00 USD, paid back in M1, LTV:CAC "
    )


def test_payback_not_yet_when_gross_profit_stays_under_the_cpa() -> None:
    # Ten times the spend: CPA 333.33, and 40.83 by M1 is short of it.
    spend = spend_frame().with_columns(pl.col("spend") * 10)
    answer = ask("how long until a new customer pays back", workspace(kpis_daily=spend))
    assert answer.headline.startswith(
        "New customers have not paid back yet: by M1 gross profit per customer is 40.83 USD against a new-customer "
        "CPA of 333.33 USD"
    )


def test_payback_unknown_without_ad_data_for_a_whole_month() -> None:
    # The ads start on 15 January and stop on 5 February: no month is covered from first to last day.
    spend = spend_frame().filter(pl.col("date").is_between(pl.date(2026, 1, 15), pl.date(2026, 2, 5)))
    answer = ask("how long until a new customer pays back", workspace(kpis_daily=spend))
    assert answer.headline.startswith("When a new customer pays back is unknown")
    assert "the ad data runs from 31 Jan 2026 to 31 Jan 2026: they are unknown, not 0" in answer.text()


def test_ltv_answer_needs_no_ad_data() -> None:
    empty = spend_frame().clear()
    answer = ask("what's my LTV", workspace(kpis_daily=empty))
    assert answer.data["revenue_per_customer"] == pytest.approx(81.666667)
    assert "there is no daily ad data" in answer.text()


def test_ltv_answer_without_customers_is_one_clear_line() -> None:
    orders = orders_frame().with_columns(pl.lit(None, pl.String).alias("customer_key"))
    with pytest.raises(AdlabError, match="no order names a customer"):
        ask("what's my LTV", workspace(orders=orders))
    with pytest.raises(AdlabError, match="no order names a customer"):
        ask("what's my LTV", workspace(orders=None))


def test_ltv_answer_for_one_account_reads_its_rows_only() -> None:
    # The same orders once more as a second shop's, at double the amounts: --account answers from one shop.
    north = orders_frame().with_columns(pl.lit("north").alias("account"))
    south = orders_frame().with_columns(pl.lit("south").alias("account"), pl.col("total") * 2)
    both = workspace(
        orders=pl.concat([north, south]),
        kpis_daily=pl.concat(
            [spend_frame().with_columns(pl.lit(name).alias("account")) for name in ("north", "south")]
        ),
    )
    # south: M0 Jan #1 200 + #2 (120 - 20 refunded) and Feb #5 60 over 3 customers = 120; M1 adds Jan's #3 100
    # over its 2 customers: 170.
    assert ask("what's my LTV", account_workspace(both, "south")).data["revenue_per_customer"] == 170.0
    # Both shops, one currency, added up: M0 (140 + 30 + 300 + 60) / 6 = 88.33, M1 + (50 + 100) / 4 = 125.83.
    together = ask("what's my LTV", both)
    assert together.data["revenue_per_customer"] == pytest.approx(530 / 6 + 150 / 4)
    assert "2 accounts added up" in together.text()


def test_a_shop_without_ads_is_an_account_to_ask_about() -> None:
    # North has ads and orders; South only orders (a Shopify store whose ads are not exported): --account South
    # answers its LTV from its own orders, at double the amounts (M0 120, M1 170 as above), in its currency.
    north = orders_frame().with_columns(pl.lit("north").alias("account"))
    south = orders_frame().with_columns(
        pl.lit("South").alias("account"), pl.col("total") * 2, pl.lit("GBP").alias("currency")
    )
    both = workspace(
        orders=pl.concat([north, south]), kpis_daily=spend_frame().with_columns(pl.lit("north").alias("account"))
    )
    own = account_workspace(both, "south")
    assert own.currency == "GBP"
    assert ask("what's my LTV", own).data["revenue_per_customer"] == 170.0
    with pytest.raises(AdlabError, match="Accounts: 'South', 'north'"):
        account_workspace(both, "west")


def test_ltv_answer_over_years_lists_the_milestone_months() -> None:
    # One customer ordering 100 on the 10th of every month for 40 months (Jan 2023 .. Apr 2026): months 0..38
    # have ended by the last order; the line lists M0, 1, 2, 3, 6, 9, 12, 18, 24, 36 and the last (M38), each
    # step since the month shown before it: M6 is 700 per customer, 300 more than M3's 400.
    months = range(40)
    orders = conform(
        pl.DataFrame(
            {
                "order_id": [f"#{m}" for m in months],
                "date": [dt.date(2023 + m // 12, m % 12 + 1, 10) for m in months],
                "customer_key": ["A"] * 40,
                "total": [100.0] * 40,
                "refunded": [0.0] * 40,
                "financial_status": ["paid"] * 40,
                "cancelled": [False] * 40,
            }
        ),
        ORDERS,
    )
    line = ask("what's my LTV", workspace(orders=orders)).lines[0]
    shown = [part.split(" ")[0] for part in line.split("month): ", 1)[1].split("; ")]
    assert shown == ["M0", "M1", "M2", "M3", "M6", "M9", "M12", "M18", "M24", "M36", "M38"]
    assert "M6 700.00 USD (+300.00 USD since M3 from" in line
