"""`priorlab predict` on a large file: peak memory follows the chunk, not the file.

Problem: a table of `--rows` rows of `--features` uniform features (CSV or Parquet, written here in pieces),
and an ensemble fitted with `priorlab fit`'s defaults (10 members, a 20-20 MLP, a random-network prior) on
1000 rows of y = sin(3 x_0) + sum_j x_j + noise and saved. Each run is a fresh process,
`python -m priorlab.cli predict MODEL DATA --out OUT --chunk-rows N`, whose peak resident memory is the
kernel's own account of it (`os.wait4`'s ru_maxrss, so no sample is missed), and whose wall time includes
the start (importing torch, loading the model). A first run that only imports and loads the model gives
the floor every run stands on.

Runs: streaming with the default chunk (`tables.CHUNK_ROWS` rows), and with `--one-chunk` the same file
as a single chunk, which holds every row at once, the memory of a whole-file reader. The one-chunk run
needs several GB at 10^7 rows (the members' hidden activations of every row at once), so it is off by default.

Output: one line per run: rows, file MB, run, chunk rows, peak RSS MB, seconds, rows/s.

Usage:
    python benchmarks/bench_predict_stream.py [--rows 200000] [--features 2] [--format csv|parquet]
        [--likelihood mse|gaussian] [--chunk-rows N] [--one-chunk] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet

from priorlab.priors import Ensemble
from priorlab.tables import CHUNK_ROWS

PIECE = 1_000_000  # rows generated and written at a time


def write_data(path: Path, rows: int, features: int, seed: int = 0) -> None:
    """`rows` rows of `features` columns x0, x1, ... uniform on [-1, 1], written PIECE rows at a time."""
    rng = np.random.default_rng(seed)
    names = [f"x{j}" for j in range(features)]
    schema = pa.schema([(name, pa.float64()) for name in names])
    writer = (pa.parquet.ParquetWriter(path, schema) if path.suffix == ".parquet" else
              pa.csv.CSVWriter(path, schema))
    with writer:
        for start in range(0, rows, PIECE):
            size = min(PIECE, rows - start)
            writer.write_table(pa.table({name: rng.uniform(-1, 1, size) for name in names}, schema=schema))


def fit_model(directory: Path, features: int, likelihood: str) -> None:
    rng = np.random.default_rng(1)
    x = pd.DataFrame({f"x{j}": rng.uniform(-1, 1, 1000) for j in range(features)})
    y = np.sin(3 * x["x0"]) + x.sum(axis=1) + 0.1 * rng.standard_normal(1000)
    Ensemble(likelihood=likelihood, seed=0).fit(x, y, progress=False).save(directory)


def measure(argv: list[str]) -> tuple[float, float]:
    """(peak resident MB, seconds) of a fresh Python process running `argv`."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *argv], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(argv)} failed with status {status}")
    return usage.ru_maxrss / 1024, seconds  # Linux reports kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=2)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--likelihood", choices=("mse", "gaussian"), default="mse")
    parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    parser.add_argument("--one-chunk", action="store_true", help="also predict the file as one chunk")
    parser.add_argument("--workdir", type=Path, default=None, help="where the files go (default: a temporary one)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench_predict_")) if args.workdir is None else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        data, model = workdir / f"data.{args.format}", workdir / "model"
        write_data(data, args.rows, args.features)
        if model.exists():
            shutil.rmtree(model)
        fit_model(model, args.features, args.likelihood)
        file_mb = data.stat().st_size / 2**20
        floor = ["-c", "import sys; import priorlab.cli, priorlab.priors.streaming; "
                 "from priorlab.priors import Ensemble; Ensemble.load(sys.argv[1])", str(model)]
        runs = [("import + load model", None, floor), ("stream", args.chunk_rows, None)]
        if args.one_chunk:
            runs.append(("one chunk", args.rows, None))
        print(f"{args.rows:,} rows x {args.features} features, {args.format}, likelihood {args.likelihood}, "
              f"10 members; {sys.platform}, {os.cpu_count()} CPUs")
        print(f"{'rows':>12} {'file MB':>9} {'run':>20} {'chunk rows':>11} {'peak RSS MB':>12} {'seconds':>8} "
              f"{'rows/s':>10}")
        for name, chunk, argv in runs:
            out = workdir / f"pred.{args.format}"
            argv = argv or ["-m", "priorlab.cli", "predict", str(model), str(data), "--out", str(out),
                            "--chunk-rows", str(chunk)]
            peak, seconds = measure(argv)
            rate = f"{args.rows / seconds:,.0f}" if chunk else "-"
            print(f"{args.rows:>12,} {file_mb:>9.1f} {name:>20} {chunk or '-':>11} {peak:>12.0f} {seconds:>8.1f} "
                  f"{rate:>10}")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
