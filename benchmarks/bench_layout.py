"""How `StackedMLP` stores a layer that narrows a hidden layer: (K, out, in) against (K, in, out).

Both sides are `priorlab.priors.Ensemble.fit` with the same seed, data and settings in one process; the
baseline stores every weight block (K, in, out) (`stacked._stored_transposed` patched to answer no), priorlab
stores the blocks of layers after the first that narrow (K, out, in). Configurations are the shapes priorlab
trains: the UCI benchmark's Gaussian members (one hidden layer of 50 or 100 SELU units, 2 outputs: mean and
variance, batches of 100 rows, 10 members, a frozen prior MLP), and the 1-D figure's full-batch 1-20-20-1
MSE members. Each side is timed over the whole fit, best of `--repeats` (interleaved), on `--threads` torch
threads. Before timing, an untimed check that both sides do the same work: their predictions after one
epoch agree to 1e-4 (over many steps Adam amplifies the float32 rounding of a different summation order).

Usage:
    python benchmarks/bench_layout.py [--repeats 3] [--threads 1] [--epochs 30]
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np
import torch

from priorlab.priors import Ensemble, stacked

CONFIGS = {  # name: (rows, features, hidden, likelihood, batch size, members)
    "uci kin8nm-like 8-50-2 gaussian": (5898, 8, (50,), "gaussian", 100, 10),
    "uci protein-like 9-50-2 gaussian": (5000, 9, (50,), "gaussian", 100, 10),
    "uci 13-100-2 gaussian": (2000, 13, (100,), "gaussian", 100, 10),
    "1-D figure 1-20-20-1 mse, full batch": (20, 1, (20, 20), "mse", None, 40),
}


def every_block_in_by_out():
    """The baseline layout: `StackedMLP` stores no weight block transposed."""
    return mock.patch.object(stacked, "_stored_transposed", lambda widths, depth: False)


def fit_seconds(rows: int, features: int, hidden: tuple[int, ...], likelihood: str, batch_size: int | None,
                members: int, epochs: int) -> tuple[float, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, features))
    y = np.sin(x).sum(axis=1) + 0.1 * rng.normal(size=rows)
    ensemble = Ensemble(n_members=members, hidden=hidden, activation="selu", prior="mlp", prior_scale=1.0,
                        likelihood=likelihood, batch_size=batch_size, epochs=epochs, lr=1e-2, seed=0)
    started = time.perf_counter()
    ensemble.fit(x, y, progress=False)
    return time.perf_counter() - started, ensemble.predict(x[:50]).samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=30, help="epochs per fit (the 1-D configuration: x 30)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), best of {args.repeats}")
    print(f"{'configuration':40s} {'(K,in,out) s':>13s} {'priorlab s':>11s} {'ratio':>6s}")
    for name, config in CONFIGS.items():
        epochs = args.epochs * (30 if config[4] is None else 1)
        with every_block_in_by_out():
            baseline = fit_seconds(*config, 1)[1]
        np.testing.assert_allclose(fit_seconds(*config, 1)[1], baseline, rtol=1e-4, atol=1e-4)
        best = {"baseline": np.inf, "priorlab": np.inf}
        for _ in range(args.repeats):
            with every_block_in_by_out():
                best["baseline"] = min(best["baseline"], fit_seconds(*config, epochs)[0])
            best["priorlab"] = min(best["priorlab"], fit_seconds(*config, epochs)[0])
        print(f"{name:40s} {best['baseline']:13.3f} {best['priorlab']:11.3f} "
              f"{best['baseline'] / best['priorlab']:6.2f}x")


if __name__ == "__main__":
    main()
