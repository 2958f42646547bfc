"""The corporate payments of Nigrini (2012) against R benford.analysis' published output, on NumPy and Dask."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from priorlab import benford
from priorlab.benford import records, stats

try:
    from . import r_benford_analysis as R
except ImportError:  # run as a rootdir-relative module
    import r_benford_analysis as R


@pytest.fixture(scope="module")
def payments(shared_data):
    return pd.read_csv(shared_data / "nigrini" / "corporate_payment.csv", dtype={"InvNum": str, "Date": str})


def _amounts(payments, backend):
    x = payments["Amount"].to_numpy()
    if backend == "dask":
        import dask.array as da

        return da.from_array(x, chunks=40_000)
    return x


@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_first_two_digits_with_arc_test_and_distortion_factor(payments, backend):
    result = benford.analyze(_amounts(payments, backend), "first-two")
    assert result.n == R.N
    assert [d for d, _ in result.largest_deviations[:5]] == [d for d, _ in R.LARGEST_DEVIATIONS]
    for (_, got), (_, published) in zip(result.largest_deviations, R.LARGEST_DEVIATIONS, strict=False):
        assert got == pytest.approx(published, abs=0.005)
    # R reads digits as trunc(x * 10**k) in floating point, which moves a few amounts into the bucket below
    # (e.g. 0.29 * 100 = 28.999999999999996 -> 28); exact digits move chi-square by 0.02%, the MAD by less
    assert result.chi2 == pytest.approx(R.CHI2, rel=5e-4)
    assert result.mad == pytest.approx(R.MAD, abs=5e-10)
    m = result.mantissa
    for name, published in R.MANTISSA.items():
        assert round(getattr(m, name), 3) == published
    assert float(f"{m.arc_l2:.5g}") == R.ARC_L2
    assert m.arc_p_value < 2.2e-16 and m.arc_p_value == pytest.approx(math.exp(-R.N * m.arc_l2), rel=1e-12)
    # R's DF divides by 39.0685 (a transposition of 39.0865): undo it, then use the exact EM = 90 / ln 10
    collapsed_mean = R.DISTORTION_FACTOR / 100 * R.R_DF_DENOMINATOR + R.R_DF_CENTRE
    em = 90 / math.log(10)
    assert result.distortion_factor == pytest.approx(100 * (collapsed_mean - em) / em, abs=2e-6)
    assert result.to_dict()["distortion_factor"] == result.distortion_factor
    assert result.to_dict()["mantissa"]["arc_l2"] == m.arc_l2


@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_second_order_counts_the_published_number_of_differences(payments, backend):
    result = benford.analyze(_amounts(payments, backend), "second-order")
    assert result.n == R.N_SECOND_ORDER
    positive = int((payments["Amount"] > 0).sum())
    assert result.dropped["zero"] == positive - 1 - R.N_SECOND_ORDER  # repeated amounts: zero differences
    assert result.conformity is None  # Nigrini publishes no MAD ranges for the second-order test


def test_suspects_are_the_published_rows(payments):
    result = benford.analyze(payments["Amount"], "first-two")
    rows = records.suspects(result, payments, "Amount", top=2)
    assert len(rows) == R.N_SUSPECTS
    as_text = rows.astype(str)
    as_text["Amount"] = rows["Amount"].map(lambda v: f"{v:.2f}")
    tuples = list(as_text[["VendorNum", "Date", "InvNum", "Amount"]].itertuples(index=False, name=None))
    assert tuples[:5] == R.FIRST_SUSPECTS and tuples[-5:] == R.LAST_SUSPECTS
    assert result.suspects(payments, "Amount").index.equals(rows.index)


def test_conformity_of_the_mad_matches_r():
    assert stats.conformity("first-two", R.MAD) == "nonconformity"
