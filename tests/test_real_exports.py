"""Acceptance tests on real exports (../shared/data/real): adlab's weekly totals against an independent count.

The expected side of every comparison is computed here with nothing but the
`csv` module and `datetime`, straight from the file as written; only the
actual side goes through adlab (ingest -> validate_table -> compute_kpis_*).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from adlab.ingest import Ingested, ingest
from adlab.kpis import build_summary, compute_kpis_daily, compute_kpis_weekly, rollup, store_daily
from adlab.quality import validate_table

pytestmark = pytest.mark.real

MONFRERE_META = "monfrere_us/meta/Meta Daily MONFRERE-Ads-Jan-1-2026-Mar-15-2026.csv"
COCOON_META = "cocoon_au/meta_ads_ad_level_daily_2025-08_to_2026-04.csv"
MAISON_MARIA_ORDERS = "shopify_maison_maria_gbp/orders_export_1_REDACTED.csv"
MONFRERE_ORDERS = "monfrere_us/shopify/Shopify_orders_export_2_REDACTED.csv"
META_FILES = (MONFRERE_META, COCOON_META)
ORDER_FILES = (MAISON_MARIA_ORDERS, MONFRERE_ORDERS)

# Money in the files has 2 decimals, so a sum of them is exact to well under half a cent;
# anything larger than this is a real difference, not float noise.
CENT = 0.005
# Ratios of such sums (ROAS) agree to float precision.
RATIO_REL = 1e-6
# The validate stage's defaults (params.yaml `validate`): nothing in these files is out of range.
MIN_DATE = dt.date(2004, 1, 1)


# ---------------------------------------------------------------- independent side: csv + datetime only


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows as Python's csv module reads them (BOM stripped, blank lines skipped)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    return rows[0], rows[1:]


def iso_week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def number(cell: str) -> float | None:
    """A Meta cell as a number; `-` and empty in an exported column mean nothing happened (0)."""
    text = cell.strip()
    return 0.0 if text in ("", "-") else float(text)


def add(totals: dict[str, float | None], name: str, value: float | None) -> None:
    """Sum that stays None while every value seen is None (absent is not 0)."""
    if value is not None:
        totals[name] = (totals.get(name) or 0.0) + value
    else:
        totals.setdefault(name, None)


def expected_meta_weekly(path: Path, per_ad: bool = False) -> dict[object, dict[str, float | None]]:
    """One entry per ISO week (or per (week, campaign, ad set, ad) with `per_ad`), counted from the file.

    Metrics: spend, impressions, purchases, purchase_value, link_clicks (when exported), roas.

    Rows repeated verbatim count once, rows without any name (totals) are skipped,
    window rows (Reporting starts != Reporting ends and no Day) are not daily rows.
    Without a conversion value column, purchase_value = round(ROAS x spend, 2) per row.
    """
    header, rows = read_csv_rows(path)
    col = {name: header.index(name) for name in header}  # first occurrence of a repeated header
    spend_col = next(name for name in header if name.startswith("Amount spent ("))
    value_col = "Purchases conversion value" if "Purchases conversion value" in col else None
    roas_col = "Purchase ROAS (return on ad spend)" if "Purchase ROAS (return on ad spend)" in col else None
    names = [name for name in ("Campaign name", "Ad set name", "Ad name") if name in col]
    seen: set[tuple[str, ...]] = set()
    weeks: dict[object, dict[str, float | None]] = defaultdict(dict)
    for row in rows:
        if tuple(row) in seen:
            continue
        seen.add(tuple(row))
        if all(not row[col[name]].strip() for name in names):
            continue
        if "Day" in col:
            day = row[col["Day"]]
        elif row[col["Reporting starts"]] == row[col["Reporting ends"]]:
            day = row[col["Reporting starts"]]
        else:
            continue
        week = iso_week_label(dt.date.fromisoformat(day))
        totals = weeks[(week, *(row[col[name]].strip() for name in names)) if per_ad else week]
        spend = number(row[col[spend_col]])
        add(totals, "spend", spend)
        add(totals, "impressions", number(row[col["Impressions"]]))
        add(totals, "purchases", number(row[col["Purchases"]]))
        if value_col:
            add(totals, "purchase_value", number(row[col[value_col]]))
        else:
            # A blank ROAS is 0 value only when there was no purchase; otherwise the value is unknown.
            roas_text = row[col[roas_col]].strip()
            purchases = number(row[col["Purchases"]])
            if roas_text in ("", "-"):
                add(totals, "purchase_value", 0.0 if purchases == 0 else None)
            else:
                add(totals, "purchase_value", round(float(roas_text) * spend, 2))
        if "Link clicks" in col:
            add(totals, "link_clicks", number(row[col["Link clicks"]]))
    for totals in weeks.values():
        value, spend = totals["purchase_value"], totals["spend"]
        totals["roas"] = value / spend if value is not None and spend else None
    return dict(weeks)


def expected_store_weekly(path: Path) -> dict[str, dict[str, float]]:
    """Per ISO week of the `Created at` date as written: orders not cancelled or voided, and their revenue.

    Order-level fields sit on the first line item row of each `Name`.
    """
    header, rows = read_csv_rows(path)
    col = {name: header.index(name) for name in header}
    first_rows: dict[str, list[str]] = {}
    for row in rows:
        first_rows.setdefault(row[col["Name"]], row)
    weeks: dict[str, dict[str, float]] = defaultdict(lambda: {"orders": 0, "revenue": 0.0})
    for row in first_rows.values():
        if row[col["Cancelled at"]].strip() or row[col["Financial Status"]].strip().lower() == "voided":
            continue
        week = weeks[iso_week_label(dt.date.fromisoformat(row[col["Created at"]][:10]))]
        week["orders"] += 1
        week["revenue"] += float(row[col["Total"]]) - float(row[col["Refunded Amount"]] or 0)
    return dict(weeks)


# ---------------------------------------------------------------- actual side: adlab


@functools.cache
def ingested(real: Path, name: str) -> Ingested:
    """adlab's ingest of one real file (cached: each file is read once per session)."""
    return ingest([real / name], real, "acceptance-test-salt")


@functools.cache
def validated(real: Path, name: str, table: str) -> pl.DataFrame:
    """The ingested table after validate_table, with the dates the validate stage allows."""
    result = validate_table(ingested(real, name).tables[table], table, MIN_DATE, dt.date.today() + dt.timedelta(days=1))
    assert result.quarantined_rows == {}, result.checks.filter(~pl.col("success"))
    return result.table


@functools.cache
def kpis_daily(real: Path, name: str) -> pl.DataFrame:
    """adlab's kpis_daily of one Meta file: validated ad_insights -> kpis_daily."""
    return compute_kpis_daily(validated(real, name, "ad_insights"))


@functools.cache
def kpis_weekly(real: Path, name: str) -> pl.DataFrame:
    """adlab's kpis_weekly of one Meta file."""
    return compute_kpis_weekly(kpis_daily(real, name))


def actual_meta_weekly(real: Path, name: str, per_ad: bool = False) -> dict[object, dict[str, float | None]]:
    """adlab's weekly totals: one row per week rolled up from kpis_weekly, or its (week, ad) rows as they are."""
    weekly = kpis_weekly(real, name)
    if per_ad:
        return {(row["week"], row["campaign"], row["adset"], row["ad"]): row for row in weekly.iter_rows(named=True)}
    return {row["week"]: row for row in rollup(weekly, ["week"]).iter_rows(named=True)}


def actual_store_weekly(real: Path, name: str) -> dict[str, dict[str, float]]:
    """store_daily of the validated orders, summed per ISO week."""
    weeks: dict[str, dict[str, float]] = defaultdict(lambda: {"orders": 0, "revenue": 0.0})
    for row in store_daily(validated(real, name, "orders")).iter_rows(named=True):
        week = weeks[iso_week_label(row["date"])]
        week["orders"] += row["orders"]
        week["revenue"] += row["revenue"]
    return dict(weeks)


def differences(
    expected: dict[object, dict[str, float | None]],
    actual: dict[object, dict[str, float | None]],
    metrics: tuple[str, ...],
) -> list[str]:
    """Every (week, metric) where adlab and the independent count disagree beyond the tolerance."""
    found = []
    for week in sorted(set(expected) | set(actual), key=str):
        if week not in expected or week not in actual:
            found.append(f"{week}: only in {'adlab' if week in actual else 'the file'}")
            continue
        for metric in metrics:
            want, got = expected[week][metric], actual[week][metric]
            if want is None or got is None:
                ok = want is None and got is None
            elif metric == "roas":
                ok = got == pytest.approx(want, rel=RATIO_REL)
            else:
                ok = abs(got - want) <= CENT
            if not ok:
                found.append(f"{week} {metric}: expected {want!r}, adlab {got!r}")
    return found


# ---------------------------------------------------------------- Meta


def test_compute_kpis_weekly_monfrere_meta_matches_independent_weekly_totals(real_data):
    expected = expected_meta_weekly(real_data / MONFRERE_META)
    actual = actual_meta_weekly(real_data, MONFRERE_META)
    assert differences(expected, actual, ("spend", "impressions", "purchases", "purchase_value", "roas")) == []
    assert len(expected) == 11  # 2026-01-01 (Thu, 2026-W01) .. 2026-03-15 (Sun, 2026-W11)
    assert sum(week["spend"] for week in expected.values()) == pytest.approx(33512.45, abs=CENT)
    # No link clicks column: absent is null, never 0.
    assert all(week["link_clicks"] is None for week in actual.values())


def test_compute_kpis_weekly_cocoon_meta_matches_independent_weekly_totals(real_data):
    expected = expected_meta_weekly(real_data / COCOON_META)
    actual = actual_meta_weekly(real_data, COCOON_META)
    assert (
        differences(expected, actual, ("spend", "impressions", "purchases", "purchase_value", "link_clicks", "roas"))
        == []
    )
    assert len(expected) == 37  # 2025-08-01 (Fri, 2025-W31) .. 2026-04-14 (Tue, 2026-W16)
    assert sum(week["spend"] for week in expected.values()) == pytest.approx(13571.00, abs=CENT)


@pytest.mark.parametrize("name", META_FILES)
def test_compute_kpis_weekly_matches_independent_totals_per_ad_and_week(real_data, name):
    expected = expected_meta_weekly(real_data / name, per_ad=True)
    actual = actual_meta_weekly(real_data, name, per_ad=True)
    metrics = ("spend", "impressions", "purchases", "purchase_value", "roas")
    assert differences(expected, actual, (*metrics, "link_clicks") if name == COCOON_META else metrics) == []


@pytest.mark.parametrize(
    ("name", "currency", "week"),
    [
        (MONFRERE_META, "USD", "2026-W11"),  # data ends Sunday 2026-03-15: that week is complete
        (COCOON_META, "AUD", "2026-W15"),  # data ends Tuesday 2026-04-14: W16 is not complete
    ],
)
def test_build_summary_reports_latest_complete_week_as_counted_from_the_file(real_data, name, currency, week):
    expected = expected_meta_weekly(real_data / name)
    monday = dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    previous = iso_week_label(monday - dt.timedelta(days=7))
    result = ingested(real_data, name)
    assert result.tables["ad_insights"]["currency"].unique().to_list() == [currency]
    summary = build_summary(kpis_daily(real_data, name), None, result.ledger, currency, "raw")
    assert (summary["week"], summary["previous"]["week"], summary["currency"]) == (week, previous, currency)
    for got, want in ((summary, expected[week]), (summary["previous"], expected[previous])):
        assert got["spend"] == pytest.approx(want["spend"], abs=CENT)
        assert got["purchase_value"] == pytest.approx(want["purchase_value"], abs=CENT)
        assert got["impressions"] == want["impressions"]
        assert got["purchases"] == want["purchases"]
        assert got["roas"] == pytest.approx(want["roas"], rel=RATIO_REL)
    ledger = result.ledger.row(0, named=True)
    assert summary["rows"] == {
        "in": ledger["rows_in"],
        "kept": ledger["kept"],
        "replaced": 0,
        "totals": 0,
        "quarantined": ledger["quarantined"],
    }


@pytest.mark.parametrize("name", META_FILES)
def test_ingest_meta_ledger_balances_against_csv_row_count(real_data, name):
    header, rows = read_csv_rows(real_data / name)
    verbatim_copies = len(rows) - len({tuple(row) for row in rows})
    names = [i for i, column in enumerate(header) if column in ("Campaign name", "Ad set name", "Ad name")]
    totals_rows = sum(1 for row in rows if all(not row[i].strip() for i in names))
    ledger = ingested(real_data, name).ledger.row(0, named=True)
    assert ledger["rows_in"] == len(rows)
    assert ledger["rows_in"] == ledger["kept"] + ledger["replaced"] + ledger["totals"] + ledger["quarantined"]
    assert ledger["replaced"] == 0  # one file cannot replace itself
    assert ledger["totals"] == totals_rows  # neither file has a totals row
    assert ledger["quarantined"] == verbatim_copies  # 74 in monfrere, 0 in cocoon; nothing else is bad


def test_ingest_cocoon_meta_sums_same_named_boosted_posts_without_losing_rows(real_data):
    header, rows = read_csv_rows(real_data / COCOON_META)
    col = {name: header.index(name) for name in header}
    key = {
        tuple(row[col[name]] for name in ("Day", "Campaign name", "Ad set name", "Ad name", "Attribution setting"))
        for row in rows
    }
    result = ingested(real_data, COCOON_META)
    assert result.tables["ad_insights"].height == len(key)  # 1227 rows, 1170 distinct keys
    assert result.ledger["kept"].item() == len(rows)  # merged rows still count as kept input rows
    assert "57 rows share date, names and attribution" in result.warnings["message"].to_list()[0]


# ---------------------------------------------------------------- Shopify


@pytest.mark.parametrize("name", ORDER_FILES)
def test_store_daily_matches_independent_weekly_orders_and_revenue(real_data, name):
    expected = expected_store_weekly(real_data / name)
    actual = actual_store_weekly(real_data, name)
    assert differences(expected, actual, ("orders", "revenue")) == []


@pytest.mark.parametrize("name", ORDER_FILES)
def test_ingest_orders_ledger_balances_and_counts_one_row_per_order_name(real_data, name):
    header, rows = read_csv_rows(real_data / name)
    result = ingested(real_data, name)
    ledger = result.ledger.row(0, named=True)
    assert ledger["rows_in"] == len(rows)
    assert ledger["rows_in"] == ledger["kept"] + ledger["replaced"] + ledger["totals"] + ledger["quarantined"]
    orders = result.tables["orders"]
    assert orders.height == len({row[header.index("Name")] for row in rows})
    assert orders["order_id"].n_unique() == orders.height
    assert orders["line_items"].sum() == ledger["kept"] == len(rows)  # every line item belongs to a kept order


@pytest.mark.parametrize("name", ORDER_FILES)
def test_ingest_orders_keep_no_email_or_redacted_name_text(real_data, name):
    result = ingested(real_data, name)
    for frame in (result.tables["orders"], result.quarantine["orders"]):
        # source_file is the file's own name (it contains "_REDACTED"), not customer text.
        text = frame.select(pl.col(pl.String).exclude("source_file")).unpivot()["value"].drop_nulls()
        assert not text.str.contains("@").any()
        assert not text.str.contains("(?i)redacted|example\\.invalid|cust_").any()
