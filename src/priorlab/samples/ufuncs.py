"""NEP 13 for `Samples`: ufunc calls with `out=`/`where=`, the ufunc methods, and gufuncs.

Plain `S + 1` and `np.exp(S)` never reach this module (`Samples.__array_ufunc__` handles
them inline); everything else does. Axes are per-draw (see `priorlab.samples.axes`); plain
operands broadcast against each draw; `out=` must be Samples. Gufuncs broadcast their loop
dimensions over the draws, except with `axes=`/`axis=`, which go draw by draw.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np

from priorlab.samples.array import (
    UFUNC_METHODS,
    Samples,
    align,
    check_draws,
    contains_samples,
    draw_count,
    draw_of,
    expand,
    full_draws,
    per_draw_ndim,
    stack_draws,
    wrap,
    wrap_outputs,
)
from priorlab.samples.axes import shift_axes, shift_axis


def _check_out(out: tuple[Any, ...]) -> None:
    """Results of Samples operations are Samples: a plain out= array cannot hold the draws."""
    for o in out:
        if o is not None and not isinstance(o, Samples):
            raise TypeError(f"out= must be Samples when an operand is Samples, got {type(o).__name__}")


def _call_ufunc(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`ufunc(*inputs, **kwargs)` with `out=` and `where=` taking part in the draw alignment."""
    out = kwargs.pop("out", None)
    where = kwargs.pop("where", True)
    values = list(inputs)
    if out is not None:
        _check_out(out)
        values.extend(out)
    values.append(where)
    raw, _ = align(values)
    n_in = len(inputs)
    if out is not None:
        kwargs["out"] = tuple(raw[n_in : n_in + len(out)])
    if where is not True:
        kwargs["where"] = raw[-1]
    result = ufunc(*raw[:n_in], **kwargs)
    if out is not None:
        return out[0] if ufunc.nout == 1 else out
    return wrap_outputs(result, ufunc.nout)


def _with_outputs(kwargs: dict[str, Any], n_draws: int | None) -> Any:
    """Put the raw arrays of the Samples in `out=` into `kwargs`; return the Samples themselves."""
    out = kwargs.get("out")
    if out is not None:
        _check_out(out)
        kwargs["out"] = tuple(o if o is None else full_draws(o, n_draws or o.n_draws) for o in out)
    return out


def _reduce(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`ufunc.reduce` over per-draw axes (default 0; None = all of them)."""
    (array,) = inputs
    where = kwargs.get("where")
    out = kwargs.get("out") or ()
    n_draws = draw_count([array, where, *out])
    ndim = per_draw_ndim(array)
    raw = full_draws(array, n_draws)
    kwargs["axis"] = shift_axes(kwargs.get("axis", 0), ndim)
    if where is not None:
        kwargs["where"] = align([wrap(raw), where])[0][1]
    out = _with_outputs(kwargs, n_draws)
    result = ufunc.reduce(raw, **kwargs)
    return out[0] if out else wrap(result)


def _accumulate(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    (array,) = inputs
    out = kwargs.get("out") or ()
    n_draws = draw_count([array, *out])
    kwargs["axis"] = shift_axis(kwargs.get("axis", 0), per_draw_ndim(array))
    out = _with_outputs(kwargs, n_draws)
    result = ufunc.accumulate(full_draws(array, n_draws), **kwargs)
    return out[0] if out else wrap(result)


def _reduceat(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    array, indices = inputs
    if isinstance(indices, Samples):
        raise TypeError("indices of ufunc.reduceat must be a plain array: the segments cannot vary by draw")
    out = kwargs.get("out") or ()
    n_draws = draw_count([array, *out])
    kwargs["axis"] = shift_axis(kwargs.get("axis", 0), per_draw_ndim(array))
    out = _with_outputs(kwargs, n_draws)
    result = ufunc.reduceat(full_draws(array, n_draws), indices, **kwargs)
    return out[0] if out else wrap(result)


def _outer(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`ufunc.outer(a, b)`: per draw, a's axes then b's axes; done as one broadcast call."""
    a, b = inputs
    draw_count([a, b, *(kwargs.get("out") or ())])
    a_ndim, b_ndim = per_draw_ndim(a), per_draw_ndim(b)
    a_raw = a.samples if isinstance(a, Samples) else np.asarray(a)
    b_raw = b.samples if isinstance(b, Samples) else b
    a_raw = a_raw[(Ellipsis,) + (None,) * b_ndim]
    if isinstance(b, Samples):
        b_raw = b_raw[(slice(None),) + (None,) * a_ndim]
    return _call_ufunc(
        ufunc,
        (wrap(a_raw) if isinstance(a, Samples) else a_raw, wrap(b_raw) if isinstance(b, Samples) else b_raw),
        kwargs,
    )


def _at(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """`ufunc.at(a, indices[, b])` in place on every draw of `a`."""
    a, indices, *rest = inputs
    if not isinstance(a, Samples):
        raise TypeError("ufunc.at with Samples operands needs Samples as the first (target) argument")
    if contains_samples(indices):
        raise TypeError("indices of ufunc.at must be plain: Samples indices vary by draw")
    full_key = (slice(None), *(indices if isinstance(indices, tuple) else (indices,)))
    if rest:
        (b,) = rest
        if isinstance(b, Samples):
            check_draws(a.n_draws, b.n_draws)
            target_ndim = len(np.broadcast_to(np.empty((), bool), a.samples.shape)[full_key].shape) - 1
            b = expand(b.samples, target_ndim)
        ufunc.at(a.samples, full_key, b)
    else:
        ufunc.at(a.samples, full_key)


@functools.cache
def _core_ndims(signature: str) -> tuple[int, ...]:
    """Number of core dimensions of each input of a gufunc signature such as '(n,k),(k,m)->(n,m)'."""
    inputs = signature.split("->")[0]
    return tuple(0 if not group else len(group.split(",")) for group in re.findall(r"\(([^)]*)\)", inputs))


def _gufunc(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Generalised ufuncs (matmul, vecdot, matvec, ...): align the loop dimensions of every draw."""
    if "axes" in kwargs or "axis" in kwargs:  # core axes chosen per operand: exact, draw by draw
        return _gufunc_per_draw(ufunc, inputs, kwargs)
    inputs = list(inputs)
    drop_last = drop_second_last = False
    if ufunc is np.matmul:  # a 1-D draw is a vector: make it a matrix, drop the axis afterwards
        a, b = inputs
        b_vector = per_draw_ndim(b) == 1
        if isinstance(b, Samples) and b_vector:
            inputs[1] = wrap(b.samples[..., None])
            drop_last = True
        if isinstance(a, Samples) and per_draw_ndim(a) == 1:
            inputs[0] = wrap(a.samples[..., None, :])
            drop_last, drop_second_last = (True, drop_last) if b_vector else (drop_last, True)
    core = _core_ndims(ufunc.signature)
    loop_ndim = max(max(per_draw_ndim(x) - c, 0) for x, c in zip(inputs, core, strict=True))
    n_draws = draw_count(inputs)
    raw = [
        expand(x.samples, loop_ndim + c) if isinstance(x, Samples) else x
        for x, c in zip(inputs, core, strict=True)
    ]
    out = _with_outputs(kwargs, n_draws)
    result = ufunc(*raw, **kwargs)
    if out:
        return out[0]
    if drop_second_last:
        result = result[..., 0, :]
    if drop_last:
        result = result[..., 0]
    return wrap(result)


def _gufunc_per_draw(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    out = kwargs.pop("out", None)
    if out is not None:
        _check_out(out)
    n_draws = draw_count([inputs, out or ()])
    results = [
        ufunc(*draw_of(inputs, k), **kwargs, **({} if out is None else {"out": draw_of(out, k)}))
        for k in range(n_draws)
    ]
    if out is not None:
        return out[0] if ufunc.nout == 1 else out
    return stack_draws(results)


UFUNC_METHODS.update(
    {
        "__call__": _call_ufunc,
        "reduce": _reduce,
        "accumulate": _accumulate,
        "reduceat": _reduceat,
        "outer": _outer,
        "at": _at,
        "gufunc": _gufunc,
    }
)
