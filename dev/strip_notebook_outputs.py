"""Clear the outputs and execution counts of notebooks, so they are committed as code and text only.

`python dev/strip_notebook_outputs.py NOTEBOOK...` (the pre-commit hook passes the staged ones). A notebook
without outputs is left byte for byte as it is; one with outputs is rewritten as nbformat writes it
(one-space indent, keys in their order). Exits 1 when it changed a file, so the commit stops for a re-add.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def strip(notebook: dict) -> bool:
    """Clear every code cell's outputs and execution count in place; True when there was something to clear."""
    changed = False
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            cell["outputs"], cell["execution_count"] = [], None
            changed = True
    return changed


def main(paths: list[str]) -> int:
    changed = []
    for path in map(Path, paths):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if strip(notebook):
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            changed.append(str(path))
    for path in changed:
        print(f"stripped outputs: {path}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
