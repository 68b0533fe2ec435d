"""Tests of the sample export generator (`adlab.demo`): formats, exact sums, the six planted stories, and that
the runtime library never imports it.

Every check reads the written CSV files with the plain `csv` module, as a user's tool would.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

from adlab import demo as sample

AD_LEVEL_HEADER_LINE = (
    "Campaign name,Ad set name,Ad name,Day,Campaign ID,Ad set ID,Ad ID,Delivery status,Delivery level,Objective,"
    "Attribution setting,Result type,Results,Cost per result,Amount spent (USD),Impressions,Reach,Frequency,"
    '"CPM (cost per 1,000 impressions) (USD)",Clicks (all),CTR (all),Link clicks,CTR (link click-through rate),'
    "CPC (cost per link click) (USD),Landing page views,Adds to cart,Checkouts initiated,Purchases,"
    "Purchases conversion value,Cost per purchase (USD),Purchase ROAS (return on ad spend),3-second video plays,"
    "ThruPlays,Video plays at 25%,Video plays at 50%,Video plays at 75%,Video plays at 100%,Reporting starts,"
    "Reporting ends"
)
AGE_GENDER_HEADER_LINE = (
    "Campaign name,Ad set name,Ad name,Day,Age,Gender,Amount spent (USD),Impressions,Reach,Clicks (all),"
    "Link clicks,Purchases,Purchases conversion value,Purchase ROAS (return on ad spend),Attribution setting,"
    "Reporting starts,Reporting ends"
)
ORDERS_HEADER_LINE = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,"
    "Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,"
    "Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,"
    "Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,"
    "Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,"
    "Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,"
    "Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,"
    "Payment ID,Payment Terms Name,Next Payment Due At,Payment References"
)
# Order-level fields a Shopify export fills on an order's first line only.
ORDER_LEVEL_FIELDS = (
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Outstanding Balance",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Tax 1 Name",
    "Tax 1 Value",
    "Phone",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment References",
)
LAST_DAY = "2026-11-24"
KEY = ("Campaign name", "Ad set name", "Ad name", "Day")


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    sample.write_sample(out)
    return out


@pytest.fixture(scope="module")
def ad_rows(sample_dir: Path) -> list[dict[str, str]]:
    return read_rows(sample_dir / sample.META_AD_LEVEL_FILE)


@pytest.fixture(scope="module")
def segment_rows(sample_dir: Path) -> list[dict[str, str]]:
    return read_rows(sample_dir / sample.META_AGE_GENDER_FILE)


@pytest.fixture(scope="module")
def order_rows(sample_dir: Path) -> list[dict[str, str]]:
    return read_rows(sample_dir / sample.ORDERS_FILE)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def num(text: str) -> float:
    """A cell as a number; an empty cell (no data) counts as 0."""
    return float(text) if text else 0.0


def cents(text: str) -> int:
    return round(num(text) * 100)


def totals(rows: Iterable[dict[str, str]]) -> dict[str, float]:
    """Summed spend, impressions, reach, link clicks, checkouts, purchases and value of rows."""
    out: dict[str, float] = defaultdict(float)
    for row in rows:
        out["spend"] += num(row["Amount spent (USD)"])
        out["impressions"] += num(row["Impressions"])
        out["reach"] += num(row["Reach"])
        out["link_clicks"] += num(row["Link clicks"])
        out["checkouts"] += num(row.get("Checkouts initiated", ""))
        out["purchases"] += num(row["Purchases"])
        out["value"] += num(row["Purchases conversion value"])
    return out


def log_split(now: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    """ln(ROAS now / before) split exactly into CPM, CTR, CVR and AOV terms."""

    def parts(t: dict[str, float]) -> dict[str, float]:
        return {
            "cpm": t["spend"] / t["impressions"],
            "ctr": t["link_clicks"] / t["impressions"],
            "cvr": t["purchases"] / t["link_clicks"],
            "aov": t["value"] / t["purchases"],
        }

    a, b = parts(now), parts(before)
    terms = {name: math.log(a[name] / b[name]) for name in a}
    terms["cpm"] = -terms["cpm"]
    return terms


def iso_week(day: str) -> str:
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


# --------------------------------------------------------------------------- files and formats


def test_write_sample_is_byte_identical_across_runs(sample_dir: Path, tmp_path: Path) -> None:
    again = sample.write_sample(tmp_path)
    assert [p.name for p in again] == [
        sample.META_AD_LEVEL_FILE,
        sample.META_AGE_GENDER_FILE,
        sample.ORDERS_FILE,
        sample.PRODUCTS_FILE,
    ]
    for path in again:
        assert path.read_bytes() == (sample_dir / path.name).read_bytes(), path.name


def test_write_sample_stays_under_the_size_budget(sample_dir: Path) -> None:
    assert sum(p.stat().st_size for p in sample_dir.iterdir()) < 5_000_000


def test_write_sample_writes_exact_headers_and_boms(sample_dir: Path) -> None:
    expected = {
        sample.META_AD_LEVEL_FILE: (b"\xef\xbb\xbf", AD_LEVEL_HEADER_LINE),
        sample.META_AGE_GENDER_FILE: (b"\xef\xbb\xbf", AGE_GENDER_HEADER_LINE),
        sample.ORDERS_FILE: (b"", ORDERS_HEADER_LINE),
    }
    for name, (bom, header) in expected.items():
        data = (sample_dir / name).read_bytes()
        assert data.startswith(bom + header.encode("utf-8") + b"\n"), name
        assert not data[len(bom) :].startswith(b"\xef\xbb\xbf")
    assert len(next(csv.reader([ORDERS_HEADER_LINE]))) == 79
    assert tuple(next(csv.reader([AD_LEVEL_HEADER_LINE]))) == sample.META_AD_LEVEL_HEADER
    assert tuple(next(csv.reader([AGE_GENDER_HEADER_LINE]))) == sample.META_AGE_GENDER_HEADER
    assert tuple(next(csv.reader([ORDERS_HEADER_LINE]))) == sample.SHOPIFY_ORDERS_HEADER


def test_meta_ad_level_rows_are_internally_consistent(ad_rows: list[dict[str, str]]) -> None:
    days = {row["Day"] for row in ad_rows}
    assert min(days) == "2026-08-31"
    assert max(days) == LAST_DAY
    assert len(days) == 86
    assert 20 <= len({row["Ad ID"] for row in ad_rows}) <= 30
    assert 8 <= len({row["Ad set ID"] for row in ad_rows}) <= 12
    assert 3 <= len({row["Campaign ID"] for row in ad_rows}) <= 4
    for row in ad_rows:
        spend, impressions, reach = num(row["Amount spent (USD)"]), num(row["Impressions"]), num(row["Reach"])
        clicks, link, purchases = num(row["Clicks (all)"]), num(row["Link clicks"]), num(row["Purchases"])
        value = num(row["Purchases conversion value"])
        assert re.fullmatch(r"\d+\.\d{2}", row["Amount spent (USD)"])
        assert re.fullmatch(r"\d{18}", row["Ad ID"])
        assert re.fullmatch(r"\d{18}", row["Campaign ID"])
        assert impressions > 0
        assert reach <= impressions
        assert purchases <= link <= clicks <= impressions
        assert row["Reporting starts"] == row["Reporting ends"] == row["Day"]
        assert row["Delivery level"] == "ad"
        assert row["Objective"] == "OUTCOME_SALES"
        assert row["Attribution setting"] == "7-day click or 1-day view"
        assert row["Results"] == row["Purchases"]
        assert num(row["Frequency"]) == pytest.approx(impressions / reach, abs=1e-6)
        assert num(row["CPM (cost per 1,000 impressions) (USD)"]) == pytest.approx(spend / impressions * 1000, abs=1e-6)
        assert num(row["CTR (all)"]) == pytest.approx(clicks / impressions * 100, abs=1e-6)
        assert num(row["CTR (link click-through rate)"]) == pytest.approx(link / impressions * 100, abs=1e-6)
        assert num(row["Purchase ROAS (return on ad spend)"]) == pytest.approx(value / spend, abs=1e-6)
        if purchases:
            assert num(row["Cost per purchase (USD)"]) == pytest.approx(spend / purchases, abs=1e-6)
        else:
            assert row["Cost per purchase (USD)"] == row["Cost per result"] == row["Purchases conversion value"] == ""
        video = [row[c] for c in sample.META_AD_LEVEL_HEADER if "video" in c.lower() or c == "ThruPlays"]
        if row["Ad name"].startswith("VID"):
            assert re.fullmatch(r"VID \| [A-Za-z-]+ \| \d+s", row["Ad name"])
            assert num(video[0]) >= num(video[2]) >= num(video[3]) >= num(video[4]) >= num(video[5])
        else:
            assert re.fullmatch(r"(IMG|CAR)_(TOF|MOF|BOF)_.+", row["Ad name"])
            assert video == [""] * 6


def test_meta_age_gender_rows_sum_exactly_to_ad_level_rows(
    ad_rows: list[dict[str, str]], segment_rows: list[dict[str, str]]
) -> None:
    first = min(row["Day"] for row in segment_rows)
    assert first == "2026-10-26"
    assert max(row["Day"] for row in segment_rows) == LAST_DAY
    columns = (
        "Amount spent (USD)",
        "Impressions",
        "Reach",
        "Clicks (all)",
        "Link clicks",
        "Purchases",
        "Purchases conversion value",
    )
    summed: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0] * len(columns))
    for row in segment_rows:
        assert row["Age"] in sample.AGES
        assert row["Gender"] in sample.GENDERS
        assert num(row["Impressions"]) > 0
        for i, column in enumerate(columns):
            summed[tuple(row[k] for k in KEY)][i] += cents(row[column])
    base = {tuple(row[k] for k in KEY): [cents(row[c]) for c in columns] for row in ad_rows if row["Day"] >= first}
    assert summed.keys() == base.keys()
    for key, values in base.items():
        assert summed[key] == values, key


def test_orders_export_fills_order_fields_on_first_line_only(order_rows: list[dict[str, str]]) -> None:
    by_order: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in order_rows:
        by_order[row["Name"]].append(row)
    assert {len(lines) for lines in by_order.values()} == {1, 2, 3, 4}
    for lines in by_order.values():
        head, rest = lines[0], lines[1:]
        for field in ("Email", "Financial Status", "Created at", "Total", "Currency", "Id", "Billing Name"):
            assert head[field], field
        for line in lines:
            assert line["Lineitem name"]
            assert line["Lineitem price"]
            assert 1 <= int(line["Lineitem quantity"]) <= 3
        for line in rest:
            assert all(line[field] == "" for field in ORDER_LEVEL_FIELDS)


def test_orders_export_money_and_statuses_add_up(order_rows: list[dict[str, str]]) -> None:
    heads = [row for row in order_rows if row["Financial Status"]]
    lines_of: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in order_rows:
        lines_of[row["Name"]].append(row)
    statuses: dict[str, int] = defaultdict(int)
    for head in heads:
        lines = lines_of[head["Name"]]
        gross = sum(cents(line["Lineitem price"]) * int(line["Lineitem quantity"]) for line in lines)
        discount = cents(head["Discount Amount"])
        assert cents(head["Subtotal"]) == gross - discount
        assert sum(cents(line["Lineitem discount"]) for line in lines) == discount
        assert bool(head["Discount Code"]) == (discount > 0)
        assert cents(head["Taxes"]) == cents(head["Tax 1 Value"]) + cents(head["Tax 2 Value"])
        total, refunded = cents(head["Total"]), cents(head["Refunded Amount"])
        assert total == cents(head["Subtotal"]) + cents(head["Shipping"]) + cents(head["Taxes"])
        status = head["Financial Status"]
        cancelled = bool(head["Cancelled at"])
        statuses[status + ("+cancelled" if cancelled else "")] += 1
        if status == "refunded":
            assert refunded == total
        elif status == "partially_refunded":
            assert 0 < refunded < total
        elif status == "voided":
            assert cancelled
            assert not head["Paid at"]
            assert refunded == 0
        else:
            assert status == "paid"
            assert refunded == 0
            assert not cancelled
        assert head["Currency"] == "USD"
    assert statuses["paid"] > 0.8 * len(heads)
    assert min(statuses["refunded"], statuses["partially_refunded"], statuses["voided+cancelled"]) > 20
    assert statuses["refunded+cancelled"] > 5


def test_orders_export_is_newest_first_in_the_store_time_zone(order_rows: list[dict[str, str]]) -> None:
    heads = [row for row in order_rows if row["Financial Status"]]
    numbers = [int(row["Name"].lstrip("#")) for row in heads]
    assert numbers == sorted(numbers, reverse=True)
    assert numbers[-1] == 1001
    created = [dt.datetime.strptime(row["Created at"], "%Y-%m-%d %H:%M:%S %z") for row in heads]
    assert created == sorted(created, reverse=True)
    for row in heads:
        offset = row["Created at"][-5:]
        assert offset == ("-0400" if row["Created at"][:10] < "2026-11-01" else "-0500") or (
            row["Created at"].startswith("2026-11-01 0")
        )
    assert heads[-1]["Created at"][:10] == "2026-08-31"
    assert heads[0]["Created at"][:10] == LAST_DAY


def test_products_export_costs_most_skus_the_orders_sell(sample_dir: Path, order_rows: list[dict[str, str]]) -> None:
    products = read_rows(sample_dir / sample.PRODUCTS_FILE)
    variants = {row["Variant SKU"]: row for row in products if row["Variant SKU"]}
    sold = {row["Lineitem sku"] for row in order_rows}
    assert sold <= set(variants)  # every line item's SKU is a variant of the export
    without = {row["Variant SKU"].split("-")[1] for row in variants.values() if not row["Cost per item"]}
    assert without == {"SSM", "TRS", "CWB"}  # three products never got a cost: the margin setting covers them
    for row in variants.values():
        if row["Cost per item"]:
            share = float(row["Cost per item"]) / float(row["Variant Price"])
            assert 0.27 < share < 0.43
    # Later variant rows leave the title empty and share the handle; image-only rows carry no SKU.
    assert [row["Title"] for row in products[:2]] == ["Linen Button-Down Shirt", ""]
    assert any(not row["Variant SKU"] and row["Image Src"] for row in products)


def test_orders_export_has_repeat_customers_and_realistic_contacts(order_rows: list[dict[str, str]]) -> None:
    heads = [row for row in order_rows if row["Financial Status"]]
    seen: set[str] = set()
    repeat = 0
    for row in reversed(heads):  # oldest first
        repeat += row["Email"] in seen
        seen.add(row["Email"])
        assert re.fullmatch(r"[a-z0-9._]+@example\.(com|net|org)", row["Email"])
        assert re.fullmatch(r"'\d{5}", row["Billing Zip"])
        assert row["Billing Country"] == "US"
    assert 0.15 < repeat / len(heads) < 0.3


def test_orders_export_follows_meta_sales(ad_rows: list[dict[str, str]], order_rows: list[dict[str, str]]) -> None:
    meta: dict[str, float] = defaultdict(float)
    for row in ad_rows:
        meta[row["Day"]] += num(row["Purchases conversion value"])
    revenue: dict[str, float] = defaultdict(float)
    orders: dict[str, int] = defaultdict(int)
    for row in order_rows:
        if row["Financial Status"] and row["Financial Status"] != "voided" and not row["Cancelled at"]:
            day = row["Created at"][:10]
            revenue[day] += num(row["Total"]) - num(row["Refunded Amount"])
            orders[day] += 1
    ratios = sorted(revenue[day] / meta[day] for day in meta)
    counts = sorted(orders[day] for day in meta)
    assert 1.5 < ratios[len(ratios) // 2] < 2.2
    assert ratios[5] > 1.45
    assert ratios[-5] < 2.3
    assert 30 <= counts[len(counts) // 2] <= 80
    assert counts[5] >= 25
    assert counts[-5] <= 85


# --------------------------------------------------------------------------- planted stories


def test_write_sample_plants_a_steady_winner_ad(ad_rows: list[dict[str, str]]) -> None:
    by_ad: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in ad_rows:
        by_ad[row["Ad name"]].append(row)
    spend = {ad: totals(rows)["spend"] for ad, rows in by_ad.items()}
    winner = totals(by_ad[sample.WINNER_AD])
    assert max(spend, key=spend.__getitem__) == sample.WINNER_AD
    assert len(by_ad[sample.WINNER_AD]) == 86
    assert 3.5 < winner["value"] / winner["spend"] < 5.5
    weekly: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in by_ad[sample.WINNER_AD]:
        weekly[iso_week(row["Day"])]["spend"] += num(row["Amount spent (USD)"])
        weekly[iso_week(row["Day"])]["value"] += num(row["Purchases conversion value"])
    assert all(w["value"] / w["spend"] > 3.0 for week, w in weekly.items() if week != "2026-W48")


def test_write_sample_plants_an_ad_burning_money(ad_rows: list[dict[str, str]]) -> None:
    rows = [row for row in ad_rows if row["Ad name"] == sample.BURNING_AD]
    last_14 = totals(row for row in rows if row["Day"] >= "2026-11-11")
    assert {row["Ad set name"] for row in rows} == {sample.BURNING_ADSET}
    assert last_14["purchases"] == 0
    assert last_14["spend"] > 2 * 3 * 40.0
    assert totals(rows)["purchases"] == 0
    assert totals(rows)["spend"] > 900


def test_write_sample_plants_creative_fatigue(ad_rows: list[dict[str, str]]) -> None:
    weekly: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in ad_rows:
        if row["Ad name"] == sample.FATIGUE_AD:
            weekly[iso_week(row["Day"])].append(row)
    first, last = totals(weekly["2026-W43"]), totals(weekly["2026-W47"])
    assert len(weekly["2026-W43"]) == len(weekly["2026-W47"]) == 7
    ctr_first, ctr_last = first["link_clicks"] / first["impressions"], last["link_clicks"] / last["impressions"]
    assert 1.6 < ctr_first / ctr_last < 2.6
    freq_first, freq_last = first["impressions"] / first["reach"], last["impressions"] / last["reach"]
    assert freq_last > 1.5 * freq_first
    weeks = sorted(weekly)
    ctrs = [totals(weekly[w])["link_clicks"] / totals(weekly[w])["impressions"] for w in weeks[:-1]]
    assert ctrs[0] == max(ctrs)
    assert ctrs[-1] == min(ctrs)


def test_write_sample_plants_a_losing_summer_sale_ad_set(ad_rows: list[dict[str, str]]) -> None:
    rows = [row for row in ad_rows if row["Ad set name"] == "Summer Sale"]
    summed = totals(rows)
    assert summed["value"] / summed["spend"] < 1
    assert summed["spend"] > 5000
    account = totals(ad_rows)
    assert 2.0 < account["value"] / account["spend"] < 3.5


def test_write_sample_plants_an_ad_that_wins_with_women_25_34(segment_rows: list[dict[str, str]]) -> None:
    segments: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in segment_rows:
        if row["Ad name"] == sample.FEMALE_25_34_AD:
            segments[(row["Age"], row["Gender"])].append(row)
    summed = {segment: totals(rows) for segment, rows in segments.items()}
    roas = {segment: t["value"] / t["spend"] for segment, t in summed.items() if t["spend"] > 0}
    target = ("25-34", "female")
    others = [value for segment, value in roas.items() if segment != target]
    assert roas[target] > 1.5 * max(others)
    assert summed[target]["spend"] > 0.1 * sum(t["spend"] for t in summed.values())
    assert summed[target]["purchases"] >= 20


def test_write_sample_plants_a_last_day_conversion_collapse(ad_rows: list[dict[str, str]]) -> None:
    previous = [(dt.date(2026, 11, 24) - dt.timedelta(days=k)).isoformat() for k in range(1, 8)]
    daily = {day: totals(row for row in ad_rows if row["Day"] == day) for day in [*previous, LAST_DAY]}
    mean_before = sum(daily[d]["value"] / daily[d]["spend"] for d in previous) / 7
    last = daily[LAST_DAY]
    assert last["value"] / last["spend"] <= 0.75 * mean_before
    pooled = totals(row for row in ad_rows if row["Day"] in previous)
    terms = log_split(last, pooled)
    drop = sum(terms.values())
    assert drop < math.log(0.75)
    assert terms["cvr"] / drop > 0.8
    assert all(abs(terms[name]) < 0.15 for name in ("cpm", "ctr", "aov"))
    campaign = [row for row in ad_rows if row["Campaign name"] == sample.CHECKOUT_PROBLEM_CAMPAIGN]
    before = totals(row for row in campaign if row["Day"] in previous)
    broken = totals(row for row in campaign if row["Day"] == LAST_DAY)
    cvr_before, cvr_broken = before["purchases"] / before["link_clicks"], broken["purchases"] / broken["link_clicks"]
    assert cvr_broken < 0.5 * cvr_before
    # Checkouts are still started: the break is at the payment step.
    assert broken["checkouts"] / broken["link_clicks"] > 0.6 * before["checkouts"] / before["link_clicks"]


# --------------------------------------------------------------------------- scale and CLI


def test_write_sample_scale_multiplies_ads_and_orders(ad_rows: list[dict[str, str]], tmp_path: Path) -> None:
    paths = sample.write_sample(tmp_path, scale=2.0)
    scaled = read_rows(paths[0])
    assert len({row["Ad ID"] for row in scaled}) == 2 * len({row["Ad ID"] for row in ad_rows})
    names = {row["Ad name"] for row in scaled}
    assert sample.WINNER_AD in names
    assert any(row["Campaign name"].startswith("A2 | ") for row in scaled)


def test_main_writes_the_sample_where_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sample.main(["--out", str(tmp_path / "out"), "--seed", "3"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [sample.META_AD_LEVEL_FILE, sample.META_AGE_GENDER_FILE, sample.ORDERS_FILE, sample.PRODUCTS_FILE]
    )
    assert sample.ORDERS_FILE in capsys.readouterr().out


# --------------------------------------------------------------------------- the generator stays out of the library

LIBRARY = Path(__file__).resolve().parents[1] / "src" / "adlab"
GENERATOR_MODULES = ("adlab.demo", "adlab.sample")


def imported_modules(source: str, package: tuple[str, ...]) -> set[str]:
    """Every module a source file imports, relative imports resolved against its package."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + (node.module.split(".") if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def imports_generator(source: str, package: tuple[str, ...]) -> bool:
    return any(
        name == generator or name.startswith(generator + ".")
        for name in imported_modules(source, package)
        for generator in GENERATOR_MODULES
    )


@pytest.mark.parametrize(
    ("source", "package", "expected"),
    [
        ("import adlab.demo", ("adlab",), True),
        ("from adlab import demo", ("adlab",), True),
        ("from adlab.demo.write import write_sample", ("adlab",), True),
        ("from .. import demo", ("adlab", "report"), True),
        ("from ..demo import ORDERS_FILE", ("adlab", "report"), True),
        ("from . import sample", ("adlab",), True),
        ("from adlab import demographics, io", ("adlab",), False),
        ("from .io import atomic_path", ("adlab",), False),
    ],
)
def test_imports_generator_sees_absolute_and_relative_imports(
    source: str, package: tuple[str, ...], expected: bool
) -> None:
    assert imports_generator(source, package) is expected


def test_runtime_library_never_imports_the_generator() -> None:
    modules = [path for path in LIBRARY.rglob("*.py") if path.relative_to(LIBRARY).parts[0] != "demo"]
    assert len(modules) > 10
    offenders = [
        str(path.relative_to(LIBRARY))
        for path in modules
        if imports_generator(path.read_text(encoding="utf-8"), path.relative_to(LIBRARY.parent).parts[:-1])
    ]
    assert offenders == []
