"""Which NumPy functions `Samples` implements (NEP 18), by which rule, and which it refuses (why).

Every function NumPy lets array types override is in exactly one place below. Most are
registered *by rule*, in tables, because they share a shape of implementation:

- ``ELEMENTWISE``: the listed arguments broadcast together; Samples get axes inserted after
  the draw axis so that NumPy's own broadcasting lines their draws up (one vectorised call).
- ``REDUCTIONS``, ``QUANTILES``, ``FLATTENING``, ``SINGLE_AXIS`` and the fft tables: one array
  plus ``axis``-like arguments; axes refer to the per-draw shape and are shifted past the draw
  axis. ``axis=None`` means "every per-draw axis" for reductions and "the flattened draw" for
  functions that flatten (sort, cumsum, argmax...).
- ``STACKED_MATRICES``: linear algebra and friends that already broadcast over leading axes,
  so the draw axis is just one more stack axis.
- ``NUMPY_IMPLEMENTATION``: composite functions whose NumPy implementation calls only other
  dispatched functions and array attributes, so it runs on Samples unchanged.
- ``PER_DRAW`` and the in-place functions: those that cannot broadcast (ragged or set-valued
  results, 1-D-only inputs, callbacks, records); they loop over the draws and stack. Slow,
  but the semantics are exact.
- hand-written handlers (``@implements``) for the rest.

Inside any rule, a Samples in an argument the rule does not vectorise falls back to the
per-draw loop, so results are always the draw-by-draw ones: ``f(S).samples[k] == f(S.samples[k])``.
`IMPLEMENTATION_RULE` records the rule of every implemented function; `UNSUPPORTED` gives the
reason for each refused one.
"""

from __future__ import annotations

import inspect
import logging
import string
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.char  # the submodules register their overridable functions on import
import numpy.fft
import numpy.lib.recfunctions
import numpy.lib.scimath
import numpy.lib.stride_tricks
import numpy.polynomial.polynomial
import numpy.strings
from numpy.testing.overrides import get_overridable_numpy_array_functions

from priorlab.samples.array import (
    FUNCTION_HANDLERS,
    UNSUPPORTED_FUNCTIONS,
    Samples,
    align,
    contains_samples,
    draw_count,
    draw_of,
    full_draws,
    per_draw_ndim,
    stack_draws,
    wrap,
)
from priorlab.samples.axes import shift_axes, shift_axis

logger = logging.getLogger(__name__)

Handler = Callable[..., Any]


def _overridable_by_name() -> dict[str, list[Callable]]:
    """Every overridable NumPy function by name (a name can have two objects: the `like=` twins)."""
    table: dict[str, list[Callable]] = {}
    for func in get_overridable_numpy_array_functions():
        table.setdefault(_public_name(func), []).append(func)
    return table


def _public_name(func: Callable) -> str:
    """The public spelling: 'linalg.norm' for numpy.linalg.norm, 'sort' for any top-level function."""
    module = func.__module__
    for public in (
        "numpy.linalg", "numpy.lib.scimath", "numpy.lib.recfunctions", "numpy.lib.stride_tricks", "numpy.fft",
        "numpy.strings", "numpy.char", "numpy.polynomial.polynomial",
    ):
        if module.startswith(public):
            return f"{public.removeprefix('numpy.')}.{func.__name__}"
    return func.__name__


OVERRIDABLE = _overridable_by_name()

#: how each implemented function is implemented (rule or 'hand-written'), for the docs and tests
IMPLEMENTATION_RULE: dict[str, str] = {}


def _register(names: Iterable[str], make_handler: Callable[[Callable], Handler], rule: str) -> None:
    for name in names:
        if name not in OVERRIDABLE:
            raise KeyError(f"{name} is not an overridable NumPy function in this NumPy version")
        if name in IMPLEMENTATION_RULE:
            raise KeyError(f"{name} is registered twice")
        IMPLEMENTATION_RULE[name] = rule
        for func in OVERRIDABLE[name]:
            FUNCTION_HANDLERS[func] = make_handler(func)


def implements(*names: str) -> Callable[[Handler], Handler]:
    """Register a hand-written handler for the named NumPy functions."""

    def decorate(handler: Handler) -> Handler:
        _register(names, lambda func: handler, "hand-written")
        return handler

    return decorate


# --- generic machinery ------------------------------------------------------------------------


_KEYWORD_ONLY = 1 << 30  # the "position" of a keyword-only parameter: never among the positional args


class _Parameters:
    """Where each parameter of a NumPy function sits, resolved once at registration (no inspect per call)."""

    def __init__(self, func: Callable) -> None:
        self.position: dict[str, int] = {}
        self.default: dict[str, Any] = {}
        for i, p in enumerate(inspect.signature(func).parameters.values()):
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                self.position[p.name] = i
            if p.default is not p.empty:
                self.default[p.name] = p.default
        self.first = next(iter(inspect.signature(func).parameters))

    def get(self, args: Sequence[Any], kwargs: dict[str, Any], name: str) -> Any:
        i = self.position.get(name)
        if i is not None and i < len(args):
            return args[i]
        return kwargs.get(name, self.default.get(name, np._NoValue))

    def given(self, args: Sequence[Any], kwargs: dict[str, Any], name: str) -> bool:
        i = self.position.get(name)
        return (i is not None and i < len(args)) or name in kwargs

    def set(self, args: list[Any], kwargs: dict[str, Any], name: str, value: Any) -> None:
        i = self.position.get(name)
        if i is not None and i < len(args):
            args[i] = value
        else:
            kwargs[name] = value


def wrap_result(result: Any) -> Any:
    """Samples around every `(K, ...)` array in a NumPy result (single, tuple, namedtuple, list)."""
    if type(result) is np.ndarray:
        return wrap(result)
    if result is None:
        return None
    if isinstance(result, tuple):
        parts = [wrap_result(r) for r in result]
        return type(result)(*parts) if hasattr(result, "_fields") else tuple(parts)
    if isinstance(result, list):
        return [wrap_result(r) for r in result]
    return wrap(result)


def per_draw(func: Callable, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """`func` applied to each draw in turn, results stacked: the reference semantics, and the fallback."""
    n_draws = draw_count([args, kwargs])
    logger.debug("np.%s on Samples: looping over %d draws", func.__name__, n_draws)
    results = [
        func(*draw_of(tuple(args), k), **{name: draw_of(v, k) for name, v in kwargs.items()}) for k in range(n_draws)
    ]
    return stack_draws(results)


def _loop_rule(func: Callable) -> Handler:
    def handler(*args: Any, **kwargs: Any) -> Any:
        return per_draw(func, args, kwargs)

    return handler


class _Vectorised:
    """The arguments a rule vectorises, by position and name, to spot a Samples anywhere else."""

    def __init__(self, params: _Parameters, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self.positions = frozenset(params.position[n] for n in self.names if n in params.position)

    def samples_elsewhere(self, args: Sequence[Any], kwargs: dict[str, Any]) -> bool:
        for i, a in enumerate(args):
            if i not in self.positions and contains_samples(a):
                return True
        return any(contains_samples(v) for name, v in kwargs.items() if name not in self.names)


# --- rule: elementwise broadcasting ---------------------------------------------------------------


def _elementwise_rule(broadcast: tuple[str, ...]) -> Callable[[Callable], Handler]:
    """Arguments in `broadcast` (a trailing '*' marks a sequence of arrays) broadcast together."""
    names = tuple(n.rstrip("*") for n in broadcast)
    sequences = frozenset(n.rstrip("*") for n in broadcast if n.endswith("*"))

    def make(func: Callable) -> Handler:
        params = _Parameters(func)
        vectorised = _Vectorised(params, names)

        def handler(*args: Any, **kwargs: Any) -> Any:
            if vectorised.samples_elsewhere(args, kwargs):
                return per_draw(func, args, kwargs)
            args = list(args)
            present = [n for n in names if params.given(args, kwargs, n)]
            values: list[Any] = []
            for name in present:
                value = params.get(args, kwargs, name)
                values.extend(value if name in sequences else [value])
            out = params.get(args, kwargs, "out") if "out" in names else None
            raw, _ = align(values)
            start = 0
            for name in present:
                value = params.get(args, kwargs, name)
                count = len(value) if name in sequences else 1
                new = raw[start : start + count]
                start += count
                params.set(args, kwargs, name, type(value)(new) if name in sequences else new[0])
            result = func(*args, **kwargs)
            return out if isinstance(out, Samples) else wrap_result(result)

        return handler

    return make


# (function names, the arguments that broadcast together)
ELEMENTWISE: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("angle",), ("z",)),
    (("real", "imag"), ("val",)),
    (("around", "round"), ("a", "out")),
    (("clip",), ("a", "a_min", "a_max", "out", "min", "max")),
    (("fix", "isneginf", "isposinf"), ("x", "out")),
    (("i0", "sinc", "iscomplex", "isreal"), ("x",)),
    (("isclose",), ("a", "b", "rtol", "atol")),
    (("nan_to_num",), ("x", "nan", "posinf", "neginf")),
    (("real_if_close",), ("a",)),
    (
        (
            "lib.scimath.sqrt", "lib.scimath.log", "lib.scimath.log2", "lib.scimath.log10",
            "lib.scimath.arccos", "lib.scimath.arcsin", "lib.scimath.arctanh",
        ),
        ("x",),
    ),
    (("lib.scimath.power",), ("x", "p")),
    (("lib.scimath.logn",), ("n", "x")),
    (("polyval",), ("x",)),
    (("interp",), ("x",)),
    (("digitize",), ("x",)),
    (("searchsorted",), ("v",)),
    (("isin",), ("element",)),
    (("datetime_as_string",), ("arr",)),
    (("busday_count",), ("begindates", "enddates", "out")),
    (("busday_offset",), ("dates", "offsets", "out")),
    (("is_busday",), ("dates", "out")),
    (("ravel_multi_index",), ("multi_index*",)),
    (("unravel_index",), ("indices",)),
    (("choose",), ("a", "choices*", "out")),
    (
        ("char.equal", "char.not_equal", "char.less", "char.less_equal", "char.greater", "char.greater_equal"),
        ("x1", "x2"),
    ),
    (
        (
            "strings.capitalize", "strings.lower", "strings.upper", "strings.swapcase", "strings.title",
            "strings.translate", "strings.decode", "strings.encode", "strings.mod",
        ),
        ("a",),
    ),
    (("strings.center", "strings.ljust", "strings.rjust"), ("a", "width", "fillchar")),
    (("strings.zfill",), ("a", "width")),
    (("strings.expandtabs",), ("a", "tabsize")),
    (("strings.multiply",), ("a", "i")),
    (("strings.partition", "strings.rpartition"), ("a", "sep")),
    (("strings.replace",), ("a", "old", "new", "count")),
    (("strings._split", "strings._rsplit"), ("a", "sep", "maxsplit")),
    (("strings._splitlines",), ("a", "keepends")),
    (("strings._join",), ("sep", "seq")),
    (("select",), ("condlist*", "choicelist*", "default")),
]


# --- rule: one array along per-draw axes --------------------------------------------------------


def _along_axes_rule(
    none: str,
    axes: tuple[str, ...] = ("axis",),
    broadcast: tuple[str, ...] = (),
    array: str | None = None,
    first_axes_of: str | None = None,
) -> Callable[[Callable], Handler]:
    """One Samples array (default: the first argument) and axis arguments over its per-draw shape.

    `none` says what `axis=None` means: 'all' (every per-draw axis), 'flatten' (the flattened
    draw), 'sole' (the only axis of a 1-D draw), 'fftn' (all axes unless `s` is given) or
    'pass' (None is not an axis here). Arguments in `broadcast` (where=,
    out=, prepend=...) may be Samples too. `first_axes_of` names an argument whose ndim leads
    the result (the q of quantile), so the draw axis is moved back to the front.
    """

    def make(func: Callable) -> Handler:
        params = _Parameters(func)
        array_name = array or params.first
        array_position = params.position.get(array_name, _KEYWORD_ONLY)
        vectorised = _Vectorised(params, (array_name, *broadcast))
        axis_slots = [(n, params.position.get(n, _KEYWORD_ONLY), params.default.get(n, np._NoValue)) for n in axes]
        first_broadcast = min((params.position.get(n, _KEYWORD_ONLY) for n in broadcast), default=_KEYWORD_ONLY)
        undispatched = getattr(func, "_implementation", func)  # raw ndarrays need no second dispatch

        def handler(*args: Any, **kwargs: Any) -> Any:
            a = args[array_position] if array_position < len(args) else kwargs.get(array_name)
            if not isinstance(a, Samples) or vectorised.samples_elsewhere(args, kwargs):
                return per_draw(func, args, kwargs)
            args = list(args)
            raw = a.samples
            ndim = raw.ndim - 1
            flattened = False
            for name, position, default in axis_slots:
                given = position < len(args)
                axis = args[position] if given else kwargs.get(name, default)
                if axis is np._NoValue:
                    continue
                if axis is None:
                    if none == "pass":
                        continue
                    if none == "flatten":
                        raw = raw.reshape((raw.shape[0], -1))
                        flattened = True
                        axis = 1
                    elif none == "sole" and ndim == 1:  # None is only allowed for 1-D input
                        axis = 1
                    elif none == "all" or (none == "fftn" and params.get(args, kwargs, "s") in (None, np._NoValue)):
                        axis = tuple(range(1, ndim + 1))
                    else:  # sole: not 1-D; fftn: s given (NumPy's deprecated meaning) -> NumPy decides per draw
                        return per_draw(func, args, kwargs)
                else:
                    axis = shift_axes(axis, ndim, name)
                if given:
                    args[position] = axis
                else:
                    kwargs[name] = axis
            if array_position < len(args):
                args[array_position] = raw
            else:
                kwargs[array_name] = raw
            out = None
            if kwargs or len(args) > first_broadcast:
                for name in broadcast:
                    value = params.get(args, kwargs, name)
                    if isinstance(value, Samples):
                        out = value if name == "out" else out
                        params.set(args, kwargs, name, value.samples if name == "out" else align([a, value])[0][1])
            result = (undispatched if type(raw) is np.ndarray else func)(*args, **kwargs)
            if out is not None:
                return out
            if first_axes_of is not None:
                lead = np.ndim(params.get(args, kwargs, first_axes_of))
                result = np.moveaxis(result, lead, 0) if lead else result
            elif flattened and kwargs.get("keepdims") is True:
                result = result.reshape((result.shape[0],) + (1,) * ndim)
            return wrap_result(result)

        return handler

    return make


REDUCTIONS = (
    "sum", "prod", "mean", "std", "var", "max", "min", "amax", "amin", "any", "all", "ptp", "nansum",
    "nanprod", "nanmean", "nanstd", "nanvar", "nanmax", "nanmin", "median", "nanmedian", "count_nonzero",
    "flip",
)
QUANTILES = ("percentile", "nanpercentile", "quantile", "nanquantile")
FLATTENING = (
    "cumsum", "cumprod", "nancumsum", "nancumprod", "sort", "argsort", "partition", "argpartition", "argmax",
    "argmin", "nanargmax", "nanargmin", "take", "repeat", "delete", "packbits", "unpackbits",
)
SINGLE_AXIS = ("diff", "trapezoid", "unwrap", "split", "array_split", "unstack", "apply_along_axis")

_register(REDUCTIONS, _along_axes_rule("all", broadcast=("where", "out")), "reduce over per-draw axes")
_register(
    ("linalg.vector_norm", "lib.stride_tricks.sliding_window_view"),
    _along_axes_rule("all"),
    "reduce over per-draw axes",
)
_register(QUANTILES, _along_axes_rule("all", first_axes_of="q"), "reduce over per-draw axes")
_register(FLATTENING, _along_axes_rule("flatten", broadcast=("out",)), "per-draw axes, None flattens")
_register(("compress",), _along_axes_rule("flatten", array="a"), "per-draw axes, None flattens")
_register(("insert",), _along_axes_rule("flatten"), "per-draw axes, None flattens")
_register(("cumulative_sum", "cumulative_prod"), _along_axes_rule("sole", broadcast=("out",)), "per-draw axes")
_register(SINGLE_AXIS, _along_axes_rule("pass", broadcast=("prepend", "append")), "per-draw axes")
_register(("apply_over_axes",), _along_axes_rule("pass", axes=("axes",), array="a"), "per-draw axes")
_register(("swapaxes",), _along_axes_rule("pass", axes=("axis1", "axis2")), "per-draw axes")
_register(("moveaxis",), _along_axes_rule("pass", axes=("source", "destination")), "per-draw axes")
_register(("trace", "diagonal"), _along_axes_rule("pass", axes=("axis1", "axis2"), broadcast=("out",)), "per-draw axes")
_register(("rot90",), _along_axes_rule("pass", axes=("axes",)), "per-draw axes")
_register(
    ("fft.fft", "fft.ifft", "fft.rfft", "fft.irfft", "fft.hfft", "fft.ihfft"),
    _along_axes_rule("pass", broadcast=("out",)),
    "per-draw axes",
)
_register(
    ("fft.fft2", "fft.ifft2", "fft.rfft2", "fft.irfft2", "fft.fftn", "fft.ifftn", "fft.rfftn", "fft.irfftn"),
    _along_axes_rule("fftn", axes=("axes",), broadcast=("out",)),
    "per-draw axes",
)
_register(("fft.fftshift", "fft.ifftshift"), _along_axes_rule("all", axes=("axes",)), "per-draw axes")


# --- rule: functions that broadcast over leading (stack) axes -------------------------------------


def _stacked_rule(min_ndim: int) -> Callable[[Callable], Handler]:
    """The draw axis is one more stack axis; draws below `min_ndim` dimensions go draw by draw."""

    def make(func: Callable) -> Handler:
        params = _Parameters(func)
        vectorised = _Vectorised(params, (params.first,))

        def handler(*args: Any, **kwargs: Any) -> Any:
            a = params.get(args, kwargs, params.first)
            if not isinstance(a, Samples) or a.ndim < min_ndim or vectorised.samples_elsewhere(args, kwargs):
                return per_draw(func, args, kwargs)
            args = list(args)
            params.set(args, kwargs, params.first, a.samples)
            return wrap_result(func(*args, **kwargs))

        return handler

    return make


STACKED_MATRICES = (
    "linalg.cholesky", "linalg.det", "linalg.eig", "linalg.eigh", "linalg.eigvals", "linalg.eigvalsh",
    "linalg.inv", "linalg.pinv", "linalg.qr", "linalg.slogdet", "linalg.svd", "linalg.svdvals",
    "linalg.matrix_power", "linalg.matrix_rank", "linalg.cond", "linalg.matrix_norm",
    "linalg.matrix_transpose", "matrix_transpose", "linalg.diagonal", "linalg.trace", "tril", "triu",
)
_register(STACKED_MATRICES, _stacked_rule(2), "leading axes broadcast")
_register(("sort_complex", "copy", "astype"), _stacked_rule(0), "leading axes broadcast")


# --- rule: NumPy's own implementation, made of dispatched calls ----------------------------------

NUMPY_IMPLEMENTATION = ("hstack", "vstack", "dstack", "hsplit", "vsplit", "dsplit")
_register(NUMPY_IMPLEMENTATION, lambda func: func._implementation, "NumPy's implementation on Samples")


# --- rule: draw by draw -------------------------------------------------------------------------

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
_register(PER_DRAW, _loop_rule, "draw by draw")


def _in_place_rule(target: int) -> Callable[[Callable], Handler]:
    """Draw by draw into the views of a Samples target; a plain target cannot hold K draws."""

    def make(func: Callable) -> Handler:
        def handler(*args: Any, **kwargs: Any) -> Any:
            if not isinstance(args[target], Samples):
                raise TypeError(f"np.{func.__name__} writes into argument {target + 1}, which must be Samples here")
            return per_draw(func, args, kwargs)

        return handler

    return make


# in place, element positions given as flat indices, masks or fields
_register(("put", "place", "putmask", "fill_diagonal", "put_along_axis"), _in_place_rule(0), "draw by draw")
_register(("lib.recfunctions.assign_fields_by_name",), _in_place_rule(0), "draw by draw")
_register(("lib.recfunctions.recursive_fill_fields",), _in_place_rule(1), "draw by draw")
for names, broadcast in ELEMENTWISE:
    _register(names, _elementwise_rule(broadcast), "elementwise broadcasting")


# --- hand-written -------------------------------------------------------------------------------


@implements("where")
def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:
        return per_draw(np.where, (condition,), {})
    raw, _ = align([condition, x, y])
    return wrap(np.where(*raw))


@implements("copyto")
def _copyto(dst: Any, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    if not isinstance(dst, Samples):
        raise TypeError("dst of np.copyto must be Samples when src or where is Samples")
    raw, _ = align([dst, src, where])
    np.copyto(raw[0], raw[1], casting=casting, where=raw[2])


@implements("allclose")
def _allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Samples:
    close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return np.all(close)


@implements("array_equal")
def _array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> Samples:
    n_draws = draw_count([a1, a2])
    if np.shape(a1) != np.shape(a2):
        return wrap(np.zeros(n_draws, dtype=bool))
    equal = np.equal(a1, a2)
    if equal_nan:
        equal = equal | (np.isnan(a1) & np.isnan(a2))
    return np.all(np.broadcast_to(equal, np.shape(a1)) if not isinstance(equal, Samples) else equal)


@implements("array_equiv")
def _array_equiv(a1: Any, a2: Any) -> Samples:
    n_draws = draw_count([a1, a2])
    try:
        np.broadcast_shapes(np.shape(a1), np.shape(a2))
    except ValueError:
        return wrap(np.zeros(n_draws, dtype=bool))
    return np.all(np.equal(a1, a2))


# metadata: the same for every draw, so a plain answer


@implements("shape")
def _shape(a: Any) -> tuple[int, ...]:
    return a.shape


@implements("ndim")
def _ndim(a: Any) -> int:
    return a.ndim


@implements("size")
def _size(a: Any, axis: int | None = None) -> int:
    return a.size if axis is None else a.shape[axis]


def _dtype_of(x: Any) -> Any:
    return x.dtype if isinstance(x, Samples) else x


@implements("result_type")
def _result_type(*arrays_and_dtypes: Any) -> np.dtype:
    return np.result_type(*(_dtype_of(x) for x in arrays_and_dtypes))


@implements("can_cast")
def _can_cast(from_: Any, to: Any, casting: str = "safe") -> bool:
    return np.can_cast(_dtype_of(from_), to, casting=casting)


@implements("common_type")
def _common_type(*arrays: Any) -> type:
    return np.common_type(*(np.empty(0, dtype=a.dtype) if isinstance(a, Samples) else a for a in arrays))


@implements("iscomplexobj")
def _iscomplexobj(x: Any) -> bool:
    return np.iscomplexobj(np.empty(0, dtype=x.dtype))


@implements("isrealobj")
def _isrealobj(x: Any) -> bool:
    return not _iscomplexobj(x)


def _raw(x: Any) -> Any:
    return x.samples if isinstance(x, Samples) else x


@implements("may_share_memory")
def _may_share_memory(a: Any, b: Any, max_work: int | None = None) -> bool:
    return np.may_share_memory(_raw(a), _raw(b), max_work=max_work)


@implements("shares_memory")
def _shares_memory(a: Any, b: Any, max_work: int | None = None) -> bool:
    return np.shares_memory(_raw(a), _raw(b), max_work=max_work)


def _one_draw_shape(arr: Samples) -> np.ndarray:
    """A zero-cost stand-in with one draw's shape, for functions that only look at the shape."""
    return np.broadcast_to(np.empty((), dtype=arr.dtype), arr.shape)


@implements("diag_indices_from")
def _diag_indices_from(arr: Samples) -> tuple[np.ndarray, ...]:
    return np.diag_indices_from(_one_draw_shape(arr))


@implements("tril_indices_from")
def _tril_indices_from(arr: Samples, k: int = 0) -> tuple[np.ndarray, ...]:
    return np.tril_indices_from(_one_draw_shape(arr), k=k)


@implements("triu_indices_from")
def _triu_indices_from(arr: Samples, k: int = 0) -> tuple[np.ndarray, ...]:
    return np.triu_indices_from(_one_draw_shape(arr), k=k)


# shapes and layout


@implements("reshape")
def _reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: bool | None = None) -> Any:
    shape = newshape if shape is None else shape
    if order != "C" or not isinstance(a, Samples):
        return per_draw(np.reshape, (a, shape), {"order": order, "copy": copy})
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return wrap(np.reshape(a.samples, (a.n_draws, *shape), copy=copy))


@implements("ravel")
def _ravel(a: Any, order: str = "C") -> Any:
    if order != "C":
        return per_draw(np.ravel, (a,), {"order": order})
    return wrap(a.samples.reshape((a.n_draws, -1)))


@implements("transpose")
def _transpose(a: Samples, axes: Any = None) -> Samples:
    return a.transpose() if axes is None else a.transpose(axes)


@implements("broadcast_to")
def _broadcast_to(array: Samples, shape: Any, subok: bool = False) -> Samples:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    raw = array.samples[(slice(None),) + (None,) * max(len(shape) - array.ndim, 0)]
    return wrap(np.broadcast_to(raw, (array.n_draws, *shape), subok=subok))


@implements("broadcast_arrays")
def _broadcast_arrays(*args: Any, subok: bool = False) -> tuple[Samples, ...]:
    raw, _ = align(args)
    raw = [r if isinstance(a, Samples) else np.asarray(r)[None] for a, r in zip(args, raw)]
    return tuple(wrap(r) for r in np.broadcast_arrays(*raw, subok=subok))


def _atleast(arys: tuple[Any, ...], numpy_func: Callable, where_new: Callable[[int], tuple[Any, ...]]) -> Any:
    results = []
    for a in arys:
        if isinstance(a, Samples):
            results.append(wrap(a.samples[where_new(a.ndim)]))
        else:
            results.append(numpy_func(a))
    return results[0] if len(results) == 1 else tuple(results)


_ALL = slice(None)


@implements("atleast_1d")
def _atleast_1d(*arys: Any) -> Any:
    return _atleast(arys, np.atleast_1d, lambda nd: (_ALL, None) if nd == 0 else (...,))


@implements("atleast_2d")
def _atleast_2d(*arys: Any) -> Any:
    new = {0: (_ALL, None, None), 1: (_ALL, None, _ALL)}
    return _atleast(arys, np.atleast_2d, lambda nd: new.get(nd, (...,)))


@implements("atleast_3d")
def _atleast_3d(*arys: Any) -> Any:
    new = {0: (_ALL, None, None, None), 1: (_ALL, None, _ALL, None), 2: (..., None)}
    return _atleast(arys, np.atleast_3d, lambda nd: new.get(nd, (...,)))


@implements("expand_dims")
def _expand_dims(a: Samples, axis: Any) -> Samples:
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out_ndim = a.ndim + len(axes)
    return wrap(np.expand_dims(a.samples, tuple(shift_axis(ax, out_ndim) for ax in axes)))


@implements("squeeze")
def _squeeze(a: Samples, axis: Any = None) -> Samples:
    if axis is None:
        axis = tuple(i for i, length in enumerate(a.shape) if length == 1)
    return wrap(np.squeeze(a.samples, shift_axes(axis, a.ndim)))


@implements("fliplr")
def _fliplr(m: Samples) -> Samples:
    if m.ndim < 2:
        raise ValueError("np.fliplr needs draws of at least 2 dimensions")
    return wrap(m.samples[:, :, ::-1])


@implements("flipud")
def _flipud(m: Samples) -> Samples:
    if m.ndim < 1:
        raise ValueError("np.flipud needs draws of at least 1 dimension")
    return wrap(m.samples[:, ::-1])


@implements("rollaxis")
def _rollaxis(a: Samples, axis: int, start: int = 0) -> Samples:
    if not -a.ndim <= start <= a.ndim:
        raise np.exceptions.AxisError(f"start {start} is out of bounds for the per-draw shape of dimension {a.ndim}")
    start = start + a.ndim if start < 0 else start
    return wrap(np.rollaxis(a.samples, shift_axis(axis, a.ndim), start + 1))


@implements("roll")
def _roll(a: Samples, shift: Any, axis: Any = None) -> Any:
    if isinstance(shift, Samples) or not isinstance(a, Samples):
        return per_draw(np.roll, (a, shift), {"axis": axis})
    if axis is None:
        flat = a.samples.reshape((a.n_draws, -1))
        return wrap(np.roll(flat, shift, axis=1).reshape(a.samples.shape))
    return wrap(np.roll(a.samples, shift, axis=shift_axes(axis, a.ndim)))


@implements("tile")
def _tile(A: Samples, reps: Any) -> Samples:
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    ndim = max(len(reps), A.ndim)
    raw = A.samples[(slice(None),) + (None,) * (ndim - A.ndim)]
    return wrap(np.tile(raw, (1,) * (1 + ndim - len(reps)) + reps))


@implements("resize")
def _resize(a: Samples, new_shape: Any) -> Samples:
    new_shape = (new_shape,) if isinstance(new_shape, (int, np.integer)) else tuple(new_shape)
    flat = a.samples.reshape((a.n_draws, -1))
    n_out = int(np.prod(new_shape))
    if flat.shape[1] == 0:
        return wrap(np.zeros((a.n_draws, *new_shape), dtype=a.dtype))
    return wrap(flat[:, np.arange(n_out) % flat.shape[1]].reshape((a.n_draws, *new_shape)))


def _per_axis_pairs(value: Any, ndim: int, lead: Any) -> Any:
    """A (ndim, 2) per-axis argument of np.pad with a row for the draw axis prepended."""
    if np.ndim(value) == 2 and np.shape(value)[0] == ndim and ndim > 1:
        return np.concatenate([np.asarray([lead]), np.asarray(value)])
    return value


@implements("pad")
def _pad(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Any:
    if callable(mode) or not isinstance(array, Samples) or contains_samples((pad_width, kwargs)):
        return per_draw(np.pad, (array, pad_width, mode), kwargs)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (array.ndim, 2))
    widths = np.concatenate([np.zeros((1, 2), dtype=np.intp), widths])
    for name, lead in (("constant_values", (0, 0)), ("end_values", (0, 0)), ("stat_length", (1, 1))):
        if name in kwargs:
            kwargs[name] = _per_axis_pairs(kwargs[name], array.ndim, lead)
    return wrap(np.pad(array.samples, widths, mode, **kwargs))


@implements("diag")
def _diag(v: Samples, k: int = 0) -> Samples:
    if v.ndim == 2:
        return wrap(np.diagonal(v.samples, k, axis1=1, axis2=2))
    if v.ndim != 1:
        raise ValueError("np.diag needs 1-D or 2-D draws")
    n = v.shape[0] + abs(k)
    result = np.zeros((v.n_draws, n, n), dtype=v.dtype)
    i = np.arange(v.shape[0])
    result[:, i + max(-k, 0), i + max(k, 0)] = v.samples
    return wrap(result)


@implements("diagflat")
def _diagflat(v: Samples, k: int = 0) -> Samples:
    return _diag(np.ravel(v), k)


@implements("vander")
def _vander(x: Samples, N: int | None = None, increasing: bool = False) -> Samples:
    if x.ndim != 1:
        raise ValueError("np.vander needs 1-D draws")
    n_columns = x.shape[0] if N is None else N
    powers = np.empty((*x.samples.shape, n_columns), dtype=np.result_type(x.dtype, int))
    if n_columns > 0:
        powers[..., 0] = 1
    if n_columns > 1:
        powers[..., 1:] = x.samples[..., None]
        np.multiply.accumulate(powers[..., 1:], out=powers[..., 1:], axis=-1)
    return wrap(powers if increasing else powers[..., ::-1])


@implements("take_along_axis")
def _take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> Samples:
    n_draws = draw_count([arr, indices])
    raw = full_draws(arr, n_draws)
    idx = indices.samples if isinstance(indices, Samples) else np.asarray(indices)[None]
    if axis is None:
        raw = raw.reshape((n_draws, -1))
        idx = idx.reshape((idx.shape[0], -1))
        return wrap(np.take_along_axis(raw, idx, axis=1))
    return wrap(np.take_along_axis(raw, idx, axis=shift_axis(axis, per_draw_ndim(arr))))


# joining


def _joinable(arrays: Sequence[Any]) -> tuple[list[Any], int]:
    n_draws = draw_count(arrays)
    return [full_draws(a, n_draws) for a in arrays], n_draws


def _join_options(out: Any, dtype: Any, casting: str) -> dict[str, Any]:
    """Only the options given, so that backends without them (Dask) still join."""
    options: dict[str, Any] = {} if out is None else {"out": out.samples}
    if dtype is not None:
        options["dtype"] = dtype
    if casting != "same_kind":
        options["casting"] = casting
    return options


@implements("concatenate")
def _concatenate(
    arrays: Sequence[Any], axis: int | None = 0, out: Any = None, *, dtype: Any = None, casting: str = "same_kind"
) -> Samples:
    raw, n_draws = _joinable(arrays)
    if axis is None:
        raw, axis = [r.reshape((n_draws, -1)) for r in raw], 1
    else:
        axis = shift_axis(axis, raw[0].ndim - 1)
    result = np.concatenate(raw, axis=axis, **_join_options(out, dtype, casting))
    return out if out is not None else wrap(result)


@implements("stack")
def _stack(
    arrays: Sequence[Any], axis: int = 0, out: Any = None, *, dtype: Any = None, casting: str = "same_kind"
) -> Samples:
    raw, _ = _joinable(arrays)
    result = np.stack(raw, axis=shift_axis(axis, raw[0].ndim), **_join_options(out, dtype, casting))
    return out if out is not None else wrap(result)


@implements("append")
def _append(arr: Any, values: Any, axis: int | None = None) -> Samples:
    if axis is None:
        return np.concatenate([np.ravel(arr), np.ravel(values)], axis=0)
    return np.concatenate([arr, values], axis=axis)


@implements("column_stack")
def _column_stack(tup: Sequence[Any]) -> Samples:
    columns = [np.atleast_2d(a).T if per_draw_ndim(a) < 2 else a for a in tup]
    return np.concatenate(columns, axis=1)


# sequences from Samples end points


def _spaced(numpy_func: Callable, ends: tuple[str, ...]) -> Handler:
    """linspace and friends: Samples end points broadcast; `axis` places the new axis in one draw."""
    params = _Parameters(numpy_func)
    vectorised = _Vectorised(params, ends)

    def handler(*args: Any, **kwargs: Any) -> Any:
        if vectorised.samples_elsewhere(args, kwargs):
            return per_draw(numpy_func, args, kwargs)
        args = list(args)
        given = [n for n in ends if params.given(args, kwargs, n)]
        values = [params.get(args, kwargs, n) for n in given]
        raw, _ = align(values)
        for name, r in zip(given, raw):
            params.set(args, kwargs, name, r)
        out_ndim = max(per_draw_ndim(v) for v in values) + 1
        params.set(args, kwargs, "axis", shift_axis(params.get(args, kwargs, "axis"), out_ndim))
        return wrap_result(numpy_func(*args, **kwargs))

    return handler


_register(("linspace",), lambda f: _spaced(np.linspace, ("start", "stop")), "hand-written")
_register(("logspace",), lambda f: _spaced(np.logspace, ("start", "stop", "base")), "hand-written")
_register(("geomspace",), lambda f: _spaced(np.geomspace, ("start", "stop")), "hand-written")


def _like_rule(func: Callable) -> Handler:
    """zeros_like and friends: a new array per draw; a given `shape` is one draw's shape."""
    params = _Parameters(func)
    vectorised = _Vectorised(params, ("a",))

    def handler(*args: Any, **kwargs: Any) -> Any:
        a = params.get(args, kwargs, "a")
        if not isinstance(a, Samples) or vectorised.samples_elsewhere(args, kwargs):
            return per_draw(func, args, kwargs)
        args = list(args)
        params.set(args, kwargs, "a", a.samples)
        shape = params.get(args, kwargs, "shape")
        if shape is not None and shape is not np._NoValue:
            shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
            params.set(args, kwargs, "shape", (a.n_draws, *shape))
        return wrap(func(*args, **kwargs))

    return handler


_register(("zeros_like", "ones_like", "empty_like", "full_like"), _like_rule, "new array per draw")


# statistics with per-draw weights


@implements("average")
def _average(
    a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *, keepdims: Any = np._NoValue
) -> Any:
    if not isinstance(a, Samples):
        return per_draw(np.average, (a, axis, weights, returned), {"keepdims": keepdims})
    if weights is not None:
        n_weight_axes = per_draw_ndim(weights)
        raw = weights.samples if isinstance(weights, Samples) else np.asarray(weights)[None]
        if n_weight_axes == 1 and a.ndim > 1 and isinstance(axis, (int, np.integer)):
            along = shift_axis(axis, a.ndim)
            raw = np.moveaxis(raw[(...,) + (None,) * (a.ndim - 1)], 1, along)
        weights = np.broadcast_to(raw, a.samples.shape)
    result = np.average(a.samples, axis=shift_axes(axis, a.ndim), weights=weights, returned=returned, keepdims=keepdims)
    return wrap_result(result)


@implements("gradient")
def _gradient(f: Samples, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    if not isinstance(f, Samples) or contains_samples(varargs):
        return per_draw(np.gradient, (f, *varargs), {"axis": axis, "edge_order": edge_order})
    result = np.gradient(f.samples, *varargs, axis=shift_axes(axis, f.ndim), edge_order=edge_order)
    return wrap_result(result)


# products


def _to_negative(axis: int, ndim: int) -> int:
    """A per-draw axis counted from the end, which no leading axis can disturb."""
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for per-draw dimension {ndim}")
    return axis - ndim if axis >= 0 else axis


@implements("cross")
def _cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None) -> Any:
    if axis is not None:
        axisa = axisb = axisc = axis
    if axisc >= 0:
        return per_draw(np.cross, (a, b), {"axisa": axisa, "axisb": axisb, "axisc": axisc})
    axisa, axisb = _to_negative(axisa, per_draw_ndim(a)), _to_negative(axisb, per_draw_ndim(b))
    raw, _ = align([a, b])
    return wrap(np.cross(raw[0], raw[1], axisa=axisa, axisb=axisb, axisc=axisc))


@implements("linalg.cross")
def _linalg_cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    if per_draw_ndim(x1) and per_draw_ndim(x2) and (np.shape(x1)[axis] != 3 or np.shape(x2)[axis] != 3):
        raise ValueError("np.linalg.cross needs 3-element vectors along axis")
    return _cross(x1, x2, axis=axis)


@implements("linalg.vecdot")
def _vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Samples:
    ndim = max(per_draw_ndim(x1), per_draw_ndim(x2))
    raw, _ = align([x1, x2])
    return wrap(np.linalg.vecdot(raw[0], raw[1], axis=_to_negative(axis, ndim)))


@implements("linalg.matmul")
def _linalg_matmul(x1: Any, x2: Any, /) -> Samples:
    return np.matmul(x1, x2)


@implements("linalg.solve")
def _solve(a: Any, b: Any) -> Samples:
    vector = per_draw_ndim(b) == 1
    if isinstance(b, Samples) and vector:
        b = wrap(b.samples[..., None])
    stack_ndim = max(per_draw_ndim(a) - 2, per_draw_ndim(b) - (1 if vector and not isinstance(b, Samples) else 2))
    raw = [
        x.samples[(slice(None),) + (None,) * (stack_ndim + core - x.ndim)] if isinstance(x, Samples) else x
        for x, core in ((a, 2), (b, 2))
    ]
    result = np.linalg.solve(raw[0], raw[1])
    return wrap(result[..., 0] if isinstance(b, Samples) and vector else result)


@implements("linalg.norm")
def _norm(x: Samples, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Samples:
    if axis is None:
        if ord is None:
            result = np.linalg.vector_norm(x.samples, axis=tuple(range(1, x.ndim + 1)), keepdims=keepdims)
            return wrap(result)
        axis = {1: -1, 2: (-2, -1)}.get(x.ndim)
        if axis is None:
            raise ValueError("np.linalg.norm: Improper number of dimensions to norm")
    return wrap(np.linalg.norm(x.samples, ord=ord, axis=shift_axes(axis, x.ndim), keepdims=keepdims))


@implements("dot")
def _dot(a: Any, b: Any, out: Any = None) -> Any:
    nd_a, nd_b = per_draw_ndim(a), per_draw_ndim(b)
    if out is None and (nd_a == 0 or nd_b == 0):
        return np.multiply(a, b)
    if out is None and nd_a <= 2 and nd_b <= 2:
        return np.matmul(a, b)
    return per_draw(np.dot, (a, b), {} if out is None else {"out": out})


@implements("vdot")
def _vdot(a: Any, b: Any, /) -> Samples:
    return np.sum(np.multiply(np.conj(np.ravel(a)), np.ravel(b)), axis=-1)


@implements("inner")
def _inner(a: Any, b: Any, /) -> Any:
    if per_draw_ndim(a) == 0 or per_draw_ndim(b) == 0:
        return np.multiply(a, b)
    return np.tensordot(a, b, axes=(-1, -1))


@implements("outer")
def _outer(a: Any, b: Any, out: Any = None) -> Samples:
    return np.multiply(np.ravel(a)[:, None], np.ravel(b)[None, :], out=out)


@implements("linalg.outer")
def _linalg_outer(x1: Any, x2: Any, /) -> Samples:
    if per_draw_ndim(x1) != 1 or per_draw_ndim(x2) != 1:
        raise ValueError("np.linalg.outer needs 1-D draws (vectors)")
    return np.multiply(x1[:, None], x2[None, :])


def _tensordot_axes(axes: Any, nd_a: int, nd_b: int) -> tuple[list[int], list[int]]:
    if isinstance(axes, (int, np.integer)):
        return list(range(nd_a - axes, nd_a)), list(range(axes))
    axes_a, axes_b = axes
    axes_a = [axes_a] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
    axes_b = [axes_b] if isinstance(axes_b, (int, np.integer)) else list(axes_b)
    return [ax % nd_a if nd_a else ax for ax in axes_a], [ax % nd_b if nd_b else ax for ax in axes_b]


@implements("tensordot")
def _tensordot(a: Any, b: Any, axes: Any = 2) -> Samples:
    nd_a, nd_b = per_draw_ndim(a), per_draw_ndim(b)
    axes_a, axes_b = _tensordot_axes(axes, nd_a, nd_b)
    if isinstance(a, Samples) and not isinstance(b, Samples):
        return wrap(np.tensordot(a.samples, b, axes=([ax + 1 for ax in axes_a], axes_b)))
    if isinstance(b, Samples) and not isinstance(a, Samples):
        result = np.tensordot(a, b.samples, axes=(axes_a, [ax + 1 for ax in axes_b]))
        return wrap(np.moveaxis(result, nd_a - len(axes_a), 0))
    draw_count([a, b])
    letters = iter(string.ascii_letters[1:])
    sub_a = [next(letters) for _ in range(nd_a)]
    sub_b = [next(letters) for _ in range(nd_b)]
    for ax_a, ax_b in zip(axes_a, axes_b):
        sub_b[ax_b] = sub_a[ax_a]
    free = [s for i, s in enumerate(sub_a) if i not in axes_a] + [s for i, s in enumerate(sub_b) if i not in axes_b]
    spec = f"a{''.join(sub_a)},a{''.join(sub_b)}->a{''.join(free)}"
    return wrap(np.einsum(spec, a.samples, b.samples))


@implements("linalg.tensordot")
def _linalg_tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Samples:
    return _tensordot(x1, x2, axes=axes)


@implements("einsum")
def _einsum(*operands: Any, out: Any = None, **kwargs: Any) -> Any:
    subscripts, *arrays = operands
    if not isinstance(subscripts, str) or "." in subscripts or out is not None:
        return per_draw(np.einsum, operands, {"out": out, **kwargs})
    subscripts = subscripts.replace(" ", "")
    inputs, _, output = subscripts.partition("->")
    if "->" not in subscripts:
        letters = inputs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    draw = next(c for c in string.ascii_letters if c not in subscripts)
    terms = [draw + term if isinstance(x, Samples) else term for term, x in zip(inputs.split(","), arrays)]
    draw_count(arrays)
    raw = [x.samples if isinstance(x, Samples) else x for x in arrays]
    return wrap(np.einsum(f"{','.join(terms)}->{draw}{output}", *raw, **kwargs))


# --- unsupported, with the reason ----------------------------------------------------------------

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
for _name, _reason in UNSUPPORTED.items():
    for _func in OVERRIDABLE.get(_name, ()):
        UNSUPPORTED_FUNCTIONS[_func] = _reason
