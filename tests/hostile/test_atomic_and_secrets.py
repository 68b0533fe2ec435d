"""Writes are atomic, and the customer-hashing salt stays private."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from adlab import io

PROJECT = Path(__file__).resolve().parents[2]


def test_atomic_path_leaves_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "table.parquet"
    io.write_parquet(pl.DataFrame({"a": [1]}), target)

    def fail_mid_write() -> None:
        with io.atomic_path(target) as tmp:
            tmp.write_bytes(b"half a parquet")
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        fail_mid_write()
    assert pl.read_parquet(target)["a"].to_list() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["table.parquet"]


def test_write_killed_mid_way_leaves_no_partial_file_at_the_target(tmp_path):
    target = tmp_path / "big.parquet"
    script = (
        "import polars as pl, sys\n"
        "from pathlib import Path\n"
        "from adlab import io\n"
        "frame = pl.DataFrame({'x': range(30_000_000)}).with_columns(pl.col('x').cast(pl.String))\n"
        "print('ready', flush=True)\n"
        "io.write_parquet(frame, Path(sys.argv[1]))\n"
    )
    with subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(0.3)  # inside write_parquet now
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    # Whatever moment the kill came, the target is either absent or a complete file, never a partial one.
    if target.exists():
        assert pl.read_parquet(target).height == 30_000_000
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert all(name.startswith(".big.parquet.") for name in leftovers)  # hidden temp, never read by a stage


def test_salt_is_created_owner_only_and_gitignored(tmp_path):
    salt_file = tmp_path / ".adlab" / "salt"
    salt = io.read_or_create_salt(salt_file)
    assert len(salt) == 64
    assert stat.S_IMODE(os.stat(salt_file).st_mode) == 0o600
    assert io.read_or_create_salt(salt_file) == salt  # stable: same customers, same keys
    ignored = subprocess.run(["git", "check-ignore", "-q", ".adlab/salt"], cwd=PROJECT)
    assert ignored.returncode == 0
