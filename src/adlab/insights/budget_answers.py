"""Budget answers in words and numbers: the plan ("where should I move budget?") and a what-if on one entity.

Both read the response curves of adlab.budget (value = a x spend^b per campaign or ad set, shrunk toward the
account); every expected gain comes with its bootstrap interval.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from adlab.budget import Plan, budget_plan, what_if
from adlab.display import fmt_decimal, money_text, signed_money_text
from adlab.insights.answer import LEVEL_WORDS, Answer, Workspace, entity_label
from adlab.insights.questions import Intent
from adlab.kpis.formulas import breakeven_roas


def budget(intent: Intent, workspace: Workspace) -> Answer:
    """The budget plan (`view` plan) or a what-if on one campaign or ad set (`view` what_if)."""
    if intent.view == "what_if":
        return what_if_answer(intent, workspace)
    return plan_answer(
        budget_plan(workspace.kpis_daily, workspace.params, intent.amount),
        workspace.currency,
        breakeven_roas(workspace.params.targets.gross_margin),
    )


def plan_answer(plan: Plan, currency: str | None, breakeven: float | None = None) -> Answer:
    """Where to move budget: the moves, largest first, the expected gain with its interval, who is left alone, and
    (given the break-even ROAS, 1 / gross margin) which moved entities still lose money on their last unit of spend:
    the plan keeps the total, so a marginal ROAS below break-even after it says the total itself is too high."""
    level = plan.curves.level
    words = LEVEL_WORDS[level] + "s"
    moves = plan.moves
    moved = moves.filter(pl.col("status") == "moved", pl.col("change").abs() >= 0.005).sort("change", descending=True)
    given = float(moved.filter(pl.col("change") < 0)["change"].sum())
    total = f"{money_text(plan.budget, currency)} a day" + (
        " (unchanged)" if plan.budget == plan.budget_now else f" (from {money_text(plan.budget_now, currency)})"
    )
    interval = (
        f"{plan.interval:.0%} interval {signed_money_text(plan.gain_low, currency)} to "
        f"{signed_money_text(plan.gain_high, currency)}"
    )
    headline = (
        f"Budget plan for {plan.curves.end}, {words}, {total}: move {money_text(-given, currency)} "
        f"from {moved.filter(pl.col('change') < 0).height} {words} to {moved.filter(pl.col('change') > 0).height}; "
        f"expected {signed_money_text(plan.gain, currency)} purchase value a day ({interval})."
    )
    if moved.height == 0:
        headline = f"Budget plan for {plan.curves.end}, {words}, {total}: nothing to move, " + (
            f"every one of the {words} that spent is still learning or was off on the last day."
            if not (moves["status"] == "moved").any()
            else "their curves' marginal ROAS is already about equal within the caps."
        )
    lines = [_move_line(row, level, plan.step, currency) for row in moved.iter_rows(named=True)]
    learning = moves.filter(pl.col("status") == "learning")
    if learning.height:
        lines.append(
            "Left alone, still learning: "
            + "; ".join(
                f"{entity_label(level, row)}: {row['learning_reason']}" for row in learning.iter_rows(named=True)
            )
            + "."
        )
    off = moves.filter(pl.col("status") == "off")
    if off.height:
        lines.append(
            f"Not spending on {plan.curves.end}, left off: "
            + "; ".join(entity_label(level, row) for row in off.iter_rows(named=True))
            + "."
        )
    losing = moves.filter(pl.col("status") == "moved", pl.col("marginal_roas_after") < (breakeven or 0.0))
    if breakeven is not None and losing.height:
        lines.append(
            f"After the plan, {losing.height} of the {moves.filter(pl.col('status') == 'moved').height} {words} "
            f"moved still earn less than break-even on their last unit of spend "
            f"(marginal ROAS below {fmt_decimal(breakeven)} = 1 / gross margin). The plan keeps the total; by these "
            "curves, spend past break-even loses money, so a lower total budget would likely earn more profit."
        )
    lines.append(_method_line(plan.curves.fit.b_account, plan, level))
    return Answer(
        headline, lines, {"plan": moves, "gain": plan.gain, "gain_low": plan.gain_low, "gain_high": plan.gain_high}
    )


def _move_line(row: dict[str, Any], level: str, step: float, currency: str | None) -> str:
    """`Raise ad set 'A' (campaign 'C'): 100.00 -> 120.00 USD a day (+20%, the cap); marginal ROAS 1.56 -> 1.54 ...`."""
    share = row["change"] / row["spend_now"]
    capped = ", the cap" if abs(abs(share) - step) < 0.0005 + 0.01 / row["spend_now"] else ""
    return (
        f"{'Raise' if row['change'] > 0 else 'Cut'} {entity_label(level, row)}: "
        f"{money_text(row['spend_now'], currency)} -> {money_text(row['spend_after'], currency)} a day "
        f"({share:+.0%}{capped}); marginal ROAS {fmt_decimal(row['marginal_roas_now'])} -> "
        f"{fmt_decimal(row['marginal_roas_after'])}; curve exponent b {fmt_decimal(row['b'])}; expected "
        f"{signed_money_text(row['gain'], currency)} a day."
    )


def _method_line(b_account: float, plan: Plan, level: str) -> str:
    """How the plan was made, in one line."""
    return (
        f"How: value = a x spend^b per {LEVEL_WORDS[level]}, fitted on its days with spend and purchase value in the "
        f"last {plan.curves.fit_days} days, exponents shrunk toward the account's {b_account:.2f} when data is thin; "
        f"money moves where the next unit earns most until marginal ROAS is equal, each within {plan.step:.0%} of its "
        f"spend on {plan.curves.end}; the interval comes from {len(plan.curves.replicates)} bootstrap resamples of "
        "the days."
    )


def what_if_answer(intent: Intent, workspace: Workspace) -> Answer:
    """What raising or cutting one campaign or ad set would do, on its fitted curve."""
    currency = workspace.currency
    result = what_if(
        workspace.kpis_daily,
        workspace.params,
        intent.name,
        spend_after=intent.amount,
        share=intent.change,
        change=intent.change_money,
    )
    level = str(result["level"])
    label = entity_label(level, result)
    now, after = float(result["spend_now"]), float(result["spend_after"])
    change = after / now - 1
    headline = (
        f"{'Raising' if after >= now else 'Cutting'} {label} from {money_text(now, currency)} to "
        f"{money_text(after, currency)} a day ({change:+.0%}) should change its purchase value by "
        f"{signed_money_text(result['gain'], currency)} a day ({result['interval']:.0%} interval "
        f"{signed_money_text(result['gain_low'], currency)} to {signed_money_text(result['gain_high'], currency)})."
    )
    lines = [
        f"Its curve: value = {result['a']:,.2f} x spend^{result['b']:.2f} (exponent {result['b']:.2f}: its own "
        f"estimate {fmt_decimal(result['b_raw'])} shrunk toward the account's {result['b_account']:.2f}).",
        f"Purchase value a day on the curve {money_text(result['value_now'], currency)} -> "
        f"{money_text(result['value_after'], currency)}; marginal ROAS {fmt_decimal(result['marginal_roas_now'])} -> "
        f"{fmt_decimal(result['marginal_roas_after'])} (what the next unit of spend returns).",
    ]
    low, high = result["low"], result["high"]
    if low is not None and high is not None and not low <= after <= high:
        lines.append(
            f"{money_text(after, currency)} is outside the daily spends its curve was fitted on "
            f"({money_text(low, currency)} to {money_text(high, currency)}): the curve is extrapolated there."
        )
    if abs(change) > float(result["step"]) + 1e-9:
        lines.append(
            f"That is more than the {float(result['step']):.0%} step the tactics allow at once: move in steps."
        )
    if result["learning"]:
        lines.append(
            f"Still learning ({result['learning_reason']}): its curve leans on the account's, read it as a rough guide."
        )
    return Answer(headline, lines, {key: value for key, value in result.items() if key != "end"})
