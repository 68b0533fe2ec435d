"""`adlab ask` on a project whose ad exports have no days: one line saying why, never a traceback."""

from __future__ import annotations

import datetime as dt

import polars as pl
from typer.testing import CliRunner

from adlab.cli import app
from adlab.kpis import compute_kpis_daily, compute_kpis_period
from adlab.schema import AD_INSIGHTS, conform


def test_load_workspace_on_period_only_data_says_the_exports_have_no_days(tmp_path):
    ad_insights = conform(
        pl.DataFrame(
            [
                {
                    "window_start": dt.date(2026, 10, 1),
                    "date": dt.date(2026, 10, 31),
                    "platform_source": "meta",
                    "level": "ad",
                    "breakdown": "none",
                    "campaign": "C",
                    "adset": "S",
                    "ad": "A",
                    "spend": 10.0,
                    "impressions": 100,
                    "source_file": "f.csv",
                    "source_row": 2,
                }
            ]
        ),
        AD_INSIGHTS,
    )
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    (tmp_path / "data" / "interim").mkdir(parents=True)
    (tmp_path / "data" / "processed").mkdir(parents=True)
    ad_insights.write_parquet(tmp_path / "data" / "interim" / "ad_insights.parquet")
    compute_kpis_daily(ad_insights).write_parquet(tmp_path / "data" / "processed" / "kpis_daily.parquet")
    compute_kpis_period(ad_insights).write_parquet(tmp_path / "data" / "processed" / "kpis_period.parquet")
    result = CliRunner().invoke(app, ["--project", str(tmp_path), "ask", "Why did my ROAS drop yesterday?"])
    assert result.exit_code == 1
    assert "the ad exports have no days (one row per reporting window)" in result.output
    assert "Traceback" not in result.output
