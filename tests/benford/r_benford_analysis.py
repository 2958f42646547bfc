"""R benford.analysis' published output for Nigrini's corporate payments: its README's
`benford(corporate.payment$Amount)` (first two digits, positive amounts) and `getSuspects(bfd.cp, corporate.payment)`.
Oracles for the tests."""

from __future__ import annotations

N = 185083
N_SECOND_ORDER = 65504
MANTISSA = {"mean": 0.496, "var": 0.092, "excess_kurtosis": -1.257, "skewness": -0.002}  # printed to 3 decimals
LARGEST_DEVIATIONS = [(50, 5938.25), (11, 3331.98), (10, 2811.92), (14, 1043.68), (98, 889.95)]
CHI2 = 32094
ARC_L2 = 0.0039958  # printed to 5 significant digits; "p-value < 2.2e-16"
MAD = 0.002336614
DISTORTION_FACTOR = -1.065467
# R computes DF as (AM - 39.0865) / 39.0685 * 100: the denominator's digits are transposed (39.0865 is meant).
R_DF_CENTRE, R_DF_DENOMINATOR = 39.0865, 39.0685
N_SUSPECTS = 17856  # rows whose first two digits are 50 or 11
FIRST_SUSPECTS = [
    ("2001", "2010-01-02", "3822J10", "50.38"),
    ("2001", "2010-01-07", "100107-2", "1166.29"),
    ("2001", "2010-01-08", "11210084007", "1171.45"),
    ("2001", "2010-01-08", "1585J10", "50.42"),
    ("2001", "2010-01-08", "4733J10", "113.34"),
]
LAST_SUSPECTS = [
    ("52867", "2010-07-01", "270358343233", "11.58"),
    ("52870", "2010-02-01", "270682253025", "11.20"),
    ("52904", "2010-06-01", "271866383919", "50.15"),
    ("52911", "2010-02-01", "270957401515", "11.20"),
    ("52934", "2010-02-01", "271745237617", "11.88"),
]
