"""The command line of the stage scripts: options from parameters, settings from --params, one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pytest

from adlab import stage
from adlab.errors import AdlabError
from adlab.params import Params

seen: dict[str, object] = {}


def copy_stage(
    out_dir: Annotated[Path, stage.path("folder to write")],
    limit: Annotated[Path | None, stage.path("an optional input")] = None,
    settings: stage.Settings = stage.PARAMS_YAML,
) -> None:
    seen.update(out_dir=out_dir, limit=limit, settings=settings)


def failing_stage(settings: stage.Settings = stage.PARAMS_YAML) -> None:
    raise AdlabError("data/raw/x.csv: not a known export; add a header row.")


def run(main, argv: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    seen.clear()
    monkeypatch.setattr(sys, "argv", ["stage.py", *argv])
    with pytest.raises(SystemExit) as exited:
        stage.run(main)
    out, err = capsys.readouterr()
    return exited.value.code or 0, out, err


def test_run_passes_options_and_settings_from_params(tmp_path, monkeypatch, capsys):
    params = tmp_path / "custom.yaml"
    params.write_text("targets:\n  roas: 3\n")
    code, _, _ = run(copy_stage, ["--out-dir", "out", "--params", str(params)], monkeypatch, capsys)
    assert code == 0
    assert seen["out_dir"] == Path("out")
    assert seen["limit"] is None
    assert isinstance(seen["settings"], Params)
    assert seen["settings"].targets.roas == 3.0


def test_run_reads_params_yaml_of_the_current_folder_by_default(tmp_path, monkeypatch, capsys):
    (tmp_path / "params.yaml").write_text("targets:\n  cpa: 12\n")
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(copy_stage, ["--out-dir", "out", "--limit", "in.csv"], monkeypatch, capsys)
    assert code == 0
    assert seen["limit"] == Path("in.csv")
    assert seen["settings"].targets.cpa == 12.0


def test_run_bad_settings_end_with_one_line(tmp_path, monkeypatch, capsys):
    params = tmp_path / "params.yaml"
    params.write_text("targets:\n  roas: -1\n")
    code, out, err = run(copy_stage, ["--out-dir", "out", "--params", str(params)], monkeypatch, capsys)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"adlab: {params}: ")
    assert "`targets.roas` must be > 0" in err
    assert seen == {}


def test_run_bad_input_in_the_stage_ends_with_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "params.yaml").write_text("")  # every setting takes its default
    monkeypatch.chdir(tmp_path)
    code, _, err = run(failing_stage, [], monkeypatch, capsys)
    assert code == 1
    assert err == "adlab: data/raw/x.csv: not a known export; add a header row.\n"


def test_run_missing_option_is_a_usage_error(monkeypatch, capsys):
    code, _, err = run(copy_stage, [], monkeypatch, capsys)
    assert code == 2
    assert "Missing option '--out-dir'" in err
    assert seen == {}


def test_run_help_shows_the_script_docstring_and_every_option(monkeypatch, capsys):
    code, out, _ = run(copy_stage, ["--help"], monkeypatch, capsys)
    assert code == 0
    assert "The command line of the stage scripts" in out
    for flag, text in (("--out-dir", "folder to write"), ("--limit", "an optional input"), ("--params", "settings")):
        assert flag in out
        assert text in out
