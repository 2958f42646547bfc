"""Benford's-law digit tests: exact digit extraction, the expected laws, and the statistics.

`analyze(data, test="first")` runs one test on a NumPy array, pandas Series, list or Dask
array and returns a `BenfordResult`; `registry` declares the tests, `laws` holds the expected
distributions, `digits` the extraction (see its docstring for the exact definition of a value's
digits), `stats` the statistics, `plots` the figures.

`summation` is Nigrini's summation test, `second_order` the differences the second-order test reads,
`records` the rows behind the numbers (suspects, number duplication), `groups` the tests per group.

The language-model names (`digit_distribution`, `load_lm`, `DigitDistribution`, `BUILTIN_PROMPTS`)
live in `priorlab.lm` and the record names in `records` (which needs pandas); they are re-exported here
on first use, so importing this package never loads torch or pandas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from priorlab.benford import digits, laws, registry, second_order, stats
from priorlab.benford.registry import TESTS, expected
from priorlab.benford.stats import BenfordResult, MantissaStats, from_counts, from_proportions
from priorlab.benford.summation import SummationResult, summation
from priorlab.lazy import lazy_exports
from priorlab.validation import check_choice

_LAZY = {
    "BUILTIN_PROMPTS": "priorlab.lm.prompts",
    "DigitDistribution": "priorlab.lm.api",
    "digit_distribution": "priorlab.lm.api",
    "duplicates": "priorlab.benford.records",
    "load_lm": "priorlab.lm.loading",
    "number_duplication": "priorlab.benford.records",
    "suspects": "priorlab.benford.records",
}

__all__ = [
    "BUILTIN_PROMPTS",
    "TESTS",
    "BenfordResult",
    "DigitDistribution",
    "MantissaStats",
    "SummationResult",
    "analyze",
    "digit_distribution",
    "digits",
    "duplicates",
    "expected",
    "from_counts",
    "from_proportions",
    "laws",
    "load_lm",
    "number_duplication",
    "registry",
    "stats",
    "summation",
    "suspects",
]
__getattr__ = lazy_exports(__name__, _LAZY)


def analyze(
    data: Any,
    test: str = "first",
    sign: str = "positive",
    min_value: float | None = None,
    *,
    mantissa: bool = True,
    chunk_size: int = digits.CHUNK_SIZE,
    progress: bool = False,
    name: str = "data",
) -> BenfordResult | SummationResult:
    """Run one digit test (one of `TESTS`, or "summation") on every finite non-zero value of `data`.

    `sign` keeps "positive", "negative" or "both" (digits of |x|); `min_value` drops
    |x| < min_value (default: none, except 10 for "last-two"). Dropped values are counted by
    reason in `result.dropped`. With `mantissa`, the moments of log10|x| mod 1 come too. `name`
    says in error messages what `data` is (the CLI names the file and column).
    float16/float32 values are widened to float64 before their digits are taken.
    A Dask array stays lazy until its counts are computed, on the active Dask scheduler.
    "second-order" counts the differences between consecutive sorted values (`second_order`);
    "summation" returns a `SummationResult` (`summation.summation`).
    """
    if test == registry.SUMMATION:
        return summation(data, sign, min_value)
    check_choice(test, "test", registry.CHOICES)
    spec = registry.get(test)
    if spec.differences:  # the differences are positive and already filtered
        data, sign, min_value = second_order.differences(data, sign, min_value), "positive", None
    counted = digits.count_digits(
        data,
        spec.leading,
        sign=sign,
        min_value=min_value,
        mantissa=mantissa,
        chunk_size=chunk_size,
        progress=progress,
    )
    counts = spec.fold(counted.counts)
    if counts.sum() == 0:
        kept = "positive values" if sign == "positive" else "negative values" if sign == "negative" else "values"
        raise ValueError(f"{name}: no {kept} left to test after dropping {_describe(counted.dropped)}")
    return from_counts(
        np.asarray(counts),
        test,
        dropped=counted.dropped,
        mantissa=counted.mantissa,
        distortion_factor=counted.distortion_factor,
    )


def _describe(dropped: dict[str, int]) -> str:
    parts = [f"{count:,} {reason}" for reason, count in dropped.items() if count]
    return ", ".join(parts) if parts else "nothing (the data is empty)"
