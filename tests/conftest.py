"""Shared fixtures: paths to the project and to the real exports in ../shared/data/real."""

from __future__ import annotations

import os
from pathlib import Path

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
