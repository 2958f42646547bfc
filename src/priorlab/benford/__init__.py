"""Benford's-law digit tests: exact digit extraction, the expected laws, and the statistics.

`analyze(data, test="first")` runs one test on a NumPy array, pandas Series, list or Dask
array and returns a `BenfordResult`; `laws` holds the expected distributions, `digits` the
extraction (see its docstring for the exact definition of a value's digits), `stats` the
statistics, `plots` the figures.

`digit_distribution(load_lm("default"), prompts)` gives the digits a language model expects
after each prompt (`lm`, `models`, `prompts`); those names load torch on first use only, so the
data tests stay light.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from priorlab.benford import digits, laws, stats
from priorlab.benford.laws import TESTS, expected
from priorlab.benford.stats import BenfordResult, MantissaStats, from_counts, from_proportions

_LAZY = {
    "BUILTIN_PROMPTS": "priorlab.benford.prompts",
    "DigitDistribution": "priorlab.benford.lm",
    "digit_distribution": "priorlab.benford.lm",
    "load_lm": "priorlab.benford.models",
}

__all__ = [
    "BUILTIN_PROMPTS",
    "TESTS",
    "BenfordResult",
    "DigitDistribution",
    "MantissaStats",
    "analyze",
    "digit_distribution",
    "digits",
    "expected",
    "from_counts",
    "from_proportions",
    "laws",
    "load_lm",
    "stats",
]


def __getattr__(name: str) -> Any:
    """Import the language-model names on first use (PEP 562)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_LEADING_K = {"first": 1, "second": 2, "first-two": 2, "first-three": 3}


def analyze(
    data: Any,
    test: str = "first",
    sign: str = "positive",
    min_value: float | None = None,
    *,
    mantissa: bool = True,
    chunk_size: int = digits.CHUNK_SIZE,
    progress: bool = False,
) -> BenfordResult:
    """Run one digit test (`laws.TESTS`) on every finite non-zero value of `data`.

    `sign` keeps "positive", "negative" or "both" (digits of |x|); `min_value` drops
    |x| < min_value (default: none, except 10 for "last-two"). Dropped values are counted by
    reason in `result.dropped`. With `mantissa`, the moments of log10|x| mod 1 come too.
    A Dask array stays lazy until its counts are computed, on the active Dask scheduler.
    """
    laws.check_test(test)
    k = _LEADING_K.get(test)
    counted = digits.count_digits(
        data,
        k,
        sign=sign,
        min_value=min_value,
        mantissa=mantissa,
        chunk_size=chunk_size,
        progress=progress,
    )
    counts = counted.counts
    if test == "second":  # first-two counts (10..99) folded onto their second digit
        counts = counts.reshape(9, 10).sum(axis=0)
    if counts.sum() == 0:
        kept = "positive values" if sign == "positive" else "negative values" if sign == "negative" else "values"
        raise ValueError(
            f"no {kept} left to test in data after dropping {_describe(counted.dropped)}"
        )
    return from_counts(np.asarray(counts), test, dropped=counted.dropped, mantissa=counted.mantissa)


def _describe(dropped: dict[str, int]) -> str:
    parts = [f"{count:,} {reason}" for reason, count in dropped.items() if count]
    return ", ".join(parts) if parts else "nothing (the data is empty)"
