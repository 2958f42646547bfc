"""Uniform Gaussian mixtures: density, CDF and quantiles against scipy (one Gaussian: its closed forms; a
mixture: root finding with brentq on a CDF built from scipy.stats.norm)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, stats

from priorlab import mixture


def scipy_quantile(q: float, means: np.ndarray, stds: np.ndarray) -> float:
    """The q-quantile of one mixture (1-D means, stds) by brentq on its CDF, to float64 precision."""
    def f(x):
        return stats.norm.cdf(x, means, stds).mean() - q

    lo, hi = (means - 40 * stds).min(), (means + 40 * stds).max()
    return optimize.brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)


def test_one_gaussian_matches_scipy():
    rng = np.random.default_rng(1)
    m, s, y = rng.normal(size=50) * 10, rng.uniform(0.01, 5, 50), rng.normal(size=50) * 10
    np.testing.assert_allclose(mixture.log_prob(y, m, s), stats.norm.logpdf(y, m, s), rtol=1e-12)
    np.testing.assert_allclose(mixture.cdf(y, m, s), stats.norm.cdf(y, m, s), rtol=1e-12, atol=1e-300)
    q = np.array([1e-6, 0.025, 0.3, 0.5, 0.9, 0.999])
    error = np.abs(mixture.quantile(q, m, s) - stats.norm.ppf(q[:, None], m, s))
    assert np.all(error <= 0.5e-10 * s + 1e-14 * np.abs(m) + 1e-9 * s * (q[:, None] < 1e-5)), error.max()


def test_mixture_moments_and_density_against_direct_sums():
    rng = np.random.default_rng(2)
    m, s, y = rng.normal(size=(4, 30)), rng.uniform(0.2, 2, (4, 30)), rng.normal(size=30)
    np.testing.assert_allclose(mixture.log_prob(y, m, s), np.log(stats.norm.pdf(y, m, s).mean(axis=0)), rtol=1e-12)


def test_log_prob_is_stable_far_in_the_tails():
    """Direct sums underflow to log(0) there; the nearest component dominates and log-sum-exp keeps it."""
    m, s, y = np.array([[0.0], [10.0]]), np.array([[1.0], [1.0]]), np.array([1000.0])
    with np.errstate(divide="ignore"):
        assert np.log(stats.norm.pdf(y, m, s).mean(axis=0))[0] == -np.inf
    expected = stats.norm.logpdf(1000.0, 10.0, 1.0) - np.log(2)  # the other term is exp(-9900) smaller
    np.testing.assert_allclose(mixture.log_prob(y, m, s), [expected], rtol=1e-13)


@given(
    k=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    q=st.floats(1e-6, 1 - 1e-6),
    spread=st.floats(0.01, 100),
)
def test_quantile_matches_brentq_on_the_mixture_cdf(k, seed, q, spread):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(k, 3)) * spread
    s = np.exp(rng.uniform(-3, 2, size=(k, 3)))
    got = mixture.quantile(q, m, s)
    assert got.shape == (3,)
    for i in range(3):
        expected = scipy_quantile(q, m[:, i], s[:, i])
        density = stats.norm.pdf(expected, m[:, i], s[:, i]).mean()
        # the stated tolerance (half a bracket of 1e-10 of the smallest std), plus what a CDF exact to ~1e-16
        # can resolve where the density is low (both methods share that), plus brentq's own
        limit = 0.5e-10 * s[:, i].min() + 1e-15 / density + 1e-14 * abs(expected)
        assert abs(got[i] - expected) <= limit, (i, got[i], expected, limit)


def test_quantile_obeys_its_tolerance_and_the_cdf_inverts_it():
    rng = np.random.default_rng(3)
    m, s = rng.normal(size=(5, 200)) * 3, rng.uniform(0.05, 2, (5, 200))
    q = np.array([0.025, 0.25, 0.5, 0.75, 0.975])
    coarse = mixture.quantile(q, m, s, tol=1e-3)
    fine = mixture.quantile(q, m, s)
    assert np.all(np.abs(coarse - fine) <= 0.5e-3 * s.min(axis=0) + 1e-12)
    for j, p in enumerate(q):
        np.testing.assert_allclose(mixture.cdf(fine[j], m, s), p, atol=1e-10)
    assert np.all(np.diff(fine, axis=0) > 0)


def test_quantile_shapes_and_ends():
    m, s = np.zeros((2, 3)), np.ones((2, 3))
    assert mixture.quantile(0.5, m, s).shape == (3,)
    assert mixture.quantile([[0.1, 0.2]], m, s).shape == (1, 2, 3)
    ends = mixture.quantile([0.0, 1.0], m, s)
    assert np.all(ends[0] == -np.inf) and np.all(ends[1] == np.inf)
    lower, upper = mixture.quantile([0.05, 0.95], m, s)
    np.testing.assert_allclose(upper, stats.norm.ppf(0.95), atol=1e-9)
    np.testing.assert_allclose(lower, -upper, atol=1e-9)


def test_quantiles_of_a_bimodal_mixture():
    """Two equal components at -4 and 4: the median is 0 by symmetry and the 25% quantile within a hair of
    the first component's median; a normal approximation (mean 0, std sqrt(17)) puts it at -2.78."""
    m, s = np.array([[-4.0], [4.0]]), np.array([[1.0], [1.0]])
    np.testing.assert_allclose(mixture.quantile(0.5, m, s), [0.0], atol=1e-9)
    q25 = mixture.quantile(0.25, m, s)
    np.testing.assert_allclose(q25, [scipy_quantile(0.25, m[:, 0], s[:, 0])], atol=1e-9)
    assert abs(q25[0] + 4) < 1e-3 and abs(q25[0] - stats.norm.ppf(0.25, 0, np.sqrt(17))) > 1


def test_quantile_where_the_cdf_is_flat_to_float64():
    """Far apart (-50 and 50), F is 1/2 to float64 over most of the gap: any point of that stretch is a
    float64 median; the bisection keeps the exact quantile of the computed CDF inside its bracket."""
    m, s = np.array([[-50.0], [50.0]]), np.array([[1.0], [1.0]])
    median = mixture.quantile(0.5, m, s)
    assert -45 < median[0] < 45 and abs(mixture.cdf(median, m, s)[0] - 0.5) <= 1e-16


@pytest.mark.parametrize("means, stds, message", [
    (np.zeros((2, 3)), np.ones((2, 4)), "stds: expected the shape of means"),
    (np.zeros((2, 3, 1)), np.ones((2, 3, 1)), "means: expected shape (K, n)"),
    (np.zeros((0, 3)), np.ones((0, 3)), "at least one component"),
    (np.zeros((2, 3)), np.array([[1, 1, 1], [1, 0, 1]]),
     "stds: expected finite positive values, got 0.0 at component 1, point 1"),
    (np.array([[0, np.nan]]), np.ones((1, 2)), "means: not finite at component 0, point 1"),
])
def test_bad_mixtures_are_refused_by_name(means, stds, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mixture.cdf(np.zeros(np.shape(means)[-1]), means, stds)


def test_bad_probabilities_are_refused():
    with pytest.raises(ValueError, match=r"q: expected probabilities in \[0, 1\]"):
        mixture.quantile(1.5, np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match=r"y: expected shape \(2,\)"):
        mixture.cdf(np.zeros(3), np.zeros(2), np.ones(2))
