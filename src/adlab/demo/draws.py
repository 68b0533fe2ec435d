"""Random draws and exact integer splits the simulations share.

Every draw takes the one generator of a run, so the same seed gives the same files.
"""

from __future__ import annotations

import numpy as np


def split_exact(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer totals into integer parts proportional to weights (largest remainder).

    Args:
        total: (n,) non-negative integers.
        weights: (n, k) non-negative weights; a part with weight 0 gets 0.

    Returns:
        (n, k) integers whose rows sum exactly to `total`.
    """
    n, k = weights.shape
    wsum = weights.sum(axis=1, keepdims=True)
    share = np.divide(weights, wsum, out=np.zeros_like(weights, dtype=float), where=wsum > 0)
    exact = share * total[:, None]
    parts = np.floor(exact).astype(np.int64)
    remainder = total - parts.sum(axis=1)
    order = np.argsort(-(exact - parts), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(k), (n, k)).copy(), axis=1)
    # The parts with the largest remainders take one more each.
    split: np.ndarray = parts + (ranks < remainder[:, None])
    return split


def multinomial(rng: np.random.Generator, total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Random integer split of each total with probabilities proportional to weights (uniform when all 0)."""
    wsum = weights.sum(axis=1, keepdims=True)
    probs = np.where(wsum > 0, weights / np.where(wsum > 0, wsum, 1.0), 1.0 / weights.shape[1])
    return rng.multinomial(total, probs)


def lognormal(rng: np.random.Generator, sigma: float | np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Multiplicative noise with median 1."""
    return np.exp(rng.normal(0.0, 1.0, shape) * sigma)


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Binomial draws with n clipped at 0 and p into [0, 1]."""
    return rng.binomial(np.maximum(n, 0), np.clip(p, 0.0, 1.0)).astype(np.int64)
