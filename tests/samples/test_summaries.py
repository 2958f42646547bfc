"""Summaries reduce over the draws and agree with NumPy on `.samples`; per-draw reductions stay Samples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from priorlab.samples import Samples

FEW = settings(max_examples=20, deadline=None)


@FEW
@given(
    shape=array_shapes(min_dims=0, max_dims=3, max_side=4),
    n_draws=st.integers(1, 8),
    dtype=st.sampled_from([np.float64, np.float32, np.int64]),
    seed=st.integers(0, 2**32 - 1),
    q=st.floats(0, 1),
    level=st.floats(0.01, 0.99),
)
def test_summaries_agree_with_numpy_over_the_draw_axis(shape, n_draws, dtype, seed, q, level) -> None:
    draws = (np.random.default_rng(seed).normal(size=(n_draws, *shape)) * 10).astype(dtype)
    s = Samples(draws)
    np.testing.assert_array_equal(s.mean(), draws.mean(axis=0))
    np.testing.assert_array_equal(s.std(), draws.std(axis=0))
    np.testing.assert_array_equal(s.var(ddof=0), draws.var(axis=0))
    np.testing.assert_array_equal(s.median(), np.median(draws, axis=0))
    np.testing.assert_array_equal(s.quantile(q), np.quantile(draws, q, axis=0))
    lower, upper = s.interval(level)
    expected = np.quantile(draws, [(1 - level) / 2, 1 - (1 - level) / 2], axis=0)
    np.testing.assert_array_equal(lower, expected[0])
    np.testing.assert_array_equal(upper, expected[1])
    assert np.all(lower <= upper)
    assert not isinstance(s.mean(), Samples) and np.shape(s.mean()) == shape


def test_summaries_of_a_scalar_are_numpy_scalars() -> None:
    s = Samples(np.array([1.0, 2.0, 6.0]))
    assert isinstance(s.mean(), np.float64) and s.mean() == 3.0
    assert isinstance(s.median(), np.float64) and s.median() == 2.0
    assert s.std(ddof=1) == pytest.approx(np.std([1.0, 2.0, 6.0], ddof=1))
    assert s.quantile([0.0, 1.0]).tolist() == [1.0, 6.0]


def test_interval_and_quantile_reject_impossible_levels() -> None:
    s = Samples(np.arange(10.0))
    for level in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="level"):
            s.interval(level)
    with pytest.raises(ValueError, match="q must lie in"):
        s.quantile(1.5)


def test_per_draw_reductions_return_samples_and_summaries_do_not() -> None:
    s = Samples(np.random.default_rng(0).normal(size=(50, 3, 4)))
    per_draw_mean = np.mean(s, axis=0)
    assert isinstance(per_draw_mean, Samples) and per_draw_mean.shape == (4,)
    np.testing.assert_allclose(per_draw_mean.samples, s.samples.mean(axis=1))
    np.testing.assert_allclose(per_draw_mean.mean(), s.mean().mean(axis=0))


def test_cov_and_corrcoef_across_draws() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=400)
    s = Samples(np.stack([x, 2 * x + 1, rng.normal(size=400)], axis=1))
    np.testing.assert_allclose(s.cov(), np.cov(s.samples.T))
    corr = s.corrcoef()
    assert corr[0, 1] == pytest.approx(1.0) and abs(corr[0, 2]) < 0.2
    with pytest.raises(ValueError, match="1-D Samples"):
        Samples(np.zeros((5, 2, 2))).cov()


@settings(max_examples=10, deadline=None)
@given(shape=array_shapes(min_dims=0, max_dims=2, max_side=3), bins=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_hist_counts_every_draw_of_every_element(shape, bins: int, seed: int) -> None:
    draws = np.random.default_rng(seed).normal(size=(30, *shape))
    hist = Samples(draws).hist(bins=bins)
    assert hist.counts.shape == (bins, *shape)
    np.testing.assert_array_equal(hist.counts.sum(axis=0), np.full(shape, 30))
    for index in np.ndindex(*shape):
        counts, _ = np.histogram(draws[(slice(None), *index)], bins=hist.edges)
        np.testing.assert_array_equal(hist.counts[(slice(None), *index)], counts)
    density = Samples(draws).hist(bins=bins, density=True)
    np.testing.assert_allclose(
        (density.counts * np.diff(density.edges).reshape((-1,) + (1,) * len(shape))).sum(axis=0), 1.0
    )
