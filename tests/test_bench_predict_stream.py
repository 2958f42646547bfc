"""benchmarks/bench_predict_stream.py on a small file: the data it writes, and one line per measured run
with the peak memory of a fresh process (at least the interpreter's) and a rate that matches the time."""

from __future__ import annotations

import sys

import pyarrow.parquet as pq
import pytest
from tests.conftest import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("bench_predict_stream")


def test_the_data_is_written_in_pieces_of_the_asked_shape(bench, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "PIECE", 300)
    bench.write_data(tmp_path / "d.parquet", 1000, 3)
    table = pq.read_table(tmp_path / "d.parquet")
    assert table.column_names == ["x0", "x1", "x2"] and table.num_rows == 1000
    assert pq.ParquetFile(tmp_path / "d.parquet").metadata.num_row_groups == 4  # 300, 300, 300, 100


def test_each_run_prints_rows_peak_memory_and_rate(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["bench", "--rows", "2000", "--chunk-rows", "700", "--one-chunk",
                                      "--workdir", str(tmp_path)])
    bench.main()
    lines = capsys.readouterr().out.splitlines()
    runs = {line.split()[2] if "load" not in line else "floor": line.split() for line in lines[2:]}
    assert sorted(runs) == ["floor", "one", "stream"]
    stream = runs["stream"]
    rows, peak_mb, seconds, rate = int(stream[0].replace(",", "")), float(stream[4]), float(stream[5]), stream[6]
    assert rows == 2000 and stream[3] == "700"
    assert peak_mb > 20  # a Python process with torch imported
    assert float(rate.replace(",", "")) == pytest.approx(rows / seconds, rel=0.1)  # seconds printed rounded
    assert (tmp_path / "pred.csv").exists() and (tmp_path / "model").is_dir()
