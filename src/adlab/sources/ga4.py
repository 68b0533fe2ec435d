"""GA4 UI downloads (`#` comment preamble, several tables stacked in one file) -> `sessions` rows.

Only tables with sessions over time (Date, Week or Nth week) are used; the
others (users by channel, landing pages, cohorts...) are listed as not used.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from adlab.io import RawTable
from adlab.schema import INPUT_ROWS, SESSIONS, conform
from adlab.sources.common import find_column, null_if_token, parse_date, parse_number, row_numbers
from adlab.sources.kind import Detection, Parsed

KIND = "ga4"
TABLE = "sessions"
CHANNEL = (
    "session primary channel group (default channel group)",
    "session default channel group",
    "session primary channel group",
    "default channel group",
)
METRICS = {
    "sessions": ("sessions",),
    "engaged_sessions": ("engaged sessions",),
    "key_events": ("key events", "conversions"),
    "revenue": ("total revenue", "purchase revenue"),
}


def detect(raw: RawTable) -> Detection:
    """GA4 downloads carry `# Property:` / `# Start date:` comment lines above each table."""
    if re.search(r"^#\s*(Property|Start date):", raw.title, re.M):
        return Detection(KIND, 1.0)
    return Detection(KIND, 0.0, ["a GA4 `#` preamble with Property and Start date lines"])


def _start_date(title: str) -> dt.date | None:
    match = re.search(r"Start date:\s*(\d{8})", title)
    return dt.datetime.strptime(match.group(1), "%Y%m%d").date() if match else None


def _sunday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.isoweekday() % 7)


def ga4_week_number(day: dt.date) -> int:
    """GA4's `Week` of a date: week 01 holds 1 January, later weeks start on Sundays."""
    return (day - _sunday_on_or_before(dt.date(day.year, 1, 1))).days // 7 + 1


def ga4_week_start(week: pl.Expr, start: dt.date) -> pl.Expr:
    """First day of a GA4 `Week` number in the report starting on `start`.

    Week numbers smaller than the start date's belong to the next year.
    """

    def first_day(year: int) -> pl.Expr:
        jan1 = dt.date(year, 1, 1)
        return pl.max_horizontal(pl.lit(jan1), pl.lit(_sunday_on_or_before(jan1)) + pl.duration(weeks=week - 1))

    return pl.when(week >= ga4_week_number(start)).then(first_day(start.year)).otherwise(first_day(start.year + 1))


def parse(raw: RawTable, source_file: str, salt: str = "") -> Parsed:
    """Sessions by date or week (and channel when exported); other GA4 tables are reported as not used."""
    header = raw.header
    sessions = find_column(header, METRICS["sessions"])
    date_col, week_col, nth_col = (find_column(header, a) for a in (("date", "day"), ("week",), ("nth week",)))
    start = _start_date(raw.title)
    # A week (or nth week) number needs the report's start date, from the title.
    dated: tuple[pl.Expr, str] | None = None
    if date_col:
        dated = parse_date(date_col), "day"
    elif week_col and start:
        dated = ga4_week_start(parse_number(week_col).cast(pl.Int64), start), "week"
    elif nth_col and start:
        dated = pl.lit(start) + pl.duration(weeks=parse_number(nth_col).cast(pl.Int64)), "week"
    if sessions is None or dated is None:
        columns = " | ".join(header[:3])
        return Parsed(
            KIND,
            "",
            pl.DataFrame(),
            pl.DataFrame(),
            warnings=[
                {
                    "source_file": source_file,
                    "check": "not_used",
                    "message": f"GA4 table ({columns}) has no sessions by date; not used",
                }
            ],
        )
    date, period = dated
    channel_col = find_column(header, CHANNEL)
    channel = null_if_token(channel_col) if channel_col else pl.lit("all")
    frame = raw.frame.with_columns(row_numbers(raw))
    is_total = channel.str.to_lowercase().is_in(["grand total", "total"]).fill_null(False)
    reason = (
        pl.when(date.is_null())
        .then(pl.lit("no valid date or week"))
        .when(parse_number(sessions).is_null())
        .then(pl.lit(f"`{sessions}` is not a number"))
    )
    frame = frame.with_columns(reason.alias("reason"), is_total.alias("_total"))
    good = frame.filter(pl.col("reason").is_null() & ~pl.col("_total"))
    rows = good.select(
        date.alias("date"),
        pl.lit(period).alias("period"),
        pl.lit("ga4").alias("source"),
        channel.fill_null("(not set)").alias("channel"),
        *[parse_number(col).alias(name) for name, aliases in METRICS.items() if (col := find_column(header, aliases))],
        pl.lit(source_file).alias("source_file"),
        pl.col("source_row"),
    )
    return Parsed(
        kind=KIND,
        table=TABLE,
        rows=conform(rows, SESSIONS).with_columns(pl.lit(1, pl.Int64).alias(INPUT_ROWS)),
        quarantine=frame.filter(pl.col("reason").is_not_null() & ~pl.col("_total"))
        .drop("_total")
        .with_columns(pl.lit(source_file).alias("source_file")),
        totals=frame.filter(pl.col("_total")).height,
        window_end=rows["date"].max() if rows.height else None,
    )
