"""Each DVC stage depends on exactly the adlab code it runs, so an edit re-runs the stages it changes and no other.

The code a stage runs is derived, not listed by hand: its script (`pipelines/<stage>.py`) and the notebooks
its command names (papermill runs their code cells), then every `adlab.*` module they import, followed
through src/adlab, imports inside functions included (they run when the function does). Importing
`adlab.a.b` runs `adlab/a/__init__.py` too. A dep may be a module file or a folder standing for every
module under it; folders without Python (templates, catalogues) are data a stage reads and are not judged.
"""

from __future__ import annotations

import ast
import json
import shlex
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]
SRC = PROJECT / "src"
STAGES: dict[str, dict] = yaml.safe_load((PROJECT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def module_file(name: str) -> Path | None:
    """The file that defines module `name` (`adlab.kpis` -> src/adlab/kpis.py or src/adlab/kpis/__init__.py)."""
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(tree: ast.AST, package: str = "") -> set[str]:
    """Every adlab module an AST imports, anywhere in it; `package` resolves relative imports.

    `from adlab.x import y` imports `adlab.x`, and `adlab.x.y` too when y is a submodule.
    """
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if module_file(f"{base}.{alias.name}")}
    adlab = {name for name in found if name == "adlab" or name.startswith("adlab.")}
    # Importing a.b.c runs the __init__ of a and a.b first.
    return {".".join(name.split(".")[:end]) for name in adlab for end in range(1, name.count(".") + 2)}


def code_cells(notebook: Path) -> ast.Module:
    """The code cells of a notebook as one module; IPython magics and shell lines left out."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = [
        line
        for cell in cells
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if not line.lstrip().startswith(("%", "!"))
    ]
    return ast.parse("\n".join(lines), filename=str(notebook))


def modules_run(entry_points: list[Path]) -> set[Path]:
    """The adlab module files the scripts and notebooks run, imports followed transitively."""
    pending = set()
    for path in entry_points:
        tree = code_cells(path) if path.suffix == ".ipynb" else ast.parse(path.read_text(encoding="utf-8"))
        pending |= imported_modules(tree)
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        path = module_file(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        if path == ROOT_INIT:  # its one import sits in `adlab.ask`, which notebooks call and no stage does
            continue
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        pending |= imported_modules(ast.parse(path.read_text(encoding="utf-8")), package) - seen
    return {path for name in seen if (path := module_file(name)) is not None and path != ROOT_INIT}


# The package's own __init__ runs before any adlab module; it imports nothing when it runs (test below), so no
# stage lists it. Its only import is inside `adlab.ask`, the notebook's shortcut, which no stage calls.
ROOT_INIT = SRC / "adlab" / "__init__.py"


def entry_points(stage: dict) -> list[Path]:
    """The script a stage's command runs and the notebooks it names."""
    words = shlex.split(stage["cmd"])
    return [PROJECT / word for word in words if word.startswith("pipelines/") or word.endswith(".ipynb")]


def is_code_dep(dep: Path) -> bool:
    """A script, a notebook, an adlab module, or a folder of modules (not a folder of templates or data)."""
    if dep.parts[0] == "pipelines" or dep.suffix in (".py", ".ipynb"):
        return True
    return dep.parts[0] == "src" and (PROJECT / dep).is_dir() and any((PROJECT / dep).rglob("*.py"))


def folded(paths: set[Path]) -> list[str]:
    """The paths, with the modules of a package under src/adlab said as its folder when all of them are there."""
    packages = {path.parents[-4] for path in paths if len(path.parts) >= 4 and path.parts[:2] == ("src", "adlab")}
    whole = {package for package in packages if set(package_modules(package)) <= paths}
    return sorted([str(package) for package in whole] + [str(path) for path in paths if not whole & set(path.parents)])


def package_modules(package: Path) -> list[Path]:
    return [path.relative_to(PROJECT) for path in (PROJECT / package).rglob("*.py")]


def dep_mismatch(name: str, stage: dict) -> str:
    """What is wrong with one stage's code deps, as a sentence; empty when they match the code it runs."""
    entries = entry_points(stage)
    used = {path.relative_to(PROJECT) for path in modules_run(entries)}
    deps = [Path(dep) for dep in stage.get("deps", [])]
    code_deps = [dep for dep in deps if is_code_dep(dep)]
    needed = used | {entry.relative_to(PROJECT) for entry in entries}
    missing = folded({path for path in needed if not any(path == dep or dep in path.parents for dep in code_deps)})
    absent = sorted(str(dep) for dep in deps if dep.parts[0] == "src" and not (PROJECT / dep).exists())
    extra = sorted(
        str(dep)
        for dep in code_deps
        if str(dep) not in absent and not any(path == dep or dep in path.parents for path in needed)
    )
    problems = [
        f"missing deps (code it runs): {', '.join(missing)}" if missing else "",
        f"extra deps (code it does not run): {', '.join(extra)}" if extra else "",
        f"deps that do not exist: {', '.join(absent)}" if absent else "",
    ]
    said = "; ".join(problem for problem in problems if problem)
    return f"dvc.yaml stage `{name}`: {said}" if said else ""


@pytest.mark.parametrize("name", sorted(STAGES))
def test_stage_deps_are_the_code_it_runs(name):
    problem = dep_mismatch(name, STAGES[name])
    assert not problem, problem


def test_root_package_init_imports_nothing_when_it_runs():
    tree = ast.parse(ROOT_INIT.read_text(encoding="utf-8"))
    runs = [node for node in tree.body if not (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))]
    imported = {
        alias.name
        for node in runs
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if not (isinstance(node, ast.ImportFrom) and node.module in ("__future__", "typing"))
    }
    assert not imported, imported


def test_dep_mismatch_names_missing_and_extra_deps():
    stage = {
        "cmd": "python pipelines/creatives.py --params params.yaml --out data/processed/creatives.parquet",
        "deps": ["pipelines/creatives.py", "src/adlab/sources", "src/adlab/templates", "data/processed"],
    }
    message = dep_mismatch("creatives", stage)
    assert message.startswith("dvc.yaml stage `creatives`: missing deps (code it runs): ")
    assert "src/adlab/creatives.py" in message
    assert "extra deps (code it does not run): src/adlab/sources" in message
    assert "templates" not in message


def test_imported_modules_follows_submodules_relative_imports_and_imports_in_functions():
    tree = ast.parse(
        "from adlab import io\n"
        "from adlab.sources import Parsed, meta_ads\n"
        "from .common import Detection\n"
        "def late():\n"
        "    import adlab.kpis\n"
    )
    assert imported_modules(tree, package="adlab.sources") == {
        "adlab",
        "adlab.io",
        "adlab.sources",
        "adlab.sources.meta_ads",
        "adlab.sources.common",
        "adlab.kpis",
    }
