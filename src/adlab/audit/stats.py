"""The audit's tests, vectorised over every entity at once: a rate today against the entity's baseline, and
false discovery rate control over all of a day's tests.

Why this test. Clicks per impression, purchases per click, purchases (or purchase value) per unit spent and
impressions per unit spent are counts over an exposure, and the question is whether today's rate differs
from the baseline's. Given both periods' counts, the exact conditional test for two Poisson rates
(Przyborowski and Wilenski) compares today's share of the pooled count with today's share of the pooled
exposure: under no change it is Binomial(total, exposure share). It needs no large-sample approximation,
so it holds for an ad with 3 purchases as for an account with 3,000. Real days vary more than Poisson
noise (weekdays, the auction), which would make a plain count test cry wolf at high volume; so the counts
are divided by the baseline's own quasi-Poisson dispersion (Pearson chi-square of its days over its
degrees of freedom, at least 1) before testing: an entity whose CTR swings 20% from day to day needs a
larger move to be called than one whose CTR is steady. Purchase value is tested the same way in units of
the baseline's average order value, whose day-to-day spread the dispersion then absorbs. Tail
probabilities come from the regularized incomplete beta function, so non-integer (scaled) counts are fine.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import betainc

TEST_NAME = "exact conditional Poisson rate test (quasi-Poisson dispersion of the baseline days)"
ZERO_TEST_NAME = "Poisson probability of no purchase at the baseline rate (dispersion-scaled)"


def dispersion(sum_sq_over_e: pl.Expr, count: pl.Expr, exposure: pl.Expr, days: pl.Expr) -> pl.Expr:
    """Quasi-Poisson dispersion of baseline days, at least 1: Pearson chi-square / (days - 1).

    With r = count / exposure, chi-square = sum_i (x_i - e_i r)^2 / (e_i r) = r^-1 sum_i x_i^2 / e_i - count,
    so one pass of sums per entity gives it (`sum_sq_over_e` = sum_i x_i^2 / e_i over days with e_i > 0).
    Fewer than 2 days, or no count, give 1.
    """
    chi_square = sum_sq_over_e * exposure / count - count
    return (
        pl.when((days >= 2) & (count > 0) & (exposure > 0))
        .then(pl.max_horizontal(chi_square / (days - 1), pl.lit(1.0)))
        .otherwise(1.0)
    )


def rate_test_p(
    count_today: np.ndarray,
    exposure_today: np.ndarray,
    count_before: np.ndarray,
    exposure_before: np.ndarray,
    phi: np.ndarray,
) -> np.ndarray:
    """Two-sided p-value that today's rate equals the baseline's (see the module docstring); NaN where untestable.

    Counts are divided by `phi` first. Untestable: no exposure on either side, or no count at all.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        k = count_today / phi
        n = (count_today + count_before) / phi
        share = exposure_today / (exposure_today + exposure_before)
        testable = (exposure_today > 0) & (exposure_before > 0) & (n > 0) & np.isfinite(n)
        k_safe = np.where(testable, np.clip(k, 0, n), 1.0)
        n_safe = np.where(testable, n, 2.0)
        share_safe = np.where(testable, share, 0.5)
        # P(X <= k) = I_{1-p}(n - k, k + 1); P(X >= k) = I_p(k, n - k + 1), with the edges k = n and k = 0.
        lower = np.where(k_safe >= n_safe, 1.0, betainc(np.maximum(n_safe - k_safe, 1e-12), k_safe + 1, 1 - share_safe))
        upper = np.where(k_safe <= 0, 1.0, betainc(np.maximum(k_safe, 1e-12), n_safe - k_safe + 1, share_safe))
        p = np.minimum(1.0, 2 * np.minimum(lower, upper))
    return np.where(testable, p, np.nan)


def with_q(tests: pl.DataFrame, group: str) -> pl.DataFrame:
    """`tests` plus `q`: Benjamini-Hochberg adjusted p-values of `p` within each `group` (one account's day).

    q_(i) = min over j >= i of p_(j) m / j, capped at 1, for the m non-null p sorted ascending; a null p
    (no test) has a null q. Rows keep their order.
    """
    position = pl.int_range(pl.len()).over(group)
    m = pl.col("p").is_not_null().sum().over(group)
    return (
        tests.with_row_index("_row")
        .sort(group, "p", descending=[False, True], nulls_last=True)
        .with_columns((pl.col("p") * m / (m - position)).alias("q"))
        .with_columns(pl.col("q").cum_min().over(group).clip(upper_bound=1.0).alias("q"))
        .with_columns(pl.when(pl.col("p").is_not_null()).then(pl.col("q")).alias("q"))
        .sort("_row")
        .drop("_row")
    )
