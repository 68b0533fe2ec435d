"""reports/audit.html: the daily audit of the latest day (adlab.audit) as a page, its top items for the latest
weekly page, and the page of several accounts that leads to each account's own audit.

One standalone page (inline CSS, no script, nothing from the network): the ranked items in words as `adlab
audit` gives them (what changed with its counts, the test and q, the money at stake, the action, what the item
folds in), the entities still learning, and a line saying which tests and which false-discovery control were
used over how many tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from adlab import io
from adlab.audit import Audit
from adlab.audit.project import AuditTables, audit_tables
from adlab.audit.stats import TEST_NAME, ZERO_TEST_NAME
from adlab.audit.text import METRIC_WORDS, baseline_days, item_lines, summary_lines
from adlab.display import count_text, fmt_money
from adlab.errors import AdlabError
from adlab.params import Params
from adlab.report.html import banner_html, code_spans_html, esc, html_table, page_html

# The weekly page and the audit page of several accounts show this many items per audit.
TOP = 3
# The entities still learning listed by name (the most spend today first); the rest are counted.
LEARNING_SHOWN = 30
NO_DAYS = (
    "the ad exports have no days (reporting windows only), and the audit compares each day with the days "
    "before it; export by Day (Breakdown › By time › Day) to get one."
)
LEARNING_LABELS = {
    "level": "Level",
    "campaign": "Campaign",
    "adset": "Ad set",
    "ad": "Ad",
    "days_0": "Baseline days with spend",
    "spend_t": "Spend on the day",
}


def _header(title: str, meta: str = "") -> str:
    """The title block with the links to the other pages of the same folder."""
    links = (
        ("index.html", "All weeks"),
        ("budget.html", "Budget plan"),
        ("customers.html", "Customers"),
        ("quality.html", "Data quality"),
    )
    nav = "".join(f'<a href="{href}">{text}</a>' for href, text in links)
    return (
        f'<header class="report-header"><div class="eyebrow">Daily audit</div><h1>{esc(title)}</h1>'
        f'<p class="meta">{esc(meta)}{" " if meta else ""}<span class="nav">{nav}</span></p></header>'
    )


def method_line(audit: Audit, fdr: float) -> str:
    """Which tests and which false-discovery control the audit used, over how many tests (one sentence)."""
    rates = ", ".join(METRIC_WORDS[name] for name in ("ctr", "cvr", "checkout_rate", "cpm", "cpa", "roas"))
    several = audit.items["account"].n_unique() > 1 or audit.learning["account"].n_unique() > 1
    return (
        f"Each entity's {rates} on {audit.day} against its own {baseline_days(audit)} days before, with the "
        f"{TEST_NAME}; no purchase while the funnel held with the {ZERO_TEST_NAME}. The false discovery rate is "
        f"controlled with the Benjamini-Hochberg procedure at q ≤ {fdr:g} (`audit.fdr`) over the "
        f"{count_text(audit.tests)} tests of the day{' within each account' if several else ''}, on "
        f"{count_text(audit.entities)} entities judged. Stop-loss, scale and fatigue calls are the tactics of "
        "`tactics:`, each naming its threshold and confidence."
    )


def _item_html(lines: Sequence[str]) -> str:
    """One item of audit.text.item_lines: its headline, then a paragraph per line (the action in bold)."""
    head, *body = lines
    paragraphs = []
    for line in body:
        text = line.strip()
        if text.startswith("Action: "):
            paragraphs.append(f"<p><strong>Action:</strong> {esc(text.removeprefix('Action: '))}</p>")
        else:
            paragraphs.append(f"<p>{esc(text)}</p>")
    return f'<section class="audit-item"><h3>{esc(head)}</h3>{"".join(paragraphs)}</section>'


def _learning_html(audit: Audit, currencies: Mapping[str | None, str | None]) -> str:
    """The entities still learning, said as such: a table of the most spending ones, the others counted."""
    learning = audit.learning
    if learning.is_empty():
        return "<p>No entity live on the day is still learning: all had enough baseline days to be judged.</p>"
    several = learning["account"].n_unique() > 1
    shown = learning.sort("spend_t", descending=True).head(LEARNING_SHOWN)
    columns = ["level", *(["account"] if several else []), "campaign", "adset", "ad", "days_0", "spend_t"]
    shown = shown.select(columns).with_columns(pl.col("level").replace({"adset": "ad set"}))
    currency = next(iter(currencies.values()), None) if len(currencies) == 1 else None
    more = learning.height - shown.height
    return (
        "<p>"
        + code_spans_html(
            f"Still learning, so not judged: {count_text(learning.height)} entities live on {audit.day} with fewer "
            "baseline days with spend than `audit.min_baseline_days`; their moves are too young to tell from noise."
        )
        + "</p>"
        + html_table(
            shown,
            {"spend_t": lambda value: fmt_money(value, "" if several else currency or "")},
            labels={**LEARNING_LABELS, "account": "Account"},
        )
        + (f'<p class="note">… and {count_text(more)} more with less spend.</p>' if more > 0 else "")
    )


def audit_page_html(
    audit: Audit, currencies: Mapping[str | None, str | None], *, fdr: float, sample_data: bool = False
) -> str:
    """The whole page: the method line, the ranked items in words, and the entities still learning."""
    start, end = audit.baseline
    new = audit.items.filter(pl.col("new")).height
    several = audit.items["account"].n_unique() > 1
    meta = f"Against {start} .. {end} · {audit.items.height} items ({new} new today)"
    items = [
        _item_html(item_lines(item, currencies.get(item["account"]), baseline_days(audit), several))
        for item in audit.items.iter_rows(named=True)
    ]
    body = (
        _header(f"Audit of {audit.day}", meta)
        + banner_html(sample_data)
        + f'<p class="note">{code_spans_html(method_line(audit, fdr))}</p>'
        + "<h2>What needs attention, by money at stake</h2>"
        + ("".join(items) or "<p>Nothing moved beyond what day-to-day noise gives, and no tactic fired.</p>")
        + "<h2>Still learning</h2>"
        + _learning_html(audit, currencies)
    )
    return page_html(f"Audit {audit.day}", body)


def audit_unavailable_html(reason: str, sample_data: bool = False) -> str:
    """The page when there is no audit (ad data without days, no ad data): the reason in one line."""
    return page_html("Audit", _header("Audit") + banner_html(sample_data) + f"<p>No audit: {esc(reason)}</p>")


def accounts_audit_html(rows: Sequence[tuple[str, str, str | None, Sequence[str]]], sample_data: bool = False) -> str:
    """The audit page of several accounts: each account's top items, given as (account name, link to its audit,
    the reason it has none or None, its top items one line each)."""
    parts = []
    for name, href, reason, lines in rows:
        if reason is not None:
            shown = f"<p>No audit: {esc(reason)}</p>"
        elif lines:
            shown = "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"
        else:
            shown = "<p>Nothing moved beyond day-to-day noise, and no tactic fired.</p>"
        parts.append(f'<h2><a href="{esc(href)}">{esc(name)}</a></h2>{shown}')
    return page_html(
        "Audit",
        _header("Audit")
        + banner_html(sample_data)
        + "<p>Each account is audited on its own (its own baselines, tests and tactics); its top items:</p>"
        + "".join(parts),
    )


def project_audit(
    tables: AuditTables, settings: Params, currency: str | None = None
) -> tuple[Audit | None, dict[str | None, str | None], str | None]:
    """(the audit of the latest day or None, each account's currency, the reason there is none or None).

    `currency`: the pages' currency, for accounts whose ad rows do not name theirs.
    """
    if tables.kpis_daily.is_empty():
        return None, {}, NO_DAYS
    try:
        audit, currencies = audit_tables(tables, settings)
    except AdlabError as error:
        return None, {}, str(error)
    names = tables.kpis_daily["account"].unique().to_list()
    return audit, {name: currencies.get(name) or currency or None for name in names}, None


def write_audit_page(
    out: Path,
    audit: Audit | None,
    currencies: Mapping[str | None, str | None],
    reason: str | None,
    *,
    fdr: float,
    sample_data: bool,
) -> Path:
    """Write `out` (audit.html): the audit's page, or the one-line reason there is none."""
    page = (
        audit_page_html(audit, currencies, fdr=fdr, sample_data=sample_data)
        if audit is not None
        else audit_unavailable_html(reason or NO_DAYS, sample_data)
    )
    io.write_text(page, out)
    print(f"report: wrote {out}")
    return out


def top_lines(audit: Audit | None, currencies: Mapping[str | None, str | None]) -> list[str]:
    """The audit's TOP items, one line each (none without an audit)."""
    return [] if audit is None else summary_lines(audit, currencies, TOP)
