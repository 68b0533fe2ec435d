"""Large exports are read when their rows are needed, and only the columns a parser uses.

`adlab.io.DEFER_BYTES` decides which files are deferred; these tests set it to 0 so small files
take the same path as a 1M-row export, and compare the outcome with the whole-file reader.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from adlab import io
from adlab.ingest import Ingested, ingest

HEADER = "Campaign name,Ad set name,Ad name,Day,Amount spent (USD),Impressions,Link clicks,Notes"


def ingest_both(monkeypatch: pytest.MonkeyPatch, files: list[Path], root: Path) -> tuple[Ingested, Ingested]:
    """(whole-file read, deferred read) of the same files."""
    monkeypatch.setattr(io, "DEFER_BYTES", 10**12)
    whole = ingest(files, root, "salt")
    monkeypatch.setattr(io, "DEFER_BYTES", 0)
    deferred = ingest(files, root, "salt")
    return whole, deferred


def assert_same(whole: Ingested, deferred: Ingested) -> None:
    assert_frame_equal(whole.ledger, deferred.ledger)
    assert_frame_equal(whole.warnings, deferred.warnings)
    assert whole.tables.keys() == deferred.tables.keys()
    for table in whole.tables:
        assert_frame_equal(whole.tables[table], deferred.tables[table])
        assert_frame_equal(whole.quarantine[table], deferred.quarantine[table])


def test_deferred_table_reads_only_the_columns_asked_for_and_whole_rows_on_demand(tmp_path, monkeypatch):
    monkeypatch.setattr(io, "DEFER_BYTES", 0)
    path = tmp_path / "ads.csv"
    path.write_text(f"{HEADER}\nA,S,X,2026-11-02,10.5,100,3,first\nA,S,Y,2026-11-02,4,50,1,second\n")
    [raw] = io.read_tables(path)
    assert raw.loaded is None  # nothing read yet
    raw.project(["Ad name", "Impressions"])
    assert raw.cells.columns == ["Ad name", "Impressions"]
    assert raw.cells["Ad name"].to_list() == ["X", "Y"]
    whole = raw.rows_as_written(pl.Series([1, 0]))
    assert whole.columns == HEADER.split(",")
    assert whole["Notes"].to_list() == ["second", "first"]


def test_deferred_read_keeps_rows_whose_data_is_only_in_unused_columns(tmp_path, monkeypatch):
    rows = [
        "A,S,X,2026-11-02,10.5,100,3,",
        ",,,,,,,only a note",  # blank in every column adlab reads: still a row (without names: a totals row)
        ",,,,,,,",  # blank everywhere: not a row
        "A,S,X,2026-11-02,10.5,100,3,",  # a verbatim copy of the first row
        "A,S,X,2026-11-02,10.5,100,3,differs in an unused column",  # not a copy: summed as a same-named ad
        "# exported by hand",  # a trailing comment line: not a row
    ]
    path = tmp_path / "ads.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    whole, deferred = ingest_both(monkeypatch, [path], tmp_path)
    assert_same(whole, deferred)
    ledger = deferred.ledger.row(0, named=True)
    assert (ledger["rows_in"], ledger["totals"], ledger["quarantined"]) == (4, 1, 1)
    quarantine = deferred.quarantine["ad_insights"]
    assert quarantine["reason"].to_list() == ["exact copy of an earlier row in this file"]
    [row] = deferred.tables["ad_insights"].iter_rows(named=True)
    assert (row["spend"], row["impressions"]) == (21.0, 200)  # two distinct ads sharing every name


def test_deferred_read_of_a_shopify_export_keeps_quarantined_lines_as_written(tmp_path, monkeypatch):
    header = "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Vendor"
    lines = [
        "#1001,a@example.com,paid,USD,10.00,12.00,2026-11-02 10:00:00 -0500,1,Mug,Acme",
        "#1002,b@example.com,paid,USD,oops,12.00,2026-11-02 11:00:00 -0500,1,Cup,Acme",
        "#1002,,,,,,2026-11-02 11:00:00 -0500,2,Saucer,Bcme",
    ]
    path = tmp_path / "orders_export.csv"
    path.write_text(header + "\n" + "\n".join(lines) + "\n")
    whole, deferred = ingest_both(monkeypatch, [path], tmp_path)
    assert_same(whole, deferred)
    quarantine = deferred.quarantine["orders"]
    assert quarantine["Vendor"].to_list() == ["Acme", "Bcme"]  # columns adlab does not parse, as written
    assert "Email" not in quarantine.columns  # personal data never leaves the parser


def test_deferred_read_falls_back_to_the_general_reader_on_bad_utf8_past_the_head(tmp_path, monkeypatch):
    body = "".join(f"C,S,Ad {i},2026-11-02,1,10,1,\n" for i in range(40_000))
    data = (HEADER + "\n" + body).encode() + "C,S,Caf\xe9,2026-11-03,2,20,1,\n".encode("cp1252")
    path = tmp_path / "ads.csv"
    path.write_bytes(data)
    whole, deferred = ingest_both(monkeypatch, [path], tmp_path)
    assert_same(whole, deferred)
    assert "Café" in deferred.tables["ad_insights"]["ad"].to_list()


def test_deferred_and_whole_reads_agree_on_the_sample(tmp_path, monkeypatch):
    from adlab.demo import write_sample

    files = write_sample(tmp_path / "raw", seed=3, scale=1)
    whole, deferred = ingest_both(monkeypatch, files, tmp_path)
    assert_same(whole, deferred)


@pytest.mark.real
def test_deferred_and_whole_reads_agree_on_every_real_export(real_data, monkeypatch):
    files = [p for p in io.list_exports(real_data) if p.suffix.lower() == ".csv"]
    for path in files:
        try:
            whole, deferred = ingest_both(monkeypatch, [path], real_data)
        except Exception as err:  # a file adlab stops on must stop the same way both ways
            monkeypatch.setattr(io, "DEFER_BYTES", 0)
            with pytest.raises(type(err), match=None):
                ingest([path], real_data, "salt")
            continue
        assert_same(whole, deferred)
