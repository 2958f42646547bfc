"""Regression data in the layout of the standard UCI splits (Hernández-Lobato & Adams 2015; Gal & Ghahramani
2016; Lakshminarayanan et al. 2017), any data set, no per-data-set code.

A folder holds:

| file | content |
| --- | --- |
| data.txt | the data: rows of numbers separated by spaces or tabs, no header; blank lines are skipped |
| index_features.txt, index_target.txt | 0-based column indices of the features and of the (one) target |
| index_train_{i}.txt, index_test_{i}.txt | 0-based row indices (of the non-blank rows) of split i |
| n_splits.txt, n_hidden.txt, n_epochs.txt | number of splits, hidden units and epochs of the standard protocol |

Numbers in the index files are whitespace-separated and may be written as floats (`1.0000000e+00`) as long as
they are whole. Every problem is a `FileNotFoundError` (a missing file) or a `ValueError` that names the file
and the line: a cell that is not a finite number, rows of different lengths, an index out of range or not
whole, a target that is also a feature, an index listed twice, a row in both the training and the test part
of a split.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LAYOUT = ("data.txt", "index_features.txt", "index_target.txt", "n_splits.txt", "n_hidden.txt", "n_epochs.txt")
"""The files every folder has besides the split files index_train_{i}.txt and index_test_{i}.txt."""


@dataclass(frozen=True, eq=False)
class UCISplit:
    """Split `index` of a data set: the 0-based rows of its training and test parts (disjoint, int64)."""

    index: int
    train: np.ndarray
    test: np.ndarray


@dataclass(frozen=True, eq=False)
class UCIDataset:
    """One data set read from a UCI-layout folder.

    `x` (rows, features) and `y` (rows,) are float64 in data.txt's units; `features` are the data.txt
    columns of x and `target` the column of y (0-based); `n_hidden` and `n_epochs` are the standard
    protocol's; `splits` holds the `n_splits` train/test splits."""

    name: str
    folder: Path
    x: np.ndarray
    y: np.ndarray
    features: np.ndarray
    target: int
    n_splits: int
    n_hidden: int
    n_epochs: int
    splits: tuple[UCISplit, ...]

    def split_arrays(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """x_train, y_train, x_test, y_test of split i."""
        split = self.splits[i]
        return self.x[split.train], self.y[split.train], self.x[split.test], self.y[split.test]

    def __iter__(self) -> Iterator[UCISplit]:
        return iter(self.splits)


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such file; a UCI-layout folder holds {', '.join(LAYOUT)} and "
            "index_train_{i}.txt, index_test_{i}.txt for each split i")
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not a text file (UTF-8 or ASCII): {error}") from None


def _integers(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The whole numbers in a file (any whitespace between them) and the 1-based line of each."""
    values, lines = [], []
    for number, line in enumerate(_lines(path), start=1):
        for token in line.split():
            try:
                value = float(token)
            except ValueError:
                raise ValueError(f"{path}, line {number}: {token!r} is not a number") from None
            if not np.isfinite(value) or value != int(value):
                raise ValueError(f"{path}, line {number}: {token!r} is not a whole number")
            values.append(int(value))
            lines.append(number)
    if not values:
        raise ValueError(f"{path}: empty (expected whole numbers)")
    return np.asarray(values, dtype=np.int64), np.asarray(lines, dtype=np.int64)


def _count(path: Path, what: str) -> int:
    values, lines = _integers(path)
    if len(values) != 1:
        raise ValueError(f"{path}, line {lines[1]}: expected one number ({what}), found {len(values)}")
    if values[0] < 1:
        raise ValueError(f"{path}, line {lines[0]}: expected a positive number ({what}), got {values[0]}")
    return int(values[0])


def _indices(path: Path, size: int, of: str) -> np.ndarray:
    """0-based indices into something of `size` (named by `of`), each at most once."""
    values, lines = _integers(path)
    bad = (values < 0) | (values >= size)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}, line {lines[j]}: index {values[j]} is out of range for {of} "
                         f"(0-based, 0 to {size - 1})")
    order = np.argsort(values, kind="stable")
    repeated = np.flatnonzero(values[order][1:] == values[order][:-1])
    if len(repeated):
        first, again = sorted((order[repeated[0]], order[repeated[0] + 1]))
        raise ValueError(f"{path}, line {lines[again]}: index {values[again]} is listed twice "
                         f"(also on line {lines[first]})")
    return values


def _data(path: Path) -> np.ndarray:
    """data.txt as a float64 matrix; errors name the line (and the column of a bad cell)."""
    rows, numbers = [], []
    for number, line in enumerate(_lines(path), start=1):
        cells = line.split()
        if cells:
            rows.append(cells)
            numbers.append(number)
    if not rows:
        raise ValueError(f"{path}: no data rows")
    width = len(rows[0])
    for cells, number in zip(rows, numbers, strict=True):
        if len(cells) != width:
            raise ValueError(f"{path}, line {number}: {len(cells)} values, but line {numbers[0]} has {width} "
                             "(every row needs the same number of columns)")
    try:
        data = np.array(rows, dtype=np.float64)
    except ValueError:
        data = None
    if data is None or not np.isfinite(data).all():
        for cells, number in zip(rows, numbers, strict=True):
            for column, cell in enumerate(cells, start=1):
                try:
                    value = float(cell)
                except ValueError:
                    value = None
                if value is None or not np.isfinite(value):
                    raise ValueError(f"{path}, line {number}, column {column}: {cell!r} is not a finite number")
    return data


def uci_splits(folder: str | Path, n_rows: int) -> tuple[UCISplit, ...]:
    """The n_splits.txt splits of a UCI-layout folder whose data has `n_rows` rows, checked: indices in range,
    none twice in a file, none in both the training and the test part, neither part empty."""
    folder = Path(folder)
    splits = []
    for i in range(_count(folder / "n_splits.txt", "the number of splits")):
        of = f"data.txt's {n_rows} rows"
        train = _indices(folder / f"index_train_{i}.txt", n_rows, of)
        test_path = folder / f"index_test_{i}.txt"
        test = _indices(test_path, n_rows, of)
        shared = np.isin(test, train)
        if shared.any():
            j = int(np.flatnonzero(shared)[0])
            line = int(_integers(test_path)[1][j])
            raise ValueError(f"{test_path}, line {line}: row {test[j]} is also in index_train_{i}.txt "
                             "(a test row must not be trained on)")
        splits.append(UCISplit(i, train, test))
    return tuple(splits)


def load_uci(folder: str | Path) -> UCIDataset:
    """Read one data set from a folder in the layout of the standard UCI splits (see the module docstring).

    The name is the folder's name. Every file is read and checked here, so a bad folder fails at once."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder (expected a UCI-layout data set folder)")
    data = _data(folder / "data.txt")
    n_rows, n_columns = data.shape
    of = f"data.txt's {n_columns} columns"
    features = _indices(folder / "index_features.txt", n_columns, of)
    target_path = folder / "index_target.txt"
    targets, target_lines = _integers(target_path)
    if len(targets) != 1:
        raise ValueError(f"{target_path}, line {target_lines[1]}: expected one target column, found {len(targets)}")
    target = int(_indices(target_path, n_columns, of)[0])
    if target in features:
        line = int(_integers(folder / "index_features.txt")[1][int(np.flatnonzero(features == target)[0])])
        raise ValueError(f"{target_path}, line {target_lines[0]}: the target column {target} is also a feature "
                         f"(index_features.txt, line {line}); a model cannot be given what it predicts")
    return UCIDataset(
        name=folder.name,
        folder=folder,
        x=np.ascontiguousarray(data[:, features]),
        y=np.ascontiguousarray(data[:, target]),
        features=features,
        target=target,
        n_splits=_count(folder / "n_splits.txt", "the number of splits"),
        n_hidden=_count(folder / "n_hidden.txt", "hidden units"),
        n_epochs=_count(folder / "n_epochs.txt", "epochs"),
        splits=uci_splits(folder, n_rows),
    )


def uci_folders(root: str | Path) -> list[Path]:
    """The data set folders directly under `root` (those holding a data.txt), sorted by name."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder (expected a folder of UCI-layout data set folders)")
    return sorted(path for path in root.iterdir() if (path / "data.txt").is_file())
