"""The command line every DVC stage script shares, written once.

A stage script is a `main` function whose parameters are its options, run by `run(main)`:

    def main(
        kpis_daily: Annotated[Path, stage.path("kpis_daily.parquet from the kpis stage")],
        out: Annotated[Path, stage.path("creatives.parquet to write")],
        settings: stage.Settings = stage.PARAMS_YAML,
    ) -> None:

`--kpis-daily` and `--out` are then required options (a default makes one optional), `--params FILE` arrives
as validated settings, the script's docstring is its `--help`, and bad input or settings (AdlabError) end
the stage with one line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from adlab.errors import exit_on_error
from adlab.params import Params, load_params


def _load_settings(value: str | Path) -> Params:
    return load_params(Path(value))


Settings = Annotated[
    Params,
    typer.Option("--params", parser=_load_settings, metavar="FILE", help="settings file (sections per stage)"),
]
# Default of a `Settings` parameter: typer reads it through load_params like a given --params.
PARAMS_YAML: Any = Path("params.yaml")


def path(description: str) -> Any:
    """An option naming a file or folder, with its help text; the flag is the parameter's name (`out_dir` ->
    `--out-dir`)."""
    return typer.Option(help=description, show_default=False)


def run(main: Callable[..., None]) -> None:
    """Parse the command line into `main`'s parameters and call it; the docstring of `main`'s module is --help."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    app.command(help=sys.modules[main.__module__].__doc__)(main)
    # AdlabError may come from --params, read while the command line is parsed, so the whole run is guarded.
    exit_on_error(app)()
