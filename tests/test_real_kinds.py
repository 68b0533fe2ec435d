"""Acceptance tests on the other real export kinds (../shared/data/real): adlab against an independent count.

Covers what test_real_exports.py does not: Meta campaign-daily, window-row and
age x gender files, Google Ads, Pinterest, Shopify Analytics sales and
sessions, GA4, an API-shaped account table, a Russian-locale table, and the
exports adlab knows but does not use. The expected side of every comparison
is computed here with nothing but `csv` and `datetime`, straight from the
file as written; only the actual side goes through adlab (ingest, then
compute_kpis_daily and rollup for ad data).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from adlab.ingest import Ingested, ingest
from adlab.kpis import add_week, compute_kpis_daily, rollup

pytestmark = pytest.mark.real

COCOON_META = "cocoon_au/meta_ads_campaign_daily_2026-06.csv"
COCOON_GOOGLE = "cocoon_au/google_ads_campaign_daily_2025-08_to_2026-04.csv"
COCOON_PINTEREST = "cocoon_au/pinterest_ads_ad_level_daily_2026-06.csv"
COCOON_SALES = "cocoon_au/shopify_sales_by_product_daily_2025-08_to_2026-04.csv"
COCOON_VISITORS = "cocoon_au/shopify_visitors_daily_2025-08_to_2026-04.csv"
GA4_DIR = "monfrere_us/ga4/"
GA4_TRAFFIC = GA4_DIR + "GA Traffic_acquisition_Session_primary_channel_group_(Default_Channel_Group) 2025.csv"
GA4_OVERVIEW = GA4_DIR + "GA 2025 Acquisition_overview.csv"
GA4_USERS = GA4_DIR + "GA User_acquisition_First_user_primary_channel_group_(Default_Channel_Group) 2025.csv"
GA4_USERS_SUMMARY = (
    GA4_DIR + "GA Summary User_acquisition_First_user_primary_channel_group_(Default_Channel_Group) 2025.csv"
)
LEBESGUE = "lebesgue_fb_ads_daily/facebook_ads.csv"
KO_ADSETS = "ko_target_ru_locale/facebook_adsets_data.csv"
KO_LEADS = "ko_target_ru_locale/facebook_ads_data_leads_1_year.csv"
MONFRERE_LIFETIME = "monfrere_us/meta/MONFRERE-META-Ads-Fe-5-2023-Mar-4-2026.csv"
MONFRERE_2024 = "monfrere_us/meta/Meta Monfrere 2024.csv"

# Money cells have 2 decimals (Lebesgue's and Meta's age x gender split have up to 16 and 8), so a week's
# sum agrees to well under half a cent; anything larger is a real difference, not float noise.
CENT = 0.005
# Google Ads puts two report-title lines above its header.
GOOGLE_TITLE_LINES = 2

Totals = dict[object, dict[str, float]]


# ---------------------------------------------------------------- independent side: csv + datetime only


def read_csv_rows(path: Path, title_lines: int = 0) -> tuple[list[str], list[list[str]]]:
    """Header and data rows as Python's csv module reads them.

    The BOM is stripped, `title_lines` lines above the header skipped, blank rows
    and one-cell `# ...` comment lines (ko_target's trailing `# Last updated`) dropped.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[title_lines:]
    rows = [
        row
        for row in rows
        if any(cell.strip() for cell in row) and not (len(row) == 1 and row[0].lstrip().startswith("#"))
    ]
    return rows[0], rows[1:]


def read_ga4_tables(path: Path) -> tuple[str, list[tuple[list[str], list[list[str]]]]]:
    """The `#` comment text of a GA4 download and its tables: runs of non-comment lines, each header + rows."""
    comments, tables, block = [], [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line in handle.read().splitlines():
            if line.startswith("#"):
                comments.append(line)
                if block:
                    tables.append(block)
                block = []
            elif line.strip():
                block.append(line)
    if block:
        tables.append(block)
    parsed = [list(csv.reader(lines)) for lines in tables]
    return "\n".join(comments), [(rows[0], rows[1:]) for rows in parsed]


def iso_week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def day_of(cell: str) -> dt.date:
    return dt.date.fromisoformat(cell.strip())


def amount(cell: str) -> float:
    """A money cell: `1,241.10` has a thousands comma; empty means nothing happened (0)."""
    text = cell.strip().replace(",", "")
    return float(text) if text else 0.0


def count(cell: str) -> int:
    """A count cell: `1,790` has a thousands comma; empty means nothing happened (0)."""
    text = cell.strip().replace(",", "")
    return int(text) if text else 0


def comma_decimal(cell: str) -> float:
    """A Russian-locale number: `21,33` is 21.33."""
    return float(cell.strip().replace(",", "."))


def sum_by(
    rows: list[list[str]], key_of: Callable[[list[str]], object], values_of: Callable[[list[str]], dict[str, float]]
) -> Totals:
    """Per key, the sum of each value over the rows with that key."""
    totals: Totals = defaultdict(lambda: defaultdict(float))
    for row in rows:
        bucket = totals[key_of(row)]
        for name, value in values_of(row).items():
            bucket[name] += value
    return {key: dict(values) for key, values in totals.items()}


def ga4_week_start(year: int, week: int) -> dt.date:
    """First day of GA4's `Week` number: week 01 starts on 1 January, every later week on a Sunday."""
    jan1 = dt.date(year, 1, 1)
    if week == 1:
        return jan1
    days_to_next_sunday = 7 - jan1.isoweekday() % 7  # isoweekday: Monday 1 .. Sunday 7
    return jan1 + dt.timedelta(days=days_to_next_sunday + 7 * (week - 2))


# ---------------------------------------------------------------- actual side: adlab


@functools.cache
def ingested(real: Path, name: str) -> Ingested:
    """adlab's ingest of one real file (cached: each file is read once per session)."""
    return ingest([real / name], real, "acceptance-test-salt")


def adlab_ad_totals(real: Path, name: str, by: str) -> Totals:
    """kpis_daily of one file rolled up per `week` (ISO label, as adlab writes it) or per `date`."""
    daily = compute_kpis_daily(ingested(real, name).tables["ad_insights"])
    frame = rollup(add_week(daily), [by]) if by == "week" else rollup(daily, [by])
    return {row.pop(by): row for row in frame.iter_rows(named=True)}


def differences(
    expected: Totals, actual: Totals, money: tuple[str, ...] = (), counts: tuple[str, ...] = ()
) -> list[str]:
    """Every (key, metric) where adlab and the independent count disagree: money beyond half a cent, counts at all."""
    assert expected, "nothing was counted from the file"
    found = []
    for key in sorted(set(expected) | set(actual), key=str):
        if key not in expected or key not in actual:
            found.append(f"{key}: only in {'adlab' if key in actual else 'the file'}")
            continue
        for metric in (*money, *counts):
            want, got = expected[key][metric], actual[key][metric]
            ok = got is not None and (abs(got - want) <= CENT if metric in money else got == want)
            if not ok:
                found.append(f"{key} {metric}: expected {want!r}, adlab {got!r}")
    return found


def ledger_row(result: Ingested) -> dict[str, object]:
    assert result.ledger.height == 1, result.ledger
    return result.ledger.row(0, named=True)


# ---------------------------------------------------------------- the row ledger of every used file


def csv_data_rows(real: Path, name: str) -> int:
    if name == COCOON_GOOGLE:
        return len(read_csv_rows(real / name, GOOGLE_TITLE_LINES)[1])
    if name == GA4_TRAFFIC:
        ((_, rows),) = read_ga4_tables(real / name)[1]
        return len(rows)
    return len(read_csv_rows(real / name)[1])


@pytest.mark.parametrize(
    ("name", "kind", "table"),
    [
        (COCOON_META, "meta_ads", "ad_insights"),
        (COCOON_GOOGLE, "google_ads", "ad_insights"),
        (COCOON_PINTEREST, "pinterest_ads", "ad_insights"),
        (COCOON_SALES, "shopify_analytics", "store_sales"),
        (COCOON_VISITORS, "shopify_analytics", "sessions"),
        (GA4_TRAFFIC, "ga4", "sessions"),
        (LEBESGUE, "meta_ads", "ad_insights"),
        (KO_ADSETS, "meta_ads", "ad_insights"),
        (KO_LEADS, "meta_ads", "ad_insights"),
        (MONFRERE_LIFETIME, "meta_ads", "ad_insights"),
        (MONFRERE_2024, "meta_ads", "ad_insights"),
    ],
)
def test_ingest_ledger_counts_every_csv_row_once(real_data, name, kind, table):
    result = ingested(real_data, name)
    ledger = ledger_row(result)
    assert (ledger["kind"], ledger["table"]) == (kind, table)
    assert ledger["rows_in"] == csv_data_rows(real_data, name)
    assert ledger["rows_in"] == ledger["kept"] + ledger["replaced"] + ledger["totals"] + ledger["quarantined"]
    # The independent counts below parse every row of these files without error and none has a totals
    # row, so nothing is bad: every row is kept (one file cannot replace its own rows).
    assert (ledger["replaced"], ledger["totals"], ledger["quarantined"]) == (0, 0, 0)
    assert not result.warnings.filter(pl.col("check") != "same_names").height, result.warnings


def test_ingest_two_stores_sessions_side_by_side_keeps_every_row(real_data):
    """A Shopify visitors report and a GA4 download in two account folders: one sessions table of both."""
    paths = [real_data / COCOON_VISITORS, real_data / GA4_TRAFFIC]
    result = ingest(paths, real_data, "test-salt", real_data)
    sessions = result.tables["sessions"]
    assert sorted(sessions["account"].unique().to_list()) == ["cocoon_au", "monfrere_us"]
    assert result.ledger["rows_in"].sum() == sum(
        csv_data_rows(real_data, name) for name in (COCOON_VISITORS, GA4_TRAFFIC)
    )
    assert result.ledger["kept"].sum() == sessions["_input_rows"].sum()


# ---------------------------------------------------------------- ad platforms, per ISO week


def test_compute_kpis_daily_cocoon_meta_campaign_daily_matches_independent_weekly_totals(real_data):
    header, rows = read_csv_rows(real_data / COCOON_META)
    col = {name: header.index(name) for name in header}
    expected = sum_by(
        rows,
        lambda row: iso_week_label(day_of(row[col["Day"]])),
        lambda row: {
            "spend": amount(row[col["Amount spent (AUD)"]]),
            "impressions": count(row[col["Impressions"]]),
            "link_clicks": count(row[col["Link clicks"]]),
            "clicks": count(row[col["Clicks (all)"]]),
            "purchases": count(row[col["Purchases"]]),
            "purchase_value": amount(row[col["Purchases conversion value"]]),
        },
    )
    actual = adlab_ad_totals(real_data, COCOON_META, "week")
    money, counts = ("spend", "purchase_value"), ("impressions", "link_clicks", "clicks", "purchases")
    assert differences(expected, actual, money, counts) == []
    assert sorted(expected) == ["2026-W23", "2026-W24", "2026-W25", "2026-W26"]  # 2026-06-01 (Mon) .. 06-25 (Thu)
    table = ingested(real_data, COCOON_META).tables["ad_insights"]
    assert table["level"].unique().to_list() == ["campaign"]
    assert table["currency"].unique().to_list() == ["AUD"]


def test_compute_kpis_daily_google_ads_matches_independent_weekly_totals(real_data):
    header, rows = read_csv_rows(real_data / COCOON_GOOGLE, GOOGLE_TITLE_LINES)
    col = {name: header.index(name) for name in header}
    # adlab stores purchases as integers, rounding each row's fractional Conversions (`0.67`) with
    # round-half-to-even; so the expected side sums Python's round() of each row, not the raw values.
    expected = sum_by(
        rows,
        lambda row: iso_week_label(day_of(row[col["Day"]])),
        lambda row: {
            "spend": amount(row[col["Cost"]]),
            "impressions": count(row[col["Impr."]]),
            "clicks": count(row[col["Clicks"]]),
            "link_clicks": count(row[col["Clicks"]]),  # search, shopping and PMax clicks land on the site
            "purchases": round(float(row[col["Conversions"]].replace(",", ""))),
            "purchase_value": amount(row[col["Conv. value"]]),
        },
    )
    actual = adlab_ad_totals(real_data, COCOON_GOOGLE, "week")
    money, counts = ("spend", "purchase_value"), ("impressions", "clicks", "link_clicks", "purchases")
    assert differences(expected, actual, money, counts) == []
    assert len(expected) == 33  # 2025-09-02 (Tue, 2025-W36) .. 2026-04-15 (Wed, 2026-W16); the title says 1 August
    table = ingested(real_data, COCOON_GOOGLE).tables["ad_insights"]
    assert table["platform_source"].unique().to_list() == ["google_ads"]
    assert table["currency"].unique().to_list() == ["AUD"]
    # `"1,790"` is one thousand seven hundred and ninety impressions, not 1.79.
    shopping = pl.col("campaign") == "RB_Std_Shp_OtherLocation_100126"
    assert table.filter(shopping & (pl.col("date") == dt.date(2026, 4, 15)))["impressions"].to_list() == [1790]


def test_compute_kpis_daily_pinterest_matches_independent_weekly_totals(real_data):
    header, rows = read_csv_rows(real_data / COCOON_PINTEREST)
    col = {name: header.index(name) for name in header}
    expected = sum_by(
        rows,
        lambda row: iso_week_label(day_of(row[col["Date"]])),
        lambda row: {
            "spend": amount(row[col["Spend in account currency"]]),
            "impressions": count(row[col["Impressions"]]),
            "link_clicks": count(row[col["Outbound clicks"]]),
            "clicks": count(row[col["Pin clicks"]]),
            "purchases": count(row[col["Total conversions (Checkout)"]]),
            "purchase_value": amount(row[col["Total order value (Checkout)"]]),
        },
    )
    actual = adlab_ad_totals(real_data, COCOON_PINTEREST, "week")
    money, counts = ("spend", "purchase_value"), ("impressions", "link_clicks", "clicks", "purchases")
    assert differences(expected, actual, money, counts) == []
    assert sum(week["spend"] for week in expected.values()) == pytest.approx(251.64, abs=CENT)
    table = ingested(real_data, COCOON_PINTEREST).tables["ad_insights"]
    assert (table["platform_source"].unique().to_list(), table["level"].unique().to_list()) == (["pinterest"], ["ad"])


def test_compute_kpis_daily_lebesgue_account_table_matches_independent_weekly_totals(real_data):
    header, rows = read_csv_rows(real_data / LEBESGUE)
    col = {name: header.index(name) for name in header}
    expected = sum_by(
        rows,
        lambda row: iso_week_label(day_of(row[col["date"]])),
        lambda row: {
            "spend": float(row[col["spend"]]),
            "impressions": int(row[col["impressions"]]),
            "clicks": int(row[col["clicks"]]),
            "purchases": int(row[col["purchases"]]),
            "purchase_value": float(row[col["purchases_conversion_value"]]),
        },
    )
    actual = adlab_ad_totals(real_data, LEBESGUE, "week")
    assert differences(expected, actual, ("spend", "purchase_value"), ("impressions", "clicks", "purchases")) == []
    assert len(expected) == 70  # 2019-01-01 (Tue, 2019-W01) .. 2020-04-30 (Thu, 2020-W18)
    table = ingested(real_data, LEBESGUE).tables["ad_insights"]
    assert table["level"].unique().to_list() == ["account"]
    assert table["account"].unique().to_list() == ["-1"]
    # No link clicks column: absent is null, never 0.
    assert all(week["link_clicks"] is None for week in actual.values())


@pytest.mark.parametrize("name", [KO_ADSETS, KO_LEADS])
def test_compute_kpis_daily_russian_locale_matches_independent_daily_totals(real_data, name):
    header, rows = read_csv_rows(real_data / name)
    col = {name: header.index(name) for name in header}
    expected = sum_by(
        rows,
        lambda row: day_of(row[col["Дата"]]),
        lambda row: {
            "spend": comma_decimal(row[col["Бюджет"]]),
            "impressions": int(row[col["Показы"]]),
            "clicks": int(row[col["Клики"]]),
        },
    )
    actual = adlab_ad_totals(real_data, name, "date")
    assert differences(expected, actual, ("spend",), ("impressions", "clicks")) == []


@pytest.mark.parametrize("name", [KO_ADSETS, KO_LEADS])
def test_ingest_russian_locale_keeps_reach_of_each_ad_set_day(real_data, name):
    # Reach never adds up across ad sets, so it is compared at the grain it was exported: one row per
    # (day, campaign, ad set).
    header, rows = read_csv_rows(real_data / name)
    col = {name: header.index(name) for name in header}
    expected = {
        (day_of(row[col["Дата"]]), row[col["Кампания"]], row[col["Группа объявлений"]]): int(row[col["Охват"]])
        for row in rows
    }
    table = ingested(real_data, name).tables["ad_insights"]
    actual = {(row["date"], row["campaign"], row["adset"]): row["reach"] for row in table.iter_rows(named=True)}
    assert actual == expected
    assert table["level"].unique().to_list() == ["adset"]


# ---------------------------------------------------------------- Meta window rows and breakdowns


def test_ingest_lifetime_rows_stay_window_rows_and_keep_file_totals(real_data):
    header, rows = read_csv_rows(real_data / MONFRERE_LIFETIME)
    col = {name: header.index(name) for name in header}
    windows = {(day_of(row[col["Reporting starts"]]), day_of(row[col["Reporting ends"]])) for row in rows}
    assert windows == {(dt.date(2023, 2, 5), dt.date(2026, 3, 5))}
    # Ads sharing campaign, ad set, ad name and attribution are summed by adlab into one row each.
    keys = {
        tuple(row[col[name]].strip() for name in ("Campaign name", "Ad set name", "Ad name", "Attribution setting"))
        for row in rows
    }
    table = ingested(real_data, MONFRERE_LIFETIME).tables["ad_insights"]
    assert table.height == len(keys)  # 1694 rows from 1751 (57 same-named ads)
    assert table.select("window_start", "date").unique().rows() == [(dt.date(2023, 2, 5), dt.date(2026, 3, 5))]
    assert table["spend"].sum() == pytest.approx(sum(amount(row[col["Amount spent (USD)"]]) for row in rows), abs=CENT)
    assert table["spend"].sum() == pytest.approx(514859.87, abs=CENT)
    assert table["impressions"].sum() == sum(count(row[col["Impressions"]]) for row in rows)
    assert table["purchases"].sum() == sum(count(row[col["Purchases"]]) for row in rows)
    warning = ingested(real_data, MONFRERE_LIFETIME).warnings.filter(pl.col("check") == "same_names")
    assert warning["message"].str.starts_with(f"{len(rows) - len(keys)} rows share").to_list() == [True]


def test_compute_kpis_daily_ignores_lifetime_window_rows(real_data):
    daily = compute_kpis_daily(ingested(real_data, MONFRERE_LIFETIME).tables["ad_insights"])
    assert daily.height == 0


def test_ingest_age_gender_breakdown_matches_independent_weekly_spend(real_data):
    header, rows = read_csv_rows(real_data / MONFRERE_2024)
    col = {name: header.index(name) for name in header}
    expected = sum_by(
        rows,
        lambda row: iso_week_label(day_of(row[col["Day"]])),
        lambda row: {"spend": amount(row[col["Amount spent (USD)"]]), "impressions": count(row[col["Impressions"]])},
    )
    table = ingested(real_data, MONFRERE_2024).tables["ad_insights"]
    assert table["breakdown"].unique().to_list() == ["age_gender"]
    assert sorted(table["gender"].unique().to_list()) == sorted({row[col["Gender"]] for row in rows})
    actual = {row.pop("week"): row for row in rollup(add_week(table), ["week"]).iter_rows(named=True)}
    assert differences(expected, actual, ("spend",), ("impressions",)) == []
    assert len(expected) == 31  # 184 days from 2024-01-01 to 2024-12-31 (30-31 December are in 2025-W01)


def test_compute_kpis_daily_from_age_gender_breakdown_alone_keeps_weekly_spend(real_data):
    header, rows = read_csv_rows(real_data / MONFRERE_2024)
    col = {name: header.index(name) for name in header}
    expected = sum_by(
        rows,
        lambda row: iso_week_label(day_of(row[col["Day"]])),
        lambda row: {"spend": amount(row[col["Amount spent (USD)"]]), "impressions": count(row[col["Impressions"]])},
    )
    actual = adlab_ad_totals(real_data, MONFRERE_2024, "week")
    assert differences(expected, actual, ("spend",), ("impressions",)) == []


# ---------------------------------------------------------------- Shopify Analytics and GA4


def test_ingest_shopify_sales_by_product_sums_each_day_and_leaves_orders_unknown(real_data):
    header, rows = read_csv_rows(real_data / COCOON_SALES)
    col = {name: header.index(name) for name in header}
    # Rows without a product (shipping, adjustments) are part of the day's total sales.
    expected = sum_by(
        rows,
        lambda row: day_of(row[col["Day"]]),
        lambda row: {
            "total_sales": amount(row[col["Total sales"]]),
            "gross_sales": amount(row[col["Gross sales"]]),
            "net_sales": amount(row[col["Net sales"]]),
            "taxes": amount(row[col["Taxes"]]),
        },
    )
    table = ingested(real_data, COCOON_SALES).tables["store_sales"]
    actual = {row.pop("date"): row for row in table.iter_rows(named=True)}
    assert differences(expected, actual, ("total_sales", "gross_sales", "net_sales", "taxes")) == []
    # One order can hold several products: per-product order counts never add up to orders.
    assert table["orders"].null_count() == table.height


def test_ingest_shopify_visitors_gives_daily_sessions(real_data):
    header, rows = read_csv_rows(real_data / COCOON_VISITORS)
    col = header.index("Sessions")  # the first one; the `(previous_period)` columns are another period
    expected = sum_by(rows, lambda row: day_of(row[0]), lambda row: {"sessions": count(row[col])})
    table = ingested(real_data, COCOON_VISITORS).tables["sessions"]
    assert table.select("period", "source", "channel").unique().rows() == [("day", "shopify", "all")]
    actual = {row.pop("date"): row for row in table.iter_rows(named=True)}
    assert differences(expected, actual, counts=("sessions",)) == []
    assert len(expected) == 258


def test_ingest_ga4_traffic_acquisition_gives_weekly_sessions_per_channel(real_data):
    comments, tables = read_ga4_tables(real_data / GA4_TRAFFIC)
    ((header, rows),) = tables
    year = int(re.search(r"Start date: (\d{4})\d{4}", comments).group(1))
    col = {name: header.index(name) for name in header}
    channel = "Session primary channel group (Default Channel Group)"
    expected = sum_by(
        rows,
        lambda row: (ga4_week_start(year, int(row[col["Week"]])), row[col[channel]]),
        lambda row: {
            "sessions": int(row[col["Sessions"]]),
            "engaged_sessions": int(row[col["Engaged sessions"]]),
            "revenue": float(row[col["Total revenue"]]),
        },
    )
    table = ingested(real_data, GA4_TRAFFIC).tables["sessions"]
    assert table.select("period", "source").unique().rows() == [("week", "ga4")]
    actual = {(row.pop("date"), row.pop("channel")): row for row in table.iter_rows(named=True)}
    assert differences(expected, actual, ("revenue",), ("sessions", "engaged_sessions")) == []
    starts = sorted({start for start, _ in expected})
    assert starts[:3] == [dt.date(2025, 1, 1), dt.date(2025, 1, 5), dt.date(2025, 1, 12)]  # Wed, then Sundays
    assert starts[-1] == dt.date(2025, 12, 7)  # week 50


@pytest.mark.parametrize(("name", "tables"), [(GA4_USERS, 1), (GA4_USERS_SUMMARY, 1), (GA4_OVERVIEW, 9)])
def test_ingest_ga4_tables_without_sessions_by_date_are_listed_as_not_used(real_data, name, tables):
    _, expected = read_ga4_tables(real_data / name)
    assert len(expected) == tables
    result = ingested(real_data, name)
    assert result.ledger.height == 0
    assert all(frame.height == 0 for frame in result.tables.values())
    assert result.warnings["check"].to_list() == ["not_used"] * tables
    for (header, _), message in zip(expected, result.warnings["message"], strict=True):
        assert f"({' | '.join(header[:3])})" in message
        assert "no sessions by date" in message


# ---------------------------------------------------------------- known but unused exports


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("monfrere_us/shopify/Shopify_inventory_export_1.csv", "Shopify inventory export"),
        (
            "monfrere_us/shopify/Shopify 2025 YTD - Checkout conversion rate over time.csv",
            "Shopify Analytics report by month or week",
        ),
        ("monfrere_us/shopify/Shopify 2025 YTD - Customer behavior.csv", "Shopify Analytics report by month or week"),
        ("monfrere_us/shopify/Shopify 2025 YTD - Visitors Over Time.csv", "Shopify Analytics report by month or week"),
        ("monfrere_us/shopify/Shopify 2025 YTD - New vs returning customers.csv", "Shopify Analytics customers report"),
        ("ga4_bq_sample_items/ga4_sample.csv", "GA4 BigQuery item-level extract"),
        ("kaggle_kag_conversion/KAG_conversion_data.csv", "ad performance table without dates"),
    ],
)
def test_ingest_known_unused_export_gives_no_rows_and_says_what_it_is(real_data, name, what):
    _, rows = read_csv_rows(real_data / name)
    result = ingested(real_data, name)
    assert result.ledger.height == 0
    assert all(frame.height == 0 for frame in result.tables.values())
    assert result.warnings.rows() == [(name, "not_used", f"{what} ({len(rows)} rows): adlab does not use it")]
