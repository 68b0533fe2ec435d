"""The page templates: escaping as the other pages escape, tables and sparklines laid out from plain values."""

import polars as pl
from markupsafe import Markup

from adlab.report.templating import Cell, Row, Table, environment, frame_table, sparkline


def render(source: str, **values) -> str:
    return environment().from_string('{% import "parts.html.j2" as parts %}' + source).render(**values)


def test_values_are_escaped_like_html_escape_and_null_shows_a_dash():
    page = render("{{ a }}|{{ b }}|{{ c }}", a='O\'Brien "q" <b>&', b=None, c=Markup("<code>x</code>"))
    assert page == "O&#x27;Brien &quot;q&quot; &lt;b&gt;&amp;|–|<code>x</code>"


def test_frame_table_formats_tones_and_a_totals_row_blank_where_missing():
    frame = pl.DataFrame({"file": ["a.csv", None], "rows": [3, None], "ok": ["✓", "✗"]})
    table = frame_table(
        frame,
        {"rows": lambda value: f"{value} rows"},
        labels={"file": "File"},
        tones={"ok": lambda value: "good" if value == "✓" else "bad"},
        total={"file": "All", "rows": 3},
    )
    assert table == Table(
        head=[Cell("File", ""), Cell("rows", "num"), Cell("ok", "")],
        rows=[
            Row([Cell("a.csv", "text"), Cell("3 rows", "num"), Cell("✓", "text good")]),
            Row([Cell(None, "text"), Cell("None rows", "num"), Cell("✗", "text bad")]),
            Row([Cell("All", "text"), Cell("3 rows", "num"), Cell("", "text")], "total"),
        ],
    )


def test_table_lays_out_one_line_per_row_and_an_empty_line_without_rows():
    table = Table([Cell("File"), Cell("Rows", "num")], [Row([Cell("<a>", "text"), Cell("3", "num good")])])
    assert render("{{ parts.table(t) }}", t=table) == (
        '<div class="table-wrap"><table>\n<thead><tr><th>File</th><th class="num">Rows</th></tr></thead>\n'
        '<tbody>\n<tr><td class="text">&lt;a&gt;</td><td class="num good">3</td></tr>\n</tbody>\n</table></div>'
    )
    empty = render('{{ parts.table(t, "index") }}', t=Table([Cell("File")], []))
    assert empty == (
        '<div class="table-wrap"><table class="index">\n<thead><tr><th>File</th></tr></thead>\n'
        "<tbody>\n\n</tbody>\n</table></div>"
    )


def test_sparkline_scales_low_to_the_bottom_and_leaves_gaps_out():
    line = sparkline([1.0, None, 3.0], width=24, height=10, label="<x>")
    assert line is not None
    # x: 2 + i * (24 - 4) / 2; y: 10 - 3 - (v - 1) / 2 * (10 - 6)
    assert (line.points, line.last_x, line.last_y) == ("2.0,7.0 22.0,3.0", "22.0", "3.0")
    svg = render("{{ parts.sparkline(s) }}", s=line)
    assert svg.startswith(
        '<svg class="spark" width="24" height="10" viewBox="0 0 24 10" role="img" aria-label="&lt;x&gt;">'
    )
    assert sparkline([None, 2.0]) is None
    assert render("{{ parts.sparkline(s) }}", s=None) == ""
