"""A/B readout: two ads (or ad sets) over the same window, with intervals and the chance that B beats A."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from adlab.errors import AdlabError
from adlab.insights.answer import LEVEL_WORDS, Row, accounts_in, find_entity, quoted, several_accounts
from adlab.insights.periods import Period, in_period, last_day, totals_of, window_ending

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Draws = dict[str, npt.NDArray[np.float64]]

TABLE_SCHEMA = {
    "metric": pl.String,
    "arm": pl.String,
    "name": pl.String,
    "value": pl.Float64,
    "low": pl.Float64,
    "high": pl.Float64,
    "p_b_beats_a": pl.Float64,
}


def ab_readout(
    kpis_daily: pl.DataFrame,
    a: str,
    b: str,
    level: str = "ad",
    days: int = 14,
    min_purchases: int = 10,
    draws: int = 20_000,
    seed: int = 0,
) -> tuple[pl.DataFrame, str]:
    """Two ads (or ad sets) over the last `days` days: CTR, CVR, ROAS with 95% intervals and P(B beats A).

    CTR and CVR have Beta posteriors (Jeffreys prior); ROAS = purchase rate
    per unit spend (Gamma posterior) x observed AOV. Draws use a fixed seed,
    so the readout is deterministic. The verdict waits for `min_purchases`
    purchases in each arm.

    Returns:
        One row per (metric, arm) with value, low, high and p_b_beats_a; and the verdict line.
    """
    import numpy as np

    period = window_ending(last_day(kpis_daily), days)
    rng = np.random.default_rng(seed)
    arms, samples = {}, {}
    for arm, name in (("A", a), ("B", b)):
        arms[arm] = _arm_totals(kpis_daily, name, level, period)
        samples[arm] = _posterior_draws(arms[arm], rng, draws)
    table = _readout_table(arms, samples)
    p_roas = table.filter(pl.col("metric") == "roas")["p_b_beats_a"][0]
    return table, _verdict_line(arms, p_roas, period, min_purchases)


def _arm_totals(kpis_daily: pl.DataFrame, name: str, level: str, period: Period) -> Row:
    """The summed figures of the entity called `name` over `period`, with its exact `name`.

    Raises:
        AdlabError: the name is in several accounts.
    """
    found_level, exact = find_entity(kpis_daily, name, level)
    mine = kpis_daily.filter(pl.col(found_level) == exact)
    if several_accounts(mine):  # two clients' same-named ads are two ads: never one merged arm
        raise AdlabError(
            f"{LEVEL_WORDS[found_level]} {quoted(exact)} runs in several accounts "
            f"({', '.join(quoted(owner) for owner in accounts_in(mine))}): compare within one account, "
            "e.g. kpis_daily.filter(pl.col('account') == '<account>')."
        )
    return {"name": exact, **totals_of(mine.filter(in_period(period)))}


def _posterior_draws(totals: Row, rng: np.random.Generator, draws: int) -> Draws:
    """`draws` samples of one arm's CTR, CVR (Beta, Jeffreys prior) and ROAS (Gamma purchase rate x AOV)."""
    import numpy as np

    impressions, clicks = totals.get("impressions") or 0, totals.get("link_clicks") or 0
    purchases, spend = totals.get("purchases") or 0, totals.get("spend") or 0.0
    aov = totals.get("aov") or 0.0
    return {
        "ctr": rng.beta(clicks + 0.5, max(impressions - clicks, 0) + 0.5, draws),
        "cvr": rng.beta(purchases + 0.5, max(clicks - purchases, 0) + 0.5, draws),
        "roas": rng.gamma(purchases + 0.5, 1.0 / spend, draws) * aov if spend else np.zeros(draws),
    }


def _readout_table(arms: dict[str, Row], samples: dict[str, Draws]) -> pl.DataFrame:
    """One row per (metric, arm): observed value, 95% interval of the draws, and P(B beats A) on that metric."""
    import numpy as np

    rows = []
    for metric in ("ctr", "cvr", "roas"):
        p_b = float((samples["B"][metric] > samples["A"][metric]).mean())
        for arm in ("A", "B"):
            low, high = np.quantile(samples[arm][metric], [0.025, 0.975])
            rows.append(
                {
                    "metric": metric,
                    "arm": arm,
                    "name": arms[arm]["name"],
                    "value": arms[arm].get(metric),
                    "low": float(low),
                    "high": float(high),
                    "p_b_beats_a": p_b,
                }
            )
    return pl.DataFrame(rows, schema=TABLE_SCHEMA)


def _verdict_line(arms: dict[str, Row], p_roas: float, period: Period, min_purchases: int) -> str:
    """Wait (too few purchases in an arm), the winner on ROAS (P(B beats A) past 95% either way), or no winner yet."""
    fewest = min(arms[arm].get("purchases") or 0 for arm in arms)
    if fewest < min_purchases:
        return (
            f"Wait: {fewest} purchases in the smaller arm ({period.label()}); the readout needs {min_purchases} "
            "in each before calling a winner."
        )
    if p_roas >= 0.95 or p_roas <= 0.05:
        winner = "B" if p_roas >= 0.95 else "A"
        return f"{winner} wins on ROAS: {quoted(arms[winner]['name'])}, P(B beats A) {p_roas:.0%} ({period.label()})."
    return f"No clear winner yet: P(B beats A on ROAS) {p_roas:.0%} ({period.label()}); keep both running."
