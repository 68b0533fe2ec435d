"""GX sees only the screened rows (quality.suspects): every rule must give what it gives on the whole table."""

import datetime as dt

import polars as pl

from adlab.quality import Rule, rules_for, run_suite, suspects
from adlab.schema import AD_INSIGHTS, ORDERS, conform

LO, HI = dt.date(2004, 1, 1), dt.date(2026, 11, 26)
DAY = dt.date(2026, 11, 1)


def insights(rows: list[dict], clean: int = 0) -> pl.DataFrame:
    base = {
        "platform_source": "meta",
        "level": "ad",
        "breakdown": "none",
        "currency": "USD",
        "campaign": "C",
        "adset": "S",
        "source_file": "f.csv",
        "spend": 1.0,
        "impressions": 10,
        "link_clicks": 1,
        "reach": 5,
    }
    filler = [
        {"date": DAY - dt.timedelta(days=n % 60), "ad": f"clean {n}", "source_row": 1000 + n} for n in range(clean)
    ]
    frame = conform(pl.DataFrame([{**base, **row} for row in [*filler, *rows]]), AD_INSIGHTS)
    return frame.with_columns(pl.col("date").alias("window_start"))


def orders(rows: list[dict]) -> pl.DataFrame:
    base = {
        "currency": "USD",
        "financial_status": "paid",
        "cancelled": False,
        "line_items": 1,
        "units": 1,
        "source_file": "o.csv",
        "subtotal": 1.0,
        "discounts": 0.0,
        "shipping": 0.0,
        "taxes": 0.0,
        "total": 10.0,
        "refunded": 0.0,
        "date": DAY,
    }
    return conform(pl.DataFrame([{**base, **row} for row in rows]), ORDERS)


def outcomes(frame: pl.DataFrame, table: str, **options) -> list:
    return [
        (rule.expectation, rule.kwargs.get("column"), success, indexes, observed)
        for rule, success, indexes, observed in run_suite(frame, table, rules_for(table, LO, HI), **options)
    ]


def test_screened_rules_give_the_whole_table_outcomes_for_ads():
    frame = insights(
        [
            {"date": None, "ad": "no date"},
            {"date": dt.date(1926, 5, 1), "ad": "typo year"},
            {"date": dt.date(2031, 1, 1), "ad": "future"},
            {"date": LO, "ad": "first allowed day"},
            {"date": HI, "ad": "last allowed day"},
            {"date": DAY, "ad": "negative", "spend": -5.0},
            {"date": DAY, "ad": "minus zero", "spend": -0.0},
            {"date": DAY, "ad": "nan", "spend": float("nan")},
            {"date": DAY, "ad": "negative reach", "reach": -1},
            {"date": DAY, "ad": "no reach", "reach": None},
            {"date": DAY, "ad": "clicks", "impressions": 3, "link_clicks": 9},
            {"date": DAY, "ad": "no impressions", "impressions": None, "link_clicks": 9},
            {"date": DAY, "ad": "equal", "impressions": 9, "link_clicks": 9},
            {"date": DAY, "ad": "twice"},
            {"date": DAY, "ad": "twice"},
            {"date": DAY, "ad": "thrice", "window_start": None},
            {"date": DAY, "ad": "thrice", "window_start": None},
            {"date": DAY, "ad": "thrice", "window_start": None},
            {"date": DAY, "ad": "euro", "currency": "EUR"},
        ],
        clean=40,
    )
    frame = frame.with_columns(
        pl.when(pl.col("ad").str.starts_with("thrice"))
        .then(None)
        .otherwise(pl.col("window_start"))
        .alias("window_start")
    )
    whole = outcomes(frame, "ad_insights", screen=False)
    assert outcomes(frame, "ad_insights") == whole
    assert outcomes(frame, "ad_insights", chunk_rows=4) == outcomes(frame, "ad_insights", chunk_rows=4, screen=False)
    failed = {expectation for expectation, _, success, _, _ in whole if not success}
    assert {
        "ExpectColumnValuesToNotBeNull",
        "ExpectColumnValuesToBeBetween",
        "ExpectCompoundColumnsToBeUnique",
        "ExpectColumnPairValuesAToBeGreaterThanB",
        "ExpectColumnUniqueValueCountToBeBetween",
    } <= failed


def test_screened_rules_give_the_whole_table_outcomes_for_orders():
    frame = orders(
        [
            {"order_id": "#1"},
            {"order_id": "#2", "refunded": 12.0},
            {"order_id": "#2", "total": float("nan")},
            {"order_id": None, "taxes": -1.0},
            {"order_id": None, "cancelled": None},
            {"order_id": "#5", "refunded": None, "date": dt.date(2031, 1, 1)},
            {"order_id": "#6", "discounts": -0.0, "currency": None},
            *({"order_id": f"#{n}"} for n in range(10, 40)),
        ]
    )
    whole = outcomes(frame, "orders", screen=False)
    assert outcomes(frame, "orders") == whole
    assert not all(success for _, _, success, _, _ in whole)


def test_a_clean_table_sends_gx_a_handful_of_rows():
    frame = insights([], clean=500)
    rows = suspects(frame, rules_for("ad_insights", LO, HI))
    assert rows is not None
    assert rows.len() <= 5
    assert outcomes(frame, "ad_insights") == outcomes(frame, "ad_insights", screen=False)


def test_screened_uniqueness_on_float_columns_treats_zeros_and_nans_as_pandas_does():
    frame = insights(
        [
            {"date": DAY, "ad": "a", "spend": 0.0},
            {"date": DAY, "ad": "b", "spend": -0.0},
            {"date": DAY, "ad": "c", "spend": float("nan")},
            {"date": DAY, "ad": "d", "spend": None, "purchase_value": None},
            {"date": DAY, "ad": "e", "spend": 0.5, "purchase_value": float("nan")},
            {"date": DAY, "ad": "f", "spend": 0.5, "purchase_value": None},
        ],
        clean=20,
    ).with_columns(
        pl.when(pl.col("ad").str.starts_with("clean"))
        .then(pl.col("source_row") / 7)
        .otherwise(pl.col("spend"))
        .alias("spend"),
        pl.when(pl.col("ad").str.starts_with("clean"))
        .then(1.0)
        .otherwise(pl.col("purchase_value"))
        .alias("purchase_value"),
    )
    rules = [
        Rule("ExpectColumnValuesToBeUnique", {"column": "spend"}, "same spend"),
        Rule(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["spend", "purchase_value"], "ignore_row_if": "never"},
            "same pair",
        ),
    ]
    screened = [(success, indexes) for _, success, indexes, _ in run_suite(frame, "ad_insights", rules)]
    whole = [(success, indexes) for _, success, indexes, _ in run_suite(frame, "ad_insights", rules, screen=False)]
    assert screened == whole
    assert whole[0][1] == [20, 21, 24, 25]  # 0.0 and -0.0 are one value; so are the two 0.5
    # NaN and null are one missing value in pandas: (0.5, NaN) and (0.5, null) are the same pair.
    assert whole[1][1] == list(range(20, 26))


def test_screened_between_keeps_strict_bounds_and_boundaries():
    frame = insights(
        [
            {"date": DAY, "ad": str(n), "spend": value}
            for n, value in enumerate([0.0, 1.0, 0.5, -0.0, 1.0000001, float("nan"), None])
        ]
    )
    rules = [
        Rule(
            "ExpectColumnValuesToBeBetween",
            {"column": "spend", "min_value": 0.0, "max_value": 1.0, "strict_min": True},
            "spend outside (0, 1]",
        )
    ]
    screened = [(success, indexes) for _, success, indexes, _ in run_suite(frame, "ad_insights", rules)]
    assert screened == [
        (success, indexes) for _, success, indexes, _ in run_suite(frame, "ad_insights", rules, screen=False)
    ]
    assert screened == [(False, [0, 3, 4])]
