"""Digit extraction against string oracles: every finite float, and integers of any size."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from priorlab.benford import digits


def oracle(value, k: int) -> int:
    """First k significant digits of the shortest round-trip decimal (repr), zero-padded."""
    if isinstance(value, int):
        text = str(abs(value))
    else:
        text = "".join(map(str, decimal.Decimal(repr(float(value))).as_tuple().digits)).lstrip("0")
    return int((text + "0" * k)[:k])


finite_nonzero = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True).filter(bool)


@settings(max_examples=400, deadline=None)
@given(st.lists(finite_nonzero, min_size=1, max_size=50), st.sampled_from([1, 2, 3]))
@example([1.7976931348623157e308, -1.7e308, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308], 3)
@example([0.3, 5.43, 1e-300, 1e23, 9.999999999999999e22, 2.0, 1.9999999999999998, 0.1 + 0.2], 2)
@example([1e-323, 1.5e-323, 4.4e-323, 9.9e-324, 1e-310, 1e-320], 3)
def test_float_digits_match_repr(values, k):
    x = np.array(values)
    assert digits.leading_digits(x, k).tolist() == [oracle(v, k) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(2**200), 2**200).filter(bool), min_size=1, max_size=30), st.sampled_from([1, 2, 3]))
@example([2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, 99 * 10**40], 3)
def test_python_integers_beyond_64_bits_are_exact(values, k):
    x = np.array(values, dtype=object)
    assert digits.leading_digits(x, k).tolist() == [oracle(v, k) for v in values]
    counted = digits.count_digits(values, k, sign="both")
    expected = np.bincount([oracle(v, k) - 10 ** (k - 1) for v in values], minlength=9 * 10 ** (k - 1))
    assert counted.counts.tolist() == expected.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**63 - 1).filter(bool), min_size=1, max_size=40), st.sampled_from([1, 2, 3]))
@example([-(2**63), 2**63 - 1, 2**53 + 1, 9007199254740993, 10**18, 1], 3)
def test_int64_digits_are_exact(values, k):
    x = np.array(values, dtype=np.int64)
    assert digits.leading_digits(x, k).tolist() == [oracle(v, k) for v in values]


def test_uint64_and_small_integer_dtypes():
    x = np.array([2**64 - 1, 2**63, 7], dtype=np.uint64)
    assert digits.leading_digits(x, 3).tolist() == [184, 922, 700]
    assert digits.leading_digits(np.array([-128, 127, 5], dtype=np.int8), 2).tolist() == [12, 12, 50]


def test_definition_examples_from_the_issue():
    assert digits.leading_digits(np.array([0.3]), 1).tolist() == [3]
    assert digits.leading_digits(np.array([5.43]), 2).tolist() == [54]
    assert digits.leading_digits(np.array([1e-300]), 1).tolist() == [1]
    assert digits.leading_digits(np.array([5.0]), 2).tolist() == [50]
    assert digits.leading_digits(np.array([5]), 2).tolist() == [50]


@pytest.mark.parametrize("k", [1, 2])
def test_every_step_of_the_table_and_its_neighbours(k):
    """Exhaustive near the only places digits change: each step float and the floats beside it."""
    at = digits._steps(k).at
    x = np.concatenate([at, np.nextafter(at, 0), np.nextafter(at, np.inf)])
    x = x[np.isfinite(x) & (x > 0)]
    x = np.concatenate([x, -x])
    assert digits.leading_digits(x, k).tolist() == [oracle(v, k) for v in x]


def test_a_sample_of_three_digit_steps_and_neighbours():
    at = digits._steps(3).at
    rng = np.random.default_rng(3)
    picked = np.concatenate([at[:3000], rng.choice(at, 20000, replace=False)])
    x = np.concatenate([picked, np.nextafter(picked, 0), np.nextafter(picked, np.inf)])
    x = x[np.isfinite(x) & (x > 0)]
    assert digits.leading_digits(x, 3).tolist() == [oracle(v, 3) for v in x]


def test_dropped_values_are_counted_by_reason():
    x = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, -3.0, 2.0, 0.5, 15.0, 7e-320, -2.0])
    c = digits.count_digits(x, 1, sign="positive", min_value=1.0)
    assert c.dropped == {"nan": 1, "inf": 2, "zero": 2, "sign": 2, "below_min_value": 2}
    assert c.counts.tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 0]  # 15.0 and 2.0
    assert c.n + sum(c.dropped.values()) == x.size
    both = digits.count_digits(x, 1, sign="both")
    assert both.dropped == {"nan": 1, "inf": 2, "zero": 2, "sign": 0, "below_min_value": 0}
    assert both.counts.tolist() == [1, 2, 1, 0, 1, 0, 1, 0, 0]
    negative = digits.count_digits(x, 1, sign="negative")
    assert negative.counts.tolist() == [0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert negative.dropped["sign"] == 4


def test_integer_drops_and_min_value():
    x = np.array([0, -5, 5, 12, 9, -(2**63)], dtype=np.int64)
    c = digits.count_digits(x, 1, sign="positive", min_value=9.5)
    assert c.dropped == {"nan": 0, "inf": 0, "zero": 1, "sign": 2, "below_min_value": 2}
    assert c.counts.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(allow_subnormal=True), st.sampled_from([0.0, -0.0, np.nan, np.inf])), max_size=300),
    st.sampled_from([1, 2, 3, None]),
    st.sampled_from(digits.SIGNS),
    st.one_of(st.none(), st.floats(0, 1e6)),
    st.integers(1, 64),
)
def test_counts_match_elementwise_oracle_for_any_chunking(values, k, sign, min_value, chunk_size):
    x = np.array(values, dtype=np.float64)
    c = digits.count_digits(x, k, sign=sign, min_value=min_value, chunk_size=chunk_size, mantissa=False)
    if min_value is None and k is None:
        min_value = 10.0
    keep = [
        v for v in values
        if np.isfinite(v) and v != 0 and (sign == "both" or (v > 0) == (sign == "positive"))
        and (min_value is None or abs(v) >= min_value)
    ]
    if k is None:
        expected = np.bincount([int(abs(v)) % 100 for v in keep], minlength=100)
    else:
        expected = np.bincount([oracle(v, k) - 10 ** (k - 1) for v in keep], minlength=9 * 10 ** (k - 1))
    assert c.counts.tolist() == expected.tolist()
    assert c.n + sum(c.dropped.values()) == len(values)
    assert c.dropped["nan"] == sum(np.isnan(v) for v in values)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(10**25), 10**25), max_size=60))
def test_last_two_digits_of_integers(values):
    c = digits.count_digits(np.array(values, dtype=object), None, sign="both", min_value=0)
    expected = np.bincount([abs(v) % 100 for v in values if v], minlength=100)
    assert c.counts.tolist() == expected.tolist()


def test_last_two_digits_of_floats_use_the_integer_part():
    x = np.array([1234.99, 100.0, 5.5, 1e17 + 64, 99.0])
    c = digits.count_digits(x, None)  # default min_value 10 drops 5.5
    assert c.dropped["below_min_value"] == 1
    assert {int(v): int(n) for v, n in zip(c.values, c.counts, strict=True) if n} == {34: 1, 0: 1, 64: 1, 99: 1}


def test_mantissa_moments_of_kept_values_match_scipy():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.lognormal(0, 4, 5000), [0.0, np.nan, -3.0]])
    c = digits.count_digits(x, 1, chunk_size=999)
    kept = x[np.isfinite(x) & (x > 0)]
    m = np.log10(kept) % 1.0
    assert c.mantissa.mean == pytest.approx(m.mean(), rel=1e-12)
    assert c.mantissa.var == pytest.approx(m.var(), rel=1e-9)
    assert c.mantissa.skewness == pytest.approx(sps.skew(m), rel=1e-6, abs=1e-9)
    assert c.mantissa.excess_kurtosis == pytest.approx(sps.kurtosis(m), rel=1e-6)


def test_inputs_lists_series_and_widened_floats():
    assert digits.count_digits([3, 30, 0.3], 1).counts[2] == 3
    s = pd.Series([1.5, None, 25.0], dtype="Float64")
    c = digits.count_digits(s, 1)
    assert c.dropped["nan"] == 1 and c.counts[:2].tolist() == [1, 1]
    ints = pd.Series([12, None, 7], dtype="Int64")
    assert digits.count_digits(ints, 1).dropped["nan"] == 1
    f32 = np.array([0.1], dtype=np.float32)  # widened exactly: 0.10000000149011612
    assert digits.leading_digits(f32, 3).tolist() == [100]
    assert digits.count_digits(np.array([[1.0, 2.0], [3.0, 4.0]]), 1).n == 4


@pytest.mark.parametrize(
    ("data", "first_digits"),
    [
        (pd.Series([999999999999999999, None, -10, 7], dtype="Int64"), [9, 0, 1, 7]),  # float64: 1e18
        (pd.Series([9999999999999999999, None, 5], dtype="UInt64"), [9, 0, 5]),  # beyond int64; float64: 1e19
        (pd.array([999999999999999999, None], dtype="Int64"), [9, 0]),
        ([999999999999999999, None, 3], [9, 0, 3]),  # Python ints with a missing value
        (pd.Series([10**31 - 1, pd.NA, float("nan"), 2], dtype=object), [9, 0, 0, 2]),  # beyond 64 bits
        (pd.Series([0.5, None, 25.0], dtype="Float64"), [5, 0, 2]),
    ],
)
def test_integers_with_missing_values_stay_exact(data, first_digits):
    """Missing values are dropped as "nan"; the integers around them keep every digit."""
    expected = np.bincount([d for d in first_digits if d], minlength=10)[1:]
    counted = digits.count_digits(data, 1, sign="both")
    assert counted.counts.tolist() == expected.tolist()
    assert counted.dropped["nan"] == first_digits.count(0)
    assert digits.leading_digits(data, 1).tolist() == first_digits
    assert np.isfinite(counted.mantissa.mean)  # no missing value reached log10


def test_analyze_of_a_nullable_integer_column_is_exact():
    from priorlab.benford import analyze

    result = analyze(pd.Series([999999999999999999, None], dtype="Int64"))
    assert result.counts.tolist() == [0] * 8 + [1]
    assert result.dropped["nan"] == 1


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: digits.count_digits(["1", 2.0]), TypeError, "element 0"),
        (lambda: digits.count_digits([1.0, True]), TypeError, "element 1"),
        (lambda: digits.count_digits(np.array([True, False])), TypeError, "booleans"),
        (lambda: digits.count_digits(np.array(["a"])), TypeError, "dtype"),
        (lambda: digits.count_digits([1.0], k=4), ValueError, "^k: expected an integer from 1 to 3; got 4$"),
        (lambda: digits.count_digits([1.0], k=True), ValueError, "^k: "),
        (lambda: digits.count_digits([1.0], sign="pos"), ValueError,
         "^sign: expected one of positive, negative, both; got 'pos'$"),
        (lambda: digits.count_digits([1.0], min_value=-1), ValueError, "^min_value: "),
        (lambda: digits.count_digits([1.0], min_value="10"), TypeError, "^min_value: "),
        (lambda: digits.count_digits([1.0], chunk_size=0), ValueError, "^chunk_size: "),
        (lambda: digits.leading_digits([1.0], k=0), ValueError, "^k: "),
    ],
)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_strided_and_big_endian_arrays():
    rng = np.random.default_rng(4)
    x = rng.lognormal(0, 5, (500, 3))
    column = x[:, 1]  # strided view
    expected = digits.count_digits(column.copy(), 2).counts
    assert digits.count_digits(column, 2, chunk_size=64).counts.tolist() == expected.tolist()
    assert digits.count_digits(column.astype(">f8"), 2).counts.tolist() == expected.tolist()
    ints = np.array([123, -45, 6], dtype=">i8")
    assert digits.leading_digits(ints, 2).tolist() == [12, 45, 60]
