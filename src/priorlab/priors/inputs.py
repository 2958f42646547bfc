"""What `Ensemble.fit` and `predict` accept: arrays, DataFrames, tensors and lists, checked into float64
matrices (every error names the argument and the first bad row), and targets encoded for the task."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import torch

CHECK_ROWS = 2**16
"""Rows converted to float32 at a time by `check_as_seen`."""


def as_float_array(value: Any, name: str, first_row: int = 0) -> np.ndarray:
    """numpy / pandas / torch / nested lists -> float64 ndarray, refusing non-numeric or non-finite data.
    `first_row`: the number messages give `value`'s first row (a block's offset in a larger input)."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if hasattr(value, "columns"):  # a DataFrame: one dtype per column
        kinds = [dtype.kind for dtype in value.dtypes]
    else:
        dtype = getattr(value, "dtype", None)
        kinds = [(dtype if dtype is not None else np.asarray(value).dtype).kind]
    if "b" in kinds:
        raise TypeError(f"{name}: expected numbers, got booleans (convert them with .astype(float) if meant)")
    try:  # C order: torch refuses the negative strides a DataFrame's columns can give
        array = np.asarray(value, dtype=np.float64, order="C")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected numeric data, got {type(value).__name__} ({exc})") from None
    if array.size == 0 or array.shape[0] == 0:
        raise ValueError(f"{name}: empty data (shape {array.shape})")
    bad = ~np.isfinite(array)
    if bad.any():
        row = first_row + int(np.argwhere(bad)[0][0])
        raise ValueError(f"{name}: contains NaN or infinite values (first at row {row})")
    return array


def column_names(x: Any, name: str) -> tuple[str, ...] | None:
    """A DataFrame's column names (duplicates refused); None for inputs without named columns."""
    if not hasattr(x, "columns"):
        return None
    names = tuple(str(c) for c in x.columns)
    duplicated = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if duplicated is not None:
        raise ValueError(f"{name}: duplicate column {duplicated!r}")
    return names


def target_names(y: Any) -> tuple[str, ...] | None:
    """The names of regression targets, for messages: a DataFrame's columns or a named Series' name."""
    if hasattr(y, "columns"):
        return column_names(y, "y")
    label = getattr(y, "name", None) if hasattr(y, "to_numpy") else None
    return None if label is None else (str(label),)


def select_columns(x: Any, fitted: Sequence[str] | None, name: str) -> Any:
    """A DataFrame's columns in the fitted order, picked by name (extra columns are ignored), so that
    reordered columns cannot silently give wrong predictions; other inputs are taken by position."""
    names = column_names(x, name)
    if names is None or fitted is None or names == tuple(fitted):
        return x
    missing = [n for n in fitted if n not in names]
    if missing:
        raise ValueError(f"{name}: missing feature columns {missing} (fitted on {list(fitted)}, got {list(names)})")
    return x.iloc[:, [names.index(n) for n in fitted]]


def as_matrix(x: Any, name: str, n_features: int | None = None, first_row: int = 0) -> np.ndarray:
    """Inputs as a float64 (n, d) array: shape (n,) is one feature; `n_features` is the count fit saw;
    `first_row` as in `as_float_array`."""
    array = as_float_array(x, name, first_row)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{name}: expected shape (n,) or (n, d), got {array.shape}")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(f"{name}: expected {n_features} features (as in fit), got {array.shape[1]}")
    return array


class Targets(NamedTuple):
    """Targets as the loss reads them."""

    values: np.ndarray  # (n, C) float64 regression targets, or (n,) class indices
    width: int  # network outputs: C targets, or the number of classes
    classes: np.ndarray | None  # class labels in output order (classification)
    squeeze: bool  # regression y of shape (n,) or (n, 1): predictions drop the output axis


def encode_targets(y: Any, task: str, n: int) -> Targets:
    """Regression targets as an (n, C) matrix, or class labels as indices into their sorted unique values."""
    if task == "classification":
        labels = np.asarray(y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else y)
        if labels.ndim != 1 and not (labels.ndim == 2 and labels.shape[1] == 1):
            raise ValueError(f"y: expected class labels of shape (n,), got {labels.shape}")
        labels = labels.reshape(-1)
        if labels.size == 0:
            raise ValueError("y: empty data")
        if labels.dtype.kind == "f" and not np.isfinite(labels).all():
            raise ValueError("y: contains NaN or infinite values")
        classes, encoded = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y: classification needs at least 2 classes, got {len(classes)}")
        targets = Targets(encoded, len(classes), classes, False)
    else:
        array = as_float_array(y, "y")
        if array.ndim > 2:
            raise ValueError(f"y: expected shape (n,) or (n, m), got {array.shape}")
        squeeze = array.ndim == 1 or array.shape[1] == 1
        array = array.reshape(array.shape[0], -1)
        targets = Targets(array, array.shape[1], None, squeeze)
    if targets.values.shape[0] != n:
        raise ValueError(f"x and y: different lengths ({n} rows in x, {targets.values.shape[0]} in y)")
    return targets


def training_tensor(array: np.ndarray, device: torch.device | str) -> torch.Tensor:
    """Training inputs on `device`: on the CPU the float64 array itself, shared, not copied (training only reads
    it and converts each batch to float32); elsewhere a float32 copy, half the device memory."""
    if torch.device(device).type != "cpu":
        return torch.tensor(array, dtype=torch.float32, device=device)
    with warnings.catch_warnings():  # a read-only array (pandas' copy-on-write) is fine: nothing writes to it
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.as_tensor(array)


def check_as_seen(values: torch.Tensor, name: str, columns: Sequence[str] | None = None) -> None:
    """Refuse values that stop being finite as the network sees them (float32, after standardisation):
    1e39 is a fine float64 but infinite in float32, so the check converts, block of rows by block of rows
    (float64 training data is not copied whole)."""
    for start in range(0, values.shape[0], CHECK_ROWS):
        block = values[start:start + CHECK_ROWS].to(torch.float32)
        if bool(torch.isfinite(block).all()):
            continue
        flat = (~torch.isfinite(block)).reshape(block.shape[0], -1)
        row, column = (int(i) for i in torch.nonzero(flat)[0])
        where = f"column {columns[column]!r}, " if columns is not None else ""
        where += f"column {column}, " if columns is None and flat.shape[1] > 1 else ""
        raise ValueError(f"{name}: {where}row {start + row}: too large for the network, which computes in "
                         f"float32 (largest magnitude {np.finfo(np.float32).max:.3g}); rescale the column")
