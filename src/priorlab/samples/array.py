"""`Samples`: K aligned draws of an array, a NumPy duck array (NEP 13 ufuncs, NEP 18 functions).

The draws live in one stored array of shape `(K, *shape)`; every operation is applied to
all draws at once by giving the per-draw operation a leading draw axis, so correlations
between quantities computed from the same draws survive (`S - S` is exactly zero).

Two kinds of reductions exist and are kept apart on purpose:

- *summaries* (`S.mean()`, `S.std()`, `S.quantile(q)`, ...) reduce over the draws and
  return plain arrays (NumPy scalars for a 0-d draw): they end the uncertainty computation;
- *per-draw reductions* (`np.mean(S, axis=0)`, `np.sum(S)`, ...) go through NumPy's
  dispatch and return `Samples`: uncertainty keeps flowing. Their `axis` refers to the
  per-draw shape, never to the draw axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from priorlab.distributed import is_dask_array
from priorlab.samples.axes import shift_axis

#: NumPy function -> implementation taking the same arguments; filled by `priorlab.samples.functions`.
FUNCTION_HANDLERS: dict[Callable, Callable] = {}
#: NumPy function -> why it has no draw-by-draw meaning; filled by `priorlab.samples.functions`.
UNSUPPORTED_FUNCTIONS: dict[Callable, str] = {}
#: ufunc method ('__call__', 'reduce', ..., 'gufunc') -> implementation; filled by `priorlab.samples.ufuncs`.
UFUNC_METHODS: dict[str, Callable[[np.ufunc, tuple[Any, ...], dict[str, Any]], Any]] = {}

CONVERSION_HINT = (
    "use .mean() (or .median(), .quantile(q), .interval(level)) for a summary over the draws, "
    "or .samples for the raw (draws, ...) array"
)
_PLAIN_SCALARS = frozenset({int, float, complex, bool, np.float64, np.float32, np.int64, np.bool_})


def _is_torch_tensor(x: Any) -> bool:
    return type(x).__module__.split(".", 1)[0] == "torch"


class Samples(NDArrayOperatorsMixin):
    """K aligned draws of an array; NumPy code applied to it runs draw by draw.

    Quantities computed from the same draws stay aligned, so their correlations survive: `S - S`
    is exactly zero, where subtracting two independent uncertainties would not be. Summaries over
    the draws end the computation; per-draw reductions keep it going (see the module docstring).

    Parameters
    ----------
    data : array_like or dask array, shape (K, *shape)
        The draws, the draw axis first. A NumPy array (or anything `np.asarray` accepts) is
        stored as an ndarray (not copied when it already is one), a Dask array stays a Dask
        array (and lazy), a `Samples` shares its stored array. Torch tensors must go through
        `Samples.from_torch`, so that a device copy is never implicit.

    Attributes
    ----------
    samples : ndarray or dask array
        The stored `(K, *shape)` array (not a copy): draw k is `samples[k]`.
    n_draws : int
        K, the number of draws.
    shape, ndim, dtype, size
        Those of one draw, as for an ndarray of that draw.

    Raises
    ------
    TypeError
        If `data` is a torch tensor.
    ValueError
        If `data` has no draw axis (0-d) or no draws.

    Examples
    --------
    Three draws of a pair of quantities:

    >>> import numpy as np
    >>> from priorlab.samples import Samples
    >>> s = Samples([[1.0, 2.0], [3.0, 4.0], [5.0, 9.0]])
    >>> s.shape, s.n_draws
    ((2,), 3)
    >>> s.mean(), s.interval(0.5)
    (array([3., 5.]), (array([2., 3.]), array([4. , 6.5])))

    Operations apply draw by draw, so the difference keeps the draws' pairing:

    >>> gap = s[1] - s[0]
    >>> gap.samples
    array([1., 1., 4.])
    >>> float(gap.mean()), float((s - s).std().max())
    (2.0, 0.0)
    >>> np.sum(s).samples  # a per-draw reduction: still Samples
    array([ 3.,  7., 14.])

    Turning the draws into one plain array must be asked for:

    >>> np.asarray(s)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: Samples cannot become a plain ndarray implicitly: use .mean() ... or .samples for the raw ...
    """

    __slots__ = ("_samples",)
    __hash__ = None  # mutable, like ndarray

    def __init__(self, data: Any) -> None:
        if isinstance(data, Samples):
            data = data._samples
        elif _is_torch_tensor(data):
            raise TypeError("data is a torch tensor: convert it explicitly with Samples.from_torch(tensor)")
        elif not is_dask_array(data):
            data = np.asarray(data)
        if data.ndim == 0:
            raise ValueError("data must have a leading draw axis, shape (draws, ...); got a 0-d array")
        if data.shape[0] == 0:
            raise ValueError(f"data must hold at least one draw; got shape {tuple(data.shape)}")
        self._samples = data

    @classmethod
    def from_torch(cls, tensor: Any) -> Samples:
        """Samples from a torch tensor with the draw axis first (detached, copied to CPU memory)."""
        if not _is_torch_tensor(tensor):
            raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
        return cls(tensor.detach().cpu().numpy())

    # --- description of one draw -------------------------------------------------------------

    @property
    def samples(self) -> Any:
        """The stored `(K, *shape)` array (not a copy): draw k is `samples[k]`."""
        return self._samples

    @property
    def n_draws(self) -> int:
        """K, the number of draws."""
        return self._samples.shape[0]

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of one draw."""
        return tuple(self._samples.shape[1:])

    @property
    def ndim(self) -> int:
        """Number of dimensions of one draw."""
        return self._samples.ndim - 1

    @property
    def dtype(self) -> np.dtype:
        return self._samples.dtype

    @property
    def size(self) -> int:
        """Number of elements of one draw."""
        return math.prod(self._samples.shape[1:])

    # --- summaries over the draws: plain arrays out -----------------------------------------

    def mean(self) -> Any:
        """Mean over the draws (a plain array). For a per-draw mean use `np.mean(S, axis=...)`."""
        return self._samples.mean(axis=0)

    def std(self, ddof: int = 0) -> Any:
        """Standard deviation over the draws (a plain array); `ddof` as in `np.std`."""
        return self._samples.std(axis=0, ddof=ddof)

    def var(self, ddof: int = 0) -> Any:
        """Variance over the draws (a plain array); `ddof` as in `np.var`."""
        return self._samples.var(axis=0, ddof=ddof)

    def median(self) -> Any:
        """Median over the draws (a plain array)."""
        return np.median(self._samples, axis=0)

    def quantile(self, q: Any, method: str = "linear") -> Any:
        """Quantile(s) `q` over the draws: shape `np.shape(q) + self.shape`, as `np.quantile`."""
        q_array = np.asarray(q)
        if np.any((q_array < 0) | (q_array > 1)):
            raise ValueError(f"q must lie in [0, 1], got {q_array.tolist()}")
        if is_dask_array(self._samples):
            return _dask_quantile(self._samples, q_array, method)
        return np.quantile(self._samples, q, axis=0, method=method)

    def interval(self, level: float = 0.9) -> tuple[Any, Any]:
        """The central interval holding `level` of the draws: (lower, upper) quantiles."""
        if not 0 < level < 1:
            raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
        tail = (1 - level) / 2
        lower, upper = self.quantile([tail, 1 - tail])
        return lower, upper

    def cov(self, ddof: int = 1) -> np.ndarray:
        """Covariance between the elements of a 1-D Samples, estimated across draws: (n, n)."""
        return np.cov(self._as_1d_variables("cov"), rowvar=False, ddof=ddof)

    def corrcoef(self) -> np.ndarray:
        """Correlation between the elements of a 1-D Samples, estimated across draws: (n, n)."""
        return np.corrcoef(self._as_1d_variables("corrcoef"), rowvar=False)

    def _as_1d_variables(self, name: str) -> Any:
        if self.ndim != 1:
            raise ValueError(f"{name} needs 1-D Samples (one variable per element); got per-draw shape {self.shape}")
        return self._samples

    def hist(
        self, bins: int | Sequence[float] = 10, range: tuple[float, float] | None = None, density: bool = False
    ) -> Histogram:
        """Histogram of the draws of every element on common bin edges, ready for plotting.

        `counts` has shape `(len(edges) - 1, *self.shape)`, so `counts[:, i]` is element
        i's histogram; `bins`, `range` and `density` mean what they mean in `np.histogram`.
        """
        draws = np.asarray(self._samples) if is_dask_array(self._samples) else self._samples
        edges = np.histogram_bin_edges(draws, bins=bins, range=range)
        n_bins = len(edges) - 1
        index = np.searchsorted(edges, draws, side="right") - 1
        index[draws == edges[-1]] = n_bins - 1  # the last bin is closed, as in np.histogram
        inside = (index >= 0) & (index < n_bins)
        counts = np.stack([((index == b) & inside).sum(axis=0) for b in np.arange(n_bins)])
        if density:
            widths = np.diff(edges).reshape((n_bins,) + (1,) * self.ndim)
            counts = counts / (counts.sum(axis=0) * widths)
        return Histogram(counts=counts, edges=edges)

    # --- array protocol ------------------------------------------------------------------------

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(f"Samples cannot become a plain ndarray implicitly: {CONVERSION_HINT}")

    def _refuse_scalar(self) -> Any:
        raise TypeError(f"Samples has no single value (it varies across draws): {CONVERSION_HINT}")

    __bool__ = __float__ = __int__ = __complex__ = __index__ = _refuse_scalar

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of 0-d Samples: one draw is a scalar")
        return self._samples.shape[1]

    def __iter__(self) -> Iterator[Samples]:
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, key: Any) -> Samples:
        if _is_field_key(key):  # fields of structured draws: the axes are untouched
            return wrap(self._samples[key])
        if contains_samples(key):
            keys = _key_per_draw(key, self.n_draws)
            return stack_draws([draw[k] for draw, k in zip(self._samples, keys, strict=True)])
        full_key, draw_axis = _draw_key(key)
        result = self._samples[full_key]
        return wrap(result if draw_axis == 0 else np.moveaxis(result, draw_axis, 0))

    def __setitem__(self, key: Any, value: Any) -> None:
        if _is_field_key(key):
            if isinstance(value, Samples):
                check_draws(self.n_draws, value.n_draws)
                value = expand(value._samples, self.ndim)
            self._samples[key] = value
            return
        if contains_samples(key):
            values = _value_per_draw(value, self.n_draws)
            for draw, k, v in zip(self._samples, _key_per_draw(key, self.n_draws), values, strict=True):
                draw[k] = v
            return
        full_key, draw_axis = _draw_key(key)
        if isinstance(value, Samples):
            check_draws(self.n_draws, value.n_draws)
            target_ndim = len(np.broadcast_to(np.empty((), bool), self._samples.shape)[full_key].shape) - 1
            value = expand(value._samples, target_ndim)
            if draw_axis:
                value = np.moveaxis(value, 0, draw_axis)
        self._samples[full_key] = value

    def reshape(self, *shape: Any) -> Samples:
        """Reshape every draw; `S.reshape(2, 3)` and `S.reshape((2, 3))` both work, -1 included."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return wrap(self._samples.reshape((self.n_draws, *shape)))

    def transpose(self, *axes: Any) -> Samples:
        """Permute the axes of every draw (reversed when no `axes` are given)."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(range(self.ndim - 1, -1, -1))
        if len(axes) != self.ndim:
            raise ValueError(f"axes must list the {self.ndim} per-draw axes once each, got {axes}")
        return wrap(self._samples.transpose((0, *(shift_axis(a, self.ndim, "axes") for a in axes))))

    @property
    def T(self) -> Samples:
        """Every draw transposed."""
        return self.transpose()

    def astype(self, dtype: Any, copy: bool = True) -> Samples:
        return wrap(self._samples.astype(dtype, copy=copy))

    def copy(self) -> Samples:
        return wrap(self._samples.copy())

    def __reduce__(self) -> tuple[type, tuple[Any]]:
        return (Samples, (self._samples,))

    def __repr__(self) -> str:
        head = f"shape={self.shape}, draws={self.n_draws}, dtype={self.dtype}"
        if is_dask_array(self._samples):
            return f"Samples({head}, lazy dask array)"
        if self.dtype.kind not in "biufc":
            return f"Samples({head})"
        mean, std = self.mean(), self.std()
        if self.ndim == 0:
            return f"Samples({_format(mean)} ± {_format(std)}, draws={self.n_draws}, dtype={self.dtype})"
        options = {"threshold": 8, "edgeitems": 2, "precision": 4, "separator": ", "}
        mean_text = np.array2string(np.asarray(mean), prefix="  mean=", **options)
        std_text = np.array2string(np.asarray(std), prefix="  std= ", **options)
        return f"Samples({head},\n  mean={mean_text},\n  std= {std_text})"

    # --- NumPy dispatch --------------------------------------------------------------------------

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "__call__" and ufunc.signature is None and not kwargs:  # the hot path: S + 1, np.exp(S)
            return wrap_outputs(ufunc(*_align_fast(inputs)), ufunc.nout)
        return UFUNC_METHODS[method if ufunc.signature is None else "gufunc"](ufunc, inputs, kwargs)

    def __array_function__(self, func: Callable, types: Any, args: Any, kwargs: Any) -> Any:
        handler = FUNCTION_HANDLERS.get(func)
        if handler is None:
            reason = UNSUPPORTED_FUNCTIONS.get(func)
            if reason is not None:
                raise TypeError(f"np.{func.__name__} does not support Samples: {reason}")
            return NotImplemented
        for t in types:
            if not (issubclass(t, (Samples, np.ndarray)) or t.__module__.startswith("dask.array")):
                return NotImplemented
        return handler(*args, **kwargs)


@dataclass(frozen=True)
class Histogram:
    """Histogram data of a `Samples` on common bin edges (see `Samples.hist`)."""

    counts: np.ndarray
    edges: np.ndarray


# --- helpers shared with `priorlab.samples.functions` -------------------------------------------

_new = object.__new__


def wrap(array: Any) -> Samples:
    """A Samples around a `(K, ...)` array, skipping validation (the hot path of every result)."""
    result = _new(Samples)
    result._samples = array
    return result


def wrap_outputs(result: Any, nout: int) -> Any:
    """Samples around each output of a ufunc (`nout` of them)."""
    if nout == 1:
        wrapped = _new(Samples)
        wrapped._samples = result
        return wrapped
    return tuple(wrap(r) for r in result)


def _align_fast(inputs: tuple[Any, ...]) -> Sequence[Any]:
    """`align` for the common ufunc calls (S op scalar, S op S of equal ndim, f(S)) without its loops."""
    if len(inputs) == 1:
        return (inputs[0]._samples,)
    if len(inputs) == 2:
        a, b = inputs
        if type(a) is Samples:
            if type(b) in _PLAIN_SCALARS:
                return a._samples, b
            if type(b) is Samples and a._samples.ndim == b._samples.ndim and a._samples.shape[0] == b._samples.shape[0]:
                return a._samples, b._samples
        elif type(b) is Samples and type(a) in _PLAIN_SCALARS:
            return a, b._samples
    return align(inputs)[0]


def check_draws(expected: int | None, found: int) -> None:
    if expected is not None and found != expected:
        raise ValueError(
            f"cannot combine Samples with {expected} draws and Samples with {found} draws: "
            "all Samples in one operation need the same number of draws"
        )


def per_draw_ndim(x: Any) -> int:
    """The ndim of one draw of `x`: a Samples' per-draw ndim, a plain value's own ndim."""
    if isinstance(x, Samples):
        return x._samples.ndim - 1
    return 0 if type(x) in _PLAIN_SCALARS else np.ndim(x)


def expand(samples: Any, ndim: int) -> Any:
    """Insert axes after the draw axis so one draw has `ndim` dimensions (NumPy's broadcasting)."""
    missing = ndim - (samples.ndim - 1)
    return samples[(slice(None),) + (None,) * missing] if missing > 0 else samples


def align(values: Sequence[Any]) -> tuple[list[Any], int | None]:
    """Raw arrays for `values` that broadcast like their draws do, and the common draw count.

    Samples become their `(K, ...)` arrays with axes inserted after the draw axis up to the
    largest per-draw ndim among `values`; plain values already broadcast from the right.
    """
    n_draws = None
    ndim = 0
    for x in values:
        if isinstance(x, Samples):
            if n_draws is None:
                n_draws = x._samples.shape[0]
            elif x._samples.shape[0] != n_draws:
                check_draws(n_draws, x._samples.shape[0])
            nd = x._samples.ndim - 1
        else:
            nd = 0 if type(x) in _PLAIN_SCALARS else np.ndim(x)
        if nd > ndim:
            ndim = nd
    return [expand(x._samples, ndim) if isinstance(x, Samples) else x for x in values], n_draws


def full_draws(x: Any, n_draws: int) -> Any:
    """The `(K, ...)` array of `x`: a Samples' own, a plain value repeated (read-only view) K times."""
    if isinstance(x, Samples):
        check_draws(n_draws, x.n_draws)
        return x._samples
    if is_dask_array(x):
        import dask.array as da

        return da.broadcast_to(x, (n_draws, *x.shape))
    x = np.asarray(x)
    return np.broadcast_to(x, (n_draws, *x.shape))


def draw_of(value: Any, k: int) -> Any:
    """Draw `k` of `value`, looking inside tuples and lists; plain values unchanged."""
    if isinstance(value, Samples):
        return value._samples[k]
    if isinstance(value, (tuple, list)) and contains_samples(value):
        parts = [draw_of(v, k) for v in value]
        return type(value)(*parts) if hasattr(value, "_fields") else type(value)(parts)
    return value


def _key_per_draw(key: Any, n_draws: int) -> list[Any]:
    return [draw_of(key, k) for k in range(n_draws)]


def _value_per_draw(value: Any, n_draws: int) -> list[Any]:
    if isinstance(value, Samples):
        check_draws(n_draws, value.n_draws)
    return [draw_of(value, k) for k in range(n_draws)]


def contains_samples(value: Any) -> bool:
    if isinstance(value, Samples):
        return True
    if isinstance(value, (tuple, list)):
        return any(contains_samples(v) for v in value)
    if isinstance(value, dict):
        return any(contains_samples(v) for v in value.values())
    return False


def draw_count(values: Iterable[Any]) -> int:
    """The common number of draws of the Samples in `values` (looking inside tuples, lists, dicts)."""
    counts: set[int] = set()
    stack = list(values)
    while stack:
        v = stack.pop()
        if isinstance(v, Samples):
            counts.add(v.n_draws)
        elif isinstance(v, (tuple, list)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    if not counts:
        raise TypeError("expected at least one Samples operand")
    if len(counts) > 1:
        check_draws(*sorted(counts)[:2])
    return counts.pop()


def stack_draws(results: list[Any]) -> Any:
    """Samples from per-draw results (single arrays, tuples, lists; None for in-place calls)."""
    first = results[0]
    if first is None:
        return None
    if isinstance(first, (tuple, list)):
        parts = [stack_draws([r[i] for r in results]) for i in range(len(first))]
        return type(first)(*parts) if hasattr(first, "_fields") else type(first)(parts)
    if is_dask_array(first) and not any(np.isnan(r.shape).any() for r in results):  # stays lazy
        import dask.array as da

        return wrap(da.stack(results))
    if isinstance(first, np.ma.MaskedArray):  # keep the masks (recfunctions return masked records)
        return wrap(np.ma.stack(results))
    results = [np.asarray(r) for r in results]
    shapes = {r.shape for r in results}
    if len(shapes) > 1:
        raise ValueError(
            f"the result differs in shape between draws (e.g. {sorted(shapes)[:2]}), so it cannot be one Samples"
        )
    return wrap(np.stack(results))


def _is_field_key(key: Any) -> bool:
    """Whether `key` names fields of a structured dtype ('a' or ['a', 'b'])."""
    return isinstance(key, str) or (isinstance(key, list) and bool(key) and all(isinstance(k, str) for k in key))


def _is_advanced_index(k: Any) -> bool:
    return isinstance(k, (np.ndarray, list)) or (hasattr(k, "__array__") and np.ndim(k) > 0)


def _draw_key(key: Any) -> tuple[tuple[Any, ...], int]:
    """The index of the stored array for per-draw `key`, and where the draw axis lands.

    NumPy moves the broadcast axes of non-adjacent advanced indices to the front; the draw
    axis then follows them and must be moved back.
    """
    if type(key) is not tuple:
        return (slice(None), key), 0
    full_key = (slice(None), *key)
    if len(key) < 2:
        return full_key, 0
    advanced = [i for i, k in enumerate(key) if _is_advanced_index(k)]
    if not advanced:
        return full_key, 0
    advanced = [i for i, k in enumerate(key) if i in advanced or isinstance(k, (int, np.integer))]
    if advanced[-1] - advanced[0] + 1 == len(advanced):
        return full_key, 0
    shapes = [
        np.shape(np.nonzero(k)[0]) if np.asarray(k).dtype == bool else np.shape(k) for k in (key[i] for i in advanced)
    ]
    return full_key, len(np.broadcast_shapes(*shapes))


def _format(value: Any) -> str:
    return (
        np.format_float_positional(value, precision=4, unique=True, trim="-")
        if np.isrealobj(value)
        else str(np.round(value, 4))
    )


def _dask_quantile(samples: Any, q: np.ndarray, method: str) -> Any:
    """Quantiles over the draw axis of a Dask array, lazily (Dask's own percentile is 1-D only)."""
    import dask.array as da

    whole_draws = samples.rechunk({0: -1})
    parts = [
        whole_draws.map_blocks(_block_quantile, qi, method, drop_axis=0, dtype=np.result_type(samples.dtype, float))
        for qi in q.ravel()
    ]
    stacked = da.stack(parts)
    return stacked.reshape(q.shape + stacked.shape[1:])


def _block_quantile(block: np.ndarray, q: float, method: str) -> np.ndarray:
    return np.quantile(block, q, axis=0, method=method)
