"""The thresholds the daily audit judges with, in one frozen record read from params.

The audit's own settings come from `audit:`; the calls it shares with the weekly recommendations
(stop-loss, scale a winner, creative fatigue) read the thresholds those rules use (`targets`,
`recommend`, `creatives`), so one call never has two thresholds. When the rules become named tactics
in params.yaml, `AuditSettings.from_params` is the one place to point at them.
"""

from __future__ import annotations

from dataclasses import dataclass

from adlab.kpis import breakeven_roas
from adlab.params import Params


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
    stop_loss_cpa_multiple: float = 3.0
    min_purchases: int = 10
    confidence: float = 0.9
    max_budget_step: float = 0.2
    fatigue_min_days: int = 14
    fatigue_ctr_drop: float = 0.25
    fatigue_frequency_rise: float = 0.2

    @classmethod
    def from_params(cls, params: Params) -> AuditSettings:
        """The audit settings of one account's `params` (`Params.for_account` gives an account's own)."""
        audit, recommend, targets, creatives = params.audit, params.recommend, params.targets, params.creatives
        return cls(
            baseline_days=audit.baseline_days,
            min_baseline_days=audit.min_baseline_days,
            fdr=audit.fdr,
            min_change=audit.min_change,
            clicks_hold=audit.clicks_hold,
            overspend=audit.overspend,
            underdelivery=audit.underdelivery,
            lookback_days=recommend.lookback_days,
            target_roas=targets.roas,
            target_cpa=targets.cpa,
            breakeven_roas=breakeven_roas(targets.gross_margin),
            stop_loss_cpa_multiple=recommend.stop_loss_cpa_multiple,
            min_purchases=recommend.min_purchases,
            confidence=recommend.confidence,
            max_budget_step=recommend.max_budget_step,
            fatigue_min_days=creatives.fatigue_min_days,
            fatigue_ctr_drop=creatives.fatigue_ctr_drop,
            fatigue_frequency_rise=creatives.fatigue_frequency_rise,
        )
