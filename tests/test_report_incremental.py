"""Incremental re-rendering: which weeks get a page, which pages are stale, and the code the digest covers."""

import datetime as dt
import json
from pathlib import Path

import polars as pl

from adlab.report.incremental import (
    PACKAGE,
    read_manifest,
    remove_other_pages,
    render_modules,
    stale_weeks,
    weeks_to_render,
)

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "weekly_report.ipynb"


def dates(first: dt.date, last: dt.date) -> pl.DataFrame:
    return pl.DataFrame({"date": pl.date_range(first, last, eager=True)})


def test_weeks_to_render_takes_the_latest_complete_weeks_and_extra_weeks_with_data():
    # Mon 2 Nov - Wed 25 Nov 2026: W45, W46 and W47 are complete, W48 is not.
    days = dates(dt.date(2026, 11, 2), dt.date(2026, 11, 25))
    weeks, skipped = weeks_to_render(days, 2, ["2026-W45", "2026-W30"])
    assert (weeks, skipped) == (["2026-W47", "2026-W46", "2026-W45"], ["2026-W30"])


def test_weeks_to_render_without_a_complete_week_takes_the_newest_partial_one():
    weeks, _ = weeks_to_render(dates(dt.date(2026, 11, 17), dt.date(2026, 11, 19)), 8, [])
    assert weeks == ["2026-W47"]


def test_read_manifest_is_empty_when_absent_or_unreadable(tmp_path: Path):
    assert read_manifest(tmp_path / "none.json") == {}
    (tmp_path / "bad.json").write_text("{not json")
    assert read_manifest(tmp_path / "bad.json") == {}
    (tmp_path / "list.json").write_text("[1, 2]")
    assert read_manifest(tmp_path / "list.json") == {}
    (tmp_path / "ok.json").write_text(json.dumps({"2026-W47": "abc"}))
    assert read_manifest(tmp_path / "ok.json") == {"2026-W47": "abc"}


def test_stale_weeks_are_those_with_another_digest_or_no_page(tmp_path: Path):
    for week in ("2026-W45", "2026-W46"):
        (tmp_path / f"{week}.html").write_text("page")
    digests = {"2026-W47": "c", "2026-W46": "b2", "2026-W45": "a"}
    manifest = {"2026-W47": "c", "2026-W46": "b1", "2026-W45": "a"}
    assert stale_weeks(digests, manifest, tmp_path) == ["2026-W47", "2026-W46"]  # W47's page is missing


def test_remove_other_pages_keeps_the_listed_pages_and_other_files(tmp_path: Path):
    for name in ("2026-W46.html", "2026-W40.html", ".manifest.json"):
        (tmp_path / name).write_text("x")
    assert remove_other_pages(tmp_path, ["2026-W46.html"]) == [tmp_path / "2026-W40.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".manifest.json", "2026-W46.html"]
    assert remove_other_pages(tmp_path / "missing", []) == []


def test_render_modules_follow_the_notebooks_imports_and_leave_out_what_no_page_runs():
    files = {str(path.relative_to(PACKAGE)) for path in render_modules(NOTEBOOK)}
    # imported by the notebook, by render.py, by a weekly section, and the packages on the way
    assert {
        "charts.py",
        "kpis/__init__.py",
        "kpis/formulas.py",
        "report/render.py",
        "report/weekly/tiles.py",
        "__init__.py",
        "report/__init__.py",
        "report/weekly/__init__.py",
    } <= files
    assert not {"cli.py", "ingest.py", "report/build.py"} & files  # the stage and the CLI shape no page


def test_render_modules_of_a_notebook_importing_one_module(tmp_path: Path):
    notebook = tmp_path / "page.ipynb"
    cells = [
        {"cell_type": "markdown", "source": ["import adlab.cli"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import adlab.display as d\n"]},
    ]
    notebook.write_text(json.dumps({"cells": cells}))
    files = {str(path.relative_to(PACKAGE)) for path in render_modules(notebook)}
    assert {"display.py", "__init__.py", "report/render.py"} <= files
    assert "cli.py" not in files  # named in a markdown cell only
