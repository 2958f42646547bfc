"""One digit test for every group of a column (vendor, employee, branch), ranked by MAD.

What auditors otherwise do by hand, and neither R benford.analysis nor benford_py offers: split the amounts
by a key, run the test per group with at least `min_n` values, and rank the groups by Nigrini's (2012) MAD
with his conformity label. With many groups some chi-square p-values are small by chance, so each group's p
is adjusted for the number of groups tested (Benjamini-Hochberg false discovery rate).

The counts of all groups come from one grouped `bincount` over (group, digit) codes, the same NumPy calls
for a Dask array (whose group keys are found first with `unique`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

import priorlab.benford.digits as digits
import priorlab.benford.registry as registry
from priorlab.benford.stats import BenfordResult, from_counts
from priorlab.distributed import is_dask_array
from priorlab.jsonsafe import json_number
from priorlab.validation import check_choice, check_int

DEFAULT_MIN_N = 100
"""Groups with fewer values are not tested: a MAD on a few dozen values says little (Nigrini 2012 asks for
a few hundred at least for the first-two digits test)."""


@dataclasses.dataclass(frozen=True, eq=False)
class GroupResult:
    """The test's result per group tested, worst (largest MAD) first, and the BH-adjusted p-values."""

    test: str
    by: str
    min_n: int
    keys: list[Any]
    results: list[BenfordResult]
    p_adjusted: np.ndarray
    n_groups: int  # all groups, tested or not
    n_small: int  # groups below min_n, not tested

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per tested group: key, n, MAD, conformity, chi-square, p, adjusted p."""
        return [
            {
                self.by: _plain(key),
                "n": r.n,
                "mad": json_number(r.mad),
                "conformity": r.conformity,
                "chi2": json_number(r.chi2),
                "chi2_p": json_number(r.chi2_p),
                "chi2_p_bh": json_number(p),
                "largest_deviation": r.largest_deviations[0][0],
            }
            for key, r, p in zip(self.keys, self.results, self.p_adjusted, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": self.test,
            "by": self.by,
            "min_n": self.min_n,
            "n_groups": self.n_groups,
            "n_below_min_n": self.n_small,
            "groups": self.rows(),
        }

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows())

    def __str__(self) -> str:
        lines = [
            f"Benford {self.test} digit test by {self.by!r}: {len(self.keys):,} groups with >= {self.min_n:,} "
            f"values ({self.n_small:,} smaller groups not tested), worst MAD first",
            f"  {'group':>12}  {'n':>8}  {'MAD':>9}  {'BH p':>9}  conformity",
        ]
        for row in self.rows()[:20]:
            lines.append(
                f"  {row[self.by]!s:>12}  {row['n']:8,}  {row['mad']:9.6f}  {row['chi2_p_bh']:9.3g}  "
                f"{row['conformity'] or '-'}"
            )
        return "\n".join(lines)


def analyze_by(
    data: Any,
    by: Any,
    test: str = "first",
    *,
    min_n: int = DEFAULT_MIN_N,
    sign: str = "positive",
    min_value: float | None = None,
    name: str = "by",
) -> GroupResult:
    """Run `test` for every group of `by` (one key per value of `data`, same length) with at least
    `min_n` kept values; `name` is how the keys are labelled (the CLI passes the --by column)."""
    spec = registry.get(test)
    if spec.differences:
        raise ValueError(f"--test: the {test} test is not run per group (it sorts the whole column)")
    check_choice(sign, "sign", digits.SIGNS)
    min_n = check_int(min_n, "min_n (--min-n)", 1)
    x, missing = digits.as_numeric(data)
    keys = by.to_numpy() if hasattr(by, "to_numpy") else by
    if missing is not None:
        x, keys = x[~missing], np.asarray(keys)[~missing]
    if len(keys) != len(x):
        raise ValueError(f"{name}: {len(keys)} group keys for {len(x)} values")
    floor = digits.LAST_TWO_MIN_VALUE if spec.leading is None and min_value is None else min_value
    keep = digits.kept(x, sign, floor)
    from priorlab.benford.records import digit_values

    first_value = 10 ** (spec.leading - 1) if spec.leading is not None else 0
    n_values = (9 * first_value) if spec.leading is not None else 100
    index = np.where(keep, digit_values(x, test if spec.leading is None else _counted(spec)) - first_value, 0)
    unique, codes = _codes(keys)
    flat = np.where(keep, codes * n_values + index, unique.size * n_values)
    counts = np.bincount(flat, minlength=unique.size * n_values + 1)
    if not isinstance(counts, np.ndarray):
        counts = counts.compute()
    counts = np.asarray(counts)[: unique.size * n_values].reshape(unique.size, n_values)
    counts = spec.fold(counts)
    sizes = counts.sum(axis=1)
    tested = np.flatnonzero(sizes >= min_n)
    if tested.size == 0:
        raise ValueError(
            f"--min-n: all {unique.size:,} groups of {name} have fewer than {min_n:,} values "
            f"(the largest has {int(sizes.max(initial=0)):,}); lower --min-n"
        )
    results = [from_counts(counts[i], test) for i in tested]
    from scipy.stats import false_discovery_control

    p = np.array([r.chi2_p for r in results])
    adjusted = false_discovery_control(p, method="bh")
    order = sorted(range(len(results)), key=lambda i: (-results[i].mad, i))
    return GroupResult(
        test=test,
        by=name,
        min_n=min_n,
        keys=[unique[tested[i]] for i in order],
        results=[results[i] for i in order],
        p_adjusted=np.asarray(adjusted)[order],
        n_groups=int(unique.size),
        n_small=int(unique.size - tested.size),
    )


def _counted(spec: registry.DigitTest) -> str:
    """The test whose digit values are the counted values of `spec` (second counts first-two)."""
    return next(name for name, t in registry.TESTS.items() if t.leading == spec.leading and t.fold is registry.unfolded)


def _codes(keys: Any) -> tuple[np.ndarray, Any]:
    """The sorted distinct keys and each value's index among them (lazy for a Dask array)."""
    if is_dask_array(keys):
        import dask.array as da

        unique = np.asarray(da.unique(keys).compute())
        return unique, keys.map_blocks(_positions, unique, dtype=np.int64)
    unique, codes = np.unique(np.asarray(keys), return_inverse=True)
    return unique, codes


def _positions(block: np.ndarray, unique: np.ndarray) -> np.ndarray:
    return np.searchsorted(unique, block)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
