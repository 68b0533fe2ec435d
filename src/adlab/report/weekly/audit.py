"""The short audit section at the top of the latest weekly page: the daily audit's top items, one line each,
linking to audit.html. Other weeks' pages show nothing, so the audit never changes them."""

from __future__ import annotations

from collections.abc import Sequence

from adlab.report.html import esc


def audit_section_html(week: str, audit_week: str, audit_day: str, items: Sequence[str]) -> str:
    """The section for the page of `week`: empty unless it is `audit_week` (the latest page, "" without an audit)."""
    if not audit_week or week != audit_week:
        return ""
    link = '<a href="../audit.html">the full audit</a>'
    if not items:
        return (
            f'<section class="audit-summary"><p><strong>Audit of {esc(audit_day)}:</strong> nothing moved beyond '
            f"day-to-day noise and no tactic fired; see {link}.</p></section>"
        )
    lines = "".join(f"<li>{esc(item)}</li>" for item in items)
    return (
        f'<section class="audit-summary"><p><strong>Audit of {esc(audit_day)}</strong>, the last day in the data, '
        f"against each entity's own days before: the top {len(items)} item{'s' if len(items) > 1 else ''} by "
        f"money at stake ({link} has every item, its test and q, and what is still learning).</p>"
        f"<ul>{lines}</ul></section>"
    )
