"""The weekly page's header and footer, and the lines saying which export fills a section or a missing metric
(the index page uses those too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from adlab import kpis
from adlab.report.frames import account_names
from adlab.report.html import banner_html, code_note_html, esc, fmt_dates, info_html, note_html

META_EXPORT = "a Meta Ads Manager export (Ads Manager › Reports › Export table data, by Day)"


# What each ad section of a weekly page would show, and the export that fills it, for a store without ad data.
NO_ADS_NOTES = {
    "glance": f"Ad spend, ROAS, CPA, CTR, CPM and MER need {META_EXPORT} in data/raw/.",
    "recommendations": f"Recommendations (scale, stop-loss, refresh creative) need {META_EXPORT} at ad level.",
    "roas_change": f"Why ROAS moved needs {META_EXPORT} covering this week and the week before.",
    "trend": f"Daily spend, purchase value and ROAS need {META_EXPORT}; the line is store revenue.",
    "campaigns": f"Campaign, ad set and ad figures need {META_EXPORT} at ad level.",
    "platforms": f"Spend and ROAS per ad platform need {META_EXPORT}, or a Google Ads or Pinterest export.",
    "creatives": f"The creative leaderboard needs {META_EXPORT} at ad level.",
}


# Metrics an export may lack altogether (unknown, never 0): what they hold up and the column that gives them.
UNKNOWN_METRICS = (
    (
        "purchases",
        "purchases, purchase value, ROAS, CPA, CVR and AOV",
        "`Purchases` and `Purchases conversion value` columns",
    ),
    ("purchase_value", "purchase value, ROAS and AOV", "a `Purchases conversion value` (or `Purchase ROAS`) column"),
    ("link_clicks", "link clicks, CTR and CVR", "a `Link clicks` column"),
)


def page_header_html(
    week: str,
    *,
    currency: str,
    data_through: dt.date | None,
    days_with_data: int,
    sample_data: bool,
    ads: bool = True,
    currency_warnings: int = 0,
) -> str:
    """The weekly page's title block: ISO week, its dates, data freshness, links and the sample-data banner.

    Args:
        ads: False for a store without ad data (a store report; no ad-coverage banner).
        currency_warnings: how many of the week's files do not say their currency (one line says so).
    """
    start, end = kpis.week_bounds(week)
    year, number = week.split("-W")
    meta = [f"Account currency {esc(currency)}" if currency else "Currency unknown"]
    if data_through is not None:
        meta.append(f"data through {data_through:%a %d %b %Y}")
    nav = (
        ' <span class="nav"><a href="../index.html">All weeks</a><a href="../customers.html">Customers</a>'
        '<a href="../budget.html">Budget plan</a><a href="../audit.html">Audit</a>'
        '<a href="../quality.html">Data quality</a></span>'
    )
    coverage = currency_line_html(currency, currency_warnings)
    if ads and days_with_data < 7:
        coverage += info_html(f"Only {days_with_data} of the 7 days of this week have ad data, so totals are partial.")
    return (
        '<header class="report-header">'
        f'<div class="eyebrow">Weekly {"advertising" if ads else "store"} report</div>'
        f'<h1>Week {int(number)}, {esc(year)} <span class="dates">{esc(fmt_dates(start, end))} · {esc(week)}</span>'
        "</h1>"
        f'<p class="meta">{" · ".join(meta)}{nav}</p>'
        "</header>"
        f"{banner_html(sample_data)}{coverage}"
    )


def currency_line_html(currency: str, unknown_files: int) -> str:
    """One line when amounts may be in an unknown currency: no export said it, or `unknown_files` did not."""
    if not currency:
        text = (
            "The exports do not say their currency (none in the money headers, no Currency column), so "
            "amounts are shown without one; see Data quality."
        )
    elif unknown_files:
        text = (
            f"{unknown_files} file(s) behind this week do not say their currency; their amounts are added "
            f"as {currency}. Check them on the Data quality page."
        )
    else:
        return ""
    return info_html(esc(text))


def no_ads_html(section: str) -> str:
    """The one line an ad section shows for a store without ad data: which export would fill it."""
    return note_html(NO_ADS_NOTES[section])


def accounts_html(kpis_daily: pl.DataFrame, week: str) -> str:
    """One line under the tiles when the week's ad data holds several accounts (`2 accounts: client_a,
    client_b`): the tiles are their sum; empty for one account or the default one alone."""
    start, end = kpis.week_bounds(week)
    return accounts_note_html(account_names(kpis_daily.filter(pl.col("date").is_between(start, end))))


def accounts_note_html(names: Sequence[str]) -> str:
    """`2 accounts: client_a, client_b. The figures above are their sum; ...`; empty for fewer than two."""
    if len(names) < 2:
        return ""
    return note_html(
        f"{len(names)} accounts: {', '.join(names)}. The figures above are their sum; the tables "
        "below name each campaign's account."
    )


def unknown_metrics_html(figures: Mapping[str, Any]) -> str:
    """One line naming the metrics no ad export provides (null, shown as `–`) and the column that would give
    them; empty when they are all known or there is no ad data at all (no_ads_html says so)."""
    if figures.get("spend") is None:
        return ""
    # Without purchases, purchase value's gap is part of theirs.
    gaps = [
        f"{what} need {column}"
        for key, what, column in UNKNOWN_METRICS
        if figures.get(key) is None and not (key == "purchase_value" and figures.get("purchases") is None)
    ]
    if not gaps:
        return ""
    unknown = "; ".join(gaps)
    return code_note_html(
        f"Unknown, not 0: the ad exports have no such data ({unknown}). Add them in Ads Manager "
        "(Columns › Customize columns), export again and drop the file into data/raw/."
    )


def footer_html(*, data_through: dt.date | None, ads: bool = True) -> str:
    """The closing line: how far the week's data (ad data; store data without it) reaches and how ratios are
    computed."""
    parts = []
    if data_through is not None:
        parts.append(f"{'Ad' if ads else 'Store'} data through {data_through:%d %b %Y}.")
    parts.append("Ratios are computed from sums at each level shown, never averaged.")
    return f'<div class="footer">{esc(" ".join(parts))} <a href="../index.html">All weeks</a>.</div>'
