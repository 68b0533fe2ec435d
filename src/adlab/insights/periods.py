"""The days an answer compares: periods, the last day in the data, and the summed figures of a period.

Relative dates ("yesterday", "last week", "the last 14 days") count from the last day in the data, never
from today.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from adlab.errors import AdlabError
from adlab.insights.answer import Row
from adlab.kpis import complete_weeks, date_span, rollup, week_bounds


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
    return date_span(frame["date"])[0]


def last_date(frame: pl.DataFrame) -> dt.date:
    """The latest `date` of a frame with rows."""
    return date_span(frame["date"])[1]


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


MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fourteen": 14,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}
NUMBER = r"\d+|" + "|".join(NUMBER_WORDS)
DATE = r"\d{4}-\d{2}-\d{2}"
DEFAULT_SPANS = {"yesterday": 1, "last_7_days": 7, "last_30_days": 30}


def number(word: str) -> int:
    """`5` or `five` -> 5."""
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_of(start: dt.date, last: dt.date) -> Period:
    """The calendar month starting on `start`, cut at `last` (the last day in the data); whole when it starts
    after `last` (a month the data does not reach: its figures are unknown)."""
    end = month_start(start, -1) - dt.timedelta(days=1)
    return Period(start, end if start > last else min(end, last))


def before(current: Period) -> Period:
    """The period of the same length just before `current`."""
    return Period(current.start - dt.timedelta(days=current.days), current.start - dt.timedelta(days=1))


def same_span_before(current: Period, month: bool) -> Period:
    """The same days of the week (or month) before: Mon-Tue of last week for a partial `this week`."""
    if not month:
        return Period(current.start - dt.timedelta(days=7), current.end - dt.timedelta(days=7))
    start = month_start(current.start, 1)
    return Period(start, min(start + dt.timedelta(days=current.days - 1), current.start - dt.timedelta(days=1)))


def period_phrases(question: str, kpis_daily: pl.DataFrame) -> list[tuple[int, Period, Period]]:
    """Every period the (normalised) question names, as (position, period, the period it is compared with).

    `today` and `yesterday` are both the last day in the data; `last week` is the latest complete ISO week
    (periods_for); `this week` / `this month` run from the Monday / the 1st to the last day and are compared
    with the same days of the week / month before; `last month` and a month name (`october`, `in october
    2025`: the latest one on or before the last day) are calendar months compared with the month before;
    `last N days|weeks|months` end on the last day (a month counts 30 days); `since monday` starts on the
    latest Monday on or before the last day, `since october` on its 1st; anything else of N days is
    compared with the N days before.
    """
    end = last_day(kpis_daily)
    found: list[tuple[int, Period, Period]] = []

    def add(match: re.Match[str], current: Period, previous: Period | None = None) -> None:
        found.append((match.start(), current, previous or before(current)))

    for match in re.finditer(r"\b(today|yesterday|last day)\b", question):
        add(match, Period(end, end))
    for match in re.finditer(rf"\b(?:last|past|previous|recent) ({NUMBER}) (day|week|month)s?\b", question):
        days = number(match.group(1)) * {"day": 1, "week": 7, "month": 30}[match.group(2)]
        add(match, window_ending(end, days))
    for match in re.finditer(r"\b(past|last 7 days of the) week\b", question):
        add(match, window_ending(end, 7))
    for match in re.finditer(r"\bthis week\b|\bweek to date\b|\bwtd\b", question):
        monday = end - dt.timedelta(days=end.isoweekday() - 1)
        add(match, Period(monday, end), same_span_before(Period(monday, end), month=False))
    for match in re.finditer(r"\b(last|previous) week\b", question):
        add(match, *periods_for(kpis_daily, "last_week"))
    for match in re.finditer(r"\bthis month\b|\bmonth to date\b|\bmtd\b", question):
        current = Period(month_start(end), end)
        add(match, current, same_span_before(current, month=True))
    for match in re.finditer(r"\b(last|previous) month\b", question):
        add(match, month_of(month_start(end, 1), end), month_of(month_start(end, 2), end))
    for match in re.finditer(rf"\b({'|'.join(MONTHS)})\b(?: (\d{{4}}))?", question):
        after = match.group(2) or re.search(r"\b(in|during|of|for) $", question[: match.start()])
        if match.group(1) == "may" and not after:
            continue  # "may" is a month only as "in may" or "may 2026"
        month = MONTHS.index(match.group(1)) + 1
        year = int(match.group(2)) if match.group(2) else end.year - (month > end.month)
        start = dt.date(year, month, 1)
        if question[: match.start()].endswith("since "):
            add(match, Period(start, end))
        else:
            add(match, month_of(start, end), month_of(month_start(start, 1), end))
    for match in re.finditer(rf"\bsince ({'|'.join(WEEKDAYS)})\b", question):
        start = end - dt.timedelta(days=(end.isoweekday() - 1 - WEEKDAYS.index(match.group(1))) % 7)
        add(match, Period(start, end))
    for match in re.finditer(rf"\bsince ({DATE})\b", question):
        add(match, Period(dt.date.fromisoformat(match.group(1)), end))
    for match in re.finditer(r"\b(this year|year to date|ytd)\b", question):
        start = dt.date(end.year, 1, 1)
        add(match, Period(start, end), Period(dt.date(end.year - 1, 1, 1), end.replace(year=end.year - 1)))
    return sorted(found, key=lambda phrase: phrase[0])


def periods_in(question: str, kpis_daily: pl.DataFrame, default: str = "yesterday") -> tuple[Period, Period]:
    """(current, previous) the (normalised) question names, relative to the last day in the data.

    Dates come first: two dates (`between 2026-10-01 and 2026-10-15`) are the current period, four are two
    periods (the later one current), one is a single day. Else the period words (see period_phrases): one
    names the current period and what it is compared with; two (`this week vs last week`) name both, the
    later one current. With none, `default`: `yesterday` (the last day vs the day before), `last_7_days` or
    `last_30_days` (ending on the last day, vs the same number of days before).
    """
    if "since" not in question:
        dates = [dt.date.fromisoformat(text) for text in re.findall(DATE, question)]
        if len(dates) >= 4:
            first, second = sorted((Period(*sorted(dates[0:2])), Period(*sorted(dates[2:4]))), key=lambda p: p.end)
            return second, first
        if len(dates) in (2, 3):
            current = Period(*sorted(dates[:2]))
            return current, before(current)
        if len(dates) == 1:
            return Period(dates[0], dates[0]), before(Period(dates[0], dates[0]))
    phrases = period_phrases(question, kpis_daily)
    if len(phrases) >= 2:
        first, second = sorted((phrases[0][1], phrases[1][1]), key=lambda period: (period.end, period.start))
        return second, (first if first != second else before(second))
    if phrases:
        return phrases[0][1], phrases[0][2]
    days = DEFAULT_SPANS[default]
    return (window_ending(last_day(kpis_daily), days), before(window_ending(last_day(kpis_daily), days)))
