"""Tests of the demo portfolio (`python -m adlab.demo --accounts N`): one folder per account, its currency,
identical names across accounts, the planted stories, the truth file, determinism, and the single demo
store left as it was.

Every figure is read back from the written CSV files with the plain `csv` module and summed with Decimal.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from adlab import demo

PROJECT = Path(__file__).resolve().parents[1]
N_ACCOUNTS, ROWS, SEED = 10, 6000, 7
FILES = {demo.META_AD_LEVEL_FILE, demo.META_AGE_GENDER_FILE, demo.ORDERS_FILE}
WEEK_BEFORE = [dt.date(2026, 11, 9) + dt.timedelta(days=d) for d in range(7)]  # 2026-W46, Monday to Sunday
LATEST_WEEK = [dt.date(2026, 11, 16) + dt.timedelta(days=d) for d in range(7)]  # 2026-W47, the latest complete


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_columns(path: Path, *names: str) -> list[tuple[str, ...]]:
    """Some columns of every row (quicker than `read_rows` on a large orders export)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        at = [header.index(name) for name in names]
        return [tuple(row[i] for i in at) for row in reader]


def spend_header(rows: list[dict[str, str]]) -> str:
    return next(name for name in rows[0] if name.startswith("Amount spent ("))


def week_sums(rows: list[dict[str, str]], days: list[dt.date]) -> tuple[Decimal, Decimal]:
    """Spend and purchase value of the ad-level rows on `days`."""
    wanted = {day.isoformat() for day in days}
    spend_column = spend_header(rows)
    week = [row for row in rows if row["Day"] in wanted]
    spend = sum((Decimal(row[spend_column]) for row in week), Decimal(0))
    value = sum((Decimal(row["Purchases conversion value"] or "0") for row in week), Decimal(0))
    return spend, value


def roas_change(rows: list[dict[str, str]]) -> float:
    spend_before, value_before = week_sums(rows, WEEK_BEFORE)
    spend_latest, value_latest = week_sums(rows, LATEST_WEEK)
    return float((value_latest / spend_latest) / (value_before / spend_before) - 1)


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, object]], dict[str, object]]:
    """A 10-account portfolio of about 6,000 ad-level rows and its truth document."""
    base = tmp_path_factory.mktemp("portfolio")
    out, truth = base / "raw", base / "truth.json"
    args = ["--accounts", str(N_ACCOUNTS), "--rows", str(ROWS), "--seed", str(SEED), "--jobs", "1"]
    assert demo.main([*args, "--out", str(out), "--truth", str(truth)]) == 0
    document = json.loads(truth.read_text(encoding="utf-8"))
    return out, document["by_account"], document


@pytest.fixture(scope="module")
def ad_rows(portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]]) -> dict[str, list[dict[str, str]]]:
    out, truth, _ = portfolio
    return {name: read_rows(out / name / demo.META_AD_LEVEL_FILE) for name in truth}


def test_accounts_are_one_folder_each_with_the_files_of_one_store(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]],
) -> None:
    out, truth, document = portfolio
    folders = sorted(path.name for path in out.iterdir())
    assert len(folders) == N_ACCOUNTS
    assert folders == sorted(truth)
    assert all(re.fullmatch(r"[A-Z][a-z]+( [A-Z][a-z]+)+", name) for name in folders), folders
    for name in folders:
        assert {path.name for path in (out / name).iterdir() if not path.name.startswith(".")} == FILES
    assert document["accounts"] == N_ACCOUNTS
    assert document["latest_complete_week"] == "2026-W47"
    assert document["week_before"] == "2026-W46"


def test_accounts_write_their_own_currency_in_meta_headers_and_orders(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]], ad_rows: dict[str, list[dict[str, str]]]
) -> None:
    out, truth, _ = portfolio
    for name, rows in ad_rows.items():
        currency = truth[name]["currency"]
        assert spend_header(rows) == f"Amount spent ({currency})"
        assert f"Cost per purchase ({currency})" in rows[0]
        with (out / name / demo.META_AGE_GENDER_FILE).open(encoding="utf-8-sig", newline="") as handle:
            assert f"Amount spent ({currency})" in next(csv.reader(handle))
        orders = read_columns(out / name / demo.ORDERS_FILE, "Currency")
        assert {cell for (cell,) in orders if cell} == {currency}
    # The first 8 accounts take the 8 portfolio currencies, one each.
    assert len({truth[name]["currency"] for name in truth}) == 8


def test_yen_amounts_have_no_decimals(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]], ad_rows: dict[str, list[dict[str, str]]]
) -> None:
    out, truth, _ = portfolio
    (name,) = [name for name in truth if truth[name]["currency"] == "JPY"]
    assert all(re.fullmatch(r"\d+", row["Amount spent (JPY)"]) for row in ad_rows[name])
    orders = read_columns(out / name / demo.ORDERS_FILE, "Total", "Lineitem price")
    assert all(re.fullmatch(r"\d*", total) for total, _ in orders)
    # A yen price is about 150 times the dollar price: the cheapest item (18 USD) costs 2,700 yen.
    assert min(int(price) for _, price in orders) == 2700


def test_accounts_share_campaign_ad_set_and_ad_names_but_not_ids(ad_rows: dict[str, list[dict[str, str]]]) -> None:
    campaigns = {name: {row["Campaign name"] for row in rows} for name, rows in ad_rows.items()}
    in_every_account = set.intersection(*campaigns.values())
    assert "PROSP | Broad | Sales" in in_every_account
    ads = [{(row["Ad set name"], row["Ad name"]) for row in rows} for rows in ad_rows.values()]
    assert ("Broad | US | 25-54", "VID | UGC-Unboxing | 15s") in set.intersection(*ads)
    ids = {
        next(row["Campaign ID"] for row in rows if row["Campaign name"] == "PROSP | Broad | Sales")
        for rows in ad_rows.values()
    }
    assert len(ids) == N_ACCOUNTS


def test_account_sizes_follow_the_plan_and_the_truth(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]], ad_rows: dict[str, list[dict[str, str]]]
) -> None:
    _, truth, document = portfolio
    counted = {name: len(rows) for name, rows in ad_rows.items()}
    assert counted == {name: truth[name]["rows"] for name in truth}
    assert document["rows"] == sum(counted.values())
    # About 6,000 in all: each account overshoots its share by less than one ad's 86 days.
    assert 6000 <= sum(counted.values()) <= 6000 + 86 * N_ACCOUNTS
    assert max(counted.values()) > 2.5 * min(counted.values())


def test_drop_accounts_lose_a_third_of_their_roas_in_the_latest_complete_week(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]], ad_rows: dict[str, list[dict[str, str]]]
) -> None:
    _, truth, _ = portfolio
    drops = [name for name in truth if truth[name]["story"] == "drop"]
    assert len(drops) == 2  # accounts 0 and 5 of 10
    for name in drops:
        change = roas_change(ad_rows[name])
        assert change <= -0.35, (name, change)
        assert change == pytest.approx(truth[name]["roas_change"], abs=1e-4)
        # The planted conversion-rate cut (-55%) is what the week shows, give or take the noise of a week.
        assert change == pytest.approx(truth[name]["planted_roas_change"], abs=0.1)
        spend_before, _ = week_sums(ad_rows[name], WEEK_BEFORE)
        spend_latest, _ = week_sums(ad_rows[name], LATEST_WEEK)
        assert abs(spend_latest / spend_before - 1) < Decimal("0.1")  # spend holds


def test_steady_accounts_move_less_than_15_percent(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]], ad_rows: dict[str, list[dict[str, str]]]
) -> None:
    _, truth, _ = portfolio
    steady = [name for name in truth if truth[name]["story"] == "steady"]
    assert len(steady) == 6  # accounts 1, 4, 6, 7, 8, 9 of 10
    changes = {name: roas_change(ad_rows[name]) for name in steady}
    assert all(abs(change) < 0.15 for change in changes.values()), changes


def test_truth_sums_are_the_sums_of_the_written_rows(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]], ad_rows: dict[str, list[dict[str, str]]]
) -> None:
    _, truth, _ = portfolio
    for name, rows in ad_rows.items():
        spend, value = week_sums(rows, LATEST_WEEK)
        assert Decimal(str(truth[name]["spend_latest_week"])) == spend
        assert Decimal(str(truth[name]["purchase_value_latest_week"])) == value


def test_scaling_account_spends_more_at_about_the_same_roas(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]], ad_rows: dict[str, list[dict[str, str]]]
) -> None:
    _, truth, _ = portfolio
    (name,) = [name for name in truth if truth[name]["story"] == "scaling"]
    spend_before, _ = week_sums(ad_rows[name], WEEK_BEFORE)
    spend_latest, _ = week_sums(ad_rows[name], LATEST_WEEK)
    # Budgets x1.9 / x1.35 = +41% (and the Q4 budget ramp adds a little).
    assert spend_latest / spend_before - 1 > Decimal("0.3")
    assert abs(roas_change(ad_rows[name])) < 0.2


def test_tracking_break_loses_meta_purchases_while_clicks_and_store_orders_hold(
    portfolio: tuple[Path, dict[str, dict[str, object]], dict[str, object]], ad_rows: dict[str, list[dict[str, str]]]
) -> None:
    out, truth, _ = portfolio
    (name,) = [name for name in truth if truth[name]["story"] == "tracking_break"]
    assert truth[name]["tracking_break_from"] == "2026-11-22"
    broken_days = {"2026-11-22", "2026-11-23", "2026-11-24"}
    before_days = {day.isoformat() for day in WEEK_BEFORE}
    rows = ad_rows[name]
    broken = [row for row in rows if row["Day"] in broken_days]
    assert broken
    assert all(row["Purchases"] == "" and row["Purchases conversion value"] == "" for row in broken)
    assert sum(1 for row in rows if row["Day"] in before_days and row["Purchases"]) > 0

    def per_day(values: list[dict[str, str]], column: str, days: set[str], day_column: str = "Day") -> float:
        return sum(int(row[column] or 0) for row in values if row[day_column][:10] in days) / len(days)

    assert per_day(broken, "Link clicks", broken_days) > 0.7 * per_day(rows, "Link clicks", before_days)
    orders = read_columns(out / name / demo.ORDERS_FILE, "Created at")
    daily_orders = Counter(created[:10] for (created,) in orders if created)
    before = sum(daily_orders[day] for day in before_days) / 7
    assert all(daily_orders[day] > 0.6 * before for day in broken_days), daily_orders


def test_same_seed_writes_the_same_bytes_whatever_the_number_of_processes(tmp_path: Path) -> None:
    out, again = tmp_path / "once", tmp_path / "again"
    args = ["--accounts", "4", "--rows", "800", "--seed", "3", "--orders-share", "0.1"]
    assert demo.main([*args, "--out", str(out), "--jobs", "1"]) == 0
    assert demo.main([*args, "--out", str(again), "--jobs", "2"]) == 0
    written = sorted(path.relative_to(out) for path in out.rglob("*") if path.is_file())
    assert written == sorted(path.relative_to(again) for path in again.rglob("*") if path.is_file())
    for path in written:
        assert (out / path).read_bytes() == (again / path).read_bytes(), path


def test_default_invocation_still_writes_the_embedded_sample(tmp_path: Path) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    sample = PROJECT / "data" / "sample"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(path.name for path in sample.iterdir())
    for path in sample.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_plan_spreads_sizes_currencies_and_stories_over_200_accounts() -> None:
    plans = demo.plan_accounts(200, 1_000_000, seed=7)
    sizes = [plan.rows for plan in plans]
    assert abs(sum(sizes) - 1_000_000) <= 200  # each size rounded to a whole row
    assert 5 < max(sizes) / min(sizes) <= 10
    assert len({plan.name for plan in plans}) == 200
    # 8 currencies taken in turn: 25 accounts each.
    assert Counter(plan.currency.code for plan in plans) == {
        code: 25 for code in ("USD", "EUR", "GBP", "AUD", "CAD", "SEK", "JPY", "NZD")
    }
    # Every 5th account drops; of each 10, one scales up and one loses tracking.
    assert Counter(plan.story for plan in plans) == {"drop": 40, "scaling": 20, "tracking_break": 20, "steady": 120}
    # A bigger portfolio starts with the same shops.
    assert [plan.name for plan in demo.plan_accounts(3, seed=7)] == [plan.name for plan in plans[:3]]


def test_a_second_run_replaces_the_demo_accounts_of_the_first(tmp_path: Path) -> None:
    out = tmp_path / "raw"
    lean = ["--no-breakdowns", "--orders-share", "0.05", "--jobs", "1"]
    assert demo.main(["--accounts", "3", "--rows", "300", "--out", str(out), *lean]) == 0
    assert demo.main(["--accounts", "2", "--rows", "200", "--out", str(out), *lean]) == 0
    assert sorted(path.name for path in out.iterdir()) == sorted(plan.name for plan in demo.plan_accounts(2))


def test_refuses_to_write_among_the_users_own_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "raw"
    (out / "Acme").mkdir(parents=True)
    (out / "Acme" / "export.csv").write_text("Campaign name,Day\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        demo.main(["--accounts", "2", "--out", str(out), "--jobs", "1"])
    assert stopped.value.code == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "Acme/export.csv" in error
    assert [path.name for path in out.iterdir()] == ["Acme"]


def test_refuses_a_truth_file_inside_the_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "raw"
    with pytest.raises(SystemExit) as stopped:
        demo.main(["--accounts", "2", "--out", str(out), "--truth", str(out / "truth.json"), "--jobs", "1"])
    assert stopped.value.code == 1
    assert "--truth" in capsys.readouterr().err
    assert not out.exists()
