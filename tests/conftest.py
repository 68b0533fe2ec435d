"""Shared fixtures: paths to the project and to the real exports in ../shared/data/real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[1]
REAL = Path(os.environ.get("ADLAB_REAL_DATA", PROJECT.parent / "shared" / "data" / "real"))

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@pytest.fixture
def real_data() -> Path:
    """The folder of real exports; tests using it skip when it is absent."""
    if not REAL.is_dir():
        pytest.skip(f"real exports not found at {REAL} (set ADLAB_REAL_DATA to their folder)")
    return REAL


FIXTURE = Path(__file__).parent / "fixtures" / "e2e"
COPIED = ("dvc.yaml", "params.yaml", "pipelines", "notebooks", "src", ".dvc/config", "data/sample")


CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def chromium_tab(page: Path, width: int = 1280, height: int = 800) -> Iterator[Any]:
    """A Playwright tab of Debian's chromium showing the file `page` in a width x height window; skips the test
    when Playwright or chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True)
        try:
            tab = browser.new_page(viewport={"width": width, "height": height})
            tab.goto(page.as_uri())
            yield tab
        finally:
            browser.close()


def hidden_width(tab: Any) -> int:
    """How many pixels the page's first table is wider than its frame (> 0: columns behind a sideways scroll)."""
    return int(
        tab.evaluate(
            "(() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth; })()"
        )
    )


def copy_project(dest: Path) -> Path:
    """A fresh project folder: code, params and notebooks, no outputs, no venv."""
    for name in COPIED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / "data" / "raw").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    return dest


def dvc(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GX_ANALYTICS_ENABLED": "False",
        "DVC_NO_ANALYTICS": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "dvc", *args], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = copy_project(tmp_path_factory.mktemp("e2e") / "project")
    for path in FIXTURE.iterdir():
        shutil.copy2(path, dest / "data" / "raw" / path.name)
    result = dvc(dest, "repro")
    assert result.returncode == 0, result.stdout + result.stderr
    return dest
