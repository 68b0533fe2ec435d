"""Calls on an entity's course over time: revive a paused past winner, sunset a steady decliner.

Two tactics of params.yaml (`tactics.revive_paused_winner`, `tactics.sunset_decliner`) that the window rules of
`rules.py` cannot see: one judges entities that did not spend in the window at all, the other the shape of the
weeks before. `recommend.py` adds their rows and calls.
"""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
from scipy.special import betainc

from adlab.insights.answer import LEVELS, Row
from adlab.insights.periods import Period
from adlab.insights.rules import Judgement, prob_roas_above
from adlab.kpis import rollup
from adlab.params import Params
from adlab.tactics import tactics_of


def paused_winners(
    kpis_daily: pl.DataFrame, level: str, period: Period, params: Params, account_aov: dict[object, float | None]
) -> list[tuple[Row, Judgement, Period]]:
    """(totals, call, its delivery window) of every entity at `level` worth turning back on.

    An entity is a paused past winner when it spent nothing in `period` (the judged window), last spent at most
    `max_days_off` days before its end, and over its last `recommend.lookback_days` days of delivery its ROAS was
    credibly above target (posterior >= `confidence`, the Gamma posterior of rules.prob_roas_above, against its
    account's AOV when it had no purchase) on at least `min_purchases` purchases.
    """
    tactic = tactics_of(params).revive_paused_winner
    if not tactic.enabled or kpis_daily.height == 0:
        return []
    keys = list(LEVELS[level])
    days = params.recommend.lookback_days
    earliest = period.end - dt.timedelta(days=tactic.max_days_off)
    spent = kpis_daily.filter(pl.col("spend") > 0, pl.col(level).is_not_null())
    stopped = (
        spent.group_by(keys)
        .agg(pl.col("date").max().alias("last_spend"))
        .filter(pl.col("last_spend") < period.start, pl.col("last_spend") >= earliest)
    )
    if stopped.height == 0:
        return []
    delivery = spent.join(stopped, on=keys, how="inner", nulls_equal=True).filter(
        pl.col("date") > pl.col("last_spend") - pl.duration(days=days)
    )
    ends = {tuple(row[:-1]): row[-1] for row in stopped.select(*keys, "last_spend").iter_rows()}
    found = []
    for totals in rollup(delivery, keys).iter_rows(named=True):
        purchases, value, spend = totals.get("purchases"), totals.get("purchase_value"), totals.get("spend") or 0.0
        if purchases is None or value is None or purchases < tactic.min_purchases:
            continue
        above = prob_roas_above(params.targets.roas, purchases, value, spend, account_aov.get(totals["account"]))
        if above is None or above < tactic.confidence:
            continue
        last_spend = ends[tuple(totals[k] for k in keys)]
        window = Period(last_spend - dt.timedelta(days=days - 1), last_spend)
        reason = (
            f"off since {last_spend} ({(period.end - last_spend).days} days, <= {tactic.max_days_off}); over its last "
            f"{days} days of delivery ROAS {value / spend:.2f} was credibly above target {params.targets.roas:g} on "
            f"{purchases} purchases (>= {tactic.min_purchases}); turn it back on at about {spend / days:,.2f} a day"
        )
        found.append((totals, Judgement("revive", reason, above, totals, "revive_paused_winner"), window))
    return found


def steady_decliners(
    kpis_daily: pl.DataFrame, level: str, end: dt.date, params: Params
) -> dict[tuple[object, ...], Judgement]:
    """Entity key at `level` -> its sunset call, for every entity whose ROAS fell steadily up to `end`.

    Steady: over the last `weeks` 7-day blocks ending on `end`, the entity spent in every block, its ROAS fell
    from each block to the next, by at least `min_drop` from the first block to the last, the last block is below
    target and the blocks hold at least `min_purchases` purchases. Confidence: the posterior probability that its
    purchases per unit spend fell from the first block to the last (Jeffreys priors; given both blocks' total,
    the last block's share of purchases is Binomial, so the probability is a regularized incomplete Beta).
    """
    tactic = tactics_of(params).sunset_decliner
    if not tactic.enabled or kpis_daily.height == 0:
        return {}
    keys = list(LEVELS[level])
    start = end - dt.timedelta(days=7 * tactic.weeks - 1)
    blocks = rollup(
        kpis_daily.filter(pl.col("date").is_between(start, end), pl.col(level).is_not_null()).with_columns(
            ((pl.lit(end) - pl.col("date")).dt.total_days() // 7).alias("block")
        ),
        [*keys, "block"],
    ).sort([*keys, "block"], descending=[False] * len(keys) + [True], nulls_last=True)
    calls: dict[tuple[object, ...], Judgement] = {}
    for key, weeks in blocks.group_by(keys, maintain_order=True):
        judged = _decline(weeks, tactic.weeks, tactic.min_drop, tactic.min_purchases, tactic.budget_step, params)
        if judged is not None:
            calls[tuple(key)] = judged
    return calls


def _decline(
    weeks: pl.DataFrame, n_weeks: int, min_drop: float, min_purchases: int, step: float, params: Params
) -> Judgement | None:
    """The sunset call on one entity's 7-day blocks (oldest first), or None when its decline is not steady."""
    if weeks.height != n_weeks or weeks["roas"].null_count() or (weeks["spend"] <= 0).any():
        return None
    roas = weeks["roas"].to_list()
    purchases = int(weeks["purchases"].sum() or 0)
    falling = all(later < earlier for earlier, later in itertools.pairwise(roas))
    drop = 1 - roas[-1] / roas[0] if roas[0] else 0.0
    if not falling or drop < min_drop or roas[-1] >= params.targets.roas or purchases < min_purchases:
        return None
    first, last = weeks.row(0, named=True), weeks.row(n_weeks - 1, named=True)
    share = last["spend"] / (first["spend"] + last["spend"])
    confidence = float(betainc((last["purchases"] or 0) + 0.5, (first["purchases"] or 0) + 0.5, share))
    path = " -> ".join(f"{value:.2f}" for value in roas)
    reason = (
        f"ROAS fell every week for {n_weeks} weeks, {path} (-{drop:.0%}, >= {min_drop:.0%}), now below target "
        f"{params.targets.roas:g}; cut the budget by {step:.0%}"
    )
    return Judgement("sunset", reason, confidence, {"weekly_roas": roas}, "sunset_decliner")
