"""The thresholds the daily audit judges with, in one frozen record read from params.

The audit's own settings come from `audit:`; the calls it shares with the weekly recommendations
(stop-loss, scale a winner, refresh a fatigued creative) are the named tactics of `tactics:` as
`tactics.tactics_of` resolves them (falling back on the older `recommend` and `creatives` keys), and the
targets come from `targets`, so one call never has two thresholds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from adlab.kpis import breakeven_roas
from adlab.params import AuditParams, Params, RecommendParams, TargetsParams
from adlab.tactics import Tactics, tactics_of


def default_tactics() -> Tactics:
    """Every tactic at its default thresholds (those of a params.yaml without `tactics:`)."""
    return tactics_of(Params())


@dataclass(frozen=True)
class AuditSettings:
    """Everything the audit of one account's day reads from its settings."""

    # The `audit:` settings (params.AuditParams), with its defaults.
    baseline_days: int = AuditParams.baseline_days
    min_baseline_days: int = AuditParams.min_baseline_days
    fdr: float = AuditParams.fdr
    min_change: float = AuditParams.min_change
    clicks_hold: float = AuditParams.clicks_hold
    overspend: float = AuditParams.overspend
    underdelivery: float = AuditParams.underdelivery
    # The rules shared with `insights.rules` (stop-loss, scale) and `creatives.ad_fatigue` (fatigue).
    lookback_days: int = RecommendParams.lookback_days
    target_roas: float = TargetsParams.roas
    target_cpa: float = TargetsParams.cpa
    breakeven_roas: float = breakeven_roas(TargetsParams.gross_margin)
    tactics: Tactics = field(default_factory=default_tactics)

    @classmethod
    def from_params(cls, params: Params) -> AuditSettings:
        """The audit settings of one account's `params` (`Params.for_account` gives an account's own)."""
        targets = params.targets
        return cls(
            **dataclasses.asdict(params.audit),
            lookback_days=params.recommend.lookback_days,
            target_roas=targets.roas,
            target_cpa=targets.cpa,
            breakeven_roas=breakeven_roas(targets.gross_margin),
            tactics=tactics_of(params),
        )
