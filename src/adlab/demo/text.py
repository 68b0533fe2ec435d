"""How the exports write numbers in their cells: money from cents, plain decimals, ratios, empty counts."""

from __future__ import annotations

import polars as pl


def money(cents: pl.Expr, decimals: int = 2) -> pl.Expr:
    """An amount in integer minor units (>= 0) as `12.34` (`1234` in a currency without decimals, e.g. yen)."""
    if decimals == 0:
        return cents.cast(pl.String)
    unit: int = 10**decimals
    return (cents // unit).cast(pl.String) + "." + (cents % unit).cast(pl.String).str.zfill(decimals)


def decimal(value: pl.Expr) -> pl.Expr:
    """A non-negative float as a plain decimal with at most 6 decimals, trailing zeros dropped."""
    micro = (value * 1_000_000).round(0).cast(pl.Int64)
    whole = (micro // 1_000_000).cast(pl.String)
    frac = (micro % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return pl.when(frac == "").then(whole).otherwise(whole + "." + frac)


def ratio(num: pl.Expr, den: pl.Expr, scale: float = 1.0) -> pl.Expr:
    """num / den x scale as a decimal; empty where den is 0."""
    return pl.when(den > 0).then(decimal(num.cast(pl.Float64) * scale / den.cast(pl.Float64)))


def count_or_empty(count: pl.Expr) -> pl.Expr:
    """An action count; Ads Manager leaves the cell empty when there was none."""
    return pl.when(count > 0).then(count.cast(pl.String))
