"""The values the second-order test counts: differences between consecutive sorted values.

Nigrini's (2012) second-order test sorts the amounts, takes the differences between neighbours and tests
their first two digits against Benford's first-two law: for most data the differences follow it closely
whatever the data's own distribution, and rounded or invented amounts show up as spikes. Zero differences
(repeated amounts) carry no digits: they stay in the differences, so that the test drops and counts them
as "zero", as R benford.analysis and benford_py drop them.

Float differences carry the representation error of both amounts (50.38 - 50.37 is 0.010000000000005116 in
float64, 0.3 - 0.2 is 0.09999999999999998, whose first two digits would read 99): every difference is
rounded to 15 significant digits of the larger amount, which gives back the decimal difference of amounts
written in a common unit (cents, say) with up to 15 significant digits. Integer amounts are subtracted
exactly.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from priorlab.benford.digits import SIGNS, as_numeric, kept, lookup
from priorlab.distributed import is_dask_array
from priorlab.validation import check_choice

SIGNIFICANT = 15
"""Significant digits (of the larger amount) a float difference is rounded to."""

_HIGHEST = 308  # the largest float's exponent
_LOWEST = SIGNIFICANT - 1 - _HIGHEST  # exponents below are read as this one, so every scale stays finite
_POWERS = np.array([float(f"1e{k}") for k in range(_LOWEST, _HIGHEST + 1)])
"""10**k for k from _LOWEST to _HIGHEST, correctly rounded: a table lookup instead of np.power per value."""


def differences(data: Any, sign: str = "positive", min_value: float | None = None) -> Any:
    """Differences (>= 0, zeros kept) of the sorted magnitudes of the values kept by `sign` and `min_value`
    (finite, non-zero); a Dask array stays lazy (sorted through Dask DataFrame's shuffle)."""
    check_choice(sign, "sign", SIGNS)
    x, missing = as_numeric(data)
    if missing is not None:
        x = x[~missing]
    keep = kept(x, sign, min_value)
    if x.dtype.kind == "O":  # integers beyond 64 bits: exact Python ints
        ordered = sorted(abs(v) for v in x[keep])
        return np.array([b - a for a, b in itertools.pairwise(ordered)], dtype=object)
    magnitude = np.abs(x) if x.dtype.kind != "u" else x
    ordered = _sorted(magnitude[keep])
    upper = ordered[1:]
    step = upper - ordered[:-1]
    if x.dtype.kind == "f":
        exponent = np.clip(np.floor(np.log10(upper)), _LOWEST, _HIGHEST).astype(np.int64)
        exponent = exponent - (lookup(_POWERS, exponent - _LOWEST) > upper)  # log10 may round up to a power
        scale = lookup(_POWERS, np.maximum(SIGNIFICANT - 1 - exponent, _LOWEST) - _LOWEST)
        step = np.round(step * scale) / scale
    return step


def _sorted(values: Any) -> Any:
    """Sorted ascending; NumPy in place, Dask through a DataFrame sort (Dask arrays have no sort)."""
    if not is_dask_array(values):
        return np.sort(values)
    import dask.dataframe as dd

    frame = dd.from_dask_array(values, columns=["value"]).sort_values("value")
    return frame["value"].to_dask_array(lengths=True)
