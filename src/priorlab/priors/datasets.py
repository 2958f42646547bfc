"""The tables of the CLI: reading a training table, checking feature columns, the prediction columns;
`osband_1d` (now in `priorlab.datasets`) is re-exported."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from priorlab import tables
from priorlab.datasets.toy import osband_1d
from priorlab.predictive import GaussianMixture
from priorlab.samples import Samples

__all__ = ["SUMMARY_COLUMNS", "Table", "feature_matrix", "osband_1d", "prediction_columns", "prediction_names",
           "read_table"]

SUMMARY_COLUMNS = ("mean", "std", "lower", "upper")
"""The columns `priorlab predict` adds to every row, before the optional member_0..member_{K-1}."""


@dataclass
class Table:
    """A table read for modelling: its numeric feature matrix (and target)."""

    features: list[str]
    x: np.ndarray
    y: np.ndarray | None


def _numeric_column(frame: pd.DataFrame, column: str, path: Path, first_row: int = 0) -> np.ndarray:
    """`frame[column]` as float64; `first_row` is the frame's first row in the file (counted from 0), so that
    a chunk's errors name the row (and CSV line) in the whole file."""
    values = pd.to_numeric(frame[column], errors="coerce")
    problems = (("is not numeric", values.isna() & frame[column].notna()),
                ("has an infinite value", np.isinf(values)),
                ("has a missing value", values.isna()))
    for problem, bad in problems:
        if bad.any():
            index = int(np.flatnonzero(bad.to_numpy())[0])
            row = first_row + index
            cell = f": {frame[column].iloc[index]!r}" if problem == "is not numeric" else ""
            line = "" if tables.is_parquet(path) else f" line {tables.line_numbers(path, [row])[0]}:"
            raise ValueError(f"{path}:{line} column {column!r} {problem} (row {row + 1}{cell})")
    return values.to_numpy(dtype=np.float64)


def feature_matrix(frame: pd.DataFrame, features: Sequence[str], path: Path, first_row: int = 0) -> np.ndarray:
    """The (n, d) float64 matrix of `frame`'s feature columns; errors as in `_numeric_column`."""
    return np.column_stack([_numeric_column(frame, name, path, first_row) for name in features])


def read_table(path: str | Path, *, target: str | None = None, features: Sequence[str] | None = None) -> Table:
    """Read a CSV or Parquet table; features default to every column but the target.

    The file is read by `priorlab.tables` (repeated header names, ragged rows and encodings are refused
    there); errors name the file, column and row (and a CSV file's line)."""
    frame = tables.read_table(path)
    path = Path(path)
    if frame.empty:
        raise ValueError(f"{path}: no data rows")
    columns = [str(c) for c in frame.columns]
    if target is not None:
        tables.check_columns(path, [target], columns, role="target column")
    names = [c for c in columns if c != target] if features is None else list(features)
    if not names:
        raise ValueError(f"{path}: no feature columns")
    for position, name in enumerate(names):
        tables.check_columns(path, [name], columns, role="feature column")
        if name == target:
            raise ValueError(f"{path}: feature column {name!r} is the target; a model cannot be given what it predicts")
        if name in names[:position]:
            raise ValueError(f"{path}: feature column {name!r} is listed twice")
    x = feature_matrix(frame, names, path)
    y = None if target is None else _numeric_column(frame, target, path)
    return Table([str(n) for n in names], x, y)


def prediction_names(n_members: int, members: bool) -> list[str]:
    """The columns `prediction_columns` gives, in order."""
    return [*SUMMARY_COLUMNS, *(f"member_{k}" for k in range(n_members) if members)]


def prediction_columns(predictions: Samples | GaussianMixture, *, level: float = 0.9,
                       members: bool = False) -> dict[str, np.ndarray]:
    """The columns of `priorlab predict` for one prediction per row: mean, std, lower, upper (the central
    interval at `level`) and, if asked, member_0..member_{K-1}.

    `predictions`: the members' predictions (`Samples`: the summaries are over the members), or the
    predictive mixture of a Gaussian ensemble (the summaries are the mixture's: total std and exact
    quantiles; the member columns are the member means)."""
    if not 0 < level < 1:
        raise ValueError(f"level: expected a probability in (0, 1), got {level}")
    samples = predictions.members if isinstance(predictions, GaussianMixture) else predictions
    draws = np.asarray(samples.samples)
    if draws.ndim != 2:
        raise ValueError(f"predictions: expected one value per row and member, shape (K, n), got {draws.shape}")
    lower, upper = predictions.interval(level)
    values = [predictions.mean(), predictions.std(), lower, upper, *(draws if members else ())]
    return dict(zip(prediction_names(draws.shape[0], members), values, strict=True))
