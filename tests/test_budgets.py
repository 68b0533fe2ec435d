"""Budget columns of Meta exports -> `budget`, `budget_type`, `budget_level` (sources/budgets.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adlab.ingest import ingest

HEADER = (
    "Day,Campaign name,Ad set name,Ad name,Ad set budget,Ad set budget type,Amount spent (USD),Impressions,Link clicks"
)


def _rows(tmp_path: Path, lines: list[str], header: str = HEADER) -> list[dict[str, object]]:
    path = tmp_path / "meta.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    table = ingest([path], tmp_path, "salt").tables["ad_insights"].sort("ad")
    return table.select("ad", "spend", "budget", "budget_type", "budget_level").to_dicts()


def test_budget_columns_adset_amount_and_campaign_text(tmp_path: Path) -> None:
    rows = _rows(
        tmp_path,
        [
            "2026-03-01,C1,S1,A1,70,Daily,12.50,1000,20",
            '2026-03-01,C2,S2,A2,"Using campaign budget",0,3.00,300,4',
            "2026-03-01,C3,S3,A3,1500,Lifetime,8.00,500,5",
        ],
    )
    assert rows == [
        {"ad": "A1", "spend": 12.5, "budget": 70.0, "budget_type": "daily", "budget_level": "adset"},
        {"ad": "A2", "spend": 3.0, "budget": None, "budget_type": None, "budget_level": "campaign"},
        {"ad": "A3", "spend": 8.0, "budget": 1500.0, "budget_type": "lifetime", "budget_level": "adset"},
    ]


def test_budget_columns_campaign_budget_amount_used_under_campaign_budget(tmp_path: Path) -> None:
    header = HEADER + ",Campaign budget,Campaign budget type"
    rows = _rows(
        tmp_path,
        [
            '2026-03-01,C2,S2,A2,"Using campaign budget",0,3.00,300,4,250,Daily',
            "2026-03-01,C9,S9,A9,-,-,1.00,100,1,-,-",
        ],
        header,
    )
    assert rows == [
        {"ad": "A2", "spend": 3.0, "budget": 250.0, "budget_type": "daily", "budget_level": "campaign"},
        {"ad": "A9", "spend": 1.0, "budget": None, "budget_type": None, "budget_level": None},
    ]


def test_budget_columns_absent_are_null(tmp_path: Path) -> None:
    header = "Day,Campaign name,Ad name,Amount spent (USD),Impressions"
    rows = _rows(tmp_path, ["2026-03-01,C1,A1,5.00,100"], header)
    assert rows[0]["budget"] is None
    assert rows[0]["budget_level"] is None
    assert rows[0]["spend"] == 5.0


REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "monfrere_us" / "meta"


@pytest.mark.skipif(not REAL.is_dir(), reason="the real exports in ../shared/data/real/ are absent")
def test_budget_columns_real_monfrere_export() -> None:
    path = REAL / "MONFRERE-META-Ads-Fe-5-2023-Mar-4-2026.csv"
    table = ingest([path], REAL, "salt").tables["ad_insights"]
    # 719 rows say `Using campaign budget` (some land in quarantine or merge); the rest carry a daily ad set amount.
    assert set(table["budget_level"].drop_nulls().unique()) == {"adset", "campaign"}
    assert table.filter(budget_level="campaign")["budget"].null_count() == table.filter(budget_level="campaign").height
    assert table.filter(budget_level="adset")["budget_type"].unique().to_list() == ["daily"]
