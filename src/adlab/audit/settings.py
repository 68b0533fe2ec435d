"""The thresholds the daily audit judges with, in one frozen record read from params.

The audit's own settings come from `audit:`; the calls it shares with the weekly recommendations
(stop-loss, scale a winner, refresh a fatigued creative) are the named tactics of `tactics:` as
`tactics.tactics_of` resolves them (falling back on the older `recommend` and `creatives` keys), and the
targets come from `targets`, so one call never has two thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adlab.kpis import breakeven_roas
from adlab.params import Params
from adlab.tactics import (
    RefreshFatigued,
    RevivePausedWinner,
    ScaleWinner,
    StopLoss,
    SunsetDecliner,
    Tactics,
    tactics_of,
)


def default_tactics() -> Tactics:
    """Every tactic at its default thresholds (those of a params.yaml without `tactics:`)."""
    return Tactics(StopLoss(), ScaleWinner(), RefreshFatigued(), RevivePausedWinner(), SunsetDecliner())


@dataclass(frozen=True)
class AuditSettings:
    """Everything the audit of one account's day reads from its settings."""

    baseline_days: int = 14
    min_baseline_days: int = 7
    fdr: float = 0.1
    min_change: float = 0.2
    clicks_hold: float = 0.5
    overspend: float = 0.5
    underdelivery: float = 0.5
    # The rules shared with `insights.rules` (stop-loss, scale) and `creatives.ad_fatigue` (fatigue).
    lookback_days: int = 14
    target_roas: float = 2.5
    target_cpa: float = 40.0
    breakeven_roas: float = 2.0
    tactics: Tactics = field(default_factory=default_tactics)

    @classmethod
    def from_params(cls, params: Params) -> AuditSettings:
        """The audit settings of one account's `params` (`Params.for_account` gives an account's own)."""
        audit, targets = params.audit, params.targets
        return cls(
            baseline_days=audit.baseline_days,
            min_baseline_days=audit.min_baseline_days,
            fdr=audit.fdr,
            min_change=audit.min_change,
            clicks_hold=audit.clicks_hold,
            overspend=audit.overspend,
            underdelivery=audit.underdelivery,
            lookback_days=params.recommend.lookback_days,
            target_roas=targets.roas,
            target_cpa=targets.cpa,
            breakeven_roas=breakeven_roas(targets.gross_margin),
            tactics=tactics_of(params),
        )
