"""Minibatch training of K members on many rows: memory follows the data, not K times the data.

Problem: `--rows` rows of `--features` standard normal features (float64, as a user holds them) and
y = sum_j x_j + noise; an ensemble of `--members` members (a 50-50 SELU MLP each, a random-network prior,
multinomial bootstrap) trained for `--epochs` epochs on minibatches of `--batch-size` rows, 1 torch thread.

Each side runs in a fresh process that first builds the data, then resets the kernel's peak-memory mark
(`/proc/self/clear_refs`) and reads it back after the work (VmHWM), so the peak is the kernel's own account
of the work on data already in memory, and no sample is missed:

- priorlab: `Ensemble(...).fit(x, y)`; each member's minibatches are drawn from its own bootstrap on demand.
- copies: what training each member on its own resampled copy of the data holds (the classic bootstrap):
  the K resamples of x and y in float32, built and held at once; no training.

Output: the data size, each side's peak memory above the data and its ratio to the data size, and the
seconds priorlab took; one run per side (memory, not time, is the measurement).

Usage:
    python benchmarks/bench_minibatch_memory.py [--rows 1000000] [--features 8] [--members 100]
        [--batch-size 128] [--epochs 1] [--skip-copies]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from priorlab.priors import Ensemble


def make_data(rows: int, features: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, features))
    y = x.sum(axis=1)
    y += rng.standard_normal(rows)
    return x, y


def peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def current_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def child(side: str, args: argparse.Namespace) -> dict[str, float]:
    torch.set_num_threads(1)
    x, y = make_data(args.rows, args.features)
    ensemble = Ensemble(n_members=args.members, hidden=(50, 50), batch_size=args.batch_size, epochs=args.epochs,
                        seed=0)
    if side == "priorlab":  # warm up torch's kernels and allocator on a few rows, outside the measurement
        Ensemble(n_members=2, hidden=(50, 50), batch_size=4, epochs=1).fit(x[:16], y[:16], progress=False)
    before = current_kb()
    Path("/proc/self/clear_refs").write_text("5")  # the peak mark starts again from the current RSS
    started = time.perf_counter()
    if side == "priorlab":
        ensemble.fit(x, y, progress=False)
    else:
        keys = np.random.default_rng(1)
        copies = [(torch.tensor(x[rows], dtype=torch.float32), torch.tensor(y[rows], dtype=torch.float32))
                  for rows in (keys.integers(0, args.rows, args.rows) for _ in range(args.members))]
        assert len(copies) == args.members
    seconds = time.perf_counter() - started
    return {"extra_mb": (peak_kb() - before) / 1024, "seconds": seconds, "data_mb": (x.nbytes + y.nbytes) / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--skip-copies", action="store_true", help="do not build the K copies (K x the data)")
    parser.add_argument("--child", choices=["priorlab", "copies"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args)))
        return
    print(f"torch {torch.__version__}, 1 thread; {args.rows} rows x {args.features} features (float64) and a "
          f"target; K={args.members} members, 50-50 SELU MLP + MLP prior, multinomial bootstrap, batch "
          f"{args.batch_size}, {args.epochs} epoch(s); peak memory above the data, fresh process per side")
    sides = ["priorlab"] if args.skip_copies else ["priorlab", "copies"]
    for side in sides:
        command = [sys.executable, __file__, "--child", side, *sys.argv[1:]]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        timing = f", {result['seconds']:.1f} s" if side == "priorlab" else ""
        ratio = result["extra_mb"] / result["data_mb"]
        print(f"{side:>9}: data {result['data_mb']:.0f} MB, peak above it {result['extra_mb']:.0f} MB = {ratio:.2f}x "
              f"the data (data + peak: {1 + ratio:.2f}x){timing}", flush=True)


if __name__ == "__main__":
    main()
