"""Rendering a weekly page: papermill runs notebooks/weekly_report.ipynb in the `adlab` kernel, nbconvert
makes one offline HTML file.

A process that renders several pages keeps one kernel for them (`_Kernels`): starting a kernel and importing
the notebook's modules took about half of each page's 2 s. Each page starts from an empty namespace
(`%reset -f` before its first cell), so a page never sees another's variables; after a failed page the kernel
is replaced. The kernel stops with the process (and on its own when the process is killed: ipykernel watches
its parent).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adlab import io
from adlab.errors import AdlabError
from adlab.report.html import TEMPLATE_NAME, TEMPLATES_DIR
from adlab.standing import alive

# The kernel `make setup` installs into .venv; python3 (this interpreter) where it is not installed.
KERNEL = "adlab"


FALLBACK_KERNEL = "python3"


# The kernel's own log only tells of its start and stop (jupyter_client interrupts it on shutdown, which it may
# log as an error); a failing cell reaches us as PapermillExecutionError all the same.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
MAX_KEPT = 2  # kernels a process keeps at most (one per notebook folder and thread; each holds ~100 MB)
SOCKETS = "adlab-kernel-"  # a kept kernel's socket folder in the temp folder: adlab-kernel-<pid>-<random>
ENGINE = "adlab-kept-kernel"  # the papermill engine that runs a notebook in the process's kept kernel


class _Kernels:
    """This process's kept kernels: one per (kernel name, folder, thread), so pages rendered side by side in
    threads never share one; started on first use, replaced when it died or a page failed in it, shut down at
    exit. Local sockets in a folder of their own instead of unencrypted TCP where the OS has them, so kernels
    side by side never share a socket."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str, int], tuple[Any, tempfile.TemporaryDirectory[str]]] = {}
        atexit.register(self.shutdown)

    def get(self, name: str, cwd: Path) -> Any:
        """The running kernel kept for (name, cwd) in this thread, started when there is none (or it died); the
        least recently used kernels stop so that at most MAX_KEPT stay."""
        from jupyter_client.manager import KernelManager

        key = (name, str(cwd), threading.get_ident())
        with self._lock:
            kept = self._kept.pop(key, None)
            if kept is not None and kept[0].is_alive():
                self._kept[key] = kept  # the most recently used last
                return kept[0]
            stale = [kept] if kept is not None else []
            while len(self._kept) >= MAX_KEPT:
                stale.append(self._kept.pop(next(iter(self._kept))))
        for old in stale:
            _stop(old)
        _sweep_sockets()
        sockets = tempfile.TemporaryDirectory(prefix=f"{SOCKETS}{os.getpid()}-")
        manager = KernelManager(kernel_name=name)
        if os.name == "posix":
            manager.transport = "ipc"
            manager.ip = os.path.join(sockets.name, "kernel")
        manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=str(cwd))
        with self._lock:
            self._kept[key] = (manager, sockets)
        return manager

    def drop(self, name: str, cwd: Path) -> None:
        """Stop the kernel kept for (name, cwd) in this thread, if any."""
        with self._lock:
            kept = self._kept.pop((name, str(cwd), threading.get_ident()), None)
        if kept is not None:
            _stop(kept)

    def shutdown(self) -> None:
        """Stop every kept kernel (at exit)."""
        with self._lock:
            kept, self._kept = list(self._kept.values()), {}
        for each in kept:
            _stop(each)


@functools.cache
def _sweep_sockets() -> None:
    """Remove the socket folders of processes that ended without stopping their kernels (a Dask worker is ended
    without running exit handlers; its kernels stop on their own, their folders stay): once per process."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKETS}*-*"):
        pid = folder.name.removeprefix(SOCKETS).split("-", 1)[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _stop(kept: tuple[Any, tempfile.TemporaryDirectory[str]]) -> None:
    manager, sockets = kept
    with contextlib.suppress(Exception):  # a kernel already gone has nothing left to stop
        manager.shutdown_kernel(now=True)
    sockets.cleanup()


_KERNELS = _Kernels()


@functools.cache
def _register_engine() -> None:
    """Register ENGINE with papermill: its NBClientEngine, run in a kernel it is given (`km`), which it leaves
    running; each notebook first resets the kernel's namespace, and the client's channels close after it."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class KeptKernelClient(PapermillNotebookClient):  # type: ignore[misc]
        def execute(self, **kwargs: Any) -> Any:
            self.reset_execution_trackers()
            with self.setup_kernel(**kwargs):
                try:
                    self.wait_for_reply(self.kc.execute("%reset -f", silent=True, store_history=False))
                    self.papermill_execute_cells()
                    info = self.wait_for_reply(self.kc.kernel_info())
                    self.nb.metadata["language_info"] = info["content"]["language_info"]
                    self.set_widgets_metadata()
                finally:
                    self.kc.stop_channels()  # the kernel stays; its client's sockets go
            return self.nb

    class KeptKernelEngine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            start_timeout = kwargs.pop("start_timeout", 60)
            for unused in ("input_path", "timeout", "startup_timeout", "execution_timeout"):
                kwargs.pop(unused, None)
            return KeptKernelClient(nb_man, kernel_name=kernel_name, startup_timeout=start_timeout, **kwargs).execute()

    papermill_engines.register(ENGINE, KeptKernelEngine)


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
    name, folder = kernel_name(), notebook.resolve().parent
    _register_engine()
    try:
        executed = papermill.execute_notebook(
            notebook,
            None,
            parameters={**values, "week": week},
            progress_bar=False,
            engine_name=ENGINE,
            kernel_name=name,
            km=_KERNELS.get(name, folder),
        )
    except Exception as err:
        _KERNELS.drop(name, folder)  # the next page starts in a new kernel
        if isinstance(err, papermill.PapermillExecutionError):
            # Named by its first line: the kept kernel's execution count runs on from page to page.
            line = next((text.strip() for text in str(err.source).splitlines() if text.strip()), "")
            cell = line if len(line) <= 60 else f"{line[:57]}..."
            raise AdlabError(
                f"{notebook}: the report for {week} failed in the cell `{cell}`: {err.ename}: {err.evalue}"
            ) from err
        raise
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
