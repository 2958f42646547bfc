"""The digit tests priorlab runs, declared once.

A test counts the first `leading` significant digits of each value (or, for `leading=None`, the last two
digits of its integer part), folds those counts onto its own digits, and compares them with its expected law.
`analyze`, the language-model positions, the CLI, the statistics (Nigrini's MAD ranges) and the plots all
read `TESTS`, so a new test is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

import priorlab.benford.laws as laws
from priorlab.validation import check_choice


def unfolded(counts: np.ndarray) -> np.ndarray:
    """The counted digits are the test's digits."""
    return counts


def second_of_first_two(counts: np.ndarray) -> np.ndarray:
    """First-two counts (10..99, last axis) summed over the first digit: the second digit's counts (0..9)."""
    return counts.reshape(*counts.shape[:-1], 9, 10).sum(axis=-2)


@dataclass(frozen=True)
class DigitTest:
    """One digit test: what is counted, how it folds onto the test's digits, and what to expect.

    `leading` is the number of leading significant digits counted (None: the last two digits of the integer
    part); `fold` maps counts or probabilities of the counted values (last axis, increasing) to the test's
    digits; `law` gives (digits, expected probabilities); `mad_ranges` are the upper MAD bounds of close,
    acceptable and marginally acceptable conformity (Nigrini 2012, table 7.1), None where none are published.
    `differences` says the test counts the digits of the differences between consecutive sorted values
    (`second_order.differences`) instead of the values themselves.
    """

    name: str
    leading: int | None
    law: Callable[[], tuple[np.ndarray, np.ndarray]]
    fold: Callable[[np.ndarray], np.ndarray]
    mad_ranges: tuple[float, float, float] | None
    description: str
    differences: bool = False

    def expected(self) -> tuple[np.ndarray, np.ndarray]:
        """(digit values as ints, expected probabilities), in increasing digit order."""
        return self.law()

    def label(self, value: int) -> str:
        """How a digit value is printed: the last two digits keep their tens digit (07, not 7)."""
        return f"{value:02d}" if self.leading is None else str(value)


TESTS: Mapping[str, DigitTest] = MappingProxyType(
    {
        test.name: test
        for test in (
            DigitTest(
                name="first", leading=1, law=laws.first_digit, fold=unfolded,
                mad_ranges=(0.006, 0.012, 0.015), description="first significant digit, 1-9",
            ),
            DigitTest(
                name="second", leading=2, law=laws.second_digit, fold=second_of_first_two,
                mad_ranges=(0.008, 0.010, 0.012), description="second significant digit, 0-9",
            ),
            DigitTest(
                name="first-two", leading=2, law=laws.first_two, fold=unfolded,
                mad_ranges=(0.0012, 0.0018, 0.0022), description="first two digits, 10-99",
            ),
            DigitTest(
                name="first-three", leading=3, law=laws.first_three, fold=unfolded,
                mad_ranges=(0.00036, 0.00044, 0.00050), description="first three digits, 100-999",
            ),
            DigitTest(
                name="last-two", leading=None, law=laws.last_two, fold=unfolded,
                mad_ranges=None, description="last two digits of the integer part, 00-99",
            ),
            DigitTest(
                name="second-order", leading=2, law=laws.first_two, fold=unfolded, mad_ranges=None,
                description="first two digits of the differences of the sorted values (Nigrini 2012), 10-99",
                differences=True,
            ),
        )
    }
)  # fmt: skip
"""The digit tests by name, in the order the CLI and the docs list them.

Read-only. Each entry is a `DigitTest`; iterating gives the names ("first", "second", "first-two",
"first-three", "last-two", "second-order"). `priorlab.lm` answers the tests whose `leading` its number grammar reads.
"""


def get(test: str) -> DigitTest:
    """The `DigitTest` named `test`, else a ValueError naming the argument and the choices."""
    return TESTS[check_choice(test, "test", tuple(TESTS))]


def expected(test: str) -> tuple[np.ndarray, np.ndarray]:
    """(digit values as ints, expected probabilities) for one of `TESTS`."""
    return get(test).expected()


def counting(leading: tuple[int, ...]) -> tuple[str, ...]:
    """Names of the tests that count one of these numbers of leading digits of the values themselves, in
    `TESTS` order."""
    return tuple(name for name, test in TESTS.items() if test.leading in leading and not test.differences)


SUMMATION = "summation"
"""Nigrini's summation test (`benford.summation`): sums, not counts, so it stands beside `TESTS`; the CLI
and `analyze` accept its name as a test."""

CHOICES = (*TESTS, SUMMATION)
"""Every test `analyze` and the CLI's --test run by name."""
