"""Integers stay exact from the file to the counts: text integers beyond 2**64, integer CSV columns with
empty cells, and Parquet's nullable Int64 — each checked against Python's own integer arithmetic."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest
from tests.reliability.conftest import Workspace


def _numbers(seed: int, digits: int, n: int = 400) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(10 ** (digits - 1), 10**digits) for _ in range(n)]


def _last_two_counts(values: list[int]) -> np.ndarray:
    """The oracle: Python's exact integers, tens and units digits of those >= 10."""
    return np.bincount([abs(v) % 100 for v in values if abs(v) >= 10], minlength=100)


def _benford_json(workspace: Workspace, path, column: str) -> dict:
    import contextlib
    import io

    from priorlab.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["benford", str(path), "--column", column, "--test", "last-two", "--json", "--quiet"])
    return json.loads(out.getvalue())


@pytest.mark.parametrize(("digits", "blanks"), [(25, False), (19, True), (17, True), (20, False)],
                         ids=["beyond-uint64", "int64-with-empty-cells", "beyond-2**53-with-empty-cells",
                              "uint64"])
def test_csv_integers_are_counted_exactly(workspace, digits, blanks):
    values = _numbers(digits, digits)
    if digits == 19:
        values = [v for v in values if v < 2**63]
    cells = [str(v) for v in values]
    if blanks:
        cells[::7] = [""] * len(cells[::7])
    kept = [v for v, cell in zip(values, cells, strict=True) if cell]
    path = workspace / "ids.csv"
    path.write_text("id,note\n" + "".join(f"{cell},x\n" for cell in cells))
    result = _benford_json(workspace, path, "id")
    assert result["counts"] == _last_two_counts(kept).tolist()
    assert result["dropped"]["nan"] == len(values) - len(kept)


def test_parquet_nullable_int64_is_counted_exactly(workspace):
    values = [v for v in _numbers(3, 18) if v < 2**63]
    column = pd.array(values, dtype="Int64")
    column[::5] = pd.NA
    kept = [v for i, v in enumerate(values) if i % 5]
    path = workspace / "ids.parquet"
    pd.DataFrame({"id": column}).to_parquet(path)
    result = _benford_json(workspace, path, "id")
    assert result["counts"] == _last_two_counts(kept).tolist()
    assert result["dropped"]["nan"] == len(values) - len(kept)


def test_through_float64_the_same_file_would_be_wrong(workspace):
    """The oracle can tell: rounding the 25-digit integers to float64 changes their last two digits."""
    values = _numbers(25, 25)
    rounded = [int(float(v)) for v in values]
    assert _last_two_counts(rounded).tolist() != _last_two_counts(values).tolist()


def test_text_cells_are_located_by_their_line_even_after_blank_lines_and_quoted_newlines(workspace):
    path = workspace / "notes.csv"
    path.write_text('amount,note\n12,a\n\n"x",b\n7,"two\nlines"\n\n\nn/a?,c\n')
    from priorlab.benford.columns import read_column

    column = read_column(path, "amount")
    assert column.n_text == 2 and column.text_lines == [4, 9]
