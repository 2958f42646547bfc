"""Bootstrap weights and minibatches: the right distributions (against SciPy's), independent across members and
rows, different per member, reproducible from the seed, and every minibatch a restriction of the full batch."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
import scipy.stats
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from priorlab.priors import Ensemble, member_data
from priorlab.priors.bootstrap import SCHEMES, bootstrap_weights, resampled_rows, row_weights
from priorlab.priors.member_data import MemberData, target_noise
from priorlab.priors.seeding import counter_uniforms, member_keys

keys_63 = st.integers(0, 2**63 - 1)
KEYS = member_keys(0, range(4), "bootstrap")
ROWS = torch.arange(200_000)


def _keys(*values: int) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.int64).unsqueeze(1)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 300), key=keys_63)
def test_multinomial_weights_are_counts_of_a_resample(n, key):
    weights = bootstrap_weights("multinomial", n, _keys(key)).numpy()[0]
    assert weights.shape == (n,)
    assert np.all(weights == np.round(weights)) and weights.min() >= 0
    assert weights.sum() == n


@pytest.mark.parametrize("n", [2, 7, 1000, 2**31 - 1])
def test_resampled_rows_are_uniform_over_the_rows(n):
    """Chi-square against the uniform law over min(n, 1000) equal-width bins of the row range."""
    rows = resampled_rows(KEYS[:1], ROWS, n).numpy()[0]
    assert rows.min() >= 0 and rows.max() < n
    bins = min(n, 1000)
    observed = np.bincount(rows * bins // n, minlength=bins)
    expected = np.diff(np.ceil(np.arange(bins + 1) * n / bins)) / n * len(rows)  # rows per bin, exactly
    assert scipy.stats.chisquare(observed, expected).pvalue > 1e-4


def test_multinomial_counts_follow_the_binomial_law():
    """Each row's count in a resample of n is Binomial(n, 1/n): the histogram of counts over the rows."""
    n = 100_000
    counts = bootstrap_weights("multinomial", n, KEYS[:1]).numpy()[0].astype(int)
    observed = np.bincount(counts, minlength=6)[:6]
    expected = scipy.stats.binom.pmf(np.arange(6), n, 1 / n) * n
    observed[5] += (counts > 5).sum()
    expected[5] += scipy.stats.binom.sf(5, n, 1 / n) * n
    assert scipy.stats.chisquare(observed, expected).pvalue > 1e-4


@pytest.mark.parametrize("scheme, law", [("poisson", scipy.stats.poisson(1.0)),
                                         ("bernoulli", scipy.stats.bernoulli(0.5))])
def test_discrete_weights_follow_their_law(scheme, law):
    weights = row_weights(scheme, KEYS[:1], ROWS).numpy()[0]
    values = weights / 2 if scheme == "bernoulli" else weights
    assert np.all(values == np.round(values))
    top = 6
    observed = np.bincount(np.minimum(values.astype(int), top), minlength=top + 1)
    expected = np.append(law.pmf(np.arange(top)), law.sf(top - 1)) * len(values)
    keep = expected > 0
    assert scipy.stats.chisquare(observed[keep], expected[keep]).pvalue > 1e-4


def test_continuous_draws_follow_their_law():
    exponential = row_weights("exponential", KEYS[:1], ROWS).numpy()[0]
    assert scipy.stats.kstest(exponential, scipy.stats.expon.cdf).pvalue > 1e-4
    normal = target_noise(KEYS[:1], ROWS[:50_000], 3).numpy().ravel()
    assert scipy.stats.kstest(normal, scipy.stats.norm.cdf).pvalue > 1e-4


def test_none_is_ones():
    assert np.all(bootstrap_weights("none", 7, KEYS).numpy() == 1.0)


@settings(max_examples=40, deadline=None)
@given(first=keys_63, second=keys_63, start=st.integers(0, 2**32 - 4096))
def test_streams_of_different_keys_are_uncorrelated(first, second, start):
    """Any two keys, high bits included, and any stretch of counters: uncorrelated uniforms (|r| under 5 standard
    errors), and a key's neighbouring counters too."""
    counters = torch.arange(start, start + 4096)
    limit = 5 / np.sqrt(len(counters))
    u = counter_uniforms(_keys(first), counters).numpy()[0]
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < limit
    if first != second:
        v = counter_uniforms(_keys(second), counters).numpy()[0]
        assert abs(np.corrcoef(u, v)[0, 1]) < limit


def test_keys_differing_only_in_their_high_bits_give_other_streams():
    counters = torch.arange(4096)
    u = counter_uniforms(_keys(12345, 12345 + 2**32, 12345 + 2**40), counters).numpy()
    assert abs(np.corrcoef(u)[np.triu_indices(3, 1)]).max() < 5 / np.sqrt(len(counters))


@pytest.mark.parametrize("scheme", ["multinomial", "poisson", "bernoulli", "exponential"])
def test_members_differ_and_draws_are_reproducible(scheme):
    weights = Ensemble(n_members=6, bootstrap=scheme, seed=3).bootstrap_weights(50)
    assert weights.shape == (6, 50)
    assert len({row.tobytes() for row in weights}) == 6
    np.testing.assert_array_equal(weights, Ensemble(n_members=6, bootstrap=scheme, seed=3).bootstrap_weights(50))
    assert not np.array_equal(weights, Ensemble(n_members=6, bootstrap=scheme, seed=4).bootstrap_weights(50))
    # member k's draw depends on (seed, k) only, not on the ensemble size
    np.testing.assert_array_equal(weights[:2], Ensemble(n_members=2, bootstrap=scheme, seed=3).bootstrap_weights(50))


@settings(max_examples=40, deadline=None)
@given(scheme=st.sampled_from(SCHEMES), n=st.integers(1, 60), batch=st.integers(1, 70), seed=st.integers(0, 99),
       noise_std=st.sampled_from([0.0, 0.5]), block=st.integers(1, 200), offset_table=st.booleans())
def test_an_epoch_of_minibatches_is_the_full_batch(scheme, n, batch, seed, noise_std, block, offset_table):
    """The minibatches of one shuffled epoch hold, member by member, exactly the full batch's bootstrap: a
    multinomial member's gathered rows have the full batch's counts, other schemes' weights and every member's
    noisy targets and prior offsets are the full batch's at those rows; whether the batches are drawn in blocks
    of any size, and the prior's outputs kept in a table or evaluated block by block."""
    generator = torch.Generator().manual_seed(seed)
    x, y = torch.randn(n, 2, generator=generator), torch.randn(n, 1, generator=generator)
    k = 3
    shift = torch.randn(k, 1, 1, generator=generator)

    def prior_offset(inputs):  # a member-dependent function of each row, as a prior is
        return inputs.sum(dim=-1, keepdim=True).expand(k, *inputs.shape[-2:-1], 1) * shift

    with mock.patch.multiple(member_data, BLOCK_MEMBER_ROWS=block, OFFSET_TABLE_BYTES=2**30 if offset_table else 0):
        data = MemberData(x, y, prior_offset, 1, scheme, member_keys(seed, range(k), "bootstrap"),
                          member_keys(seed, range(k), "noise"), noise_std)
        assert (data._offset_table is not None) == offset_table  # x holds 2 values per row, the table 3
        full = data.full()
        order = torch.randperm(n, generator=generator)
        batches = list(data.minibatches(order, batch))
    counts = torch.zeros(k, n)
    assert len(batches) == len(order.split(batch))
    for positions, part in zip(order.split(batch), batches, strict=True):
        if scheme == "multinomial":
            rows = resampled_rows(data.bootstrap_keys, positions, n)
            counts.scatter_add_(1, rows, torch.ones(rows.shape))
            assert torch.all(part.weights == 1)
        else:
            rows = positions.expand(k, -1)
            torch.testing.assert_close(part.weights, full.weights[:, positions])
        member_rows = torch.arange(k).unsqueeze(1), rows
        torch.testing.assert_close(part.y, full.y[member_rows])
        torch.testing.assert_close(part.offset, full.offset[member_rows])
        torch.testing.assert_close(part.x.expand(k, -1, -1), x[rows])
    if scheme == "multinomial":
        torch.testing.assert_close(counts, full.weights[..., 0])


def test_unknown_scheme_is_named():
    with pytest.raises(ValueError, match=r"bootstrap.*'jackknife'"):
        Ensemble(bootstrap="jackknife")
