"""Input checks for `Ensemble`: every error names the argument (and the first bad row)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch


def as_float_array(value: Any, name: str) -> np.ndarray:
    """numpy / pandas / torch / nested lists -> float64 ndarray, refusing non-numeric or non-finite data."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected numeric data, got {type(value).__name__} ({exc})") from None
    if array.size == 0 or array.shape[0] == 0:
        raise ValueError(f"{name}: empty data (shape {array.shape})")
    bad = ~np.isfinite(array)
    if bad.any():
        row = int(np.argwhere(bad)[0][0])
        raise ValueError(f"{name}: contains NaN or infinite values (first at row {row})")
    return array


def check_int(value: Any, name: str, minimum: int = 1) -> int:
    """An integer (not a bool) >= `minimum`, or a ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def check_number(value: Any, name: str, strictly_positive: bool = False) -> float:
    """A finite number >= 0 (> 0 if `strictly_positive`), or an error naming the argument."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(number) or number < 0 or (strictly_positive and number == 0):
        bound = "> 0" if strictly_positive else ">= 0"
        raise ValueError(f"{name}: expected a finite number {bound}, got {value!r}")
    return number
