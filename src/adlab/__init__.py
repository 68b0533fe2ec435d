"""adlab: reproducible e-commerce advertising analytics on your own exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from adlab.insights import Answer

__version__ = "0.1.0"


def ask(question: str, project: str | Path | None = None) -> Answer:
    """Answer a question from the project's tables, in a notebook: `from adlab import ask; ask("...")`.

    The answer shows as text plus its figures; `.figures` is a polars frame. See adlab.workbench.ask.
    """
    # Imported here, so that `import adlab` (which every pipeline stage does) loads nothing else.
    from adlab.workbench import ask as workbench_ask

    return workbench_ask(question, project)
