"""Training K randomized-prior members (Osband et al. 2018): separate models in a loop vs stacked.

Problem: the paper's 1-D data (`osband_1d`, 20 points, full batch), a 1-20-20-1 SELU MLP plus a frozen
1-20-20-1 MLP prior (prior_scale 1), multinomial bootstrap, Adam with lr 1e-2, float32 on the CPU. Four
ways of training the same K members (each side builds member k with `Ensemble.build_member`, so all start
from the same weights and priors and train on the same bootstrap resample):

- loop:      the way of Perone (2019)'s blog code: K separate `ModelWithPrior(MLP, prior MLP, beta)` models,
             trained one after another, each with its own `torch.optim.Adam`. The frozen prior's output is
             recomputed inside the model's forward at EVERY step.
- loop-pre:  the same loop, but each member's prior output is computed once before its steps (as priorlab
             does), so the difference to priorlab is the gain from stacking alone.
- vmap:      PyTorch's model-ensembling recipe: `torch.func.stack_module_state` + `functional_call` + `vmap`,
             differentiated by autograd, one `torch.optim.Adam` over the stacked tensors; the prior output
             is computed once (vmapped) before the steps.
- priorlab:  `priorlab.priors.Ensemble.fit`: stacked parameters in one flat tensor, a hand-written batched
             backward pass, one fused Adam; the prior output is computed once.

Every timing covers building the members and all the steps; each configuration is run `--repeats` times
(default 3, interleaved across the sides) and the best time is printed. Nothing is extrapolated: every
number is measured in full. Each configuration is run with torch's intra-op threads set to each value of
`--threads` (default 1 and 2) for every side. priorlab's training runs small steps (under 2^24
multiply-adds, see `step_threads` in priorlab/priors/training.py) on one thread even when more are
available; the table reports the thread count each side actually trained on (priorlab's is read inside
its training loop), and a last section puts each side at its own best thread count.

Before the timings, an untimed check that the sides do the same work: 10 members trained by each side
match priorlab's to 1e-4 after 100 steps (the script stops otherwise). Over 1000 steps Adam amplifies
float32 rounding until members differ by O(0.1-1) between any two implementations, the loop included
against itself with only the order of its sums changed; that drift is printed, with this yardstick
and each side's final training loss, but not asserted.

The loop costs about 0.4-0.5 ms per member and step on one core, so the default configurations
(K:steps = 10:1000, 40:1000, 100:300; 80k member-steps per side, run 2 x 3 times for loop and loop-pre)
take about 7 minutes; --quick (10:200, 40:200) about 1 minute. Larger runs: --configs 100:1000,400:100.

Usage:
    python benchmarks/bench_ensemble.py [--quick] [--threads 1,2] [--repeats 3] [--configs 10:1000,40:1000]
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import functional_call, stack_module_state, vmap

from priorlab.priors import Ensemble, ModelWithPrior, osband_1d

FULL = "10:1000,40:1000,100:300"
QUICK = "10:200,40:200"
LR = 1e-2
PRIOR_SCALE = 1.0
HIDDEN = (20, 20)
SEED = 0
GRID = np.linspace(-1.0, 2.0, 61, dtype=np.float32)[:, None]  # where trained members are compared (data: [0, 1.5])


@dataclass
class Result:
    seconds: float
    threads: int  # torch intra-op threads the steps actually ran on
    predict: Callable[[np.ndarray], np.ndarray]  # (m, 1) inputs -> (K, m) trained members' f_k + beta p_k


def make_ensemble(k_members: int, steps: int) -> Ensemble:
    return Ensemble(n_members=k_members, hidden=HIDDEN, prior="mlp", prior_scale=PRIOR_SCALE,
                    bootstrap="multinomial", epochs=steps, lr=LR, seed=SEED)


def resample_indices(ensemble: Ensemble, n: int) -> torch.Tensor:
    """(K, n) bootstrap indices: member k's resample with the counts priorlab uses as its loss weights
    (training on x[indices] gives the same loss as weighting x by the counts; the order does not matter)."""
    counts = torch.as_tensor(ensemble.bootstrap_weights(n), dtype=torch.int64)
    return torch.stack([torch.repeat_interleave(torch.arange(n), row) for row in counts])


def run_loop(k_members: int, steps: int, x: torch.Tensor, y: torch.Tensor, *, precompute_prior: bool,
             reverse_rows: bool = False) -> Result:
    """K separate models, each with its own Adam, trained one after another (the blog's way).

    `reverse_rows` feeds each member its resample in reverse row order: the same work, summed in another
    order, to show how far float32 rounding alone moves a member over many Adam steps."""
    ensemble = make_ensemble(k_members, steps)  # only to build the same members; it is never fitted
    started = time.perf_counter()
    indices = resample_indices(ensemble, len(x))
    if reverse_rows:
        indices = indices.flip(1)
    models: list[ModelWithPrior] = []
    for k in range(k_members):
        model = ensemble.build_member(k, x.shape[1], y.shape[1])
        xb, yb = x[indices[k]], y[indices[k]]
        optimizer = torch.optim.Adam(model.base_model.parameters(), lr=LR)
        if precompute_prior:
            with torch.no_grad():
                prior_out = model.prior_scale * model.prior_model(xb)
            for _ in range(steps):
                optimizer.zero_grad()
                loss = torch.nn.functional.mse_loss(model.base_model(xb) + prior_out, yb)
                loss.backward()
                optimizer.step()
        else:
            for _ in range(steps):
                optimizer.zero_grad()
                loss = torch.nn.functional.mse_loss(model(xb), yb)  # model(xb) runs the frozen prior too
                loss.backward()
                optimizer.step()
        models.append(model)
    seconds = time.perf_counter() - started

    @torch.no_grad()
    def predict(inputs: np.ndarray) -> np.ndarray:
        return torch.stack([m(torch.from_numpy(inputs))[:, 0] for m in models]).numpy()

    return Result(seconds, torch.get_num_threads(), predict)


def run_vmap(k_members: int, steps: int, x: torch.Tensor, y: torch.Tensor) -> Result:
    """PyTorch's model-ensembling recipe (torch.func) with autograd and one Adam over the stacked tensors."""
    ensemble = make_ensemble(k_members, steps)
    started = time.perf_counter()
    indices = resample_indices(ensemble, len(x))
    members = [ensemble.build_member(k, x.shape[1], y.shape[1]) for k in range(k_members)]
    params, buffers = stack_module_state([m.base_model for m in members])
    prior_params, prior_buffers = stack_module_state([m.prior_model for m in members])
    skeleton = copy.deepcopy(members[0].base_model).to("meta")

    def call(p: dict, b: dict, inputs: torch.Tensor) -> torch.Tensor:
        return functional_call(skeleton, (p, b), (inputs,))

    xb, yb = x[indices], y[indices]  # (K, n, 1) each member's resample
    with torch.no_grad():
        prior_out = PRIOR_SCALE * vmap(call)(prior_params, prior_buffers, xb)
    optimizer = torch.optim.Adam(params.values(), lr=LR)
    for _ in range(steps):
        optimizer.zero_grad()
        out = vmap(call)(params, buffers, xb) + prior_out
        loss = (out - yb).square().mean(dim=(1, 2)).sum()  # sum of the members' MSE losses
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - started

    @torch.no_grad()
    def predict(inputs: np.ndarray) -> np.ndarray:
        batched, grid = vmap(call, in_dims=(0, 0, None)), torch.from_numpy(inputs)
        out = batched(params, buffers, grid) + PRIOR_SCALE * batched(prior_params, prior_buffers, grid)
        return out[..., 0].numpy()

    return Result(seconds, torch.get_num_threads(), predict)


def run_priorlab(k_members: int, steps: int, x: np.ndarray, y: np.ndarray) -> Result:
    ensemble = make_ensemble(k_members, steps)
    seen: list[int] = []

    def record_threads(epoch: int, _: Ensemble) -> None:  # runs inside the training loop, after the last step
        seen.append(torch.get_num_threads())

    started = time.perf_counter()
    ensemble.fit(x, y, progress=False, callback=record_threads, callback_every=max(steps, 1))
    seconds = time.perf_counter() - started
    threads = seen[-1] if seen else torch.get_num_threads()
    return Result(seconds, threads, lambda inputs: ensemble.predict(inputs).samples)


SIDES = ("loop", "loop-pre", "vmap", "priorlab")
CHECK_MEMBERS = 10
SHORT_STEPS = 100  # float32 trajectories of the four sides still agree to ~1e-6 here
SHORT_TOLERANCE = 1e-4


def runners(x: np.ndarray, y: np.ndarray) -> dict[str, Callable[[int, int], Result]]:
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    return {
        "loop": lambda k, steps: run_loop(k, steps, xt, yt, precompute_prior=False),
        "loop-pre": lambda k, steps: run_loop(k, steps, xt, yt, precompute_prior=True),
        "vmap": lambda k, steps: run_vmap(k, steps, xt, yt),
        "priorlab": lambda k, steps: run_priorlab(k, steps, x, y),
        "loop, rows reversed": lambda k, steps: run_loop(k, steps, xt, yt, precompute_prior=False, reverse_rows=True),
    }


def largest_difference(a: Result, b: Result) -> float:
    return float(np.abs(a.predict(GRID) - b.predict(GRID)).max())


def final_loss(result: Result, x: np.ndarray, y: np.ndarray, steps: int) -> float:
    """Mean over members of the training loss (MSE on the member's bootstrap resample) after training."""
    indices = resample_indices(make_ensemble(CHECK_MEMBERS, steps), len(x)).numpy()
    fitted = np.take_along_axis(result.predict(x), indices, axis=1)
    return float(np.mean((fitted - y[indices, 0]) ** 2))


def check_same_members(x: np.ndarray, y: np.ndarray, long_steps: int) -> list[str]:
    """Untimed, on one thread: do the sides train the same members? Returns the sides that fail.

    After SHORT_STEPS steps every side must match priorlab's members to SHORT_TOLERANCE. Over many more
    steps Adam amplifies float32 rounding (the loop against itself with each resample's rows summed in
    reverse order drifts as far), so at `long_steps` the differences are reported next to that floor,
    with the final training losses, and not asserted."""
    torch.set_num_threads(1)
    run = runners(x, y)
    short = {side: run[side](CHECK_MEMBERS, SHORT_STEPS) for side in SIDES}
    differences = {side: largest_difference(short[side], short["priorlab"]) for side in SIDES[:-1]}
    print(f"Same members? {CHECK_MEMBERS} members, 1 thread, largest |member prediction - priorlab's| on "
          f"{len(GRID)} points of [{GRID[0, 0]:g}, {GRID[-1, 0]:g}]:")
    print(f"  after {SHORT_STEPS} steps: " + ", ".join(f"{side} {d:.1e}" for side, d in differences.items())
          + f" (must be <= {SHORT_TOLERANCE:g})")
    if long_steps > SHORT_STEPS:
        sides = ("loop", "loop-pre", "vmap", "priorlab", "loop, rows reversed")
        long = {side: run[side](CHECK_MEMBERS, long_steps) for side in sides}
        print(f"  after {long_steps} steps: "
              + ", ".join(f"{side} {largest_difference(long[side], long['priorlab']):.1e}" for side in SIDES[:-1])
              + f"; loop vs loop-pre {largest_difference(long['loop'], long['loop-pre']):.1e}")
        print("    differences grow with the steps as Adam amplifies float32 rounding; for scale, the loop against "
              f"itself with each resample's rows summed in reverse order: "
              f"{largest_difference(long['loop'], long['loop, rows reversed']):.1e}")
        print("    mean final training loss: "
              + ", ".join(f"{side} {final_loss(long[side], x, y, long_steps):.3e}" for side in sides))
    return [side for side, d in differences.items() if not d <= SHORT_TOLERANCE]


def parse_configs(text: str) -> list[tuple[int, int]]:
    try:
        configs = [(int(k), int(steps)) for k, _, steps in (item.partition(":") for item in text.split(","))]
    except ValueError:
        raise SystemExit(f"--configs: expected K:steps pairs such as 10:1000,40:1000, got {text!r}") from None
    if any(k < 1 or steps < 1 for k, steps in configs):
        raise SystemExit(f"--configs: K and steps must be positive integers, got {text!r}")
    return configs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"configurations {QUICK} (K:steps) instead of {FULL}")
    parser.add_argument("--configs", default=None, help=f"comma-separated K:steps pairs (default {FULL})")
    parser.add_argument("--threads", default="1,2", help="comma-separated torch thread counts (default 1,2)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration; the best is kept (default 3)")
    args = parser.parse_args()
    configs = parse_configs(args.configs or (QUICK if args.quick else FULL))
    try:
        thread_counts = [int(t) for t in args.threads.split(",")]
    except ValueError:
        raise SystemExit(f"--threads: expected integers such as 1,2, got {args.threads!r}") from None
    if args.repeats < 1 or any(t < 1 for t in thread_counts):
        raise SystemExit("--repeats and --threads must be positive")
    x, y = osband_1d()
    run = runners(x, y)
    total_started = time.perf_counter()

    # Warm-up at every thread count (the first Adam imports torch._dynamo, thread pools start, kernels load).
    for threads in thread_counts:
        torch.set_num_threads(threads)
        for side in SIDES:
            run[side](2, 5)

    print(f"torch {torch.__version__}, CPU ({os.cpu_count()} logical cores), float32; osband_1d: n=20, "
          f"batch = all 20 points; 1-20-20-1 SELU MLP + frozen 1-20-20-1 MLP prior, beta={PRIOR_SCALE}; "
          f"multinomial bootstrap; Adam lr={LR}")
    print(f"threads: {', '.join(map(str, thread_counts))} (torch.set_num_threads before every run of every side); "
          f"best of {args.repeats} runs, interleaved across the sides; times include building the members; "
          "nothing extrapolated")
    print("loop: the frozen prior's forward runs inside every step (as in the blog code); loop-pre, vmap and priorlab "
          "compute the prior output once before the steps")
    print("Adam: torch.optim.Adam defaults, one per model (loop) or one over the stacked tensors (vmap); priorlab: "
          "fused Adam on one flat tensor")
    failed = check_same_members(x, y, max(steps for _, steps in configs))
    if failed:
        raise SystemExit(f"members trained by {', '.join(failed)} differ from priorlab's: not the same work")

    print("\nran on: torch's intra-op thread setting while each side trained (loop/loop-pre/vmap/priorlab), read at "
          "the end of its steps; priorlab trains steps under 2^24 multiply-adds on one thread whatever is available "
          "(step_threads in priorlab/priors/training.py): the column shows what it kept")
    header = (f"{'K':>4} {'steps':>5} {'thr':>3} {'loop s':>8} {'loop-pre s':>10} {'vmap s':>8} {'priorlab s':>10} "
              f"{'ran on':>9} {'loop/pl':>8} {'pre/pl':>7} {'vmap/pl':>8} {'loop/pre':>8}")
    print(header)
    print("-" * len(header))
    best: dict[tuple[int, int, int, str], Result] = {}
    for k, steps in configs:
        for threads in thread_counts:
            results: dict[str, list[Result]] = {side: [] for side in SIDES}
            for _ in range(args.repeats):
                for side in SIDES:
                    torch.set_num_threads(threads)
                    results[side].append(run[side](k, steps))
            torch.set_num_threads(threads)
            for side in SIDES:
                best[k, steps, threads, side] = min(results[side], key=lambda r: r.seconds)
            t = {side: best[k, steps, threads, side].seconds for side in SIDES}
            ran = "/".join(str(best[k, steps, threads, side].threads) for side in SIDES)
            print(f"{k:4d} {steps:5d} {threads:3d} {t['loop']:8.2f} {t['loop-pre']:10.2f} {t['vmap']:8.3f} "
                  f"{t['priorlab']:10.3f} {ran:>9} {t['loop'] / t['priorlab']:7.1f}x "
                  f"{t['loop-pre'] / t['priorlab']:6.1f}x {t['vmap'] / t['priorlab']:7.1f}x "
                  f"{t['loop'] / t['loop-pre']:7.2f}x", flush=True)

    if len(thread_counts) > 1:
        print("\nEach side at its own best thread count (the fastest of its rows above):")
        for k, steps in configs:
            fastest = {side: min((best[k, steps, th, side] for th in thread_counts), key=lambda r: r.seconds)
                       for side in SIDES}
            pl = fastest["priorlab"].seconds
            parts = ", ".join(f"{side} {fastest[side].seconds:.3f} s on {fastest[side].threads}"
                              + ("" if side == "priorlab" else f" ({fastest[side].seconds / pl:.1f}x)")
                              for side in SIDES)
            print(f"  K={k}, {steps} steps: {parts}")
    torch.set_num_threads(thread_counts[0])
    print(f"\ntotal wall time {time.perf_counter() - total_started:.0f} s")


if __name__ == "__main__":
    main()
