"""Many accounts validated in one GX pass give each account exactly what validating it alone gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from adlab.errors import AdlabError
from adlab.ingest import choose_inputs, ingest
from adlab.quality import validate_table
from adlab.quality_accounts import merge_checks, validate_accounts

ROOT = Path(__file__).resolve().parents[1]
DATES = (dt.date(2004, 1, 1), dt.date(2027, 1, 1))


@pytest.fixture(scope="module")
def sample_tables() -> dict[str, pl.DataFrame]:
    files, _ = choose_inputs(ROOT / "data" / "no-such-folder", ROOT / "data" / "sample")
    return ingest(files, ROOT, "test-salt").tables


def as_account(frame: pl.DataFrame, account: str, currency: str, rows: int) -> pl.DataFrame:
    return frame.head(rows).with_columns(pl.lit(account).alias("account"), pl.lit(currency).alias("currency"))


def accounts_with_flaws(tables: dict[str, pl.DataFrame]) -> list[dict[str, pl.DataFrame]]:
    """Three accounts in three currencies: A clean, B with a negative spend and a row dated 1926, C with
    link clicks above impressions and no orders at all."""
    ads, orders = tables["ad_insights"], tables["orders"]
    a = as_account(ads, "A", "USD", 300)
    b = as_account(ads, "B", "EUR", 200).with_row_index("i")
    b = b.with_columns(
        pl.when(pl.col("i") == 5).then(-1.0).otherwise(pl.col("spend")).alias("spend"),
        pl.when(pl.col("i") == 9).then(dt.date(1926, 5, 1)).otherwise(pl.col("date")).alias("date"),
    ).drop("i")
    c = as_account(ads, "C", "SEK", 150).with_row_index("i")
    c = c.with_columns(
        pl.when(pl.col("i") == 3).then(pl.col("impressions") + 10).otherwise(pl.col("link_clicks")).alias("link_clicks")
    ).drop("i")
    empty = {name: frame.clear() for name, frame in tables.items()}
    return [
        {**empty, "ad_insights": a, "orders": as_account(orders, "A", "USD", 100)},
        {**empty, "ad_insights": b, "orders": as_account(orders, "B", "EUR", 50)},
        {**empty, "ad_insights": c},
    ]


def test_one_pass_equals_each_account_alone(sample_tables: dict[str, pl.DataFrame]) -> None:
    owned = accounts_with_flaws(sample_tables)
    together = validate_accounts(["A", "B", "C"], owned, DATES)
    for own, outputs in zip(owned, together, strict=True):
        for table, frame in own.items():
            alone = validate_table(frame, table, *DATES)
            assert outputs[table].equals(alone.table)
            assert outputs[f"quarantine_{table}"].equals(alone.quarantine)
        alone_checks = pl.concat([validate_table(frame, table, *DATES).checks for table, frame in own.items()])
        assert outputs["checks"].equals(alone_checks)
    # Hand-counted: B loses its negative spend and its 1926 row, C its clicks-above-impressions row.
    assert [outputs["ad_insights"].height for outputs in together] == [300, 198, 149]
    reasons = together[1]["quarantine_ad_insights"]["reason"].to_list()
    assert sorted(reasons) == ["date outside 2004-01-01 .. 2027-01-01", "spend is negative"]
    merged = merge_checks(pl.concat(outputs["checks"] for outputs in together))
    negative = merged.filter((pl.col("check") == "ExpectColumnValuesToBeBetween") & (pl.col("column") == "spend"))
    assert negative.select("success", "unexpected_count").row(0) == (False, 1)
    currency = merged.filter(pl.col("check") == "ExpectColumnUniqueValueCountToBeBetween", pl.col("table") == "orders")
    assert currency.select("success", "details").row(0) == (True, "observed 1")  # one currency per account


def test_an_account_with_two_currencies_stops_naming_its_files(sample_tables: dict[str, pl.DataFrame]) -> None:
    owned = accounts_with_flaws(sample_tables)
    mixed = owned[0]["ad_insights"].with_row_index("i")
    owned[0]["ad_insights"] = mixed.with_columns(
        pl.when(pl.col("i") < 10).then(pl.lit("GBP")).otherwise(pl.col("currency")).alias("currency")
    ).drop("i")
    with pytest.raises(AdlabError, match=r"ad_insights: exports in several currencies \(GBP in .*; USD in "):
        validate_accounts(["A", "B", "C"], owned, DATES)
