"""The local Dask cluster that outlives a stage (`cluster.keep_alive`): the next stage uses it, it stops itself
when idle, and one started by other code or settings is replaced, never used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adlab import cluster, standing
from adlab.errors import AdlabError
from adlab.params import ClusterParams, Params, validate

ITEMS = [("a", 3), ("b", 1), ("c", 2)]
THREADS = len(os.sched_getaffinity(0))  # polars threads of a one-worker cluster: every core


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A project folder as the stages' working directory; its standing clusters stopped afterwards."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    standing.stop()


def facts(workers: int) -> dict[str, object]:
    path = standing.state_path(workers)
    return json.loads(path.read_text()) if path.exists() else {}


def alive(pid: object) -> bool:
    return standing.alive(pid)


def wait_until(condition: object, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_the_next_stage_uses_the_cluster_the_first_left_running(project: Path) -> None:
    where = cluster.Where(workers=1, keep_alive=60)
    assert cluster.run(list, ITEMS, [3, 1, 2], where, label="first") == ITEMS
    first = facts(1)
    assert str(first["address"]).startswith("tcp://127.0.0.1:")
    assert alive(first["pid"])

    assert cluster.run(list, ITEMS, [3, 1, 2], where, label="second") == ITEMS
    assert facts(1) == first  # the same process, at the same address

    standing.stop()
    assert not standing.state_path(1).exists()
    assert wait_until(lambda: not alive(first["pid"]), 10)


def test_it_stops_itself_once_idle_for_keep_alive_seconds(project: Path) -> None:
    cluster.run(list, ITEMS, [1, 1, 1], cluster.Where(workers=1, keep_alive=1), label="stage")
    pid = facts(1)["pid"]
    assert wait_until(lambda: not alive(pid) and not standing.state_path(1).exists())


def test_a_cluster_started_by_other_code_is_stopped_and_replaced(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = cluster.Where(workers=1, keep_alive=60)
    cluster.run(list, ITEMS, [1, 1, 1], where, label="stage")
    old = facts(1)["pid"]

    monkeypatch.setattr(standing, "key", lambda workers, threads: f"edited code|{workers}|{threads}")
    assert cluster.run(list, ITEMS, [1, 1, 1], where, label="stage") == ITEMS
    new = facts(1)
    assert new["pid"] != old
    assert str(new["key"]).startswith("edited code|1|")
    assert alive(new["pid"])
    assert not alive(old)


@pytest.mark.parametrize("whose", ["a process gone", "a live process that is no cluster"])
def test_a_state_file_naming_no_standing_cluster_starts_a_new_one_and_stops_nothing(project: Path, whose: str) -> None:
    path = standing.state_path(1)
    path.parent.mkdir(parents=True)
    # A pid beyond any the kernel hands out, or this test's own (it must not be stopped).
    pid = os.getpid() + 10_000_000 if whose == "a process gone" else os.getpid()
    path.write_text(json.dumps({"pid": pid, "address": "tcp://127.0.0.1:9", "key": standing.key(1, THREADS)}))

    assert cluster.run(list, ITEMS, [1, 1, 1], cluster.Where(workers=1, keep_alive=60), label="stage") == ITEMS
    assert facts(1)["pid"] not in (pid, None)


def test_without_keep_alive_the_stage_stops_its_own_cluster(project: Path) -> None:
    assert cluster.run(list, ITEMS, [1, 1, 1], cluster.Where(workers=1), label="stage") == ITEMS
    assert not (project / standing.FOLDER).exists()


def test_keep_alive_comes_from_the_settings_and_must_not_be_negative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cluster.SCHEDULER_ENV, raising=False)
    monkeypatch.setenv(cluster.WORKERS_ENV, "2")
    assert cluster.choose(3, 10**6, ClusterParams(keep_alive=15)) == cluster.Where(workers=2, keep_alive=15)
    assert cluster.choose(3, 10**6, ClusterParams(keep_alive=0)).keep_alive == 0
    with pytest.raises(AdlabError, match="keep_alive"):
        validate(Params(cluster=ClusterParams(keep_alive=-1)), Path("params.yaml"))


def test_a_cluster_that_stopped_listening_is_replaced(project: Path) -> None:
    """The state names a live process that looks like this project's cluster but no scheduler answers at its
    address: the stage stops that process and starts a cluster that works."""
    path = standing.state_path(1)
    path.parent.mkdir(parents=True)
    code = "import time; time.sleep(120)"
    silent = subprocess.Popen([sys.executable, "-c", code, "adlab.standing", str(path)])
    try:
        path.write_text(
            json.dumps({"pid": silent.pid, "address": "tcp://127.0.0.1:9", "key": standing.key(1, THREADS)})
        )

        assert cluster.run(list, ITEMS, [1, 1, 1], cluster.Where(workers=1, keep_alive=60), label="stage") == ITEMS
        assert facts(1)["pid"] != silent.pid
        assert silent.wait(timeout=10) is not None  # stopped
    finally:
        silent.kill()
        silent.wait()
