"""Warnings about the data that do not stop the run (mixed attribution settings, files without a currency), the
run's warnings table that quality.html lists, and the one currency rule that does stop it (one account's ads
and store in different currencies); accounts may each have their own currency.
"""

from __future__ import annotations

import json

import polars as pl

from adlab.accounts import names
from adlab.errors import AdlabError
from adlab.schema import WARNINGS


def run_warnings(ingest_warnings: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Every warning of the run (WARNINGS columns): ingest's, then unknown currencies, then mixed attribution."""
    warnings = pl.concat([ingest_warnings, unknown_currency_warnings(tables)])
    mixed = attribution_warnings(tables["ad_insights"])
    return pl.concat([warnings, pl.DataFrame(mixed, schema=warnings.schema)]) if mixed else warnings


def attribution_warnings(ad_insights: pl.DataFrame, shown: int = 3) -> list[dict[str, str]]:
    """One warning when rows under different attribution settings would add into one ROAS, naming them and where.

    Per setting: how many campaigns use it, the first `shown` of them by name, and its files.
    """
    rows = ad_insights.filter(pl.col("attribution_setting").is_not_null())
    if rows["attribution_setting"].n_unique() < 2:
        return []
    per_setting = (
        rows.group_by("attribution_setting")
        .agg(
            pl.col("campaign").drop_nulls().unique().sort().alias("campaigns"),
            pl.col("source_file").unique().sort().alias("files"),
        )
        .sort("attribution_setting")
    )
    parts = []
    for setting, campaigns, files in per_setting.iter_rows():
        names = ", ".join(campaigns[:shown]) + (", ..." if len(campaigns) > shown else "")
        where = f"{len(campaigns)} campaign{'s' if len(campaigns) != 1 else ''}: {names}; " if campaigns else ""
        parts.append(f"`{setting}` ({where}{', '.join(files)})")
    return [
        {
            "source_file": ", ".join(sorted(set(rows["source_file"]))),
            "check": "attribution_mixed",
            "message": "ROAS adds conversions counted under different attribution settings: " + ", ".join(parts),
        }
    ]


def check_currencies(tables: dict[str, pl.DataFrame]) -> None:
    """Each account's ad spend and store revenue must be in one currency, else its MER and ROAS mix money.

    Accounts may each have their own (a EUR shop and a USD shop): no figure adds money of two accounts.

    Raises:
        AdlabError: for the first account (accounts.names order) with several currencies, naming it, each
            currency and a table and file it came from.
    """
    sources = currency_sources(tables)
    for (account,), found in sources.group_by("account", maintain_order=True):
        if found.height < 2:
            continue
        listing = "; ".join(f"{currency} in {table} ({source})" for _, currency, table, source in found.iter_rows())
        if account is None:
            raise AdlabError(f"exports in several currencies ({listing}); keep one store and account currency.")
        raise AdlabError(
            f"account {json.dumps(account, ensure_ascii=False)} has exports in several currencies ({listing}); "
            "keep one currency per account, its ads' and its store's."
        )


def account_currencies(tables: dict[str, pl.DataFrame]) -> dict[str | None, str | None]:
    """account -> the currency of its money (None where no export states it), every account of `tables`.

    Each account's currency, once check_currencies has made sure it has only one; the accounts in
    accounts.names order.
    """
    owners = pl.concat(
        [pl.DataFrame(schema={"account": pl.String})]
        + [_owner(frame).select(pl.col("account").cast(pl.String)) for frame in tables.values()]
    )
    first = currency_sources(tables).unique("account", keep="first", maintain_order=True)
    found = dict(zip(first["account"], first["currency"], strict=True))
    return {account: found.get(account) for account in names(owners)}


def currency_sources(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per (account, currency) of the tables' money: the first table holding it and a file of it there.

    Rows in accounts.names order (named accounts sorted, the default account last), then by currency.
    """
    found = [
        _owner(frame)
        .lazy()
        .select(pl.col("account", "currency", "source_file").cast(pl.String))
        .filter(pl.col("currency").is_not_null())
        .group_by("account", "currency")
        .agg(pl.col("source_file").min())
        .with_columns(pl.lit(order).alias("order"), pl.lit(table).alias("table"))
        for order, (table, frame) in enumerate(tables.items())
        if "currency" in frame.columns
    ]
    schema = {"account": pl.String, "currency": pl.String, "table": pl.String, "source_file": pl.String}
    if not found:
        return pl.DataFrame(schema=schema)
    return (
        pl.concat(found)
        .sort("account", "currency", "order", nulls_last=True)
        .unique(["account", "currency"], keep="first", maintain_order=True)
        .select(*schema)
        .collect()
    )


def _owner(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its `account` column; a frame without one holds the default account's rows."""
    return frame if "account" in frame.columns else frame.with_columns(pl.lit(None, pl.String).alias("account"))


CURRENCY_UNKNOWN = "currency_unknown"
# Where the currency of each table's money comes from, for the warning's fix.
CURRENCY_SOURCES = {
    "ad_insights": "no currency in its money headers (e.g. `Amount spent (EUR)`) and no Currency column",
    "orders": "its `Currency` column is empty",
    "store_sales": "Shopify Analytics reports do not state their currency",
}


def unknown_currency_warnings(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One warning (WARNINGS columns) per source file with rows whose currency is unknown, sorted by file.

    Such amounts are never silently taken for another currency: the warning says which currency the other
    files of the same account give (and so the totals they are added to), or that none does.
    """
    sources = currency_sources(tables)
    rows = []
    for table, frame in tables.items():
        # Shopify Analytics sales stand in for the store only without an orders export.
        if table not in CURRENCY_SOURCES or (table == "store_sales" and tables.get("orders", frame.clear()).height):
            continue
        unknown = _owner(frame.filter(pl.col("currency").is_null()) if "currency" in frame.columns else frame)
        per_file = (
            unknown.filter(pl.col("source_file").is_not_null())
            .group_by("source_file")
            .agg(pl.col("account").unique())
            .sort("source_file")
        )
        for source, owners in per_file.iter_rows():
            known = sorted(set(sources.filter(pl.col("account").is_in(owners, nulls_equal=True))["currency"]))
            consequence = (
                f"its amounts are added to the {known[0]} amounts of the other exports as if they were {known[0]}; "
                f"check that this file is in {known[0]}"
                if len(known) == 1
                else "amounts are shown without a currency"
            )
            rows.append(
                {
                    "source_file": source,
                    "check": CURRENCY_UNKNOWN,
                    "message": f"currency unknown: {CURRENCY_SOURCES[table]}, so {consequence}.",
                }
            )
    return pl.DataFrame(rows, schema=WARNINGS).sort("source_file", maintain_order=True)
