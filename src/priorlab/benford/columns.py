"""Read one numeric column from a CSV or Parquet file, exactly, counting the cells that are not numbers.

Auditors' files carry text in numeric columns ("n/a", "1,234", "see note"): those cells are
counted and located by CSV line number (the header is line 1, so data row i is line i + 2),
or refused with `strict`. Empty cells and the usual NA markers ("NA", "n/a", "null", ...) are
missing values, which the digit tests count as dropped ("nan").

A column whose cells are all integers is read as integers, whatever their size (int64, uint64, or
Python ints beyond), with its missing cells set aside and counted: the last-two-digits test of
20-digit account numbers needs every digit, which float64 would round away above 2**53.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from priorlab.tables import is_parquet, line_numbers, read_arrow

MAX_REPORTED_LINES = 5
_INTEGER = r"^[+-]?[0-9]+$"


@dataclasses.dataclass(frozen=True)
class Column:
    """The numbers of a column and what was set aside.

    `values` are exact integers (missing cells removed, counted in `n_missing`) or float64 (NaN where a
    cell is empty or text); `text_lines` locate the first text cells: CSV line numbers (header = 1), or
    row numbers (from 0) in a Parquet file.
    """

    name: str
    values: np.ndarray
    n_text: int
    text_lines: list[int]
    n_missing: int = 0
    located_by: str = "file lines"  # or "rows" (from 0), in a Parquet file

    def text_summary(self) -> str:
        lines = ", ".join(map(str, self.text_lines))
        more = ", ..." if self.n_text > len(self.text_lines) else ""
        return f"{self.n_text:,} text cells in column {self.name!r} ({self.located_by} {lines}{more})"

    def account(self, result):
        """`result` with the cells set aside here counted among its drops: missing integer cells as "nan"
        (they never reached the test), text cells (tested as NaN) as "text"."""
        if self.n_missing:
            dropped = dict(result.dropped)
            dropped["nan"] = dropped.get("nan", 0) + self.n_missing
            result = dataclasses.replace(result, dropped=dropped)
        return result.with_reclassified_drops(self.n_text, "nan", "text") if self.n_text else result


def read_column(path: str | Path, column: str, strict: bool = False) -> Column:
    """Numbers of `column` in a CSV or Parquet file.

    Raises FileNotFoundError for a missing file, ValueError for an unreadable file, a missing column, a
    column without any number, or (with `strict`) any text cell; every message names the file and column.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    path = Path(path)
    cells = read_arrow(path, [column]).column(column)
    kind = cells.type
    if pa.types.is_integer(kind):
        present = cells.drop_null()
        result = Column(column, present.to_numpy(), 0, [], len(cells) - len(present))
    elif pa.types.is_floating(kind):
        result = Column(column, cells.to_numpy().astype(np.float64), 0, [])
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        result = _from_text(column, pc.utf8_trim_whitespace(cells), pa, pc)
        if is_parquet(path):
            result = dataclasses.replace(result, located_by="rows")
        elif result.text_lines:
            result = dataclasses.replace(result, text_lines=line_numbers(path, result.text_lines))
    else:
        raise ValueError(f"{path}: column {column!r} holds {kind} values, not numbers")
    if result.values.size == 0 or (result.values.dtype.kind == "f" and np.isnan(result.values).all()):
        detail = f": {result.text_summary()}" if result.n_text else ""
        raise ValueError(f"{path}: column {column!r} has no numbers{detail}")
    if strict and result.n_text:
        raise ValueError(f"{path}: {result.text_summary()}; fix them or run without --strict to drop them")
    return result


def _from_text(column: str, cells, pa, pc) -> Column:
    present = pc.fill_null(pc.not_equal(cells, ""), False)
    values = cells.filter(present)
    n_missing = len(cells) - len(values)
    if len(values) and pc.all(pc.match_substring_regex(values, _INTEGER)).as_py():
        return Column(column, _exact_integers(values, pa), 0, [], n_missing)
    numbers = pd.to_numeric(cells.to_pandas(), errors="coerce")
    is_text = present.to_numpy(zero_copy_only=False) & numbers.isna().to_numpy()
    n_text = int(is_text.sum())
    text_lines = np.flatnonzero(is_text)[:MAX_REPORTED_LINES].tolist()  # rows; the caller makes them lines
    return Column(column, numbers.to_numpy(dtype=np.float64, na_value=np.nan), n_text, text_lines)


def _exact_integers(values, pa) -> np.ndarray:
    """int64 or uint64 where they hold every value, else Python ints (exact at any size)."""
    for target in (pa.int64(), pa.uint64()):
        try:
            return values.cast(target).to_numpy()
        except pa.ArrowInvalid:
            continue
    return np.array([int(text) for text in values.to_pylist()], dtype=object)
