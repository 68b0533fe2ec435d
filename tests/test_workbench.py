"""In a notebook: `from adlab import ask` answers from the project's tables, and an answer shows its figures."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from typer.testing import CliRunner

import adlab
from adlab.cli import app
from adlab.errors import AdlabError
from adlab.insights import Answer


def test_figures_of_an_answer_with_a_table_are_that_table():
    ranked = pl.DataFrame({"ad": ["A", "B"], "roas": [3.0, 1.5]})
    answer = Answer("Ad 'A' wins.", ["Two ads compared."], {"ranked": ranked, "period": "last 7 days"})
    assert answer.figures.equals(ranked)


def test_figures_of_an_answer_without_a_table_are_its_numbers_nested_ones_by_path():
    answer = Answer("ROAS fell.", [], {"log_change": -0.5, "terms": {"cvr": -0.4, "aov": -0.1}, "main_factor": "cvr"})
    assert answer.figures.rows() == [("log_change", -0.5), ("terms.cvr", -0.4), ("terms.aov", -0.1)]


def test_answer_shows_in_a_notebook_as_headline_evidence_and_table_with_text_escaped():
    answer = Answer("Pause ad '<b>X</b>'.", ["ROAS 0.5 < 2.0"], {"ranked": pl.DataFrame({"ad": ["<b>X</b>"]})})
    shown = answer._repr_html_()
    assert shown.startswith("<p><strong>Pause ad &#x27;&lt;b&gt;X&lt;/b&gt;&#x27;.</strong></p>")
    assert "<li>ROAS 0.5 &lt; 2.0</li>" in shown
    assert "<b>X</b>" not in shown
    assert str(answer) == "Pause ad '<b>X</b>'.\nROAS 0.5 < 2.0"


def test_adlab_ask_gives_the_answer_the_command_line_gives(project):
    question = "Why did my ROAS drop last week?"
    printed = CliRunner().invoke(app, ["--project", str(project), "ask", question])
    assert printed.exit_code == 0, printed.output
    answer = adlab.ask(question, project / "notebooks")  # found from a folder inside the project
    assert answer.text() == printed.output.rstrip("\n")


def test_adlab_ask_outside_a_project_says_so_in_one_line(tmp_path):
    with pytest.raises(AdlabError, match="no adlab project"):
        adlab.ask("What was my ROAS?", tmp_path)


def test_an_answer_over_dates_draws_its_line_and_a_ranking_draws_none():
    trend = pl.DataFrame(
        {"start": [dt.date(2026, 11, 22), dt.date(2026, 11, 23), dt.date(2026, 11, 24)], "roas": [2.0, 1.5, 0.9]}
    )
    figure = Answer("ROAS is falling.", [], {"trend": trend}).chart()
    assert list(figure.data[0].y) == [2.0, 1.5, 0.9]
    assert list(figure.data[0].x) == [dt.date(2026, 11, 22), dt.date(2026, 11, 23), dt.date(2026, 11, 24)]
    ranked = pl.DataFrame({"ad": ["A", "B"], "roas": [3.0, 1.5]})
    assert Answer("Ad 'A' wins.", [], {"ranked": ranked}).chart() is None
