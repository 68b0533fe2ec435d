"""The standing calls the audit repeats each morning, with the rules of the weekly recommendations.

Each call is a named tactic of params.yaml `tactics:` (`tactics.tactics_of`), skipped when not enabled:
* stop_loss (`insights.rules.judge`): an ad set or ad still spending that spent `cpa_multiple` x the target
  CPA over the last `lookback_days` without a purchase, or whose ROAS is credibly below break-even
  (posterior probability >= `confidence`, Gamma posterior of purchases per unit spend, Jeffreys prior);
* scale_winner (`judge`): an ad set with `min_purchases` or more whose ROAS is credibly above target
  (posterior >= `confidence`); raise its budget by at most `budget_step`;
* refresh_fatigued (`creatives.ad_fatigue`): an ad that became fatigued on the audited day (CTR of its last 7
  days live `ctr_drop` below its first 7 while frequency rose `frequency_rise`, after `min_days` live).

Computed for every entity at once; `new` says the call first held on the audited day; `rule` names the tactic,
its threshold and the setting that holds it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from scipy.special import gammainc, gammaincc

from adlab.audit.entities import KEYS, LEVELS
from adlab.audit.settings import AuditSettings
from adlab.creatives import ad_fatigue
from adlab.schema import ENTITY

CALLS_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(),
    **{name: pl.String() for name in KEYS},
    "kind": pl.String(),  # stop_loss | scale | fatigue
    "rule": pl.String(),
    "new": pl.Boolean(),
    "spend_t": pl.Float64(),
    "spend_w": pl.Float64(),
    "purchases_w": pl.Float64(),
    "roas_w": pl.Float64(),
    "confidence": pl.Float64(),
    "evidence": pl.String(),
    "money": pl.Float64(),
}


def _window_sums(kpis_daily: pl.LazyFrame, day: dt.date, days: int, level: str) -> pl.LazyFrame:
    """Per entity of `level`: spend, purchases and value over the `days` ending on `day` (`_w`) and ending the day
    before (`_p`), and its spend on `day`."""
    start = day - dt.timedelta(days=days)
    now = pl.col("date") > start
    before = pl.col("date") < day
    keys = list(LEVELS[level])
    return (
        kpis_daily.filter(pl.col("date").is_between(start, day) & pl.col(level).is_not_null())
        .group_by(keys)
        .agg(
            pl.col("spend").filter(pl.col("date") == day).sum().alias("spend_t"),
            *[
                pl.col(name).filter(window).sum().cast(pl.Float64).alias(f"{name}_{tag}")
                for name in ("spend", "purchases", "purchase_value")
                for tag, window in (("w", now), ("p", before))
            ],
            pl.col("purchases").is_null().all().alias("_unknown"),
        )
        .filter((pl.col("spend_t") > 0) & ~pl.col("_unknown"))
        .with_columns(pl.lit(level).alias("level"), *[pl.lit(None, pl.String).alias(k) for k in KEYS if k not in keys])
    )


def _p_roas(threshold: np.ndarray, purchases: np.ndarray, value: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """P(true ROAS > threshold) per entity, as `insights.rules.prob_roas_above` (NaN without a purchase)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        aov = np.where(purchases > 0, value / purchases, np.nan)
        return np.where((spend > 0) & (aov > 0), gammaincc(purchases + 0.5, spend * threshold / aov), np.nan)


def rule_calls(kpis_daily: pl.DataFrame, day: dt.date, settings: AuditSettings, targets: pl.DataFrame) -> pl.DataFrame:
    """Stop-loss and scale calls of every ad set and ad spending on `day` (see the module docstring).

    `targets` holds each account's `target_cpa`, `target_roas` and `breakeven_roas` (its own settings).
    """
    daily = kpis_daily.lazy()
    sums = (
        pl.concat(
            [_window_sums(daily, day, settings.lookback_days, level) for level in ("adset", "ad")], how="diagonal"
        )
        .join(targets.lazy(), on="account", how="left", nulls_equal=True)
        .collect()
    )
    if sums.is_empty():
        return pl.DataFrame(schema=CALLS_SCHEMA)
    stop, scale = settings.tactics.stop_loss, settings.tactics.scale_winner
    col = {name: sums[name].to_numpy().astype(float) for name in sums.columns if name.endswith(("_w", "_p", "_roas"))}
    limit = stop.cpa_multiple * sums["target_cpa"].to_numpy()
    below = {
        tag: 1 - _p_roas(col["breakeven_roas"], *(col[f"{n}_{tag}"] for n in ("purchases", "purchase_value", "spend")))
        for tag in ("w", "p")
    }
    above = {
        tag: _p_roas(col["target_roas"], *(col[f"{n}_{tag}"] for n in ("purchases", "purchase_value", "spend")))
        for tag in ("w", "p")
    }
    no_sale = {
        tag: stop.enabled & (col[f"purchases_{tag}"] == 0) & (col[f"spend_{tag}"] >= limit) for tag in ("w", "p")
    }
    losing = {
        tag: stop.enabled & (col[f"purchases_{tag}"] > 0) & (np.nan_to_num(below[tag]) >= stop.confidence)
        for tag in ("w", "p")
    }
    winning = {
        tag: scale.enabled
        & (col[f"purchases_{tag}"] >= scale.min_purchases)
        & (np.nan_to_num(above[tag]) >= scale.confidence)
        for tag in ("w", "p")
    }
    is_adset = (sums["level"] == "adset").to_numpy()
    kind = np.where(no_sale["w"] | losing["w"], "stop_loss", np.where(winning["w"] & is_adset, "scale", ""))
    rule = np.where(
        no_sale["w"],
        f"tactic stop_loss: no purchase after {stop.cpa_multiple:g} x target CPA (tactics.stop_loss.cpa_multiple)",
        np.where(
            losing["w"],
            f"tactic stop_loss: ROAS credibly below break-even at {stop.confidence:.0%} (tactics.stop_loss.confidence)",
            f"tactic scale_winner: ROAS credibly above target at {scale.confidence:.0%} on {scale.min_purchases}+ "
            "purchases (tactics.scale_winner)",
        ),
    )
    new = np.where(no_sale["w"], ~no_sale["p"], np.where(losing["w"], ~losing["p"], ~winning["p"]))
    confidence = np.where(
        no_sale["w"] | losing["w"],
        np.where(no_sale["w"], gammainc(0.5, col["spend_w"] / sums["target_cpa"].to_numpy()), below["w"]),
        above["w"],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        roas = np.where(col["spend_w"] > 0, col["purchase_value_w"] / col["spend_w"], np.nan)
    spend_t = sums["spend_t"].to_numpy().astype(float)
    money = np.where(kind == "scale", scale.budget_step * spend_t * np.nan_to_num(roas), spend_t)
    return (
        sums.select("level", *KEYS)
        .with_columns(
            pl.Series("kind", kind),
            pl.Series("rule", rule),
            pl.Series("new", new),
            pl.Series("spend_t", spend_t),
            pl.Series("spend_w", col["spend_w"]),
            pl.Series("purchases_w", col["purchases_w"]),
            pl.Series("roas_w", roas).fill_nan(None),
            pl.Series("confidence", confidence).fill_nan(None),
            pl.lit(None, pl.String).alias("evidence"),
            pl.Series("money", money),
        )
        .filter(pl.col("kind") != "")
        .select(list(CALLS_SCHEMA))
    )


def fatigue_onsets(kpis_daily: pl.DataFrame, day: dt.date, settings: AuditSettings) -> pl.DataFrame:
    """One row per ad live on `day` that is fatigued on `day` and was not the day before (`creatives.ad_fatigue`)."""
    live = kpis_daily.lazy().filter((pl.col("date") == day) & (pl.col("impressions") > 0)).select(*ENTITY).unique()
    history = kpis_daily.lazy().filter(pl.col("date") <= day).join(live, on=list(ENTITY), nulls_equal=True).collect()
    if history.is_empty():
        return pl.DataFrame(schema=CALLS_SCHEMA)
    refresh = settings.tactics.refresh_fatigued
    if not refresh.enabled:
        return pl.DataFrame(schema=CALLS_SCHEMA)
    args = (refresh.min_days, refresh.ctr_drop, refresh.frequency_rise)
    now = ad_fatigue(history, *args).filter(pl.col("fatigued"))
    if now.is_empty():
        return pl.DataFrame(schema=CALLS_SCHEMA)
    earlier = history.filter(pl.col("date") < day).join(now.select(ENTITY), on=list(ENTITY), nulls_equal=True)
    before = ad_fatigue(earlier, *args).filter(pl.col("fatigued")).select(ENTITY) if earlier.height else None
    onsets = now if before is None else now.join(before, on=list(ENTITY), how="anti", nulls_equal=True)
    spend = (
        history.filter(pl.col("date") == day)
        .group_by(ENTITY)
        .agg(pl.col("spend").sum().alias("spend_t"), pl.col("platform_source").first())
    )
    return (
        onsets.join(spend, on=list(ENTITY), how="left", nulls_equal=True)
        .select(
            pl.lit("ad").alias("level"),
            *KEYS,
            pl.lit("fatigue").alias("kind"),
            pl.lit(
                f"tactic refresh_fatigued: CTR {refresh.ctr_drop:.0%}+ down while frequency "
                f"{refresh.frequency_rise:.0%}+ up (tactics.refresh_fatigued)"
            ).alias("rule"),
            pl.lit(True).alias("new"),
            "spend_t",
            pl.lit(None, pl.Float64).alias("spend_w"),
            pl.lit(None, pl.Float64).alias("purchases_w"),
            pl.lit(None, pl.Float64).alias("roas_w"),
            pl.col("p_ctr_fell").alias("confidence"),
            pl.col("fatigue_evidence").alias("evidence"),
            (pl.col("spend_t") * pl.col("ctr_change").abs()).alias("money"),
        )
        .select(list(CALLS_SCHEMA))
    )
