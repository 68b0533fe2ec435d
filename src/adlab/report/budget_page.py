"""reports/budget.html: the budget plan for the latest day, its moves and every entity's response curve drawn.

One standalone page (inline CSS, plotly.js inlined once, nothing from the network), from a `budget.Plan`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adlab.budget import Plan
from adlab.display import fmt_decimal, fmt_money
from adlab.insights.budget_answers import plan_answer
from adlab.report.html import PlotlyEmbed, esc, html_table, page_html

SHOWN = {
    "campaign": "Campaign",
    "adset": "Ad set",
    "status": "Status",
    "spend_now": "Spend now",
    "spend_after": "Spend planned",
    "change": "Change",
    "marginal_roas_now": "Marginal ROAS now",
    "marginal_roas_after": "Marginal ROAS planned",
    "b": "Exponent b",
    "gain": "Expected gain / day",
    "days": "Days fitted",
}


NAV = (
    '<p class="meta"><span class="nav"><a href="index.html">All weeks</a><a href="customers.html">Customers</a>'
    '<a href="quality.html">Data quality</a></span></p>'
)


def budget_page_html(
    plan: Plan, currency: str | None, sample_data: bool = False, breakeven: float | None = None
) -> str:
    """The whole page: the plan in words, the moves as a table, and the curves with today's and the plan's spend.
    `breakeven`: the break-even ROAS (1 / gross margin) the plan's marginal ROAS is read against."""
    answer = plan_answer(plan, currency, breakeven)
    money = {
        name: (lambda value: fmt_money(value, currency or ""))
        for name in ("spend_now", "spend_after", "change", "gain")
    }
    formats: dict[str, Any] = {
        **money,
        **{name: fmt_decimal for name in ("marginal_roas_now", "marginal_roas_after", "b")},
    }
    shown = plan.moves.select([name for name in SHOWN if name in plan.moves.columns])
    banner = '<p class="note">Sample data: a made-up store.</p>' if sample_data else ""
    body = (
        f"<h1>Budget plan for {esc(plan.curves.end)}</h1>{NAV}{banner}"
        f"<p><strong>{esc(answer.headline)}</strong></p>"
        "<ul>"
        + "".join(f"<li>{esc(line)}</li>" for line in answer.lines)
        + "</ul>"
        + html_table(shown, formats, labels=SHOWN)
        + "<h2>Response curves</h2><p>Expected purchase value a day against spend a day, per "
        + ("ad set" if plan.curves.level == "adset" else "campaign")
        + ", over the daily spends it was fitted on: the circle is its spend on the last day, the "
        + "diamond the plan's.</p>"
        + PlotlyEmbed()(fig_response_curves(plan, currency), "budget-curves")
    )
    return page_html(f"Budget plan {plan.curves.end}", body)


def budget_unavailable_html(reason: str, sample_data: bool = False) -> str:
    """The page when no plan can be made (several accounts, no purchase value, every entity still learning):
    the reason in one line."""
    banner = '<p class="note">Sample data: a made-up store.</p>' if sample_data else ""
    return page_html("Budget plan", f"<h1>Budget plan</h1>{NAV}{banner}<p>No plan: {esc(reason)}</p>")


def accounts_budget_html(links: list[tuple[str, str]], sample_data: bool = False) -> str:
    """The budget page of several accounts: budgets move within an account, so one link to each account's plan,
    given as (account name, link)."""
    banner = '<p class="note">Sample data: a made-up store.</p>' if sample_data else ""
    items = "".join(f'<li><a href="{esc(href)}">{esc(name)}</a></li>' for name, href in links)
    return page_html(
        "Budget plan",
        f"<h1>Budget plan</h1>{banner}<p>Budgets move between the campaigns and ad sets of one account, so each "
        f"account has its own plan:</p><ul>{items}</ul>",
    )


def fig_response_curves(plan: Plan, currency: str | None) -> Any:
    """One line per entity with a curve: value = a spend^b over its fitted range and the plan's spend."""
    import plotly.graph_objects as go  # only where a chart is drawn

    figure = go.Figure()
    fit = plan.curves.fit
    level = plan.curves.level
    for index, row in enumerate(plan.moves.iter_rows(named=True)):
        if row["a"] is None or row["low"] is None:
            continue
        top = max(row["high"], row["spend_after"] or 0.0) * 1.1
        grid = np.linspace(max(row["low"] * 0.8, 0.01), top, 60)
        name = str(row[level])
        figure.add_trace(
            go.Scatter(
                x=grid.round(2).tolist(),
                y=(fit.a[index] * grid ** fit.b[index]).round(2).tolist(),
                mode="lines",
                name=name,
                legendgroup=name,
            )
        )
        marks = [(row["spend_now"], "circle"), (row["spend_after"], "diamond")]
        for spend, symbol in marks:
            if spend:
                figure.add_trace(
                    go.Scatter(
                        x=[round(spend, 2)],
                        y=[round(float(fit.a[index] * spend ** fit.b[index]), 2)],
                        mode="markers",
                        marker={"symbol": symbol, "size": 10},
                        legendgroup=name,
                        showlegend=False,
                        hovertext=f"{name}: {'now' if symbol == 'circle' else 'planned'}",
                    )
                )
    figure.update_layout(
        height=480,
        template="plotly_white",
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        xaxis_title=f"spend a day ({currency or ''})".replace(" ()", ""),
        yaxis_title="expected purchase value a day",
    )
    return figure
