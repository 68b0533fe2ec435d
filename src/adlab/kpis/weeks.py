"""ISO weeks (YYYY-Www, Monday-Sunday): labels, bounds, and which weeks the data covers completely."""

from __future__ import annotations

import datetime as dt
from typing import cast

import polars as pl


def add_week(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """The frame with `week`, the ISO week label YYYY-Www (Monday-Sunday) of `date`."""
    return frame.lazy().with_columns(pl.col("date").dt.strftime("%G-W%V").alias("week"))


def week_bounds(week: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week label YYYY-Www."""
    monday = dt.datetime.strptime(week + "-1", "%G-W%V-%u").date()
    return monday, monday + dt.timedelta(days=6)


def iso_week(day: dt.date) -> str:
    """The ISO week label YYYY-Www of a date."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def complete_weeks(last_day: dt.date, first_day: dt.date) -> list[str]:
    """ISO weeks, newest first, whose 7 days all lie on or before `last_day` and end on or after `first_day`."""
    sunday = last_day - dt.timedelta(days=(last_day.isoweekday() % 7))
    weeks = []
    while sunday >= first_day:
        weeks.append(iso_week(sunday))
        sunday -= dt.timedelta(days=7)
    return weeks


def date_span(dates: pl.Series) -> tuple[dt.date, dt.date]:
    """The first and last of a non-empty Date series."""
    # polars types min/max as any Python scalar; a Date series gives dates.
    return cast(dt.date, dates.min()), cast(dt.date, dates.max())


def reporting_dates(kpis_daily: pl.DataFrame, store: pl.DataFrame | None) -> pl.Series:
    """The dates weeks are reported for: those of the ad data; for a store without ads, those of its sales."""
    if kpis_daily.height or store is None:
        return kpis_daily["date"]
    return store["date"]


def latest_week(dates: pl.Series) -> tuple[str | None, bool]:
    """The newest ISO week whose 7 days all lie on or before the last of `dates`, and True; without one, the
    week of the last date and False; (None, False) without dates."""
    if dates.is_empty():
        return None, False
    first_day, last_day = date_span(dates)
    weeks = complete_weeks(last_day, first_day)
    return (weeks[0], True) if weeks else (iso_week(last_day), False)
