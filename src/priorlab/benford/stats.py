"""Goodness-of-fit statistics of observed digit frequencies against Benford's law.

`from_counts` takes the digit counts of a sample; `from_proportions` takes a probability
distribution with no sample behind it (a language model's digit distribution), so the
statistics that need a sample size (z, chi-square and its p-value, excess MAD) are NaN
there, and the rest are computed on the proportions. Definitions:

- z (Nigrini, with continuity correction): z = (|p_o - p_e| - 1/(2N)) / sqrt(p_e (1 - p_e) / N),
  where the 1/(2N) term is subtracted only when it is smaller than |p_o - p_e|.
- chi2 = sum (O - E)**2 / E with E = N p_e, p-value from the chi-square law with
  (number of digits - 1) degrees of freedom.
- ks: the largest absolute difference of the two cumulative distributions over the
  digits in increasing order (a discrete Kolmogorov-Smirnov distance).
- mad: mean absolute difference of the proportions; `conformity` applies Nigrini's (2012)
  MAD ranges, declared per test in `registry.TESTS` (None for a test without published ranges).
- excess_mad (Barney & Schulzke): mad - E[mad], E[mad] = mean over digits of
  sqrt(2 p_e (1 - p_e) / (pi N)), the expected |p_o - p_e| of a conforming sample of size N
  under the normal approximation.
- kl: Kullback-Leibler divergence sum p_o ln(p_o / p_e), in nats (0 ln 0 = 0).
- pearson_r: correlation of observed and expected proportions (the measure of Perone 2019); NaN
  when either is constant, as for the uniform last-two-digits law.
- the mantissa moments, arc test and distortion factor come from `mantissa.py`, which defines them.

Each result says once what it shows: `statistics()` gives its labelled values and `deviations()` its
per-digit rows, which `str`, the command line, the audit report and the demo all render.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

import priorlab.benford.registry as registry
from priorlab.benford.drops import Drops
from priorlab.benford.mantissa import BENFORD_MANTISSA, MantissaStats
from priorlab.jsonsafe import json_number, json_numbers

CONFORMITY_LABELS = (
    "close conformity",
    "acceptable conformity",
    "marginally acceptable conformity",
    "nonconformity",
)

def conformity(test: str, mad: float) -> str | None:
    """Nigrini's conformity label for a MAD value, or None for tests without published ranges."""
    ranges = registry.get(test).mad_ranges
    if ranges is None or not math.isfinite(mad):
        return None
    for label, upper in zip(CONFORMITY_LABELS[:-1], ranges, strict=True):  # the last label has no upper bound
        if mad <= upper:
            return label
    return CONFORMITY_LABELS[-1]


class Statistic(NamedTuple):
    """One labelled value of a result: `value` as computed (for tables, which format it themselves), `text`
    as a person reads it on a terminal."""

    key: str
    label: str
    value: Any
    text: str


class Deviation(NamedTuple):
    """One digit value of a test, as the largest-deviations tables show it; counts are None for a
    distribution without a sample."""

    digits: str  # as printed: "07" for the last two digits
    count: int | None
    expected_count: float | None
    observed: float
    expected: float
    z: float


@dataclasses.dataclass(frozen=True, eq=False)  # array fields: compare .to_dict() instead
class BenfordResult:
    """One digit test of a sample (or of a distribution without one): counts, proportions, per-digit z,
    the summary statistics and a verdict.

    Made by `priorlab.benford.analyze` (a sample), `from_counts` or `from_proportions` (a language model's
    digit distribution, which has no sample size); the module docstring defines every statistic.

    Attributes
    ----------
    test : str
        The digit test, one of `registry.TESTS`.
    n : int or None
        Values counted; None for a distribution without a sample.
    digits : ndarray of int
        The test's digit values in increasing order (1..9, 10..99, 0..99, ...).
    counts : ndarray of int or None
        Count of each digit value; None without a sample.
    observed, expected : ndarray of float
        Observed and expected proportion of each digit value.
    z : ndarray of float
        Nigrini's z per digit value (NaN without a sample).
    chi2, chi2_p : float
        Chi-square statistic and its p-value (NaN without a sample).
    ks, mad, excess_mad, kl, pearson_r : float
        Kolmogorov-Smirnov distance, mean absolute deviation, MAD above its expectation, Kullback-Leibler
        divergence (nats), Pearson correlation with the law.
    conformity : str or None
        Nigrini's conformity label from the MAD, None for a test without published ranges.
    largest_deviations : list of (int, float)
        Every digit value with its absolute deviation (in counts with a sample, else proportions), largest
        first.
    dropped : Drops
        Values left out, by reason.
    mantissa : MantissaStats or None
        Moments of the mantissas and the arc test, when they were collected.
    distortion_factor : float
        Nigrini's distortion factor in percent (NaN without values >= 10).

    Examples
    --------
    >>> from priorlab.benford import from_counts
    >>> result = from_counts([301, 176, 125, 97, 79, 67, 58, 51, 46], "first", dropped={"zero": 2})
    >>> result.n, result.conformity, str(result.dropped)
    (1000, 'close conformity', '2 zero')
    >>> [(s.label, s.text) for s in result.statistics()][:3]
    [('N (values used)', '1,000'), ('values dropped', '2 zero'), ('chi-square', 'chi2 = 0.002362, df 8')]
    """

    test: str
    n: int | None
    digits: np.ndarray
    counts: np.ndarray | None
    observed: np.ndarray
    expected: np.ndarray
    z: np.ndarray
    chi2: float
    chi2_p: float
    ks: float
    mad: float
    conformity: str | None
    excess_mad: float
    kl: float
    pearson_r: float
    largest_deviations: list[tuple[int, float]]
    dropped: Drops = dataclasses.field(default_factory=Drops)
    mantissa: MantissaStats | None = None
    distortion_factor: float = float("nan")

    def __post_init__(self) -> None:
        if not isinstance(self.dropped, Drops):
            object.__setattr__(self, "dropped", Drops(self.dropped))

    def with_reclassified_drops(self, count: int, from_reason: str, to_reason: str) -> BenfordResult:
        """A copy where `count` dropped values move to another reason.

        E.g. text cells of a file reach the test as NaN; the reader knows they were text.
        """
        return dataclasses.replace(self, dropped=self.dropped.moved(count, from_reason, to_reason))

    def suspects(self, data: Any, column: str | None = None, top: int = 2, sign: str = "positive") -> Any:
        """The rows of `data` whose digits are among the `top` largest deviations (`records.suspects`)."""
        from priorlab.benford.records import suspects  # pandas, loaded when rows are asked for

        return suspects(self, data, column, top=top, sign=sign)

    def statistics(self) -> list[Statistic]:
        """The result's summary, in the order an auditor reads it; the ones that need a sample size are
        left out of a distribution without one."""
        sample = self.n is not None
        rows = [
            *([("n", "N (values used)", self.n, f"{self.n:,}"),
               ("dropped", "values dropped", self.dropped, str(self.dropped)),
               ("chi2", "chi-square", self.chi2, f"chi2 = {self.chi2:.4g}, df {self.digits.size - 1}"),
               ("chi2_p", "chi-square p-value", self.chi2_p, f"{self.chi2_p:.4g}")] if sample else []),
            ("ks", "KS distance", self.ks, f"{self.ks:.5f}"),
            ("mad", "MAD", self.mad, f"{self.mad:.6f}"),
            ("conformity", "conformity (Nigrini)", self.conformity, self.conformity or "no published ranges"),
            *([("excess_mad", "excess MAD", self.excess_mad, f"{self.excess_mad:.3g}")] if sample else []),
            ("kl", "KL divergence (nats)", self.kl, f"{self.kl:.4g}"),
            ("pearson_r", "Pearson r", self.pearson_r, f"{self.pearson_r:.5f}"),
        ]
        if self.mantissa is not None:
            rows += [(s.key, s.label, s.value, s.text) for s in mantissa_statistics(self.mantissa)]
        if math.isfinite(self.distortion_factor):
            rows.append(("distortion_factor", "distortion factor (%)", self.distortion_factor,
                         f"{self.distortion_factor:+.3f}% (Nigrini's DF model)"))
        return [Statistic(*row) for row in rows]

    def deviations(self, top: int | None = None) -> list[Deviation]:
        """The digit values of the `top` largest deviations (all by default), largest first."""
        spec = registry.get(self.test)
        index = {int(d): i for i, d in enumerate(self.digits)}
        rows = []
        for d, _ in self.largest_deviations[:top]:
            i = index[d]
            count = None if self.counts is None else int(self.counts[i])
            expected = None if self.n is None else float(self.expected[i] * self.n)
            rows.append(Deviation(spec.label(d), count, expected, float(self.observed[i]), float(self.expected[i]),
                                  float(self.z[i])))
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe types; NaN becomes None."""
        return {
            "test": self.test,
            "n": self.n,
            "digits": self.digits.tolist(),
            "counts": None if self.counts is None else self.counts.tolist(),
            "observed": json_numbers(self.observed),
            "expected": json_numbers(self.expected),
            "z": json_numbers(self.z),
            "chi2": json_number(self.chi2),
            "chi2_p": json_number(self.chi2_p),
            "ks": json_number(self.ks),
            "mad": json_number(self.mad),
            "conformity": self.conformity,
            "excess_mad": json_number(self.excess_mad),
            "kl": json_number(self.kl),
            "pearson_r": json_number(self.pearson_r),
            "largest_deviations": [
                {"digits": int(d), "abs_diff": json_number(x)} for d, x in self.largest_deviations
            ],
            "dropped": dict(self.dropped),
            "mantissa": None
            if self.mantissa is None
            else {k: json_number(v) for k, v in dataclasses.asdict(self.mantissa).items()},
            "distortion_factor": json_number(self.distortion_factor),
        }

    def verdict(self) -> str:
        """One line: the MAD conformity label, or the chi-square decision where there is none."""
        if self.conformity is not None:
            return f"{self.conformity} (MAD {self.mad:.6f}, Nigrini's ranges for the {self.test} test)"
        if math.isfinite(self.chi2_p):
            decision = "consistent with" if self.chi2_p >= 0.05 else "departs from"
            return f"{decision} the expected law at the 5% level (chi-square p = {self.chi2_p:.4g})"
        return f"no verdict (MAD {self.mad:.6f}; no sample size and no MAD ranges for this test)"

    def __str__(self) -> str:
        lines = [f"Benford {self.test} digit test"]
        if self.n is None:
            lines.append("distribution without a sample: z, chi-square and excess MAD are not defined")
        else:
            lines.append(f"N = {self.n:,} values used; dropped: {self.dropped}")
        unit = "count diff" if self.n is not None else "prop. diff"
        lines += ["largest deviations:", f"  {'digits':>6}  {'observed':>9}  {'expected':>9}  {unit:>10}  {'z':>7}"]
        for row in self.deviations(5):
            diff = (f"{row.count - row.expected_count:10.1f}" if row.count is not None
                    else f"{row.observed - row.expected:10.5f}")
            lines.append(f"  {row.digits:>6}  {row.observed:9.5f}  {row.expected:9.5f}  {diff}  {row.z:7.2f}")
        lines += [f"{s.label}: {s.text}" for s in self.statistics() if s.key not in ("n", "dropped")]
        lines.append(f"verdict: {self.verdict()}")
        return "\n".join(lines)


def mantissa_statistics(mantissa: MantissaStats) -> list[Statistic]:
    """The mantissa moments beside their values under Benford's law, and the arc test."""
    rows = [Statistic(f"mantissa_{key}", f"mantissa {key.replace('_', ' ')} (Benford {law:.4g})",
                      getattr(mantissa, key), f"{getattr(mantissa, key):.4f}") for key, law in BENFORD_MANTISSA.items()]
    return [*rows,
            Statistic("arc_l2", "mantissa arc test L2", mantissa.arc_l2, f"{mantissa.arc_l2:.5g}"),
            Statistic("arc_p_value", "mantissa arc test p", mantissa.arc_p_value, f"{mantissa.arc_p_value:.4g}")]


def statistics_table(results: Mapping[str, BenfordResult]) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of one table comparing several results: a row per statistic (in the order of the
    first result that has it), a column per result, None where a result has no such statistic."""
    by_key: dict[str, dict[str, Any]] = {}
    labels: dict[str, str] = {}
    for name, result in results.items():
        for statistic in result.statistics():
            labels.setdefault(statistic.key, statistic.label)
            value = str(statistic.value) if statistic.key == "dropped" else statistic.value
            by_key.setdefault(statistic.key, {})[name] = value
    rows = [[labels[key], *(values.get(name) for name in results)] for key, values in by_key.items()]
    rows.append(["verdict", *(result.verdict() for result in results.values())])
    return ["statistic", *results], rows


def _ranked_deviations(digits: np.ndarray, abs_diff: np.ndarray) -> list[tuple[int, float]]:
    order = np.argsort(-abs_diff, kind="stable")
    return [(int(digits[i]), float(abs_diff[i])) for i in order]


def _shape_statistics(test: str, observed: np.ndarray, expected: np.ndarray) -> dict[str, Any]:
    """Statistics defined on the proportions alone."""
    abs_diff = np.abs(observed - expected)
    mad = float(abs_diff.mean())
    positive = observed > 0
    kl = float(np.sum(observed[positive] * np.log(observed[positive] / expected[positive])))
    if np.ptp(observed) == 0 or np.ptp(expected) == 0:
        pearson_r = float("nan")
    else:
        pearson_r = float(np.corrcoef(observed, expected)[0, 1])
    return {
        "ks": float(np.max(np.abs(np.cumsum(observed) - np.cumsum(expected)))),
        "mad": mad,
        "conformity": conformity(test, mad),
        "kl": kl,
        "pearson_r": pearson_r,
    }


def z_scores(observed: np.ndarray, expected: np.ndarray, n: int) -> np.ndarray:
    """Nigrini's per-digit z with the continuity correction 1/(2N) (only where it is smaller than the gap)."""
    gap = np.abs(observed - expected)
    correction = 1.0 / (2.0 * n)
    gap = np.where(correction < gap, gap - correction, gap)
    return gap / np.sqrt(expected * (1.0 - expected) / n)


def expected_mad(expected: np.ndarray, n: int) -> float:
    """E[MAD] of a conforming sample of size n: mean of sqrt(2 p (1 - p) / (pi n))."""
    return float(np.mean(np.sqrt(2.0 * expected * (1.0 - expected) / (math.pi * n))))


def from_counts(
    counts: np.ndarray,
    test: str,
    dropped: Mapping[str, int] | None = None,
    mantissa: MantissaStats | None = None,
    distortion_factor: float = math.nan,
) -> BenfordResult:
    """All statistics for the digit counts of a sample, ordered as `registry.expected(test)[0]`."""
    digits, expected = registry.expected(test)
    counts = np.asarray(counts)
    if counts.shape != digits.shape:
        raise ValueError(f"counts must have {digits.size} entries for the {test} test, got shape {counts.shape}")
    if not np.issubdtype(counts.dtype, np.integer) and (
        not np.all(np.isfinite(counts)) or np.any(counts != np.round(counts))
    ):
        raise ValueError("counts must be whole numbers")
    if np.any(counts < 0):
        raise ValueError("counts must be non-negative")
    from scipy.special import chdtrc  # chi-square survival; imported here so the CLI starts without SciPy

    counts = counts.astype(np.int64)
    n = int(counts.sum())
    if n == 0:
        raise ValueError(f"no values left to test (dropped: {Drops(dropped)})")
    observed = counts / n
    expected_counts = n * expected
    chi2 = float(np.sum((counts - expected_counts) ** 2 / expected_counts))
    return BenfordResult(
        test=test,
        n=n,
        digits=digits,
        counts=counts,
        observed=observed,
        expected=expected,
        z=z_scores(observed, expected, n),
        chi2=chi2,
        chi2_p=float(chdtrc(digits.size - 1, chi2)),
        excess_mad=float(np.mean(np.abs(observed - expected))) - expected_mad(expected, n),
        largest_deviations=_ranked_deviations(digits, np.abs(counts - expected_counts)),
        dropped=Drops(dropped),
        mantissa=mantissa,
        distortion_factor=float(distortion_factor),
        **_shape_statistics(test, observed, expected),
    )


def from_proportions(probabilities: np.ndarray, test: str) -> BenfordResult:
    """Statistics for a digit distribution with no sample (e.g. a language model's).

    `probabilities` are renormalised to sum to 1 (they must be finite, non-negative, not all
    zero). z, chi2, chi2_p and excess_mad are NaN and `n`/`counts` are None: they need a
    sample size. mad, conformity, ks, kl, pearson_r and largest_deviations (in proportions)
    are computed on the proportions.
    """
    digits, expected = registry.expected(test)
    p = np.asarray(probabilities, dtype=np.float64)
    if p.shape != digits.shape:
        raise ValueError(
            f"probabilities must have {digits.size} entries for the {test} test, got shape {p.shape}"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise ValueError("probabilities must be finite, non-negative and not all zero")
    observed = p / p.sum()
    nan = float("nan")
    return BenfordResult(
        test=test,
        n=None,
        digits=digits,
        counts=None,
        observed=observed,
        expected=expected,
        z=np.full(digits.size, nan),
        chi2=nan,
        chi2_p=nan,
        excess_mad=nan,
        largest_deviations=_ranked_deviations(digits, np.abs(observed - expected)),
        **_shape_statistics(test, observed, expected),
    )
