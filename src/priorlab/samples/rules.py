"""The rules by which families of NumPy functions run on Samples, each declared once.

A rule turns one NumPy function into its NEP 18 handler, a function taking the same arguments.
Most rules hand NumPy the stored `(K, ...)` array once, rewritten so that the draw axis is one
more leading axis; `LoopOverDraws` and `InPlace` call the function once per draw instead.
`priorlab.samples.functions` says which function follows which rule.

Inside any rule, a Samples in an argument the rule does not vectorise falls back to the loop
over draws, so results are always the draw-by-draw ones: `f(S).samples[k] == f(S.samples[k])`.
Handlers resolve parameter positions once, when they are made, because they run on every call.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from priorlab.samples.array import Samples, align, contains_samples, per_draw_ndim, wrap
from priorlab.samples.axes import shift_axes, shift_axis
from priorlab.samples.calls import Handler, Parameters, per_draw, wrap_result

_KEYWORD_ONLY = 1 << 30  # the "position" of a keyword-only parameter: never among the positional args


class Rule(ABC):
    """How a family of NumPy functions runs on Samples."""

    @abstractmethod
    def handler(self, func: Callable) -> Handler:
        """The NEP 18 handler of NumPy's `func`: same arguments, the draw-by-draw result."""


class _Vectorised:
    """The arguments a rule vectorises, by position and name, to spot a Samples anywhere else."""

    def __init__(self, params: Parameters, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self.positions = frozenset(params.position[n] for n in self.names if n in params.position)

    def samples_elsewhere(self, args: Sequence[Any], kwargs: dict[str, Any]) -> bool:
        for i, a in enumerate(args):
            if i not in self.positions and contains_samples(a):
                return True
        return any(contains_samples(v) for name, v in kwargs.items() if name not in self.names)


@dataclass(frozen=True)
class Elementwise(Rule):
    """The named arguments broadcast together element by element, as the operands of a ufunc do.

    Samples among them get axes inserted after the draw axis, so that NumPy's own broadcasting
    lines their draws up: one vectorised call. `sequences` name arguments that hold a sequence of
    such arrays (the choices of `np.choose`, the lists of `np.select`).
    """

    arrays: tuple[str, ...] = ()
    sequences: tuple[str, ...] = ()

    def handler(self, func: Callable) -> Handler:
        params = Parameters(func)
        # in NumPy's parameter order, so that a draw-count error names the Samples in the order of the call
        names = sorted((*self.arrays, *self.sequences), key=lambda n: params.position.get(n, _KEYWORD_ONLY))
        sequences = frozenset(self.sequences)
        vectorised = _Vectorised(params, names)
        has_out = "out" in names

        def handler(*args: Any, **kwargs: Any) -> Any:
            if vectorised.samples_elsewhere(args, kwargs):
                return per_draw(func, args, kwargs)
            args = list(args)
            present = [n for n in names if params.given(args, kwargs, n)]
            values: list[Any] = []
            for name in present:
                value = params.get(args, kwargs, name)
                values.extend(value if name in sequences else [value])
            out = params.get(args, kwargs, "out") if has_out else None
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


@dataclass(frozen=True)
class PerDrawAxes(Rule):
    """One Samples array and axis arguments over its per-draw shape, shifted past the draw axis.

    `axis=None` is no axis here and reaches NumPy as it is; the subclasses below give it a
    meaning. `broadcast` names other arguments that may be Samples too (where=, out=,
    prepend=...), `array` the array argument where it is not the first, and `leading_shape_of`
    an argument whose shape leads NumPy's result (the q of `np.quantile`), so that the draw axis
    is moved back to the front.
    """

    axes: tuple[str, ...] = ("axis",)
    broadcast: tuple[str, ...] = ()
    array: str | None = None
    leading_shape_of: str | None = None

    def axis_for_none(
        self, raw: Any, ndim: int, params: Parameters, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> tuple[Any, Any] | None:
        """The stored array and the axis that stand for `axis=None`; None: NumPy decides draw by draw."""
        return raw, None

    def handler(self, func: Callable) -> Handler:
        params = Parameters(func)
        array_name = self.array or params.first
        array_position = params.position.get(array_name, _KEYWORD_ONLY)
        vectorised = _Vectorised(params, (array_name, *self.broadcast))
        axis_slots = [
            (n, params.position.get(n, _KEYWORD_ONLY), params.default.get(n, np._NoValue)) for n in self.axes
        ]
        broadcast = self.broadcast
        first_broadcast = min((params.position.get(n, _KEYWORD_ONLY) for n in broadcast), default=_KEYWORD_ONLY)
        leading_shape_of = self.leading_shape_of
        axis_for_none = self.axis_for_none
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
                    resolved = axis_for_none(raw, ndim, params, args, kwargs)
                    if resolved is None:
                        return per_draw(func, args, kwargs)
                    flattened = resolved[0] is not raw  # a Flattening rule reshaped the draws
                    raw, axis = resolved
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
            if leading_shape_of is not None:
                lead = np.ndim(params.get(args, kwargs, leading_shape_of))
                result = np.moveaxis(result, lead, 0) if lead else result
            elif flattened and kwargs.get("keepdims") is True:  # a flattened draw keeps all its axes
                result = result.reshape((result.shape[0],) + (1,) * ndim)
            return wrap_result(result)

        return handler


@dataclass(frozen=True)
class Reduction(PerDrawAxes):
    """`axis=None` means every per-draw axis; the draw axis is never reduced.

    Reductions and quantiles, and the few other functions whose None means every axis too
    (`flip`, `fftshift`, `sliding_window_view`).
    """

    def axis_for_none(
        self, raw: Any, ndim: int, params: Parameters, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> tuple[Any, Any]:
        return raw, tuple(range(1, ndim + 1))


@dataclass(frozen=True)
class Flattening(PerDrawAxes):
    """`axis=None` means the flattened draw (sort, cumsum, argmax...): each draw is flattened on its own."""

    def axis_for_none(
        self, raw: Any, ndim: int, params: Parameters, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> tuple[Any, int]:
        return raw.reshape((raw.shape[0], -1)), 1


@dataclass(frozen=True)
class Cumulative(PerDrawAxes):
    """The array API's `cumulative_sum`/`cumulative_prod`: `axis=None` is allowed for 1-D draws only.

    Any other draw goes to NumPy draw by draw, so that NumPy itself refuses it.
    """

    def axis_for_none(
        self, raw: Any, ndim: int, params: Parameters, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> tuple[Any, int] | None:
        return (raw, 1) if ndim == 1 else None


@dataclass(frozen=True)
class MultiAxisFFT(PerDrawAxes):
    """`fft2`, `fftn` and friends: `axes=None` means every per-draw axis, unless `s` is given.

    With `s` and no `axes`, NumPy's (deprecated) meaning depends on the draw, so it goes draw by draw.
    """

    def axis_for_none(
        self, raw: Any, ndim: int, params: Parameters, args: Sequence[Any], kwargs: dict[str, Any]
    ) -> tuple[Any, tuple[int, ...]] | None:
        s = params.get(args, kwargs, "s")
        return (raw, tuple(range(1, ndim + 1))) if s is None or s is np._NoValue else None


@dataclass(frozen=True)
class Stacked(Rule):
    """Functions that broadcast over leading axes already (stacked linear algebra, `tril`, `astype`...).

    The draw axis is one more stack axis, so the first argument's stored array goes to NumPy as
    it is. Draws with fewer than `min_ndim` dimensions (a vector for a matrix function) go draw
    by draw, where NumPy decides.
    """

    min_ndim: int = 0

    def handler(self, func: Callable) -> Handler:
        params = Parameters(func)
        vectorised = _Vectorised(params, (params.first,))
        min_ndim = self.min_ndim

        def handler(*args: Any, **kwargs: Any) -> Any:
            a = params.get(args, kwargs, params.first)
            if not isinstance(a, Samples) or a.ndim < min_ndim or vectorised.samples_elsewhere(args, kwargs):
                return per_draw(func, args, kwargs)
            args = list(args)
            params.set(args, kwargs, params.first, a.samples)
            return wrap_result(func(*args, **kwargs))

        return handler


@dataclass(frozen=True)
class NumpyImplementation(Rule):
    """Composites whose NumPy implementation calls only dispatched functions (`hstack`, `vsplit`...).

    That implementation runs on Samples unchanged: every call inside it dispatches again.
    """

    def handler(self, func: Callable) -> Handler:
        return func._implementation


@dataclass(frozen=True)
class LoopOverDraws(Rule):
    """The function is called on each draw in turn and the results are stacked.

    For what cannot broadcast over a draw axis: ragged or set-valued results (`unique`), 1-D-only
    inputs (`convolve`), a different computation per draw (`polyfit`), records. Slow, but exact;
    a result whose shape differs between draws is refused with the two shapes.
    """

    def handler(self, func: Callable) -> Handler:
        def handler(*args: Any, **kwargs: Any) -> Any:
            return per_draw(func, args, kwargs)

        return handler


@dataclass(frozen=True)
class InPlace(Rule):
    """Functions that write into an argument (`put`, `place`, `fill_diagonal`...), draw by draw.

    The written argument, at position `target`, must be Samples: a plain array cannot hold K draws.
    """

    target: int = 0

    def handler(self, func: Callable) -> Handler:
        target = self.target

        def handler(*args: Any, **kwargs: Any) -> Any:
            if not isinstance(args[target], Samples):
                raise TypeError(f"np.{func.__name__} writes into argument {target + 1}, which must be Samples here")
            return per_draw(func, args, kwargs)

        return handler


@dataclass(frozen=True)
class LikeCreation(Rule):
    """`zeros_like` and friends: a new array for every draw; a given `shape` is one draw's shape."""

    def handler(self, func: Callable) -> Handler:
        params = Parameters(func)
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


@dataclass(frozen=True)
class EvenlySpaced(Rule):
    """`linspace` and friends: the end points in `ends` may be Samples and broadcast together.

    `axis` places the new axis within one draw's shape.
    """

    ends: tuple[str, ...] = ("start", "stop")

    def handler(self, func: Callable) -> Handler:
        params = Parameters(func)
        ends = self.ends
        vectorised = _Vectorised(params, ends)

        def handler(*args: Any, **kwargs: Any) -> Any:
            if vectorised.samples_elsewhere(args, kwargs):
                return per_draw(func, args, kwargs)
            args = list(args)
            given = [n for n in ends if params.given(args, kwargs, n)]
            values = [params.get(args, kwargs, n) for n in given]
            raw, _ = align(values)
            for name, r in zip(given, raw, strict=True):
                params.set(args, kwargs, name, r)
            out_ndim = max(per_draw_ndim(v) for v in values) + 1
            params.set(args, kwargs, "axis", shift_axis(params.get(args, kwargs, "axis"), out_ndim))
            return wrap_result(func(*args, **kwargs))

        return handler


@dataclass(frozen=True)
class HandWritten(Rule):
    """A function with an override of its own in `priorlab.samples.handwritten`.

    The override is called with NumPy's arguments as they came, so its signature must accept at
    least NumPy's parameters (a test compares the two).
    """

    function: Handler

    def handler(self, func: Callable) -> Handler:
        return self.function
