"""Statistics of a digit test, checked against hand computation, scipy, brute force and Nigrini's tables."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from priorlab.benford import registry, stats

try:
    from . import nigrini
except ImportError:
    import nigrini

FIRST_P = np.log10(1 + 1 / np.arange(1, 10))  # Benford's first-digit law, written out


def test_hand_computed_first_digit_case():
    counts = np.array([30, 20, 10, 10, 10, 5, 5, 5, 5])  # N = 100
    r = stats.from_counts(counts, "first")
    n = 100
    p_o = counts / n
    assert r.n == n and r.counts.tolist() == counts.tolist()
    np.testing.assert_allclose(r.observed, p_o)
    # z for digit 1: |0.30 - 0.30103| = 0.00103 < 1/(2N) = 0.005, so no correction
    assert r.z[0] == pytest.approx(0.0010300 / math.sqrt(0.30103 * 0.69897 / n), rel=1e-3)
    # z for digit 2: |0.20 - 0.176091| = 0.023909 > 0.005: corrected
    assert r.z[1] == pytest.approx((0.2 - 0.1760913 - 0.005) / math.sqrt(0.1760913 * 0.8239087 / n), rel=1e-5)
    chi2, p = sps.chisquare(counts, n * FIRST_P)
    assert r.chi2 == pytest.approx(chi2, rel=1e-12)
    assert r.chi2_p == pytest.approx(p, rel=1e-9)
    assert r.mad == pytest.approx(np.mean(np.abs(p_o - FIRST_P)), rel=1e-12)
    assert r.ks == pytest.approx(max(abs(sum(p_o[: i + 1]) - sum(FIRST_P[: i + 1])) for i in range(9)), rel=1e-12)
    assert r.kl == pytest.approx(sps.entropy(p_o, FIRST_P), rel=1e-12)
    assert r.pearson_r == pytest.approx(sps.pearsonr(p_o, FIRST_P)[0], rel=1e-12)
    expected_mad = np.mean(np.sqrt(2 * FIRST_P * (1 - FIRST_P) / (math.pi * n)))
    assert r.excess_mad == pytest.approx(r.mad - expected_mad, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=9, max_size=9).filter(lambda c: sum(c) > 0))
def test_statistics_agree_with_scipy_and_brute_force(counts):
    counts = np.array(counts)
    n = counts.sum()
    r = stats.from_counts(counts, "first")
    p_o = counts / n
    chi2, p = sps.chisquare(counts, n * FIRST_P)
    assert r.chi2 == pytest.approx(chi2, rel=1e-9)
    assert r.chi2_p == pytest.approx(p, rel=1e-6, abs=1e-300)
    gap = np.abs(p_o - FIRST_P)
    for i in range(9):
        correction = 1 / (2 * n) if 1 / (2 * n) < gap[i] else 0.0
        z = (gap[i] - correction) / math.sqrt(FIRST_P[i] * (1 - FIRST_P[i]) / n)
        assert r.z[i] == pytest.approx(z, rel=1e-9, abs=1e-12)
    assert r.ks == pytest.approx(np.max(np.abs(np.cumsum(p_o) - np.cumsum(FIRST_P))), rel=1e-9)
    assert r.kl == pytest.approx(sps.entropy(p_o, FIRST_P), rel=1e-9, abs=1e-15)
    diffs = np.abs(counts - n * FIRST_P)
    ranked = [d for d, _ in r.largest_deviations]
    assert sorted(ranked) == list(range(1, 10))
    assert [x for _, x in r.largest_deviations] == pytest.approx(sorted(diffs, reverse=True), rel=1e-12, abs=1e-9)


@pytest.mark.parametrize(
    ("test", "mad", "label"),
    [
        ("first", 0.0059, "close conformity"),
        ("first", 0.006, "close conformity"),
        ("first", 0.0061, "acceptable conformity"),
        ("first", 0.0149, "marginally acceptable conformity"),
        ("first", 0.0151, "nonconformity"),
        ("second", 0.0079, "close conformity"),
        ("second", 0.0095, "acceptable conformity"),
        ("second", 0.0115, "marginally acceptable conformity"),
        ("second", 0.0121, "nonconformity"),
        ("first-two", 0.0011, "close conformity"),
        ("first-two", 0.0015, "acceptable conformity"),
        ("first-two", 0.0020, "marginally acceptable conformity"),
        ("first-two", 0.0023, "nonconformity"),
        ("first-three", 0.00035, "close conformity"),
        ("first-three", 0.00040, "acceptable conformity"),
        ("first-three", 0.00049, "marginally acceptable conformity"),
        ("first-three", 0.00051, "nonconformity"),
        ("last-two", 0.5, None),
    ],
)
def test_conformity_follows_nigrini_ranges(test, mad, label):
    assert stats.conformity(test, mad) == label


@pytest.mark.parametrize("test", list(registry.TESTS))
def test_declared_mad_ranges_are_nigrinis_table(test):
    assert registry.TESTS[test].mad_ranges == nigrini.MAD_RANGES.get(test)


def test_second_digit_uses_second_digit_ranges():
    _, p = registry.expected("second")
    r = stats.from_counts(np.round(p * 1e6).astype(int), "second")
    assert r.conformity == "close conformity"
    assert r.chi2_p > 0.99


def test_from_proportions_has_no_sample_statistics():
    p = FIRST_P * np.linspace(1.2, 0.8, 9)
    r = stats.from_proportions(p * 7, "first")  # any positive scale: renormalised
    assert r.n is None and r.counts is None
    assert np.all(np.isnan(r.z)) and math.isnan(r.chi2) and math.isnan(r.chi2_p) and math.isnan(r.excess_mad)
    observed = p / p.sum()
    np.testing.assert_allclose(r.observed, observed)
    assert r.mad == pytest.approx(np.mean(np.abs(observed - FIRST_P)))
    assert r.kl == pytest.approx(sps.entropy(observed, FIRST_P))
    assert r.largest_deviations[0][0] == 1  # digit 1 moved the most
    assert r.mad == pytest.approx(0.0107525, abs=1e-7)
    assert r.conformity == "acceptable conformity"  # 0.006 < MAD <= 0.012 (Nigrini, table 7.1)
    payload = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert payload["chi2"] is None and payload["n"] is None and payload["z"] == [None] * 9
    assert "no sample" in str(r) or "without a sample" in str(r)


def test_exact_benford_proportions_conform_perfectly():
    r = stats.from_proportions(FIRST_P, "first")
    assert r.mad == pytest.approx(0, abs=1e-16) and r.ks == pytest.approx(0, abs=1e-15)
    assert r.pearson_r == pytest.approx(1.0)
    assert r.conformity == "close conformity"


def test_to_dict_is_json_with_the_cli_keys():
    r = stats.from_counts(np.arange(1, 101), "last-two", dropped={"zero": 3})
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    for key in ("n", "digits", "counts", "observed", "expected", "z", "chi2", "chi2_p", "ks", "mad",
                "conformity", "pearson_r", "largest_deviations", "dropped"):
        assert key in d
    assert d["pearson_r"] is None  # uniform law: correlation undefined
    assert d["dropped"] == {"zero": 3}
    assert d["largest_deviations"][0] == {"digits": 0, "abs_diff": pytest.approx(abs(1 - 5050 / 100))}


def test_summary_for_auditors_lists_n_deviations_and_verdict():
    counts = np.array([300, 176, 125, 97, 79, 67, 58, 51, 47])
    text = str(stats.from_counts(counts, "first", dropped={"zero": 4, "nan": 0}))
    assert "N = 1,000" in text and "4 zero" in text and "nan" not in text
    assert "largest deviations" in text and "verdict: close conformity" in text
    assert text.index("N = ") < text.index("largest deviations") < text.index("chi2") < text.index("verdict")


def test_reclassified_drops_keep_the_total():
    r = stats.from_counts(np.ones(9, dtype=int), "first", dropped={"zero": 1, "nan": 7})
    r2 = r.with_reclassified_drops(5, "nan", "text")
    assert r2.dropped == {"zero": 1, "nan": 2, "text": 5} and r.dropped == {"zero": 1, "nan": 7}
    with pytest.raises(ValueError, match="cannot move 8"):
        r.with_reclassified_drops(8, "nan", "text")


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (np.ones(8), "must have 9 entries"),
        (-np.ones(9), "non-negative"),
        (np.full(9, 0.5), "whole numbers"),
        (np.zeros(9), "no values left"),
    ],
)
def test_bad_counts_are_refused(counts, message):
    with pytest.raises(ValueError, match=message):
        stats.from_counts(counts, "first")


@pytest.mark.parametrize("p", [np.ones(10), np.r_[np.ones(8), -1.0], np.zeros(9), np.r_[np.ones(8), np.nan]])
def test_bad_proportions_are_refused(p):
    with pytest.raises(ValueError, match="probabilities"):
        stats.from_proportions(p, "first")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1, exclude_max=True), min_size=2, max_size=200))
def test_mantissa_moments_match_scipy(values):
    m = np.array(values)
    got = stats.MantissaStats.from_power_sums(m.size, m.sum(), (m**2).sum(), (m**3).sum(), (m**4).sum())
    assert got.mean == pytest.approx(m.mean(), abs=1e-12)
    assert got.var == pytest.approx(m.var(), abs=1e-12)
    if m.var() > 1e-6:  # from raw power sums the rounding error grows as the variance shrinks (1/var^1.5, 1/var^2)
        assert got.skewness == pytest.approx(sps.skew(m), abs=1e-12 / m.var() ** 1.5)
        assert got.excess_kurtosis == pytest.approx(sps.kurtosis(m), abs=1e-12 / m.var() ** 2)


def test_uniform_mantissas_have_the_benford_moments():
    m = (np.arange(100000) + 0.5) / 100000
    got = stats.MantissaStats.from_power_sums(m.size, m.sum(), (m**2).sum(), (m**3).sum(), (m**4).sum())
    for name, value in stats.BENFORD_MANTISSA.items():
        assert getattr(got, name) == pytest.approx(value, abs=1e-6)
