"""Warnings about the data that do not stop the run (mixed attribution settings, files without a currency), the
run's warnings table that quality.html lists, and the one currency rule that does stop it (ads and store in
different currencies).
"""

from __future__ import annotations

import polars as pl

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
    """Ad spend and store revenue must be in one currency, else MER and ROAS mix money.

    Raises:
        AdlabError: naming each table's currency and a file it came from.
    """
    found = {
        table: frame.lazy()
        .filter(pl.col("currency").is_not_null())
        .select("currency", "source_file")
        .head(1)
        .collect()
        .rows()
        for table, frame in tables.items()
        if "currency" in frame.columns
    }
    seen = {rows[0][0]: (table, rows[0][1]) for table, rows in found.items() if rows}
    if len(seen) > 1:
        listing = "; ".join(f"{currency} in {table} ({source})" for currency, (table, source) in sorted(seen.items()))
        raise AdlabError(f"exports in several currencies ({listing}); keep one store and account currency.")


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
    files give (and so the totals they are added to), or that none does.
    """
    known = sorted(
        {
            currency
            for frame in tables.values()
            if "currency" in frame.columns
            for currency in frame["currency"].drop_nulls().unique().to_list()
        }
    )
    rows = []
    for table, frame in tables.items():
        # Shopify Analytics sales stand in for the store only without an orders export.
        if table not in CURRENCY_SOURCES or (table == "store_sales" and tables.get("orders", frame.clear()).height):
            continue
        unknown = frame.filter(pl.col("currency").is_null()) if "currency" in frame.columns else frame
        files = unknown["source_file"].drop_nulls().unique().sort().to_list()
        for source in files:
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
