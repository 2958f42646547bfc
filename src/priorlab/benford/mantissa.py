"""The mantissas m = log10|x| mod 1 of the values a digit test keeps, and what they say: their moments, the
mantissa arc test and Nigrini's distortion factor.

Benford's law is the statement that m is uniform on [0, 1), so the moments of m, the mean resultant length
of m on the unit circle and the mean of the values collapsed onto [10, 100) each measure a departure from it.
`digits.count_digits` collects the sums these need in its one pass over the data (chunk by chunk, or per Dask
block); this module turns those sums into statistics. Definitions:

- moments: population moments of m (not bias-corrected), from the power sums of m.
- mantissa arc test (Nigrini 2012; as R benford.analysis): L2 = (mean cos 2 pi m)**2 + (mean sin 2 pi m)**2
  is 0 for Benford data, and 2 N L2 is asymptotically chi-square with 2 df, so p = exp(-N L2).
- distortion factor (Nigrini's DF model): the values >= 10 collapsed onto [10, 100) (10 x / 10**floor(log10 x))
  have mean AM; Benford data have mean EM = 90 / ln 10 = 39.0865; DF = 100 (AM - EM) / EM, in percent:
  negative when the amounts look understated, positive when overstated.
"""

from __future__ import annotations

import dataclasses
import math

COLLAPSED_MEAN = 90.0 / math.log(10.0)
"""Expected mean of values collapsed onto [10, 100) under Benford's law (Nigrini's EM, 39.0865)."""

BENFORD_MANTISSA = {"mean": 0.5, "var": 1 / 12, "skewness": 0.0, "excess_kurtosis": -1.2}
"""Moments of log10(x) mod 1 for data that follow Benford's law exactly (uniform on [0, 1))."""


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
