"""Response curves: how an entity's daily purchase value grows with its daily spend, fitted from its own days.

The curve is value = a x spend^b with 0 < b < 1 (diminishing returns). It is fitted in log space,
log value = log a + b log spend, by least squares on the entity's days with spend and purchase value: linear, so
it has a closed form and a standard error, and b reads as an elasticity (1% more spend gives b% more value),
which makes the marginal ROAS simply b x the curve's ROAS. (a x log(1 + spend / k) would need a nonlinear fit of k,
which an entity's narrow range of daily spends rarely pins down.)

Thin data is shrunk toward the account: each entity's exponent becomes the precision-weighted average of its own
estimate (precision 1 / se^2) and the account's exponent (precision 1 / tau^2, tau^2 the between-entity variance
of exponents, DerSimonian-Laird, at least TAU_MIN^2). The account's exponent is the pooled within-entity slope,
itself shrunk toward PRIOR_B (sd PRIOR_SD) so an account of a few entities cannot land outside (0, 1); exponents
are finally kept within [B_MIN, B_MAX]. The intercept then passes through the entity's mean point, and a carries
Duan's smearing factor so the curve gives the expected value, not the median. Days with spend but no purchase
value have no log and are left out (an entity with many such days is still learning).

`fit_curves` fits once on the days and `bootstrap` times on days resampled with replacement (the same days for
every entity of the account, so a day's shock moves them together): the replicates give every interval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from adlab.errors import AdlabError
from adlab.params import Params

PRIOR_B, PRIOR_SD = 0.5, 0.25  # the exponent an account is shrunk toward, and how firmly
TAU_MIN = 0.1  # the least spread of exponents between an account's entities
B_MIN, B_MAX = 0.05, 0.95
SEED = 16  # bootstrap resamples are drawn from this seed: the same data give the same plan
LEVEL_KEYS = {"campaign": ["account", "campaign"], "adset": ["account", "campaign", "adset"]}

FloatArray = np.ndarray


@dataclass(frozen=True)
class Fit:
    """One fit of every entity's curve: arrays over entities."""

    a: FloatArray  # value = a x spend^b (the expected value, smearing included)
    b: FloatArray  # the exponent after shrinkage, within [B_MIN, B_MAX]
    b_raw: FloatArray  # the entity's own least-squares exponent (nan without spread in its spends)
    b_se: FloatArray  # its standard error (nan when it has none)
    b_account: float  # the account's exponent the entities are shrunk toward


@dataclass(frozen=True)
class Curves:
    """The fitted curves of one account's entities at one level, with their bootstrap replicates.

    `entities` has one row per entity (its names, `days` with spend and value, `purchases`, `spend_now` on the
    last day, `low`/`high` the range of daily spends fitted, `learning` and why); `fit` the curves on the days;
    `replicates` the fits on resampled days.
    """

    level: str
    end: dt.date
    fit_days: int
    entities: pl.DataFrame
    fit: Fit
    replicates: list[Fit]


def fit_curves(kpis_daily: pl.DataFrame, params: Params, level: str | None = None) -> Curves:
    """The response curve of every campaign or ad set (`budget.level`) of ONE account, fitted on its last
    `budget.fit_days` days ending on the last day in the data.

    Raises:
        AdlabError: several accounts (curves are per account), or no day with spend and purchase value.
    """
    settings = params.budget
    level = level or settings.level
    if "account" in kpis_daily.columns and kpis_daily["account"].n_unique() > 1:
        raise AdlabError("budget plans are per account: ask with --account NAME (accounts are never pooled).")
    if kpis_daily.height == 0 or kpis_daily["purchase_value"].drop_nulls().sum() <= 0:
        raise AdlabError("no day with spend and purchase value: a budget plan needs purchases with their value.")
    if level == "adset" and kpis_daily["adset"].drop_nulls().is_empty():
        level = "campaign"  # a campaign-level export: budgets move between its campaigns
    keys = LEVEL_KEYS[level]
    end = kpis_daily["date"].max()
    assert isinstance(end, dt.date)
    start = end - dt.timedelta(days=settings.fit_days - 1)
    daily = (
        kpis_daily.filter(pl.col("date").is_between(start, end), pl.col(level).is_not_null())
        .group_by("date", *keys)
        .agg(pl.col("spend").sum(), pl.col("purchase_value").sum(), pl.col("purchases").sum())
    )
    entities = (
        daily.group_by(keys)
        .agg(
            ((pl.col("spend") > 0) & (pl.col("purchase_value") > 0)).sum().alias("days"),
            pl.col("purchases").sum(),
            pl.col("spend").filter(pl.col("date") == end).sum().alias("spend_now"),
            pl.col("spend").filter(pl.col("spend") > 0).min().alias("low"),
            pl.col("spend").filter(pl.col("spend") > 0).max().alias("high"),
        )
        .filter(pl.col("high").is_not_null())
        .sort(keys, nulls_last=True)
        .with_row_index("column")
    )
    if entities.height == 0:
        words = "ad set" if level == "adset" else "campaign"
        raise AdlabError(
            f"no {words} spent in the {settings.fit_days} days to {end}: an export without {words} names (account "
            f"level) has nothing to move budget between; export by {words}, or set budget.level."
        )
    dates = pl.date_range(start, end, eager=True).alias("date").to_frame()
    grid = dates.join(entities.select(*keys, "column"), how="cross").join(
        daily, on=["date", *keys], how="left", nulls_equal=True
    )
    shape = (dates.height, entities.height)
    spend = grid.sort("date", "column")["spend"].fill_null(0.0).to_numpy().reshape(shape)
    value = grid.sort("date", "column")["purchase_value"].fill_null(0.0).to_numpy().reshape(shape)
    usable = (spend > 0) & (value > 0)
    x = np.where(usable, np.log(np.where(usable, spend, 1.0)), 0.0)
    y = np.where(usable, np.log(np.where(usable, value, 1.0)), 0.0)
    learning = (pl.col("days") < settings.min_days) | (pl.col("purchases").fill_null(0) < settings.min_purchases)
    entities = entities.with_columns(
        learning.alias("learning"),
        pl.when(pl.col("days") < settings.min_days)
        .then(pl.format("{} days with spend and purchase value, {} needed", "days", pl.lit(settings.min_days)))
        .when(pl.col("purchases").fill_null(0) < settings.min_purchases)
        .then(pl.format("{} purchases, {} needed", pl.col("purchases").fill_null(0), pl.lit(settings.min_purchases)))
        .alias("learning_reason"),
    ).drop("column")
    rng = np.random.default_rng(SEED)
    n_days = shape[0]
    replicates = [
        fit_arrays(x, y, usable, rng.multinomial(n_days, np.full(n_days, 1 / n_days)).astype(float))
        for _ in range(settings.bootstrap)
    ]
    return Curves(level, end, settings.fit_days, entities, fit_arrays(x, y, usable, np.ones(n_days)), replicates)


def fit_arrays(x: FloatArray, y: FloatArray, usable: np.ndarray, weights: FloatArray) -> Fit:
    """The curves of every entity (columns) from log spend `x` and log value `y` per day (rows) where `usable`,
    each day counted `weights` times (1 for the fit on the days, bootstrap counts for a replicate)."""
    w = weights[:, None] * usable
    n = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = (w * x).sum(axis=0) / n, (w * y).sum(axis=0) / n
        dx, dy = np.where(usable, x - mx, 0.0), np.where(usable, y - my, 0.0)
        sxx, sxy, syy = (w * dx * dx).sum(axis=0), (w * dx * dy).sum(axis=0), (w * dy * dy).sum(axis=0)
        spread = (n >= 3) & (sxx > 1e-9)
        b_raw = np.where(spread, sxy / sxx, np.nan)
        residual = np.maximum(syy - np.where(spread, b_raw * sxy, 0.0), 0.0)
        sigma2 = np.where(n > 2, residual / (n - 2), np.nan)
        b_se = np.where(spread & (sigma2 > 0), np.sqrt(sigma2 / sxx), np.nan)
    b_account = _account_exponent(sxx, sxy, residual, n, spread)
    known = np.isfinite(b_se) & np.isfinite(b_raw)
    precision = np.where(known, 1 / np.where(known, b_se, 1.0) ** 2, 0.0)
    tau2 = _between_variance(b_raw, precision, known)
    shrunk = (np.where(known, b_raw, 0.0) * precision + b_account / tau2) / (precision + 1 / tau2)
    b = np.clip(shrunk, B_MIN, B_MAX)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        log_a = my - b * mx
        smear = (w * np.where(usable, np.exp(y - log_a - b * x), 0.0)).sum(axis=0) / n
        a = np.exp(log_a) * smear
    return Fit(np.where(n > 0, a, np.nan), b, b_raw, b_se, b_account)


def _account_exponent(
    sxx: FloatArray, sxy: FloatArray, residual: FloatArray, n: FloatArray, spread: np.ndarray
) -> float:
    """The account's exponent: the pooled within-entity slope, shrunk toward PRIOR_B (sd PRIOR_SD)."""
    if not spread.any():
        return PRIOR_B
    pooled_sxx, pooled_sxy = sxx[spread].sum(), sxy[spread].sum()
    dof = max(float((n[spread] - 2).sum()), 1.0)
    sigma2 = max(float(residual[spread].sum()) / dof, 1e-12)
    slope, precision = pooled_sxy / pooled_sxx, pooled_sxx / sigma2
    prior = 1 / PRIOR_SD**2
    return float(np.clip((slope * precision + PRIOR_B * prior) / (precision + prior), B_MIN, B_MAX))


def _between_variance(b_raw: FloatArray, precision: FloatArray, known: np.ndarray) -> float:
    """tau^2, the spread of the entities' true exponents (DerSimonian-Laird), at least TAU_MIN^2."""
    k = int(known.sum())
    if k < 2:
        return TAU_MIN**2
    w, b = precision[known], b_raw[known]
    mean = (w * b).sum() / w.sum()
    q = (w * (b - mean) ** 2).sum()
    denominator = w.sum() - (w**2).sum() / w.sum()
    return float(max((q - (k - 1)) / denominator if denominator > 0 else 0.0, TAU_MIN**2))


def curve_value(fit: Fit, spend: FloatArray) -> FloatArray:
    """Each entity's expected daily purchase value at its daily `spend` (an array over the entities)."""
    return np.asarray(fit.a * np.power(np.maximum(spend, 0.0), fit.b))


def marginal_roas(fit: Fit, spend: FloatArray) -> FloatArray:
    """Each entity's marginal ROAS at its daily `spend`: the value of one more unit of spend, a b spend^(b-1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(fit.a * fit.b * np.power(spend, fit.b - 1))
