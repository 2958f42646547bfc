"""The records behind the numbers: rows whose digits a test flags, and the most duplicated amounts.

An auditor who sees a spike at 50 in the first-two digits test next needs the invoices that start with
50; Nigrini's (2012) number duplication test lists the amounts that occur most often. R benford.analysis
offers `getSuspects` and `getDuplicates`; here the rows keep their index (the row number in the file, from
0), so the caller can point at file lines.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import priorlab.benford.digits as digits
import priorlab.benford.registry as registry
from priorlab.benford.summation import SummationResult
from priorlab.files import atomic_path
from priorlab.jsonsafe import json_number
from priorlab.tables import is_parquet, iter_chunks, to_frame
from priorlab.validation import check_choice, check_int

DUPLICATION_KEYS = ("amount", "last-two")
"""What the number duplication test counts: whole amounts, or the last two digits of the integer part."""


def digit_values(data: Any, test: str) -> Any:
    """Per value, the digits `test` reads (0 where none: zero, NaN, inf, or below 10 for last-two);
    digits of |x|. A Dask array gives a lazy Dask array."""
    spec = registry.get(test)
    if spec.differences:
        raise ValueError(f"test: the {test} test reads differences between values, not the values of rows")
    x, _ = digits.as_numeric(data)
    if spec.leading is not None:
        values = digits.leading_digits(x, spec.leading)
        return values % 10 if test == "second" else values
    if x.dtype.kind == "O":
        return np.array([abs(v) % 100 if abs(v) >= digits.LAST_TWO_MIN_VALUE else 0 for v in x], dtype=np.int64)
    magnitude = np.abs(x.astype(np.float64)) if x.dtype.kind == "f" else np.abs(x)
    ok = (magnitude >= digits.LAST_TWO_MIN_VALUE) & (np.isfinite(magnitude) if x.dtype.kind == "f" else True)
    return np.where(ok, np.fmod(np.floor(np.where(ok, magnitude, 0)), 100), 0).astype(np.int64)


def suspect_selector(result: Any, top: int = 2, sign: str = "positive") -> Callable[[Any], np.ndarray]:
    """A function giving, for an array of amounts, which are suspects: kept by `sign`, with digits among
    the `top` largest deviations of a `BenfordResult` (or the `top` largest excess sums of a
    `SummationResult`, by first two digits)."""
    top = check_int(top, "top", 1)
    check_choice(sign, "sign", digits.SIGNS)
    if isinstance(result, SummationResult):
        test, ranked = "first-two", result.largest_excess
    else:
        test, ranked = result.test, result.largest_deviations
    flagged = np.array([d for d, _ in ranked[:top]])
    registry.get(test)
    if registry.TESTS[test].differences:
        raise ValueError(f"test: the {test} test reads differences between values, so no row is a suspect")

    def select(values: Any) -> np.ndarray:
        x, missing = digits.as_numeric(values)
        mask = np.isin(digit_values(x, test), flagged) & np.asarray(digits.kept(x, sign, None))
        return mask if missing is None else mask & ~missing

    return select


def duplicate_selector(data: Any, top: int = 2, sign: str = "positive") -> Callable[[Any], np.ndarray]:
    """A function giving, for an array of amounts, which hold one of the `top` most duplicated amounts of
    `data` (kept by `sign`)."""
    return holding(number_duplication(data, top=top, sign=sign).values, sign)


def holding(amounts: np.ndarray, sign: str = "positive") -> Callable[[Any], np.ndarray]:
    """A function giving, for an array of amounts, which are kept by `sign` and whose |x| is one of `amounts`."""

    def select(values: Any) -> np.ndarray:
        x, missing = digits.as_numeric(values)
        mask = np.isin(np.abs(x), amounts) & np.asarray(digits.kept(x, sign, None))
        return mask if missing is None else mask & ~missing

    return select


def suspects(result: Any, data: Any, column: str | None = None, top: int = 2, sign: str = "positive") -> pd.DataFrame:
    """The rows of `data` (a DataFrame with `column`, or a Series/array) kept by `sign` whose digits are
    among the `top` largest deviations of `result` (as R benford.analysis' `getSuspects`), in row order
    with their original index."""
    frame, values = _frame(data, column)
    return frame[suspect_selector(result, top, sign)(values)]


@dataclasses.dataclass(frozen=True, eq=False)
class DuplicationResult:
    """Nigrini's number duplication test: the most frequent amounts (or last two digits) and their share."""

    key: str
    n: int
    values: np.ndarray
    counts: np.ndarray

    @property
    def shares(self) -> np.ndarray:
        return self.counts / self.n

    @property
    def what(self) -> str:
        """What was counted, in words."""
        return "amounts" if self.key == "amount" else "last two digits"

    def rows(self) -> list[tuple[str, int, float]]:
        """(value as printed, count, share), most frequent first: what every rendering shows."""
        labels = [f"{v:,.2f}" if self.key == "amount" else f"{int(v):02d}" for v in self.values]
        return [(label, int(c), float(s)) for label, c, s in zip(labels, self.counts, self.shares, strict=True)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": "number duplication",
            "key": self.key,
            "n": self.n,
            "duplicates": [
                {"value": json_number(v) if self.key == "amount" else int(v), "count": int(c), "share": float(s)}
                for v, c, s in zip(self.values, self.counts, self.shares, strict=True)
            ],
        }

    def __str__(self) -> str:
        lines = [
            f"Number duplication test (Nigrini 2012): most frequent {self.what} of N = {self.n:,} values",
            f"  {'value':>14}  {'count':>8}  {'share':>8}",
        ]
        lines += [f"  {label:>14}  {count:8,}  {share:8.4%}" for label, count, share in self.rows()]
        return "\n".join(lines)


def number_duplication(data: Any, top: int = 20, key: str = "amount", sign: str = "positive") -> DuplicationResult:
    """The `top` most frequent amounts (`key="amount"`) or last-two digits (`key="last-two"`, values >= 10)
    of the values kept by `sign`, most frequent first (ties: smaller value first)."""
    top = check_int(top, "top", 1)
    check_choice(key, "key", DUPLICATION_KEYS)
    check_choice(sign, "sign", digits.SIGNS)
    x, missing = digits.as_numeric(data)
    if missing is not None:
        x = x[~missing]
    keep = digits.kept(x, sign, digits.LAST_TWO_MIN_VALUE if key == "last-two" else None)
    values = digit_values(x[keep], "last-two") if key == "last-two" else np.abs(x[keep])
    if isinstance(values, np.ndarray):
        unique, counts = np.unique(values, return_counts=True)
    else:  # a Dask array: grouped counts in one pass (dask.array.unique's counts fail on chunked input)
        import dask.dataframe as dd

        tally = dd.from_dask_array(values, columns=["value"])["value"].value_counts().compute()
        unique, counts = tally.index.to_numpy(), tally.to_numpy()
    n = int(np.sum(counts))
    if n == 0:
        raise ValueError("number duplication: no values left to count")
    order = np.lexsort((unique, -counts))[:top]
    return DuplicationResult(key=key, n=n, values=np.asarray(unique)[order], counts=np.asarray(counts)[order])


def duplicates(data: Any, column: str | None = None, top: int = 2, sign: str = "positive") -> pd.DataFrame:
    """The rows of `data` holding the `top` most duplicated amounts (as R benford.analysis'
    `getDuplicates`), in row order with their original index."""
    frame, values = _frame(data, column)
    return frame[duplicate_selector(values, top, sign)(values)]


def write_rows(path: str | Path, selections: Mapping[str | Path, np.ndarray]) -> dict[Path, int]:
    """Write, for each output CSV of `selections`, the rows of the CSV/Parquet file `path` it names (row numbers
    from 0, increasing), in one pass over the file; returns the rows written per output.

    Each output's first column says where its row is: `line`, the CSV line on which the row starts (header =
    1; blank lines are skipped as the reader skips them, a quoted cell may span lines), with the row's cells
    as the file holds them; for Parquet `row`, from 0. The pass stops after the last row asked for, and
    every output appears only when complete.
    """
    path = Path(path)
    wanted = {Path(out): np.asarray(rows, dtype=np.int64) for out, rows in selections.items()}
    with contextlib.ExitStack() as stack:
        handles = {out: stack.enter_context(stack.enter_context(atomic_path(out)).open("w", newline="",
                                                                                    encoding="utf-8"))
                   for out in wanted}
        if is_parquet(path):
            _write_parquet_rows(path, wanted, handles)
        else:
            _write_csv_rows(path, wanted, handles)
    return {out: len(rows) for out, rows in wanted.items()}


def _write_csv_rows(path: Path, wanted: Mapping[Path, np.ndarray], handles: Mapping[Path, Any]) -> None:
    writers = {out: csv.writer(handle, lineterminator="\n") for out, handle in handles.items()}
    targets: dict[int, list[Any]] = {}
    for out, rows in wanted.items():
        for row in rows.tolist():
            targets.setdefault(row, []).append(writers[out])
    last = max(targets, default=-1)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        for writer in writers.values():
            writer.writerow(["line", *header])
        row, start = 0, reader.line_num + 1
        for record in reader:
            if row > last:
                break
            if record:
                for writer in targets.get(row, ()):
                    writer.writerow([start, *record])
                row += 1
            start = reader.line_num + 1


def _write_parquet_rows(path: Path, wanted: Mapping[Path, np.ndarray], handles: Mapping[Path, Any]) -> None:
    header = dict.fromkeys(wanted, True)
    for first, chunk in iter_chunks(path):
        for out, rows in wanted.items():
            start, stop = np.searchsorted(rows, [first, first + chunk.num_rows])
            frame = to_frame(chunk.take(rows[start:stop] - first))
            frame.insert(0, "row", rows[start:stop])
            frame.to_csv(handles[out], index=False, header=header[out])
            header[out] = False


def _frame(data: Any, column: str | None) -> tuple[pd.DataFrame, Any]:
    """The rows to pick from and their amounts."""
    if isinstance(data, pd.DataFrame):
        if column is None:
            raise ValueError("column: name the amount column of the DataFrame")
        if column not in data.columns:
            raise ValueError(f"column: {column!r} is not a column (columns: {', '.join(map(str, data.columns))})")
        return data, data[column]
    if column is not None:
        raise ValueError("column: only a DataFrame has columns")
    frame = pd.Series(data, name="value").to_frame()
    return frame, frame["value"]
