"""Bootstrap weights: the right distribution, different per member, reproducible from the seed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from priorlab.priors import Ensemble
from priorlab.priors.bootstrap import SCHEMES, bootstrap_weights


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 200), seed=st.integers(0, 2**32 - 1))
def test_multinomial_weights_are_counts_of_a_resample(n, seed):
    weights = bootstrap_weights("multinomial", n, np.random.default_rng(seed))
    assert weights.shape == (n,)
    assert np.all(weights == np.round(weights)) and weights.min() >= 0
    assert weights.sum() == n


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_scheme_has_mean_one(scheme):
    weights = bootstrap_weights(scheme, 200_000, np.random.default_rng(0))
    assert weights.min() >= 0
    assert abs(weights.mean() - 1.0) < 0.01  # 4+ standard errors for every scheme (variance <= 1)


def test_bernoulli_weights_are_zero_or_two_and_none_is_ones():
    assert set(np.unique(bootstrap_weights("bernoulli", 100, np.random.default_rng(0)))) == {0.0, 2.0}
    assert np.all(bootstrap_weights("none", 7, np.random.default_rng(0)) == 1.0)


@pytest.mark.parametrize("scheme", ["multinomial", "poisson", "bernoulli", "exponential"])
def test_members_differ_and_draws_are_reproducible(scheme):
    weights = Ensemble(n_members=6, bootstrap=scheme, seed=3).bootstrap_weights(50)
    assert weights.shape == (6, 50)
    assert len({row.tobytes() for row in weights}) == 6
    np.testing.assert_array_equal(weights, Ensemble(n_members=6, bootstrap=scheme, seed=3).bootstrap_weights(50))
    assert not np.array_equal(weights, Ensemble(n_members=6, bootstrap=scheme, seed=4).bootstrap_weights(50))
    # member k's draw depends on (seed, k) only, not on the ensemble size
    np.testing.assert_array_equal(weights[:2], Ensemble(n_members=2, bootstrap=scheme, seed=3).bootstrap_weights(50))


def test_unknown_scheme_is_named():
    with pytest.raises(ValueError, match=r"bootstrap.*'jackknife'"):
        Ensemble(bootstrap="jackknife")
