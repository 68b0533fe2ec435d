"""Pages from Jinja templates (templates/pages/): the environment, and the plain values tables and sparklines
are laid out from.

Python prepares already-formatted strings, rows of cells with their CSS class, and links; the templates lay
them out. Every `{{ value }}` is escaped the way the report's other pages escape text (`html.escape`: `&quot;`
and `&#x27;` for quotes) and shows `–` for null, so a page reads the same whichever way it was made; trusted
markup (the stylesheet, a note with `<code>`) arrives as `markupsafe.Markup` and passes as it is.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from adlab.display import LABELS, MISSING, number
from adlab.report.html import SAMPLE_BANNER, TEMPLATES_DIR, report_css

PAGES_DIR = TEMPLATES_DIR / "pages"


def _escaped(value: Any) -> Markup:
    """What `{{ value }}` writes: markup as it is, `–` for null, any other value as escaped text."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(MISSING if value is None else html.escape(str(value), quote=True))


@functools.cache
def environment() -> jinja2.Environment:
    """The pages' Jinja environment: autoescaping on, block tags leave no blank lines, undefined names fail;
    every template sees `css` (the report stylesheet) and `sample_banner`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PAGES_DIR),
        autoescape=True,
        finalize=_escaped,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(css=Markup(report_css()), sample_banner=Markup(SAMPLE_BANNER))
    return env


def render_page(template: str, **values: Any) -> str:
    """A complete offline page from `template` (it extends base.html.j2): inline CSS, no scripts."""
    return environment().get_template(template).render(**values)


@dataclass(frozen=True)
class Cell:
    """One table cell: its text (None shows as `–`) and its CSS class (`num`, a tone such as `good`)."""

    text: Any
    css: str = ""


@dataclass(frozen=True)
class Row:
    """One table row: its cells and its CSS class (`total` for a closing totals row)."""

    cells: Sequence[Cell]
    css: str = ""


@dataclass(frozen=True)
class Table:
    """A table to lay out: its header cells and its rows (a page may lay its rows out itself)."""

    head: Sequence[Cell]
    rows: Sequence[Any]


def frame_table(
    frame: pl.DataFrame,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    tones: Mapping[str, Callable[[Any], str | None]] | None = None,
    total: Mapping[str, Any] | None = None,
) -> Table:
    """The cells of `frame` as the report's tables show them (html.html_table): numbers right-aligned.

    Args:
        frame: the rows to show, columns in display order.
        formats: column -> function giving the cell text (e.g. column_formats(currency)); others as they are.
        labels: column -> header text (default LABELS, then the column name).
        tones: column -> function giving a CSS class (good, warn, bad) for a cell's non-null value.
        total: values of a closing totals row, by column; a missing one is left blank.
    """
    formats = formats or {}
    labels = {**LABELS, **(labels or {})}
    tones = tones or {}
    kinds = {
        name: "num" if dtype.is_numeric() else "text" if dtype == pl.String else ""
        for name, dtype in frame.schema.items()
    }

    def cell(name: str, value: Any) -> Cell:
        tone = tones[name](value) if name in tones and value is not None else None
        text = formats[name](value) if name in formats else value
        return Cell(text, " ".join(css for css in (kinds[name], tone) if css))

    head = [Cell(labels.get(name, name), "num" if kinds[name] == "num" else "") for name in frame.columns]
    rows = [Row([cell(name, value) for name, value in row.items()]) for row in frame.iter_rows(named=True)]
    if total is not None:
        rows.append(
            Row(
                [
                    cell(name, total[name]) if total.get(name) is not None else Cell("", cell(name, None).css)
                    for name in frame.columns
                ],
                "total",
            )
        )
    return Table(head, rows)


@dataclass(frozen=True)
class Sparkline:
    """A small line of daily values: the SVG's size, its points (`x,y x,y`), the last point and a label."""

    width: int
    height: int
    points: str
    last_x: str
    last_y: str
    label: str


def sparkline(
    values: Sequence[float | None], *, width: int = 120, height: int = 28, label: str = ""
) -> Sparkline | None:
    """The line of `values` scaled into width x height, low at the bottom, gaps left out; None under two points."""
    points = [(i, value) for i, v in enumerate(values) if (value := number(v)) is not None]
    if len(points) < 2:
        return None
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)
    coords = [(f"{2 + i * step:.1f}", f"{height - 3 - (v - low) / span * (height - 6):.1f}") for i, v in points]
    return Sparkline(width, height, " ".join(f"{x},{y}" for x, y in coords), *coords[-1], label)
