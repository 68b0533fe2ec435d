"""The media buyer's tactics as settings: each rule of the weekly recommendations, named, with its thresholds.

`params.yaml` `tactics:` gives each tactic's thresholds (only those that differ); a threshold not given takes the
older setting it replaces (`recommend.stop_loss_cpa_multiple`, `creatives.fatigue_ctr_drop`, ...), so a
params.yaml written before tactics existed gives the same calls. Accounts may override tactics like targets
(`accounts: {"Nordic Knitwear": {tactics: {stop_loss: {cpa_multiple: 2.0}}}}`). `tactics_of` resolves them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adlab.params import Params


@dataclass(frozen=True)
class StopLoss:
    """Pause what loses money: spend >= cpa_multiple x target CPA without a purchase, or ROAS credibly below
    break-even (posterior >= confidence); without purchases, cost per result credibly above
    result_cost_multiple x the account's."""

    enabled: bool = True
    cpa_multiple: float = 3.0
    confidence: float = 0.9
    result_cost_multiple: float = 1.5


@dataclass(frozen=True)
class ScaleWinner:
    """Raise the budget of what wins: ROAS credibly above target (posterior >= confidence) on at least
    min_purchases purchases, by at most budget_step per step."""

    enabled: bool = True
    min_purchases: int = 10
    confidence: float = 0.9
    budget_step: float = 0.2


@dataclass(frozen=True)
class RefreshFatigued:
    """Replace a tired creative: after min_days live, link CTR of its last 7 days at least ctr_drop below its
    first 7 while its daily frequency rose by at least frequency_rise."""

    enabled: bool = True
    min_days: int = 14
    ctr_drop: float = 0.25
    frequency_rise: float = 0.2


@dataclass(frozen=True)
class RevivePausedWinner:
    """Turn a past winner back on: no spend in the judged window (off at least `recommend.lookback_days`, at
    most max_days_off days), and over its last lookback_days of delivery ROAS credibly above target
    (posterior >= confidence) on at least min_purchases purchases."""

    enabled: bool = True
    max_days_off: int = 90
    min_purchases: int = 10
    confidence: float = 0.9


@dataclass(frozen=True)
class SunsetDecliner:
    """Step down a steady decliner: ROAS fell in each of its last `weeks` 7-day blocks, by at least min_drop in
    all, ending below target, on at least min_purchases purchases; its budget is cut by budget_step (not
    paused: it still earns above break-even or it would be a stop-loss)."""

    enabled: bool = True
    weeks: int = 4
    min_drop: float = 0.3
    min_purchases: int = 10
    budget_step: float = 0.2


TACTICS: dict[str, type] = {
    "stop_loss": StopLoss,
    "scale_winner": ScaleWinner,
    "refresh_fatigued": RefreshFatigued,
    "revive_paused_winner": RevivePausedWinner,
    "sunset_decliner": SunsetDecliner,
}

# A tactic's threshold not given in `tactics:` is the older setting it replaces (section, key).
INHERITED: dict[tuple[str, str], tuple[str, str]] = {
    ("stop_loss", "cpa_multiple"): ("recommend", "stop_loss_cpa_multiple"),
    ("stop_loss", "confidence"): ("recommend", "confidence"),
    ("stop_loss", "result_cost_multiple"): ("recommend", "result_cost_multiple"),
    ("scale_winner", "min_purchases"): ("recommend", "min_purchases"),
    ("scale_winner", "confidence"): ("recommend", "confidence"),
    ("scale_winner", "budget_step"): ("recommend", "max_budget_step"),
    ("refresh_fatigued", "min_days"): ("creatives", "fatigue_min_days"),
    ("refresh_fatigued", "ctr_drop"): ("creatives", "fatigue_ctr_drop"),
    ("refresh_fatigued", "frequency_rise"): ("creatives", "fatigue_frequency_rise"),
    ("revive_paused_winner", "min_purchases"): ("recommend", "min_purchases"),
    ("revive_paused_winner", "confidence"): ("recommend", "confidence"),
    ("sunset_decliner", "min_purchases"): ("recommend", "min_purchases"),
    ("sunset_decliner", "budget_step"): ("recommend", "max_budget_step"),
}


@dataclass(frozen=True)
class Tactics:
    """Every tactic of one account with its thresholds resolved (given, else inherited, else the default)."""

    stop_loss: StopLoss
    scale_winner: ScaleWinner
    refresh_fatigued: RefreshFatigued
    revive_paused_winner: RevivePausedWinner
    sunset_decliner: SunsetDecliner


def tactics_of(params: Params) -> Tactics:
    """The tactics of `params` (an account's, after Params.for_account): `tactics:` over the older settings."""
    built: dict[str, Any] = {}
    for name, cls in TACTICS.items():
        inherited = {
            key: getattr(getattr(params, section), setting)
            for (tactic, key), (section, setting) in INHERITED.items()
            if tactic == name
        }
        built[name] = cls(**{**inherited, **params.tactics.get(name, {})})
    return Tactics(**built)


def merged(top: dict[str, dict[str, Any]], account: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """An account's tactics settings: its own thresholds laid over the top-level ones, tactic by tactic."""
    return {name: {**top.get(name, {}), **account.get(name, {})} for name in {*top, *account}}


def tactic_fields(name: str) -> list[str]:
    """The settings of one tactic, in the order its dataclass declares them."""
    return [f.name for f in dataclasses.fields(TACTICS[name])]


def problems(tactics: Tactics, where: str = "tactics") -> list[str]:
    """What is wrong in resolved tactics (`where`: where they live in params.yaml), first problem first."""
    found = []
    stop, scale, refresh = tactics.stop_loss, tactics.scale_winner, tactics.refresh_fatigued
    revive, sunset = tactics.revive_paused_winner, tactics.sunset_decliner
    checks = (
        (stop.cpa_multiple > 0, "stop_loss.cpa_multiple", "must be > 0, e.g. 3"),
        (stop.result_cost_multiple >= 1, "stop_loss.result_cost_multiple", "must be at least 1, e.g. 1.5"),
        (scale.min_purchases >= 1, "scale_winner.min_purchases", "must be at least 1, e.g. 10"),
        (0 < scale.budget_step <= 1, "scale_winner.budget_step", "must be a fraction in (0, 1], e.g. 0.2"),
        (refresh.min_days >= 8, "refresh_fatigued.min_days", "must be at least 8 (a first week and a later one)"),
        (0 < refresh.ctr_drop < 1, "refresh_fatigued.ctr_drop", "must be a fraction in (0, 1), e.g. 0.25"),
        (refresh.frequency_rise >= 0, "refresh_fatigued.frequency_rise", "must be >= 0, e.g. 0.2"),
        (revive.max_days_off >= 1, "revive_paused_winner.max_days_off", "must be at least 1, e.g. 90"),
        (revive.min_purchases >= 1, "revive_paused_winner.min_purchases", "must be at least 1, e.g. 10"),
        (sunset.weeks >= 2, "sunset_decliner.weeks", "must be at least 2, e.g. 4"),
        (0 < sunset.min_drop < 1, "sunset_decliner.min_drop", "must be a fraction in (0, 1), e.g. 0.3"),
        (sunset.min_purchases >= 1, "sunset_decliner.min_purchases", "must be at least 1, e.g. 10"),
        (0 < sunset.budget_step <= 1, "sunset_decliner.budget_step", "must be a fraction in (0, 1], e.g. 0.2"),
    )
    for tactic in ("stop_loss", "scale_winner", "revive_paused_winner"):
        confidence = getattr(tactics, tactic).confidence
        if not 0.5 <= confidence < 1:
            found.append(f"`{where}.{tactic}.confidence` must be a probability in [0.5, 1), e.g. 0.9")
    found += [f"`{where}.{name}` {rule}" for ok, name, rule in checks if not ok]
    return found
