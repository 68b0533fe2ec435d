"""Export kinds beyond the Meta/Shopify basics: XLSX, UTF-16, Google Ads, GA4, Shopify Analytics, locales."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from adlab.errors import AdlabError
from adlab.ingest import ingest
from adlab.kpis import compute_kpis_daily

META_ROWS = [
    [
        "Campaign name",
        "Ad set name",
        "Ad name",
        "Day",
        "Amount spent (EUR)",
        "Impressions",
        "Link clicks",
        "Purchases",
        "Purchases conversion value",
        "* My custom metric",
    ],
    ["Sale", "Broad", "Video 1", "2026-11-01", "12.50", "1000", "20", "1", "40.00", "x"],
    ["Sale", "Broad", "Video 1", "2026-11-02", "7.25", "800", "12", "", "", "y"],
    ["Sale", "Lookalike", "Static <b>2</b>", "2026-11-02", "3.10", "250", "3", "1", "19.90", "z"],
]


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8-sig") -> Path:
    lines = [delimiter.join(f'"{c}"' if delimiter in c or '"' in c else c for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = xlsxwriter.Workbook(path)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                number = cell.replace(".", "", 1).isdigit() and r > 0 and c > 3
                if number:
                    sheet.write_number(r, c, float(cell))
                elif cell:
                    sheet.write_string(r, c, cell)
    book.close()
    return path


def canonical(path: Path) -> pl.DataFrame:
    rows = ingest([path], path.parent, "salt").tables["ad_insights"]
    return rows.drop("source_file", "source_row")


def test_ingest_same_export_as_csv_xlsx_and_utf16_tsv_gives_identical_tables(tmp_path):
    csv = canonical(write_csv(tmp_path / "a.csv", META_ROWS))
    xlsx = canonical(write_xlsx(tmp_path / "b.xlsx", {"Raw Data Report": META_ROWS}))
    tsv = canonical(write_csv(tmp_path / "c.txt", META_ROWS, delimiter="\t", encoding="utf-16"))
    assert csv.height == 3
    assert csv["spend"].to_list() == [12.5, 7.25, 3.1]
    assert csv.equals(xlsx)
    assert csv.equals(tsv)


def test_ingest_xlsx_reads_excel_serial_dates_and_skips_unknown_sheets(tmp_path):
    rows = [row[:] for row in META_ROWS]
    rows[1][3] = "46327"  # 2026-11-01 as Excel stores it
    path = write_xlsx(tmp_path / "book.xlsx", {"Ads": rows, "Notes": [["who", "what"], ["me", "notes"]]})
    result = ingest([path], tmp_path, "salt")
    assert result.tables["ad_insights"]["date"].min() == dt.date(2026, 11, 1)
    assert result.ledger["source_file"].to_list() == ["book.xlsx [sheet Ads]"]
    assert "no known kind" in result.warnings.filter(pl.col("check") == "not_used")["message"][0]


def test_ingest_lists_custom_star_columns_as_not_used(tmp_path):
    result = ingest([write_csv(tmp_path / "a.csv", META_ROWS)], tmp_path, "salt")
    assert "custom columns not used: * My custom metric" in result.warnings["message"].to_list()


def test_ingest_google_ads_report_with_title_lines_and_thousands(tmp_path):
    path = tmp_path / "google.csv"
    path.write_text(
        "RB - Campaign performance\n1 August 2025 - 15 April 2026\n"
        "Campaign type,Campaign,Day,Currency code,Cost,Clicks,Impr.,CTR,Conversions,Conv. value\n"
        'Search,Brand,2026-04-14,AUD,10.50,7,"1,790",0.39%,1.00,120.00\n'
        "Search,Brand,2026-04-15,AUD,5.00,3,400,0.75%,0.00,0.00\n"
        'Total: Account,--,--,AUD,15.50,10,"2,190",0.46%,1.00,120.00\n'
    )
    result = ingest([path], tmp_path, "salt")
    rows = result.tables["ad_insights"]
    assert rows["platform_source"].unique().to_list() == ["google_ads"]
    assert rows["impressions"].to_list() == [1790, 400]
    assert rows["currency"].unique().to_list() == ["AUD"]
    assert (rows["link_clicks"].sum(), rows["purchase_value"].sum()) == (10, 120.0)
    assert result.ledger.select("rows_in", "kept", "totals").row(0) == (3, 2, 1)


def test_ingest_russian_locale_headers_and_comma_decimals(tmp_path):
    path = tmp_path / "ru.csv"
    path.write_text(
        "Дата,Клики,Охват,Показы,Бюджет,Заявки,Кампания,Группа объявлений\n"
        '2024-09-25,60,2284,2656,"17,98",1,Free_class,Video 4\n'
        '2024-09-26,39,1108,1224,"12,45",1,Free_class,Video 4\n'
        "# Last updated: 2024-10-10T02:00:00\n"
    )
    result = ingest([path], tmp_path, "salt")
    rows = result.tables["ad_insights"]
    assert rows["spend"].to_list() == [17.98, 12.45]
    assert rows["impressions"].to_list() == [2656, 1224]
    assert rows["level"].unique().to_list() == ["adset"]
    assert result.ledger.select("rows_in", "kept", "totals").row(0) == (2, 2, 0)


def test_ingest_ga4_stacked_tables_keeps_sessions_by_week(tmp_path):
    path = tmp_path / "ga4.csv"
    path.write_text(
        "# ----------------------------------------\n# Traffic acquisition\n# Property: Shop\n"
        "# ----------------------------------------\n#\n# Start date: 20250101\n# End date: 20250131\n"
        "Session primary channel group (Default Channel Group),Week,Sessions,Engaged sessions,Key events,"
        "Total revenue\n"
        "Paid Social,01,100,60,2,150.5\nPaid Social,02,120,70,3,200\nOrganic Search,02,80,50,1,0\n"
        "\n# ----------------------------------------\n# Property: Shop\n# Start date: 20250101\n"
        "Nth week,Active users\n0000,4815\n0001,5729\n"
    )
    result = ingest([path], tmp_path, "salt")
    sessions = result.tables["sessions"].sort("date", "channel")
    # GA4 week 01 of 2025 starts on Wed 1 January, week 02 on Sunday 5 January.
    assert sessions.select("date", "channel", "sessions").rows() == [
        (dt.date(2025, 1, 1), "Paid Social", 100),
        (dt.date(2025, 1, 5), "Organic Search", 80),
        (dt.date(2025, 1, 5), "Paid Social", 120),
    ]
    assert sessions["period"].unique().to_list() == ["week"]
    assert result.ledger["source_file"].to_list() == ["ga4.csv [table 1]"]
    assert "Nth week | Active users" in result.warnings["message"][0]


def test_ingest_shopify_sales_by_product_sums_days_without_summing_orders(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(
        '"Day","Product title","Net items sold","Gross sales","Discounts","Returns","Net sales","Taxes",'
        '"Total sales","Orders"\n'
        '"2025-08-01","Mattress",1,63.62,0,0,63.62,6.36,69.98,1\n'
        '"2025-08-01",,0,0,0,0,0,2.54,27.92,0\n'
        '"2025-08-02","Chair",2,100,-10,0,90,9,99,1\n'
    )
    result = ingest([path], tmp_path, "salt")
    sales = result.tables["store_sales"].sort("date")
    assert sales.select("date", "total_sales").rows() == [(dt.date(2025, 8, 1), 97.9), (dt.date(2025, 8, 2), 99.0)]
    assert sales["orders"].to_list() == [None, None]  # per product: orders would be double counted
    assert result.ledger.select("rows_in", "kept").row(0) == (3, 3)


def test_ingest_base_plus_age_gender_export_counts_base_totals_once(tmp_path):
    base = write_csv(
        tmp_path / "base.csv",
        [
            ["Campaign name", "Ad set name", "Ad name", "Day", "Amount spent (USD)", "Impressions", "Reach"],
            ["C", "S", "A", "2026-11-01", "10.00", "1000", "800"],
        ],
    )
    ages = write_csv(
        tmp_path / "ages.csv",
        [
            [
                "Campaign name",
                "Ad set name",
                "Ad name",
                "Day",
                "Age",
                "Gender",
                "Amount spent (USD)",
                "Impressions",
                "Reach",
            ],
            ["C", "S", "A", "2026-11-01", "25-34", "female", "6.00", "600", "500"],
            ["C", "S", "A", "2026-11-01", "35-44", "male", "4.00", "400", "350"],
        ],
    )
    rows = ingest([base, ages], tmp_path, "salt").tables["ad_insights"]
    daily = compute_kpis_daily(rows).row(0, named=True)
    assert (daily["spend"], daily["impressions"], daily["frequency"]) == (10.0, 1000, 1.25)
    assert rows.filter(pl.col("breakdown") == "age_gender")["spend"].sum() == 10.0


def test_ingest_empty_file_is_one_clear_line(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(AdlabError, match=r"empty\.csv: the file is empty"):
        ingest([path], tmp_path, "salt")
