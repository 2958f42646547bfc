"""Uniform mixtures of K Gaussians, one mixture per point: density, CDF and exact quantiles.

A predictive distribution here is given by two arrays `means` and `stds` of shape (K, n): at point i it is
(1/K) sum_k N(means[k, i], stds[k, i]^2). Everything is vectorised over the n points (and over the
probabilities asked for); nothing here needs torch.

Quantiles are exact to a stated tolerance, not a normal approximation: the mixture CDF F is continuous and
strictly increasing, and its q-quantile lies between the smallest and the largest of the components'
q-quantiles (at the smallest every component's CDF is at most q, at the largest at least q). Bisection on F
inside that bracket stops when the bracket is no wider than `tol` times the smallest component std at that
point (or when float64 cannot split it further), and returns the bracket's midpoint: the error is at most
half of that. The CDF is computed to about 1e-16, so where the mixture density f is tiny the quantile is only
determined to about 1e-16 / f: between far-apart components F is 1/2 to float64 over most of the gap, and
any point there is a float64 median.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

QUANTILE_TOL = 1e-10
"""Default bracket width of `quantile`, in units of the smallest component std at each point."""

_MAX_BISECTIONS = 2000  # float64 brackets cannot be halved more than ~2100 times; a guard, never reached


def check_mixture(means: ArrayLike, stds: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """`means` and `stds` as float64 arrays of shape (K, n); a 1-D pair is one Gaussian per point (K = 1).

    Errors name the argument: shapes that differ, no components or points, non-finite means, stds that are
    not finite and positive."""
    m = np.asarray(means, dtype=np.float64)
    s = np.asarray(stds, dtype=np.float64)
    if m.ndim == 1:
        m = m[None, :]
    if s.ndim == 1:
        s = s[None, :]
    if m.ndim != 2:
        raise ValueError(f"means: expected shape (K, n) (K components at n points), got {np.shape(means)}")
    if s.shape != m.shape:
        raise ValueError(f"stds: expected the shape of means {m.shape}, got {np.shape(stds)}")
    if m.shape[0] == 0 or m.shape[1] == 0:
        raise ValueError(f"means: expected at least one component and one point, got shape {m.shape}")
    if not np.isfinite(m).all():
        k, i = np.argwhere(~np.isfinite(m))[0]
        raise ValueError(f"means: not finite at component {k}, point {i}: {m[k, i]}")
    bad = ~(np.isfinite(s) & (s > 0))
    if bad.any():
        k, i = np.argwhere(bad)[0]
        raise ValueError(f"stds: expected finite positive values, got {s[k, i]} at component {k}, point {i}")
    return m, s


def _check_points(y: ArrayLike, n: int, name: str = "y") -> np.ndarray:
    values = np.asarray(y, dtype=np.float64)
    if values.ndim == 0:
        values = np.full(n, float(values))
    if values.shape != (n,):
        raise ValueError(f"{name}: expected shape ({n},) (one value per point), got {np.shape(y)}")
    if not np.isfinite(values).all():
        i = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"{name}: not finite at point {i}: {values[i]}")
    return values


def log_prob(y: ArrayLike, means: ArrayLike, stds: ArrayLike) -> np.ndarray:
    """log p(y_i) of the mixture at each point, shape (n,), by a stable log-sum-exp over the components."""
    m, s = check_mixture(means, stds)
    y = _check_points(y, m.shape[1])
    z = (y - m) / s
    log_components = -0.5 * z**2 - np.log(s) - 0.5 * math.log(2 * math.pi)
    return special.logsumexp(log_components, axis=0) - math.log(m.shape[0])


def cdf(y: ArrayLike, means: ArrayLike, stds: ArrayLike) -> np.ndarray:
    """F_i(y_i), the mixture CDF at each point, shape (n,)."""
    m, s = check_mixture(means, stds)
    y = _check_points(y, m.shape[1])
    return special.ndtr((y - m) / s).mean(axis=0)


def quantile(q: ArrayLike, means: ArrayLike, stds: ArrayLike, *, tol: float = QUANTILE_TOL) -> np.ndarray:
    """The mixture's q-quantile at each point, shape `np.shape(q) + (n,)`; q = 0 gives -inf, q = 1 +inf.

    Bisection on the mixture CDF inside the bracket [min_k, max_k] of the components' q-quantiles, until the
    bracket is at most `tol` times the point's smallest component std wide (or float64 cannot split it):
    the result is within tol/2 of those stds of the exact quantile (see the module's docstring)."""
    m, s = check_mixture(means, stds)
    probs = np.asarray(q, dtype=np.float64)
    if not (np.isfinite(probs) & (probs >= 0) & (probs <= 1)).all():
        raise ValueError(f"q: expected probabilities in [0, 1], got {q}")
    if not tol > 0:
        raise ValueError(f"tol: expected a positive number, got {tol}")
    shape = probs.shape
    p = probs.reshape(-1, 1)  # (L, 1) against the (n,) points
    interior = (p > 0) & (p < 1)
    z = special.ndtri(np.where(interior, p, 0.5))  # (L, 1)
    component_q = m[:, None, :] + s[:, None, :] * z[None]  # (K, L, n)
    lo, hi = component_q.min(axis=0), component_q.max(axis=0)  # F(lo) <= p <= F(hi)
    width = tol * s.min(axis=0)  # (n,)
    m3, s3 = m[:, None, :], s[:, None, :]
    for _ in range(_MAX_BISECTIONS):
        mid = lo + 0.5 * (hi - lo)
        active = (hi - lo > width) & (mid > lo) & (mid < hi)
        if not active.any():
            break
        below = special.ndtr((mid - m3) / s3).mean(axis=0) < p
        lo = np.where(active & below, mid, lo)
        hi = np.where(active & ~below, mid, hi)
    result = lo + 0.5 * (hi - lo)
    result = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, result))
    return result.reshape((*shape, m.shape[1]))
