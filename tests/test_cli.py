import json

from typer.testing import CliRunner

from adlab.cli import app
from adlab.workbench import find_project

runner = CliRunner()


def test_find_project_walks_up_to_the_folder_with_dvc_yaml(tmp_path):
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    nested = tmp_path / "notebooks" / "deep"
    nested.mkdir(parents=True)
    assert find_project(nested) == tmp_path


def test_summary_prints_headline_figures_with_week_over_week_change(tmp_path):
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    (tmp_path / "metrics").mkdir()
    figures = {
        "week": "2026-W47",
        "currency": "EUR",
        "data_source": "raw",
        "spend": 1200.0,
        "roas": 2.5,
        "ctr": 0.0125,
        "previous": {"spend": 1000.0, "roas": 2.0, "ctr": 0.01},
    }
    (tmp_path / "metrics" / "summary.json").write_text(json.dumps(figures))
    result = runner.invoke(app, ["--project", str(tmp_path), "summary"])
    assert result.exit_code == 0, result.output
    assert "Week 2026-W47 (raw data)" in result.output
    assert "1,200.00 EUR  (+20.0% vs previous week)" in result.output
    assert "2.50x  (+25.0% vs previous week)" in result.output
    assert "1.25%" in result.output


def test_summary_without_a_run_says_what_to_do(tmp_path):
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    result = runner.invoke(app, ["--project", str(tmp_path), "summary"])
    assert result.exit_code == 1
    assert "run `adlab report`" in result.output


def test_commands_outside_a_project_fail_with_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["summary"])
    assert result.exit_code == 1
    assert "no adlab project" in result.output
