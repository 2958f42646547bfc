"""benchmarks/bench_minibatch_memory.py at a small size: the kernel's peak accounting sees what a side holds
(K resampled float32 copies of the data weigh what their bytes say), and priorlab's training holds less."""

from __future__ import annotations

import re
import sys

import pytest
from tests.conftest import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("bench_minibatch_memory")


def test_each_side_prints_its_peak_above_the_data(bench, monkeypatch, capsys):
    rows, features, members = 60_000, 8, 60
    monkeypatch.setattr(sys, "argv", ["bench", "--rows", str(rows), "--features", str(features),
                                      "--members", str(members), "--batch-size", "128"])
    bench.main()
    lines = capsys.readouterr().out.splitlines()
    peaks = {}
    for line in lines[1:]:
        side, data_mb, extra_mb = re.match(r"\s*(\w+): data (\d+) MB, peak above it (\d+) MB", line).groups()
        assert int(data_mb) == round(rows * (features + 1) * 8 / 2**20)
        peaks[side] = int(extra_mb)
    copies_mb = members * rows * (features + 1) * 4 / 2**20  # what the K float32 resamples weigh
    assert copies_mb * 0.95 <= peaks["copies"] <= copies_mb * 1.5, peaks
    assert peaks["priorlab"] < peaks["copies"] / 2, peaks
