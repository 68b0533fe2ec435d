"""The days an answer compares: periods, the last day in the data, and the summed figures of a period.

Relative dates ("yesterday", "last week", "the last 14 days") count from the last day in the data, never
from today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

import polars as pl

from adlab.errors import AdlabError
from adlab.insights.answer import Row
from adlab.kpis import complete_weeks, rollup, week_bounds


@dataclass(frozen=True)
class Period:
    """Days start..end, inclusive."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        return self.start.isoformat() if self.start == self.end else f"{self.start} to {self.end}"

    def phrase(self) -> str:
        """`on 2026-11-24` or `over 2026-11-16 to 2026-11-22`."""
        return f"on {self.start}" if self.start == self.end else f"over {self.start} to {self.end}"


def last_day(kpis_daily: pl.DataFrame) -> dt.date:
    """The last day with ad data; every relative date counts from it.

    Raises:
        AdlabError: there is no ad data.
    """
    if kpis_daily.height == 0:
        raise AdlabError("there is no ad data yet: drop an Ads Manager export into data/raw/ and run `adlab report`.")
    return last_date(kpis_daily)


def first_date(frame: pl.DataFrame) -> dt.date:
    """The earliest `date` of a frame with rows."""
    return cast(dt.date, frame["date"].min())


def last_date(frame: pl.DataFrame) -> dt.date:
    """The latest `date` of a frame with rows."""
    return cast(dt.date, frame["date"].max())


def periods_for(kpis_daily: pl.DataFrame, when: str = "yesterday", days: int | None = None) -> tuple[Period, Period]:
    """(current, previous) periods: `yesterday` = the last day vs the day before; `last_week` = the latest
    complete ISO week vs the one before (the last 7 days when no week is complete); `days` = the last N days
    vs the N before."""
    end = last_day(kpis_daily)
    if when == "last_week":
        weeks = complete_weeks(end, first_date(kpis_daily))
        if weeks:
            monday, sunday = week_bounds(weeks[0])
            return Period(monday, sunday), Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
        days = 7
    if when == "days" or days:
        n = days or 7
        current = Period(end - dt.timedelta(days=n - 1), end)
        return current, Period(current.start - dt.timedelta(days=n), current.start - dt.timedelta(days=1))
    return Period(end, end), Period(end - dt.timedelta(days=1), end - dt.timedelta(days=1))


def window_ending(end: dt.date, days: int) -> Period:
    """The `days` days up to and including `end`."""
    return Period(end - dt.timedelta(days=days - 1), end)


def span_words(kpis_daily: pl.DataFrame, current: Period) -> str:
    """`yesterday` (the last day in the data), `last week` (a Monday-to-Sunday week), else empty."""
    if current.days == 1 and current.end == last_day(kpis_daily):
        return "yesterday"
    return "last week" if current.days == 7 and current.start.isoweekday() == 1 else ""


def in_period(period: Period) -> pl.Expr:
    """The rows dated inside the period."""
    return pl.col("date").is_between(period.start, period.end)


def totals_of(frame: pl.DataFrame) -> Row:
    """Summed metrics and KPIs of all rows (one roll-up row as a dict)."""
    rolled = rollup(frame.with_columns(pl.lit(1).alias("_all")), ["_all"])
    return rolled.row(0, named=True) if rolled.height else {}
