"""Which NumPy functions `Samples` implements (NEP 18), by which rule, and which it refuses (why).

Every function NumPy lets array types override appears here exactly once: in `RULE_TABLE`, as a
family of names that share a rule (the rules are declared in `priorlab.samples.rules`) or with
its hand-written override (`priorlab.samples.handwritten`), or in `UNSUPPORTED`, with the reason.
`IMPLEMENTATION_RULE` gives the rule of every implemented function, for the docs and the tests.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from numpy.testing.overrides import get_overridable_numpy_array_functions

from priorlab.samples.array import FUNCTION_HANDLERS, UNSUPPORTED_FUNCTIONS
from priorlab.samples.handwritten import HAND_WRITTEN
from priorlab.samples.rules import (
    Cumulative,
    Elementwise,
    EvenlySpaced,
    Flattening,
    HandWritten,
    InPlace,
    LikeCreation,
    LoopOverDraws,
    MultiAxisFFT,
    NumpyImplementation,
    PerDrawAxes,
    Reduction,
    Rule,
    Stacked,
)

_PUBLIC_SUBMODULES = (
    "numpy.linalg", "numpy.lib.scimath", "numpy.lib.recfunctions", "numpy.lib.stride_tricks", "numpy.fft",
    "numpy.strings", "numpy.char", "numpy.polynomial.polynomial",
)


def _public_name(func: Callable) -> str:
    """The public spelling: 'linalg.norm' for numpy.linalg.norm, 'sort' for any top-level function."""
    for public in _PUBLIC_SUBMODULES:
        if func.__module__.startswith(public):
            return f"{public.removeprefix('numpy.')}.{func.__name__}"
    return func.__name__


def _overridable_by_name() -> dict[str, list[Callable]]:
    """Every overridable NumPy function by name (a name can have two objects: the `like=` twins)."""
    for module in _PUBLIC_SUBMODULES:
        importlib.import_module(module)  # a submodule adds its overridable functions when first imported
    table: dict[str, list[Callable]] = {}
    for func in get_overridable_numpy_array_functions():
        table.setdefault(_public_name(func), []).append(func)
    return table


OVERRIDABLE = _overridable_by_name()

# --- families of functions that share a rule ---------------------------------------------------------

ELEMENTWISE: tuple[tuple[tuple[str, ...], Elementwise], ...] = (
    (("angle",), Elementwise(("z",))),
    (("real", "imag"), Elementwise(("val",))),
    (("around", "round"), Elementwise(("a", "out"))),
    (("clip",), Elementwise(("a", "a_min", "a_max", "out", "min", "max"))),
    (("fix", "isneginf", "isposinf"), Elementwise(("x", "out"))),
    (("i0", "sinc", "iscomplex", "isreal"), Elementwise(("x",))),
    (("isclose",), Elementwise(("a", "b", "rtol", "atol"))),
    (("nan_to_num",), Elementwise(("x", "nan", "posinf", "neginf"))),
    (("real_if_close",), Elementwise(("a",))),
    (
        (
            "lib.scimath.sqrt", "lib.scimath.log", "lib.scimath.log2", "lib.scimath.log10",
            "lib.scimath.arccos", "lib.scimath.arcsin", "lib.scimath.arctanh",
        ),
        Elementwise(("x",)),
    ),
    (("lib.scimath.power",), Elementwise(("x", "p"))),
    (("lib.scimath.logn",), Elementwise(("n", "x"))),
    (("polyval",), Elementwise(("x",))),
    (("interp",), Elementwise(("x",))),
    (("digitize",), Elementwise(("x",))),
    (("searchsorted",), Elementwise(("v",))),
    (("isin",), Elementwise(("element",))),
    (("datetime_as_string",), Elementwise(("arr",))),
    (("busday_count",), Elementwise(("begindates", "enddates", "out"))),
    (("busday_offset",), Elementwise(("dates", "offsets", "out"))),
    (("is_busday",), Elementwise(("dates", "out"))),
    (("ravel_multi_index",), Elementwise(sequences=("multi_index",))),
    (("unravel_index",), Elementwise(("indices",))),
    (("choose",), Elementwise(("a", "out"), sequences=("choices",))),
    (("select",), Elementwise(("default",), sequences=("condlist", "choicelist"))),
    (
        ("char.equal", "char.not_equal", "char.less", "char.less_equal", "char.greater", "char.greater_equal"),
        Elementwise(("x1", "x2")),
    ),
    (
        (
            "strings.capitalize", "strings.lower", "strings.upper", "strings.swapcase", "strings.title",
            "strings.translate", "strings.decode", "strings.encode", "strings.mod",
        ),
        Elementwise(("a",)),
    ),
    (("strings.center", "strings.ljust", "strings.rjust"), Elementwise(("a", "width", "fillchar"))),
    (("strings.zfill",), Elementwise(("a", "width"))),
    (("strings.expandtabs",), Elementwise(("a", "tabsize"))),
    (("strings.multiply",), Elementwise(("a", "i"))),
    (("strings.partition", "strings.rpartition"), Elementwise(("a", "sep"))),
    (("strings.replace",), Elementwise(("a", "old", "new", "count"))),
    (("strings._split", "strings._rsplit"), Elementwise(("a", "sep", "maxsplit"))),
    (("strings._splitlines",), Elementwise(("a", "keepends"))),
    (("strings._join",), Elementwise(("sep", "seq"))),
)
"""Functions that broadcast like ufuncs, each with the arguments that broadcast together."""

REDUCTIONS = (
    "sum", "prod", "mean", "std", "var", "max", "min", "amax", "amin", "any", "all", "ptp", "nansum",
    "nanprod", "nanmean", "nanstd", "nanvar", "nanmax", "nanmin", "median", "nanmedian", "count_nonzero",
    "flip",
)
"""Reductions over per-draw axes, with `where=` and `out=` (and `flip`, whose None also means every axis)."""

QUANTILES = ("percentile", "nanpercentile", "quantile", "nanquantile")
"""Per-draw quantiles: the shape of `q` leads NumPy's result, so the draw axis is moved back to the front."""

FLATTENING = (
    "cumsum", "cumprod", "nancumsum", "nancumprod", "sort", "argsort", "partition", "argpartition", "argmax",
    "argmin", "nanargmax", "nanargmin", "take", "repeat", "delete", "packbits", "unpackbits",
)
"""Functions along one per-draw axis that flatten each draw on `axis=None`, with `out=`."""

SINGLE_AXIS = ("diff", "trapezoid", "unwrap", "split", "array_split", "unstack", "apply_along_axis")
"""Functions along one per-draw axis where None is no axis; `diff` may prepend or append Samples."""

STACKED_MATRICES = (
    "linalg.cholesky", "linalg.det", "linalg.eig", "linalg.eigh", "linalg.eigvals", "linalg.eigvalsh",
    "linalg.inv", "linalg.pinv", "linalg.qr", "linalg.slogdet", "linalg.svd", "linalg.svdvals",
    "linalg.matrix_power", "linalg.matrix_rank", "linalg.cond", "linalg.matrix_norm",
    "linalg.matrix_transpose", "matrix_transpose", "linalg.diagonal", "linalg.trace", "tril", "triu",
)
"""Functions of the last two axes that broadcast over the axes before them: matrix draws at once."""

NUMPY_IMPLEMENTATION = ("hstack", "vstack", "dstack", "hsplit", "vsplit", "dsplit")
"""Composites whose NumPy implementation calls only dispatched functions."""

PER_DRAW = (
    # ragged or set-valued results
    "nonzero", "argwhere", "flatnonzero", "extract", "unique", "unique_all", "unique_counts",
    "unique_inverse", "unique_values", "intersect1d", "union1d", "setdiff1d", "setxor1d", "trim_zeros",
    "bincount", "histogram", "histogram2d", "histogramdd", "histogram_bin_edges", "ix_", "roots",
    # 1-D only inputs, or a different computation per draw
    "convolve", "correlate", "cov", "corrcoef", "kron", "polyfit", "poly", "polyadd", "polysub", "polymul",
    "polydiv", "polyder", "polyint", "ediff1d", "lexsort", "meshgrid", "block", "piecewise",
    "polynomial.polynomial.polygrid2d", "polynomial.polynomial.polyval2d", "linalg.lstsq", "linalg.tensorinv",
    "linalg.tensorsolve", "linalg.multi_dot", "min_scalar_type",
    # structured (record) arrays: field bookkeeping, joins and stacks of records
    *(
        f"lib.recfunctions.{name}"
        for name in (
            "structured_to_unstructured", "unstructured_to_structured", "apply_along_fields", "drop_fields",
            "rec_drop_fields", "rename_fields", "repack_fields", "require_fields", "append_fields",
            "rec_append_fields", "merge_arrays", "stack_arrays", "join_by", "rec_join",
        )
    ),
)
"""Functions that cannot broadcast over a draw axis, so they loop over the draws."""

IN_PLACE = ("put", "place", "putmask", "fill_diagonal", "put_along_axis", "lib.recfunctions.assign_fields_by_name")
"""Functions that write into their first argument: element positions given as flat indices, masks or fields."""

FFT_ONE_AXIS = ("fft.fft", "fft.ifft", "fft.rfft", "fft.irfft", "fft.hfft", "fft.ihfft")
"""Transforms along one per-draw axis, with `out=`."""

FFT_MANY_AXES = (
    "fft.fft2", "fft.ifft2", "fft.rfft2", "fft.irfft2", "fft.fftn", "fft.ifftn", "fft.rfftn", "fft.irfftn",
)
"""Transforms along several per-draw axes, with `out=`."""

RULE_TABLE: tuple[tuple[tuple[str, ...], Rule], ...] = (
    *ELEMENTWISE,
    (REDUCTIONS, Reduction(broadcast=("where", "out"))),
    (("linalg.vector_norm", "lib.stride_tricks.sliding_window_view"), Reduction()),
    (("fft.fftshift", "fft.ifftshift"), Reduction(axes=("axes",))),
    (QUANTILES, Reduction(leading_shape_of="q")),
    (FLATTENING, Flattening(broadcast=("out",))),
    (("compress",), Flattening(array="a")),
    (("insert",), Flattening()),
    (("cumulative_sum", "cumulative_prod"), Cumulative(broadcast=("out",))),
    (SINGLE_AXIS, PerDrawAxes(broadcast=("prepend", "append"))),
    (("apply_over_axes",), PerDrawAxes(axes=("axes",), array="a")),
    (("swapaxes",), PerDrawAxes(axes=("axis1", "axis2"))),
    (("moveaxis",), PerDrawAxes(axes=("source", "destination"))),
    (("trace", "diagonal"), PerDrawAxes(axes=("axis1", "axis2"), broadcast=("out",))),
    (("rot90",), PerDrawAxes(axes=("axes",))),
    (FFT_ONE_AXIS, PerDrawAxes(broadcast=("out",))),
    (FFT_MANY_AXES, MultiAxisFFT(axes=("axes",), broadcast=("out",))),
    (STACKED_MATRICES, Stacked(min_ndim=2)),
    (("sort_complex", "copy", "astype"), Stacked()),
    (NUMPY_IMPLEMENTATION, NumpyImplementation()),
    (PER_DRAW, LoopOverDraws()),
    (IN_PLACE, InPlace()),
    (("lib.recfunctions.recursive_fill_fields",), InPlace(target=1)),
    (("zeros_like", "ones_like", "empty_like", "full_like"), LikeCreation()),
    (("linspace", "geomspace"), EvenlySpaced()),
    (("logspace",), EvenlySpaced(ends=("start", "stop", "base"))),
    *(((name,), HandWritten(override)) for name, override in HAND_WRITTEN.items()),
)
"""Every implemented NumPy function, by name, with the rule it runs by."""

# --- refused, with the reason ------------------------------------------------------------------------

_CREATION = (
    "creates an array from scratch (it reaches Samples only through like=), so there are no draws "
    "to follow: build a plain array and combine it with Samples"
)
UNSUPPORTED: dict[str, str] = {
    **dict.fromkeys(
        ("save", "savez", "savez_compressed", "savetxt"),
        "file output of one array: save the draws explicitly, e.g. np.save(path, S.samples)",
    ),
    **dict.fromkeys(
        ("array2string", "array_repr", "array_str"),
        "formats one array as text: use repr(S) for a summary or format S.samples",
    ),
    **dict.fromkeys(
        (
            "arange", "array", "asarray", "asanyarray", "ascontiguousarray", "asfortranarray", "require",
            "empty", "zeros", "ones", "full", "eye", "identity", "tri", "frombuffer", "fromfile",
            "fromfunction", "fromiter", "fromstring", "loadtxt", "genfromtxt",
        ),
        _CREATION,
    ),
    "einsum_path": "returns a contraction plan (metadata about the computation), not array values",
    "lib.recfunctions.find_duplicates": "works on masked arrays and returns the duplicates of each draw, a "
    "ragged result: run it on the draws you need (S.samples[k])",
}
"""NumPy functions with no draw-by-draw meaning, and why: the error message says it to the caller."""

# --- the registry ----------------------------------------------------------------------------------

IMPLEMENTATION_RULE: dict[str, Rule] = {}
"""Name of every implemented NumPy function -> its rule (filled from `RULE_TABLE`)."""


def _numpy_functions(name: str) -> list[Callable]:
    """NumPy's function objects under `name` (two for the `like=` twins)."""
    if name not in OVERRIDABLE:
        raise KeyError(f"{name} is not an overridable NumPy function in this NumPy version")
    return OVERRIDABLE[name]


def _install() -> None:
    """Give NEP 18 dispatch a handler for every function in `RULE_TABLE`, a reason for every refused one."""
    for names, rule in RULE_TABLE:
        for name in names:
            if name in IMPLEMENTATION_RULE or name in UNSUPPORTED:
                raise KeyError(f"{name} is registered twice")
            IMPLEMENTATION_RULE[name] = rule
            for func in _numpy_functions(name):
                FUNCTION_HANDLERS[func] = rule.handler(func)
    for name, reason in UNSUPPORTED.items():
        for func in _numpy_functions(name):
            UNSUPPORTED_FUNCTIONS[func] = reason


_install()
