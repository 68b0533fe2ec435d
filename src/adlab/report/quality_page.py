"""reports/quality.html: the per-file row ledger and whether it balances, the checks and the warnings.

The validate stage writes this page, so this module imports only what the page needs: no weekly section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from adlab import io
from adlab.display import column_formats, fmt_int
from adlab.report.templating import Table, frame_table, render_page

# Where the rows of a file went besides `kept`; rows_in is their sum when the file balances.
LEDGER_PARTS = ("kept", "replaced", "totals", "quarantined")


def render_quality(
    ledger: pl.DataFrame,
    checks: pl.DataFrame,
    warnings: pl.DataFrame,
    out_html: Path,
    *,
    sample_data: bool = False,
) -> Path:
    """Write reports/quality.html: the per-file row ledger and whether it balances, the checks and the warnings.

    Args:
        ledger: one row per source file: source_file, kind, table, rows_in, kept, replaced, totals, quarantined.
        checks: one row per check: table, check, column, success, unexpected_count, details.
        warnings: one row per warning: source_file, check, message.
    """
    balanced = with_balance(ledger)
    unbalanced = balanced.filter(pl.col("difference") != 0).height
    totals = ledger.select(pl.col("rows_in", *LEDGER_PARTS).sum()).row(0, named=True) if ledger.height else {}
    failed = checks.filter(~pl.col("success")).height if checks.height else 0
    page = render_page(
        "quality.html.j2",
        title="Data quality",
        sample_data=sample_data,
        ledger=ledger_table(balanced, totals, unbalanced),
        unbalanced=unbalanced,
        totals={name: fmt_int(value) for name, value in totals.items()},
        columns_used=columns_used_table(ledger),
        checks=checks_table(checks),
        passed=checks.height - failed,
        failed=failed,
        warnings=warnings_table(warnings),
    )
    io.write_text(page, out_html)
    return out_html


def with_balance(ledger: pl.DataFrame) -> pl.DataFrame:
    """The ledger with `difference` (rows in minus the rows accounted for) and `balances` (`✓`, `✗ off by 3`)."""
    return ledger.with_columns((pl.col("rows_in") - pl.sum_horizontal(LEDGER_PARTS)).alias("difference")).with_columns(
        pl.when(pl.col("difference") == 0)
        .then(pl.lit("✓"))
        .otherwise(pl.concat_str(pl.lit("✗ off by "), pl.col("difference").cast(pl.String)))
        .alias("balances")
    )


def ledger_table(balanced: pl.DataFrame, totals: dict[str, Any], unbalanced: int) -> Table:
    """One row per file with where its rows went and whether they add up, then a row for all files."""
    return frame_table(
        balanced.select("source_file", "kind", "table", "rows_in", *LEDGER_PARTS, "balances"),
        column_formats(""),
        labels={
            "source_file": "File",
            "kind": "Kind",
            "table": "Table",
            "rows_in": "Rows in",
            "kept": "Kept",
            "replaced": "Replaced",
            "totals": "Totals rows",
            "quarantined": "Quarantined",
            "balances": "Balances",
        },
        tones={"balances": lambda value: "good" if value == "✓" else "bad"},
        total={**totals, "source_file": "All files", "balances": "✓" if not unbalanced else "✗"}
        if balanced.height
        else None,
    )


def columns_used_table(ledger: pl.DataFrame) -> Table | None:
    """The columns each file's purchases and purchase value come from; None when no file says."""
    if "columns_used" not in ledger.columns:
        return None
    used = ledger.filter(pl.col("columns_used").fill_null("") != "")
    if not used.height:
        return None
    return frame_table(
        used.select("source_file", "columns_used"),
        labels={"source_file": "File", "columns_used": "Purchases and purchase value come from"},
    )


def checks_table(checks: pl.DataFrame) -> Table | None:
    """One row per check, failed ones first, with its result as `✓ passed` or `✗ failed`; None without checks."""
    if not checks.height:
        return None
    shown = checks.with_columns(
        pl.when(pl.col("success")).then(pl.lit("✓ passed")).otherwise(pl.lit("✗ failed")).alias("success")
    ).sort(pl.col("success").str.starts_with("✓"), maintain_order=True)
    return frame_table(
        shown,
        column_formats(""),
        labels={
            "table": "Table",
            "check": "Check",
            "column": "Column",
            "success": "Result",
            "unexpected_count": "Failing rows",
            "details": "Details",
        },
        tones={"success": lambda value: "good" if str(value).startswith("✓") else "bad"},
    )


def warnings_table(warnings: pl.DataFrame) -> Table | None:
    """One row per warning: its file, check and message; None without warnings."""
    if not warnings.height:
        return None
    return frame_table(
        warnings.select("source_file", "check", "message"),
        labels={"source_file": "File", "check": "Check", "message": "Message"},
    )
