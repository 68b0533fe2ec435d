"""The budget plan: one account's daily budget moved between its campaigns or ad sets where it earns most.

Money goes where the marginal ROAS (the value of the next unit of spend, from each entity's response curve) is
highest until the marginal ROAS of every entity that is free to move is equal, or the entity hits its cap: each
moves at most the scale_winner tactic's `budget_step` (`recommend.max_budget_step`) from its spend on the last
day. Closed form: at marginal ROAS m an entity spends (a b / m)^(1 / (1 - b)), clipped to its caps; m is found by
bisection so the spends add up to the budget. The plan is then rounded to whole cents with the total exactly the
budget. Entities still learning, and those that did not spend on the last day, are left as they are.

The expected gain (purchase value per day) is the curves' value after minus before; its interval is the spread
of the same moves' gain under the bootstrap fits (percentiles), i.e. the uncertainty of the curves, not of a day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from adlab.budget.curves import Curves, FloatArray, curve_value, fit_curves, marginal_roas
from adlab.errors import AdlabError
from adlab.params import Params
from adlab.tactics import tactics_of


@dataclass(frozen=True)
class Plan:
    """A budget plan: one row per entity in `moves`, the totals, and the expected gain with its interval."""

    moves: pl.DataFrame
    budget_now: float
    budget: float
    gain: float
    gain_low: float
    gain_high: float
    interval: float
    step: float
    curves: Curves


def budget_plan(kpis_daily: pl.DataFrame, params: Params, budget: float | None = None) -> Plan:
    """The reallocation of one account's daily budget (`budget`, else its spend on the last day).

    `moves` has one row per campaign or ad set (`budget.level`): its names, `status` (moved, learning, off:
    no spend on the last day), `spend_now`, `spend_after`, `change`, `b` (its curve's exponent after shrinkage),
    `b_raw`, `b_se`, `a`, `marginal_roas_now`, `marginal_roas_after`, `value_now`, `value_after`, `gain` (per
    day, from the curve), `days`, `purchases`, `low` and `high` (the daily spends the curve was fitted on).

    Raises:
        AdlabError: several accounts, no purchase value, or a budget the caps cannot reach.
    """
    curves = fit_curves(kpis_daily, params)
    step = tactics_of(params).scale_winner.budget_step
    entities = curves.entities
    now_cents = np.round(entities["spend_now"].to_numpy() * 100).astype(np.int64)
    learning = entities["learning"].to_numpy()
    movable = ~learning & (now_cents > 0) & np.isfinite(curves.fit.a) & (curves.fit.a > 0)
    lower = np.where(movable, np.ceil(now_cents * (1 - step) - 1e-9), now_cents).astype(np.int64)
    upper = np.where(movable, np.floor(now_cents * (1 + step) + 1e-9), now_cents).astype(np.int64)
    total_now = int(now_cents.sum())
    total = total_now if budget is None else round(budget * 100)
    if not lower.sum() <= total <= upper.sum():
        raise AdlabError(
            f"a daily budget of {total / 100:,.2f} cannot be reached moving each campaign or ad set by at most "
            f"{step:.0%} of its spend on {curves.end} ({total_now / 100:,.2f} in all): give one between "
            f"{lower.sum() / 100:,.2f} and {upper.sum() / 100:,.2f}."
        )
    after_cents = allocate(curves.fit.a, curves.fit.b, lower, upper, movable, total)
    now, after = now_cents / 100, after_cents / 100
    value_now, value_after = curve_value(curves.fit, now), curve_value(curves.fit, after)
    gains = value_after - value_now
    gain = float(np.where(movable, gains, 0.0).sum())
    replicated = np.array(
        [np.where(movable, curve_value(fit, after) - curve_value(fit, now), 0.0).sum() for fit in curves.replicates]
    )
    tail = (1 - params.budget.interval) / 2
    low, high = np.quantile(replicated, [tail, 1 - tail]) if movable.any() else (0.0, 0.0)
    status = np.where(learning, "learning", np.where(now_cents == 0, "off", np.where(movable, "moved", "kept")))
    moves = entities.select(*[k for k in entities.columns if k in ("account", "campaign", "adset")]).with_columns(
        pl.Series("status", status),
        pl.Series("spend_now", now),
        pl.Series("spend_after", after),
        pl.Series("change", after - now),
        *_curve_columns(curves, now, after, value_now, value_after, movable),
        entities["days"],
        entities["purchases"],
        entities["low"],
        entities["high"],
        entities["learning_reason"],
    )
    return Plan(
        moves, total_now / 100, total / 100, gain, float(low), float(high), params.budget.interval, step, curves
    )


def _curve_columns(
    curves: Curves,
    now: FloatArray,
    after: FloatArray,
    value_now: FloatArray,
    value_after: FloatArray,
    movable: np.ndarray,
) -> list[pl.Series]:
    """The curve of each entity and what it says at today's spend and the plan's (null where no curve was fitted)."""

    def column(name: str, values: FloatArray) -> pl.Series:
        return pl.Series(name, np.where(np.isfinite(values), values, np.nan)).fill_nan(None)

    fit = curves.fit
    return [
        column("b", fit.b),
        column("b_raw", fit.b_raw),
        column("b_se", fit.b_se),
        column("a", fit.a),
        column("marginal_roas_now", marginal_roas(fit, now)),
        column("marginal_roas_after", marginal_roas(fit, after)),
        column("value_now", value_now),
        column("value_after", value_after),
        column("gain", np.where(movable, value_after - value_now, 0.0)),
    ]


def allocate(
    a: FloatArray, b: FloatArray, lower: np.ndarray, upper: np.ndarray, movable: np.ndarray, total: int
) -> np.ndarray:
    """Whole cents per entity adding up to `total`, each within [lower, upper] (cents; fixed where not movable),
    equalising the marginal ROAS a b s^(b-1) of the movable ones as far as their caps allow."""
    fixed = int(np.where(movable, 0, lower).sum())
    free = total - fixed
    if not movable.any():
        return lower.copy()
    a_m, b_m = a[movable], b[movable]
    lo, hi = lower[movable] / 100, upper[movable] / 100

    def spends(log_m: float) -> FloatArray:
        return np.asarray(np.clip(np.exp((np.log(a_m * b_m) - log_m) / (1 - b_m)), lo, hi))

    # The marginal ROAS at which every entity sits at its upper cap (low m) or its lower cap (high m).
    bounds = [np.log(a_m * b_m) + (b_m - 1) * np.log(edge) for edge in (hi, lo)]
    left, right = float(np.min(bounds[0])) - 1, float(np.max(bounds[1])) + 1
    for _ in range(200):
        middle = (left + right) / 2
        if spends(middle).sum() * 100 > free:
            left = middle
        else:
            right = middle
    exact = spends((left + right) / 2) * 100
    cents = np.clip(np.floor(exact + 1e-9).astype(np.int64), lower[movable], upper[movable])
    # Whole cents left over go one each to the largest fractional parts (those with room below their cap).
    short = free - int(cents.sum())
    order = np.argsort(-(exact - cents), kind="stable")
    for index in order:
        if short == 0:
            break
        step = 1 if short > 0 else -1
        if lower[movable][index] <= cents[index] + step <= upper[movable][index]:
            cents[index] += step
            short -= step
    result = lower.copy()
    result[movable] = cents
    if int(result.sum()) != total:
        raise AdlabError(f"the plan could not reach {total / 100:,.2f} in whole cents within the caps.")
    return result


def what_if(
    kpis_daily: pl.DataFrame,
    params: Params,
    entity: str,
    *,
    spend_after: float | None = None,
    share: float | None = None,
    change: float | None = None,
) -> dict[str, Any]:
    """What moving one campaign or ad set's daily spend would do: its curve's value, marginal ROAS and gain.

    The new daily spend is `spend_after`, or its spend on the last day changed by `share` (+0.2 for "raise by
    20%") or by `change` in money (-50 for "cut by 50"). Returns its names, `spend_now`, `spend_after`,
    `value_now`, `value_after`, `gain` with `gain_low`/`gain_high` (bootstrap percentiles at `budget.interval`),
    marginal ROAS before and after, its curve (`a`, `b`), whether it is still learning and the spends it was
    fitted on (`low`, `high`).

    Raises:
        AdlabError: no such entity at the plan's level, or it did not spend on the last day.
    """
    curves = fit_curves(kpis_daily, params)
    level = curves.level
    names = curves.entities[level].to_list()
    folded = [str(name).casefold() for name in names]
    wanted = entity.casefold()
    matches = [i for i, name in enumerate(folded) if name == wanted] or [
        i for i, name in enumerate(folded) if wanted in name
    ]
    if len(matches) != 1:
        level_word = "ad set" if level == "adset" else "campaign"
        listing = ", ".join(f"'{name}'" for name in names[:8])
        raise AdlabError(
            f"no single {level_word} named '{entity}' among the budget plan's {level_word}s "
            f"(budget.level: {level}): {listing}."
        )
    i = matches[0]
    row = curves.entities.row(i, named=True)
    now = float(row["spend_now"])
    if now <= 0:
        raise AdlabError(f"'{names[i]}' did not spend on {curves.end}: there is no spend to raise or cut.")
    after = spend_after if spend_after is not None else now + change if change is not None else now * (1 + (share or 0))
    if after < 0:
        raise AdlabError(f"a daily spend cannot be below 0 ({after:,.2f} asked for '{names[i]}').")

    def gain_of(fit_index: int | None) -> float:
        fit = curves.fit if fit_index is None else curves.replicates[fit_index]
        return float(fit.a[i] * (after ** fit.b[i] - now ** fit.b[i]))

    replicated = np.array([gain_of(k) for k in range(len(curves.replicates))])
    tail = (1 - params.budget.interval) / 2
    low, high = np.quantile(replicated, [tail, 1 - tail])
    fit = curves.fit
    return {
        **{k: row[k] for k in ("account", "campaign", "adset") if k in row},
        "level": level,
        "end": curves.end,
        "spend_now": now,
        "spend_after": after,
        "value_now": float(fit.a[i] * now ** fit.b[i]),
        "value_after": float(fit.a[i] * after ** fit.b[i]),
        "gain": gain_of(None),
        "gain_low": float(low),
        "gain_high": float(high),
        "interval": params.budget.interval,
        "marginal_roas_now": float(fit.a[i] * fit.b[i] * now ** (fit.b[i] - 1)),
        "marginal_roas_after": float(fit.a[i] * fit.b[i] * after ** (fit.b[i] - 1)) if after > 0 else None,
        "a": float(fit.a[i]),
        "b": float(fit.b[i]),
        "b_raw": None if math.isnan(fit.b_raw[i]) else float(fit.b_raw[i]),
        "b_account": fit.b_account,
        "learning": bool(row["learning"]),
        "learning_reason": row["learning_reason"],
        "low": row["low"],
        "high": row["high"],
        "step": tactics_of(params).scale_winner.budget_step,
    }
