"""reports/index.html: every week (and reporting window) with its figures and a link to its page."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from adlab import io, kpis
from adlab.display import (
    cpa_tone,
    fmt_change,
    fmt_int,
    fmt_money,
    fmt_pct,
    fmt_roas,
    relative_change,
    roas_tone,
)
from adlab.report.frames import previous_week
from adlab.report.html import banner_html, esc, fmt_dates, note_html, page_html, sparkline_svg
from adlab.report.weekly.header import currency_line_html, no_ads_html, unknown_metrics_html


def render_index(
    weeks_summary: Sequence[Mapping[str, Any]],
    out_html: Path,
    *,
    currency: str = "USD",
    sample_data: bool = False,
    target_roas: float | None = None,
    target_cpa: float | None = None,
    gross_margin: float | None = None,
    accounts: Sequence[str] = (),
) -> Path:
    """Write reports/index.html: every week, newest first, with its headline figures, a daily sparkline and link.

    Args:
        weeks_summary: one mapping per week with `week`, `spend`, `purchase_value`, `roas`, `cpa`,
            `revenue`, `mer` (week_summaries); `days` < 7 marks a partial week; `rendered` False lists a
            week without a page (older than report.weeks); `daily_spend` / `daily_roas` draw the sparklines.
            Without spend in any week (a store without ad data) the columns are the store's: `orders`,
            `revenue`, `store_aov` and `new_customer_share`, with one line naming the export that adds the ads.
        accounts: the accounts the figures add up, named under the title when there are two or more.
    """
    rows = sorted(weeks_summary, key=lambda row: row["week"], reverse=True)
    money = functools.partial(fmt_money, currency=currency)
    breakeven = kpis.breakeven_roas(gross_margin) if gross_margin else None
    has_ads = any(row.get("spend") is not None for row in rows) or not rows
    has_store = any(row.get("revenue") is not None for row in rows)
    has_spark = any(spend is not None for row in rows for spend in row.get("daily_spend") or [])
    header = ["Week", "Spend", "Purchase value", "ROAS", "vs week before", "CPA"] if has_ads else ["Week"]
    header += (["Store revenue", "MER"] if has_ads else ["Orders", "Store revenue", "Store AOV", "New customers"]
               ) if has_store else []
    header += ["Daily spend", "Daily ROAS"] if has_spark else []
    by_week = {row["week"]: row for row in rows}
    lines = []
    for row in rows:
        week = esc(row["week"])
        days = row.get("days")
        partial = f' <span class="pill bad">{int(days)} of 7 days</span>' if days is not None and days < 7 else ""
        roas_class = roas_tone(target_roas, breakeven)(row.get("roas")) if target_roas and breakeven else None
        cpa_class = cpa_tone(target_cpa)(row.get("cpa")) if target_cpa else None
        before = by_week.get(previous_week(row["week"]), {})
        change = relative_change(row.get("roas"), before.get("roas"))
        change_class = "neutral" if change is None or abs(change) < 0.0005 else ("good" if change > 0 else "bad")
        link = (
            f'<a href="weekly/{week}.html">{week}</a>' if row.get("rendered", True)
            else f'{week} <span class="sub">no page: add it to report.extra_weeks</span>'
        )
        cells = [
            f'<td>{link}{partial}<div class="sub">{esc(fmt_dates(*kpis.week_bounds(row["week"])))}</div></td>',
        ]
        if not has_ads:
            cells += [f'<td class="num">{esc(text)}</td>' for text in (
                fmt_int(row.get("orders")), money(row.get("revenue")), money(row.get("store_aov")),
                fmt_pct(row.get("new_customer_share"), 0),
            )] if has_store else []
            lines.append("<tr>" + "".join(cells) + "</tr>")
            continue
        cells += [
            f'<td class="num">{esc(money(row.get("spend")))}</td>',
            f'<td class="num">{esc(money(row.get("purchase_value")))}</td>',
            f'<td class="num {roas_class or ""}">{esc(fmt_roas(row.get("roas")))}</td>',
            f'<td class="num {change_class}">{esc(fmt_change(change))}</td>',
            f'<td class="num {cpa_class or ""}">{esc(money(row.get("cpa")))}</td>',
        ]
        if has_store:
            cells.append(f'<td class="num">{esc(money(row.get("revenue")))}</td>')
            cells.append(f'<td class="num">{esc(fmt_roas(row.get("mer")))}</td>')
        if has_spark:
            spend_line = sparkline_svg(row.get("daily_spend") or [], label="Daily spend")
            roas_line = sparkline_svg(row.get("daily_roas") or [], label="Daily ROAS")
            cells.append(f'<td class="spark-cell spend">{spend_line}</td><td class="spark-cell roas">{roas_line}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" if h in ("Week", "Daily spend", "Daily ROAS") else f'<th class="num">{h}</th>'
                   for h in header)
    table = (
        f'<div class="table-wrap"><table class="index">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(lines)
        + "\n</tbody>\n</table></div>"
        if rows
        else note_html("No week has been rendered yet: the ad data holds no complete ISO week.")
    )
    if not has_ads:
        table = no_ads_html("glance") + table
    else:  # a metric no week has (no export has its column) gets one line
        known = {key: next((row[key] for row in rows if row.get(key) is not None), None)
                 for key in ("spend", "purchases", "purchase_value", "link_clicks")}
        table = unknown_metrics_html(known) + table
    trend = ""
    ordered = [row for row in reversed(rows) if row.get("roas") is not None]
    if len(ordered) >= 2:
        trend = (
            f'<p class="index-trend">Weekly ROAS, {esc(ordered[0]["week"])} to {esc(ordered[-1]["week"])} '
            f'{sparkline_svg([row["roas"] for row in ordered], width=220, height=36, label="Weekly ROAS")} '
            f'<strong>{esc(fmt_roas(ordered[-1]["roas"]))}</strong></p>'
        )
    targets = []
    if target_roas:
        targets.append(f"target ROAS {fmt_roas(target_roas)}")
    if breakeven:
        targets.append(f"break-even ROAS {fmt_roas(breakeven)}")
    if target_cpa:
        targets.append(f"target CPA {money(target_cpa)}")
    body = (
        '<header class="report-header"><div class="eyebrow">Advertising reports</div>'
        "<h1>Weekly reports</h1>"
        f'<p class="meta">{f"Account currency {esc(currency)}" if currency else "Currency unknown"}'
        f'{" · " + esc(", ".join(targets)) if targets and has_ads else ""}'
        ' <span class="nav"><a href="quality.html">Data quality</a></span></p></header>'
        f"{banner_html(sample_data)}{currency_line_html(currency, 0)}"
        + (note_html(f"{len(accounts)} accounts: {', '.join(accounts)}. Every figure is their sum; each week's "
                     "page names the account of every campaign.") if len(accounts) > 1 else "")
        + f"{trend}{table}"
        + ('<p class="note">Weeks run Monday to Sunday (ISO weeks). ROAS = purchase value / spend; CPA = spend / '
           "purchase; MER = store revenue / ad spend. Green meets the target, amber is between break-even and "
           "target, red is below break-even or over the target CPA. Sparklines show each day of the week.</p>"
           if has_ads else
           '<p class="note">Weeks run Monday to Sunday (ISO weeks). Orders count every order not cancelled or '
           "voided, by order date; store revenue is order totals minus refunds; store AOV = store revenue / "
           "orders.</p>")
    )
    io.write_text(page_html("Advertising reports", body), out_html)
    return out_html
