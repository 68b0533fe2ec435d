import datetime as dt

import polars as pl
import pytest

from adlab.sources.common import parse_date, parse_number


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["$1,234.56", "12", "-", "", None, "NULL"], [1234.56, 12.0, None, None, None, None]),
        (["1,790", "23", "4,042"], [1790.0, 23.0, 4042.0]),  # Google Ads thousands
        (["21,33", "1,5", "1.234,56"], [21.33, 1.5, 1234.56]),  # comma decimals
        (["24.00%", "0.5%"], [0.24, 0.005]),
        (["1 234,50 €", "12,00 €"], [1234.5, 12.0]),
        (["EUR 12.00", "1,234.00 EUR"], [12.0, 1234.0]),
        (["ten", "1.2.3"], [None, None]),
    ],
)
def test_parse_number_reads_export_number_formats(cells, expected):
    out = pl.DataFrame({"x": cells}, schema={"x": pl.String}).select(parse_number("x")).to_series().to_list()
    assert out == expected


def test_parse_date_reads_iso_timestamps_dotted_us_and_excel_serials():
    cells = ["2026-11-01", "2026-11-01 00:00:00", "01.11.2026", "11/01/2026", "20261101", "46327", "x"]
    out = pl.DataFrame({"d": cells}).select(parse_date("d")).to_series().to_list()
    assert out == [dt.date(2026, 11, 1)] * 6 + [None]


def test_parse_date_rejects_short_years():
    out = pl.DataFrame({"d": ["1.2.3", "2026-1-5", "5/1/26"]}).select(parse_date("d")).to_series().to_list()
    assert out == [None, dt.date(2026, 1, 5), None]
