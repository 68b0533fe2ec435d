"""Benchmark the data stages over many accounts on one and on two Dask workers.

`python bench/accounts.py --accounts 200 --rows 1000000` (or `make bench-accounts ACCOUNTS=200`) generates
ACCOUNTS shops of different sizes, about ROWS Meta ad-level rows in all, one folder each under data/raw/,
then runs the data stages of dvc.yaml (all but `report`) as DVC runs them, in pipeline order from clean
outputs (every account computed): a pass with ADLAB_WORKERS=1, then one with ADLAB_WORKERS=2 (a local Dask
cluster of that many worker processes, whatever the size, started by the pass's first stage and used by the
next ones), `--repeat` times (default 2), keeping the fastest run of each stage and worker count. It writes
bench/accounts.json:

* `accounts`, `rows` (Meta ad-level rows generated);
* `wall_s` {"1": s, "2": s}: the sum over the data stages of each stage's wall time (its own command line,
  interpreter start-up, imports and cluster start-up included), and `stages` {"1": {stage: s}, "2": ...};
* `per_account_s` = wall_s["1"] / accounts, `ratio` = wall_s["2"] / wall_s["1"];
* `peak_rss_mb_per_worker` {"1": MB, "2": MB}: the largest `<stage>: workers' peak memory <MB> MB` line;
* `on_workers_s`: per stage, the seconds from its first task sent to its last result (the progress line
  `<stage>: accounts N/N done (<s>s)`); the rest of a stage's wall time runs in the stage's own process;
* `cpu_s`: {"stages"|"workers"|"other_processes": {"1": s, "2": s}}, CPU seconds of the kept runs' stage
  processes, of their Dask workers and of every other process on the machine meanwhile (psutil): on a
  shared machine, what the others took is what the workers did not get;
* `same_outputs`: whether every run of a stage wrote the same bytes (they must, whatever the workers).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import yaml
from run import ORDERS_SHARE, ROOT, count_lines, stage_commands, stage_env

BENCH = Path(__file__).resolve().parent
WORKERS = (1, 2)
DATA_OUTPUTS = ("data/interim", "data/processed", "data/quarantine", "data/partitions", "metrics")
CLEARED = (*DATA_OUTPUTS, "reports")  # removed before each run (validate also writes reports/quality.html)
PEAK = re.compile(r"^(\w+): workers' peak memory (\d+) MB$", re.MULTILINE)
# The last progress line of a stage's mapped work: its seconds from the first task sent to the last result.
MAPPED = re.compile(r"^\w+: \w+ (\d+)/\1 done \(([\d.]+)s\)$", re.MULTILINE)
DATA_VERSION = 2  # bump when the generated inputs change
POLL_SECONDS = 0.05


def generate(accounts: int, rows: int, folder: Path, seed: int) -> list[Path]:
    """About `rows` Meta ad-level rows over `accounts` shops, one folder each (`python -m adlab.demo --accounts`:
    each shop its own name, currency, size and story); reused when already generated.

    Returns the Meta ad-level files.
    """
    stamp = folder / "inputs.json"
    wanted = {"accounts": accounts, "rows": rows, "seed": seed, "orders_share": ORDERS_SHARE}
    wanted["version"] = DATA_VERSION
    if stamp.exists() and json.loads(stamp.read_text())["wanted"] == wanted:
        return sorted(folder.glob("*/meta_ads_daily_ad_level.csv"))
    shutil.rmtree(folder, ignore_errors=True)
    arguments = ["--accounts", str(accounts), "--rows", str(rows), "--seed", str(seed), "--no-breakdowns"]
    arguments += ["--orders-share", str(ORDERS_SHARE), "--out", str(folder)]
    subprocess.run([sys.executable, "-m", "adlab.demo", *arguments], check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(json.dumps({"wanted": wanted}))
    return sorted(folder.glob("*/meta_ads_daily_ad_level.csv"))


def scratch_project(folder: Path, raw_dir: Path) -> Path:
    """A project folder running the repo's pipelines on the shops of `raw_dir` (files linked, not copied)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ("pipelines", "notebooks"):
        (folder / name).symlink_to(ROOT / name)
    for path in sorted(raw_dir.glob("*/*.csv")):
        link = folder / "data" / "raw" / path.parent.name / path.name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["ingest"].update(raw_dir="data/raw", sample_dir="data/raw", salt_file=".adlab/salt")
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return folder


@dataclass
class StageRun:
    """What one stage took: wall seconds, the part on the workers, CPU seconds, the workers' peak memory."""

    seconds: float
    on_workers_s: float  # from the first task sent to the last result (0: it ran in its own process)
    peak_mb: int | None  # the `workers' peak memory` line; None without workers
    cpu_stage_s: float  # the stage process's own CPU (all its threads)
    cpu_workers_s: float  # its children's: the Dask worker processes
    cpu_others_s: float  # every other process on the machine meanwhile (other work sharing the cores)


def run_stage(command: list[str], project: Path, env: dict[str, str]) -> StageRun:
    """Run one stage to completion, polling the CPU time of its children (the Dask workers, psutil)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        machine = psutil.cpu_times()
        start = time.perf_counter()
        before = {worker.pid: _cpu(worker) for worker in standing_clusters(project)}  # left by the last stage
        process = subprocess.Popen(command, cwd=project, env=env, stdout=out, stderr=err)
        stage = psutil.Process(process.pid)
        children: dict[int, float] = {}  # the stage's own workers: wait4 counts them in the stage's usage
        others: dict[int, float] = {}  # a standing cluster's (adlab.standing): not the stage's children
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            with contextlib.suppress(psutil.Error):  # a worker may end while being read
                for worker in stage.children(recursive=True):
                    children[worker.pid] = _cpu(worker)
                for worker in standing_clusters(project):
                    others[worker.pid] = _cpu(worker) - before.get(worker.pid, 0.0)
            time.sleep(POLL_SECONDS)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        busy = _busy(psutil.cpu_times()) - _busy(machine)
        err.seek(0)
        text = err.read().decode("utf-8", errors="replace")
        if process.returncode != 0:
            out.seek(0)
            raise SystemExit(f"bench: `{' '.join(command)}` failed in {project}:\n{out.read().decode()}\n{text}")
    peaks = [int(mb) for _, mb in PEAK.findall(text)]
    everything = usage.ru_utime + usage.ru_stime + sum(others.values())
    on_workers = sum(cpu for pid, cpu in children.items() if pid not in others) + sum(others.values())
    return StageRun(
        seconds=seconds,
        on_workers_s=sum(float(elapsed) for _, elapsed in MAPPED.findall(text)),
        peak_mb=max(peaks) if peaks else None,
        cpu_stage_s=max(0.0, everything - on_workers),
        cpu_workers_s=on_workers,
        cpu_others_s=max(0.0, busy - everything),
    )


def standing_clusters(project: Path) -> list[psutil.Process]:
    """The processes of the local clusters standing for `project`'s stages (adlab.standing and its workers,
    found by the pids their state files name)."""
    found = []
    for state in (project / ".adlab" / "cluster").glob("local-*.json"):
        with contextlib.suppress(OSError, ValueError, KeyError, psutil.Error):
            daemon = psutil.Process(int(json.loads(state.read_text())["pid"]))
            found += [daemon, *daemon.children(recursive=True)]
    return found


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _busy(times: Any) -> float:
    """CPU seconds the machine spent not idle."""
    return float(sum(times)) - times.idle - getattr(times, "iowait", 0.0)


def outputs_digest(project: Path) -> str:
    """One digest of every data output file (path and bytes); the digest of each file is kept in
    `<project>/../digests/<digest>.txt` to find the file that differs when two runs do."""
    digest = hashlib.blake2b(digest_size=16)
    lines = []
    for name in DATA_OUTPUTS:
        for path in sorted((project / name).rglob("*")):
            if path.is_file():
                relative = path.relative_to(project).as_posix()
                digest.update(relative.encode() + b"\0" + path.read_bytes())
                lines.append(f"{hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()}  {relative}")
    found = digest.hexdigest()
    (project.parent / "digests").mkdir(exist_ok=True)
    (project.parent / "digests" / f"{found}.txt").write_text("\n".join(lines) + "\n")
    return found


def measure(project: Path, repeat: int) -> tuple[dict[int, dict[str, StageRun]], bool]:
    """Every data stage, in pipeline order, from clean outputs, as `dvc repro` runs them: a pass on 1 worker,
    then one on 2, `repeat` times, the fastest run of each stage and worker count kept. Each pass starts with
    no local cluster running, so its first stage pays the cluster's start and the later ones use it
    (`cluster.keep_alive`). Also whether every run of a stage wrote the same bytes."""
    best: dict[int, dict[str, StageRun]] = {workers: {} for workers in WORKERS}
    digests: dict[str, set[str]] = {}
    commands = stage_commands(ROOT / "dvc.yaml")
    for _ in range(repeat):
        for workers in WORKERS:
            stop_clusters(project)
            for name in CLEARED:
                shutil.rmtree(project / name, ignore_errors=True)  # every account of every stage computed
            env = {**stage_env(), "ADLAB_WORKERS": str(workers)}
            env.pop("ADLAB_SCHEDULER", None)
            for name, command in commands.items():
                run = run_stage(command, project, env)
                digests.setdefault(name, set()).add(outputs_digest(project))
                if name not in best[workers] or run.seconds < best[workers][name].seconds:
                    best[workers][name] = run
                print(f"  {workers} worker(s): {name:<10} {describe(run)}", flush=True)
    stop_clusters(project)
    differ = [name for name, seen in digests.items() if len(seen) > 1]
    if differ:
        print(f"  outputs differ between runs after: {', '.join(differ)}", flush=True)
    return best, not differ


def stop_clusters(project: Path) -> None:
    """Stop the local clusters the stages left running in `project` (adlab.standing)."""
    subprocess.run([sys.executable, "-c", "from adlab import standing; standing.stop()"], cwd=project, check=True)


def describe(run: StageRun) -> str:
    where = f"{run.on_workers_s:6.1f} s on workers (peak {run.peak_mb} MB)" if run.peak_mb else "in-process"
    return (
        f"{run.seconds:6.1f} s, {where}; CPU s: stage {run.cpu_stage_s:.1f}, workers {run.cpu_workers_s:.1f}, "
        f"other processes {run.cpu_others_s:.1f}"
    )


def figures(accounts: int, rows: int, best: dict[int, dict[str, StageRun]], same: bool) -> dict[str, Any]:
    """bench/accounts.json."""
    wall = {str(workers): round(sum(run.seconds for run in stages.values()), 2) for workers, stages in best.items()}

    def each(field: str) -> dict[str, dict[str, float]]:
        return {
            str(workers): {name: round(getattr(run, field), 2) for name, run in stages.items()}
            for workers, stages in best.items()
        }

    def cpu(field: str) -> dict[str, float]:
        return {
            str(workers): round(sum(getattr(run, field) for run in stages.values()), 1)
            for workers, stages in best.items()
        }

    return {
        "accounts": accounts,
        "rows": rows,
        "wall_s": wall,
        "stages": each("seconds"),
        "per_account_s": round(wall["1"] / accounts, 3),
        "peak_rss_mb_per_worker": {
            str(workers): max((run.peak_mb or 0 for run in stages.values()), default=0)
            for workers, stages in best.items()
        },
        "ratio": round(wall["2"] / wall["1"], 3),
        "on_workers_s": each("on_workers_s"),
        "cpu_s": {
            "stages": cpu("cpu_stage_s"),
            "workers": cpu("cpu_workers_s"),
            "other_processes": cpu("cpu_others_s"),
        },
        "same_outputs": same,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200, help="shops to generate")
    parser.add_argument("--rows", type=int, default=1_000_000, help="Meta ad-level rows of all shops together")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generator")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="scratch folder (gitignored)")
    parser.add_argument("--results", type=Path, default=BENCH / "accounts.json", help="figures to write")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each stage per worker count (fastest kept)")
    args = parser.parse_args(argv)

    data = args.out / f"accounts_{args.accounts}_rows_{args.rows}"
    started = time.perf_counter()
    files = generate(args.accounts, args.rows, data / "raw", args.seed)
    rows = sum(count_lines(path) for path in files)
    print(f"{len(files)} accounts, {rows:,} ad rows ({time.perf_counter() - started:.0f} s to generate or find)")
    project = scratch_project(data / "project", data / "raw")
    summary = figures(len(files), rows, *measure(project, args.repeat))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    print(f"wrote {args.results}")
    return 0 if summary["same_outputs"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
