"""A stage's work split by account: each account's rows -> its output tables, kept as partitions.

Each account's outputs land in `<folder>/<table>/account=<name>/part-0.parquet` (hive style:
`pl.read_parquet("<folder>/<table>")` reads them as one table, `account` included);
`<folder>/manifest.json` holds the digest of each account's inputs, settings and code, so an account
whose digest did not change is not recomputed. The work runs where `cluster.choose` says; the combined
tables are the partitions in account order, sorted by each table's key, so they are the same bytes
whatever ran them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from adlab import accounts, cluster, io

MANIFEST = "manifest.json"
PART = "part-0.parquet"
PACKAGE = Path(__file__).resolve().parent
ROW_GROUP = 20_000  # rows per row group of the inputs sent to workers as files

# What a stage does for one account: (account, its input tables, its settings) -> output tables by name.
Compute = Callable[[str | None, dict[str, pl.DataFrame], Any], dict[str, pl.DataFrame]]
# The same for several accounts of the same settings at once (accounts, their input tables, the settings),
# each account's outputs exactly what Compute gives it: for work with a cost per call (GX's validations).
ComputeMany = Callable[[Sequence[str | None], Sequence[dict[str, pl.DataFrame]], Any], list[dict[str, pl.DataFrame]]]


@dataclass(frozen=True)
class Stage:
    """One stage's work by account: its name, the function it runs per account, and its outputs' sort keys."""

    name: str
    compute: Compute | None
    sort_keys: Mapping[str, Sequence[str]]  # output table -> the columns its combined rows are sorted by
    many: ComputeMany | None = None  # given: the accounts of a task are computed together
    # Tasks per worker: several balance uneven accounts; one suits work with a cost per task (GX's passes).
    tasks_per_worker: int = cluster.TASKS_PER_WORKER

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(self.sort_keys)


@dataclass(frozen=True)
class Task:
    """One account's work, as it travels to a worker: its input tables, or the files holding every account's
    inputs (`sources`, read on the worker: pickling the rows in this process and sending them costs more)."""

    compute: Compute | None
    account: str | None
    inputs: dict[str, pl.DataFrame]
    settings: Any
    folder: Path
    many: ComputeMany | None = None
    sources: tuple[tuple[str, Path], ...] = ()  # (input table, parquet file of all accounts' rows)


def run_tasks(tasks: Sequence[Task]) -> list[dict[str, int]]:
    """Compute and write each task's outputs (what a Dask worker runs); their row counts, in task order.

    Tasks of a stage with `many` and the same settings are computed together."""
    tasks = _with_inputs(tasks)
    counts = []
    start = 0
    while start < len(tasks):
        first = tasks[start]
        end = start + 1
        while (
            first.many and end < len(tasks) and tasks[end].many is first.many and tasks[end].settings == first.settings
        ):
            end += 1
        group = tasks[start:end]
        if first.many:
            results = first.many([task.account for task in group], [task.inputs for task in group], first.settings)
        else:
            results = [_compute(task) for task in group]
        for task, outputs in zip(group, results, strict=True):
            for name, frame in outputs.items():
                io.write_parquet(frame, place(task.folder, name, task.account))
            counts.append({name: frame.height for name, frame in outputs.items()})
        start = end
    return counts


def _with_inputs(tasks: Sequence[Task]) -> list[Task]:
    """`tasks` with their input tables: those sent as files are read once for all the tasks' accounts."""
    sources = {source for task in tasks for source in task.sources}
    if not sources:
        return list(tasks)
    wanted = [task.account for task in tasks if task.sources]
    named = [account for account in wanted if account is not None]
    keep = pl.col("account").is_in(named)
    if None in wanted:
        keep = keep | pl.col("account").is_null()
    parts: dict[str, tuple[dict[str | None, pl.DataFrame], pl.DataFrame]] = {}  # table -> (by account, empty)
    for name, path in sorted(sources):
        rows = pl.scan_parquet(path)
        if "account" in rows.collect_schema().names():
            rows = rows.filter(keep)
        frame = rows.collect()  # the rows keep their order: the parts are those split in the stage's process
        parts[name] = (accounts.split(frame), frame.clear())

    def own(task: Task) -> dict[str, pl.DataFrame]:
        return {name: parts[name][0].get(task.account, parts[name][1]) for name, _ in task.sources}

    return [replace(task, sources=(), inputs=own(task)) if task.sources else task for task in tasks]


def _compute(task: Task) -> dict[str, pl.DataFrame]:
    if task.compute is None:
        raise RuntimeError("a task without a compute function")  # a stage defines compute or many
    return task.compute(task.account, task.inputs, task.settings)


def run_by_account(
    stage: Stage,
    inputs: Mapping[str, pl.DataFrame],
    settings_for: Callable[[str | None], Any],
    folder: Path,
    where: Callable[[int, int], cluster.Where],
) -> dict[str, pl.DataFrame]:
    """`stage.compute` for every account of `inputs` (recomputing only the accounts whose digest changed),
    then its outputs over all accounts.

    `where(accounts, rows)` says where the accounts to compute run (`cluster.choose` with the settings).
    """
    rows = {name: _rows_by_account(frame) for name, frame in inputs.items()}
    owners = accounts.ordered({account for by_account in rows.values() for account in by_account})
    folder = folder.absolute()  # workers of a cluster may start elsewhere: they are told where, in full
    folder.mkdir(parents=True, exist_ok=True)  # a stage output, even when there is nothing to keep
    if not owners:  # no rows at all: the outputs' empty shapes, nothing to keep
        _remove_others(folder, stage.outputs, set())
        io.write_json({}, folder / MANIFEST)
        return _compute_here(stage, dict(inputs), settings_for(None))
    manifest_path = folder / MANIFEST
    manifest = _read_manifest(manifest_path)
    schemas = {name: frame.schema for name, frame in inputs.items()}
    tasks, digests, sizes = [], {}, []
    for account in owners:
        own = {name: by_account.get(account, (0, b"")) for name, by_account in rows.items()}
        settings = settings_for(account)
        key = _key(account)
        digests[key] = _digest(stage.name, own, schemas, settings)
        written = all(place(folder, name, account).exists() for name in stage.outputs)
        if manifest.get(key) != digests[key] or not written:
            tasks.append(Task(stage.compute, account, {}, settings, folder, stage.many))
            sizes.append(sum(height for height, _ in own.values()))
    _remove_others(folder, stage.outputs, {_key(account) for account in owners})
    manifest = {key: digest for key, digest in manifest.items() if key in digests}
    skipped = len(owners) - len(tasks)
    print(
        f"{stage.name}: {len(owners)} account(s): {skipped} up to date, {len(tasks)} to compute",
        flush=True,
    )
    if tasks:
        chosen = where(len(tasks), sum(sizes))
        with _sent_as_files(tasks, inputs, folder, chosen) as sent:
            cluster.run(run_tasks, sent, sizes, chosen, label=stage.name, tasks_per_worker=stage.tasks_per_worker)
        for task in tasks:
            manifest[_key(task.account)] = digests[_key(task.account)]
        io.write_json(dict(sorted(manifest.items())), manifest_path)
    return {name: combined(folder, owners, name, keys) for name, keys in stage.sort_keys.items()}


@contextmanager
def _sent_as_files(
    tasks: list[Task], inputs: Mapping[str, pl.DataFrame], folder: Path, where: cluster.Where
) -> Iterator[list[Task]]:
    """`tasks` (without their rows yet) as they travel: in this process, with their accounts' rows of `inputs`;
    to workers, with `inputs` written once to parquet files under `folder` (which workers must reach, like the
    partitions they write), removed after.

    The files are uncompressed, in small row groups: a worker reading its accounts skips the row groups of
    others (inputs come sorted by account).
    """
    if where.in_process:  # each task its account's rows (an account without rows in a table gets it empty)
        parts = {name: accounts.split(frame) for name, frame in inputs.items()}
        yield [
            replace(task, inputs={name: parts[name].get(task.account, frame.clear()) for name, frame in inputs.items()})
            for task in tasks
        ]
        return
    scratch = folder / f".inputs-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        sources = []
        for name, frame in inputs.items():
            path = scratch / f"{name}.parquet"
            frame.write_parquet(path, compression="uncompressed", row_group_size=ROW_GROUP, statistics=True)
            sources.append((name, path))
        yield [replace(task, inputs={}, sources=tuple(sources)) for task in tasks]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def place(folder: Path, table: str, account: str | None) -> Path:
    """The file of one account's part of an output table."""
    return accounts.partition(folder / table, account) / PART


def _compute_here(stage: Stage, inputs: dict[str, pl.DataFrame], settings: Any) -> dict[str, pl.DataFrame]:
    """The stage's outputs of `inputs` as one (default) account, in this process."""
    if stage.many is not None:
        return stage.many([None], [inputs], settings)[0]
    return _compute(Task(stage.compute, None, inputs, settings, Path()))


def combined(folder: Path, owners: Sequence[str | None], table: str, keys: Sequence[str]) -> pl.DataFrame:
    """One output table over all accounts: their partitions in account order, sorted by `keys`, one chunk."""
    paths = [place(folder, table, account) for account in owners]
    try:  # polars reads the files side by side (4x faster than a read each at 200 accounts)
        frame = pl.read_parquet(paths, hive_partitioning=False).rechunk()
    except pl.exceptions.PolarsError:  # the accounts' columns or types differ: lined up by name, widened
        with ThreadPoolExecutor(max_workers=min(8, len(paths))) as pool:  # polars reads without the GIL
            frames = list(pool.map(io.read_parquet, paths))
        frame = pl.concat(frames, how="diagonal_relaxed", rechunk=True)
    return frame.sort(list(keys), nulls_last=True, maintain_order=True) if keys else frame


def _rows_by_account(frame: pl.DataFrame) -> dict[str | None, tuple[int, bytes]]:
    """Each account's rows of `frame` as its digest sees them: how many, and each row's hash in row order
    (one hash over the whole table, then split: the table itself is not split by account for this)."""
    hashes = frame.hash_rows(seed=0)
    if "account" not in frame.columns:
        return {None: (frame.height, hashes.to_numpy().tobytes())} if frame.height else {}
    keyed = pl.DataFrame({"account": frame["account"], "hash": hashes})
    parts = keyed.partition_by("account", as_dict=True, maintain_order=True)
    return {key[0]: (part.height, part["hash"].to_numpy().tobytes()) for key, part in parts.items()}


def _key(account: str | None) -> str:
    return accounts.partition(Path(), account).name


def _digest(stage: str, rows: Mapping[str, tuple[int, bytes]], schemas: Mapping[str, pl.Schema], settings: Any) -> str:
    """The digest of one account's work: the stage, the code, the settings and every input row (`rows`: per
    input table, the account's row count and row hashes)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{stage}\n{code_version()}\n".encode())
    _add(digest, settings)
    for name in sorted(rows):
        height, hashes = rows[name]
        digest.update(f"{name}:{height}:{schemas[name]!r}\n".encode())
        digest.update(hashes)
    return digest.hexdigest()


def _add(digest: Any, value: Any) -> None:
    """Add a settings value to `digest`: tables by their rows (their repr is cut short), the rest by repr."""
    if isinstance(value, pl.DataFrame):
        digest.update(f"frame:{value.height}:{value.schema!r}\n".encode())
        digest.update(value.hash_rows(seed=0).to_numpy().tobytes())
    elif isinstance(value, tuple | list):
        for item in value:
            _add(digest, item)
    else:
        digest.update(f"{value!r}\n".encode())


@cache
def code_version() -> str:
    """A digest of adlab's code and of the polars that runs it: any change recomputes every account."""
    digest = hashlib.blake2b(pl.__version__.encode(), digest_size=16)
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(key): str(value) for key, value in manifest.items()} if isinstance(manifest, dict) else {}


def _remove_others(folder: Path, tables: Sequence[str], keep: set[str]) -> None:
    """Drop the partitions of accounts the inputs no longer hold."""
    for table in tables:
        for part in (folder / table).glob("account=*"):
            if part.name not in keep:
                shutil.rmtree(part)
