"""Reading users' tables (`priorlab.tables`): CSV cells against Python's csv module, chunks against the whole
table for any chunk size, line numbers against the lines counted while the file was written, and every
refusal naming the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from priorlab import tables

HEADER = ["a", "b", "c"]
# Cells with quotes, commas, spaces and empty cells (null); no letters, so no NA marker such as "NA" or "nan".
CELLS = st.text(alphabet='0123456789x -.,"', max_size=6)
ROWS = st.lists(st.lists(CELLS, min_size=3, max_size=3), max_size=40)
MULTILINE_ROWS = st.lists(st.lists(st.one_of(CELLS, st.just("two\nlines"), st.just("\n")), min_size=3, max_size=3),
                          max_size=25)
TMP = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one folder, new files each time


def write_csv(path: Path, rows: list[list[str]], blank_before: frozenset[int] = frozenset()) -> list[int]:
    """Write HEADER and `rows` (a blank line before each row in `blank_before`); the line each row starts on,
    counted while writing."""
    text, starts = io.StringIO(), []
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    for i, row in enumerate(rows):
        if i in blank_before:
            text.write("\n")
        starts.append(text.getvalue().count("\n") + 1)
        writer.writerow(row)
    path.write_text(text.getvalue(), encoding="utf-8")
    return starts


def python_csv(path: Path) -> list[dict[str, str | None]]:
    """The oracle: the rows as Python's csv module reads them, blank lines skipped, empty cells null."""
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = [row for row in csv.reader(handle) if row]
    return [{name: cell or None for name, cell in zip(header, row, strict=True)} for row in rows]


@TMP
@given(rows=MULTILINE_ROWS, blanks=st.frozensets(st.integers(0, 25)))
def test_csv_cells_come_back_as_the_text_python_reads(tmp_path, rows, blanks):
    path = tmp_path / "t.csv"
    write_csv(path, rows, blanks)
    table = tables.read_arrow(path)
    assert table.column_names == HEADER and all(field.type == pa.string() for field in table.schema)
    assert table.to_pylist() == python_csv(path)


def test_columns_come_in_the_order_asked(tmp_path):
    write_csv(tmp_path / "t.csv", [["1", "2", "3"]])
    pq.write_table(pa.table({"a": [1], "b": [2], "c": [3]}), tmp_path / "t.parquet")
    for name in ("t.csv", "t.parquet"):
        assert tables.read_arrow(tmp_path / name, ["c", "a"]).column_names == ["c", "a"]


def test_parquet_keeps_its_types_and_integers_exact(tmp_path):
    big = 2**60 + 1  # not a float64
    pq.write_table(pa.table({"n": pa.array([big, None, -3], pa.int64()), "s": ["x", None, "z"]}), tmp_path / "t.pq")
    table = tables.read_arrow(tmp_path / "t.pq")
    assert table.schema.field("n").type == pa.int64()
    assert table.to_pylist() == [{"n": big, "s": "x"}, {"n": None, "s": None}, {"n": -3, "s": "z"}]
    frame = tables.read_table(tmp_path / "t.pq", ["n"])
    assert str(frame["n"].dtype) == "Int64" and frame["n"].iloc[0] == big and frame["n"].isna().tolist()[1]


def assert_chunks_make_the_table(path: Path, rows: int) -> None:
    whole = tables.read_arrow(path)
    chunks = list(tables.iter_chunks(path, rows))
    assert [first for first, _ in chunks] == list(range(0, whole.num_rows, rows))
    assert all(chunk.num_rows == rows for _, chunk in chunks[:-1])
    assert chunks == [] or 0 < chunks[-1][1].num_rows <= rows
    assert pa.concat_tables([whole.slice(0, 0), *(chunk for _, chunk in chunks)]).equals(whole)


@TMP
@given(rows=ROWS, chunk_rows=st.integers(1, 45), block=st.sampled_from([64, 200, tables.CSV_BLOCK_BYTES]))
def test_csv_chunks_of_any_size_make_the_whole_table(tmp_path, rows, chunk_rows, block):
    write_csv(tmp_path / "t.csv", rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "CSV_BLOCK_BYTES", block)  # Arrow's batches: a few rows, or the whole file
        assert_chunks_make_the_table(tmp_path / "t.csv", chunk_rows)


@TMP
@given(n=st.integers(0, 60), group=st.integers(1, 25), chunk_rows=st.integers(1, 70))
def test_parquet_chunks_of_any_size_make_the_whole_table(tmp_path, n, group, chunk_rows):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"x": pa.array(range(n), pa.int64()), "y": [str(i) for i in range(n)]}), path,
                   row_group_size=group)
    assert_chunks_make_the_table(path, chunk_rows)


def test_chunks_keep_multi_line_cells_whole(tmp_path):
    write_csv(tmp_path / "t.csv", [["1", "two\nlines", ""], ["2", "x", "\n"]] * 5)
    assert_chunks_make_the_table(tmp_path / "t.csv", 3)
    _, first = next(tables.iter_chunks(tmp_path / "t.csv", 4, ["b"]))
    assert first.column("b").to_pylist() == ["two\nlines", "x", "two\nlines", "x"]


@pytest.mark.xfail(strict=True, reason="Arrow's CSV reader splits its blocks at newlines (newlines_in_values is "
                   "off): a quoted cell spanning lines across a block boundary stops the read")
def test_a_multi_line_cell_across_a_block_boundary_is_read(tmp_path, monkeypatch):
    write_csv(tmp_path / "t.csv", [[str(i), "two\nlines", "x" * (i % 7)] for i in range(60)])
    monkeypatch.setattr(tables, "CSV_BLOCK_BYTES", 256)
    assert_chunks_make_the_table(tmp_path / "t.csv", 7)


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "10"])
def test_a_chunk_needs_a_whole_positive_number_of_rows(tmp_path, bad):
    write_csv(tmp_path / "t.csv", [["1", "2", "3"]])
    with pytest.raises(ValueError, match=r"^rows: expected a positive number of rows per chunk"):
        next(tables.iter_chunks(tmp_path / "t.csv", bad))


@TMP
@given(rows=MULTILINE_ROWS, blanks=st.frozensets(st.integers(0, 25), min_size=1),
       asked=st.lists(st.integers(0, 30), max_size=8))
def test_line_numbers_are_the_lines_rows_start_on(tmp_path, rows, blanks, asked):
    starts = write_csv(tmp_path / "t.csv", rows, blanks)
    assert tables.line_numbers(tmp_path / "t.csv", range(len(rows) + 1)) == [*starts, -1]
    assert tables.line_numbers(tmp_path / "t.csv", asked) == [starts[r] if r < len(rows) else -1 for r in asked]


def test_line_numbers_of_no_rows_is_empty(tmp_path):
    write_csv(tmp_path / "t.csv", [["1", "2", "3"]])
    assert tables.line_numbers(tmp_path / "t.csv", []) == []


@pytest.mark.parametrize("header, repeated", [("a,a", "'a'"), ("b,a,b,a,c", "'a', 'b'"), ("x,y,z,y", "'y'")])
def test_repeated_column_names_are_refused_each_named_once(tmp_path, header, repeated):
    names = header.split(",")
    (tmp_path / "t.csv").write_text(header + "\n" + ",".join("1" * len(names)) + "\n")
    arrays = [pa.array([1]) for _ in names]
    pq.write_table(pa.Table.from_arrays(arrays, names=names), tmp_path / "t.parquet")
    for path in (tmp_path / "t.csv", tmp_path / "t.parquet"):
        with pytest.raises(ValueError, match=f"^{path}: repeated column names {repeated}; every column needs"):
            tables.column_names(path)
        with pytest.raises(ValueError, match="repeated column names"):
            tables.read_arrow(path)


def test_column_names_are_the_header_in_file_order(tmp_path):
    (tmp_path / "t.csv").write_text('z,"a,b",y\n1,2,3\n')
    pq.write_table(pa.table({"z": [1], "a,b": [2], "y": [3]}), tmp_path / "t.parquet")
    assert tables.column_names(tmp_path / "t.csv") == tables.column_names(tmp_path / "t.parquet") == ["z", "a,b", "y"]


def test_a_missing_column_is_named_with_what_the_file_has(tmp_path):
    path = tmp_path / "t.csv"
    with pytest.raises(ValueError, match=rf"^{path}: target column 'y' not found; its columns are 'a', 'b'$"):
        tables.check_columns(path, ["a", "y"], ["a", "b"], role="target column")
    many = [f"x{i}" for i in range(25)]
    with pytest.raises(ValueError) as error:
        tables.check_columns(path, ["q"], many)
    assert str(error.value).endswith(", ".join(map(repr, many[:20])) + ", ...")
    tables.check_columns(path, ["b", "a"], ["a", "b"])  # all there: nothing raised
    write_csv(path, [])
    for read in (tables.read_arrow, lambda p, c: next(tables.iter_chunks(p, 5, c))):
        with pytest.raises(ValueError, match=rf"^{path}: column 'q' not found; its columns are 'a', 'b', 'c'$"):
            read(path, ["a", "q"])


def _ragged(path: Path) -> None:
    write_csv(path, [["1", "2", "3"]] * 30, frozenset({3}))
    with path.open("a") as handle:
        handle.write("1,2\n")  # line 33: after the header, 30 rows and a blank line


BAD_FILES = [
    ("missing", None, FileNotFoundError, "no such file"),
    ("folder", lambda path: path.mkdir(), ValueError, "is a folder; give a CSV or Parquet file"),
    ("empty", lambda path: path.write_text(""), ValueError, "empty file (no header line)"),
    ("ragged", _ragged, ValueError, "line 33 has 2 fields but the header has 3"),
    ("latin-1", lambda path: path.write_bytes(b"a,b\n1,2\n3,caf\xe9\n"), ValueError,
     "not UTF-8 text (byte 0xe9 on line 3)"),
    ("latin-1 header", lambda path: path.write_bytes(b"caf\xe9,b\n1,2\n"), ValueError, "not UTF-8 text (byte 0xe9"),
]


@pytest.mark.parametrize("read", [tables.read_arrow, lambda path: list(tables.iter_chunks(path, 4))],
                         ids=["read_arrow", "iter_chunks"])
@pytest.mark.parametrize(("make", "error", "message"), [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_errors_name_the_file(tmp_path, read, make, error, message):
    path = tmp_path / "in.csv"
    if make is not None:
        make(path)
    with pytest.raises(error) as raised:
        read(path)
    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)


def test_a_file_that_is_not_parquet_is_named(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_text("a,b\n1,2\n")
    for read in (tables.column_names, tables.read_arrow, lambda p: list(tables.iter_chunks(p))):
        with pytest.raises(ValueError, match=rf"^{path}: not a readable Parquet file \("):
            read(path)
