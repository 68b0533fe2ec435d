"""The pipeline on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1 run
the data stages for 20 generated accounts, and every output is the same bytes as the in-process run.

Every stage runs as DVC runs it (each `cmd` of dvc.yaml, in order, in a project copy; one week of pages per
account), once with ADLAB_SCHEDULER naming the cluster and once without it (20 small accounts stay under
`cluster.in_process_rows`, so they run in the stage's own process). Then one account's export changes and
only that account is computed again by the data stages (the report is left out there: pages take time).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import yaml

from adlab.demo import write_sample
from conftest import PROJECT, copy_project

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# Names as agencies write them: spaces, accents, punctuation (percent-encoded in partition folders).
NAMES = ["Acme EU", "Bäckerei Müller", "Café & Co", *(f"shop-{index:02d}" for index in range(3, 20))]
QUARANTINED = {"shop-05", "Café & Co"}  # each gets one row dated 1926: the validate stage quarantines it
CHANGED = "shop-07"  # its export changes for the incremental run
OUTPUTS = ("data/interim", "data/processed", "data/quarantine", "data/partitions", "metrics/summary.json", "reports")

START_SECONDS = 60
STAGE_SECONDS = 300
SALT = "0123456789abcdef" * 4


def write_accounts(raw: Path) -> None:
    """20 accounts of the demo store, each its own seed, size and order volume, in data/raw/<account>/."""
    for index, name in enumerate(NAMES):
        folder = raw / name
        write_sample(
            folder,
            seed=1000 + index,
            scale=1 + index % 3,
            breakdowns=index % 5 == 0,
            orders_share=0.05 + 0.01 * index,
        )
        if name in QUARANTINED:
            plant_old_date(folder / "meta_ads_daily_ad_level.csv")


def plant_old_date(path: Path) -> None:
    """Turn the first row's day 2026-08-31 into 1926-08-31 (a typo validate quarantines)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    assert ",2026-08-31," in lines[1]
    lines[1] = lines[1].replace(",2026-08-31,", ",1926-08-31,", 1)
    path.write_text("\ufeff" + "".join(lines), encoding="utf-8")


def change_spend(path: Path) -> None:
    """Add a cent to the spend of the export's first row (column `Amount spent (USD)`)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = lines[1].split(",")
    assert not any('"' in cell for cell in row), "the first row has no quoted cell"
    column = header.index("Amount spent (USD)")
    row[column] = f"{float(row[column]) + 0.01:.2f}"
    lines[1] = ",".join(row)
    path.write_text("\ufeff" + "".join(lines), encoding="utf-8")


def make_project(dest: Path, raw: Path) -> Path:
    """A project copy on the generated accounts, one week of pages, the same salt as the other copy."""
    project = copy_project(dest)
    shutil.rmtree(project / "data" / "raw")
    shutil.copytree(raw, project / "data" / "raw")
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["report"]["weeks"], params["report"]["extra_weeks"] = 1, []
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (project / ".adlab").mkdir()
    (project / ".adlab" / "salt").write_text(SALT + "\n")
    return project


def environment(**extra: str) -> dict[str, str]:
    """What a stage (or a Dask process) runs with: this checkout's code, no cluster settings but `extra`."""
    env = {key: value for key, value in os.environ.items() if key not in ("ADLAB_SCHEDULER", "ADLAB_WORKERS")}
    env.update(
        PYTHONPATH=str(PROJECT / "src"),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        GX_ANALYTICS_ENABLED="False",
        DVC_NO_ANALYTICS="1",
        **extra,
    )
    return env


def stage_commands(report: bool) -> dict[str, list[str]]:
    """The stages of dvc.yaml in order (`report` too when asked), each as the argument list DVC would run."""
    commands = {}
    for name, stage in yaml.safe_load((PROJECT / "dvc.yaml").read_text())["stages"].items():
        if name == "report" and not report:
            continue
        words = shlex.split(stage["cmd"])
        commands[name] = [sys.executable if words[0] == "python" else words[0], *words[1:]]
    return commands


def partitioned_stages() -> list[str]:
    """The stages that split their work by account (they keep partitions)."""
    stages = yaml.safe_load((PROJECT / "dvc.yaml").read_text())["stages"]
    return [name for name, stage in stages.items() if "--partitions-dir" in stage["cmd"]]


def run_stages(project: Path, env: dict[str, str], *, report: bool = True) -> tuple[str, str]:
    """Run every stage in `project` (but the report when told); their stdout and stderr, each joined."""
    out, err = [], []
    for name, command in stage_commands(report).items():
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=STAGE_SECONDS)
        assert done.returncode == 0, f"stage {name} failed:\n{done.stdout}\n{done.stderr}"
        out.append(done.stdout)
        err.append(done.stderr)
    return "".join(out), "".join(err)


def output_files(project: Path) -> dict[str, bytes]:
    """Every output file of the stages (pages included), by its path in the project."""
    files = {}
    for name in OUTPUTS:
        path = project / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                files[file.relative_to(project).as_posix()] = file.read_bytes()
    return files


def assert_same_outputs(cluster: Path, local: Path) -> None:
    on_cluster, in_process = output_files(cluster), output_files(local)
    assert sorted(on_cluster) == sorted(in_process)
    differ = [name for name in on_cluster if on_cluster[name] != in_process[name]]
    assert not differ, f"outputs differ between the cluster and the in-process run: {differ}"


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a Dask process and its children (a worker's nanny starts the worker): SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a `dask scheduler` with two one-thread `dask worker` processes, stopped afterwards.

    They run from a folder of their own, so stages must not rely on the workers' working directory.
    """
    home = tmp_path_factory.mktemp("dask")
    scheduler_file = home / "scheduler.json"
    env = environment(POLARS_MAX_THREADS="1")
    common = ["--scheduler-file", str(scheduler_file), "--no-dashboard"]
    commands = [
        [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", *common],
        *[[str(BIN / "dask"), "worker", "--host", "127.0.0.1", "--nthreads", "1", "--nworkers", "1", *common]] * 2,
    ]
    processes: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for index, command in enumerate(commands):
            logs.append((home / f"process-{index}.log").open("wb"))
            processes.append(
                subprocess.Popen(
                    command, cwd=home, env=env, stdout=logs[-1], stderr=subprocess.STDOUT, start_new_session=True
                )
            )
            if index == 0:
                deadline = time.monotonic() + START_SECONDS
                while not scheduler_file.exists() and time.monotonic() < deadline:
                    assert processes[0].poll() is None, (home / "process-0.log").read_text()
                    time.sleep(0.2)
        address = wait_for_workers(scheduler_file, 2)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)
        for log in logs:
            log.close()


def wait_for_workers(scheduler_file: Path, count: int) -> str:
    """Block until `count` workers joined the scheduler; its address."""
    from distributed import Client

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # distributed's own deprecation and resource notices
        with Client(scheduler_file=str(scheduler_file), timeout=START_SECONDS) as client:
            client.wait_for_workers(count, timeout=START_SECONDS)
            address: str = client.scheduler.address
    return address


def part_times(project: Path) -> dict[str, int]:
    """The modification time of every partition file, by its path in the project."""
    parts = (project / "data" / "partitions").rglob("part-0.parquet")
    return {part.relative_to(project).as_posix(): part.stat().st_mtime_ns for part in parts}


def test_two_dask_workers_give_the_same_bytes_as_one_process(scheduler: str, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_accounts(raw)
    cluster = make_project(tmp_path / "cluster", raw)
    local = make_project(tmp_path / "local", raw)
    everyone = len(NAMES)

    _, err = run_stages(cluster, environment(ADLAB_SCHEDULER=scheduler))
    files = len([path for path in raw.rglob("*") if path.is_file()])
    assert f"ingest: files {files}/{files} done" in err, err  # ingest parses its files apart
    stages = partitioned_stages()
    assert {"validate", "kpis", "creatives", "recommend"} <= set(stages)
    for name in stages:
        assert f"{name}: {everyone} accounts in " in err
        assert f"{name}: accounts {everyone}/{everyone} done" in err, err
        assert f"{name}: workers' peak memory " in err
    assert f"on the Dask cluster at {scheduler}" in err
    assert f"report: pages {everyone}/{everyone} done" in err  # one week of each account's pages

    out, err = run_stages(local, environment())
    assert "Dask" not in err  # small accounts: in the stage's own process, no cluster
    assert "done (" not in err
    for name in stages:
        assert f"{name}: {everyone} account(s): 0 up to date, {everyone} to compute" in out
    assert_same_outputs(cluster, local)
    quarantined = pl.read_parquet(local / "data" / "quarantine" / "ad_insights.parquet")
    assert sorted(quarantined["account"].to_list()) == sorted(QUARANTINED)

    # One account's export changes: only that account is computed again, on the cluster and here.
    before = part_times(cluster)
    for project in (cluster, local):
        change_spend(project / "data" / "raw" / CHANGED / "meta_ads_daily_ad_level.csv")
    out, err = run_stages(cluster, environment(ADLAB_SCHEDULER=scheduler), report=False)
    for name in stages:
        assert f"{name}: {everyone} account(s): {everyone - 1} up to date, 1 to compute" in out, out
        assert f"{name}: accounts 1/1 done" in err
    rewritten = {path for path, mtime in part_times(cluster).items() if before[path] != mtime}
    assert rewritten, "the changed account's partitions are written again"
    assert all(f"/account={CHANGED}/" in path for path in rewritten), rewritten
    out, _ = run_stages(local, environment(), report=False)
    assert f"validate: {everyone} account(s): {everyone - 1} up to date, 1 to compute" in out
    assert_same_outputs(cluster, local)
