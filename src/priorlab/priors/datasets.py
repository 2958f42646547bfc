"""The CSV reading and writing used by the CLI; `osband_1d` (now in `priorlab.datasets`) is re-exported."""

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

__all__ = ["Table", "osband_1d", "read_table", "with_predictions"]


@dataclass
class Table:
    """A CSV read for modelling: the whole frame plus its numeric feature matrix (and target)."""

    frame: pd.DataFrame
    features: list[str]
    x: np.ndarray
    y: np.ndarray | None


def _numeric_column(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    problems = (("is not numeric", values.isna() & frame[column].notna()),
                ("has an infinite value", np.isinf(values)),
                ("has a missing value", values.isna()))
    for problem, bad in problems:
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            cell = f": {frame[column].iloc[row]!r}" if problem == "is not numeric" else ""
            raise ValueError(f"{path}: column {column!r} {problem} (row {row + 1}{cell})")
    return values.to_numpy(dtype=np.float64)


def read_table(path: str | Path, *, target: str | None = None, features: Sequence[str] | None = None) -> Table:
    """Read a CSV or Parquet table; features default to every column but the target.

    The file is read by `priorlab.tables` (repeated header names, ragged rows and encodings are refused
    there); errors name the file, column and row."""
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
    x = np.column_stack([_numeric_column(frame, name, path) for name in names])
    y = None if target is None else _numeric_column(frame, target, path)
    return Table(frame, [str(n) for n in names], x, y)


def with_predictions(frame: pd.DataFrame, predictions: Samples | GaussianMixture, *, level: float = 0.9,
                     members: bool = False) -> pd.DataFrame:
    """`frame` plus the columns mean, std, lower, upper (central interval at `level`) and, if asked,
    member_0..member_{K-1}: the prediction CSV of `priorlab predict`.

    `predictions`: the members' predictions (`Samples`: the summaries are over the members), or the
    predictive mixture of a Gaussian ensemble (the summaries are the mixture's: total std and exact
    quantiles; the member columns are the member means)."""
    if not 0 < level < 1:
        raise ValueError(f"level: expected a probability in (0, 1), got {level}")
    samples = predictions.members if isinstance(predictions, GaussianMixture) else predictions
    draws = np.asarray(samples.samples)
    if draws.ndim != 2 or draws.shape[1] != len(frame):
        raise ValueError(f"samples: expected shape (K, {len(frame)}), got {draws.shape}")
    lower, upper = predictions.interval(level)
    columns = {"mean": predictions.mean(), "std": predictions.std(), "lower": lower, "upper": upper}
    if members:
        columns.update({f"member_{k}": draws[k] for k in range(draws.shape[0])})
    clashes = sorted(set(columns) & set(map(str, frame.columns)))
    if clashes:
        raise ValueError(f"data: input columns {clashes} would be overwritten by the prediction columns")
    return pd.concat([frame.reset_index(drop=True), pd.DataFrame(columns)], axis=1)
