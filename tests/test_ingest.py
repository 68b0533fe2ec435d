import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from adlab.errors import AdlabError
from adlab.ingest import choose_inputs, ingest
from adlab.io import read_tables

META_HEADER = (
    '"Campaign name","Ad set name","Ad name",Day,"Amount spent (EUR)",Impressions,Reach,"Link clicks",'
    'Purchases,"Purchase ROAS (return on ad spend)","Attribution setting","Reporting starts","Reporting ends"'
)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_ingest_meta_reads_currency_derives_value_from_roas_and_excludes_totals_row(tmp_path):
    path = write(
        tmp_path,
        "whatever.csv",
        "\ufeff"
        + "\n".join(
            [
                META_HEADER,
                ",,,,30.00,300,250,9,1,,,2026-11-01,2026-11-02",  # totals row: every name empty
                'C1,S1,A1,2026-11-01,10.00,100,80,4,1,3.5,"7-day click or 1-day view",2026-11-01,2026-11-02',
                'C1,S1,A2,2026-11-01,-,-,-,-,-,-,"7-day click or 1-day view",2026-11-01,2026-11-02',
                'C1,S1,A1,2026-11-02,"20.00",200,150,5,0,0,"7-day click or 1-day view",2026-11-01,2026-11-02',
            ]
        ),
    )
    result = ingest([path], tmp_path, "salt")
    rows = result.tables["ad_insights"].sort("date", "ad")
    assert rows["currency"].unique().to_list() == ["EUR"]
    # `-` in an exported column means nothing happened: 0, except reach, which stays unknown.
    assert rows["spend"].to_list() == [10.0, 0.0, 20.0]
    assert rows["purchase_value"].to_list() == [35.0, 0.0, 0.0]
    assert rows["link_clicks"].to_list() == [4, 0, 5]
    assert rows["reach"].to_list() == [80, None, 150]
    assert rows["clicks"].to_list() == [None, None, None]  # not exported: null, never 0
    assert rows["level"].unique().to_list() == ["ad"]
    assert result.ledger.select("rows_in", "kept", "replaced", "totals", "quarantined").row(0) == (4, 3, 0, 1, 0)
    assert result.warnings.height == 0  # 10 + 20 = 30 matches the totals row


def test_ingest_meta_purchase_column_blank_in_every_row_is_unknown_not_zero(tmp_path):
    # A traffic account exports the Purchases and ROAS columns empty: no purchase data, so null, never 0.
    path = write(
        tmp_path,
        "traffic.csv",
        "\n".join(
            [
                META_HEADER,
                'C1,S1,A1,2026-11-01,10.00,100,80,4,,,"7-day click or 1-day view",2026-11-01,2026-11-02',
                'C1,S1,A1,2026-11-02,20.00,200,150,-,,-,"7-day click or 1-day view",2026-11-01,2026-11-02',
            ]
        ),
    )
    rows = ingest([path], tmp_path, "salt").tables["ad_insights"].sort("date")
    assert rows["purchases"].to_list() == [None, None]
    assert rows["purchase_value"].to_list() == [None, None]
    assert rows["link_clicks"].to_list() == [4, 0]  # exported, one cell blank: that day's 0


def test_ingest_meta_warns_when_totals_row_does_not_reconcile(tmp_path):
    path = write(
        tmp_path,
        "m.csv",
        "\n".join(
            [
                META_HEADER,
                ",,,,99.00,300,250,9,1,,,2026-11-01,2026-11-01",
                "C1,S1,A1,2026-11-01,10.00,100,80,4,1,3.5,x,2026-11-01,2026-11-01",
            ]
        ),
    )
    result = ingest([path], tmp_path, "salt")
    assert "99.00" in result.warnings["message"][0]


def test_ingest_newest_reexport_wins_and_is_counted_as_replaced(tmp_path):
    old = write(
        tmp_path,
        "b_old.csv",
        "\n".join(
            [
                META_HEADER,
                "C1,S1,A1,2026-11-01,10.00,100,80,4,1,3,x,2026-11-01,2026-11-01",
            ]
        ),
    )
    new = write(
        tmp_path,
        "a_new.csv",
        "\n".join(
            [
                META_HEADER,
                "C1,S1,A1,2026-11-01,12.00,120,90,5,1,3,x,2026-11-01,2026-11-02",
                "C1,S1,A1,2026-11-02,8.00,80,70,2,0,0,x,2026-11-01,2026-11-02",
            ]
        ),
    )
    result = ingest([new, old], tmp_path, "salt")
    assert result.tables["ad_insights"]["spend"].to_list() == [12.0, 8.0]
    ledger = {row["source_file"]: row for row in result.ledger.iter_rows(named=True)}
    assert (ledger["b_old.csv"]["kept"], ledger["b_old.csv"]["replaced"]) == (0, 1)
    assert (ledger["a_new.csv"]["kept"], ledger["a_new.csv"]["replaced"]) == (2, 0)


def test_ingest_sums_distinct_ads_that_share_every_name(tmp_path):
    path = write(
        tmp_path,
        "m.csv",
        "\n".join(
            [
                META_HEADER,
                "C1,S1,Boosted post...,2026-11-01,10.00,100,80,4,1,3,x,2026-11-01,2026-11-01",
                "C1,S1,Boosted post...,2026-11-01,5.00,50,45,1,0,0,x,2026-11-01,2026-11-01",
                "C1,S1,Boosted post...,2026-11-01,5.00,50,45,1,0,0,x,2026-11-01,2026-11-01",  # verbatim copy
            ]
        ),
    )
    result = ingest([path], tmp_path, "salt")
    row = result.tables["ad_insights"].row(0, named=True)
    assert (row["spend"], row["impressions"], row["reach"]) == (15.0, 150, None)
    assert result.ledger.select("kept", "quarantined").row(0) == (2, 1)
    assert result.quarantine["ad_insights"]["reason"].to_list() == ["exact copy of an earlier row in this file"]


def test_ingest_quarantines_unparseable_rows_with_reason_and_row_number(tmp_path):
    path = write(
        tmp_path,
        "m.csv",
        "\n".join(
            [
                META_HEADER,
                "C1,S1,A1,2026-11-01,10.00,100,80,4,1,3,x,2026-11-01,2026-11-01",
                "C1,S1,A2,not a day,10.00,100,80,4,1,3,x,2026-11-01,2026-11-01",
                "C1,S1,A3,2026-11-01,ten,100,80,4,1,3,x,2026-11-01,2026-11-01",
            ]
        ),
    )
    result = ingest([path], tmp_path, "salt")
    quarantine = result.quarantine["ad_insights"].select("source_row", "reason").rows()
    assert quarantine == [("3", "`Day` is not a date"), ("4", "`Amount spent (EUR)` is not a number")]
    assert result.ledger.select("rows_in", "kept", "quarantined").row(0) == (3, 1, 2)


def test_ingest_unknown_file_names_the_closest_kind_and_its_missing_columns(tmp_path):
    path = write(tmp_path, "x.csv", "Campaign name,Day,Impressions\nC,2026-11-01,5\n")
    with pytest.raises(AdlabError, match=r"x\.csv: not a known export; the closest kind is meta_ads.*Amount spent"):
        ingest([path], tmp_path, "salt")


def test_read_tables_handles_semicolons_utf16_and_preamble(tmp_path):
    path = write(tmp_path, "g.csv", "Report title\nAll time\nCampaign;Cost\nA;1,50\n", encoding="utf-16")
    [table] = read_tables(path)
    assert (table.header, table.delimiter, table.first_row) == (["Campaign", "Cost"], ";", 4)
    assert table.frame.rows() == [("A", "1,50")]


SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,Created at,"
    "Lineitem quantity,Lineitem name,Refunded Amount,Cancelled at,Billing Name,Shipping Phone"
)


def test_ingest_shopify_groups_line_items_into_orders_and_hashes_customers(tmp_path):
    path = write(
        tmp_path,
        "orders.csv",
        "\n".join(
            [
                SHOPIFY_HEADER,
                "#1002,ann@example.com,partially_refunded,USD,90.00,5.00,0.00,95.00,10.00,2026-11-02 23:30:00 -0500,"
                "2,Shirt,20.00,,Ann Lee,555-0100",
                "#1002,ann@example.com,,,,,,,,2026-11-02 23:30:00 -0500,1,Socks,,,,",
                "#1001,ANN@example.com ,paid,USD,50.00,0.00,0.00,50.00,0.00,2026-11-01 10:00:00 -0500,1,Shirt,0.00,"
                ",Ann Lee,",
                "#1003,bob@example.com,voided,USD,30.00,0.00,0.00,30.00,0.00,2026-11-02 10:00:00 -0500,1,Hat,0.00,"
                "2026-11-02 11:00:00 -0500,Bob,",
            ]
        ),
    )
    result = ingest([path], tmp_path, "salt")
    orders = result.tables["orders"].sort("order_id")
    assert orders["order_id"].to_list() == ["#1001", "#1002", "#1003"]
    assert orders["line_items"].to_list() == [1, 2, 1]
    assert orders["units"].to_list() == [1, 3, 1]
    assert orders["refunded"].to_list() == [0.0, 20.0, 0.0]
    assert orders["cancelled"].to_list() == [False, False, True]
    # The order date is the date as written (23:30 at -05:00 is already the next day in UTC).
    assert orders["date"].to_list() == [dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 2)]
    assert orders["created_at"][1] == dt.datetime(2026, 11, 3, 4, 30, tzinfo=dt.UTC)
    keys = orders["customer_key"].to_list()
    assert keys[0] == keys[1] != keys[2]
    assert "ann" not in keys[0]
    # Bob's only order was voided: it never counts, so it is nobody's first order.
    assert orders["is_new_customer"].to_list() == [True, False, False]
    assert result.ledger.select("rows_in", "kept").row(0) == (4, 4)
    text = " ".join(str(v) for v in orders.rows())
    assert "example.com" not in text
    assert "Ann Lee" not in text


def test_choose_inputs_prefers_raw_and_falls_back_to_sample(tmp_path):
    raw, sample = tmp_path / "raw", tmp_path / "sample"
    write(raw, "README.md", "notes")
    write(raw, ".hidden.csv", "x")
    write(sample, "s.csv", "x")
    assert choose_inputs(raw, sample) == ([sample / "s.csv"], True)
    write(raw, "sub/e.csv", "x")
    assert choose_inputs(raw, sample) == ([raw / "sub/e.csv"], False)
    with pytest.raises(AdlabError, match="holds no export"):
        choose_inputs(tmp_path / "none", tmp_path / "none2")


def test_ingest_output_is_sorted_by_key(tmp_path):
    path = write(
        tmp_path,
        "m.csv",
        "\n".join(
            [
                META_HEADER,
                "C1,S1,B,2026-11-02,1,1,1,1,0,0,x,2026-11-01,2026-11-02",
                "C1,S1,A,2026-11-02,1,1,1,1,0,0,x,2026-11-01,2026-11-02",
                "C1,S1,B,2026-11-01,1,1,1,1,0,0,x,2026-11-01,2026-11-02",
            ]
        ),
    )
    rows = ingest([path], tmp_path, "salt").tables["ad_insights"]
    assert rows.select(pl.col("date").cast(pl.String) + pl.col("ad")).to_series().to_list() == [
        "2026-11-01B",
        "2026-11-02A",
        "2026-11-02B",
    ]


def test_ingest_shopify_quarantines_whole_orders_spoilt_by_one_line(tmp_path):
    header = "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name"
    at = "2026-11-02 10:00:00 -0500"
    lines = [
        f"#1,a@example.com,paid,USD,10.00,12.00,{at},1,Mug",  # fine
        f"#2,b@example.com,paid,USD,10.00,12.00,{at},1,Mug",  # its second line is bad
        f"#2,,,,,,{at},x,Cup",
        f"#3,,,,,,{at},1,Cup",  # a line item whose order row is not in the file
        f"#4,c@example.com,paid,USD,5.00,5.00,{at},1,Mug",  # twice with order totals
        f"#4,c@example.com,paid,USD,5.00,5.00,{at},1,Mug",
    ]
    path = tmp_path / "orders_export.csv"
    path.write_text(header + "\n" + "\n".join(lines) + "\n")
    result = ingest([path], tmp_path, "salt")
    assert result.tables["orders"]["order_id"].to_list() == ["#1"]
    reasons = dict(zip(result.quarantine["orders"]["source_row"], result.quarantine["orders"]["reason"], strict=True))
    assert reasons == {
        "3": "another line of this order failed a check",
        "4": "`Lineitem quantity` is not a number",
        "5": "the order's first line (with its totals) is not in the file",
        "6": "order number appears twice with order totals",
        "7": "order number appears twice with order totals",
    }
    ledger = result.ledger.row(0, named=True)
    assert (ledger["rows_in"], ledger["kept"], ledger["quarantined"]) == (6, 1, 5)
