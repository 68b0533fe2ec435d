"""dev/strip_notebook_outputs.py, the pre-commit hook that keeps outputs out of committed notebooks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "dev" / "strip_notebook_outputs.py"

CLEAN = """{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": null,
   "id": "a",
   "metadata": {"tags": ["parameters"]},
   "outputs": [],
   "source": ["week: str = \\"latest\\"  # ISO week, e.g. 2026-W47"]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"""


def strip(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, paths)], capture_output=True, text=True)


def test_strip_notebook_outputs_clears_outputs_and_counts(tmp_path):
    notebook = tmp_path / "report.ipynb"
    data = json.loads(CLEAN)
    data["cells"][0].update(execution_count=4, outputs=[{"output_type": "stream", "name": "stdout", "text": ["1\n"]}])
    notebook.write_text(json.dumps(data))
    result = strip(notebook)
    assert result.returncode == 1
    assert result.stdout == f"stripped outputs: {notebook}\n"
    cell = json.loads(notebook.read_text())["cells"][0]
    assert cell["outputs"] == []
    assert cell["execution_count"] is None
    assert cell["metadata"] == {"tags": ["parameters"]}


def test_strip_notebook_outputs_leaves_a_clean_notebook_byte_for_byte(tmp_path):
    notebook = tmp_path / "clean.ipynb"
    notebook.write_text(CLEAN)
    result = strip(notebook)
    assert result.returncode == 0
    assert notebook.read_text() == CLEAN
