"""GaussianMixture against independent computations: scipy.stats.norm for one component, numerical
integration and a root finder of SciPy's for mixtures, Monte Carlo for sampling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from priorlab.predictive import QUANTILE_TOL, GaussianMixture
from priorlab.samples import Samples

locations = st.floats(-1e3, 1e3)
scales = st.floats(1e-3, 1e3)


@settings(max_examples=40, deadline=None)
@given(mu=locations, sigma=scales, q=st.floats(1e-6, 1 - 1e-6), u=st.floats(-6, 6))
def test_one_component_is_scipys_normal(mu, sigma, q, u):
    mixture = GaussianMixture([[mu]], [[sigma**2]])
    normal = stats.norm(mu, sigma)
    y = mu + u * sigma
    np.testing.assert_allclose(mixture.mean(), [mu])
    np.testing.assert_allclose(mixture.std(), [sigma], rtol=1e-12)
    np.testing.assert_allclose(mixture.aleatoric_std(), [sigma], rtol=1e-12)
    np.testing.assert_array_equal(mixture.epistemic_std(), [0.0])
    np.testing.assert_allclose(mixture.cdf(y), [normal.cdf(y)], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(mixture.log_prob(y), [normal.logpdf(y)], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(mixture.quantile(q), [normal.ppf(q)], rtol=0, atol=QUANTILE_TOL * sigma + 1e-9)
    lower, upper = mixture.interval(0.8)
    np.testing.assert_allclose([lower[0], upper[0]], normal.interval(0.8), rtol=1e-9, atol=1e-9)


def random_mixture(seed: int, k: int = 5, n: int = 4) -> GaussianMixture:
    rng = np.random.default_rng(seed)
    return GaussianMixture(rng.normal(0, 3, (k, n)), rng.uniform(0.05, 2.0, (k, n)) ** 2)


def pdf(mixture: GaussianMixture, i: int):
    means, stds = mixture.means[:, i], np.sqrt(mixture.variances[:, i])
    return lambda y: stats.norm.pdf(y, means, stds).mean()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_moments_are_those_of_the_integrated_density(seed):
    """The law of total variance against the moments of the density, integrated numerically."""
    mixture = random_mixture(seed)
    for i in range(mixture.shape[0]):
        density = pdf(mixture, i)
        total = integrate.quad(density, -np.inf, np.inf, limit=200)[0]
        first = integrate.quad(lambda y, f=density: y * f(y), -np.inf, np.inf, limit=200)[0]
        second = integrate.quad(lambda y, f=density, m=first: (y - m) ** 2 * f(y), -np.inf, np.inf, limit=200)[0]
        assert total == pytest.approx(1.0, abs=1e-8)
        assert mixture.mean()[i] == pytest.approx(first, abs=1e-7)
        assert mixture.std()[i] == pytest.approx(np.sqrt(second), rel=1e-7)
    np.testing.assert_allclose(mixture.std() ** 2, mixture.epistemic_std() ** 2 + mixture.aleatoric_std() ** 2)
    np.testing.assert_allclose(mixture.epistemic_std(), mixture.means.std(axis=0))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cdf_log_prob_and_quantiles_against_scipy(seed):
    mixture = random_mixture(seed)
    for i in range(mixture.shape[0]):
        density = pdf(mixture, i)
        for y in (-4.0, 0.3, 2.5):
            assert mixture.cdf(np.full(mixture.shape, y))[i] == pytest.approx(
                integrate.quad(density, -np.inf, y, limit=200)[0], abs=1e-8)
            assert mixture.log_prob(np.full(mixture.shape, y))[i] == pytest.approx(np.log(density(y)), rel=1e-10)
        for q in (0.001, 0.05, 0.5, 0.9, 0.999):
            def gap(y, q=q, i=i):
                return stats.norm.cdf(y, mixture.means[:, i], np.sqrt(mixture.variances[:, i])).mean() - q
            exact = optimize.brentq(gap, -100, 100, xtol=1e-14, rtol=1e-15)
            smallest_std = np.sqrt(mixture.variances[:, i]).min()
            assert abs(mixture.quantile(q)[i] - exact) <= QUANTILE_TOL * smallest_std + 1e-12
    quantiles = mixture.quantile([0.1, 0.5, 0.9])
    assert quantiles.shape == (3, *mixture.shape)
    lower, upper = mixture.interval(0.8)
    np.testing.assert_array_equal(lower, quantiles[0])
    np.testing.assert_array_equal(upper, quantiles[2])


def test_log_prob_is_stable_far_in_the_tails():
    mixture = GaussianMixture([[0.0], [1.0]], [[1.0], [4.0]])
    y = 1e3
    # far out the wide component dominates: log(0.5 * N(y; 1, 4)), where the naive sum underflows to log(0)
    expected = np.log(0.5) + stats.norm.logpdf(y, 1.0, 2.0)
    assert np.isfinite(mixture.log_prob(y)[0])
    assert mixture.log_prob(y)[0] == pytest.approx(expected, rel=1e-12)


def test_sampling_is_reproducible_and_matches_the_distribution():
    mixture = random_mixture(4, k=3, n=2)
    draws = mixture.sample(200_000, seed=7)
    assert isinstance(draws, Samples) and draws.samples.shape == (200_000, 2)
    np.testing.assert_array_equal(draws.samples, mixture.sample(200_000, seed=7).samples)
    assert not np.array_equal(draws.samples[:10], mixture.sample(10, seed=8).samples)
    standard_error = mixture.std() / np.sqrt(200_000)
    assert np.all(np.abs(draws.mean() - mixture.mean()) < 5 * standard_error)
    np.testing.assert_allclose(draws.std(), mixture.std(), rtol=0.01)
    for y in (-1.0, 0.5, 2.0):  # the empirical CDF, within 5 binomial standard errors
        empirical = (draws.samples <= y).mean(axis=0)
        assert np.all(np.abs(empirical - mixture.cdf(y)) < 5 * np.sqrt(0.25 / 200_000))
    lower, upper = mixture.interval(0.9)
    inside = ((draws.samples >= lower) & (draws.samples <= upper)).mean(axis=0)
    assert np.all(np.abs(inside - 0.9) < 5 * np.sqrt(0.09 / 200_000))


def test_members_multi_output_and_read_only():
    means = np.arange(12.0).reshape(2, 3, 2)
    mixture = GaussianMixture(means, np.ones_like(means))
    assert mixture.shape == (3, 2) and mixture.n_components == 2
    assert isinstance(mixture.members, Samples)
    np.testing.assert_array_equal(mixture.members.samples, means)
    assert mixture.sample(5, seed=0).samples.shape == (5, 3, 2)
    assert mixture.quantile(0.5).shape == (3, 2)
    means[0, 0, 0] = 100.0  # the mixture holds its own copy
    assert mixture.means[0, 0, 0] == 0.0
    with pytest.raises(ValueError):
        mixture.means[0, 0, 0] = 1.0


@pytest.mark.parametrize("means, variances, message", [
    ([[0.0]], [[0.0]], "variances: every variance must be finite and > 0"),
    ([[0.0]], [[-1.0]], "variances"), ([[np.nan]], [[1.0]], "means: contains NaN"),
    ([[0.0, 1.0]], [[1.0]], "variances: expected the shape of means"), (np.zeros((0, 2)), np.zeros((0, 2)), "K >= 1"),
])
def test_bad_mixtures_are_named(means, variances, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixture(means, variances)


def test_bad_arguments_are_named():
    mixture = random_mixture(0)
    for level in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="level"):
            mixture.interval(level)
    with pytest.raises(ValueError, match="q: expected probabilities"):
        mixture.quantile([0.5, 1.0])
    for n in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n: expected a number of draws"):
            mixture.sample(n)


def test_dask_components_give_lazy_summaries_equal_to_the_in_memory_ones():
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(7)
    means, variances = rng.normal(0, 3, (5, 30, 2)), rng.uniform(0.05, 2.0, (5, 30, 2)) ** 2
    eager = GaussianMixture(means, variances)
    lazy = GaussianMixture(da.from_array(means, chunks=(2, 7, 1)), da.from_array(variances, chunks=(5, 11, 2)))
    assert lazy.lazy and not eager.lazy and lazy.shape == eager.shape
    y = rng.normal(0, 3, (30, 2))
    for method, arguments in [("mean", ()), ("var", ()), ("std", ()), ("epistemic_std", ()), ("aleatoric_std", ()),
                              ("cdf", (y,)), ("log_prob", (y,)), ("quantile", ([[0.1, 0.5, 0.95]],)),
                              ("cdf", (da.from_array(y, chunks=13),))]:
        got = getattr(lazy, method)(*arguments)
        assert isinstance(got, da.Array), method
        want = getattr(eager, method)(*(np.asarray(a) for a in arguments))
        np.testing.assert_allclose(got.compute(), want, rtol=1e-13, atol=1e-13)
    lower, upper = lazy.interval(0.8)
    np.testing.assert_allclose([lower.compute(), upper.compute()], eager.interval(0.8), rtol=1e-13)
    np.testing.assert_array_equal(lazy.compute().means, means)
    assert isinstance(lazy.members.samples, da.Array)


def test_dask_components_are_checked_when_computed():
    da = pytest.importorskip("dask.array")
    variances = np.ones((3, 8))
    variances[2, 6] = -1.0
    lazy = GaussianMixture(da.zeros((3, 8), chunks=4), da.from_array(variances, chunks=4))  # no error yet
    with pytest.raises(ValueError, match="variances: every variance must be finite and > 0"):
        lazy.std().compute()
    with pytest.raises(ValueError, match="variances: expected the shape of means"):
        GaussianMixture(da.zeros((3, 8)), np.ones((3, 7)))
    with pytest.raises(ValueError, match=r"sample: .*compute\(\)"):
        GaussianMixture(da.zeros((3, 8)), np.ones((3, 8))).sample(2)
