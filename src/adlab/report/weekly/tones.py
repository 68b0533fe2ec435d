"""Cell tones of the weekly tables against the settings' targets: ROAS against the target and break-even
(1 / gross margin), CPA against the target CPA."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adlab import kpis
from adlab.display import cpa_tone, roas_tone


def target_tones(
    *, target_roas: float, target_cpa: float, gross_margin: float
) -> dict[str, Callable[[Any], str | None]]:
    """The cell tones of html_table for ROAS (against the target and break-even, 1 / gross margin) and CPA."""
    return {"roas": roas_tone(target_roas, kpis.breakeven_roas(gross_margin)), "cpa": cpa_tone(target_cpa)}
