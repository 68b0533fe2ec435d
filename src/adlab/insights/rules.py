"""The decision rules: pause, scale, refresh creative, wait or keep, from an entity's summed figures.

Purchases are Poisson in spend, so the purchase (or result) rate per unit spend has a Gamma posterior
(Jeffreys prior); a rule fires only when that posterior makes it credible at `recommend.confidence`.
`verdict` (one named entity) and `recommendations` (every ad set and ad) both judge with these rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.special import gammainc, gammaincc

from adlab.display import MISSING, count_text, fmt_decimal
from adlab.insights.answer import Row
from adlab.kpis import breakeven_roas, result_unit
from adlab.params import Params
from adlab.tactics import tactics_of

ACTIONS = {"pause": "Pause", "scale": "Scale", "keep": "Keep", "refresh_creative": "Refresh creative", "wait": "Wait"}


def prob_roas_above(
    threshold: float, purchases: float, purchase_value: float, spend: float, fallback_aov: float | None = None
) -> float | None:
    """P(true ROAS > threshold) given the data.

    Purchases are Poisson in spend (Jeffreys prior: rate ~ Gamma(purchases + 0.5,
    spend)) and ROAS = rate x value per purchase, the observed AOV (or
    `fallback_aov`, e.g. the account's, when there was no purchase).
    """
    aov = purchase_value / purchases if purchases else fallback_aov
    if not spend or spend <= 0 or not aov:
        return None
    return float(gammaincc(purchases + 0.5, spend * threshold / aov))


def prob_cpa_above(target_cpa: float, purchases: float, spend: float) -> float | None:
    """P(true CPA > target), i.e. P(purchase rate per unit spend < 1 / target) under the same Gamma posterior."""
    if not spend or spend <= 0:
        return None
    return float(gammainc(purchases + 0.5, spend / target_cpa))


@dataclass(frozen=True)
class Judgement:
    """One action for one entity, with its reason, confidence and the figures behind it."""

    action: str
    reason: str
    confidence: float | None
    figures: Row
    tactic: str | None = None  # the tactic of params.yaml `tactics:` that made the call; None for keep and wait


def judge(figures: Row, params: Params, fatigue: Row | None = None, account_aov: float | None = None) -> Judgement:
    """The action for an entity from its summed figures over the judged period.

    Order: stop-loss without a purchase (spend >= k x target CPA) -> refresh
    creative (fatigue) -> stop-loss on ROAS (credibly below break-even) ->
    scale (ROAS credibly above target with enough purchases) -> wait (too
    little data) -> keep. Each rule is a tactic of params.yaml (`tactics:`), skipped when not enabled.
    """
    targets, tactics = params.targets, tactics_of(params)
    stop, scale = tactics.stop_loss, tactics.scale_winner
    spend = figures.get("spend") or 0.0
    if figures.get("purchases") is None:
        return Judgement(
            "wait",
            "the export has no purchases, so spend cannot be judged against CPA or ROAS "
            "targets; export with purchases and purchase value",
            None,
            {**figures, "p_roas_above_target": None, "p_roas_below_breakeven": None},
        )
    purchases = figures.get("purchases") or 0
    # Purchases without a conversion value (no value or ROAS column): ROAS is unknown, not 0, so no ROAS rule.
    value_known = figures.get("purchase_value") is not None
    value = figures.get("purchase_value") or 0.0
    breakeven = breakeven_roas(targets.gross_margin)
    above = prob_roas_above(targets.roas, purchases, value, spend, account_aov) if value_known else None
    below = (
        None
        if not value_known or (p := prob_roas_above(breakeven, purchases, value, spend, account_aov)) is None
        else 1 - p
    )
    figures = {**figures, "p_roas_above_target": above, "p_roas_below_breakeven": below}
    stop_loss = stop.cpa_multiple * targets.cpa
    if stop.enabled and purchases == 0 and spend >= stop_loss:
        return Judgement(
            "pause",
            f"spent {spend:,.2f} (>= {stop.cpa_multiple:g} x target CPA {targets.cpa:g}) without a single purchase",
            prob_cpa_above(targets.cpa, 0, spend),
            figures,
            "stop_loss",
        )
    if tactics.refresh_fatigued.enabled and fatigue and fatigue.get("fatigued"):
        # Fatigue explains a falling ROAS: a new creative is the fix, not switching the audience off.
        return Judgement(
            "refresh_creative",
            f"creative fatigue: {fatigue['fatigue_evidence']}",
            fatigue.get("p_ctr_fell"),
            figures,
            "refresh_fatigued",
        )
    if stop.enabled and purchases > 0 and below is not None and below >= stop.confidence:
        return Judgement(
            "pause",
            f"ROAS {value / spend:.2f} is credibly below break-even {breakeven:.2f}",
            below,
            figures,
            "stop_loss",
        )
    if scale.enabled and purchases >= scale.min_purchases and above is not None and above >= scale.confidence:
        return Judgement(
            "scale",
            f"ROAS {value / spend:.2f} is credibly above target {targets.roas:g} on "
            f"{purchases} purchases; raise the budget by at most {scale.budget_step:.0%}",
            above,
            figures,
            "scale_winner",
        )
    if purchases < scale.min_purchases and spend < stop_loss:
        return Judgement(
            "wait",
            f"too little data so far ({purchases} purchases on {spend:,.2f} spend)",
            None if below is None else 1 - below,
            figures,
        )
    if not value_known:
        cpa = f"CPA {spend / purchases:,.2f} vs target {targets.cpa:g}" if purchases else "no purchase yet"
        return Judgement("keep", f"{cpa}; ROAS {MISSING} (the export has no purchase conversion value)", None, figures)
    roas = value / spend if spend else 0.0
    return Judgement(
        "keep",
        f"ROAS {roas:.2f} is between break-even {breakeven:.2f} and target {targets.roas:g}, "
        "or not yet credibly outside it",
        None if below is None else 1 - below,
        figures,
    )


def judge_results(
    figures: Row, benchmark: float | None, params: Params, fatigue: Row | None = None, share: float | None = None
) -> Judgement:
    """The action for an entity whose purchases are unknown, from its results of one type.

    `figures` holds the entity's summed `spend`, `results` and `result_type`; `benchmark` is the account's
    cost per result of that type over the same days (no target exists for it), of which the entity holds
    `share` of the spend (at 90% or more it is the benchmark itself: nothing to compare). Results are Poisson in spend
    (the Gamma posterior of prob_cpa_above). Order: stop-loss without a result (spend >= k x the account's
    cost per result) -> refresh creative -> pause (credibly above result_cost_multiple x the account's) ->
    scale (credibly below the account's, with enough results) -> wait -> keep.
    """
    tactics = tactics_of(params)
    stop, scale = tactics.stop_loss, tactics.scale_winner
    spend, results = figures.get("spend") or 0.0, figures.get("results") or 0.0
    kind = figures.get("result_type") or "results"
    unit = result_unit(kind)
    if not benchmark:
        return Judgement(
            "wait", f"the account had no {kind} in these days to compare cost per {unit} with", None, figures
        )
    stop_loss = stop.cpa_multiple * benchmark
    ceiling = stop.result_cost_multiple * benchmark
    p_above = prob_cpa_above(ceiling, results, spend)
    p_below = None if (p := prob_cpa_above(benchmark, results, spend)) is None else 1 - p
    figures = {**figures, "benchmark": benchmark, "p_cost_above_ceiling": p_above, "p_cost_below_account": p_below}
    versus = f"the account's {benchmark:,.2f}"
    if stop.enabled and results == 0 and spend >= stop_loss:
        return Judgement(
            "pause",
            f"spent {spend:,.2f} (>= {stop.cpa_multiple:g} x {versus} per {unit}) without a single {unit}",
            prob_cpa_above(benchmark, 0, spend),
            figures,
            "stop_loss",
        )
    if tactics.refresh_fatigued.enabled and fatigue and fatigue.get("fatigued"):
        return Judgement(
            "refresh_creative",
            f"creative fatigue: {fatigue['fatigue_evidence']}",
            fatigue.get("p_ctr_fell"),
            figures,
            "refresh_fatigued",
        )
    cost = spend / results if results else None
    if share is not None and share >= 0.9:
        shown = fmt_decimal(cost)
        return Judgement(
            "keep",
            f"it is {share:.0%} of the account's spend on {kind}, so its cost per {unit} "
            f"({shown}) is the account's own: weigh it against what one {unit} is worth to you",
            None,
            figures,
        )
    if stop.enabled and cost is not None and p_above is not None and p_above >= stop.confidence:
        return Judgement(
            "pause",
            f"cost per {unit} {cost:,.2f} is credibly above {stop.result_cost_multiple:g} x {versus}",
            p_above,
            figures,
            "stop_loss",
        )
    if (
        scale.enabled
        and cost is not None
        and results >= scale.min_purchases
        and p_below is not None
        and p_below >= scale.confidence
    ):
        return Judgement(
            "scale",
            f"cost per {unit} {cost:,.2f} is credibly below {versus} on {count_text(results)} "
            f"{kind}; raise the budget by at most {scale.budget_step:.0%}",
            p_below,
            figures,
            "scale_winner",
        )
    if results < scale.min_purchases and spend < stop_loss:
        return Judgement(
            "wait", f"too little data so far ({count_text(results)} {kind} on {spend:,.2f} spend)", None, figures
        )
    shown = fmt_decimal(cost)
    return Judgement(
        "keep",
        f"cost per {unit} {shown} is within {stop.result_cost_multiple:g} x {versus} and not credibly below it",
        None,
        figures,
    )
