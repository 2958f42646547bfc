"""Translate user-facing axes (over one draw's shape) into axes of the stored `(K, ...)` array.

Every `axis` a user passes to a `Samples` refers to the per-draw shape; the draw axis is
never addressable. Negative axes count from the end, which is the same in both arrays, so
only non-negative axes move by one.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

from numpy.exceptions import AxisError


def shift_axis(axis: int, ndim: int, argname: str = "axis") -> int:
    """The stored-array axis for per-draw `axis` of a `ndim`-dimensional draw."""
    try:
        axis = operator.index(axis)  # NumPy integers pass; floats and strings are as wrong here as in NumPy
    except TypeError:
        raise TypeError(f"{argname} must be an integer, got {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise AxisError(f"{argname} {axis} is out of bounds for the per-draw shape of dimension {ndim}")
    return axis + 1 if axis >= 0 else axis


def shift_axes(axis: int | Sequence[int] | None, ndim: int, argname: str = "axis") -> int | tuple[int, ...]:
    """Like `shift_axis`, for an int, a tuple of ints, or None (meaning: every per-draw axis)."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, (tuple, list)):
        return tuple(shift_axis(a, ndim, argname) for a in axis)
    return shift_axis(axis, ndim, argname)
