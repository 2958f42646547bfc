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
- mantissa arc test (Nigrini 2012; as R benford.analysis): the mantissas m = log10|x| mod 1 put
  on the unit circle; L2 = (mean cos 2 pi m)**2 + (mean sin 2 pi m)**2 is 0 for Benford data, and
  2 N L2 is asymptotically chi-square with 2 df, so p = exp(-N L2).
- distortion factor (Nigrini's DF model, Nigrini 2012): the values >= 10 collapsed onto [10, 100)
  (10 x / 10**floor(log10 x)) have mean AM; Benford data have mean EM = 90 / ln 10 = 39.0865; DF =
  100 (AM - EM) / EM, in percent: negative when the amounts look understated, positive when overstated.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

import priorlab.benford.registry as registry

CONFORMITY_LABELS = (
    "close conformity",
    "acceptable conformity",
    "marginally acceptable conformity",
    "nonconformity",
)

COLLAPSED_MEAN = 90.0 / math.log(10.0)
"""Expected mean of values collapsed onto [10, 100) under Benford's law (Nigrini's EM, 39.0865)."""

BENFORD_MANTISSA = {"mean": 0.5, "var": 1 / 12, "skewness": 0.0, "excess_kurtosis": -1.2}
"""Moments of log10(x) mod 1 for data that follow Benford's law exactly (uniform on [0, 1))."""


def conformity(test: str, mad: float) -> str | None:
    """Nigrini's conformity label for a MAD value, or None for tests without published ranges."""
    ranges = registry.get(test).mad_ranges
    if ranges is None or not math.isfinite(mad):
        return None
    for label, upper in zip(CONFORMITY_LABELS[:-1], ranges, strict=True):  # the last label has no upper bound
        if mad <= upper:
            return label
    return CONFORMITY_LABELS[-1]


@dataclasses.dataclass(frozen=True)
class MantissaStats:
    """Moments of the mantissas log10|x| mod 1 (population moments, not bias-corrected) and the
    mantissa arc test's L2 and p-value (NaN when the circle sums were not collected)."""

    mean: float
    var: float
    skewness: float
    excess_kurtosis: float
    arc_l2: float = float("nan")
    arc_p_value: float = float("nan")

    @classmethod
    def from_power_sums(
        cls, n: int, s1: float, s2: float, s3: float, s4: float, cos_sum: float = math.nan, sin_sum: float = math.nan
    ) -> MantissaStats:
        """Build from n, the sums of m, m**2, m**3, m**4 and of cos 2 pi m, sin 2 pi m (what a chunked or
        Dask pass collects)."""
        nan = float("nan")
        if n <= 0:
            return cls(nan, nan, nan, nan)
        l2 = (cos_sum / n) ** 2 + (sin_sum / n) ** 2
        arc = {"arc_l2": l2, "arc_p_value": math.exp(-n * l2) if math.isfinite(l2) else nan}
        mean = s1 / n
        e2, e3, e4 = s2 / n, s3 / n, s4 / n
        var = max(e2 - mean**2, 0.0)
        mu3 = e3 - 3 * mean * e2 + 2 * mean**3
        mu4 = e4 - 4 * mean * e3 + 6 * mean**2 * e2 - 3 * mean**4
        if var == 0.0:
            return cls(mean, 0.0, nan, nan, **arc)
        return cls(mean, var, mu3 / var**1.5, mu4 / var**2 - 3.0, **arc)


def distortion_factor(n_collapsed: int, collapsed_sum: float) -> float:
    """Nigrini's DF in percent from the number and the sum of the values >= 10 collapsed onto [10, 100)."""
    if n_collapsed <= 0:
        return float("nan")
    return 100.0 * (collapsed_sum / n_collapsed - COLLAPSED_MEAN) / COLLAPSED_MEAN


@dataclasses.dataclass(frozen=True, eq=False)  # array fields: compare .to_dict() instead
class BenfordResult:
    """One digit test: counts, proportions, per-digit z, summary statistics and a verdict.

    `n` and `counts` are None for a distribution without a sample (`from_proportions`);
    `largest_deviations` lists (digit, |difference|) for every digit, largest first, the
    difference in counts when there is a sample and in proportions otherwise.
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
    dropped: dict[str, int] = dataclasses.field(default_factory=dict)
    mantissa: MantissaStats | None = None
    distortion_factor: float = float("nan")

    def with_reclassified_drops(self, count: int, from_reason: str, to_reason: str) -> BenfordResult:
        """A copy where `count` dropped values move to another reason.

        E.g. text cells of a file reach the test as NaN; the reader knows they were text.
        """
        have = self.dropped.get(from_reason, 0)
        if not 0 <= count <= have:
            raise ValueError(f"cannot move {count} drops from {from_reason!r}, which has {have}")
        merged = dict(self.dropped)
        merged[from_reason] = have - count
        merged[to_reason] = merged.get(to_reason, 0) + count
        return dataclasses.replace(self, dropped=merged)

    def suspects(self, data: Any, column: str | None = None, top: int = 2, sign: str = "positive") -> Any:
        """The rows of `data` whose digits are among the `top` largest deviations (`records.suspects`)."""
        from priorlab.benford.records import suspects  # records builds on this module

        return suspects(self, data, column, top=top, sign=sign)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe types; NaN becomes None."""
        out = {
            "test": self.test,
            "n": self.n,
            "digits": self.digits.tolist(),
            "counts": None if self.counts is None else self.counts.tolist(),
            "observed": _json_floats(self.observed),
            "expected": _json_floats(self.expected),
            "z": _json_floats(self.z),
            "chi2": _json_float(self.chi2),
            "chi2_p": _json_float(self.chi2_p),
            "ks": _json_float(self.ks),
            "mad": _json_float(self.mad),
            "conformity": self.conformity,
            "excess_mad": _json_float(self.excess_mad),
            "kl": _json_float(self.kl),
            "pearson_r": _json_float(self.pearson_r),
            "largest_deviations": [
                {"digits": int(d), "abs_diff": _json_float(x)} for d, x in self.largest_deviations
            ],
            "dropped": dict(self.dropped),
            "mantissa": None
            if self.mantissa is None
            else {k: _json_float(v) for k, v in dataclasses.asdict(self.mantissa).items()},
            "distortion_factor": _json_float(self.distortion_factor),
        }
        return out

    def verdict(self) -> str:
        """One line: the MAD conformity label, or the chi-square decision where there is none."""
        if self.conformity is not None:
            return f"{self.conformity} (MAD {self.mad:.6f}, Nigrini's ranges for the {self.test} test)"
        if math.isfinite(self.chi2_p):
            decision = "consistent with" if self.chi2_p >= 0.05 else "departs from"
            return f"{decision} the expected law at the 5% level (chi-square p = {self.chi2_p:.4g})"
        return f"no verdict (MAD {self.mad:.6f}; no sample size and no MAD ranges for this test)"

    def __str__(self) -> str:
        spec = registry.get(self.test)
        lines = [f"Benford {self.test} digit test"]
        if self.n is None:
            lines.append("distribution without a sample: z, chi-square and excess MAD are not defined")
        else:
            dropped = ", ".join(f"{k} {v:,}" for k, v in self.dropped.items() if v) or "none"
            lines.append(f"N = {self.n:,} values used; dropped: {dropped}")
        lines.append("largest deviations:")
        unit = "count diff" if self.n is not None else "prop. diff"
        lines.append(f"  {'digits':>6}  {'observed':>9}  {'expected':>9}  {unit:>10}  {'z':>7}")
        index = {int(d): i for i, d in enumerate(self.digits)}
        for d, diff in self.largest_deviations[:5]:
            i = index[d]
            diff_text = f"{diff:10.1f}" if self.n is not None else f"{diff:10.5f}"
            lines.append(
                f"  {spec.label(d):>6}  {self.observed[i]:9.5f}  {self.expected[i]:9.5f}"
                f"  {diff_text}  {self.z[i]:7.2f}"
            )
        dof = len(self.digits) - 1
        lines.append(
            f"chi2 = {self.chi2:.4g} (df {dof}, p = {self.chi2_p:.4g})   KS = {self.ks:.5f}   "
            f"MAD = {self.mad:.6f}   excess MAD = {self.excess_mad:.3g}"
        )
        lines.append(f"KL = {self.kl:.4g} nats   Pearson r = {self.pearson_r:.5f}")
        if self.mantissa is not None:
            m = self.mantissa
            lines.append(
                f"mantissa: mean {m.mean:.4f}, var {m.var:.4f}, skewness {m.skewness:.4f}, "
                f"excess kurtosis {m.excess_kurtosis:.4f} (Benford: 0.5, 0.0833, 0, -1.2)"
            )
            lines.append(f"mantissa arc test: L2 = {m.arc_l2:.5g}, p = {m.arc_p_value:.4g}")
        if math.isfinite(self.distortion_factor):
            lines.append(f"distortion factor: {self.distortion_factor:+.3f}% (Nigrini's DF model)")
        lines.append(f"verdict: {self.verdict()}")
        return "\n".join(lines)


def _json_float(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _json_floats(values: np.ndarray) -> list[float | None]:
    return [_json_float(v) for v in values]


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
        raise ValueError(f"no values left to test (dropped: {dict(dropped or {})})")
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
        dropped={str(k): int(v) for k, v in (dropped or {}).items()},
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
