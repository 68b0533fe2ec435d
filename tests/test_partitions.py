"""How a stage's work by account travels: inputs sent to workers as files, tasks sized by rows.

The whole path on a real scheduler and workers is in test_dask_cluster.py; these check its parts here.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from adlab import cluster, partitions


def _rows() -> pl.DataFrame:
    # Three accounts (one the default, null) with rows not grouped by account, and a table without accounts.
    return pl.DataFrame(
        {
            "account": ["b", "a", None, "b", "a", None, "b"],
            "spend": [1.0, 2.0, 3.0, 4.0, None, 6.0, 7.0],
        }
    )


def _task(account: str | None, inputs: dict[str, pl.DataFrame]) -> partitions.Task:
    return partitions.Task(None, account, inputs, None, Path("unused"))


def test_inputs_sent_as_files_are_each_accounts_rows_in_order(tmp_path: Path) -> None:
    rows, plain = _rows(), pl.DataFrame({"x": [1, 2]})
    rows.write_parquet(tmp_path / "rows.parquet", row_group_size=2)  # several row groups to skip or read
    plain.write_parquet(tmp_path / "plain.parquet")
    sources = (("rows", tmp_path / "rows.parquet"), ("plain", tmp_path / "plain.parquet"))
    sent = [partitions.Task(None, account, {}, None, tmp_path, sources=sources) for account in ("b", None)]

    read = partitions._with_inputs(sent)

    assert [task.sources for task in read] == [(), ()]
    # Account b: its rows 1, 4 and 7 in the file's order; the default account: rows 3 and 6.
    assert_frame_equal(read[0].inputs["rows"], pl.DataFrame({"account": ["b", "b", "b"], "spend": [1.0, 4.0, 7.0]}))
    assert_frame_equal(
        read[1].inputs["rows"], pl.DataFrame({"account": [None, None], "spend": [3.0, 6.0]}, schema=rows.schema)
    )
    # A table without an account column is the default account's, as accounts.split has it in the stage.
    assert_frame_equal(read[1].inputs["plain"], plain)
    assert read[0].inputs["plain"].height == 0


def test_an_account_without_rows_in_a_sent_table_gets_it_empty(tmp_path: Path) -> None:
    rows = _rows().filter(pl.col("account") != "a")
    rows.write_parquet(tmp_path / "rows.parquet")
    [read] = partitions._with_inputs(
        [partitions.Task(None, "a", {}, None, tmp_path, sources=(("rows", tmp_path / "rows.parquet"),))]
    )
    assert read.inputs["rows"].height == 0
    assert read.inputs["rows"].schema == rows.schema


def test_tasks_given_as_frames_are_left_alone() -> None:
    task = _task("a", {"rows": _rows()})
    assert partitions._with_inputs([task]) == [task]


def test_batches_deal_largest_first_to_the_lightest_group() -> None:
    # Sizes 5, 4, 3, 3 into 2 groups: 5 -> g1, 4 -> g2, 3 -> g2 (4 < 5), 3 -> g1 (5 < 7): {0, 3} and {1, 2}.
    assert cluster.batches([5, 4, 3, 3], 2) == [[0, 3], [1, 2]]
    # Never more groups than items, never an empty group.
    assert cluster.batches([1, 1], 8) == [[0], [1]]


def test_combined_lines_up_accounts_whose_columns_or_types_differ(tmp_path: Path) -> None:
    """Account b has a column a lacks, and a column that is all null (Null type) for c: the combined table
    has every column, widened, in account order, then sorted by the key; rows of a missing column are null."""
    parts = {
        "a": pl.DataFrame({"day": [2, 1], "spend": [1.5, 2.5]}),
        "b": pl.DataFrame({"day": [1], "spend": [4.0], "reach": [10]}),
        "c": pl.DataFrame({"day": [1], "spend": [None]}),
    }
    for account, frame in parts.items():
        path = partitions.place(tmp_path, "t", account)
        path.parent.mkdir(parents=True)
        frame.write_parquet(path)

    frame = partitions.combined(tmp_path, ["a", "b", "c"], "t", ["day"])

    expected = pl.DataFrame(
        {"day": [1, 1, 1, 2], "spend": [2.5, 4.0, None, 1.5], "reach": [None, 10, None, None]},
        schema={"day": pl.Int64, "spend": pl.Float64, "reach": pl.Int64},
    )
    assert_frame_equal(frame, expected)
    assert frame.n_chunks() == 1


def test_combined_of_alike_partitions_is_their_rows_in_account_order(tmp_path: Path) -> None:
    for index, account in enumerate(["x", "y"]):
        path = partitions.place(tmp_path, "t", account)
        path.parent.mkdir(parents=True)
        pl.DataFrame({"n": [index, index + 10]}).write_parquet(path)

    frame = partitions.combined(tmp_path, ["x", "y"], "t", [])

    assert frame["n"].to_list() == [0, 10, 1, 11]
    assert frame.n_chunks() == 1


def test_combined_widens_a_first_account_whose_column_is_all_null(tmp_path: Path) -> None:
    for account, spend in [("a", [None]), ("b", [2.5])]:
        path = partitions.place(tmp_path, "t", account)
        path.parent.mkdir(parents=True)
        pl.DataFrame({"spend": spend}).write_parquet(path)

    frame = partitions.combined(tmp_path, ["a", "b"], "t", [])

    assert frame.schema == pl.Schema({"spend": pl.Float64})
    assert frame["spend"].to_list() == [None, 2.5]


def test_tables_a_task_returns_travel_as_files_and_come_back_whole(tmp_path: Path) -> None:
    """A task's result as the stage gets it from a worker: a big table goes through a file (removed once read),
    a small one inside the pickle; both come back equal, in their places."""
    big = pl.DataFrame({"n": range(200_000), "name": [f"ad {i % 97}" for i in range(200_000)]})
    small = pl.DataFrame({"spend": [1.5, None]})
    assert big.estimated_size() >= cluster.FILE_BYTES > small.estimated_size()

    blob = cluster._tables_as_files(list, tmp_path, [("a", {"big": big, "small": small}), ("b", None)])

    assert len(list(tmp_path.iterdir())) == 1  # the big table's file
    [(name, tables), other] = cluster._from_files(blob)
    assert (name, other) == ("a", ("b", None))
    assert_frame_equal(tables["big"], big)
    assert_frame_equal(tables["small"], small)
    assert list(tmp_path.iterdir()) == []
