"""The same digit code on Dask arrays: lazy until computed, and counts identical to NumPy's."""

from __future__ import annotations

import numpy as np
import pytest

from priorlab import benford
from priorlab.benford import digits

da = pytest.importorskip("dask.array")


def _awkward_floats(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.concatenate([
        rng.lognormal(0, 40, 20000),
        -rng.lognormal(2, 3, 500),
        [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e-310, -3e-320, 1.7976931348623157e308, 0.3, 2.0],
    ])
    rng.shuffle(x)
    return x


def _never_computed(n: int):
    def fail(block):
        raise AssertionError("a Dask block was computed while the graph was being built")

    return da.zeros(n, chunks=n // 4, dtype=np.float64).map_blocks(fail, dtype=np.float64)


def test_digit_codes_stay_lazy_until_computed():
    lazy = _never_computed(1000)
    assert isinstance(digits.leading_digits(lazy, 2), da.Array)
    plan = digits._plan(lazy.dtype, 1, "both", 1.0)
    summary = digits._summarise(lazy, plan, mantissa=True)
    assert all(hasattr(part, "dask") for part in summary)  # counts and sums are still graphs
    with pytest.raises(AssertionError, match="was computed"):
        summary[0].compute()


@pytest.mark.parametrize("test", list(benford.TESTS))
def test_numpy_and_dask_give_identical_results(test):
    x = _awkward_floats()
    ours = benford.analyze(x, test, sign="both", min_value=1e-300)
    lazy = benford.analyze(da.from_array(x, chunks=3001), test, sign="both", min_value=1e-300)
    assert lazy.counts.tolist() == ours.counts.tolist()
    assert lazy.dropped == ours.dropped
    assert lazy.mantissa.mean == pytest.approx(ours.mantissa.mean, rel=1e-12)
    assert lazy.mantissa.excess_kurtosis == pytest.approx(ours.mantissa.excess_kurtosis, rel=1e-9)


def test_dask_integers_and_elementwise_digits():
    rng = np.random.default_rng(2)
    x = rng.integers(-(2**63), 2**63 - 1, 5000, dtype=np.int64)
    dx = da.from_array(x, chunks=777)
    assert np.array_equal(digits.leading_digits(dx, 3).compute(), digits.leading_digits(x, 3))
    f = _awkward_floats(1)
    assert np.array_equal(digits.leading_digits(da.from_array(f, chunks=999), 1).compute(), digits.leading_digits(f, 1))


def test_local_cluster_with_two_workers_matches_numpy():
    from priorlab.distributed import dask_client

    x = _awkward_floats(3)
    dx = da.from_array(x, chunks=4096)
    with dask_client(workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        for test in ("first", "first-two", "last-two"):
            remote = benford.analyze(dx, test, sign="both")
            local = benford.analyze(x, test, sign="both")
            assert remote.counts.tolist() == local.counts.tolist(), test
            assert remote.dropped == local.dropped, test
