"""The expected digit laws: exact formulas checked against sums, marginals and published values."""

from __future__ import annotations

import decimal
import math

import numpy as np
import pytest

from priorlab.benford import laws
from priorlab.benford.registry import TESTS, expected


@pytest.mark.parametrize("test", list(TESTS))
def test_every_law_is_a_distribution(test):
    digits, p = expected(test)
    assert digits.dtype.kind == "i" and p.dtype == np.float64
    assert digits.shape == p.shape
    assert np.all(np.diff(digits) == 1)
    assert np.all(p > 0)
    assert math.fsum(p) == pytest.approx(1.0, abs=1e-14)


def test_first_digit_matches_published_values():
    # Nigrini (2012), table 5.1
    digits, p = expected("first")
    assert digits.tolist() == list(range(1, 10))
    published = [0.30103, 0.17609, 0.12494, 0.09691, 0.07918, 0.06695, 0.05799, 0.05115, 0.04576]
    np.testing.assert_allclose(p, published, atol=5e-6)
    assert p[0] == pytest.approx(math.log10(2), rel=1e-15)


def test_second_digit_matches_published_values():
    digits, p = expected("second")
    assert digits.tolist() == list(range(10))
    published = [0.11968, 0.11389, 0.10882, 0.10433, 0.10031, 0.09668, 0.09337, 0.09035, 0.08757, 0.08500]
    np.testing.assert_allclose(p, published, atol=5e-6)


def test_first_two_marginals_give_first_and_second_digit_laws():
    _, p12 = expected("first-two")
    table = p12.reshape(9, 10)  # rows: first digit 1-9, columns: second digit 0-9
    np.testing.assert_allclose(table.sum(axis=1), expected("first")[1], rtol=1e-14)
    np.testing.assert_allclose(table.sum(axis=0), expected("second")[1], rtol=1e-14)


def test_first_three_folds_onto_first_two_and_third_digit():
    _, p123 = expected("first-three")
    cube = p123.reshape(9, 10, 10)
    np.testing.assert_allclose(cube.sum(axis=2).ravel(), expected("first-two")[1], rtol=1e-13)
    np.testing.assert_allclose(cube.sum(axis=(0, 1)), laws.nth_digit(3)[1], rtol=1e-13)


def test_leading_digits_uses_the_exact_formula_for_every_value():
    digits, p = laws.leading_digits(3)
    assert digits[0] == 100 and digits[-1] == 999
    with decimal.localcontext(decimal.Context(prec=40)):
        exact = [float((decimal.Decimal(d + 1) / decimal.Decimal(d)).log10()) for d in range(100, 1000)]
    np.testing.assert_allclose(p, exact, rtol=4e-16)  # log1p keeps full precision


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_nth_digit_against_brute_force_sum(n):
    _, p = laws.nth_digit(n)
    brute = [
        math.fsum(math.log10(1 + 1 / (10 * j + d)) for j in range(10 ** (n - 2), 10 ** (n - 1)))
        for d in range(10)
    ]
    np.testing.assert_allclose(p, brute, rtol=1e-13)


def test_nth_digit_tends_to_uniform_and_decreases():
    previous_spread = 1.0
    for n in range(2, 7):
        _, p = laws.nth_digit(n)
        assert np.all(np.diff(p) < 0)  # smaller digits stay more likely
        spread = p[0] - p[-1]
        assert spread < previous_spread / 5
        previous_spread = spread
    assert laws.nth_digit(1)[0].tolist() == list(range(1, 10))


def test_last_two_is_uniform():
    digits, p = expected("last-two")
    assert digits.tolist() == list(range(100))
    assert np.all(p == 0.01)


@pytest.mark.parametrize("bad", [0, 9, -1, 2.0, True])
def test_nth_digit_refuses_bad_n(bad):
    with pytest.raises(ValueError, match=f"^n: expected an integer from 1 to 8; got {bad!r}$"):
        laws.nth_digit(bad)
