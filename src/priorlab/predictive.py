"""Predictive distributions: what an ensemble of Gaussian members predicts at each point.

`GaussianMixture` is the uniform mixture of K Gaussians, the predictive distribution of an ensemble whose
members each predict a mean and a variance (`Ensemble(likelihood="gaussian").predict_distribution(x)`).
It holds, per point, the K component means and variances; every summary is computed exactly:

- `mean()` is the mean of the member means; `std()` the total standard deviation by the law of total
  variance, `var = mean_k(var_k) + var_k(mean_k)` (the member means' variance with ddof=0), split into
  `aleatoric_std()` = sqrt(mean_k var_k) (the noise the members predict) and `epistemic_std()` =
  std_k(mean_k) (their disagreement).
- `cdf`, `log_prob`, `quantile` and `interval` are those of `priorlab.mixture`, the array functions
  `priorlab.metrics` scores with: the CDF, a stable log-sum-exp density, and quantiles by bisection inside an
  exact bracket, within `QUANTILE_TOL` x the point's smallest component std of the exact value (no normal
  approximation).

Means and variances held as Dask arrays (`predict_distribution` of a Dask input) keep the mixture lazy:
the moments, `cdf`, `log_prob`, `quantile` and `interval` return Dask arrays, computed block of points by
block of points with the same functions (every point's result depends on that point alone, so they equal the
in-memory ones); `compute()` brings the components into memory, which `sample` needs.

The module needs NumPy and SciPy only (no torch), so scores and plots can use it on their own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from priorlab import mixture
from priorlab.distributed import is_dask_array
from priorlab.mixture import QUANTILE_TOL
from priorlab.samples import Samples

__all__ = ["QUANTILE_TOL", "GaussianMixture"]


def _check_probability(q: Any, name: str) -> np.ndarray:
    array = np.asarray(q, dtype=np.float64)
    if not np.all((array > 0) & (array < 1)):
        raise ValueError(f"{name}: expected probabilities strictly between 0 and 1, got {array.tolist()}")
    return array


def _valid_means(means: np.ndarray) -> np.ndarray:
    if not np.isfinite(means).all():
        raise ValueError("means: contains NaN or infinite values")
    return means


def _valid_variances(variances: np.ndarray) -> np.ndarray:
    if not (np.isfinite(variances).all() and (variances > 0).all()):
        raise ValueError("variances: every variance must be finite and > 0")
    return variances


class GaussianMixture:
    """The uniform mixture of K Gaussians at each point.

    What an ensemble of Gaussian members predicts, kept as its components so that every summary is
    exact (see the module docstring) rather than a normal approximation of the mixture. Methods
    return arrays of `shape`, the point shape (e.g. (n,) or (n, C)).

    Parameters
    ----------
    means : array_like or dask array, shape (K, *shape)
        Each component's mean at each point, the member axis first (as in `Samples`); finite.
    variances : array_like or dask array, shape (K, *shape)
        Each component's variance; finite and > 0. Dask arrays in either argument are kept lazy
        (their values are checked as their blocks are computed).

    Attributes
    ----------
    means, variances : ndarray or dask array, shape (K, *shape)
        The components as float64: read-only copies in memory, or lazy Dask arrays with the
        components in one chunk.
    n_components : int
        K, the number of components (ensemble members).
    shape : tuple of int
        The point shape, that of every summary.
    lazy : bool
        Whether the components are Dask arrays (summaries are then Dask arrays too).
    members : Samples
        The component means as `Samples`, the member axis as the draw axis.

    Raises
    ------
    ValueError
        If `means` has no component axis, `variances` has another shape, a mean is not finite or a
        variance is not finite and > 0 (for Dask arrays, when the block holding it is computed).

    Examples
    --------
    Two members disagreeing at the first point and agreeing at the second:

    >>> import numpy as np
    >>> from priorlab.predictive import GaussianMixture
    >>> mixture = GaussianMixture(means=[[0.0, 1.0], [2.0, 1.0]], variances=[[1.0, 0.25], [1.0, 0.25]])
    >>> mixture
    GaussianMixture(n_components=2, shape=(2,))
    >>> mixture.mean(), mixture.var()
    (array([1., 1.]), array([2.  , 0.25]))
    >>> mixture.epistemic_std(), mixture.aleatoric_std()
    (array([1., 0.]), array([1. , 0.5]))

    Where the members agree, the 90% interval is the one Gaussian's, 1 -+ 1.645 x 0.5:

    >>> lower, upper = mixture.interval(0.9)
    >>> np.round(lower, 4), np.round(upper, 4)
    (array([-1.2845,  0.1776]), array([3.2845, 1.8224]))
    >>> mixture.cdf(1.0)
    array([0.5, 0.5])
    >>> mixture.sample(1000, seed=0).shape
    (2,)
    """

    def __init__(self, means: Any, variances: Any):
        lazy = is_dask_array(means) or is_dask_array(variances)
        if lazy:
            import dask.array as da

            means, variances = da.asarray(means).astype(np.float64), da.asarray(variances).astype(np.float64)
        else:
            means = np.array(means, dtype=np.float64)  # copies: the mixture is read-only
            variances = np.array(variances, dtype=np.float64)
        if means.ndim < 1 or means.shape[0] < 1:
            raise ValueError(f"means: expected shape (K, ...) with K >= 1 components, got {means.shape}")
        if variances.shape != means.shape:
            raise ValueError(f"variances: expected the shape of means {means.shape}, got {variances.shape}")
        if lazy:  # the components in one chunk, so that every point's mixture lies in one block
            means = means.rechunk({0: -1}).map_blocks(_valid_means, dtype=np.float64)
            variances = variances.rechunk(means.chunks).map_blocks(_valid_variances, dtype=np.float64)
        else:
            _valid_means(means)
            _valid_variances(variances)
            means.flags.writeable = variances.flags.writeable = False
        self.means, self.variances = means, variances

    # --- description ----------------------------------------------------------------------------

    @property
    def n_components(self) -> int:
        """K, the number of mixture components (ensemble members)."""
        return self.means.shape[0]

    @property
    def shape(self) -> tuple[int, ...]:
        """The point shape: that of every summary."""
        return self.means.shape[1:]

    @property
    def lazy(self) -> bool:
        """Whether the components are Dask arrays (summaries are then Dask arrays too)."""
        return is_dask_array(self.means)

    def compute(self) -> GaussianMixture:
        """This mixture with its components in memory: a lazy one's means and variances are computed together
        (one pass over the row blocks); an in-memory one is returned as it is."""
        if not self.lazy:
            return self
        import dask

        return GaussianMixture(*dask.compute(self.means, self.variances))

    @property
    def members(self) -> Samples:
        """The component (member) means as `Samples`, the member axis as the draw axis."""
        return Samples(self.means)

    def __repr__(self) -> str:
        lazy = ", lazy dask arrays" if self.lazy else ""
        return f"GaussianMixture(n_components={self.n_components}, shape={self.shape}{lazy})"

    # --- moments --------------------------------------------------------------------------------

    def mean(self) -> np.ndarray:
        """The mixture mean: the mean of the component means."""
        return self.means.mean(axis=0)

    def var(self) -> np.ndarray:
        """The total variance, mean_k(var_k) + var_k(mean_k) (law of total variance)."""
        return self.variances.mean(axis=0) + self.means.var(axis=0)

    def std(self) -> np.ndarray:
        """The total standard deviation."""
        return np.sqrt(self.var())

    def epistemic_std(self) -> np.ndarray:
        """The spread of the member means (ddof=0): the members' disagreement."""
        return self.means.std(axis=0)

    def aleatoric_std(self) -> np.ndarray:
        """sqrt(mean_k var_k): the noise the members predict."""
        return np.sqrt(self.variances.mean(axis=0))

    # --- probabilities --------------------------------------------------------------------------

    def _flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Means and stds as (K, points): the layout of `priorlab.mixture`."""
        k = self.n_components
        return self.means.reshape(k, -1), np.sqrt(self.variances).reshape(k, -1)

    def _at_points(self, function: Callable[..., np.ndarray], y: Any = None, head: tuple[int, ...] = ()) -> Any:
        """`function([y,] means, stds)` of `priorlab.mixture` at every point, shape head + (points,): at once,
        or block of points by block of points for Dask components (`y` broadcast against `shape`)."""
        means, stds = self._flat()
        if not self.lazy:
            points = () if y is None else (np.broadcast_to(np.asarray(y, dtype=np.float64), self.shape).reshape(-1),)
            return function(*points, means, stds)
        import dask.array as da

        points = () if y is None else (da.broadcast_to(da.asarray(y, dtype=np.float64), self.shape).reshape(-1)
                                       .rechunk(means.chunks[1:]),)
        chunks = (*((size,) for size in head), means.chunks[1])
        return da.map_blocks(function, *points, means, stds, chunks=chunks, drop_axis=[] if head else [0],
                             dtype=np.float64, meta=np.empty((0,) * len(chunks)))

    def cdf(self, y: Any) -> np.ndarray:
        """P(Y <= y) at each point; `y` broadcasts against `shape`."""
        return self._at_points(mixture.cdf, y).reshape(self.shape)

    def log_prob(self, y: Any) -> np.ndarray:
        """The log density of the mixture at `y` (broadcast against `shape`), via log-sum-exp."""
        return self._at_points(mixture.log_prob, y).reshape(self.shape)

    def quantile(self, q: Any) -> np.ndarray:
        """The mixture's q-quantile(s), shape `np.shape(q) + shape`, within QUANTILE_TOL x the smallest
        component std of the exact value."""
        q = _check_probability(q, "q")
        flat = q.reshape(-1)
        return self._at_points(functools.partial(mixture.quantile, flat), head=flat.shape).reshape(q.shape + self.shape)

    def interval(self, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """The central interval holding `level` of the probability: the (1 -+ level)/2 quantiles."""
        level = float(_check_probability(level, "level"))
        tail = (1 - level) / 2
        lower, upper = self.quantile([tail, 1 - tail])
        return lower, upper

    # --- sampling -------------------------------------------------------------------------------

    def sample(self, n: int, seed: int | np.random.Generator = 0) -> Samples:
        """`n` independent draws at every point, as `Samples` of n draws (the same seed gives the same
        numbers): a uniformly chosen component, then a normal draw from it."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n: expected a number of draws >= 1, got {n!r}")
        if self.lazy:
            raise ValueError("sample: the mixture's components are Dask arrays; call .compute() first to bring "
                             "them into memory (draws index single components, which chunks cannot do lazily)")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        k, points = self.n_components, int(np.prod(self.shape, dtype=np.int64))
        chosen = rng.integers(k, size=(int(n), points))
        columns = np.arange(points)
        means = self.means.reshape(k, points)[chosen, columns]
        stds = np.sqrt(self.variances.reshape(k, points)[chosen, columns])
        draws = means + stds * rng.standard_normal((int(n), points))
        return Samples(draws.reshape((int(n), *self.shape)))
