"""Reading the tables users hand to the command line (CSV, Parquet), with one set of rules for every command.

pandas' CSV reader repairs what it should refuse: a repeated header `y,y` silently becomes `y, y.1`
(a copy of the target turns into a feature), a short row is padded with missing values, and integer
columns with an empty cell turn into float64, losing every integer above 2**53. Arrow's CSV reader is
strict about row lengths and keeps integer columns integer, so tables are read with it; what it
cannot say well (which line is ragged, which byte is not UTF-8) is found on the error path only.
Every error is a ValueError or FileNotFoundError whose message starts with the file's name.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

PARQUET_SUFFIXES = (".parquet", ".pq")


def _arrow():
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
        pa = _arrow()
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
    path = check_input_file(path)
    names = column_names(path)
    columns = names if columns is None else list(columns)
    check_columns(path, columns, names)
    pa = _arrow()
    try:
        if is_parquet(path):
            table = pa.parquet.read_table(path, columns=columns)
        else:
            convert = pa.csv.ConvertOptions(include_columns=columns, strings_can_be_null=True,
                                            column_types={name: pa.string() for name in columns})
            table = pa.csv.read_csv(path, convert_options=convert)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise ValueError(_read_error(path, exc)) from None
    return table


def read_table(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """`read_arrow` as a DataFrame; Parquet integer columns with missing values become nullable integers."""
    return read_arrow(path, columns).to_pandas(types_mapper=_nullable_integers(_arrow()))


def line_numbers(path: str | Path, rows: Sequence[int]) -> list[int]:
    """The line of a CSV file (header = 1) on which each data row starts: blank lines are skipped, as the
    reader skips them, and a quoted cell may span lines. Reads only as far as the last row asked for."""
    wanted = sorted(set(rows))
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


def _not_utf8(path: Path) -> str:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (f"{path}: not UTF-8 text (byte {data[exc.start]:#04x} on line {line}); re-encode it as UTF-8, "
                f"e.g. iconv -f latin1 -t utf-8 {path.name} > {path.stem}-utf8{path.suffix}")
    return f"{path}: not UTF-8 text"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
