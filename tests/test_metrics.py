"""Proper scores, each against an independent computation: closed forms for one Gaussian, Monte Carlo and
numerical integration for mixtures, scipy's root finding for interval ends, hand-counted constructed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from priorlab import metrics


def normal_crps(y, mu, s):
    """Closed form for N(mu, s^2) (Gneiting & Raftery 2007): s [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)]."""
    z = (y - mu) / s
    return s * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))


def sample_mixture(rng, means, stds, size):
    """`size` draws from each point's uniform mixture: shape (size, n)."""
    k = rng.integers(0, means.shape[0], size=(size, means.shape[1]))
    columns = np.arange(means.shape[1])
    return rng.normal(means[k, columns], stds[k, columns])


def monte_carlo_crps(rng, y, means, stds, size=200_000):
    """E|X - y| - E|X - X'| / 2 with independent X, X' from the mixture, and its standard error."""
    x, x2 = sample_mixture(rng, means, stds, size), sample_mixture(rng, means, stds, size)
    terms = np.abs(x - y) - 0.5 * np.abs(x - x2)
    return terms.mean(axis=0), terms.std(axis=0) / math.sqrt(size)


def integrated_crps(y, means, stds):
    """int (F(x) - 1{x >= y})^2 dx for one mixture (1-D means, stds), by scipy.integrate.quad."""
    def f(x):
        return stats.norm.cdf(x, means, stds).mean()

    lo, hi = min((means - 12 * stds).min(), y), max((means + 12 * stds).max(), y)
    points = sorted({*means.tolist(), y})
    left = integrate.quad(lambda x: f(x) ** 2, lo - 1, y, points=[p for p in points if p < y], limit=200)[0]
    right = integrate.quad(lambda x: (1 - f(x)) ** 2, y, hi + 1, points=[p for p in points if p > y], limit=200)[0]
    return left + right


def brentq_quantile(q, means, stds):
    return optimize.brentq(lambda x: stats.norm.cdf(x, means, stds).mean() - q,
                           (means - 40 * stds).min(), (means + 40 * stds).max(), xtol=1e-13)


@pytest.fixture
def one_gaussian():
    rng = np.random.default_rng(0)
    n = 40
    return rng.normal(size=n) * 3, rng.normal(size=n) * 3, rng.uniform(0.1, 4, n)  # y, mu, s


# --- one Gaussian: closed forms -----------------------------------------------------------------------------

def test_nll_of_one_gaussian_is_its_closed_form(one_gaussian):
    y, mu, s = one_gaussian
    expected = np.mean(0.5 * np.log(2 * np.pi * s**2) + (y - mu) ** 2 / (2 * s**2))
    assert metrics.nll(y, mu[None], s[None]) == pytest.approx(expected, rel=1e-13)
    assert metrics.nll(y, mu, s) == pytest.approx(expected, rel=1e-13)  # 1-D: one Gaussian per point


def test_crps_of_one_gaussian_is_its_closed_form(one_gaussian):
    y, mu, s = one_gaussian
    np.testing.assert_allclose(metrics.crps_each(y, mu[None], s[None]), normal_crps(y, mu, s), rtol=1e-10)
    assert metrics.crps(y, mu, s) == pytest.approx(normal_crps(y, mu, s).mean(), rel=1e-10)


def test_rmse_is_the_error_of_the_mixture_mean():
    means = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, -1.0]])
    y = np.array([2.0, 0.0, 1.0])  # mixture means 2, 2, 1: errors 0, 2, 0
    assert metrics.rmse(y, means) == pytest.approx(math.sqrt(4 / 3), rel=1e-15)
    assert metrics.rmse(y, means, np.ones_like(means)) == metrics.rmse(y, means)


# --- mixtures: Monte Carlo and numerical integration --------------------------------------------------------

def test_nll_of_a_mixture_is_the_log_of_the_averaged_density():
    rng = np.random.default_rng(4)
    means, stds, y = rng.normal(size=(5, 60)) * 2, rng.uniform(0.3, 2, (5, 60)), rng.normal(size=60) * 2
    expected = -np.mean(np.log(stats.norm.pdf(y, means, stds).mean(axis=0)))
    assert metrics.nll(y, means, stds) == pytest.approx(expected, rel=1e-12)


def test_nll_far_in_the_tail_is_finite_and_exact():
    """A test point 1000 standard deviations out: the averaged density underflows; log-sum-exp does not."""
    means, stds, y = np.array([[0.0], [5.0]]), np.array([[1.0], [1.0]]), np.array([1000.0])
    expected = -(stats.norm.logpdf(1000.0, 5.0, 1.0) - math.log(2))
    assert metrics.nll(y, means, stds) == pytest.approx(expected, rel=1e-13)


@pytest.fixture(scope="module")
def mixture_case():
    rng = np.random.default_rng(5)
    means = np.array([[-2.0, 0.0, 1.0, 3.0], [2.0, 0.5, 1.2, -3.0], [0.0, 4.0, 0.8, 0.0]])
    stds = np.array([[0.5, 1.0, 0.2, 1.0], [0.5, 2.0, 0.3, 0.1], [1.0, 0.5, 0.2, 2.0]])
    y = np.array([0.3, -1.0, 1.05, 6.0])
    mc, se = monte_carlo_crps(rng, y, means, stds)
    return y, means, stds, mc, se


def test_crps_of_mixtures_matches_monte_carlo(mixture_case):
    y, means, stds, mc, se = mixture_case
    got = metrics.crps_each(y, means, stds)
    assert np.all(np.abs(got - mc) <= 5 * se), (got, mc, se)


def test_the_monte_carlo_check_catches_plausible_crps_mistakes(mixture_case):
    """The guard above is sharp enough: it refuses CRPS without the 1/2 on E|X - X'|, and the CRPS of the
    moment-matched single Gaussian (a normal approximation of the mixture)."""
    y, means, stds, mc, se = mixture_case
    rng = np.random.default_rng(6)
    x, x2 = sample_mixture(rng, means, stds, 200_000), sample_mixture(rng, means, stds, 200_000)
    no_half = np.abs(x - y).mean(axis=0) - np.abs(x - x2).mean(axis=0)
    total_std = np.sqrt((stds**2).mean(axis=0) + means.var(axis=0))
    normal_approximation = normal_crps(y, means.mean(axis=0), total_std)
    for wrong in (no_half, normal_approximation):
        assert np.any(np.abs(wrong - mc) > 5 * se)


@settings(max_examples=30)
@given(k=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), offset=st.floats(-10, 10))
def test_crps_matches_the_integral_of_the_squared_cdf_difference(k, seed, offset):
    rng = np.random.default_rng(seed)
    means, stds = rng.normal(size=(k, 2)) * 3, np.exp(rng.uniform(-2, 1, (k, 2)))
    y = means.mean(axis=0) + offset
    got = metrics.crps_each(y, means, stds)
    for i in range(2):
        assert got[i] == pytest.approx(integrated_crps(y[i], means[:, i], stds[:, i]), rel=1e-6, abs=1e-9)


def test_crps_in_chunks_equals_crps_at_once(monkeypatch):
    rng = np.random.default_rng(7)
    means, stds, y = rng.normal(size=(3, 50)), rng.uniform(0.5, 1, (3, 50)), rng.normal(size=50)
    whole = metrics.crps_each(y, means, stds)
    monkeypatch.setattr(metrics, "_CRPS_CHUNK", 9 * 7)  # 7 points per call
    np.testing.assert_allclose(metrics.crps_each(y, means, stds), whole, rtol=1e-15)


# --- coverage: constructed cases -----------------------------------------------------------------------------

def test_coverage_of_one_standard_normal_counts_by_hand():
    # central half-widths: 50% 0.674, 80% 1.282, 90% 1.645, 95% 1.960
    y = np.array([0.0, 0.6, -0.1, 1.0, 1.5, 1.7, -1.9, 2.5])
    got = metrics.coverage(y, np.zeros(8), np.ones(8))
    assert got == {0.5: 3 / 8, 0.8: 4 / 8, 0.9: 5 / 8, 0.95: 7 / 8}


def test_coverage_of_a_mixture_on_both_sides_of_each_exact_bound():
    """Points a hair (1e-7) inside and outside each end, the ends from brentq on the mixture CDF."""
    m, s = np.array([-3.0, 1.0, 2.0]), np.array([1.0, 0.5, 2.0])
    levels = (0.5, 0.8, 0.9, 0.95)
    for level in levels:
        lower = brentq_quantile((1 - level) / 2, m, s)
        upper = brentq_quantile((1 + level) / 2, m, s)
        y = np.array([lower + 1e-7, upper - 1e-7, lower - 1e-7, upper + 1e-7, 0.5 * (lower + upper)])
        means, stds = np.repeat(m[:, None], 5, axis=1), np.repeat(s[:, None], 5, axis=1)
        assert metrics.coverage(y, means, stds, levels=[level]) == {level: 3 / 5}


@settings(max_examples=25)
@given(k=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_coverage_agrees_with_the_pit_definition(k, seed):
    """y lies in the central p-interval exactly when (1 - p)/2 <= F(y) <= (1 + p)/2."""
    rng = np.random.default_rng(seed)
    means, stds = rng.normal(size=(k, 300)), rng.uniform(0.2, 2, (k, 300))
    y = rng.normal(size=300) * 1.5
    u = stats.norm.cdf(y, means, stds).mean(axis=0)
    levels = (0.1, 0.5, 0.9, 0.99)
    away = np.all([np.abs(u - b) > 1e-9 for p in levels for b in ((1 - p) / 2, (1 + p) / 2)], axis=0)
    got = metrics.coverage(y[away], means[:, away], stds[:, away], levels=levels)
    for p in levels:
        assert got[p] == np.mean(((1 - p) / 2 <= u[away]) & (u[away] <= (1 + p) / 2))


# --- calibration error (Kuleshov et al. 2018) ------------------------------------------------------------

def test_calibration_error_of_known_pit_values():
    u = np.array([0.02, 0.33, 0.51, 0.77, 0.96, 0.5001])
    y = stats.norm.ppf(u)
    np.testing.assert_allclose(metrics.pit(y, np.zeros(6), np.ones(6)), u, rtol=1e-12)
    expected = sum((p - sum(v <= p for v in u) / 6) ** 2 for p in [0.05 * j for j in range(1, 20)])
    assert metrics.calibration_error(y, np.zeros(6), np.ones(6)) == pytest.approx(expected, rel=1e-12)
    assert metrics.calibration_error(y, np.zeros(6), np.ones(6), levels=[0.5]) == pytest.approx((0.5 - 2 / 6) ** 2)


def test_calibration_error_of_an_overconfident_forecast_matches_its_analytic_value():
    """y ~ N(0, 1) forecast as N(0, 1/4): PIT = Phi(2y), so P(PIT <= p) = Phi(Phi^-1(p) / 2)."""
    rng = np.random.default_rng(8)
    y = rng.normal(size=200_000)
    p = np.asarray(metrics.CALIBRATION_LEVELS)
    expected = np.sum((p - stats.norm.cdf(stats.norm.ppf(p) / 2)) ** 2)
    got = metrics.calibration_error(y, np.zeros_like(y), np.full_like(y, 0.5))
    assert expected > 0.1 and got == pytest.approx(expected, rel=0.02)


def test_calibration_error_of_a_calibrated_mixture_is_near_zero():
    rng = np.random.default_rng(9)
    means, stds = rng.normal(size=(4, 20_000)) * 2, rng.uniform(0.2, 2, (4, 20_000))
    y = sample_mixture(rng, means, stds, 1)[0]
    # E[CE] = sum_j p_j (1 - p_j) / n = 2.85 / n for a calibrated forecast
    assert metrics.calibration_error(y, means, stds) < 5 * 2.85 / 20_000
    assert metrics.calibration_error(y, means, stds * 0.5) > 0.01  # overconfident members: 30 times more


# --- score_all and refusals ---------------------------------------------------------------------------------

def test_score_all_gathers_every_score():
    rng = np.random.default_rng(10)
    means, stds, y = rng.normal(size=(3, 100)), rng.uniform(0.5, 1.5, (3, 100)), rng.normal(size=100)
    scores = metrics.score_all(y, means, stds)
    assert list(scores) == ["nll", "rmse", "crps", "calibration_error",
                            "coverage50", "coverage80", "coverage90", "coverage95"]
    assert scores["nll"] == metrics.nll(y, means, stds) and scores["crps"] == metrics.crps(y, means, stds)
    assert scores["coverage90"] == metrics.coverage(y, means, stds)[0.9]
    assert all(isinstance(v, float) for v in scores.values())
    assert list(metrics.score_all(y, means, stds, levels=[0.99, 0.675])) [-2:] == ["coverage99", "coverage67.5"]


@pytest.mark.parametrize("call, message", [
    (lambda: metrics.nll(np.zeros(3), np.zeros((2, 4)), np.ones((2, 4))), r"y: expected shape \(4,\)"),
    (lambda: metrics.crps(np.array([0.0, np.inf]), np.zeros(2), np.ones(2)), "y: not finite at point 1"),
    (lambda: metrics.rmse(np.zeros(2), np.zeros((2, 2)), np.ones((2, 3))), "stds: expected the shape of means"),
    (lambda: metrics.coverage(np.zeros(2), np.zeros(2), np.ones(2), levels=[0.9, 1.0]), "levels: expected"),
    (lambda: metrics.calibration_error(np.zeros(2), np.zeros(2), np.ones(2), levels=[]), "levels: expected"),
    (lambda: metrics.nll(np.zeros(2), np.zeros(2), -np.ones(2)), "stds: expected finite positive values"),
])
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()
