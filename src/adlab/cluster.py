"""Where a stage's work by account runs: in this process, on a local Dask cluster, or on an existing one.

- `ADLAB_SCHEDULER=tcp://host:port` (or `cluster.scheduler` in params.yaml): the Dask cluster at that address.
  Its workers must see the project folder at the same path (they read and write the partitions).
- Otherwise one account, or less than `cluster.in_process_rows` input rows, runs here: no start-up cost.
- Otherwise a `LocalCluster` of `cluster.workers` processes (`ADLAB_WORKERS`; 0 = one per core), one task
  at a time each, polars' threads shared out between them. With `cluster.keep_alive` seconds (the default),
  it outlives the stage for the next stages of the run (`adlab.standing`); with 0 each stage starts its own.

Results come back in the order of the work items whatever finishes first, so outputs never depend on the
number of workers; progress is printed as accounts done / total.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import logging
import os
import pickle
import resource
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import polars as pl

from adlab import standing
from adlab.errors import AdlabError
from adlab.params import ClusterParams

SCHEDULER_ENV = "ADLAB_SCHEDULER"
WORKERS_ENV = "ADLAB_WORKERS"
# Tasks per worker: enough to even out accounts of different sizes, few enough to keep the overhead small.
TASKS_PER_WORKER = 4
# A task's rows at most (more tasks than TASKS_PER_WORKER when needed): what one worker holds at once.
MAX_TASK_ROWS = 2_000_000
# A table a task returns of at least this many bytes comes back as a file (see _tables_as_files).
FILE_BYTES = 1 << 20

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Where:
    """Where work runs: `address` of an existing scheduler, else `workers` local processes (0: this process)."""

    address: str | None = None
    workers: int = 0
    keep_alive: float = 0.0  # seconds a local cluster stays up for the next stage (0: stopped with this one)

    @property
    def in_process(self) -> bool:
        return self.address is None and self.workers == 0

    def describe(self) -> str:
        if self.address:
            return f"on the Dask cluster at {self.address}"
        if self.workers:
            return f"on a local Dask cluster of {self.workers} worker(s)"
        return "in this process"


def choose(accounts: int, rows: int, settings: ClusterParams) -> Where:
    """Where `accounts` accounts of `rows` input rows in all are worked on (see the module docstring).

    Raises:
        AdlabError: ADLAB_WORKERS is not a whole number.
    """
    address = os.environ.get(SCHEDULER_ENV, "").strip() or settings.scheduler.strip()
    if address:
        return Where(address=address)
    try:
        asked = int(os.environ.get(WORKERS_ENV, "").strip() or settings.workers)
    except ValueError:
        raise AdlabError(f"{WORKERS_ENV}={os.environ[WORKERS_ENV]!r} should be a number of workers, e.g. 2") from None
    if accounts <= 1 or (not asked and rows < settings.in_process_rows):
        return Where()
    return Where(workers=asked or len(os.sched_getaffinity(0)), keep_alive=settings.keep_alive)


def batches(sizes: Sequence[int], parts: int) -> list[list[int]]:
    """Indexes of `sizes` dealt into at most `parts` groups of about equal total size (largest first, each to
    the lightest group), each group in index order; groups in order of their first index."""
    groups: list[list[int]] = [[] for _ in range(max(1, min(parts, len(sizes))))]
    loads = [0] * len(groups)
    for index in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += max(1, sizes[index])
    return sorted((sorted(group) for group in groups if group), key=lambda group: group[0])


def run(
    work: Callable[[Sequence[Item]], list[Result]],
    items: Sequence[Item],
    sizes: Sequence[int],
    where: Where,
    *,
    label: str,
    unit: str = "accounts",
    tasks_per_worker: int = TASKS_PER_WORKER,
) -> list[Result]:
    """`work` over `items` in batches (one result per item, in the order of `items`), `where` says: about
    `tasks_per_worker` batches per worker of about equal total size, more when one would exceed
    MAX_TASK_ROWS.

    `work` is a module-level function taking a list of items: it is what a Dask worker runs.
    """
    if not items:
        return []
    if where.in_process:
        return work(list(items))
    with client_for(where) as client, _results_folder() as folder:
        workers = len(client.scheduler_info(n_workers=-1)["workers"]) or 1
        groups = batches(sizes, max(workers * tasks_per_worker, -(-sum(sizes) // MAX_TASK_ROWS)))
        print(f"{label}: {len(items)} {unit} in {len(groups)} task(s) {where.describe()}", file=sys.stderr)
        sent = functools.partial(_tables_as_files, work, folder)
        gathered: list[Result] = _gather(client, sent, items, groups, label=f"{label}: {unit}")
        print_peak_memory(client, label=label)
        return gathered


@contextlib.contextmanager
def _results_folder() -> Iterator[Path]:
    """A folder in the project (which workers must see, as they see the partitions) for the tables a task
    returns; removed after."""
    folder = (Path.cwd() / ".adlab" / "results" / str(os.getpid())).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class _TablesOut(pickle.Pickler):
    """Pickles a task's result with each sizeable table written to an Arrow IPC file of its own instead."""

    def __init__(self, file: BinaryIO, folder: Path) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder = folder

    def persistent_id(self, obj: Any) -> str | None:
        if not isinstance(obj, pl.DataFrame) or obj.estimated_size() < FILE_BYTES:
            return None
        path = self.folder / f"{uuid.uuid4().hex}.arrow"
        obj.write_ipc(path, compression="uncompressed")
        return str(path)


class _TablesIn(pickle.Unpickler):
    """Unpickles what _TablesOut pickled, reading each table back from its file (then removed)."""

    def persistent_load(self, pid: Any) -> pl.DataFrame:
        path = Path(pid)
        frame = pl.read_ipc(path)
        path.unlink()
        return frame


def _tables_as_files(work: Callable[[Sequence[Item]], list[Result]], folder: Path, batch: Sequence[Item]) -> bytes:
    """`work(batch)` as a Dask worker returns it: pickled, its tables of FILE_BYTES or more written to files in
    `folder`. Reading those back costs the stage much less than receiving them over the scheduler's
    connection and unpickling them (ingest's parsed exports: about 1 GB at 1M rows, received while the
    workers are still busy)."""
    buffer = BytesIO()
    _TablesOut(buffer, folder).dump(work(batch))
    return buffer.getvalue()


def _from_files(blob: bytes) -> Any:
    return _TablesIn(BytesIO(blob)).load()


def _gather(client: Any, work: Callable[..., Any], items: Sequence[Any], groups: list[list[int]], *, label: str) -> Any:
    from distributed import as_completed

    started = time.perf_counter()
    futures = {}
    for group in groups:
        [data] = client.scatter([[items[i] for i in group]], hash=False)
        futures[client.submit(work, data, pure=False)] = group
    results: list[Any] = [None] * len(items)
    done = 0
    step = max(1, len(items) // 10)
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        group = futures[future]
        for index, result in zip(group, _from_files(future.result()), strict=True):
            results[index] = result
        before, done = done, done + len(group)
        if done == len(items) or done // step > before // step:
            elapsed = time.perf_counter() - started
            print(f"{label} {done}/{len(items)} done ({elapsed:.1f}s)", file=sys.stderr, flush=True)
    return results


def print_peak_memory(client: Any, *, label: str) -> int:
    """Print `<label>: workers' peak memory <max> MB` (the largest peak RSS of the client's workers) to stderr
    and return that many MB (0 without workers).

    A worker's peak is over its whole life: on an existing cluster it may come from earlier work.
    """
    peaks: dict[str, int] = client.run(_peak_rss_kb)
    largest = max(peaks.values(), default=0) // 1024
    print(f"{label}: workers' peak memory {largest} MB", file=sys.stderr, flush=True)
    return largest


def _peak_rss_kb() -> int:
    """This process's peak resident memory in KB; run on each worker.

    On Linux, VmHWM of /proc/self/status: ru_maxrss also keeps the peak of the process that started this one
    (a local cluster's workers are spawned by the stage process, so they would show its memory as theirs).
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii").splitlines()
    except OSError:
        status = []
    for line in status:
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KB elsewhere


@contextlib.contextmanager
def client_for(where: Where) -> Iterator[Any]:
    """A Dask client on the cluster `where` names, or on a local cluster: standing for the next stages
    (`adlab.standing`) or started and stopped for this one."""
    from distributed import Client

    if where.address:
        with Client(where.address, timeout="30s") as client:  # type: ignore[no-untyped-call]
            yield client
        return
    # Polars sizes its thread pool when imported: the workers share the cores instead of each taking all.
    polars_threads = max(1, len(os.sched_getaffinity(0)) // where.workers)
    with contextlib.ExitStack() as stack:
        if where.keep_alive > 0:
            client = stack.enter_context(standing.client(where.workers, polars_threads, where.keep_alive))
        else:
            cluster = stack.enter_context(local_cluster(where.workers, polars_threads))
            client = stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]
        if client.dashboard_link and _has_dashboard():
            print(f"Dask dashboard: {client.dashboard_link}", file=sys.stderr)
        yield client


def local_cluster(workers: int, polars_threads: int) -> Any:
    """A `LocalCluster` of `workers` processes, one task at a time each, each with `polars_threads` threads."""
    from distributed import LocalCluster

    return LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: never "port 8787 is already in use"
        # Shutting down, workers may log a closed connection mid-heartbeat: noise, not news for the user.
        silence_logs=logging.CRITICAL,
        env={"POLARS_MAX_THREADS": str(polars_threads)},
    )


def _has_dashboard() -> bool:
    """The Dask dashboard needs bokeh, which adlab does not install: without it, no dashboard is started."""
    return importlib.util.find_spec("bokeh") is not None
