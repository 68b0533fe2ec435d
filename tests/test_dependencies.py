"""pyproject.toml declares every third-party package that src/adlab imports, so `pip install .` can run it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_declared():
    imported = set()
    for path in (PROJECT / "src" / "adlab").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                imported.add(node.module.split(".")[0])
    third_party = sorted(name for name in imported if name not in sys.stdlib_module_names and name != "adlab")
    distributions = packages_distributions()
    needed = {name: {normalised(dist) for dist in distributions.get(name, [name])} for name in third_party}
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {normalised(re.split(r"[<>=!~;\[ ]", requirement)[0]) for requirement in project["dependencies"]}
    undeclared = sorted(name for name, dists in needed.items() if not dists & declared)
    assert not undeclared, f"imported by src/adlab but not in pyproject.toml dependencies: {', '.join(undeclared)}"
