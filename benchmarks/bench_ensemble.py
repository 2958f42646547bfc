"""Training K randomized-prior members: the seed's per-member Python loop vs `priorlab.priors.Ensemble`.

Setting (issue 2): 1-20-20-1 SELU MLP + MLP prior, multinomial bootstrap, full batch on osband_1d,
1000 Adam steps (lr 1e-2). (a) the seed's way: one `ModelWithPrior` and one Adam per member, trained in
a Python loop; (b) `Ensemble` (stacked parameters, hand-written batched backward, one fused Adam);
(c) for reference, `Ensemble` through its generic torch.func path (stack_module_state + functional_call
+ vmap + autograd, i.e. PyTorch's model-ensembling recipe). Times include building the members.

The loop is timed for K <= --loop-max (default 40); for larger K its time is extrapolated from the
measured per-member time (marked "~"), since members are independent. Usage:
    python benchmarks/bench_ensemble.py [--quick] [--threads N] [--loop-max K]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from priorlab.priors import MLP, Ensemble, ModelWithPrior, osband_1d


def seed_loop(k_members: int, x: torch.Tensor, y: torch.Tensor, steps: int, seed: int = 0) -> float:
    """The seed's recipe, each member trained alone; returns seconds."""
    started = time.perf_counter()
    generator = torch.Generator().manual_seed(seed)
    for _ in range(k_members):
        model = ModelWithPrior(MLP(), MLP(), 1.0)
        indices = torch.randint(0, len(x), (len(x),), generator=generator)  # bootstrap resample
        xb, yb = x[indices], y[indices]
        optimizer = torch.optim.Adam(model.base_model.parameters(), lr=1e-2)
        loss_fn = nn.MSELoss()
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
    return time.perf_counter() - started


def ensemble_fit(k_members: int, x: np.ndarray, y: np.ndarray, steps: int, generic: bool = False) -> float:
    ensemble = Ensemble(n_members=k_members, prior="mlp", bootstrap="multinomial", epochs=steps, lr=1e-2,
                        base=MLP if generic else None)
    started = time.perf_counter()
    ensemble.fit(x, y, progress=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="K = 10, 40 only and 300 steps")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: as is)")
    parser.add_argument("--loop-max", type=int, default=40, help="largest K for which the loop is timed")
    parser.add_argument("--no-generic", action="store_true", help="skip the torch.func reference path")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    steps = 300 if args.quick else 1000
    sizes = (10, 40) if args.quick else (10, 40, 100, 400)
    x, y = osband_1d()
    xt, yt = torch.tensor(x), torch.tensor(y)
    # warm-up: the first torch.optim.Adam imports torch._dynamo (seconds), first kernels allocate
    seed_loop(1, xt, yt, 5)
    ensemble_fit(2, x, y, 5)
    ensemble_fit(2, x, y, 5, generic=True)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {steps} full-batch Adam steps on osband_1d")
    header = f"{'K':>5} {'seed loop (s)':>14} {'Ensemble (s)':>13} {'speed-up':>9}"
    if not args.no_generic:
        header += f" {'torch.func (s)':>15} {'speed-up':>9}"
    print(header)
    per_member, times = None, {}
    for k in sizes:
        if k <= args.loop_max or per_member is None:
            loop = seed_loop(k, xt, yt, steps)
            per_member, loop_text = loop / k, f"{loop:14.2f}"
        else:
            loop = per_member * k
            loop_text = f"{'~' + format(loop, '.2f'):>14}"
        fast = ensemble_fit(k, x, y, steps)
        times[k] = fast
        row = f"{k:5d} {loop_text} {fast:13.3f} {loop / fast:8.1f}x"
        if not args.no_generic:
            generic = ensemble_fit(k, x, y, steps, generic=True)
            row += f" {generic:15.3f} {loop / generic:8.1f}x"
        print(row, flush=True)
    if 10 in times and 100 in times:
        print(f"Ensemble time K=100 / K=10: {times[100] / times[10]:.2f} (linear growth would be 10)")
    print("~: extrapolated from the measured per-member loop time")


if __name__ == "__main__":
    main()
