"""Samples over a Dask array stays lazy; the same NumPy code runs on both backends."""

from __future__ import annotations

import numpy as np
import pytest

from priorlab.samples import Samples

da = pytest.importorskip("dask.array", reason="the Dask backend needs the priorlab[dask] extra")


@pytest.fixture
def pair() -> tuple[Samples, Samples]:
    draws = np.random.default_rng(0).normal(size=(20, 6))
    return Samples(draws), Samples(da.from_array(draws, chunks=(10, 3)))


def test_operations_on_dask_samples_build_a_graph(pair) -> None:
    eager, lazy = pair
    result = np.exp(lazy) * 2 + lazy
    assert isinstance(result.samples, da.Array)
    summary = np.exp(lazy).mean()
    assert isinstance(summary, da.Array)
    np.testing.assert_allclose(summary.compute(), np.exp(eager).mean())
    np.testing.assert_allclose(result.samples.compute(), (np.exp(eager) * 2 + eager).samples)
    assert "lazy" in repr(lazy)


def test_functions_and_summaries_agree_between_backends(pair) -> None:
    eager, lazy = pair
    for func in (
        lambda s: np.sum(s, axis=0),
        lambda s: np.cumsum(s),
        lambda s: np.clip(s, -1, 1),
        lambda s: np.where(s > 0, s, 0.0),
        lambda s: np.concatenate([s, s]),
        lambda s: s[2:4] @ np.ones(2),
    ):
        lazy_result = func(lazy)
        assert isinstance(lazy_result.samples, da.Array)
        np.testing.assert_allclose(lazy_result.samples.compute(), func(eager).samples)
    for summary in ("mean", "std", "var", "median"):
        np.testing.assert_allclose(np.asarray(getattr(lazy, summary)()), getattr(eager, summary)())
    lower, upper = lazy.interval(0.8)
    assert isinstance(lower, da.Array)
    np.testing.assert_allclose(lower.compute(), eager.interval(0.8)[0])
    np.testing.assert_allclose(upper.compute(), eager.interval(0.8)[1])
    np.testing.assert_allclose(lazy.quantile([[0.1, 0.5]]).compute(), eager.quantile([[0.1, 0.5]]))


def test_pickling_a_dask_samples_keeps_it_lazy(pair) -> None:
    import pickle

    _, lazy = pair
    clone = pickle.loads(pickle.dumps(lazy))
    assert isinstance(clone.samples, da.Array)
