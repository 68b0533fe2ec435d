"""Plotly figure builders: a polars frame in, a plotly Figure out, no I/O.

Names and other text from the data are escaped before they reach plotly:
plotly.js reads a subset of HTML in labels, and an ad name is user text.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import plotly.graph_objects as go
import polars as pl

from adlab import display
from adlab.display import COLOURS

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
MAX_LABEL = 38
MAX_CAMPAIGN_BARS = 15


def label(text: str | None, limit: int = MAX_LABEL) -> str:
    """A name shortened to `limit` characters and escaped, so plotly shows it as plain text."""
    if text is None:
        return "(none)"
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return html.escape(short, quote=False)


def money_affixes(currency: str) -> tuple[str, str]:
    """Axis and hover prefix/suffix for amounts in `currency`, escaped like every text from the data."""
    prefix, suffix = display.money_affixes(currency)
    return html.escape(prefix, quote=False), html.escape(suffix, quote=False)


def roas_band(roas: float | None, target_roas: float, breakeven_roas: float) -> str:
    """good (at or above target), warn (between break-even and target), bad (below break-even) or none."""
    return display.roas_tone(target_roas, breakeven_roas)(roas) or "none"


def _rounded(frame: pl.DataFrame) -> pl.DataFrame:
    """Floats to 6 decimals: plenty for a chart, and the page keeps its bytes when sums differ in the last bit."""
    return frame.with_columns(pl.col(pl.Float64, pl.Float32).round(6))


def _values(frame: pl.DataFrame, column: str) -> list[Any]:
    return _rounded(frame.select(column)).to_series().to_list()


def _style(fig: go.Figure, height: int) -> go.Figure:
    """The house look: white, compact margins, legend under the plot, no drag-zoom (phones scroll instead)."""
    return fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        font={"family": FONT, "size": 12, "color": "#343a40"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        hoverlabel={"font": {"family": FONT}},
        dragmode=False,
        autosize=True,
    )


def fig_daily_trend(
    account_daily: pl.DataFrame,
    currency: str,
    *,
    highlight: tuple[dt.date, dt.date] | None = None,
    target_roas: float | None = None,
) -> go.Figure:
    """Daily spend and revenue as bars/line, ROAS and MER on a second axis; one point per date.

    Args:
        account_daily: one row per date with spend, purchase_value, roas and
            optionally store revenue and mer (kpis.account_daily).
        currency: ISO code of the account currency, for the money axis.
        highlight: first and last day of the reported week, shaded.
        target_roas: drawn as a dashed line on the ROAS axis.

    A series no export provides (spend and ROAS for a store without ad data) is left out, not drawn as 0.
    """
    prefix, suffix = money_affixes(currency)
    money_hover = f"{prefix}%{{y:,.2f}}{suffix}"
    dates = account_daily["date"].to_list()
    fig = go.Figure()
    has_roas = account_daily["roas"].is_not_null().any()
    if account_daily["spend"].is_not_null().any():
        fig.add_bar(
            x=dates,
            y=_values(account_daily, "spend"),
            name="Spend",
            marker_color=COLOURS["spend"],
            hovertemplate=money_hover,
        )
    if account_daily["purchase_value"].is_not_null().any():
        fig.add_bar(
            x=dates,
            y=_values(account_daily, "purchase_value"),
            name="Purchase value (ads)",
            marker_color=COLOURS["purchase_value"],
            hovertemplate=money_hover,
        )
    has_store = "revenue" in account_daily.columns and account_daily["revenue"].is_not_null().any()
    if has_store:
        fig.add_scatter(
            x=dates,
            y=_values(account_daily, "revenue"),
            name="Store revenue",
            mode="lines+markers",
            line={"color": COLOURS["revenue"], "width": 2},
            hovertemplate=money_hover,
        )
    if has_roas:
        fig.add_scatter(
            x=dates,
            y=_values(account_daily, "roas"),
            name="ROAS",
            yaxis="y2",
            mode="lines+markers",
            line={"color": COLOURS["roas"], "width": 2.5},
            hovertemplate="%{y:.2f}x",
        )
    if has_store and account_daily["mer"].is_not_null().any():
        fig.add_scatter(
            x=dates,
            y=_values(account_daily, "mer"),
            name="MER",
            yaxis="y2",
            mode="lines",
            line={"color": COLOURS["mer"], "width": 2, "dash": "dot"},
            hovertemplate="%{y:.2f}x",
        )
    if target_roas is not None and has_roas:
        fig.add_hline(
            y=target_roas,
            yref="y2",
            line={"color": COLOURS["target"], "dash": "dash", "width": 1},
            annotation_text=f"target ROAS {target_roas:.2f}x",
            annotation_position="top left",
            annotation_font={"size": 11, "color": COLOURS["target"]},
            annotation_bgcolor="rgba(255, 255, 255, 0.8)",
        )
    if highlight is not None:
        half_day = dt.timedelta(hours=12)
        fig.add_vrect(
            x0=highlight[0] - half_day,
            x1=highlight[1] + half_day,
            fillcolor=COLOURS["highlight"],
            line_width=0,
            layer="below",
        )
    fig.update_layout(
        barmode="group",
        bargap=0.25,
        hovermode="x unified",
        xaxis={"type": "date", "tickformat": "%d %b", "hoverformat": "%a %d %b %Y", "showgrid": False},
        yaxis={
            "title": {"text": f"Amount ({label(currency)})" if currency else "Amount"},
            "tickprefix": prefix,
            "ticksuffix": suffix,
            "rangemode": "tozero",
            "separatethousands": True,
        },
    )
    if any(trace.yaxis == "y2" for trace in fig.data):  # no empty right axis for a store without ads
        fig.update_layout(
            yaxis2={
                "title": {"text": "ROAS / MER"},
                "overlaying": "y",
                "side": "right",
                "ticksuffix": "x",
                "tickmode": "auto",
                "tickformat": ".1f",
                "rangemode": "tozero",
                "showgrid": False,
            }
        )
    return _style(fig, 380)


def fig_spend_by_campaign(
    campaigns: pl.DataFrame, currency: str, *, target_roas: float, breakeven_roas: float
) -> go.Figure:
    """Horizontal bars of spend, one per campaign that spent (the largest 15), coloured by ROAS against targets.

    Args:
        campaigns: one row per campaign with spend and roas (report.frames.week_tables()["campaign"]).
    """
    prefix, suffix = money_affixes(currency)
    top = (
        campaigns.filter(pl.col("spend") > 0)
        .sort(["spend", "campaign"], descending=[True, False], nulls_last=True)
        .head(MAX_CAMPAIGN_BARS)
    )
    rows = list(reversed(_rounded(top.select("campaign", "spend", "roas")).rows()))  # largest on top
    bands = [roas_band(roas, target_roas, breakeven_roas) for _, _, roas in rows]
    names = [label(name) for name, _, _ in rows]
    # Two accounts may run campaigns of one name: their bars say whose, as the campaign table does.
    if "account" in top.columns and top["account"].n_unique() > 1:
        owners = reversed(top["account"].fill_null("default account").to_list())
        names = [f"{name} ({label(owner)})" for name, owner in zip(names, owners, strict=True)]
    roas_text = [f"ROAS {roas:.2f}x" if roas is not None else "no purchase value" for _, _, roas in rows]
    # Bars sit at positions 0..n-1 with the names as tick labels, so same-named campaigns keep their own bar.
    positions = list(range(len(rows)))
    fig = go.Figure(
        go.Bar(
            x=[spend for _, spend, _ in rows],
            y=positions,
            orientation="h",
            marker_color=[COLOURS[band] for band in bands],
            text=roas_text,
            textposition="auto",
            insidetextanchor="end",
            cliponaxis=False,
            customdata=[[name, text] for name, text in zip(names, roas_text, strict=True)],
            hovertemplate=(
                f"%{{customdata[0]}}<br>Spend {prefix}%{{x:,.2f}}{suffix}<br>%{{customdata[1]}}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        xaxis={
            "title": {"text": f"Spend ({label(currency)})"},
            "tickprefix": prefix,
            "ticksuffix": suffix,
            "separatethousands": True,
        },
        yaxis={"tickvals": positions, "ticktext": names, "automargin": True},
        showlegend=False,
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    return _style(fig, 90 + 34 * max(len(rows), 1))


def fig_roas_vs_spend(ads: pl.DataFrame, currency: str, *, target_roas: float, breakeven_roas: float) -> go.Figure:
    """ROAS against spend, one marker per ad (size = purchases), with target and break-even lines.

    Args:
        ads: one row per ad with campaign, adset, ad, spend, purchases and roas
            (report.frames.week_tables()["ad"]); ads without ROAS are left out.
    """
    prefix, suffix = money_affixes(currency)
    shown = ads.filter(pl.col("roas").is_not_null() & (pl.col("spend") > 0))
    rows = _rounded(shown.select("campaign", "adset", "ad", "spend", "roas", "purchases")).rows()
    # With several accounts the hover path starts with the account (same ad names may run in each).
    owners = (
        shown["account"].fill_null("default account").to_list()
        if "account" in shown.columns and ads["account"].n_unique() > 1
        else None
    )
    paths = [
        label(row[0], 60) if owners is None else f"{label(owners[i], 60)} › {label(row[0], 60)}"
        for i, row in enumerate(rows)
    ]
    purchases = [count or 0 for *_, count in rows]
    largest = max(purchases, default=0) or 1
    fig = go.Figure(
        go.Scatter(
            x=[row[3] for row in rows],
            y=[row[4] for row in rows],
            mode="markers",
            marker={
                "size": [8 + 22 * (count / largest) ** 0.5 for count in purchases],
                "color": [COLOURS[roas_band(row[4], target_roas, breakeven_roas)] for row in rows],
                "opacity": 0.8,
                "line": {"width": 1, "color": "white"},
            },
            # Purchases may be unknown (an export with Purchase ROAS but no purchase count): `–`, not 0.
            customdata=[
                [label(row[2], 60), path, label(row[1], 60), display.MISSING if row[5] is None else f"{row[5]:,}"]
                for row, path in zip(rows, paths, strict=True)
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{customdata[1]} › %{customdata[2]}<br>"
                f"Spend {prefix}%{{x:,.2f}}{suffix} · ROAS %{{y:.2f}}x · %{{customdata[3]}} purchases<extra></extra>"
            ),
        )
    )
    fig.add_hline(
        y=target_roas,
        line={"color": COLOURS["good"], "dash": "dash", "width": 1},
        annotation_text=f"target {target_roas:.2f}x",
        annotation_position="top right",
        annotation_font={"size": 11, "color": COLOURS["good"]},
    )
    fig.add_hline(
        y=breakeven_roas,
        line={"color": COLOURS["bad"], "dash": "dot", "width": 1},
        annotation_text=f"break-even {breakeven_roas:.2f}x",
        annotation_position="bottom right",
        annotation_font={"size": 11, "color": COLOURS["bad"]},
    )
    fig.update_layout(
        xaxis={
            "title": {"text": f"Spend this week ({label(currency)})"},
            "tickprefix": prefix,
            "ticksuffix": suffix,
            "rangemode": "tozero",
            "separatethousands": True,
        },
        yaxis={"title": {"text": "ROAS"}, "ticksuffix": "x", "rangemode": "tozero"},
        showlegend=False,
    )
    return _style(fig, 360)


def fig_age_gender_heatmap(
    age_gender: pl.DataFrame, currency: str, *, target_roas: float, breakeven_roas: float, min_spend: float = 0.0
) -> go.Figure:
    """ROAS by age (rows) and gender (columns), each cell labelled with its ROAS and spend.

    The colour scale runs red below break-even, through amber, to green at and above the target, so
    a cell's colour reads the same way as the tables.

    Args:
        age_gender: one row per (age, gender) with spend and roas (kpis.breakdown_rollup).
        min_spend: cells that spent less are left uncoloured ("low spend"): too thin to judge.
    """
    prefix, suffix = money_affixes(currency)
    frame = _rounded(age_gender.filter(pl.col("spend").fill_null(0) > 0))
    ages = sorted({label(age) for age in frame["age"].to_list()})
    genders = sorted({label(gender) for gender in frame["gender"].to_list()})
    cells = {(label(row["age"]), label(row["gender"])): row for row in frame.iter_rows(named=True)}
    z, text, custom = [], [], []
    for age in ages:
        row_z, row_text, row_custom = [], [], []
        for gender in genders:
            cell = cells.get((age, gender))
            roas = cell["roas"] if cell else None
            spend = cell["spend"] if cell else None
            thin = spend is not None and spend < min_spend
            row_z.append(None if thin else roas)
            row_text.append(
                "" if cell is None else "low spend" if thin else (f"{roas:.2f}x" if roas is not None else "–")
            )
            row_custom.append([f"{prefix}{spend:,.0f}{suffix}" if spend is not None else "–"])
        z.append(row_z)
        text.append(row_text)
        custom.append(row_custom)
    top = max(target_roas * 1.5, max((v for r in z for v in r if v is not None), default=0.0))
    top = min(top, target_roas * 3)  # one lucky cell must not wash out the scale
    cut_bad, cut_good = breakeven_roas / top, min(target_roas / top, 1.0)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=genders,
            y=ages,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            zmin=0,
            zmax=top,
            colorscale=[
                [0.0, COLOURS["bad"]],
                [cut_bad, "#ffc9c9"],
                [cut_bad, "#ffe8cc"],
                [cut_good, "#ffe8cc"],
                [cut_good, "#b2f2bb"],
                [1.0, COLOURS["good"]],
            ],
            colorbar={"title": {"text": "ROAS"}, "ticksuffix": "x", "thickness": 12},
            hovertemplate="Age %{y} · %{x}<br>ROAS %{z:.2f}x · spend %{customdata[0]}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(xaxis={"side": "top"}, yaxis={"autorange": "reversed", "type": "category"})
    return _style(fig, 80 + 42 * max(len(ages), 1))


def fig_cohort_heatmap(cohorts: pl.DataFrame, currency: str) -> go.Figure:
    """Cohorts (rows, oldest on top) by months since first order (columns): cumulative gross profit per customer,
    with a button for revenue per customer. A cell whose gross profit has reached the cohort's new-customer CPA
    carries a ✓; months not yet elapsed stay blank (unknown, not 0).

    Args:
        cohorts: kpis.cohort_table of one account (or of accounts added up in one currency).
    """
    prefix, suffix = money_affixes(currency)
    frame = _rounded(cohorts)
    names = [display.month_text(day) for day in sorted(set(frame["cohort"].to_list()))]
    months = list(range(frame.select(pl.col("month").max()).item() + 1)) if frame.height else []
    cells = {(display.month_text(row["cohort"]), row["month"]): row for row in frame.iter_rows(named=True)}
    traces: list[go.Heatmap] = []
    for value, title in (("gross_profit_per_customer", "Gross profit"), ("revenue_per_customer", "Revenue")):
        z, text, custom = [], [], []
        for name in names:
            row_z, row_text, row_custom = [], [], []
            for month in months:
                cell = cells.get((name, month))
                amount = None if cell is None else cell[value]
                paid = cell is not None and cell["ltv_cac"] is not None and cell["ltv_cac"] >= 1.0
                row_z.append(amount)
                row_text.append(
                    "" if cell is None else display.fmt_money(amount, currency, decimals=0) + (" ✓" if paid else "")
                )
                row_custom.append(
                    ["", "", ""]
                    if cell is None
                    else [
                        display.fmt_int(cell["customers"]),
                        display.fmt_pct(cell["repeat_rate"], 0),
                        display.fmt_money(cell["new_customer_cpa"], currency, decimals=0),
                    ]
                )
            z.append(row_z)
            text.append(row_text)
            custom.append(row_custom)
        traces.append(
            go.Heatmap(
                z=z,
                x=[f"M{month}" for month in months],
                y=names,
                text=text,
                texttemplate="%{text}",
                customdata=custom,
                colorscale=[[0.0, "#f1f3f5"], [1.0, COLOURS["spend"]]],
                colorbar={"title": {"text": f"{title} / customer"}, "thickness": 12},
                hovertemplate=(
                    f"%{{y}} · %{{x}}<br>{title} per customer {prefix}%{{z:,.2f}}{suffix}<br>"
                    "%{customdata[0]} customers · %{customdata[1]} ordered again · new-customer CPA %{customdata[2]}"
                    "<extra></extra>"
                ),
                xgap=2,
                ygap=2,
                name=title,
                visible=not traces,
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(
        xaxis={"side": "top", "title": {"text": "Months since the first order"}},
        yaxis={"autorange": "reversed", "type": "category"},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 0,
                "xanchor": "left",
                "y": 0,
                "yanchor": "top",
                "pad": {"t": 6},
                "showactive": True,
                "buttons": [
                    {"label": "Gross profit per customer", "method": "restyle", "args": [{"visible": [True, False]}]},
                    {"label": "Revenue per customer", "method": "restyle", "args": [{"visible": [False, True]}]},
                ],
            }
        ],
    )
    fig = _style(fig, 140 + 34 * max(len(names), 1))
    return fig.update_layout(margin={"l": 8, "r": 8, "t": 8, "b": 48})


def fig_ltv_curves(
    cohorts: pl.DataFrame, curve: pl.DataFrame, currency: str, *, cpa: float | None = None, max_cohorts: int = 12
) -> go.Figure:
    """Cumulative gross profit per customer by months since first order: one thin line per cohort (the latest
    `max_cohorts`), the average of every cohort as a thick line, and the new-customer CPA as a dashed line
    (where a line crosses it, that cohort has paid for its acquisition).

    Args:
        cohorts: kpis.cohort_table rows.
        curve: kpis.ltv_curve(cohorts), the average customer.
        cpa: the new-customer CPA to draw (kpis.acquisition_cost); None: not drawn.
    """
    prefix, suffix = money_affixes(currency)
    hover = f"%{{fullData.name}} · M%{{x}}<br>{prefix}%{{y:,.2f}}{suffix} gross profit per customer<extra></extra>"
    fig = go.Figure()
    shown = sorted(set(cohorts["cohort"].to_list()))[-max_cohorts:]
    for day in shown:
        rows = _rounded(cohorts.filter(pl.col("cohort") == day).sort("month"))
        fig.add_scatter(
            x=rows["month"].to_list(),
            y=rows["gross_profit_per_customer"].to_list(),
            name=display.month_text(day),
            mode="lines+markers",
            line={"width": 1.2},
            marker={"size": 5},
            opacity=0.75,
            hovertemplate=hover,
        )
    if curve.height:
        average = _rounded(curve)
        fig.add_scatter(
            x=average["month"].to_list(),
            y=average["gross_profit_per_customer"].to_list(),
            name="All cohorts",
            mode="lines+markers",
            line={"width": 3.5, "color": COLOURS["revenue"]},
            customdata=[[count] for count in average["customers"].to_list()],
            hovertemplate=(
                f"All cohorts · M%{{x}}<br>{prefix}%{{y:,.2f}}{suffix} gross profit per customer "
                "(%{customdata[0]:,} customers)<extra></extra>"
            ),
        )
    if cpa is not None:
        fig.add_hline(
            y=round(cpa, 6),
            line={"color": COLOURS["bad"], "dash": "dash", "width": 1.2},
            annotation_text=f"new-customer CPA {display.fmt_money(cpa, currency)}",
            annotation_position="top left",
            annotation_font={"size": 11, "color": COLOURS["bad"]},
            annotation_bgcolor="rgba(255, 255, 255, 0.8)",
        )
    fig.update_layout(
        xaxis={"title": {"text": "Months since the first order"}, "dtick": 1, "rangemode": "tozero"},
        yaxis={
            "title": {"text": f"Gross profit per customer ({label(currency)})" if currency else "Gross profit"},
            "tickprefix": prefix,
            "ticksuffix": suffix,
            "rangemode": "tozero",
            "separatethousands": True,
        },
        hovermode="closest",
    )
    return _style(fig, 380)
