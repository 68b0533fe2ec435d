"""The `adlab` command: thin typer commands that delegate to the library and to DVC.

Like git and dvc, it works on the project it is run in: the root is the nearest
folder above the current one that holds `dvc.yaml` (`--project` overrides).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from adlab.errors import AdlabError

app = typer.Typer(help="adlab: reproducible advertising analytics on your own exports.", no_args_is_help=True)
state: dict[str, Path] = {}


def find_project(start: Path) -> Path:
    """The nearest folder at or above `start` holding dvc.yaml.

    Raises:
        AdlabError: no such folder.
    """
    for folder in (start, *start.parents):
        if (folder / "dvc.yaml").is_file():
            return folder
    raise AdlabError(f"no adlab project (a folder with dvc.yaml) at or above {start}; use --project DIR.")


def project() -> Path:
    if "root" not in state:
        state["root"] = find_project(Path.cwd())
    return state["root"]


@app.callback()
def main(
    project_dir: Annotated[
        Path | None, typer.Option("--project", help="project folder (default: nearest folder with dvc.yaml)")
    ] = None,
) -> None:
    """adlab: reproducible advertising analytics on your own exports."""
    state.clear()
    if project_dir is not None:
        try:
            state["root"] = find_project(project_dir.resolve())
        except AdlabError as err:
            _fail(err)


def _fail(err: AdlabError) -> None:
    typer.echo(f"adlab: {err}", err=True)
    raise typer.Exit(1)


@app.command()
def report(
    force: Annotated[bool, typer.Option("--force", help="re-run every stage even when nothing changed")] = False,
) -> None:
    """Run the pipeline (dvc repro) and print where the reports are."""
    try:
        root = project()
    except AdlabError as err:
        _fail(err)
    command = [sys.executable, "-m", "dvc", "repro", *(["--force"] if force else [])]
    code = subprocess.call(command, cwd=root)
    if code:
        raise typer.Exit(code)
    typer.echo(f"Reports: {root / 'reports' / 'index.html'}")


@app.command()
def summary() -> None:
    """Print the latest complete week's headline figures from metrics/summary.json."""
    try:
        path = project() / "metrics" / "summary.json"
        if not path.exists():
            raise AdlabError(f"{path} does not exist yet; run `adlab report` (or `make report`) first.")
    except AdlabError as err:
        _fail(err)
    figures = json.loads(path.read_text(encoding="utf-8"))
    currency = figures.get("currency") or ""
    lines = [f"Week {figures['week']} ({figures.get('data_source', 'raw')} data)"]
    for key, label, kind in (
        ("spend", "Spend", "money"), ("purchase_value", "Purchase value", "money"), ("roas", "ROAS", "x"),
        ("cpa", "CPA", "money"), ("ctr", "CTR", "pct"), ("cpm", "CPM", "money"), ("cvr", "CVR", "pct"),
        ("revenue", "Store revenue", "money"), ("mer", "MER", "x"),
    ):
        value, before = figures.get(key), figures.get("previous", {}).get(key)
        text = "n/a" if value is None else (
            f"{value:,.2f} {currency}" if kind == "money" else f"{value:.2f}x" if kind == "x" else f"{value:.2%}"
        )
        change = f"  ({(value - before) / before:+.1%} vs previous week)" if value is not None and before else ""
        lines.append(f"  {label:<15} {text}{change}")
    typer.echo("\n".join(lines))


if __name__ == "__main__":
    app()
