"""reports/quality.html: the per-file row ledger and whether it balances, the checks and the warnings."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from adlab import io
from adlab.display import (
    column_formats,
    fmt_int,
)
from adlab.report.html import banner_html, html_table, note_html, page_html


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
    parts = ("kept", "replaced", "totals", "quarantined")
    balanced = ledger.with_columns(
        (pl.col("rows_in") - pl.sum_horizontal(parts)).alias("difference")
    ).with_columns(
        pl.when(pl.col("difference") == 0).then(pl.lit("✓")).otherwise(
            pl.concat_str(pl.lit("✗ off by "), pl.col("difference").cast(pl.String))
        ).alias("balances")
    )
    totals = ledger.select(pl.col("rows_in", *parts).sum()).row(0, named=True) if ledger.height else {}
    unbalanced = balanced.filter(pl.col("difference") != 0).height
    if ledger.height and not unbalanced:
        verdict = (
            f'<p><span class="pill good">Balanced</span> Every input row is accounted for: '
            f"{fmt_int(totals['rows_in'])} rows in = {fmt_int(totals['kept'])} kept + "
            f"{fmt_int(totals['replaced'])} replaced by newer exports + {fmt_int(totals['totals'])} totals rows + "
            f"{fmt_int(totals['quarantined'])} quarantined.</p>"
        )
    elif ledger.height:
        verdict = (
            f'<p><span class="pill bad">Not balanced</span> {unbalanced} file(s) have rows that are not '
            "accounted for; see the last column.</p>"
        )
    else:
        verdict = note_html("No input files were read.")
    ledger_columns = ["source_file", "kind", "table", "rows_in", *parts, "balances"]
    ledger_tone = {"balances": lambda value: "good" if value == "✓" else "bad"}
    ledger_table = html_table(
        balanced.select(ledger_columns),
        column_formats(""),
        labels={"source_file": "File", "kind": "Kind", "table": "Table", "rows_in": "Rows in", "kept": "Kept",
                "replaced": "Replaced", "totals": "Totals rows", "quarantined": "Quarantined", "balances": "Balances"},
        tones=ledger_tone,
        total={**totals, "source_file": "All files", "balances": "✓" if not unbalanced else "✗"} if ledger.height
        else None,
    )
    has_used = "columns_used" in ledger.columns
    used = ledger.filter(pl.col("columns_used").fill_null("") != "") if has_used else ledger.clear()
    columns_used = html_table(
        used.select("source_file", "columns_used"),
        labels={"source_file": "File", "columns_used": "Purchases and purchase value come from"},
    ) if used.height else ""
    failed = checks.filter(~pl.col("success")).height if checks.height else 0
    shown_checks = (
        checks.with_columns(
            pl.when(pl.col("success")).then(pl.lit("✓ passed")).otherwise(pl.lit("✗ failed")).alias("success")
        ).sort(pl.col("success").str.starts_with("✓"), maintain_order=True)  # failed checks first
        if checks.height
        else checks
    )
    checks_table = html_table(
        shown_checks,
        column_formats(""),
        labels={"table": "Table", "check": "Check", "column": "Column", "success": "Result",
                "unexpected_count": "Failing rows", "details": "Details"},
        tones={"success": lambda value: "good" if str(value).startswith("✓") else "bad"},
    ) if checks.height else note_html("No checks were run.")
    warnings_table = html_table(
        warnings.select("source_file", "check", "message"),
        labels={"source_file": "File", "check": "Check", "message": "Message"},
    ) if warnings.height else note_html("No warnings.")
    check_verdict = (
        f'<p><span class="pill {"bad" if failed else "good"}">{checks.height - failed} of {checks.height} passed</span>'
        + (" Rows failing a check are moved to <code>data/quarantine/</code> with the reason." if failed else "")
        + "</p>"
        if checks.height
        else ""
    )
    body = (
        '<header class="report-header"><div class="eyebrow">Advertising reports</div><h1>Data quality</h1>'
        '<p class="meta">Where every input row went, and the checks the data passed.'
        ' <span class="nav"><a href="index.html">All weeks</a></span></p></header>'
        f"{banner_html(sample_data)}"
        f"<h2>Row ledger</h2>{verdict}{ledger_table}"
        + (f"<h2>Where purchases come from</h2>{columns_used}" if columns_used else "")
        + f"<h2>Validation checks</h2>{check_verdict}{checks_table}"
        f"<h2>Warnings</h2>{warnings_table}"
    )
    io.write_text(page_html("Data quality", body), out_html)
    return out_html
