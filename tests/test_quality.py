import datetime as dt

import polars as pl
import pytest

from adlab.data_warnings import CURRENCY_UNKNOWN, check_currencies, unknown_currency_warnings
from adlab.errors import AdlabError
from adlab.quality import ledger_after_validation, merge_quarantine, rules_for, run_suite, validate_table
from adlab.schema import AD_INSIGHTS, INPUT_ROWS, ORDERS, conform

LO, HI = dt.date(2004, 1, 1), dt.date(2026, 11, 26)


def insights(rows: list[dict]) -> pl.DataFrame:
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
    }
    frame = conform(pl.DataFrame([{**base, **row} for row in rows]), AD_INSIGHTS)
    return frame.with_columns(pl.col("date").alias("window_start"), pl.lit(1, pl.Int64).alias(INPUT_ROWS))


def test_rules_for_every_table_survive_into_the_gx_suite():
    # GX silently drops invalid expectations; run_suite raises when counts differ, so a full run proves it.
    assert len(rules_for("ad_insights", LO, HI)) == 4 + len(("reach",)) + 15 + 2
    frame = insights([{"date": dt.date(2026, 11, 1), "ad": "A", "source_row": 2}])
    assert validate_table(frame, "ad_insights", LO, HI).checks["success"].all()


def test_validate_table_quarantines_failing_rows_with_reasons():
    frame = insights(
        [
            {"date": dt.date(2026, 11, 1), "ad": "ok", "source_row": 2},
            {"date": dt.date(2026, 11, 1), "ad": "negative", "spend": -5.0, "source_row": 3},
            {"date": dt.date(2026, 11, 1), "ad": "clicks", "impressions": 3, "link_clicks": 9, "source_row": 4},
            {"date": dt.date(2031, 1, 1), "ad": "future", "source_row": 5},
        ]
    )
    result = validate_table(frame, "ad_insights", LO, HI)
    assert result.table["ad"].to_list() == ["ok"]
    assert INPUT_ROWS not in result.table.columns
    reasons = dict(result.quarantine.select("ad", "reason").rows())
    assert reasons == {
        "negative": "spend is negative",
        "clicks": "link_clicks > impressions",
        "future": "date outside 2004-01-01 .. 2026-11-26",
    }
    assert result.quarantined_rows == {"f.csv": 3}


def test_validate_table_stops_on_mixed_currencies_naming_the_files():
    frame = insights(
        [
            {"date": dt.date(2026, 11, 1), "ad": "A", "source_row": 2, "currency": "USD", "source_file": "us.csv"},
            {"date": dt.date(2026, 11, 1), "ad": "B", "source_row": 2, "currency": "EUR", "source_file": "eu.csv"},
        ]
    )
    with pytest.raises(AdlabError, match=r"several currencies \(EUR in eu\.csv; USD in us\.csv\)"):
        validate_table(frame, "ad_insights", LO, HI)


def test_validate_table_orders_flags_refunds_above_total():
    base = {
        "currency": "USD",
        "financial_status": "paid",
        "cancelled": False,
        "line_items": 2,
        "source_file": "o.csv",
        "subtotal": 1.0,
        "discounts": 0.0,
        "shipping": 0.0,
        "taxes": 0.0,
    }
    frame = conform(
        pl.DataFrame(
            [
                {**base, "order_id": "#1", "date": dt.date(2026, 11, 1), "total": 10.0, "refunded": 0.0},
                {**base, "order_id": "#2", "date": dt.date(2026, 11, 1), "total": 10.0, "refunded": 12.0},
            ]
        ),
        ORDERS,
    ).with_columns(pl.col("line_items").alias(INPUT_ROWS))
    result = validate_table(frame, "orders", LO, HI)
    assert result.table["order_id"].to_list() == ["#1"]
    assert result.quarantined_rows == {"o.csv": 2}  # the order's two line-item rows


def test_unknown_currency_warnings_name_each_file_and_the_currency_its_amounts_are_added_to():
    ads = insights(
        [
            {"date": dt.date(2026, 11, 1), "ad": "A", "source_row": 2},
            {"date": dt.date(2026, 11, 1), "ad": "B", "currency": None, "source_file": "ru.csv", "source_row": 2},
        ]
    )
    orders = conform(pl.DataFrame({"order_id": ["#1"], "currency": [None], "source_file": ["orders.csv"]}), ORDERS)
    warnings = unknown_currency_warnings({"ad_insights": ads, "orders": orders})
    assert warnings["source_file"].to_list() == ["orders.csv", "ru.csv"]
    assert set(warnings["check"]) == {CURRENCY_UNKNOWN}
    assert warnings["message"][0].startswith(
        "currency unknown: its `Currency` column is empty, so its amounts are added to the USD amounts"
    )
    assert "no currency in its money headers" in warnings["message"][1]


def test_unknown_currency_warnings_without_any_known_currency_say_amounts_have_none():
    ads = insights([{"date": dt.date(2026, 11, 1), "ad": "A", "currency": None, "source_row": 2}])
    warnings = unknown_currency_warnings({"ad_insights": ads, "orders": pl.DataFrame(schema=ORDERS)})
    assert warnings.rows() == [
        (
            "f.csv",
            CURRENCY_UNKNOWN,
            "currency unknown: no currency in its money headers "
            "(e.g. `Amount spent (EUR)`) and no Currency column, so amounts are shown without a "
            "currency.",
        )
    ]


def test_unknown_currency_warnings_flag_analytics_sales_only_when_they_stand_in_for_orders():
    sales = pl.DataFrame({"date": [dt.date(2026, 11, 1)], "total_sales": [5.0], "source_file": ["sales.csv"]})
    alone = unknown_currency_warnings({"store_sales": sales, "orders": pl.DataFrame(schema=ORDERS)})
    assert alone["source_file"].to_list() == ["sales.csv"]
    assert "Shopify Analytics reports do not state their currency" in alone["message"][0]
    orders = conform(pl.DataFrame({"order_id": ["#1"], "currency": ["GBP"], "source_file": ["o.csv"]}), ORDERS)
    assert unknown_currency_warnings({"store_sales": sales, "orders": orders}).is_empty()


def test_check_currencies_stops_when_ads_and_orders_differ():
    ads = pl.DataFrame({"currency": ["USD"], "source_file": ["meta.csv"]})
    orders = pl.DataFrame({"currency": [None, "GBP"], "source_file": ["o.csv", "o.csv"]})
    with pytest.raises(AdlabError, match=r"GBP in orders \(o\.csv\); USD in ad_insights \(meta\.csv\)"):
        check_currencies({"ad_insights": ads, "orders": orders})
    check_currencies({"ad_insights": ads, "orders": orders.filter(pl.col("currency").is_null())})


def test_run_suite_in_parts_flags_the_same_rows_as_on_the_whole_table():
    # Rows 1 and 4 share a key (duplicates must meet in one part), row 2 spends -5, rows 3 and 5 are in EUR.
    frame = insights(
        [
            {"date": dt.date(2026, 11, 1), "ad": "A", "source_row": 2},
            {"date": dt.date(2026, 11, 2), "ad": "B", "source_row": 3},
            {"date": dt.date(2026, 11, 3), "ad": "C", "spend": -5.0, "source_row": 4},
            {"date": dt.date(2026, 11, 4), "ad": "D", "currency": "EUR", "source_row": 5},
            {"date": dt.date(2026, 11, 2), "ad": "B", "source_row": 6},
            {"date": dt.date(2026, 11, 5), "ad": "E", "currency": "EUR", "source_row": 7},
        ]
    ).drop(INPUT_ROWS)
    rules = rules_for("ad_insights", LO, HI)
    outcomes = {
        rule.reason or rule.expectation: (success, indexes)
        for rule, success, indexes, _ in run_suite(frame, "ad_insights", rules, chunk_rows=2)
    }
    assert outcomes["duplicate key"] == (False, [1, 4])
    assert outcomes["spend is negative"] == (False, [2])
    assert outcomes["ExpectColumnUniqueValueCountToBeBetween"][0] is False  # USD and EUR across parts
    assert outcomes["ExpectTableColumnsToMatchSet"] == (True, [])
    whole = [(success, indexes) for _, success, indexes, _ in run_suite(frame, "ad_insights", rules)]
    assert [(success, indexes) for _, success, indexes, _ in run_suite(frame, "ad_insights", rules, 2)] == whole


def test_merge_quarantine_puts_rows_ingest_set_aside_first_with_numeric_row_numbers():
    set_aside = pl.DataFrame({"source_file": ["a.csv"], "source_row": ["3"], "reason": ["`Day` is not a date"]})
    failed = pl.DataFrame(
        {"source_file": ["a.csv"], "source_row": ["7"], "reason": ["spend is negative"], "spend": ["-1"]}
    )
    merged = merge_quarantine(set_aside, failed)
    assert merged.schema["source_row"] == pl.Int64
    assert merged.rows() == [("a.csv", 3, "`Day` is not a date", None), ("a.csv", 7, "spend is negative", "-1")]


def test_merge_quarantine_without_row_numbers_gives_a_null_source_row():
    failed = pl.DataFrame({"source_file": ["orders.csv"], "reason": ["total is negative"]})
    merged = merge_quarantine(failed.clear(), failed)
    assert merged.schema["source_row"] == pl.Int64
    assert merged["source_row"].to_list() == [None]


def test_ledger_after_validation_moves_quarantined_rows_out_of_kept():
    ledger = pl.DataFrame({"source_file": ["a.csv", "b.csv"], "kept": [10, 5], "quarantined": [1, 0]})
    moved = ledger_after_validation(ledger, {"a.csv": 2})
    assert moved.rows() == [("a.csv", 8, 3), ("b.csv", 5, 0)]
