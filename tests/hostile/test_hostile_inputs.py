"""Catalogue of hostile inputs (issue 7): each ends parsed, quarantined with a reason, or one AdlabError line.

Every case goes through `adlab.ingest.ingest` in process; any exception other
than AdlabError fails the test, and the row ledger must account for every data
row written.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from adlab import io
from adlab.data_warnings import check_currencies
from adlab.errors import AdlabError
from adlab.ingest import Ingested, ingest
from adlab.insights import neutralise_formulas
from adlab.quality import validate_table

HEADER = ["Campaign name", "Ad set name", "Ad name", "Day", "Amount spent (USD)", "Impressions", "Link clicks"]
LO, HI = dt.date(2004, 1, 1), dt.date(2026, 11, 26)


@pytest.fixture(autouse=True, params=["whole", "deferred"])
def read_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every case both ways: read whole, and deferred as a large export is (only the columns used)."""
    if request.param == "deferred":
        monkeypatch.setattr(io, "DEFER_BYTES", 0)
    return request.param


def line(*cells: str, delimiter: str = ",") -> str:
    return delimiter.join('"' + c.replace('"', '""') + '"' if delimiter in c or '"' in c else c for c in cells)


def export(rows: list[tuple[str, ...]], header: list[str] = HEADER, delimiter: str = ",") -> str:
    return "\n".join(line(*row, delimiter=delimiter) for row in [tuple(header), *rows]) + "\n"


def write(folder: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def stops(paths: list[Path], root: Path, names: str) -> str:
    """The AdlabError message of ingesting `paths`: one line naming the file."""
    with pytest.raises(AdlabError) as info:
        ingest(paths, root, "salt")
    message = str(info.value)
    assert "\n" not in message
    assert names in message
    return message


def balanced(result: Ingested, written: dict[str, int]) -> dict[str, dict[str, int]]:
    """The ledger by file, after checking it balances and counts exactly the data rows written."""
    ledger = {row["source_file"]: row for row in result.ledger.iter_rows(named=True)}
    assert {label: row["rows_in"] for label, row in ledger.items()} == written
    for row in ledger.values():
        assert row["rows_in"] == row["kept"] + row["replaced"] + row["totals"] + row["quarantined"]
    return ledger


def reasons(result: Ingested) -> list[tuple[str, str]]:
    return result.quarantine["ad_insights"].select("source_row", "reason").sort("source_row").rows()


def ad_row(
    ad: str, day: str = "2026-11-01", spend: str = "1.00", impressions: str = "100", clicks: str = "2"
) -> tuple[str, ...]:
    return ("C1", "S1", ad, day, spend, impressions, clicks)


def test_hostile_empty_file_stops_naming_the_file(tmp_path):
    path = write(tmp_path, "empty.csv", b"")
    # Named as the user knows it: relative to the project.
    assert stops([path], tmp_path, "empty.csv") == "empty.csv: the file is empty; export it again."


def test_hostile_whitespace_only_file_stops_naming_the_file(tmp_path):
    path = write(tmp_path, "blank.csv", "\n \r\n\t\n")
    stops([path], tmp_path, "blank.csv: the file is empty")


def test_hostile_header_only_gives_no_rows_and_a_zero_ledger(tmp_path):
    path = write(tmp_path, "header.csv", export([]))
    result = ingest([path], tmp_path, "salt")
    assert result.tables["ad_insights"].height == 0
    assert balanced(result, {"header.csv": 0})["header.csv"]["kept"] == 0


def test_hostile_binary_garbage_named_csv_stops(tmp_path):
    path = write(tmp_path, "garbage.csv", bytes(range(256)) * 64)
    stops([path], tmp_path, "garbage.csv: looks like a binary file")


def test_hostile_binary_garbage_without_nul_bytes_stops(tmp_path):
    # Bytes 1..255 only: not caught as binary, decoded as cp1252, then no header is found.
    path = write(tmp_path, "noise.csv", bytes(range(1, 256)) * 8)
    stops([path], tmp_path, "noise.csv")


def test_hostile_xlsx_that_is_not_a_workbook_stops(tmp_path):
    path = write(tmp_path, "fake.xlsx", b"PK\x03\x04 not really a zip")
    stops([path], tmp_path, "fake.xlsx: not a readable Excel workbook")


def test_hostile_unrelated_csv_stops_naming_the_closest_kind(tmp_path):
    path = write(tmp_path, "pets.csv", "name,species,age\nRex,dog,3\nTom,cat,5\n")
    stops([path], tmp_path, "pets.csv: not a known export; the closest kind is")


def test_hostile_file_cut_inside_a_quoted_field_quarantines_or_keeps_every_row(tmp_path):
    text = export([ad_row("A1"), ad_row("A2")]) + 'C1,S1,"Ad, cut he'
    path = write(tmp_path, "cut_quoted.csv", text)
    result = ingest([path], tmp_path, "salt")
    ledger = balanced(result, {"cut_quoted.csv": 3})["cut_quoted.csv"]
    assert (ledger["kept"], ledger["quarantined"]) == (2, 1)
    assert reasons(result) == [("4", "the file ends inside this row (3 of 7 fields); export it again")]
    assert result.quarantine["ad_insights"]["Ad name"].to_list() == ["Ad, cut he"]


def test_hostile_file_cut_in_the_last_quoted_field_quarantines_the_cut_row(tmp_path):
    text = export([ad_row("A1")]) + 'C1,S1,A2,2026-11-01,1.00,100,"2'
    path = write(tmp_path, "cut_last.csv", text)
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"cut_last.csv": 2})
    assert reasons(result) == [("3", "the file ends inside this row (7 of 7 fields); export it again")]


def test_hostile_multiline_quoted_name_without_final_line_end_is_not_taken_for_a_cut(tmp_path):
    text = export([ad_row("A1")]) + 'C1,S1,"two\nlines",2026-11-01,1.00,100,"2"'
    path = write(tmp_path, "multiline.csv", text)
    result = ingest([path], tmp_path, "salt")
    assert balanced(result, {"multiline.csv": 2})["multiline.csv"]["kept"] == 2


def test_hostile_last_row_without_line_end_is_kept(tmp_path):
    path = write(tmp_path, "no_eol.csv", export([ad_row("A1"), ad_row("A2")]).rstrip("\n"))
    result = ingest([path], tmp_path, "salt")
    assert balanced(result, {"no_eol.csv": 2})["no_eol.csv"]["kept"] == 2


def test_hostile_file_cut_mid_row_outside_quotes_quarantines_the_cut_row(tmp_path):
    # The last row stops after the spend: its impressions and clicks are not 0, they are unknown.
    text = export([ad_row("A1"), ad_row("A2")]) + "C1,S1,A3,2026-11-01,5.0"
    path = write(tmp_path, "cut.csv", text)
    result = ingest([path], tmp_path, "salt")
    ledger = balanced(result, {"cut.csv": 3})["cut.csv"]
    assert (ledger["kept"], ledger["quarantined"]) == (2, 1)
    assert reasons(result) == [("4", "the file ends inside this row (5 of 7 fields); export it again")]


def test_hostile_file_cut_inside_the_date_quarantines_the_cut_row(tmp_path):
    text = export([ad_row("A1")]) + "C1,S1,A3,2026-11-0"
    path = write(tmp_path, "cut_date.csv", text)
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"cut_date.csv": 2})
    assert reasons(result) == [("3", "the file ends inside this row (4 of 7 fields); export it again")]


def test_hostile_cut_store_export_quarantines_the_row_without_personal_data(tmp_path):
    text = (
        "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Billing Name\n"
        "#1,a@example.com,paid,USD,10.00,2026-11-01 10:00:00 +0100,1,Ann Lee\n"
        "#2,bob@example.com,paid,USD,12.00,2026-11-0"
    )
    path = write(tmp_path, "orders.csv", text)
    result = ingest([path], tmp_path, "salt")
    ledger = balanced(result, {"orders.csv": 2})["orders.csv"]
    assert (ledger["kept"], ledger["quarantined"]) == (1, 1)
    quarantined = result.quarantine["orders"]
    assert quarantined["reason"].to_list() == ["the file ends inside this row (6 of 8 fields); export it again"]
    assert "bob@example.com" not in str(quarantined.rows())


def test_hostile_old_mac_line_ends_are_read(tmp_path):
    path = write(tmp_path, "mac.csv", export([ad_row("A1"), ad_row("A2")]).replace("\n", "\r"))
    result = ingest([path], tmp_path, "salt")
    assert balanced(result, {"mac.csv": 2})["mac.csv"]["kept"] == 2


def test_hostile_semicolon_delimiter_is_detected(tmp_path):
    path = write(tmp_path, "semi.csv", export([ad_row("A1", spend="1,50")], delimiter=";"))
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"semi.csv": 1})
    assert result.tables["ad_insights"]["spend"].to_list() == [1.5]


def test_hostile_mixed_delimiters_quarantine_rows_that_do_not_split(tmp_path):
    text = export([ad_row("A1")], delimiter=";") + line(*ad_row("A2")) + "\n"
    path = write(tmp_path, "mixed.csv", text)
    result = ingest([path], tmp_path, "salt")
    ledger = balanced(result, {"mixed.csv": 2})["mixed.csv"]
    assert (ledger["kept"], ledger["quarantined"]) == (1, 1)
    assert reasons(result)[0][0] == "3"


def test_hostile_utf16_export_is_read(tmp_path):
    path = write(tmp_path, "u16.csv", export([ad_row("Été ☀"), ad_row("B")], delimiter="\t"), encoding="utf-16")
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"u16.csv": 2})
    assert sorted(result.tables["ad_insights"]["ad"].to_list()) == ["B", "Été ☀"]


def test_hostile_cp1252_export_keeps_accented_names(tmp_path):
    names = ["Café crème", "Señor Müller", "Naïve €5"]
    path = write(tmp_path, "cp.csv", export([ad_row(name) for name in names]), encoding="cp1252")
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"cp.csv": 3})
    assert sorted(result.tables["ad_insights"]["ad"].to_list()) == sorted(names)


def test_hostile_mixed_currencies_stop_naming_both_files(tmp_path):
    usd = write(tmp_path, "us.csv", export([ad_row("A1")]))
    eur = write(tmp_path, "eu.csv", export([ad_row("A2")], header=[*HEADER[:4], "Amount spent (EUR)", *HEADER[5:]]))
    result = ingest([usd, eur], tmp_path, "salt")
    balanced(result, {"us.csv": 1, "eu.csv": 1})
    with pytest.raises(AdlabError) as info:
        validate_table(result.tables["ad_insights"], "ad_insights", LO, HI)
    assert "\n" not in str(info.value)
    assert "EUR in eu.csv" in str(info.value)
    assert "USD in us.csv" in str(info.value)


def test_hostile_check_currencies_names_both_tables(tmp_path):
    ads = write(tmp_path, "ads.csv", export([ad_row("A1")]))
    orders = write(
        tmp_path,
        "orders.csv",
        "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity\n"
        "#1,a@example.com,paid,EUR,10.00,2026-11-01 10:00:00 +0100,1\n",
    )
    result = ingest([ads, orders], tmp_path, "salt")
    with pytest.raises(AdlabError) as info:
        check_currencies(result.tables)
    assert "\n" not in str(info.value)
    assert "EUR in orders (orders.csv)" in str(info.value)
    assert "USD in ad_insights (ads.csv)" in str(info.value)


def test_hostile_negative_spend_and_clicks_above_impressions_are_quarantined(tmp_path):
    path = write(
        tmp_path,
        "bad_values.csv",
        export(
            [
                ad_row("ok"),
                ad_row("negative", spend="-5.00"),
                ad_row("clicks", impressions="3", clicks="9"),
            ]
        ),
    )
    result = ingest([path], tmp_path, "salt")
    ledger = balanced(result, {"bad_values.csv": 3})["bad_values.csv"]
    checked = validate_table(result.tables["ad_insights"], "ad_insights", LO, HI)
    assert checked.table["ad"].to_list() == ["ok"]
    assert dict(checked.quarantine.select("ad", "reason").rows()) == {
        "negative": "spend is negative",
        "clicks": "link_clicks > impressions",
    }
    assert checked.table.height + checked.quarantined_rows["bad_values.csv"] == ledger["kept"]


def test_hostile_bad_rows_sharing_names_on_a_day_are_quarantined_not_summed(tmp_path):
    """-5 spend + a clicks > impressions row would sum to a plausible row (1 + -5 + 9 ... ): each is judged alone."""
    path = write(
        tmp_path,
        "same_names.csv",
        export(
            [
                ad_row("A"),
                ad_row("A", spend="-5.00"),
                ad_row("A", spend="9.00", impressions="3", clicks="9"),
                ad_row("B", spend="2.00"),
                ad_row("B", spend="3.00"),
            ]
        ),
    )
    result = ingest([path], tmp_path, "salt")
    ledger = balanced(result, {"same_names.csv": 5})["same_names.csv"]
    assert reasons(result) == [("3", "spend is negative"), ("4", "link_clicks > impressions")]
    rows = result.tables["ad_insights"].sort("ad")
    # A keeps its one good row; the two B rows (same names, both good) are summed: 2 + 3.
    assert rows.select("ad", "spend", "impressions", "link_clicks").rows() == [("A", 1.0, 100, 2), ("B", 5.0, 200, 4)]
    assert (ledger["kept"], ledger["quarantined"]) == (3, 2)


def test_hostile_impossible_date_is_quarantined_at_ingest(tmp_path):
    path = write(tmp_path, "dates.csv", export([ad_row("ok"), ad_row("feb30", day="2026-02-30")]))
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"dates.csv": 2})
    assert reasons(result) == [("3", "`Day` is not a date")]


def test_hostile_count_too_large_for_an_integer_is_quarantined_at_ingest(tmp_path):
    path = write(tmp_path, "huge.csv", export([ad_row("ok"), ad_row("huge", impressions="1e30")]))
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"huge.csv": 2})
    assert reasons(result) == [("3", "`Impressions` is too large for a count")]
    assert result.tables["ad_insights"]["ad"].to_list() == ["ok"]


def test_hostile_future_date_is_quarantined_by_validate(tmp_path):
    path = write(tmp_path, "future.csv", export([ad_row("ok"), ad_row("future", day="2031-01-01")]))
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"future.csv": 2})
    checked = validate_table(result.tables["ad_insights"], "ad_insights", LO, HI)
    assert checked.table["ad"].to_list() == ["ok"]
    assert checked.quarantine.select("ad", "reason").rows() == [("future", f"date outside {LO} .. {HI}")]


def test_hostile_verbatim_duplicate_row_is_quarantined(tmp_path):
    path = write(tmp_path, "dup.csv", export([ad_row("A1"), ad_row("A2"), ad_row("A1")]))
    result = ingest([path], tmp_path, "salt")
    ledger = balanced(result, {"dup.csv": 3})["dup.csv"]
    assert (ledger["kept"], ledger["quarantined"]) == (2, 1)
    assert reasons(result) == [("4", "exact copy of an earlier row in this file")]


def test_hostile_conflicting_rows_across_files_newest_window_wins(tmp_path):
    old = write(tmp_path, "z_old.csv", export([ad_row("A1", spend="10.00")]))
    new = write(tmp_path, "a_new.csv", export([ad_row("A1", spend="12.00"), ad_row("A1", day="2026-11-02")]))
    result = ingest([old, new], tmp_path, "salt")
    ledger = balanced(result, {"z_old.csv": 1, "a_new.csv": 2})
    assert (ledger["z_old.csv"]["kept"], ledger["z_old.csv"]["replaced"]) == (0, 1)
    assert (ledger["a_new.csv"]["kept"], ledger["a_new.csv"]["replaced"]) == (2, 0)
    assert result.tables["ad_insights"]["spend"].to_list() == [12.0, 1.0]


def test_hostile_large_file_with_one_bad_row_at_the_end_keeps_every_other_row(tmp_path):
    rows = 200_000
    body = "".join(f"C1,S1,A{i},2026-11-01,1.00,100,2\n" for i in range(rows - 1))
    path = write(tmp_path, "large.csv", ",".join(HEADER) + "\n" + body + "C1,S1,Last,2026-11-01,oops,100,2\n")
    start = time.perf_counter()
    result = ingest([path], tmp_path, "salt")
    assert time.perf_counter() - start < 5
    ledger = balanced(result, {"large.csv": rows})["large.csv"]
    assert (ledger["kept"], ledger["quarantined"]) == (rows - 1, 1)
    assert reasons(result) == [(str(rows + 1), "`Amount spent (USD)` is not a number")]


def test_hostile_large_file_with_a_cp1252_byte_past_the_head_is_read(tmp_path):
    rows = 100_000
    body = "".join(f"C1,S1,A{i},2026-11-01,1.00,100,2\n" for i in range(rows - 1))
    data = (",".join(HEADER) + "\n" + body).encode() + "C1,S1,Crème,2026-11-01,1.00,100,2\n".encode("cp1252")
    path = write(tmp_path, "large_cp.csv", data)
    result = ingest([path], tmp_path, "salt")
    assert balanced(result, {"large_cp.csv": rows})["large_cp.csv"]["kept"] == rows
    assert "Crème" in result.tables["ad_insights"]["ad"].to_list()


def test_hostile_formulas_and_html_in_names_stay_text_and_are_neutralised_for_csv(tmp_path):
    names = ['=HYPERLINK("http://evil.example","click")', "+1+2", "@SUM(A1)", "-3", "<img src=x onerror=alert(1)>"]
    path = write(tmp_path, "inject.csv", export([ad_row(name) for name in names]))
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"inject.csv": 5})
    ads = result.tables["ad_insights"]
    assert sorted(ads["ad"].to_list()) == sorted(names)
    safe = neutralise_formulas(ads.select("ad", "spend"))
    assert sorted(safe["ad"].to_list()) == sorted(["'" + n if n[0] in "=+-@" else n for n in names])
    assert safe["spend"].dtype == pl.Float64


def test_hostile_emoji_and_right_to_left_names_are_kept_byte_exact(tmp_path):
    names = ["🔥 Sale 🛒", "إعلان الصيف", "מבצע\u200f קיץ", "👩🏽‍💻 zwj", "mixed עברית and English"]
    path = write(tmp_path, "unicode.csv", export([ad_row(name) for name in names]))
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"unicode.csv": 5})
    kept = result.tables["ad_insights"]["ad"].to_list()
    assert sorted(n.encode() for n in kept) == sorted(n.encode() for n in names)


def test_hostile_xlsx_with_several_sheets_reads_the_known_one_and_lists_the_other(tmp_path):
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path)
    for name, rows in {
        "Ads": [tuple(HEADER), ad_row("A1"), ad_row("A2")],
        "Notes": [("who", "what"), ("me", "notes")],
        "Empty": [],
    }.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    book.close()
    result = ingest([path], tmp_path, "salt")
    balanced(result, {"book.xlsx [sheet Ads]": 2})
    not_used = result.warnings.filter(pl.col("check") == "not_used")
    assert not_used.select("source_file").rows() == [("book.xlsx [sheet Notes]",)]
    assert "no known kind" in not_used["message"][0]


def test_hostile_xlsx_with_only_unknown_sheets_stops(tmp_path):
    path = tmp_path / "notes.xlsx"
    book = xlsxwriter.Workbook(path)
    for name in ("One", "Two"):
        book.add_worksheet(name).write_row(0, 0, ("who", "what"))
    book.close()
    stops([path], tmp_path, "notes.xlsx: none of its 2 tables is a known export")


def test_hostile_unreadable_file_stops_naming_the_file(tmp_path):
    path = write(tmp_path, "locked.csv", export([ad_row("A1")]))
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running with rights that read a chmod 000 file (root); permissions cannot be tested")
        stops([path], tmp_path, "locked.csv: cannot be read")
    finally:
        path.chmod(0o644)


def test_hostile_path_that_cannot_be_read_as_a_file_stops(tmp_path):
    # Runs as root too: a folder named like an export fails to open for everyone.
    path = tmp_path / "folder.csv"
    path.mkdir()
    stops([path], tmp_path, "folder.csv: cannot be read")


def test_ingest_headers_that_look_like_polars_patterns_stay_plain_names(tmp_path):
    # Found by fuzzing: a header `*` made pl.col expand to every column.
    for name, text in (("star.csv", "*,\n"), ("regex.csv", "^a.*$,b\nx,y\n")):
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(AdlabError, match=rf"{name}: not a known export"):
            ingest([path], tmp_path, "salt")
