"""Nigrini's (2012) summation test: the sum of the amounts by their first two digits.

Under Benford's law every first-two-digit bucket 10..99 holds the same share of the total amount (1/90), so
a bucket whose sum stands out points at a few large amounts or many copies of one amount, which the digit
counts alone hide. The amounts are |x| of the values kept by `sign` and `min_value`; their first two
digits are read exactly as in `benford.digits`. A Dask array goes through the same NumPy calls
(a weighted `bincount`) and is computed once.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

import priorlab.benford.digits as digits
from priorlab.benford.drops import Drops
from priorlab.jsonsafe import json_number, json_numbers
from priorlab.validation import check_choice, check_int

DIGITS = np.arange(10, 100, dtype=np.int64)
EXPECTED = np.full(DIGITS.size, 1.0 / DIGITS.size)
"""Expected share of the total per first-two-digit bucket: flat, 1/90 each."""


@dataclasses.dataclass(frozen=True, eq=False)
class SummationResult:
    """Sums by first two digits, their shares of the total against 1/90, and the largest excess sums."""

    n: int
    digits: np.ndarray
    sums: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    mad: float
    largest_excess: list[tuple[int, float]]  # (digits, sum - total/90), largest first
    dropped: Drops = dataclasses.field(default_factory=Drops)

    test = "summation"

    @property
    def total(self) -> float:
        return float(self.sums.sum())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe types; NaN becomes None."""
        return {
            "test": self.test,
            "n": self.n,
            "total": json_number(self.total),
            "digits": self.digits.tolist(),
            "sums": json_numbers(self.sums),
            "observed": json_numbers(self.observed),
            "expected": json_numbers(self.expected),
            "mad": json_number(self.mad),
            "largest_excess": [{"digits": int(d), "excess_sum": json_number(e)} for d, e in self.largest_excess],
            "dropped": dict(self.dropped),
        }

    def __str__(self) -> str:
        lines = [
            "Benford summation test (Nigrini 2012): sums by first two digits against a flat 1/90 each",
            f"N = {self.n:,} values, total {self.total:,.2f}; dropped: {self.dropped}",
            "largest excess sums:",
            f"  {'digits':>6}  {'share':>8}  {'expected':>8}  {'excess sum':>16}",
        ]
        for d, excess in self.largest_excess[:5]:
            i = int(d) - 10
            lines.append(f"  {d:>6}  {self.observed[i]:8.5f}  {self.expected[i]:8.5f}  {excess:16,.2f}")
        lines.append(f"MAD = {self.mad:.6f}")
        return "\n".join(lines)


def summation(data: Any, sign: str = "positive", min_value: float | None = None, *, top: int = 90) -> SummationResult:
    """The summation test of the values of `data` kept by `sign` and `min_value` (see `analyze`).

    `top` limits `largest_excess` to that many buckets. Raises TypeError when `data` is not numbers.
    """
    check_choice(sign, "sign", digits.SIGNS)
    top = check_int(top, "top", 1)
    try:
        x, missing = digits.as_numeric(data)
    except TypeError as exc:
        raise TypeError(f"the summation test needs numeric amounts: {exc}") from None
    if missing is not None:
        x = x[~missing]
    keep = digits.kept(x, sign, min_value)
    # integers beyond 64 bits (object arrays) are summed as floats, their digits read exactly
    amounts = np.array([float(abs(v)) for v in x]) if x.dtype.kind == "O" else np.abs(x).astype(np.float64)
    first_two = np.where(keep, digits.leading_digits(x, 2), 0)
    sums = np.bincount(first_two, weights=np.where(keep, amounts, 0.0), minlength=100)
    counts = np.bincount(first_two, minlength=100)
    if not isinstance(sums, np.ndarray):  # a Dask array: both computed in one pass
        import dask

        sums, counts = dask.compute(sums, counts)
    n = int(counts[10:].sum())
    if n == 0:
        raise ValueError("summation: no values left to sum")
    sums = np.asarray(sums[10:100], dtype=np.float64)
    total = sums.sum()
    observed = sums / total if total > 0 else np.zeros_like(sums)
    excess = sums - total / DIGITS.size
    order = np.argsort(-excess, kind="stable")[:top]
    return SummationResult(
        n=n,
        digits=DIGITS,
        sums=sums,
        observed=observed,
        expected=EXPECTED,
        mad=float(np.mean(np.abs(observed - EXPECTED))),
        largest_excess=[(int(DIGITS[i]), float(excess[i])) for i in order],
        dropped=Drops({"not kept (sign, zero, not finite, below min_value)": int(x.size - n)}),
    )
