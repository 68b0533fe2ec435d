"""A local Dask cluster that outlives the stage that started it, for the next stages of the same run.

DVC runs each stage as its own process. Started and stopped by each stage, a local cluster costs every stage
its start-up and its workers' imports (great-expectations' 3 s on each worker in validate) and keeps the
workers cold. With `cluster.keep_alive: S` (seconds, params.yaml), the first stage that needs a local
cluster starts one in a process of its own (`python -m adlab.standing`), which writes where it listens to
`.adlab/cluster/local-<workers>.json` in the project; the next stages connect to it. It stops itself once no
client has used it for S seconds, or when a newer cluster replaces it.

A standing cluster is used only when it was started by the same Python with the same adlab code and the same
worker count and threads; otherwise it is stopped and a new one started. Results never depend on it: a stage
gets the same bytes from a fresh cluster, a standing one, or its own process.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from adlab.errors import AdlabError

FOLDER = Path(".adlab") / "cluster"  # in the project (the stages' working directory); gitignored
START_SECONDS = 120.0  # a cluster that is not listening by then did not start
POLL_SECONDS = 0.5


def state_path(workers: int) -> Path:
    """Where the standing local cluster of `workers` workers says where it listens."""
    return (Path.cwd() / FOLDER / f"local-{workers}.json").absolute()


def key(workers: int, polars_threads: int) -> str:
    """What a standing cluster must have been started with for a stage to use it."""
    from adlab.partitions import code_version

    return f"{sys.executable}|{code_version()}|workers={workers}|polars_threads={polars_threads}"


@contextlib.contextmanager
def client(workers: int, polars_threads: int, keep_alive: float) -> Iterator[Any]:
    """A client of the standing local cluster of `workers` workers, started first when there is none (or the
    one there was started by other code or settings)."""
    from distributed import Client

    state = state_path(workers)
    wanted = key(workers, polars_threads)
    with _locked(state.with_suffix(".lock")):
        address = _running(state, wanted)
        try:
            connected = Client(address, timeout="10s") if address else None  # type: ignore[no-untyped-call]
        except OSError:  # it stopped between the look and the call (TimeoutError is an OSError): a new one
            connected = None
        if connected is None:
            _stop(state)
            address = _start(state, wanted, workers, polars_threads, keep_alive)
            connected = Client(address, timeout="30s")  # type: ignore[no-untyped-call]
    with connected:
        connected.wait_for_workers(workers, timeout=START_SECONDS)
        yield connected


def stop(workers: int | None = None) -> None:
    """Stop the standing local cluster(s) of this project (of `workers` workers, or all) and wait for them."""
    folder = (Path.cwd() / FOLDER).absolute()
    paths = [state_path(workers)] if workers else sorted(folder.glob("local-*.json"))
    for path in paths:
        with _locked(path.with_suffix(".lock")):
            _stop(path)


def _running(state: Path, wanted: str) -> str | None:
    """The address of the standing cluster `state` describes, when it is alive and was started as `wanted`;
    otherwise None, after stopping whatever is there."""
    facts = _read(state)
    pid = facts.get("pid")
    if facts.get("key") == wanted and isinstance(pid, int) and _serves(pid, state):
        return str(facts["address"])
    _stop(state)
    return None


def _start(state: Path, wanted: str, workers: int, polars_threads: int, keep_alive: float) -> str:
    """Start a standing cluster in a process of its own and return its address once it listens.

    Raises:
        AdlabError: it did not start (the line says where its log is).
    """
    state.parent.mkdir(parents=True, exist_ok=True)
    log = state.with_suffix(".log")
    command = [sys.executable, "-m", "adlab.standing", "--state", str(state), "--key", wanted]
    command += ["--workers", str(workers), "--polars-threads", str(polars_threads), "--keep-alive", str(keep_alive)]
    with log.open("wb") as output:
        # Started through `--detach` (which starts it and exits): not this process's child, in its own session,
        # with no inherited pipes, so DVC waits for the stage, not for the cluster it leaves behind.
        launched = subprocess.run(
            [*command, "--detach"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=output, check=False
        )
    pid = int(launched.stdout or 0) if launched.returncode == 0 and launched.stdout.strip().isdigit() else 0
    deadline = time.monotonic() + START_SECONDS
    while pid and time.monotonic() < deadline:
        facts = _read(state)
        if facts.get("pid") == pid and facts.get("address"):
            return str(facts["address"])
        if not alive(pid):
            break
        time.sleep(0.05)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    raise AdlabError(f"the local Dask cluster did not start; its log: {os.path.relpath(log)}")


def _stop(state: Path) -> None:
    """Stop the cluster `state` describes (when alive) and forget it."""
    pid = _read(state).get("pid")
    if isinstance(pid, int) and _serves(pid, state):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    state.unlink(missing_ok=True)


def _serves(pid: int, state: Path) -> bool:
    """Whether process `pid` is alive and is the standing cluster of `state` (a pid the kernel gave to another
    process since is never stopped)."""
    if not alive(pid):
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:  # no /proc (macOS): trust the pid
        return True
    return b"adlab.standing" in command and os.fsencode(state) in command


def alive(pid: Any) -> bool:
    """Whether `pid` names a running process (not one that ended, nor a zombie)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a child of ours that ended but was not waited for is a zombie: not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _read(state: Path) -> dict[str, Any]:
    try:
        facts = json.loads(state.read_text())
    except (OSError, ValueError):
        return {}
    return facts if isinstance(facts, dict) else {}


@contextlib.contextmanager
def _locked(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on `path` (stages started side by side start one cluster, not two); without
    `wait`, yield False at once when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def serve(state: Path, wanted: str, workers: int, polars_threads: int, keep_alive: float) -> None:
    """Run a local cluster until no client has used it for `keep_alive` seconds, SIGTERM comes, or `state`
    no longer names this process; say where it listens in `state` (written whole, then renamed)."""
    from adlab.cluster import local_cluster  # imported here: adlab.cluster imports this module

    stopping = False

    def on_term(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    cluster = local_cluster(workers, polars_threads)
    with cluster:
        scheduler = cluster.scheduler
        facts = {"pid": os.getpid(), "address": cluster.scheduler_address, "key": wanted, "workers": workers}
        facts["dashboard"] = cluster.dashboard_link
        tmp = state.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(facts))
        os.replace(tmp, state)
        used = time.monotonic()
        while not stopping:
            time.sleep(POLL_SECONDS)
            if _read(state).get("pid") != os.getpid():
                break  # replaced or forgotten: nobody will use this one again
            if _in_use(scheduler):
                used = time.monotonic()
            elif time.monotonic() - used > keep_alive:
                with _locked(state.with_suffix(".lock"), wait=False) as held:  # no stage connects meanwhile
                    if not held or _in_use(scheduler):  # a stage is connecting, or stopping this one
                        used = time.monotonic()
                        continue
                    if _read(state).get("pid") == os.getpid():
                        state.unlink()
                    break


def _in_use(scheduler: Any) -> bool:
    """Clients other than the scheduler's own fire-and-forget one, or tasks it still knows."""
    return len(scheduler.clients) > 1 or bool(scheduler.tasks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A standing local Dask cluster for adlab's stages.")
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--polars-threads", type=int, required=True)
    parser.add_argument("--keep-alive", type=float, required=True)
    parser.add_argument("--detach", action="store_true", help="start it in its own session, print its pid, exit")
    args = parser.parse_args(argv)
    if args.detach:
        command = [sys.executable, "-m", "adlab.standing", *(arg for arg in sys.argv[1:] if arg != "--detach")]
        # Its output goes where this one's errors go (the log), not to the pipe that reads the pid.
        daemon = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=sys.stderr, start_new_session=True, close_fds=True
        )
        print(daemon.pid)
        return 0
    serve(args.state, args.key, args.workers, args.polars_threads, args.keep_alive)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
