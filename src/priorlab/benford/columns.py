"""Read one numeric column from a CSV or Parquet file, counting the cells that are not numbers.

Auditors' files carry text in numeric columns ("n/a", "1,234", "see note"): those cells are
counted and located by CSV line number (the header is line 1, so data row i is line i + 2),
or refused with `strict`. Empty cells and pandas' NA markers ("NA", "n/a", "null", ...) are
missing values, which the digit tests drop as NaN.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

MAX_REPORTED_LINES = 5
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclasses.dataclass(frozen=True)
class Column:
    """The numbers of a column (NaN where empty or text) and where its text cells are."""

    name: str
    values: np.ndarray
    n_text: int
    text_lines: list[int]  # CSV line numbers (header = 1) of the first text cells

    def text_summary(self) -> str:
        lines = ", ".join(map(str, self.text_lines))
        more = ", ..." if self.n_text > len(self.text_lines) else ""
        return f"{self.n_text:,} text cells in column {self.name!r} (file lines {lines}{more})"


def read_column(path: str | Path, column: str, strict: bool = False) -> Column:
    """Numbers of `column` in a CSV (or Parquet, with pyarrow) file.

    Raises FileNotFoundError for a missing file, ValueError for a missing column, a column
    without any number, or (with `strict`) any text cell.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"file not found: {path}")
    if path.suffix.lower() in PARQUET_SUFFIXES:
        raw = _read_parquet_column(path, column)
    else:
        _check_column(column, _read_csv(path, nrows=0).columns, path)
        raw = _read_csv(path, usecols=[column], low_memory=False)[column]
    if raw.dtype.kind in "iuf":
        return Column(column, raw.to_numpy(dtype=np.float64, na_value=np.nan) if raw.hasnans else raw.to_numpy(), 0, [])
    numbers = pd.to_numeric(raw, errors="coerce")
    is_text = raw.notna().to_numpy() & numbers.isna().to_numpy()
    n_text = int(is_text.sum())
    text_lines = (np.flatnonzero(is_text)[:MAX_REPORTED_LINES] + 2).tolist()
    result = Column(column, numbers.to_numpy(dtype=np.float64, na_value=np.nan), n_text, text_lines)
    if numbers.notna().sum() == 0:
        detail = f": {result.text_summary()}" if n_text else ""
        raise ValueError(f"column {column!r} in {path} has no numbers{detail}")
    if strict and n_text:
        raise ValueError(f"{result.text_summary()}; fix them or run without --strict to drop them")
    return result


def _read_csv(path: Path, **options: object) -> pd.DataFrame:
    """pandas.read_csv, with a decoding error that names the file and the fix."""
    try:
        return pd.read_csv(path, **options)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path} is not UTF-8 text (it holds the byte {exc.object[exc.start]:#04x}); re-encode it "
            f"as UTF-8, e.g. iconv -f latin1 -t utf-8 {path.name} > {path.stem}-utf8{path.suffix}"
        ) from None


def _check_column(column: str, available: pd.Index, path: Path) -> None:
    if column not in available:
        names = ", ".join(map(repr, available[:20]))
        raise ValueError(f"column {column!r} not found in {path}; its columns are {names}")


def _read_parquet_column(path: Path, column: str) -> pd.Series:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ValueError(f'reading {path} needs pyarrow: pip install "priorlab[dask]" or pyarrow') from exc
    _check_column(column, pd.Index(pq.read_schema(path).names), path)
    return pd.read_parquet(path, columns=[column])[column]
