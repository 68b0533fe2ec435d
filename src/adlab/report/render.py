"""Rendering a weekly page: papermill runs notebooks/weekly_report.ipynb in the `adlab` kernel, nbconvert
makes one offline HTML file."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adlab import io
from adlab.errors import AdlabError
from adlab.report.html import TEMPLATE_NAME, TEMPLATES_DIR

# The kernel `make setup` installs into .venv; python3 (this interpreter) where it is not installed.
KERNEL = "adlab"


FALLBACK_KERNEL = "python3"


def _kernel_config(socket_dir: str) -> Any:
    """Kernel settings: a quiet log, and local sockets in `socket_dir` instead of unencrypted TCP where the OS has them.

    Each render gets its own folder, so kernels started side by side never share a socket.
    """
    from traitlets.config import Config

    config = Config()
    # The kernel's own log only tells of its start and stop (jupyter_client interrupts it on shutdown, which
    # it may log as an error); a failing cell reaches us as PapermillExecutionError all the same.
    config.NotebookClient.extra_arguments = ["--IPKernelApp.log_level=CRITICAL"]
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(socket_dir, "kernel")
    return config


def kernel_name() -> str:
    """The project's kernel when installed (make setup does), else the plain python3 kernel of this interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        return FALLBACK_KERNEL
    return KERNEL


def render_week(week: str, parameters: Mapping[str, Any], out_html: Path, *, notebook: Path) -> Path:
    """Run the report notebook for one ISO week and write it as one offline HTML page.

    Args:
        week: ISO week label, e.g. 2026-W47.
        parameters: the notebook's other parameters (see its `parameters` cell); `*_path` values are
            made absolute, so relative paths mean relative to the current folder.
        out_html: the page to write (atomically).
        notebook: the papermill template, notebooks/weekly_report.ipynb.

    Raises:
        AdlabError: a cell of the notebook failed; the message names the cell and the error.
    """
    # Imported here, not at the top: the notebook's kernel imports this module and never renders.
    import papermill
    from nbconvert import HTMLExporter

    values = {
        name: str(Path(value).resolve()) if name.endswith("_path") else value for name, value in parameters.items()
    }
    try:
        with tempfile.TemporaryDirectory(prefix="adlab-kernel-") as socket_dir:
            executed = papermill.execute_notebook(
                notebook,
                None,
                parameters={**values, "week": week},
                progress_bar=False,
                cwd=notebook.resolve().parent,
                config=_kernel_config(socket_dir),
                kernel_name=kernel_name(),
            )
    except papermill.PapermillExecutionError as err:
        raise AdlabError(
            f"{notebook}: the report for {week} failed in cell {err.exec_count}: {err.ename}: {err.evalue}"
        ) from err
    # Code cells without output (parameters, set-up) would leave empty boxes; notes for notebook users go too.
    executed.cells = [
        cell
        for cell in executed.cells
        if (cell.cell_type != "code" or cell.outputs) and "remove-cell" not in cell.metadata.get("tags", [])
    ]
    executed.metadata["title"] = f"Advertising report {week}"
    # nbconvert is typed, but its exporters' __init__(config=None, **kw) carries no annotations.
    exporter = HTMLExporter(  # type: ignore[no-untyped-call]
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    outputs = _park_html_outputs(executed)
    page, _ = exporter.from_notebook_node(executed)
    io.write_text(_unpark_html_outputs(page, outputs), out_html)
    return out_html


def _park_html_outputs(notebook: Any) -> dict[str, str]:
    """Swap every HTML output of the executed notebook for a placeholder comment; the outputs by placeholder.

    nbconvert's HTMLExporter parses and re-serialises the whole page with BeautifulSoup, to add alt text to
    images and tabindex to the cells of its own notebook layout (which the adlab template does not use). The
    outputs are HTML this module wrote, without images; parsing them took about a second per 10,000 table cells,
    half a minute for an agency's campaign tree. They go round that pass as placeholders and come back byte for
    byte; the page is the one the pass would have written, up to how it spells the same HTML (`<br>` for `<br/>`).
    """
    marker = f"adlab-output-{uuid.uuid4().hex}"
    parked: dict[str, str] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                key = f"{marker}-{len(parked)}"
                value = data["text/html"]
                parked[key] = "".join(value) if isinstance(value, list) else value
                data["text/html"] = f"<!--{key}-->"
    return parked


def _unpark_html_outputs(page: str, parked: Mapping[str, str]) -> str:
    """The page with each placeholder of _park_html_outputs replaced by its output."""
    if not parked:
        return page
    marker = next(iter(parked)).rsplit("-", 1)[0]
    placeholders = re.compile(rf"<!--({re.escape(marker)}-\d+)-->")
    return placeholders.sub(lambda match: parked[match.group(1)], page)
