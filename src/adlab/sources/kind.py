"""What every export kind gives back: how well a header fits it (`Detection`), what a file gave (`Parsed`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass(frozen=True)
class Detection:
    """How well a file's header fits one export kind."""

    kind: str
    score: float
    missing: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    """What one file gave: canonical rows, quarantined rows, totals rows excluded, warnings, side tables."""

    kind: str
    table: str
    rows: pl.DataFrame
    quarantine: pl.DataFrame
    totals: int = 0
    warnings: list[dict[str, str]] = field(default_factory=list)
    window_end: object = None  # the latest date the export covers (newest re-export wins)
    columns_used: str = ""  # which source columns became which metrics, where a file had a choice
    # Tables beside `rows` whose input rows `rows` already counts in the ledger (an orders export's line items).
    side: dict[str, pl.DataFrame] = field(default_factory=dict)
