"""Proper scores of predictive distributions that are uniform mixtures of K Gaussians.

The distribution at test point i is (1/K) sum_k N(means[k, i], stds[k, i]^2), given as two arrays of shape
(K, n) (1-D arrays: one Gaussian per point); y holds the n observed values. Lower is better for every score
but coverage, which should match its level.

- `nll`: mean over points of -log p_i(y_i), the log-sum-exp over components kept stable far in the tails.
- `rmse`: sqrt(mean_i (y_i - mean_k means[k, i])^2), the error of the mixture mean.
- `crps`: mean over points of CRPS(F_i, y_i) = E|X - y_i| - E|X - X'|/2, X, X' ~ F_i independent, in the
  closed form for normal mixtures of `scoringrules.crps_mixnorm` (Grimit et al. 2006).
- `coverage`: for each level p, the fraction of points with y_i inside the central interval
  [F_i^-1((1 - p)/2), F_i^-1((1 + p)/2)] from the exact mixture quantiles (`priorlab.mixture.quantile`,
  bisection to 1e-10 of the smallest component std). Levels default to 0.5, 0.8, 0.9, 0.95.
- `pit`: the probability integral transform F_i(y_i); uniform on [0, 1] for a calibrated forecast.
- `calibration_error`: Kuleshov et al. (2018), sum_j (p_j - #{i: PIT_i <= p_j}/n)^2 over the confidence
  levels p_j = 0.05, 0.10, ..., 0.95 (19 levels, weights 1). 0 for a calibrated forecast (up to sampling
  noise of order 19 * p(1 - p)/n).
- `score_all`: all of them in one dict.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from priorlab import mixture

COVERAGE_LEVELS = (0.5, 0.8, 0.9, 0.95)
"""Default central-interval levels of `coverage`."""

CALIBRATION_LEVELS = tuple(round(0.05 * j, 2) for j in range(1, 20))
"""Default confidence levels p_j of `calibration_error`: 0.05, 0.10, ..., 0.95."""

_CRPS_CHUNK = 2**22  # K * K * points per scoringrules call: its closed form holds K x K arrays per point


def _checked(y: ArrayLike, means: ArrayLike, stds: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m, s = mixture.check_mixture(means, stds)
    observed = np.asarray(y, dtype=np.float64)
    if observed.shape != (m.shape[1],):
        raise ValueError(f"y: expected shape ({m.shape[1]},) (one value per point of means), got {np.shape(y)}")
    if not np.isfinite(observed).all():
        i = int(np.flatnonzero(~np.isfinite(observed))[0])
        raise ValueError(f"y: not finite at point {i}: {observed[i]}")
    return observed, m, s


def _levels(levels: Sequence[float], name: str) -> tuple[float, ...]:
    values = tuple(float(p) for p in np.atleast_1d(np.asarray(levels, dtype=np.float64)))
    if not values or not all(0 < p < 1 for p in values):
        raise ValueError(f"{name}: expected probabilities in (0, 1), got {levels}")
    return values


def nll(y: ArrayLike, means: ArrayLike, stds: ArrayLike) -> float:
    """Mean negative log-likelihood of y under the mixtures (nats per point)."""
    y, m, s = _checked(y, means, stds)
    return float(-mixture.log_prob(y, m, s).mean())


def rmse(y: ArrayLike, means: ArrayLike, stds: ArrayLike | None = None) -> float:
    """Root mean squared error of the mixture mean (the stds do not enter; accepted for a uniform call)."""
    y, m, _ = _checked(y, means, np.ones_like(np.asarray(means, dtype=np.float64)) if stds is None else stds)
    return float(np.sqrt(np.mean((y - m.mean(axis=0)) ** 2)))


def crps_each(y: ArrayLike, means: ArrayLike, stds: ArrayLike) -> np.ndarray:
    """CRPS(F_i, y_i) at each point, shape (n,), by `scoringrules.crps_mixnorm` (equal weights)."""
    import scoringrules  # a pure-Python import of ~0.3 s: paid only by those who score

    y, m, s = _checked(y, means, stds)
    chunk = max(1, _CRPS_CHUNK // m.shape[0] ** 2)
    parts = [scoringrules.crps_mixnorm(y[i:i + chunk], m[:, i:i + chunk].T, s[:, i:i + chunk].T, backend="numpy")
             for i in range(0, len(y), chunk)]  # components on the last axis, scoringrules' default
    return np.concatenate([np.asarray(part, dtype=np.float64).reshape(-1) for part in parts])


def crps(y: ArrayLike, means: ArrayLike, stds: ArrayLike) -> float:
    """Mean continuous ranked probability score (in the units of y)."""
    return float(crps_each(y, means, stds).mean())


def coverage(y: ArrayLike, means: ArrayLike, stds: ArrayLike,
             levels: Sequence[float] = COVERAGE_LEVELS) -> dict[float, float]:
    """Fraction of points inside the central interval at each level, from the exact mixture quantiles."""
    y, m, s = _checked(y, means, stds)
    levels = _levels(levels, "levels")
    probs = [q for p in levels for q in ((1 - p) / 2, (1 + p) / 2)]
    bounds = mixture.quantile(probs, m, s)  # (2 * levels, n)
    return {p: float(np.mean((bounds[2 * j] <= y) & (y <= bounds[2 * j + 1]))) for j, p in enumerate(levels)}


def pit(y: ArrayLike, means: ArrayLike, stds: ArrayLike) -> np.ndarray:
    """The probability integral transform F_i(y_i) at each point, shape (n,)."""
    y, m, s = _checked(y, means, stds)
    return mixture.cdf(y, m, s)


def calibration_error(y: ArrayLike, means: ArrayLike, stds: ArrayLike,
                      levels: Sequence[float] = CALIBRATION_LEVELS) -> float:
    """Kuleshov et al. (2018): sum over levels p_j of (p_j - fraction of points with PIT <= p_j)^2."""
    levels = _levels(levels, "levels")
    values = pit(y, means, stds)
    p = np.asarray(levels)
    empirical = (values[None, :] <= p[:, None]).mean(axis=1)
    return float(np.sum((p - empirical) ** 2))


def score_all(y: ArrayLike, means: ArrayLike, stds: ArrayLike, *,
              levels: Sequence[float] = COVERAGE_LEVELS) -> dict[str, float]:
    """Every score in one dict: nll, rmse, crps, calibration_error and coverage{100 p} for each level p
    (coverage50, coverage80, coverage90, coverage95 by default)."""
    y, m, s = _checked(y, means, stds)
    scores = {"nll": nll(y, m, s), "rmse": rmse(y, m, s), "crps": crps(y, m, s),
              "calibration_error": calibration_error(y, m, s)}
    for p, fraction in coverage(y, m, s, levels).items():
        scores[f"coverage{100 * p:g}"] = fraction
    return scores
