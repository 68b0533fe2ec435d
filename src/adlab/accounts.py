"""Accounts as a dimension: their names in tables, folders and pages.

Every table carries `account` (null: the single default account of a folder without account names). Work
is split by account: per-account outputs are hive-style partitions (`<dir>/account=<name>/<table>.parquet`,
the name percent-encoded, the column also inside the file) that `pl.read_parquet(<dir>)` reads as one table;
with several accounts, each gets its own pages under `reports/<slug>/`.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

import polars as pl

# Hive's marker for a null partition value: the rows of the default account.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
DEFAULT_LABEL = "the default account"
# Names a report folder of an account may not take: they hold the portfolio's own pages.
RESERVED = frozenset({"weekly", "index", "quality", "customers", "audit", "assets"})


def names(frame: pl.DataFrame) -> list[str | None]:
    """The accounts of `frame`'s rows, sorted, the default account (null) last; [None] without the column."""
    if "account" not in frame.columns:
        return [None]
    return ordered(frame["account"].unique().to_list())


def ordered(found: Iterable[str | None]) -> list[str | None]:
    """Accounts in the order pages and tables list them: named ones sorted, the default account (None) last."""
    found = set(found)
    named: list[str | None] = [*sorted(account for account in found if account is not None)]
    return [*named, None] if None in found else named


def label(account: str | None) -> str:
    """How pages and answers name an account."""
    return DEFAULT_LABEL if account is None else account


def rows_of(frame: pl.DataFrame, account: str | None) -> pl.DataFrame:
    """`frame`'s rows of one account (null: the default account)."""
    if "account" not in frame.columns:
        return frame
    return frame.filter(pl.col("account").is_null() if account is None else pl.col("account") == account)


def split(frame: pl.DataFrame) -> dict[str | None, pl.DataFrame]:
    """`frame` by account, each part in the frame's row order; accounts in `names` order."""
    if "account" not in frame.columns:
        return {None: frame}
    # One pass over the rows (a filter per account would read the table once per account).
    parts = {key[0]: part for key, part in frame.partition_by("account", as_dict=True, maintain_order=True).items()}
    return {account: parts[account] for account in names(frame)}


def partition(base: Path, account: str | None) -> Path:
    """The hive-style folder of one account's partition under `base`."""
    value = NULL_PARTITION if account is None else urllib.parse.quote(account, safe="")
    return base / f"account={value}"


def slug(account: str | None, taken: Iterable[str] = ()) -> str:
    """A folder name for an account's pages (`reports/<slug>/`): letters, digits, `-`, `_` and `.`.

    Two accounts whose names read the same once cleaned (`Acme EU` and `acme-eu`) get a short digest of
    the name appended, so they never share a folder.
    """
    if account is None:
        return "default"
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", account).strip("-.").lower() or "account"
    if text in RESERVED or text in set(taken):
        text = f"{text}-{hashlib.blake2b(account.encode(), digest_size=3).hexdigest()}"
    return text


def slugs(accounts: Iterable[str | None]) -> dict[str | None, str]:
    """account -> its folder name, unique among `accounts` (taken in the order given)."""
    chosen: dict[str | None, str] = {}
    for account in accounts:
        chosen[account] = slug(account, chosen.values())
    return chosen
