"""Same inputs and params give byte-identical outputs (every output is a pure function of inputs, params
and code): two forced runs, same hashes.

The reports are included: chart ids are fixed and nothing writes a timestamp.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import copy_project, dvc

pytestmark = pytest.mark.slow


def digests(project: Path) -> dict[str, str]:
    return {
        str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in ("data/interim", "data/processed", "data/quarantine", "metrics", "reports")
        for path in sorted((project / folder).rglob("*"))
        if path.is_file() and path.name != ".gitignore"
    }


def test_dvc_repro_forced_twice_gives_identical_data_outputs(tmp_path):
    # The embedded sample (16k rows, four stages of sums) rather than a tiny fixture: float sums only
    # wander from run to run on tables large enough to be summed in parallel.
    project = copy_project(tmp_path / "project")
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("weeks: 8 ", "weeks: 1 "))
    first = dvc(project, "repro", "--force")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    before = digests(project)
    second = dvc(project, "repro", "--force")
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert len(before) >= 12
    assert digests(project) == before
