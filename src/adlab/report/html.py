"""HTML pieces every page shares: escaping, notes, tables, tiles, the embedded plotly script and the page shell.

Text from files goes through `esc` (or a builder that calls it) and never reaches a page as markup; markup goes
only through the builders that say they take it (`info_html`), and is written in this package.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from adlab.display import LABELS, MISSING, number

TEMPLATES_DIR = Path(__file__).parents[1] / "templates"


TEMPLATE_NAME = "adlab"


CSS_PATH = TEMPLATES_DIR / TEMPLATE_NAME / "static" / "report.css"


SAMPLE_BANNER = (
    "This report runs on the embedded sample data; drop your exports into <code>data/raw/</code> "
    "and run <code>make report</code> to see your own accounts."
)


def esc(value: Any) -> str:
    """Any value as escaped HTML text; `–` for null."""
    return MISSING if value is None else html.escape(str(value), quote=True)


def code_spans_html(text: str) -> str:
    """A sentence of ours as HTML: escaped, each `backticked` name (a column, a setting, a command) as code."""
    return re.sub(r"`([^`<>&]+)`", r"<code>\1</code>", esc(text))


def note_html(text: str) -> str:
    """A short note paragraph; `text` is escaped."""
    return f'<p class="note">{esc(text)}</p>'


def code_note_html(text: str) -> str:
    """A short note paragraph of ours naming columns or settings: escaped, `backticked` names as code."""
    return f'<p class="note">{code_spans_html(text)}</p>'


def info_html(markup: str) -> str:
    """An information banner; `markup` is trusted HTML written in this package, never text from a file."""
    return f'<div class="banner info" role="note">{markup}</div>'


def banner_html(sample_data: bool) -> str:
    """The sample-data banner, or an empty string for the user's own data."""
    if not sample_data:
        return ""
    return f'<div class="banner" role="note"><strong>Sample data.</strong> {SAMPLE_BANNER}</div>'


def fmt_dates(start: dt.date, end: dt.date) -> str:
    """A date range for people: `Mon 16 – Sun 22 Nov 2026` (month and year only where they change)."""
    left = f"{start:%a} {start.day}"
    if start.month != end.month or start.year != end.year:
        left += f" {start:%b}"
    if start.year != end.year:
        left += f" {start.year}"
    return f"{left} – {end:%a} {end.day} {end:%b} {end.year}"


def period_note_html(frame: pl.DataFrame, first: str, last: str, lead: str) -> str:
    """`lead` the days first..last of a stage output (its own window, which may differ from the week's); empty
    when the frame has no such columns or dates."""
    if first not in frame.columns or last not in frame.columns or frame.is_empty():
        return ""
    try:
        start = dt.date.fromisoformat(str(frame[first].min())[:10])
        end = dt.date.fromisoformat(str(frame[last].max())[:10])
    except ValueError:
        return ""
    return note_html(f"{lead} the days {fmt_dates(start, end)}.")


def html_table(
    frame: pl.DataFrame,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    tones: Mapping[str, Callable[[Any], str | None]] | None = None,
    row_class: str | None = None,
    total: Mapping[str, Any] | None = None,
) -> str:
    """An HTML table of `frame` in a horizontally scrolling wrapper; every header and cell is escaped.

    Args:
        frame: the rows to show, columns in display order.
        formats: column -> function giving the cell text (e.g. column_formats(currency)); others use str().
        labels: column -> header text (default LABELS, then the column name).
        tones: column -> function giving a CSS class (good, warn, bad) for the cell's value.
        row_class: a column whose value becomes the row's class `level-<value>`; it is not shown.
        total: values of a closing totals row, by column.
    """
    formats = formats or {}
    labels = {**LABELS, **(labels or {})}
    tones = tones or {}
    columns = [name for name in frame.columns if name != row_class]
    numeric = {name for name in columns if frame.schema[name].is_numeric()}
    text = {name for name in columns if frame.schema[name] == pl.String}

    def cell(name: str, value: Any, blank_missing: bool = False) -> str:
        shown = esc(formats[name](value)) if name in formats else esc(value)
        if value is None and blank_missing:
            shown = ""
        tone = tones[name](value) if name in tones and value is not None else None
        kind = "num" if name in numeric else "text" if name in text else ""
        attr = " ".join(c for c in (kind, tone) if c)
        return f'<td class="{attr}">{shown}</td>' if attr else f"<td>{shown}</td>"

    head = "".join(
        f'<th class="num">{esc(labels.get(n, n))}</th>' if n in numeric else f"<th>{esc(labels.get(n, n))}</th>"
        for n in columns
    )

    def column(name: str) -> list[str]:
        """The cells of one column as cell() writes them: a column at a time, for tables of thousands of rows."""
        fmt = formats.get(name)
        tone = tones.get(name)
        kind = "num" if name in numeric else "text" if name in text else ""
        plain = f'<td class="{kind}">' if kind else "<td>"
        cells = []
        for value in frame.get_column(name).to_list():
            shown = esc(fmt(value)) if fmt is not None else esc(value)
            css = tone(value) if tone is not None and value is not None else None
            opening = (f'<td class="{kind} {css}">' if kind else f'<td class="{css}">') if css else plain
            cells.append(f"{opening}{shown}</td>")
        return cells

    row_css = (
        [f' class="level-{esc(value)}"' for value in frame.get_column(row_class).to_list()]
        if row_class
        else [""] * frame.height
    )
    cells_by_row = zip(*(column(name) for name in columns), strict=True) if columns else ((),) * frame.height
    rows = [f"<tr{css}>" + "".join(cells) + "</tr>" for css, cells in zip(row_css, cells_by_row, strict=True)]
    if total is not None:
        rows.append('<tr class="total">' + "".join(cell(name, total.get(name), True) for name in columns) + "</tr>")
    body = "\n".join(rows)
    return f'<div class="table-wrap"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table></div>'


@dataclass(frozen=True)
class Tile:
    """One headline figure: its value, the change against the week before, and where it stands to a target."""

    label: str
    value: str
    change: str = MISSING
    change_tone: str = "neutral"  # good | bad | neutral
    compared_to: str = ""
    status: str | None = None  # good | warn | bad against a target or break-even
    note: str = ""
    hint: str = ""


def tiles_html(tiles: Iterable[Tile]) -> str:
    """A responsive grid of headline tiles; all text escaped."""
    cards = []
    for tile in tiles:
        status = f" status-{esc(tile.status)}" if tile.status else ""
        title = f' title="{esc(tile.hint)}"' if tile.hint else ""
        compared = tile.compared_to and tile.change != MISSING
        vs = f' <span class="vs">vs {esc(tile.compared_to)}</span>' if compared else ""
        note = f'<div class="tile-note">{esc(tile.note)}</div>' if tile.note else ""
        cards.append(
            f'<div class="tile{status}"{title}><div class="tile-label">{esc(tile.label)}</div>'
            f'<div class="tile-value">{esc(tile.value)}</div>'
            f'<div class="tile-change {esc(tile.change_tone)}">{esc(tile.change)}{vs}</div>{note}</div>'
        )
    return f'<div class="tiles">{"".join(cards)}</div>'


def sparkline_svg(values: Sequence[float | None], *, width: int = 120, height: int = 28, label: str = "") -> str:
    """A small inline SVG line of `values` (gaps where None); no script, so it draws in any mail client."""
    points = [(i, value) for i, v in enumerate(values) if (value := number(v)) is not None]
    if len(points) < 2:
        return ""
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)
    coords = " ".join(f"{2 + i * step:.1f},{height - 3 - (v - low) / span * (height - 6):.1f}" for i, v in points)
    last_x, last_y = coords.split(" ")[-1].split(",")
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(label)}"><polyline fill="none" stroke="currentColor" stroke-width="1.6" '
        f'points="{coords}"/><circle cx="{last_x}" cy="{last_y}" r="2.2" fill="currentColor"/></svg>'
    )


class PlotlyEmbed:
    """Figures as HTML for display in the report: plotly.js inline with the first figure only, never from a CDN."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, fig: Any, name: str) -> str:
        """The figure as an HTML fragment; `name` makes the div id stable, so reruns write the same bytes."""
        fragment = fig.to_html(
            full_html=False,
            include_plotlyjs=self.count == 0,
            div_id=f"chart-{name}",
            config={"displayModeBar": False, "responsive": True, "displaylogo": False, "scrollZoom": False},
        )
        self.count += 1
        return f'<div class="chart">{fragment}</div>'


@functools.cache
def report_css() -> str:
    """The stylesheet all report pages share (also inlined by the nbconvert template)."""
    return CSS_PATH.read_text(encoding="utf-8")


def page_html(title: str, body: str) -> str:
    """A complete standalone page: inline CSS, no scripts, nothing loaded from the network."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f'<meta name="color-scheme" content="light">\n<title>{esc(title)}</title>\n'
        f'<style type="text/css">\n{report_css()}</style>\n</head>\n'
        f'<body class="adlab-report">\n<main class="page">\n{body}\n</main>\n</body>\n</html>\n'
    )
