"""Benford's-law digit tests: exact digit extraction, the expected laws, and the statistics.

`analyze(data, test="first")` runs one test on a NumPy array, pandas Series, list or Dask
array and returns a `BenfordResult`; `registry` declares the tests, `laws` holds the expected
distributions, `digits` the extraction (see its docstring for the exact definition of a value's
digits), `stats` the statistics, `plots` the figures.

`summation` is Nigrini's summation test, `second_order` the differences the second-order test reads,
`records` the rows behind the numbers (suspects, number duplication), `groups` the tests per group, and
`audit(path, column, ...)` all of it for one column of a file, as one `Audit` (with its report page).

The language-model names (`digit_distribution`, `load_lm`, `DigitDistribution`, `BUILTIN_PROMPTS`)
live in `priorlab.lm`, and the record and audit names in `records` and `auditing` (which need pandas); they are
re-exported here on first use, so importing this package never loads torch or pandas.
"""

from __future__ import annotations

from priorlab.benford import digits, laws, registry, stats
from priorlab.benford.analysis import analyze
from priorlab.benford.drops import Drops
from priorlab.benford.mantissa import MantissaStats
from priorlab.benford.registry import TESTS, expected
from priorlab.benford.stats import BenfordResult, from_counts, from_proportions
from priorlab.benford.summation import SummationResult, summation
from priorlab.lazy import lazy_exports

_LAZY = {
    "Audit": "priorlab.benford.auditing",
    "AuditFiles": "priorlab.benford.auditing",
    "BUILTIN_PROMPTS": "priorlab.lm.prompts",
    "DigitDistribution": "priorlab.lm.api",
    "digit_distribution": "priorlab.lm.api",
    "duplicates": "priorlab.benford.records",
    "load_lm": "priorlab.lm.loading",
    "audit": "priorlab.benford.auditing",
    "number_duplication": "priorlab.benford.records",
    "suspects": "priorlab.benford.records",
}

__all__ = [
    "BUILTIN_PROMPTS",
    "TESTS",
    "Audit",
    "AuditFiles",
    "BenfordResult",
    "DigitDistribution",
    "Drops",
    "MantissaStats",
    "SummationResult",
    "analyze",
    "audit",
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
