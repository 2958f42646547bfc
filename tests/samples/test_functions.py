"""NEP 18: every implemented NumPy function gives the draw-by-draw result; the rest are refused with a reason.

The oracle is a plain loop over `.samples` written here, independent of the library's own
per-draw fallback: `f(S).samples[k] == f(S.samples[k])` for every draw k.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing.overrides import get_overridable_numpy_array_functions

from priorlab.samples import Samples
from priorlab.samples.array import FUNCTION_HANDLERS, UNSUPPORTED_FUNCTIONS
from priorlab.samples.functions import IMPLEMENTATION_RULE, OVERRIDABLE, UNSUPPORTED

FEW = settings(max_examples=4, deadline=None)


class Inputs:
    """Random plain arrays and Samples with a fixed number of draws, from one seed."""

    def __init__(self, seed: int, n_draws: int, dtype: type = np.float64) -> None:
        self.rng = np.random.default_rng(seed)
        self.k = n_draws
        self.dtype = dtype

    def S(self, *shape: int, low: float = -2.0, high: float = 2.0) -> Samples:
        return Samples(self.rng.uniform(low, high, size=(self.k, *shape)).astype(self.dtype))

    def Si(self, *shape: int, low: int = 0, high: int = 5) -> Samples:
        return Samples(self.rng.integers(low, high, size=(self.k, *shape)))

    def Sb(self, *shape: int) -> Samples:
        return Samples(self.rng.random((self.k, *shape)) < 0.5)

    def Sc(self, *shape: int) -> Samples:
        z = self.rng.normal(size=(self.k, *shape)) + 1j * self.rng.normal(size=(self.k, *shape))
        return Samples(z)

    def Sspd(self, n: int) -> Samples:
        """Symmetric positive definite draws."""
        a = self.rng.normal(size=(self.k, n, n))
        return Samples(a @ a.transpose(0, 2, 1) + n * np.eye(n))

    def Snan(self, *shape: int) -> Samples:
        x = self.rng.normal(size=(self.k, *shape))
        x[self.rng.random(x.shape) < 0.2] = np.nan
        return Samples(x)

    def St(self, *shape: int) -> Samples:
        words = np.array(["ab", "Cd e", "x\ty", "Hello", "b-a-b", "12"])
        return Samples(words[self.rng.integers(0, len(words), size=(self.k, *shape))])

    def Srec(self, n: int, keys: bool = False) -> Samples:
        """Structured draws: a float field 'a' and an integer field 'b' (0, 1, ... in every draw if `keys`)."""
        records = np.zeros((self.k, n), dtype=[("a", float), ("b", np.int64)])
        records["a"] = self.rng.normal(size=(self.k, n))
        records["b"] = np.arange(n) if keys else self.rng.integers(0, 3, size=(self.k, n))
        return Samples(records)

    def a(self, *shape: int) -> np.ndarray:
        return self.rng.uniform(-2, 2, size=shape)


Case = Callable[[Inputs], tuple[tuple[Any, ...], dict[str, Any]]]


def c(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args, kwargs


# name -> builders of (args, kwargs); each runs through the draw-by-draw oracle below
CASES: dict[str, list[Case]] = {
    # reductions over per-draw axes
    **{
        name: [
            lambda g: c(g.S(3, 4)),
            lambda g: c(g.S(3, 4), axis=0),
            lambda g: c(g.S(2, 3, 2), axis=(0, -1)),
            lambda g: c(g.S(3, 4), axis=-1, keepdims=True),
            lambda g: c(g.S()),
        ]
        for name in ("sum", "prod", "mean", "std", "var", "max", "min", "amax", "amin", "ptp", "median")
    },
    "any": [lambda g: c(g.Sb(3, 4)), lambda g: c(g.Sb(3, 4), axis=1)],
    "all": [lambda g: c(g.Sb(3, 4)), lambda g: c(g.Sb(3, 4), axis=-2, keepdims=True)],
    "count_nonzero": [lambda g: c(g.Si(3, 4, high=2)), lambda g: c(g.Si(3, 4, high=2), axis=0)],
    **{
        name: [lambda g: c(g.Snan(3, 4)), lambda g: c(g.Snan(3, 4), axis=1)]
        for name in ("nansum", "nanprod", "nanmean", "nanstd", "nanvar", "nanmax", "nanmin", "nanmedian")
    },
    "flip": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), axis=1), lambda g: c(g.S(3, 4), axis=(0, 1))],
    "linalg.vector_norm": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), axis=0, ord=1)],
    "lib.stride_tricks.sliding_window_view": [lambda g: c(g.S(5), 3), lambda g: c(g.S(4, 5), 2, axis=1)],
    **{
        name: [
            lambda g: c(g.S(3, 4), 0.3),
            lambda g: c(g.S(3, 4), [0.2, 0.7], axis=1),
            lambda g: c(g.S(5), np.array([[0.1, 0.5], [0.6, 0.9]])),
        ]
        for name in ("quantile", "nanquantile")
    },
    **{
        name: [lambda g: c(g.S(3, 4), 30), lambda g: c(g.S(3, 4), [20, 70], axis=0)]
        for name in ("percentile", "nanpercentile")
    },
    # per-draw axes, None flattens
    **{
        name: [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), axis=0), lambda g: c(g.S(3, 4), axis=-1)]
        for name in ("cumsum", "cumprod", "nancumsum", "nancumprod", "argmax", "argmin", "nanargmax", "nanargmin")
    },
    "sort": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), axis=0), lambda g: c(g.S(3, 4), axis=None)],
    "argsort": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), axis=0), lambda g: c(g.S(3, 4), axis=None)],
    "partition": [lambda g: c(g.S(5), 2), lambda g: c(g.S(3, 4), 1, axis=0)],
    "argpartition": [lambda g: c(g.S(5), 2), lambda g: c(g.S(3, 4), 1, axis=0)],
    "take": [lambda g: c(g.S(3, 4), [0, 2]), lambda g: c(g.S(3, 4), [1, 0, 1], axis=1)],
    "repeat": [lambda g: c(g.S(3, 2), 2), lambda g: c(g.S(3, 2), [1, 2], axis=1)],
    "delete": [lambda g: c(g.S(3, 4), 1), lambda g: c(g.S(3, 4), [0, 2], axis=1)],
    "insert": [lambda g: c(g.S(3, 4), 1, 9.0), lambda g: c(g.S(3, 4), 2, 5.0, axis=1)],
    "packbits": [lambda g: c(g.Sb(3, 9)), lambda g: c(g.Sb(3, 9), axis=1)],
    "unpackbits": [lambda g: c(Samples(g.rng.integers(0, 255, (g.k, 2, 3), dtype=np.uint8)), axis=0)],
    "compress": [lambda g: c([True, False, True], g.S(3, 2), axis=0), lambda g: c([True, False], g.S(3, 2))],
    # per-draw axes
    "cumulative_sum": [lambda g: c(g.S(5)), lambda g: c(g.S(3, 4), axis=1, include_initial=True)],
    "cumulative_prod": [lambda g: c(g.S(5)), lambda g: c(g.S(3, 4), axis=0)],
    "diff": [
        lambda g: c(g.S(3, 4)),
        lambda g: c(g.S(3, 4), n=2, axis=0),
        lambda g: c(g.S(3, 4), prepend=0.0, append=g.S(3, 1)),
    ],
    "trapezoid": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), x=np.arange(3.0), axis=0)],
    "unwrap": [lambda g: c(g.S(6, low=-9, high=9)), lambda g: c(g.S(3, 4, low=-9, high=9), axis=0)],
    "split": [lambda g: c(g.S(4, 3), 2), lambda g: c(g.S(4, 3), [1], axis=1)],
    "array_split": [lambda g: c(g.S(5), 2), lambda g: c(g.S(4, 3), 2, axis=1)],
    "unstack": [lambda g: c(g.S(2, 3)), lambda g: c(g.S(2, 3), axis=1)],
    "apply_along_axis": [lambda g: c(np.sum, 0, g.S(3, 4)), lambda g: c(np.cumsum, -1, g.S(3, 4))],
    "apply_over_axes": [lambda g: c(np.sum, g.S(2, 3, 4), [0, 2])],
    "swapaxes": [lambda g: c(g.S(2, 3, 4), 0, 2), lambda g: c(g.S(2, 3), -1, 0)],
    "moveaxis": [lambda g: c(g.S(2, 3, 4), 0, -1), lambda g: c(g.S(2, 3, 4), (0, 1), (2, 0))],
    "trace": [lambda g: c(g.S(3, 3)), lambda g: c(g.S(2, 3, 3), 1, axis1=1, axis2=2)],
    "diagonal": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(2, 3, 3), -1, axis1=2, axis2=1)],
    "rot90": [lambda g: c(g.S(2, 3)), lambda g: c(g.S(2, 3, 4), 3, axes=(2, 0))],
    # stacks of matrices
    "linalg.cholesky": [lambda g: c(g.Sspd(3))],
    "linalg.det": [lambda g: c(g.S(3, 3)), lambda g: c(g.S(2, 3, 3))],
    "linalg.eig": [lambda g: c(g.Sspd(3))],
    "linalg.eigh": [lambda g: c(g.Sspd(3))],
    "linalg.eigvals": [lambda g: c(g.Sspd(3))],
    "linalg.eigvalsh": [lambda g: c(g.Sspd(3))],
    "linalg.inv": [lambda g: c(g.Sspd(3))],
    "linalg.pinv": [lambda g: c(g.S(3, 2))],
    "linalg.qr": [lambda g: c(g.S(3, 3))],
    "linalg.slogdet": [lambda g: c(g.S(3, 3))],
    "linalg.svd": [lambda g: c(g.Sspd(3))],
    "linalg.svdvals": [lambda g: c(g.S(3, 2))],
    "linalg.matrix_power": [lambda g: c(g.S(3, 3), 3), lambda g: c(g.Sspd(2), -1)],
    "linalg.matrix_rank": [lambda g: c(g.S(3, 3)), lambda g: c(g.S(4))],
    "linalg.cond": [lambda g: c(g.Sspd(3)), lambda g: c(g.Sspd(3), "fro")],
    "linalg.matrix_norm": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), ord=1)],
    "linalg.matrix_transpose": [lambda g: c(g.S(2, 3))],
    "matrix_transpose": [lambda g: c(g.S(4, 2, 3))],
    "linalg.diagonal": [lambda g: c(g.S(3, 4), offset=1)],
    "linalg.trace": [lambda g: c(g.S(3, 3), offset=-1)],
    "tril": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(4), -1)],
    "triu": [lambda g: c(g.S(3, 4), 1)],
    "sort_complex": [lambda g: c(g.Sc(5))],
    "copy": [lambda g: c(g.S(3))],
    "astype": [lambda g: c(g.S(3), np.int32)],
    "zeros_like": [lambda g: c(g.S(3)), lambda g: c(g.S(3), shape=(2, 2))],
    "ones_like": [lambda g: c(g.S(3), dtype=int)],
    "empty_like": [],  # uninitialised values: shape and dtype checked in test_empty_like
    "full_like": [lambda g: c(g.S(3), 7.0), lambda g: c(g.S(3), g.S(), shape=(2,))],
    # NumPy's implementation
    "hstack": [lambda g: c([g.S(2), g.a(3)]), lambda g: c((g.S(2, 1), g.S(2, 3)))],
    "vstack": [lambda g: c([g.S(3), g.a(3)]), lambda g: c((g.S(2, 3), g.S(3)))],
    "dstack": [lambda g: c([g.S(3), g.a(3)]), lambda g: c((g.S(2, 3), g.S(2, 3, 2)))],
    "hsplit": [lambda g: c(g.S(2, 4), 2), lambda g: c(g.S(6), [1, 4])],
    "vsplit": [lambda g: c(g.S(4, 2), 2)],
    "dsplit": [lambda g: c(g.S(1, 2, 4), [1])],
    # draw by draw
    "nonzero": [lambda g: c(Samples(np.tile([[0, 1, 2], [3, 0, 1]], (g.k, 1, 1))))],
    "argwhere": [lambda g: c(Samples(np.tile([0, 1, 2, 0], (g.k, 1))))],
    "flatnonzero": [lambda g: c(Samples(np.tile([[0, 1], [1, 1]], (g.k, 1, 1))))],
    "extract": [lambda g: c(np.array([True, False, True]), g.S(3))],
    "unique": [lambda g: c(Samples(g.rng.permutation(np.tile([1, 1, 2, 3], (g.k, 1)), axis=1)))],
    "unique_all": [lambda g: c(Samples(np.tile([3, 1, 1, 2], (g.k, 1))))],
    "unique_counts": [lambda g: c(Samples(g.rng.permutation(np.tile([1, 1, 2, 3], (g.k, 1)), axis=1)))],
    "unique_inverse": [lambda g: c(Samples(np.tile([3, 1, 1, 2], (g.k, 1))))],
    "unique_values": [lambda g: c(Samples(g.rng.permutation(np.tile([1, 1, 2, 3], (g.k, 1)), axis=1)))],
    "intersect1d": [lambda g: c(Samples(np.tile([1, 2, 3], (g.k, 1))), [2, 3, 4])],
    "union1d": [lambda g: c(Samples(np.tile([1, 2, 3], (g.k, 1))), [2, 3, 4])],
    "setdiff1d": [lambda g: c(Samples(np.tile([1, 2, 3], (g.k, 1))), [2])],
    "setxor1d": [lambda g: c(Samples(np.tile([1, 2, 3], (g.k, 1))), [2, 5])],
    "trim_zeros": [lambda g: c(Samples(np.tile([0, 1, 2, 0], (g.k, 1))))],
    "bincount": [lambda g: c(g.Si(6), minlength=6), lambda g: c(np.arange(3), weights=g.S(3))],
    "histogram": [lambda g: c(g.S(20), bins=4, range=(-2, 2))],
    "histogram2d": [lambda g: c(g.S(20), g.S(20), bins=3, range=[[-2, 2], [-2, 2]])],
    "histogramdd": [lambda g: c(g.S(20, 2), bins=3, range=[[-2, 2], [-2, 2]])],
    "histogram_bin_edges": [lambda g: c(g.S(20), bins=4)],
    "ix_": [lambda g: c(Samples(np.tile([0, 2], (g.k, 1))), [1, 0, 1])],
    "roots": [lambda g: c(g.S(3, low=1, high=2))],
    "convolve": [lambda g: c(g.S(4), [1.0, -1.0])],
    "correlate": [lambda g: c(g.S(4), g.S(2), "full")],
    "cov": [lambda g: c(g.S(2, 5))],
    "corrcoef": [lambda g: c(g.S(2, 5))],
    "kron": [lambda g: c(g.S(2, 2), np.eye(2))],
    "polyfit": [lambda g: c(np.arange(5.0), g.S(5), 2)],
    "poly": [lambda g: c(g.S(3))],
    "polyadd": [lambda g: c(g.S(3), [1.0, 2.0])],
    "polysub": [lambda g: c(g.S(3), g.S(2))],
    "polymul": [lambda g: c(g.S(3), [1.0, 2.0])],
    "polydiv": [lambda g: c(g.S(3), [1.0, 2.0])],
    "polyder": [lambda g: c(g.S(4))],
    "polyint": [lambda g: c(g.S(3))],
    "ediff1d": [lambda g: c(g.S(2, 3), to_begin=[0.0])],
    "lexsort": [lambda g: c((g.Si(5), g.Si(5)))],
    "meshgrid": [lambda g: c(g.S(2), np.arange(3.0))],
    "block": [lambda g: c([[g.S(2, 2), np.zeros((2, 1))]])],
    "piecewise": [
        lambda g: c(g.S(4), [g.S(4) > 0], [lambda x: x**2, 0.0]),
        lambda g: (lambda x: c(x, [x > 0], [np.sin, np.cos]))(g.S(4)),
    ],
    "linalg.lstsq": [lambda g: c(g.S(4, 2), g.a(4), rcond=None)],
    "linalg.tensorinv": [lambda g: c(g.Sspd(4).reshape(4, 2, 2), ind=1)],
    "linalg.tensorsolve": [lambda g: c(g.Sspd(4), g.a(4))],
    "linalg.multi_dot": [lambda g: c([g.S(2, 3), g.a(3, 3), g.S(3)])],
    "min_scalar_type": [lambda g: c(g.Si())],
    # in place: the oracle compares the first argument after the call
    "put": [lambda g: c(g.S(2, 3), [0, 4], g.S(2))],
    "place": [lambda g: c(g.S(4), np.array([True, False, True, False]), [9.0, 8.0])],
    "putmask": [lambda g: c(g.S(4), np.array([True, False, True, True]), g.S(2))],
    "fill_diagonal": [lambda g: c(g.S(3, 3), 5.0)],
    "put_along_axis": [lambda g: c(g.S(2, 3), np.array([[0], [2]]), g.S(2, 1), axis=1)],
    "copyto": [lambda g: c(g.S(2, 3), g.S(3)), lambda g: c(g.S(2, 3), 1.0, where=g.Sb(2, 3))],
    # elementwise broadcasting
    "angle": [lambda g: c(g.Sc(3)), lambda g: c(g.Sc(2, 2), deg=True)],
    "real": [lambda g: c(g.Sc(3))],
    "imag": [lambda g: c(g.Sc(3))],
    "around": [lambda g: c(g.S(3), 1)],
    "round": [lambda g: c(g.S(3), decimals=2)],
    "clip": [
        lambda g: c(g.S(2, 3), -1, 1),
        lambda g: c(g.S(2, 3), g.S(3, low=-2, high=-1), g.a(2, 1)),
        lambda g: c(g.S(3), min=0.0),
    ],
    "fix": [lambda g: c(g.S(3))],
    "isneginf": [lambda g: c(Samples(np.tile([-np.inf, 0, np.inf], (g.k, 1))))],
    "isposinf": [lambda g: c(Samples(np.tile([-np.inf, 0, np.inf], (g.k, 1))))],
    "i0": [lambda g: c(g.S(3))],
    "sinc": [lambda g: c(g.S(2, 2))],
    "iscomplex": [lambda g: c(g.Sc(3))],
    "isreal": [lambda g: c(g.Sc(3))],
    "isclose": [lambda g: c(g.S(3), g.S(3)), lambda g: (lambda x: c(x, x + 1e-9))(g.S(2, 3))],
    "nan_to_num": [lambda g: c(g.Snan(4)), lambda g: c(g.Snan(4), nan=-1.0)],
    "real_if_close": [lambda g: c(g.Sc(3)), lambda g: c(g.S(3) + 0j)],
    **{
        f"lib.scimath.{n}": [lambda g: c(g.S(4, low=-0.9, high=0.9))]
        for n in ("sqrt", "log", "log2", "log10", "arccos", "arcsin", "arctanh")
    },
    "lib.scimath.power": [lambda g: c(g.S(3), 0.5)],
    "lib.scimath.logn": [lambda g: c(3, g.S(3))],
    "polyval": [lambda g: c([1.0, 2.0, 3.0], g.S(4)), lambda g: c(g.S(3), 0.5)],
    "interp": [lambda g: c(g.S(4), [-2.0, 0.0, 2.0], [0.0, 1.0, 0.0]), lambda g: c(0.5, [0.0, 1.0], g.S(2))],
    "digitize": [lambda g: c(g.S(5), [-1.0, 0.0, 1.0]), lambda g: c(0.5, np.sort(g.S(3)))],
    "searchsorted": [lambda g: c([-1.0, 0.0, 1.0], g.S(5)), lambda g: c(np.sort(g.S(4), axis=0), 0.0)],
    "isin": [lambda g: c(g.Si(5), [1, 2]), lambda g: c(2, g.Si(3))],
    "datetime_as_string": [lambda g: c(Samples(np.datetime64("2026-01-01") + g.rng.integers(0, 9, (g.k, 3))))],
    "busday_count": [
        lambda g: c(np.datetime64("2026-01-01"), Samples(np.datetime64("2026-01-01") + g.rng.integers(0, 30, (g.k, 3))))
    ],
    "busday_offset": [lambda g: c(np.datetime64("2026-01-05"), g.Si(3), roll="forward")],
    "is_busday": [lambda g: c(Samples(np.datetime64("2026-01-01") + g.rng.integers(0, 30, (g.k, 3))))],
    "ravel_multi_index": [lambda g: c((g.Si(3, high=2), g.Si(3, high=3)), (2, 3))],
    "unravel_index": [lambda g: c(g.Si(4, high=6), (2, 3))],
    "choose": [lambda g: c(g.Si(3, high=2), [g.S(3), g.a(3)]), lambda g: c([0, 1, 0], (g.S(3), g.S(1)))],
    "select": [lambda g: c([g.S(3) > 0, g.Sb(3)], [g.S(3), 1.0], default=g.S())],
    # fft: per-draw axes
    **{
        f"fft.{n}": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), 6, axis=0, norm="ortho")]
        for n in ("fft", "ifft", "rfft", "ihfft")
    },
    **{f"fft.{n}": [lambda g: c(g.Sc(3, 4)), lambda g: c(g.Sc(3, 4), 6, axis=0)] for n in ("irfft", "hfft")},
    **{
        f"fft.{n}": [lambda g: c(g.S(2, 3, 4)), lambda g: c(g.S(3, 4), s=(2, 3), axes=(1, 0))]
        for n in ("fft2", "ifft2", "rfft2", "irfft2")
    },
    **{
        f"fft.{n}": [
            lambda g: c(g.S(2, 3, 4)),
            lambda g: c(g.S(2, 3, 4), s=(3, 2), axes=(0, 2)),
            lambda g: c(g.S(2, 3), axes=(0,)),
        ]
        for n in ("fftn", "ifftn", "rfftn", "irfftn")
    },
    **{f"fft.{n}": [lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), axes=1)] for n in ("fftshift", "ifftshift")},
    # polynomials in two variables
    "polynomial.polynomial.polyval2d": [lambda g: c(g.S(3), g.S(3), g.a(2, 3)), lambda g: c(0.5, 0.2, g.S(2, 2))],
    "polynomial.polynomial.polygrid2d": [lambda g: c(g.S(3), g.a(2), g.a(2, 2))],
    # strings, elementwise
    **{
        f"char.{n}": [lambda g: c(g.St(3), g.St(3)), lambda g: c(g.St(2, 3), "ab")]
        for n in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal")
    },
    **{f"strings.{n}": [lambda g: c(g.St(2, 3))] for n in ("capitalize", "lower", "upper", "swapcase", "title")},
    "strings.translate": [lambda g: c(g.St(3), str.maketrans("ab", "ba"))],
    "strings.encode": [lambda g: c(g.St(3), "utf-8")],
    "strings.decode": [lambda g: c(Samples(np.char.encode(g.St(3).samples)))],
    "strings.mod": [lambda g: c(Samples(np.full((g.k, 2), "<%s>")), g.St(2).samples[0])],
    **{
        f"strings.{n}": [lambda g: c(g.St(3), 7), lambda g: c(g.St(3), g.Si(3, high=9), "*")]
        for n in ("center", "ljust", "rjust")
    },
    "strings.zfill": [lambda g: c(g.St(3), g.Si(3, high=9))],
    "strings.expandtabs": [lambda g: c(g.St(3), 2)],
    "strings.multiply": [lambda g: c(g.St(3), g.Si(3, high=3))],
    "strings.partition": [lambda g: c(g.St(3), "-")],
    "strings.rpartition": [lambda g: c(g.St(3), g.St(1))],
    "strings.replace": [lambda g: c(g.St(3), "b", "Z"), lambda g: c(g.St(3), "b", g.St(3), count=1)],
    "strings._split": [lambda g: c(g.St(3), "-")],
    "strings._rsplit": [lambda g: c(g.St(3), maxsplit=1)],
    "strings._splitlines": [lambda g: c(g.St(3))],
    "strings._join": [lambda g: c("-", g.St(3))],
    # structured records, draw by draw
    "lib.recfunctions.structured_to_unstructured": [lambda g: c(g.Srec(3))],
    "lib.recfunctions.unstructured_to_structured": [lambda g: c(g.S(3, 2), names=["x", "y"])],
    "lib.recfunctions.apply_along_fields": [lambda g: c(np.mean, g.Srec(3)[["a"]])],
    "lib.recfunctions.drop_fields": [lambda g: c(g.Srec(3), "b")],
    "lib.recfunctions.rec_drop_fields": [lambda g: c(g.Srec(3), "a")],
    "lib.recfunctions.rename_fields": [lambda g: c(g.Srec(3), {"a": "x"})],
    "lib.recfunctions.repack_fields": [lambda g: c(g.Srec(3))],
    "lib.recfunctions.require_fields": [lambda g: c(g.Srec(3), [("b", np.int64)])],
    "lib.recfunctions.append_fields": [lambda g: c(g.Srec(3), "c", g.S(3), usemask=False)],
    "lib.recfunctions.rec_append_fields": [lambda g: c(g.Srec(3), "c", np.ones(3))],
    "lib.recfunctions.merge_arrays": [lambda g: c((g.Srec(3), g.S(3)), flatten=True, usemask=False)],
    "lib.recfunctions.stack_arrays": [lambda g: c((g.Srec(3), g.Srec(2)), usemask=False)],
    "lib.recfunctions.join_by": [lambda g: c("b", g.Srec(3, keys=True), g.Srec(3, keys=True), usemask=False)],
    "lib.recfunctions.rec_join": [lambda g: c("b", g.Srec(3, keys=True), g.Srec(2, keys=True))],
    "lib.recfunctions.assign_fields_by_name": [lambda g: c(g.Srec(3), g.Srec(3))],
    "lib.recfunctions.recursive_fill_fields": [lambda g: c(g.Srec(3)[["a"]], g.Srec(3))],
    # hand-written
    "where": [
        lambda g: c(g.Sb(2, 3), g.S(3), 0.0),
        lambda g: c(np.array([True, False]), 1.0, g.S(2)),
        lambda g: c(Samples(np.tile([0, 1, 1], (g.k, 1)))),
    ],
    "allclose": [lambda g: c(g.S(3), g.S(3), atol=2.0), lambda g: (lambda x: c(x, x.copy()))(g.S(2, 2))],
    "array_equal": [
        lambda g: (lambda x: c(x, x.copy()))(g.S(3)),
        lambda g: c(g.Si(3, high=2), g.Si(3, high=2)),
        lambda g: c(g.S(3), g.S(2)),
    ],
    "array_equiv": [lambda g: c(g.Si(2, 3, high=2), g.Si(3, high=2)), lambda g: c(g.S(3), g.S(2))],
    "shape": [lambda g: c(g.S(2, 3))],
    "ndim": [lambda g: c(g.S(2, 3))],
    "size": [lambda g: c(g.S(2, 3)), lambda g: c(g.S(2, 3), axis=1)],
    "result_type": [lambda g: c(g.S(3), np.int8), lambda g: c(g.Si(2), g.S(1).astype(np.float32))],
    "can_cast": [lambda g: c(g.S(3), np.float32), lambda g: c(g.Si(3), np.float64)],
    "common_type": [lambda g: c(g.S(3), g.Si(2).astype(np.float32))],
    "iscomplexobj": [lambda g: c(g.Sc(2)), lambda g: c(g.S(2))],
    "isrealobj": [lambda g: c(g.Sc(2)), lambda g: c(g.S(2))],
    "may_share_memory": [lambda g: (lambda x: c(x, x[:1]))(g.S(3)), lambda g: c(g.S(3), g.S(3))],
    "shares_memory": [lambda g: (lambda x: c(x, x[1:]))(g.S(3)), lambda g: c(g.S(3), g.a(3))],
    "diag_indices_from": [lambda g: c(g.S(3, 3))],
    "tril_indices_from": [lambda g: c(g.S(3, 4), k=1)],
    "triu_indices_from": [lambda g: c(g.S(3, 4))],
    "reshape": [lambda g: c(g.S(2, 3), (3, 2)), lambda g: c(g.S(2, 3), -1), lambda g: c(g.S(2, 3), (3, -1), order="F")],
    "ravel": [lambda g: c(g.S(2, 3)), lambda g: c(g.S(2, 3), order="F")],
    "transpose": [lambda g: c(g.S(2, 3, 4)), lambda g: c(g.S(2, 3, 4), (1, 2, 0))],
    "broadcast_to": [lambda g: c(g.S(3), (2, 3)), lambda g: c(g.S(1, 3), (4, 3))],
    "broadcast_arrays": [lambda g: c(g.S(3), g.a(2, 1)), lambda g: c(g.S(2, 1), g.S(3))],
    "atleast_1d": [lambda g: c(g.S()), lambda g: c(g.S(2), g.a(3))],
    "atleast_2d": [lambda g: c(g.S()), lambda g: c(g.S(2)), lambda g: c(g.S(2, 3))],
    "atleast_3d": [lambda g: c(g.S()), lambda g: c(g.S(2)), lambda g: c(g.S(2, 3)), lambda g: c(g.S(1, 2, 3))],
    "expand_dims": [lambda g: c(g.S(2, 3), 0), lambda g: c(g.S(2, 3), (-1, 1))],
    "squeeze": [lambda g: c(g.S(1, 3, 1)), lambda g: c(g.S(1, 3, 1), axis=-1)],
    "fliplr": [lambda g: c(g.S(2, 3))],
    "flipud": [lambda g: c(g.S(2, 3))],
    "rollaxis": [lambda g: c(g.S(2, 3, 4), 2), lambda g: c(g.S(2, 3, 4), 0, 3), lambda g: c(g.S(2, 3, 4), -1, -2)],
    "roll": [lambda g: c(g.S(2, 3), 2), lambda g: c(g.S(2, 3), (1, -1), axis=(0, 1)), lambda g: c(g.S(4), 1, axis=0)],
    "tile": [lambda g: c(g.S(2), 3), lambda g: c(g.S(2, 3), (2, 1)), lambda g: c(g.S(2), (2, 1, 2))],
    "resize": [lambda g: c(g.S(2, 3), (4, 2)), lambda g: c(g.S(3), 7)],
    "pad": [
        lambda g: c(g.S(2, 3), 1),
        lambda g: c(g.S(2, 3), ((1, 0), (0, 2)), constant_values=((1, 2), (3, 4))),
        lambda g: c(g.S(4), 2, mode="reflect"),
        lambda g: c(g.S(2, 3), 1, mode="mean"),
    ],
    "diag": [lambda g: c(g.S(3)), lambda g: c(g.S(3), -1), lambda g: c(g.S(3, 4), 1)],
    "diagflat": [lambda g: c(g.S(2, 2)), lambda g: c(g.S(2), 1)],
    "vander": [lambda g: c(g.S(3)), lambda g: c(g.S(3), 4, increasing=True)],
    "take_along_axis": [
        lambda g: c(g.S(3, 4), np.array([[0], [1], [3]]), axis=1),
        lambda g: c(g.S(3, 4), np.argsort(g.S(3, 4), axis=0), axis=0),
        lambda g: c(g.a(5), np.argsort(g.S(5)), axis=-1),
    ],
    "concatenate": [
        lambda g: c([g.S(2, 3), g.a(1, 3)]),
        lambda g: c((g.S(2, 3), g.S(2, 1)), axis=1),
        lambda g: c([g.S(2, 2), g.a(3)], axis=None),
    ],
    "stack": [lambda g: c([g.S(3), g.a(3)]), lambda g: c([g.S(2, 3), g.S(2, 3)], axis=-1)],
    "append": [lambda g: c(g.S(2, 2), g.a(3)), lambda g: c(g.S(2, 2), g.S(1, 2), axis=0)],
    "column_stack": [lambda g: c((g.S(3), g.a(3, 2)))],
    "linspace": [
        lambda g: c(g.S(), 1.0, 5),
        lambda g: c(g.S(2), g.S(2), 4, axis=1),
        lambda g: c(0.0, g.S(2), 3, retstep=True),
    ],
    "logspace": [lambda g: c(g.S(), 1.0, 4), lambda g: c(0.0, g.S(2), 3, axis=-1)],
    "geomspace": [lambda g: c(g.S(2, low=1, high=2), 10.0, 4)],
    "average": [
        lambda g: c(g.S(3, 4)),
        lambda g: c(g.S(3, 4), axis=1, weights=g.S(4, low=0.1, high=1)),
        lambda g: c(g.S(3, 4), axis=0, weights=[1.0, 2.0, 3.0], returned=True),
        lambda g: c(g.S(3, 4), weights=g.S(3, 4, low=0.1, high=1)),
    ],
    "gradient": [lambda g: c(g.S(5)), lambda g: c(g.S(3, 4)), lambda g: c(g.S(3, 4), 2.0, axis=1)],
    "cross": [lambda g: c(g.S(3), g.a(3)), lambda g: c(g.S(2, 3), g.S(3)), lambda g: c(g.S(3, 2), g.S(2, 3), axisa=0)],
    "linalg.cross": [lambda g: c(g.S(3), g.S(2, 3))],
    "linalg.vecdot": [
        lambda g: c(g.S(3), g.a(3)),
        lambda g: c(g.S(2, 3), g.S(3)),
        lambda g: c(g.S(3, 2), g.S(3, 2), axis=0),
    ],
    "linalg.matmul": [lambda g: c(g.S(2, 3), g.S(3))],
    "linalg.solve": [
        lambda g: c(g.Sspd(3), g.S(3)),
        lambda g: c(g.Sspd(3), g.a(3, 2)),
        lambda g: c(g.a(2, 2) + 3 * np.eye(2), g.S(2)),
    ],
    "linalg.norm": [
        lambda g: c(g.S(3, 4)),
        lambda g: c(g.S(3, 4), ord=1),
        lambda g: c(g.S(3), ord=np.inf),
        lambda g: c(g.S(2, 3, 4), axis=(0, 2)),
    ],
    "dot": [
        lambda g: c(g.S(3), g.S(3)),
        lambda g: c(g.S(2, 3), g.a(3, 2)),
        lambda g: c(g.S(), g.a(2)),
        lambda g: c(g.S(2, 2, 3), g.a(3)),
    ],
    "vdot": [lambda g: c(g.Sc(3), g.Sc(3)), lambda g: c(g.S(2, 2), g.a(4))],
    "inner": [lambda g: c(g.S(3), g.S(3)), lambda g: c(g.S(2, 3), g.a(4, 3)), lambda g: c(g.S(), g.a(2))],
    "outer": [lambda g: c(g.S(3), g.a(2)), lambda g: c(g.S(2, 2), g.S(3))],
    "linalg.outer": [lambda g: c(g.S(3), g.S(2))],
    "tensordot": [
        lambda g: c(g.S(2, 3), g.a(3, 4), 1),
        lambda g: c(g.a(2, 3), g.S(3, 2), axes=([1, 0], [0, 1])),
        lambda g: c(g.S(2, 3), g.S(3, 4), 1),
    ],
    "linalg.tensordot": [lambda g: c(g.S(2, 3), g.S(2, 3), axes=2)],
    "einsum": [
        lambda g: c("ij,jk->ik", g.S(2, 3), g.a(3, 4)),
        lambda g: c("ij,ij", g.S(2, 3), g.S(2, 3)),
        lambda g: c("ii", g.S(3, 3)),
        lambda g: c("...j,j->...", g.S(2, 3), g.a(3)),
    ],
}
INPLACE = {
    "put",
    "place",
    "putmask",
    "fill_diagonal",
    "put_along_axis",
    "copyto",
    "lib.recfunctions.assign_fields_by_name",
}


def _draw(value: Any, k: int) -> Any:
    """Draw k of a value, written independently of the library: the oracle's own unwrapping."""
    if isinstance(value, Samples):
        return value.samples[k]
    if isinstance(value, list):
        return [_draw(v, k) for v in value]
    if isinstance(value, tuple):
        return tuple(_draw(v, k) for v in value)
    if isinstance(value, dict):
        return {key: _draw(v, k) for key, v in value.items()}
    return value


def assert_draw_by_draw(result: Any, per_draw_results: list[Any], single_inputs: bool = False) -> None:
    """`result` is the stack of the per-draw results (Samples), or equal to each (metadata)."""
    first = per_draw_results[0]
    if isinstance(first, (tuple, list)) and not isinstance(result, Samples):
        assert type(result) is type(first)
        assert len(result) == len(first)
        for i, part in enumerate(result):
            assert_draw_by_draw(part, [r[i] for r in per_draw_results], single_inputs)
        return
    if not isinstance(result, Samples):
        for r in per_draw_results:
            assert np.all(np.asarray(result) == np.asarray(r)), (result, r)
        return
    expected = np.stack([np.asarray(r) for r in per_draw_results])
    assert result.samples.shape == expected.shape
    if expected.dtype.kind in "fc":
        single = single_inputs or expected.dtype in (np.float32, np.complex64)
        tolerance = {"rtol": 2e-5, "atol": 1e-5} if single else {"rtol": 1e-9, "atol": 1e-12}
        np.testing.assert_allclose(result.samples, expected, equal_nan=True, **tolerance)
    else:
        np.testing.assert_array_equal(result.samples, expected)


def run_case(func: Callable, args: tuple[Any, ...], kwargs: dict[str, Any], inplace: bool) -> None:
    n_draws = next(v.n_draws for v in _flatten((args, kwargs)) if isinstance(v, Samples))
    originals = copy.deepcopy((args, kwargs)) if inplace else (args, kwargs)
    result = func(*args, **kwargs)
    per_draw_results = []
    for k in range(n_draws):
        draw_args, draw_kwargs = _draw(originals, k)
        if inplace:
            draw_args, draw_kwargs = copy.deepcopy((draw_args, draw_kwargs))
        out = func(*draw_args, **draw_kwargs)
        per_draw_results.append(draw_args[0] if inplace else out)
    # float32 inputs mean float32 rounding, whatever the result's dtype: summation order differs, and
    # value-dependent promotion (np.emath goes complex only for draws with negative values) mixes precisions.
    single_inputs = any(isinstance(v, Samples) and v.dtype in (np.float32, np.complex64)
                        for v in _flatten((args, kwargs)))
    assert_draw_by_draw(args[0] if inplace else result, per_draw_results, single_inputs)


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flatten(v)]
    if isinstance(value, dict):
        return _flatten(list(value.values()))
    return [value]


def _function(name: str) -> Callable:
    return OVERRIDABLE[name][0]


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n]))
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # all-NaN slices and the like warn in the oracle too
@FEW
@given(seed=st.integers(0, 2**32 - 1), n_draws=st.integers(1, 4), dtype=st.sampled_from([np.float64, np.float32]))
def test_function_is_draw_by_draw(name: str, seed: int, n_draws: int, dtype: type) -> None:
    func = _function(name)
    for case in CASES[name]:
        args, kwargs = case(Inputs(seed, n_draws, dtype))
        run_case(func, args, kwargs, inplace=name in INPLACE)


def test_empty_like_keeps_shape_and_dtype() -> None:
    s = Inputs(0, 3).S(2, 4)
    result = np.empty_like(s, dtype=np.float32)
    assert isinstance(result, Samples)
    assert (result.n_draws, result.shape, result.dtype) == (3, (2, 4), np.float32)


# --- completeness, in the manner of astropy's function helpers ------------------------------------


def test_every_overridable_function_is_implemented_or_refused_with_a_reason() -> None:
    for func in get_overridable_numpy_array_functions():
        implemented = func in FUNCTION_HANDLERS
        refused = func in UNSUPPORTED_FUNCTIONS
        assert implemented != refused, f"{func.__module__}.{func.__name__}: implemented={implemented}"
    assert all(len(reason) > 20 for reason in UNSUPPORTED.values())


def test_every_implemented_function_has_a_draw_by_draw_case() -> None:
    assert set(CASES) == set(IMPLEMENTATION_RULE)


def test_coverage_of_functions_with_a_per_draw_meaning() -> None:
    implemented = len(IMPLEMENTATION_RULE)
    # the refused ones: file I/O, text formatting, creation from scratch, a plan, masked duplicates
    assert implemented / (implemented + len(UNSUPPORTED)) >= 0.9


def test_unsupported_function_raises_with_its_reason() -> None:
    s = Inputs(0, 2).S(3)
    with pytest.raises(TypeError, match=re.escape("np.save does not support Samples: file output")):
        np.save("never-written.npy", s)
    with pytest.raises(TypeError, match="array2string"):
        np.array2string(s)


def test_out_arguments_receive_the_draws_and_are_returned() -> None:
    g = Inputs(3, 3)
    s = g.S(3, 4)
    calls = [
        (np.sum, (s,), {"axis": 0}, (3, 4)),
        (np.max, (s,), {"axis": (0, 1)}, (3,)),
        (np.cumsum, (s,), {"axis": 1}, (3, 3, 4)),
        (np.clip, (s, -1.0, 1.0), {}, (3, 3, 4)),
        (np.around, (s, 1), {}, (3, 3, 4)),
        (np.trace, (s,), {}, (3,)),
    ]
    for func, args, kwargs, out_shape in calls:
        out = Samples(np.zeros(out_shape))
        assert func(*args, **kwargs, out=out) is out
        np.testing.assert_allclose(out.samples, func(*args, **kwargs).samples)


def test_in_place_functions_need_a_samples_target() -> None:
    s = Inputs(0, 2).S(3)
    plain = np.zeros(3)
    with pytest.raises(TypeError, match="writes into argument 1, which must be Samples"):
        np.put(plain, [0], s[:1])
    with pytest.raises(TypeError, match=re.escape("dst of np.copyto must be Samples")):
        np.copyto(plain, s)
    np.testing.assert_array_equal(plain, 0.0)


def test_masked_results_keep_their_masks() -> None:
    import numpy.lib.recfunctions as rfn

    g = Inputs(0, 2)
    result = rfn.append_fields(g.Srec(3), "c", np.ones(2))  # masked by default: 'c' is shorter than the records
    assert isinstance(result.samples, np.ma.MaskedArray)
    assert result.samples["c"].mask.tolist() == [[False, False, True]] * 2


def test_mismatched_draw_counts_name_both() -> None:
    a, b = Inputs(0, 2).S(3), Inputs(0, 3).S(3)
    with pytest.raises(ValueError, match="2 draws and Samples with 3 draws"):
        np.concatenate([a, b])
    with pytest.raises(ValueError, match="2 draws and Samples with 3 draws"):
        np.where(a > 0, a, b)


def test_contractions_refuse_operands_that_do_not_match_like_numpy() -> None:
    g = Inputs(0, 2)
    a, b = g.S(2, 3), g.S(3, 2)
    with pytest.raises(ValueError):  # NumPy: shape-mismatch for sum
        np.tensordot(a, b, axes=([1], [0, 1]))
    with pytest.raises(ValueError):  # NumPy: the subscripts name more operands than were given
        np.einsum("ij,j->i", a)
