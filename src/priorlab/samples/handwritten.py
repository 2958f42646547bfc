"""The NumPy functions `Samples` overrides by hand: those no rule in `priorlab.samples.rules` fits.

Each override takes NumPy's arguments as they came from the caller, so its signature accepts at
least the parameters of the NumPy function it replaces, with the same defaults
(`tests/samples/test_signatures.py` checks this). `priorlab.samples.functions` registers them.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from priorlab.samples.array import (
    Samples,
    align,
    contains_samples,
    draw_count,
    full_draws,
    per_draw_ndim,
    wrap,
)
from priorlab.samples.axes import shift_axes, shift_axis
from priorlab.samples.calls import Handler, per_draw, wrap_result

#: NumPy function name -> its hand-written override
HAND_WRITTEN: dict[str, Handler] = {}


def overrides(*names: str) -> Callable[[Handler], Handler]:
    """Record `handler` as the override of the named NumPy functions."""

    def record(handler: Handler) -> Handler:
        for name in names:
            if name in HAND_WRITTEN:
                raise KeyError(f"{name} has two hand-written overrides")
            HAND_WRITTEN[name] = handler
        return handler

    return record


# comparisons and selection


@overrides("where")
def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:
        return per_draw(np.where, (condition,), {})
    raw, _ = align([condition, x, y])
    return wrap(np.where(*raw))


@overrides("copyto")
def _copyto(dst: Any, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    if not isinstance(dst, Samples):
        raise TypeError("dst of np.copyto must be Samples when src or where is Samples")
    raw, _ = align([dst, src, where])
    np.copyto(raw[0], raw[1], casting=casting, where=raw[2])


@overrides("allclose")
def _allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Samples:
    close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return np.all(close)


@overrides("array_equal")
def _array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> Samples:
    n_draws = draw_count([a1, a2])
    if np.shape(a1) != np.shape(a2):
        return wrap(np.zeros(n_draws, dtype=bool))
    equal = np.equal(a1, a2)
    if equal_nan:
        equal = equal | (np.isnan(a1) & np.isnan(a2))
    return np.all(np.broadcast_to(equal, np.shape(a1)) if not isinstance(equal, Samples) else equal)


@overrides("array_equiv")
def _array_equiv(a1: Any, a2: Any) -> Samples:
    n_draws = draw_count([a1, a2])
    try:
        np.broadcast_shapes(np.shape(a1), np.shape(a2))
    except ValueError:
        return wrap(np.zeros(n_draws, dtype=bool))
    return np.all(np.equal(a1, a2))


# metadata: the same for every draw, so a plain answer


@overrides("shape")
def _shape(a: Any) -> tuple[int, ...]:
    return a.shape


@overrides("ndim")
def _ndim(a: Any) -> int:
    return a.ndim


@overrides("size")
def _size(a: Any, axis: int | None = None) -> int:
    return a.size if axis is None else a.shape[axis]


def _dtype_of(x: Any) -> Any:
    return x.dtype if isinstance(x, Samples) else x


@overrides("result_type")
def _result_type(*arrays_and_dtypes: Any) -> np.dtype:
    return np.result_type(*(_dtype_of(x) for x in arrays_and_dtypes))


@overrides("can_cast")
def _can_cast(from_: Any, to: Any, casting: str = "safe") -> bool:
    return np.can_cast(_dtype_of(from_), to, casting=casting)


@overrides("common_type")
def _common_type(*arrays: Any) -> type:
    return np.common_type(*(np.empty(0, dtype=a.dtype) if isinstance(a, Samples) else a for a in arrays))


@overrides("iscomplexobj")
def _iscomplexobj(x: Any) -> bool:
    return np.iscomplexobj(np.empty(0, dtype=x.dtype))


@overrides("isrealobj")
def _isrealobj(x: Any) -> bool:
    return not _iscomplexobj(x)


def _raw(x: Any) -> Any:
    return x.samples if isinstance(x, Samples) else x


@overrides("may_share_memory")
def _may_share_memory(a: Any, b: Any, max_work: int | None = 0) -> bool:
    return np.may_share_memory(_raw(a), _raw(b), max_work=max_work)


@overrides("shares_memory")
def _shares_memory(a: Any, b: Any, max_work: int | None = -1) -> bool:
    return np.shares_memory(_raw(a), _raw(b), max_work=max_work)


def _one_draw_shape(arr: Samples) -> np.ndarray:
    """A zero-cost stand-in with one draw's shape, for functions that only look at the shape."""
    return np.broadcast_to(np.empty((), dtype=arr.dtype), arr.shape)


@overrides("diag_indices_from")
def _diag_indices_from(arr: Samples) -> tuple[np.ndarray, ...]:
    return np.diag_indices_from(_one_draw_shape(arr))


@overrides("tril_indices_from")
def _tril_indices_from(arr: Samples, k: int = 0) -> tuple[np.ndarray, ...]:
    return np.tril_indices_from(_one_draw_shape(arr), k=k)


@overrides("triu_indices_from")
def _triu_indices_from(arr: Samples, k: int = 0) -> tuple[np.ndarray, ...]:
    return np.triu_indices_from(_one_draw_shape(arr), k=k)


# shapes and layout


@overrides("reshape")
def _reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: bool | None = None) -> Any:
    shape = newshape if shape is None else shape
    if order != "C" or not isinstance(a, Samples):
        return per_draw(np.reshape, (a, shape), {"order": order, "copy": copy})
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return wrap(np.reshape(a.samples, (a.n_draws, *shape), copy=copy))


@overrides("ravel")
def _ravel(a: Any, order: str = "C") -> Any:
    if order != "C":
        return per_draw(np.ravel, (a,), {"order": order})
    return wrap(a.samples.reshape((a.n_draws, -1)))


@overrides("transpose")
def _transpose(a: Samples, axes: Any = None) -> Samples:
    return a.transpose() if axes is None else a.transpose(axes)


@overrides("broadcast_to")
def _broadcast_to(array: Samples, shape: Any, subok: bool = False) -> Samples:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    raw = array.samples[(slice(None),) + (None,) * max(len(shape) - array.ndim, 0)]
    return wrap(np.broadcast_to(raw, (array.n_draws, *shape), subok=subok))


@overrides("broadcast_arrays")
def _broadcast_arrays(*args: Any, subok: bool = False) -> tuple[Samples, ...]:
    raw, _ = align(args)
    raw = [r if isinstance(a, Samples) else np.asarray(r)[None] for a, r in zip(args, raw, strict=True)]
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


@overrides("atleast_1d")
def _atleast_1d(*arys: Any) -> Any:
    return _atleast(arys, np.atleast_1d, lambda nd: (_ALL, None) if nd == 0 else (...,))


@overrides("atleast_2d")
def _atleast_2d(*arys: Any) -> Any:
    new = {0: (_ALL, None, None), 1: (_ALL, None, _ALL)}
    return _atleast(arys, np.atleast_2d, lambda nd: new.get(nd, (...,)))


@overrides("atleast_3d")
def _atleast_3d(*arys: Any) -> Any:
    new = {0: (_ALL, None, None, None), 1: (_ALL, None, _ALL, None), 2: (..., None)}
    return _atleast(arys, np.atleast_3d, lambda nd: new.get(nd, (...,)))


@overrides("expand_dims")
def _expand_dims(a: Samples, axis: Any) -> Samples:
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out_ndim = a.ndim + len(axes)
    return wrap(np.expand_dims(a.samples, tuple(shift_axis(ax, out_ndim) for ax in axes)))


@overrides("squeeze")
def _squeeze(a: Samples, axis: Any = None) -> Samples:
    if axis is None:
        axis = tuple(i for i, length in enumerate(a.shape) if length == 1)
    return wrap(np.squeeze(a.samples, shift_axes(axis, a.ndim)))


@overrides("fliplr")
def _fliplr(m: Samples) -> Samples:
    if m.ndim < 2:
        raise ValueError("np.fliplr needs draws of at least 2 dimensions")
    return wrap(m.samples[:, :, ::-1])


@overrides("flipud")
def _flipud(m: Samples) -> Samples:
    if m.ndim < 1:
        raise ValueError("np.flipud needs draws of at least 1 dimension")
    return wrap(m.samples[:, ::-1])


@overrides("rollaxis")
def _rollaxis(a: Samples, axis: int, start: int = 0) -> Samples:
    if not -a.ndim <= start <= a.ndim:
        raise np.exceptions.AxisError(f"start {start} is out of bounds for the per-draw shape of dimension {a.ndim}")
    start = start + a.ndim if start < 0 else start
    return wrap(np.rollaxis(a.samples, shift_axis(axis, a.ndim), start + 1))


@overrides("roll")
def _roll(a: Samples, shift: Any, axis: Any = None) -> Any:
    if isinstance(shift, Samples) or not isinstance(a, Samples):
        return per_draw(np.roll, (a, shift), {"axis": axis})
    if axis is None:
        flat = a.samples.reshape((a.n_draws, -1))
        return wrap(np.roll(flat, shift, axis=1).reshape(a.samples.shape))
    return wrap(np.roll(a.samples, shift, axis=shift_axes(axis, a.ndim)))


@overrides("tile")
def _tile(A: Samples, reps: Any) -> Samples:
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    ndim = max(len(reps), A.ndim)
    raw = A.samples[(slice(None),) + (None,) * (ndim - A.ndim)]
    return wrap(np.tile(raw, (1,) * (1 + ndim - len(reps)) + reps))


@overrides("resize")
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


@overrides("pad")
def _pad(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Any:
    if callable(mode) or not isinstance(array, Samples) or contains_samples((pad_width, kwargs)):
        return per_draw(np.pad, (array, pad_width, mode), kwargs)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (array.ndim, 2))
    widths = np.concatenate([np.zeros((1, 2), dtype=np.intp), widths])
    for name, lead in (("constant_values", (0, 0)), ("end_values", (0, 0)), ("stat_length", (1, 1))):
        if name in kwargs:
            kwargs[name] = _per_axis_pairs(kwargs[name], array.ndim, lead)
    return wrap(np.pad(array.samples, widths, mode, **kwargs))


@overrides("diag")
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


@overrides("diagflat")
def _diagflat(v: Samples, k: int = 0) -> Samples:
    return _diag(np.ravel(v), k)


@overrides("vander")
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


@overrides("take_along_axis")
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


@overrides("concatenate")
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


@overrides("stack")
def _stack(
    arrays: Sequence[Any], axis: int = 0, out: Any = None, *, dtype: Any = None, casting: str = "same_kind"
) -> Samples:
    raw, _ = _joinable(arrays)
    result = np.stack(raw, axis=shift_axis(axis, raw[0].ndim), **_join_options(out, dtype, casting))
    return out if out is not None else wrap(result)


@overrides("append")
def _append(arr: Any, values: Any, axis: int | None = None) -> Samples:
    if axis is None:
        return np.concatenate([np.ravel(arr), np.ravel(values)], axis=0)
    return np.concatenate([arr, values], axis=axis)


@overrides("column_stack")
def _column_stack(tup: Sequence[Any]) -> Samples:
    columns = [np.atleast_2d(a).T if per_draw_ndim(a) < 2 else a for a in tup]
    return np.concatenate(columns, axis=1)



# statistics with per-draw weights


@overrides("average")
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


@overrides("gradient")
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


@overrides("cross")
def _cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None) -> Any:
    if axis is not None:
        axisa = axisb = axisc = axis
    if axisc >= 0:
        return per_draw(np.cross, (a, b), {"axisa": axisa, "axisb": axisb, "axisc": axisc})
    axisa, axisb = _to_negative(axisa, per_draw_ndim(a)), _to_negative(axisb, per_draw_ndim(b))
    raw, _ = align([a, b])
    return wrap(np.cross(raw[0], raw[1], axisa=axisa, axisb=axisb, axisc=axisc))


@overrides("linalg.cross")
def _linalg_cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    if per_draw_ndim(x1) and per_draw_ndim(x2) and (np.shape(x1)[axis] != 3 or np.shape(x2)[axis] != 3):
        raise ValueError("np.linalg.cross needs 3-element vectors along axis")
    return _cross(x1, x2, axis=axis)


@overrides("linalg.vecdot")
def _vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Samples:
    ndim = max(per_draw_ndim(x1), per_draw_ndim(x2))
    raw, _ = align([x1, x2])
    return wrap(np.linalg.vecdot(raw[0], raw[1], axis=_to_negative(axis, ndim)))


@overrides("linalg.matmul")
def _linalg_matmul(x1: Any, x2: Any, /) -> Samples:
    return np.matmul(x1, x2)


@overrides("linalg.solve")
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


@overrides("linalg.norm")
def _norm(x: Samples, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Samples:
    if axis is None:
        if ord is None:
            result = np.linalg.vector_norm(x.samples, axis=tuple(range(1, x.ndim + 1)), keepdims=keepdims)
            return wrap(result)
        axis = {1: -1, 2: (-2, -1)}.get(x.ndim)
        if axis is None:
            raise ValueError("np.linalg.norm: Improper number of dimensions to norm")
    return wrap(np.linalg.norm(x.samples, ord=ord, axis=shift_axes(axis, x.ndim), keepdims=keepdims))


@overrides("dot")
def _dot(a: Any, b: Any, out: Any = None) -> Any:
    nd_a, nd_b = per_draw_ndim(a), per_draw_ndim(b)
    if out is None and (nd_a == 0 or nd_b == 0):
        return np.multiply(a, b)
    if out is None and nd_a <= 2 and nd_b <= 2:
        return np.matmul(a, b)
    return per_draw(np.dot, (a, b), {} if out is None else {"out": out})


@overrides("vdot")
def _vdot(a: Any, b: Any, /) -> Samples:
    return np.sum(np.multiply(np.conj(np.ravel(a)), np.ravel(b)), axis=-1)


@overrides("inner")
def _inner(a: Any, b: Any, /) -> Any:
    if per_draw_ndim(a) == 0 or per_draw_ndim(b) == 0:
        return np.multiply(a, b)
    return np.tensordot(a, b, axes=(-1, -1))


@overrides("outer")
def _outer(a: Any, b: Any, out: Any = None) -> Samples:
    return np.multiply(np.ravel(a)[:, None], np.ravel(b)[None, :], out=out)


@overrides("linalg.outer")
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


@overrides("tensordot")
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
    for ax_a, ax_b in zip(axes_a, axes_b, strict=True):  # unequal lengths raise, as in NumPy
        sub_b[ax_b] = sub_a[ax_a]
    free = [s for i, s in enumerate(sub_a) if i not in axes_a] + [s for i, s in enumerate(sub_b) if i not in axes_b]
    spec = f"a{''.join(sub_a)},a{''.join(sub_b)}->a{''.join(free)}"
    return wrap(np.einsum(spec, a.samples, b.samples))


@overrides("linalg.tensordot")
def _linalg_tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Samples:
    return _tensordot(x1, x2, axes=axes)


@overrides("einsum")
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
    terms = [draw + term if isinstance(x, Samples) else term for term, x in zip(inputs.split(","), arrays, strict=True)]
    draw_count(arrays)
    raw = [x.samples if isinstance(x, Samples) else x for x in arrays]
    return wrap(np.einsum(f"{','.join(terms)}->{draw}{output}", *raw, **kwargs))


