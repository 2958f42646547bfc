"""Nigrini's remaining tests against brute force in plain Python (decimal strings, math, Counter), on NumPy
and Dask: mantissa arc test, distortion factor, second order, summation, number duplication, groups."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from decimal import Decimal

import dask.array as da
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from priorlab import benford
from priorlab.benford import records
from priorlab.benford.groups import analyze_by
from priorlab.benford.summation import summation

amounts = st.lists(
    st.one_of(
        st.floats(-1e7, 1e7, allow_nan=False).map(lambda v: round(v, 2)),
        st.floats(1e-5, 1e12, allow_nan=False),
        st.sampled_from([0.0, math.nan, math.inf, 50.0, 0.3, 0.2, 1.1, 1.0]),
    ),
    min_size=3,
    max_size=200,
)


def significant(value, k: int) -> int:
    """First k significant digits of the shortest decimal of a float (repr), padded with zeros."""
    digits = repr(abs(float(value))).split("e")[0].replace(".", "").lstrip("0")
    return int((digits + "0" * k)[:k])


def positive(values):
    return [v for v in values if v > 0 and math.isfinite(v)]


def lazy(values):
    return da.from_array(np.array(values, dtype=float), chunks=7)


# --- mantissa arc test and distortion factor ----------------------------------------------------------


@given(amounts)
def test_arc_test_and_distortion_factor_match_plain_math(values):
    kept = positive(values)
    if not kept:
        return
    result = benford.analyze(np.array(values), "first")
    m = [math.log10(v) % 1.0 for v in kept]
    c = math.fsum(math.cos(2 * math.pi * t) for t in m) / len(m)
    s = math.fsum(math.sin(2 * math.pi * t) for t in m) / len(m)
    # float32 angles: each cos/sin within 3e-7, so L2 within 1.2e-6 (stated in digits._summarise)
    assert result.mantissa.arc_l2 == pytest.approx(c * c + s * s, abs=1.2e-6)
    assert result.mantissa.arc_p_value == pytest.approx(math.exp(-len(m) * result.mantissa.arc_l2), rel=1e-9)
    large = [v for v in kept if v >= 10]
    if not large:
        assert math.isnan(result.distortion_factor)
        return
    collapsed = math.fsum(10 * v / 10 ** math.floor(math.log10(v)) for v in large) / len(large)
    em = 90 / math.log(10)
    assert result.distortion_factor == pytest.approx(100 * (collapsed - em) / em, abs=1e-9)


def test_arc_and_df_are_the_same_on_dask():
    x = np.random.default_rng(3).lognormal(3, 2, 5000)
    x[::17] = np.nan
    a, b = benford.analyze(x, "first"), benford.analyze(da.from_array(x, chunks=999), "first")
    assert a.mantissa.arc_l2 == pytest.approx(b.mantissa.arc_l2, rel=1e-12)
    assert a.distortion_factor == pytest.approx(b.distortion_factor, rel=1e-12)


def test_benford_data_have_no_distortion_and_a_flat_arc():
    x = 10 ** np.random.default_rng(0).uniform(0, 6, 200_000)  # Benford's law exactly in distribution
    r = benford.analyze(x, "first")
    assert abs(r.distortion_factor) < 0.5 and r.mantissa.arc_p_value > 1e-3
    collapsed = 10 * x / 10 ** np.floor(np.log10(x))
    shaved = np.where(collapsed >= 50, x * 0.6, x)  # amounts from 5... cut by 40%: understated
    assert benford.analyze(shaved, "first").distortion_factor < -10


# --- second order ---------------------------------------------------------------------------------------


# the decimal difference is recoverable for amounts in a common unit with up to 15 significant digits (the
# docstring of second_order): 1e12 - 0.00390625 needs 21 digits, two 17-digit floats' difference is not theirs
decimal_amounts = st.integers(0, 4).flatmap(
    lambda places: st.lists(
        st.one_of(st.integers(-(10**13), 10**13), st.integers(-100, 100)).map(
            lambda i: float(Decimal(i).scaleb(-places))
        ),
        min_size=3,
        max_size=200,
    )
)


@settings(max_examples=40)  # each example also builds and computes a Dask graph
@given(decimal_amounts)
@example([0.2, 0.3, 0.7, 1.1, 50.37, 50.38])  # in float64 0.3 - 0.2 reads 99..., 0.7 - 0.3 reads 39...
@example([0.0, 999999999900.0, 999999999999.998])  # log10 of the larger amount rounds up to 12
def test_second_order_reads_the_decimal_differences(values):
    kept = sorted(Decimal(repr(v)) for v in positive(values))
    steps = [b - a for a, b in itertools.pairwise(kept)]
    nonzero = [s for s in steps if s]
    if not nonzero:
        with pytest.raises(ValueError, match="no positive values"):
            benford.analyze(np.array(values), "second-order")
        return
    expected = Counter(int(format(s, "f").replace(".", "").lstrip("0").ljust(2, "0")[:2]) for s in nonzero)
    for data in (np.array(values), lazy(values)):
        result = benford.analyze(data, "second-order")
        assert result.n == len(nonzero) and result.dropped["zero"] == len(steps) - len(nonzero)
        assert dict(zip(result.digits.tolist(), result.counts.tolist(), strict=True)) == {
            d: expected.get(d, 0) for d in range(10, 100)
        }


def test_second_order_of_big_integers_is_exact():
    values = [10**30 + 7, 10**30 + 19, 10**30, 5 * 10**25]
    result = benford.analyze(values, "second-order")
    assert result.n == 3 and {d: c for d, c in zip(result.digits, result.counts, strict=True) if c} == {
        70: 1, 12: 1, 99: 1,  # 7, 12, and 10**30 - 5*10**25 = 9999500...0
    }  # fmt: skip


# --- summation ------------------------------------------------------------------------------------------


@given(amounts, st.sampled_from(["positive", "negative", "both"]))
@settings(max_examples=40)  # each example also builds and computes a Dask graph
def test_summation_sums_the_amounts_by_their_first_two_digits(values, sign):
    keep = {"positive": lambda v: v > 0, "negative": lambda v: v < 0, "both": lambda v: v != 0}[sign]
    kept = [abs(v) for v in values if math.isfinite(v) and keep(v)]
    if not kept:
        with pytest.raises(ValueError, match="no values left"):
            summation(np.array(values), sign)
        return
    sums = defaultdict(Decimal)
    for v in kept:
        sums[significant(v, 2)] += Decimal(v)
    total = sum(sums.values())
    for data in (np.array(values), lazy(values)):
        result = summation(data, sign)
        assert result.n == len(kept)
        for d in range(10, 100):
            assert result.sums[d - 10] == pytest.approx(float(sums.get(d, 0)), rel=1e-12, abs=1e-9)
        excess = {d: float(sums.get(d, 0) - total / 90) for d in range(10, 100)}
        best = max(excess.values())
        assert excess[result.largest_excess[0][0]] == pytest.approx(best, rel=1e-9, abs=1e-6)


def test_summation_refuses_text():
    with pytest.raises(TypeError, match="summation test needs numeric amounts"):
        summation(["12.5", "x"])
    assert benford.analyze([12.0, 50.0, 5.07], "summation").sums[50 - 10] == 55.07


# --- number duplication ---------------------------------------------------------------------------------


@given(st.lists(st.sampled_from([50.0, 1153.35, 12.0, -50.0, 0.0, 299.0, 1300.0, 7.0]), min_size=1, max_size=60))
@settings(max_examples=40)  # each example also builds and computes a Dask graph
def test_number_duplication_counts_like_counter(values):
    kept = [v for v in values if v > 0]
    if not kept:
        return
    counter = Counter(kept)
    expected = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:3]
    for data in (np.array(values), lazy(values)):
        dup = records.number_duplication(data, top=3)
        assert list(zip(dup.values.tolist(), dup.counts.tolist(), strict=True)) == expected
        assert dup.shares.tolist() == [c / len(kept) for _, c in expected]
    last_two = Counter(int(v) % 100 for v in kept if v >= 10)
    if last_two:
        dup = records.number_duplication(np.array(values), top=2, key="last-two")
        assert (
            list(zip(dup.values.tolist(), dup.counts.tolist(), strict=True))
            == sorted(last_two.items(), key=lambda item: (-item[1], item[0]))[:2]
        )


def test_duplicate_rows_keep_their_row_numbers():
    import pandas as pd

    frame = pd.DataFrame({"id": list("abcdef"), "amount": [50.0, 12.0, 50.0, 7.0, 12.0, 50.0]})
    rows = records.duplicates(frame, "amount", top=1)
    assert rows.index.tolist() == [0, 2, 5] and rows["id"].tolist() == ["a", "c", "f"]


# --- groups -----------------------------------------------------------------------------------------------


def bh(p):
    """Benjamini-Hochberg adjusted p-values, written out: min over j >= i of p_(j) m / j, capped at 1."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        adjusted[i] = running
    return adjusted


@pytest.mark.parametrize("test", ["first", "second", "first-two", "last-two"])
def test_groups_match_each_group_counted_on_its_own(test):
    rng = np.random.default_rng(1)
    x = np.round(rng.lognormal(4, 2, 3000), 2)
    keys = rng.integers(0, 12, x.size)
    x[keys == 3] = 50.0 + rng.integers(0, 3, (keys == 3).sum())  # one vendor with invented amounts
    x[::50] = -x[::50]
    result = analyze_by(x, keys, test, min_n=200)
    sizes = Counter(int(k) for k, v in zip(keys, x, strict=True) if v > 0 and (test != "last-two" or v >= 10))
    tested = {k for k, n in sizes.items() if n >= 200}
    assert set(result.keys) == tested and result.n_small == len(sizes) - len(tested)
    digits, law = benford.expected(test)
    for key, r in zip(result.keys, result.results, strict=True):
        values = [v for k, v in zip(keys, x, strict=True) if k == key and v > 0]
        if test == "last-two":
            observed = Counter(int(v) % 100 for v in values if v >= 10)
        elif test == "second":
            observed = Counter(significant(v, 2) % 10 for v in values)
        else:
            observed = Counter(significant(v, {"first": 1, "first-two": 2}[test]) for v in values)
        n = sum(observed.values())
        mad = math.fsum(abs(observed.get(int(d), 0) / n - p) for d, p in zip(digits, law, strict=True)) / len(law)
        assert r.n == n and r.mad == pytest.approx(mad, rel=1e-12)
    assert result.keys[0] == 3  # the invented amounts: the worst MAD
    assert [r.mad for r in result.results] == sorted((r.mad for r in result.results), reverse=True)
    assert result.p_adjusted.tolist() == pytest.approx(bh([r.chi2_p for r in result.results]), rel=1e-12)
    lazy_result = analyze_by(da.from_array(x, chunks=701), da.from_array(keys, chunks=701), test, min_n=200)
    assert lazy_result.keys == result.keys and [r.n for r in lazy_result.results] == [r.n for r in result.results]


def test_groups_refuse_min_n_above_every_group():
    with pytest.raises(ValueError, match=r"--min-n: all 2 groups .* fewer than 10 values \(the largest has 3\)"):
        analyze_by([12.0, 13.0, 14.0, 15.0], ["a", "a", "a", "b"], min_n=10)
