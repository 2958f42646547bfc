"""`analyze`: one Benford digit test of any array of numbers, the entry point of `priorlab.benford`."""

from __future__ import annotations

from typing import Any

import numpy as np

import priorlab.benford.digits as digits
import priorlab.benford.registry as registry
import priorlab.benford.second_order as second_order
from priorlab.benford.stats import BenfordResult, from_counts
from priorlab.benford.summation import SummationResult, summation
from priorlab.validation import check_choice


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
    """Run one digit test on every finite non-zero value of `data` (kept by `sign` and `min_value`).

    Parameters
    ----------
    data : array_like, pandas Series or Dask array
        The numbers. float16/float32 values are widened to float64 before their digits are taken
        (`digits` defines a value's digits exactly); integers keep every digit at any size. A Dask array
        stays lazy until its counts are computed, on the active Dask scheduler.
    test : str, default "first"
        One of `registry.CHOICES`: "first", "second", "first-two", "first-three", "last-two",
        "second-order" (the differences between consecutive sorted values, `second_order`) or
        "summation" (`summation.summation`).
    sign : {"positive", "negative", "both"}, default "positive"
        Which values to keep ("both": the digits of |x|).
    min_value : float, optional
        Drop |x| < min_value (default: none, except 10 for "last-two").
    mantissa : bool, default True
        Also collect the mantissa moments, the arc test and the distortion factor.
    chunk_size : int
        Values per NumPy chunk of the one pass over the data.
    progress : bool, default False
        Show a progress bar over the chunks.
    name : str, default "data"
        What `data` is, in error messages (the command line names the file and column).

    Returns
    -------
    BenfordResult or SummationResult
        The test's statistics; dropped values are counted by reason in `result.dropped`.

    Raises
    ------
    ValueError
        For an unknown test or sign, or when no value is left to test.
    TypeError
        When `data` is not numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from priorlab.benford import analyze
    >>> result = analyze(np.array([0.0, 1.5, 23.0, 310.0, 1.2, 19.0, 4.4, 1000.0, 2.5, 17.0, np.nan]))
    >>> result.n, result.counts.tolist(), str(result.dropped)
    (9, [5, 2, 1, 1, 0, 0, 0, 0, 0], '1 nan, 1 zero')
    >>> str(analyze([1200, 0, -45, 7], "first", sign="positive").dropped)
    '1 zero, 1 sign'
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
        dropped = str(counted.dropped) if counted.dropped.total else "nothing (the data is empty)"
        raise ValueError(f"{name}: no {kept} left to test after dropping {dropped}")
    return from_counts(
        np.asarray(counts),
        test,
        dropped=counted.dropped,
        mantissa=counted.mantissa,
        distortion_factor=counted.distortion_factor,
    )
