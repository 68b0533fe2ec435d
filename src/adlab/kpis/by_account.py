"""The kpis stage's work for one account (what a Dask worker runs): its ad rows -> its KPI tables."""

from __future__ import annotations

from typing import Any

import polars as pl

from adlab.kpis.results import RESULTS_KEY, compute_results_daily
from adlab.kpis.rollups import compute_kpis_daily, compute_kpis_weekly
from adlab.kpis.windows import WINDOW_KEYS, compute_kpis_period
from adlab.schema import ENTITY

# Each KPI table's key: the combined rows of all accounts are sorted by it (one row per key).
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "kpis_daily": ("date", "platform_source", *ENTITY),
    "kpis_weekly": ("week", "platform_source", *ENTITY),
    "results_daily": ("date", "platform_source", *ENTITY, RESULTS_KEY),
    "kpis_period": (*WINDOW_KEYS, "platform_source", *ENTITY),
}


def account_kpis(account: str | None, inputs: dict[str, pl.DataFrame], hold_rate_base: Any) -> dict[str, pl.DataFrame]:
    """kpis_daily, kpis_weekly, results_daily and kpis_period of one account's `ad_insights` rows."""
    ad_insights = inputs["ad_insights"]
    daily = compute_kpis_daily(ad_insights, hold_rate_base)
    return {
        "kpis_daily": daily,
        "kpis_weekly": compute_kpis_weekly(daily, hold_rate_base),
        "results_daily": compute_results_daily(ad_insights),
        "kpis_period": compute_kpis_period(ad_insights, hold_rate_base),
    }
