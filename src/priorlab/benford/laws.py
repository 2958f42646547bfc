"""Expected digit distributions under Benford's law, from the exact formulas.

Every function returns `(digits, probabilities)`: the digit values as integers and
their probabilities as float64, in increasing digit order. The logarithms are taken as
`log1p(1/d) / ln 10` so that small probabilities keep full relative precision. Which law
belongs to which digit test is declared in `registry.TESTS`.
"""

from __future__ import annotations

import math

import numpy as np

from priorlab.validation import check_int

MAX_NTH_DIGIT = 8
"""`nth_digit` sums 9 * 10**(n-2) terms per digit; from n = 8 on the law is uniform to within 3e-8."""

_LN10 = math.log(10.0)


def _log10_1p_inv(d: np.ndarray) -> np.ndarray:
    """log10(1 + 1/d), accurate for large d."""
    return np.log1p(1.0 / d) / _LN10


def leading_digits(k: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `k` significant digits read as one number d in [10**(k-1), 10**k): P = log10(1 + 1/d)."""
    k = check_int(k, "k")
    digits = np.arange(10 ** (k - 1), 10**k, dtype=np.int64)
    return digits, _log10_1p_inv(digits.astype(np.float64))


def first_digit() -> tuple[np.ndarray, np.ndarray]:
    """First significant digit, 1-9."""
    return leading_digits(1)


def first_two() -> tuple[np.ndarray, np.ndarray]:
    """First two significant digits, 10-99."""
    return leading_digits(2)


def first_three() -> tuple[np.ndarray, np.ndarray]:
    """First three significant digits, 100-999."""
    return leading_digits(3)


def nth_digit(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The n-th significant digit on its own: 1-9 for n = 1, else 0-9.

    P(D_n = d) = sum over the (n-1)-digit prefixes j of log10(1 + 1/(10 j + d)); the sum is
    taken exactly term by term (in blocks, combined with `math.fsum`), not approximated.
    """
    n = check_int(n, "n", 1, MAX_NTH_DIGIT)
    if n == 1:
        return first_digit()
    digits = np.arange(10, dtype=np.int64)
    start, stop = 10 ** (n - 2), 10 ** (n - 1)
    block = 1 << 18
    partial_sums: list[list[float]] = [[] for _ in digits]
    for lo in range(start, stop, block):
        prefixes = np.arange(lo, min(lo + block, stop), dtype=np.float64)[:, None]
        terms = _log10_1p_inv(10.0 * prefixes + digits)
        for d, column_sum in enumerate(terms.sum(axis=0)):
            partial_sums[d].append(float(column_sum))
    return digits, np.array([math.fsum(s) for s in partial_sums])


def second_digit() -> tuple[np.ndarray, np.ndarray]:
    """Second significant digit, 0-9."""
    return nth_digit(2)


def last_two() -> tuple[np.ndarray, np.ndarray]:
    """Last two digits of the integer part, 00-99: uniform (each 1/100)."""
    return np.arange(100, dtype=np.int64), np.full(100, 0.01)

