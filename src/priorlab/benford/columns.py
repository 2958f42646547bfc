"""Read one numeric column from a CSV or Parquet file, exactly, counting the cells that are not numbers.

Auditors' files carry text in numeric columns ("n/a", "1,234", "see note"): those cells are
counted and located by CSV line number (the header is line 1, so data row i is line i + 2),
or refused with `strict`. Empty cells and the usual NA markers ("NA", "n/a", "null", ...) are
missing values, which the digit tests count as dropped ("nan").

A column whose cells are all integers is read as integers, whatever their size (int64, uint64, or
Python ints beyond), with its missing cells set aside and counted: the last-two-digits test of
20-digit account numbers needs every digit, which float64 would round away above 2**53.

With `by`, a second column (the group key: vendor, employee, branch) is read in the same pass, its keys
aligned with the numbers row by row, so a test per group counts exactly the values the column-wide test
counts. `rows` says which file row each number came from, so the rows behind a test's digits can be
picked from the numbers in memory, with every digit they have.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from priorlab.tables import check_columns, check_input_file, column_names, is_parquet, line_numbers, read_arrow

MAX_REPORTED_LINES = 5
_INTEGER = r"^[+-]?[0-9]+$"


@dataclasses.dataclass(frozen=True)
class Column:
    """The numbers of a column and what was set aside.

    `values` are exact integers (missing cells removed, counted in `n_missing`) or float64 (NaN where a
    cell is empty or text); `text_lines` locate the first text cells: CSV line numbers (header = 1), or
    row numbers (from 0) in a Parquet file. `rows` holds the file row (from 0) of each value where cells
    were removed (None: value i is row i); `keys` the group column's key of each value, if one was read.
    """

    name: str
    values: np.ndarray
    n_text: int
    text_lines: list[int]
    n_missing: int = 0
    located_by: str = "file lines"  # or "rows" (from 0), in a Parquet file
    rows: np.ndarray | None = None
    keys: np.ndarray | None = None
    by: str | None = None

    def file_rows(self, selected: np.ndarray) -> np.ndarray:
        """The file rows (from 0, increasing) of the values a boolean mask over `values` selects."""
        positions = np.flatnonzero(selected)
        return positions if self.rows is None else self.rows[positions]

    def text_summary(self) -> str:
        lines = ", ".join(map(str, self.text_lines))
        more = ", ..." if self.n_text > len(self.text_lines) else ""
        return f"{self.n_text:,} text cells in column {self.name!r} ({self.located_by} {lines}{more})"

    def account(self, result):
        """`result` with the cells set aside here counted among its drops: missing integer cells as "nan"
        (they never reached the test), text cells (tested as NaN) as "text"."""
        if self.n_missing:
            result = dataclasses.replace(result, dropped=result.dropped.added("nan", self.n_missing))
        return result.with_reclassified_drops(self.n_text, "nan", "text") if self.n_text else result


def read_column(path: str | Path, column: str, strict: bool = False, by: str | None = None) -> Column:
    """Numbers of `column` in a CSV or Parquet file, and with `by` the group keys of the same rows.

    Raises FileNotFoundError for a missing file, ValueError for an unreadable file, a missing column, a
    column without any number, or (with `strict`) any text cell; every message names the file and column.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    path = check_input_file(path)
    if by is not None:
        check_columns(path, [by], column_names(path), role="--by column")
    table = read_arrow(path, list(dict.fromkeys([column] if by is None else [column, by])))
    cells = table.column(column)
    kind = cells.type
    if pa.types.is_integer(kind):
        present = cells.is_valid().to_numpy(zero_copy_only=False)
        result = Column(column, cells.drop_null().to_numpy(), 0, [], len(cells) - len(cells.drop_null()))
    elif pa.types.is_floating(kind):
        present, result = None, Column(column, cells.to_numpy().astype(np.float64), 0, [])
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        present, result = _from_text(column, pc.utf8_trim_whitespace(cells), pa, pc)
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
    rows = None if present is None or present.all() else np.flatnonzero(present)
    keys = None if by is None else _keys(table.column(by), rows)
    return dataclasses.replace(result, rows=rows, keys=keys, by=by)


def _keys(cells, rows: np.ndarray | None) -> np.ndarray:
    """Group keys as stored (Parquet) or as text (CSV; a missing key reads "None"), one per kept row."""
    keys = cells.to_numpy(zero_copy_only=False)
    keys = keys if rows is None else keys[rows]
    return pd.Series(keys).astype(str).to_numpy(dtype=object) if keys.dtype == object else keys


def _from_text(column: str, cells, pa, pc) -> tuple[np.ndarray | None, Column]:
    """Which rows hold a value (None: all) and the column: exact integers when every present cell is one,
    else float64 with NaN for empty and text cells."""
    present = pc.fill_null(pc.not_equal(cells, ""), False)
    values = cells.filter(present)
    n_missing = len(cells) - len(values)
    if len(values) and pc.all(pc.match_substring_regex(values, _INTEGER)).as_py():
        return present.to_numpy(zero_copy_only=False), Column(column, _exact_integers(values, pa), 0, [], n_missing)
    numbers = pd.to_numeric(cells.to_pandas(), errors="coerce")
    is_text = present.to_numpy(zero_copy_only=False) & numbers.isna().to_numpy()
    n_text = int(is_text.sum())
    text_lines = np.flatnonzero(is_text)[:MAX_REPORTED_LINES].tolist()  # rows; the caller makes them lines
    return None, Column(column, numbers.to_numpy(dtype=np.float64, na_value=np.nan), n_text, text_lines)


def _exact_integers(values, pa) -> np.ndarray:
    """int64 or uint64 where they hold every value, else Python ints (exact at any size)."""
    for target in (pa.int64(), pa.uint64()):
        try:
            return values.cast(target).to_numpy()
        except pa.ArrowInvalid:
            continue
    return np.array([int(text) for text in values.to_pylist()], dtype=object)
