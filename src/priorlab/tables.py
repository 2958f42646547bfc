"""Reading the tables users hand to the command line (CSV, Parquet), with one set of rules for every command.

pandas' CSV reader repairs what it should refuse: a repeated header `y,y` silently becomes `y, y.1`
(a copy of the target turns into a feature), a short row is padded with missing values, and integer
columns with an empty cell turn into float64, losing every integer above 2**53. Arrow's CSV reader is
strict about row lengths and keeps integer columns integer, so tables are read with it; what it
cannot say well (which line is ragged, which byte is not UTF-8) is found on the error path only.
Every error is a ValueError or FileNotFoundError whose message starts with the file's name.

`read_arrow` reads a whole table; `iter_chunks` streams one of any size in chunks of a fixed number of rows
(Arrow's streaming CSV reader, Parquet batches), under the same rules, so memory follows the chunk, not the
file. The error path reads the file sequentially too.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported when a frame is made, so that importing this module stays quick
    import pandas as pd

PARQUET_SUFFIXES = (".parquet", ".pq")
CHUNK_ROWS = 100_000
"""Rows per chunk of `iter_chunks` by default (and of `priorlab predict`)."""
CSV_BLOCK_BYTES = 1 << 22  # bytes the streaming CSV reader parses at a time (a row must fit in one block)


def arrow():
    """pyarrow with its csv and parquet modules imported."""
    try:
        import pyarrow
        import pyarrow.csv
        import pyarrow.parquet
    except ImportError as exc:  # a core dependency; only a broken installation lacks it
        raise ImportError('reading tables needs pyarrow: pip install "pyarrow>=14"') from exc
    return pyarrow


def check_input_file(path: str | Path) -> Path:
    """`path` as a Path if it is a readable file; a missing path or a folder is refused by name."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a folder; give a CSV or Parquet file")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return path


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def column_names(path: str | Path) -> list[str]:
    """The header of a CSV or Parquet file, refusing repeated names (pandas would rename them)."""
    path = check_input_file(path)
    if is_parquet(path):
        pa = arrow()
        try:
            names = list(pa.parquet.read_schema(path).names)
        except (pa.ArrowInvalid, OSError) as exc:
            raise ValueError(f"{path}: not a readable Parquet file ({_one_line(exc)})") from None
    else:
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                names = next(csv.reader(handle), None)
        except UnicodeDecodeError:
            raise ValueError(_not_utf8(path)) from None
        except csv.Error as exc:
            raise ValueError(f"{path}: header line is not valid CSV ({exc})") from None
        if not names:
            raise ValueError(f"{path}: empty file (no header line)")
    repeated = sorted({name for i, name in enumerate(names) if name in names[:i]})
    if repeated:
        raise ValueError(f"{path}: repeated column names {', '.join(map(repr, repeated))}; every column needs "
                         "its own name (a copy of a column would otherwise be read as another one)")
    return names


def check_columns(path: Path, wanted: Sequence[str], available: Sequence[str], role: str = "column") -> None:
    """Refuse a requested column the file does not have, listing what it has."""
    for name in wanted:
        if name not in available:
            listed = ", ".join(map(repr, list(available)[:20])) + (", ..." if len(available) > 20 else "")
            raise ValueError(f"{path}: {role} {name!r} not found; its columns are {listed}")


def read_arrow(path: str | Path, columns: Sequence[str] | None = None):  # -> pyarrow.Table
    """The file's `columns` (all by default) as an Arrow table, checked for shape, names and encoding.

    CSV cells come back as the text they hold (null where empty or an NA marker such as "NA", "null"):
    the caller decides what a number is, and can keep integers of any size exact. Parquet columns keep
    their stored types.
    """
    path, columns = _checked_columns(path, columns)
    pa = arrow()
    try:
        if is_parquet(path):
            table = pa.parquet.read_table(path, columns=columns)
        else:
            table = pa.csv.read_csv(path, convert_options=_csv_text(pa, columns))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise ValueError(_read_error(path, exc)) from None
    return table


def iter_chunks(path: str | Path, rows: int = CHUNK_ROWS,
                columns: Sequence[str] | None = None) -> Iterator[tuple[int, Any]]:
    """(first row, Arrow table of `rows` rows) for the file's consecutive chunks, the last one shorter; rows
    are counted from 0 and cells come as in `read_arrow`. An error in any chunk names the file (and, for a
    ragged CSV row or a byte that is not UTF-8, its line)."""
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise ValueError(f"rows: expected a positive number of rows per chunk, got {rows!r}")
    path, columns = _checked_columns(path, columns)
    pa = arrow()
    try:
        if is_parquet(path):
            batches = pa.parquet.ParquetFile(path).iter_batches(batch_size=rows, columns=columns)
        else:
            batches = pa.csv.open_csv(path, read_options=pa.csv.ReadOptions(block_size=CSV_BLOCK_BYTES),
                                      convert_options=_csv_text(pa, columns))
        first = 0
        for chunk in _exact_chunks(pa, batches, rows):
            yield first, chunk
            first += chunk.num_rows
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise ValueError(_read_error(path, exc)) from None


def _exact_chunks(pa, batches: Iterable, rows: int) -> Iterator:
    """Arrow record batches of any sizes regrouped into tables of exactly `rows` rows (the last one shorter)."""
    pending, count = [], 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            pending, count = rest.to_batches(), rest.num_rows
    if count:
        yield pa.Table.from_batches(pending)


def to_frame(table) -> pd.DataFrame:
    """An Arrow table as a DataFrame; Parquet integer columns with missing values become nullable integers."""
    return table.to_pandas(types_mapper=_nullable_integers(arrow()))


def read_table(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """`read_arrow` as a DataFrame (see `to_frame`)."""
    return to_frame(read_arrow(path, columns))


def _checked_columns(path: str | Path, columns: Sequence[str] | None) -> tuple[Path, list[str]]:
    path = check_input_file(path)
    names = column_names(path)
    columns = names if columns is None else list(columns)
    check_columns(path, columns, names)
    return path, columns


def _csv_text(pa, columns: Sequence[str]):
    """CSV conversion keeping `columns` as text, empty cells and NA markers as null."""
    return pa.csv.ConvertOptions(include_columns=columns, strings_can_be_null=True,
                                 column_types={name: pa.string() for name in columns})


def line_numbers(path: str | Path, rows: Sequence[int]) -> list[int]:
    """The line of a CSV file (header = 1) on which each data row starts: blank lines are skipped, as the
    reader skips them, and a quoted cell may span lines. Reads only as far as the last row asked for."""
    wanted = set(rows)
    found: dict[int, int] = {}
    if not wanted:
        return []
    with Path(path).open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        row, start = 0, reader.line_num + 1
        for record in reader:
            if record:
                if row in wanted:
                    found[row] = start
                    if len(found) == len(wanted):
                        break
                row += 1
            start = reader.line_num + 1
    return [found.get(r, -1) for r in rows]


def _nullable_integers(pa):
    import pandas as pd

    integer_types = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                     pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                     pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype()}
    return integer_types.get


def _read_error(path: Path, exc: Exception) -> str:
    message = _one_line(exc)
    if is_parquet(path):
        return f"{path}: not a readable Parquet file ({message})"
    if "Expected" in message and "columns" in message:
        ragged = _first_ragged_line(path)
        if ragged is not None:
            line, fields, expected = ragged
            return f"{path}: line {line} has {fields} fields but the header has {expected}"
    if "UTF8" in message or "UTF-8" in message:
        return _not_utf8(path)
    return f"{path}: not a readable CSV file ({message})"


def _first_ragged_line(path: Path) -> tuple[int, int, int] | None:
    """(line number, fields, header fields) of the first row whose length differs from the header's."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        for row in reader:
            if row and len(row) != len(header):
                return reader.line_num, len(row), len(header)
    return None


def _not_utf8(path: Path, block: int = 1 << 20) -> str:
    """Where the first byte that is not UTF-8 lies, reading the file a block at a time."""
    decoder, line = codecs.getincrementaldecoder("utf-8")(), 1
    with path.open("rb") as handle:
        try:
            while data := handle.read(block):
                decoder.decode(data)
                line += data.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:  # exc.object: this block, after a character begun in the last one
            line += exc.object.count(b"\n", 0, exc.start)
            return (f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} on line {line}); re-encode it "
                    f"as UTF-8, e.g. iconv -f latin1 -t utf-8 {path.name} > {path.stem}-utf8{path.suffix}")
    return f"{path}: not UTF-8 text"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
