"""Property tests: random valid Meta exports, split into overlapping re-exports plus a breakdown file.

Whatever the split, the totals equal the truth once and the ledger balances.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from adlab.ingest import ingest
from adlab.kpis import compute_kpis_daily

HEADER = [
    "Campaign name",
    "Ad set name",
    "Ad name",
    "Day",
    "Amount spent (USD)",
    "Impressions",
    "Purchases",
    "Reporting starts",
    "Reporting ends",
]
BREAKDOWN_HEADER = [*HEADER[:4], "Age", "Gender", *HEADER[4:]]
START = dt.date(2026, 11, 1)


@st.composite
def exports(draw: st.DrawFn) -> dict:
    ads = draw(st.integers(1, 3))
    days = draw(st.integers(1, 6))
    truth = {
        (ad, day): (draw(st.integers(0, 50_000)), draw(st.integers(0, 9_000)), draw(st.integers(0, 4)))
        for ad in range(ads)
        for day in range(days)
    }
    # Files cover windows of days; together they cover every day.
    windows = draw(st.lists(st.tuples(st.integers(0, days - 1), st.integers(0, days - 1)), min_size=1, max_size=4))
    windows = [(min(a, b), max(a, b)) for a, b in windows] + [(0, days - 1)] * draw(st.integers(0, 1))
    if not any(s <= d <= e for d in range(days) for s, e in windows) or any(
        not any(s <= d <= e for s, e in windows) for d in range(days)
    ):
        windows.append((0, days - 1))
    stale = draw(st.lists(st.integers(0, 50_000), min_size=64, max_size=64))
    breakdown_days = draw(st.sets(st.integers(0, days - 1)))
    bom = draw(st.booleans())
    return {
        "ads": ads,
        "days": days,
        "truth": truth,
        "windows": windows,
        "stale": stale,
        "breakdown_days": breakdown_days,
        "bom": bom,
    }


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def day_text(day: int) -> str:
    return (START + dt.timedelta(days=day)).isoformat()


def write_files(folder: Path, case: dict) -> tuple[list[Path], int]:
    """The overlapping exports; the newest file covering a day carries the truth, older ones stale values."""
    names = [f"export_{i}.csv" for i in range(len(case["windows"]))]
    # Newest = latest window end, ties broken by path order (later path wins).
    rank = sorted(range(len(names)), key=lambda i: (case["windows"][i][1], names[i]))
    paths, rows_written, stale = [], 0, iter(case["stale"] * 10)
    for i, (start, end) in enumerate(case["windows"]):
        lines = [",".join(HEADER)]
        for day in range(start, end + 1):
            winner = max((j for j, (s, e) in enumerate(case["windows"]) if s <= day <= e), key=rank.index)
            for ad in range(case["ads"]):
                spend, impressions, purchases = case["truth"][(ad, day)]
                if winner != i:
                    spend = next(stale)
                lines.append(
                    f"C,S,Ad {ad},{day_text(day)},{money(spend)},{impressions},{purchases},"
                    f"{day_text(start)},{day_text(end)}"
                )
                rows_written += 1
        path = folder / names[i]
        path.write_text(("\ufeff" if case["bom"] else "") + "\n".join(lines) + "\n")
        paths.append(path)
    if case["breakdown_days"]:
        lines = [",".join(BREAKDOWN_HEADER)]
        for day in sorted(case["breakdown_days"]):
            for ad in range(case["ads"]):
                spend, impressions, purchases = case["truth"][(ad, day)]
                half = spend // 2
                for gender, part, imp in (
                    ("female", half, impressions // 2),
                    ("male", spend - half, impressions - impressions // 2),
                ):
                    lines.append(
                        f"C,S,Ad {ad},{day_text(day)},25-34,{gender},{money(part)},{imp},0,"
                        f"{day_text(day)},{day_text(day)}"
                    )
                    rows_written += 1
        path = folder / "zz_age_gender.csv"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths, rows_written


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(exports())
def test_ingest_overlapping_exports_and_breakdowns_give_the_truth_once(case):
    with tempfile.TemporaryDirectory() as folder:
        paths, rows_written = write_files(Path(folder), case)
        result = ingest(paths, Path(folder), "salt")
    daily = compute_kpis_daily(result.tables["ad_insights"])
    truth = case["truth"]
    assert round(daily["spend"].sum() * 100) == sum(v[0] for v in truth.values())
    assert daily["impressions"].sum() == sum(v[1] for v in truth.values())
    assert daily.height == len(truth)
    ledger = result.ledger
    assert ledger["rows_in"].sum() == rows_written
    balance = ledger.select(pl.col("kept") + pl.col("replaced") + pl.col("totals") + pl.col("quarantined"))
    assert balance.to_series().to_list() == ledger["rows_in"].to_list()
    # Every (ad, day) of the base exports is kept exactly once.
    base = ledger.filter(~pl.col("source_file").str.contains("age_gender"))
    assert base["kept"].sum() == len(truth)
