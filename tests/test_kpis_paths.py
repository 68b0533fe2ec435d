"""compute_kpis_daily/weekly skip work on an ad-level export; they must give the roll-up's bytes on any input."""

import datetime as dt
import io

import polars as pl
import pytest

from adlab.kpis import add_week, compute_kpis_daily, compute_kpis_weekly, ratio, rollup, totals_view
from adlab.schema import AD_INSIGHTS, ENTITY, conform

BY = ["date", "platform_source", *ENTITY]
START = dt.date(2026, 9, 1)


def reference_daily(ad_insights: pl.DataFrame) -> pl.DataFrame:
    """The definition: a roll-up of the totals view; reach only where one ad-level, no-breakdown row lies behind."""
    view = totals_view(ad_insights).collect()
    reach = (
        view.filter((pl.col("level") == "ad") & (pl.col("breakdown") == "none"))
        .group_by(BY)
        .agg(pl.when(pl.len() == 1).then(pl.col("reach").first()).alias("reach"))
    )
    return (
        rollup(view, BY)
        .join(reach, on=BY, how="left", nulls_equal=True)
        .with_columns(ratio("impressions", "reach").alias("frequency"))
        .sort(BY, nulls_last=True)
    )


def reference_weekly(kpis_daily: pl.DataFrame) -> pl.DataFrame:
    by = ["week", "platform_source", *ENTITY]
    days = add_week(kpis_daily).group_by(by).agg(pl.col("date").n_unique().alias("days")).collect()
    return rollup(add_week(kpis_daily), by).join(days, on=by, how="left", nulls_equal=True).sort(by, nulls_last=True)


def parquet(frame: pl.DataFrame) -> bytes:
    """The bytes a stage writes (io.write_parquet's settings): equal values, signs of zero and chunk layout."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=True)
    return buffer.getvalue()


def ads(days: int = 20, per_day: int = 30) -> pl.DataFrame:
    rows = [
        {
            "date": START + dt.timedelta(days=day),
            "campaign": f"C{n % 3}",
            "adset": f"S{n % 7}",
            "ad": f"A{n}",
            "spend": round(1.37 * n + day / 3, 2),
            "impressions": 100 + n * day,
            "reach": 40 + n,
            "link_clicks": n % 5,
            "purchases": n % 3,
            "purchase_value": 12.5 * (n % 3),
        }
        for day in range(days)
        for n in range(per_day)
    ]
    base = {"platform_source": "meta", "level": "ad", "breakdown": "none", "currency": "USD", "source_file": "f.csv"}
    frame = conform(pl.DataFrame([{**base, **row} for row in rows]), AD_INSIGHTS)
    return frame.with_columns(pl.col("date").alias("window_start")).sort("date", "campaign", "adset", "ad")


def variants() -> dict[str, pl.DataFrame]:
    frame = ads()
    position = pl.int_range(pl.len())
    odd = frame.with_columns(
        pl.when(position % 11 == 0).then(-0.0).otherwise(pl.col("spend")).alias("spend"),
        pl.when(position % 13 == 0).then(None).otherwise(pl.col("reach")).alias("reach"),
        pl.when(position % 17 == 0).then(None).otherwise(pl.col("purchase_value")).alias("purchase_value"),
    )
    breakdown = frame.filter(pl.col("ad").is_in(["A1", "A2"])).with_columns(
        pl.lit("age_gender").alias("breakdown"), pl.lit("25-34").alias("age"), pl.col("spend") / 2
    )
    only_breakdowns = pl.concat(
        [
            breakdown.with_columns(pl.lit("female").alias("gender")),
            breakdown.with_columns(pl.lit("male").alias("gender")),
            frame.filter(~pl.col("ad").is_in(["A1", "A2"])),
        ]
    )
    return {
        "sorted ad level": frame,
        "shuffled": frame.sample(fraction=1.0, shuffle=True, seed=3),
        "minus zero and nulls": odd,
        "null names": frame.with_columns(
            pl.when(position % 7 == 0).then(None).otherwise(pl.col("adset")).alias("adset")
        ),
        "breakdown rows summed": only_breakdowns,
        "several chunks": pl.concat([frame.head(100), frame.slice(100)], rechunk=False),
    }


@pytest.mark.parametrize("name", list(variants()))
def test_daily_and_weekly_give_the_roll_up_bytes(name):
    frame = variants()[name]
    daily = compute_kpis_daily(frame)
    weekly = compute_kpis_weekly(daily)
    assert parquet(daily) == parquet(reference_daily(frame))
    assert parquet(weekly) == parquet(reference_weekly(daily))
    # One chunk, as a sorted frame has: a large frame's chunks become its parquet row groups.
    assert (daily.n_chunks(), weekly.n_chunks()) == (1, 1)


def test_weekly_float_sums_are_the_same_bits_every_run():
    daily = compute_kpis_daily(ads(days=60, per_day=200))
    first = parquet(compute_kpis_weekly(daily))
    assert all(parquet(compute_kpis_weekly(daily)) == first for _ in range(5))
