"""`Ensemble.predict` and `predict_distribution` on Dask arrays and DataFrames: lazy, one row block at a time.

The fitted model enters the graph once, as one `dask.delayed` key holding its `predictor.Predictor` (a frozen
value of the fitted state, so a later refit cannot change what the graph computes), and every row block
depends on that key: a distributed scheduler sends the model to each worker once, and the worker's blocks
share it. Each block is predicted by the code that predicts a NumPy input; predictions are float64 and
row-independent, so the result equals the NumPy one. Errors found in a block (a NaN feature, a non-finite
prediction) are raised when the block is computed and name the row in the whole input.

Rows are chunked along axis 0 only: the feature axis is merged into one chunk, and the draw (member) axis of
the result is one chunk too, so summaries over the members are blockwise. A Dask array needs known row chunk
sizes (a result of unknown length cannot be a `Samples`); a Dask DataFrame is turned into one by computing
its partition lengths, the one pass over the data made before `.compute()`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from priorlab.distributed import DASK_HINT, is_dask_dataframe
from priorlab.priors.inputs import select_columns
from priorlab.priors.predictor import Predictor


def _dask_array() -> Any:
    try:
        import dask.array
    except ImportError as exc:  # only reached with a Dask collection in hand, but say what to install
        raise ImportError(DASK_HINT) from exc
    return dask.array


def row_blocks(predictor: Predictor, x: Any) -> Any:
    """`x` as a 2-D Dask array of known row chunks and a single feature chunk, its columns in fitted order."""
    state = predictor.state
    if is_dask_dataframe(x):
        frame = select_columns(x.to_frame() if x.ndim == 1 else x, state.feature_names, "x")
        x = frame.to_dask_array(lengths=True)
    if any(math.isnan(size) for size in x.chunks[0]):
        raise ValueError("x: a Dask array with unknown chunk sizes (rows of unknown count); call "
                         "x.compute_chunk_sizes() first, or give a Dask DataFrame")
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"x: expected shape (n,) or (n, d), got {x.shape}")
    if x.shape[1] != state.n_features_in:
        raise ValueError(f"x: expected {state.n_features_in} features (as in fit), got {x.shape[1]}")
    if x.shape[0] == 0:
        raise ValueError(f"x: empty data (shape {x.shape})")
    return x.rechunk({1: -1}) if len(x.chunks[1]) > 1 else x


def _map_rows(predictor: Predictor, x: Any, block: Callable[..., np.ndarray], head: tuple[int, ...],
              tail: tuple[int, ...]) -> Any:
    """The Dask array of `block(rows, model)` over the row blocks of `x`: shape head + (n,) + tail."""
    import dask

    da = _dask_array()
    rows = row_blocks(predictor, x)
    model = dask.delayed(predictor, pure=True)
    chunks = (*((size,) for size in head), rows.chunks[0], *((size,) for size in tail))
    new_axis = [*range(len(head)), *range(len(head) + 1, len(chunks))]
    return da.map_blocks(block, rows, model, chunks=chunks, drop_axis=1, new_axis=new_axis, dtype=np.float64,
                         meta=np.empty((0,) * len(chunks)))


def _first_row(block_info: dict) -> int:
    return block_info[0]["array-location"][0][0]


def _members_block(rows: np.ndarray, model: Predictor, block_info: dict | None = None) -> np.ndarray:
    return model.member_values(rows, first_row=_first_row(block_info))


def _mixture_block(rows: np.ndarray, model: Predictor, block_info: dict | None = None) -> np.ndarray:
    return np.stack(model.mixture_values(rows, first_row=_first_row(block_info)))


def _tail(predictor: Predictor) -> tuple[int, ...]:
    """The axes after the row axis: none for one squeezed regression target, else the outputs."""
    state = predictor.state
    return () if state.squeeze else (state.n_outputs,)


def member_values(predictor: Predictor, x: Any) -> Any:
    """`Predictor.member_values(x)`'s (K, n, ...) array, as a lazy Dask array whose member axis is one chunk."""
    return _map_rows(predictor, x, _members_block, (predictor.n_members,), _tail(predictor))


def mixture_values(predictor: Predictor, x: Any) -> tuple[Any, Any]:
    """`Predictor.mixture_values(x)`'s (K, n, ...) means and variances, as lazy Dask arrays computed together
    (one pass of the network per row block gives both)."""
    predictor.check_mixture()
    both = _map_rows(predictor, x, _mixture_block, (2, predictor.n_members), _tail(predictor))
    return both[0], both[1]
