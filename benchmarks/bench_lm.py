"""Exact first-digit distributions for the built-in prompts with the default model, three ways, one process.

- priorlab: `digit_distribution(method="exact")`: prompts batched, every expansion step one forward over all
  open continuations, reusing the prompts' KV cache.
- naive: the same exact computation (same grammar table, same pruning) prompt by prompt, one full forward
  per expansion, no batching, no cache.
- floor: one batched forward per prompt (what reading nine token probabilities costs, `method="tokens"`).

Targets (issue 4): priorlab >= 4x faster than naive, and <= 2.5x the floor, on 2 cores.
Usage: python benchmarks/bench_lm.py [--quick] [--prompts N] [--batch-size B]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import torch

from priorlab.benford.lm import LowNumberMassWarning, digit_distribution, digit_table, select_continuations
from priorlab.benford.models import load_lm
from priorlab.benford.prompts import BUILTIN_PROMPTS

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def naive_exact(lm, prompt: str, tol: float, max_depth: int, max_frontier: int) -> tuple[np.ndarray, float]:
    """Digit masses and unresolved mass of one prompt: a full forward for every open continuation."""
    table = digit_table(lm, "first")
    prompt_ids = lm.tokenizer.encode(prompt)
    masses = np.zeros(table.n_labels)
    unresolved = 0.0
    pruned = np.zeros(1)
    frontier = [((), 1.0, 0)]  # (continuation token ids, probability, grammar state)
    for depth in range(max_depth):
        candidates = []
        for prefix, mass, state in frontier:
            inputs = torch.tensor([prompt_ids + list(prefix)])
            p = torch.softmax(lm.model(input_ids=inputs).logits[0, -1].float(), -1).double() * mass
            codes = table.codes[state]
            fixed = codes < table.n_labels
            masses += np.bincount(codes[fixed].numpy(), p[fixed].numpy(), minlength=table.n_labels)
            tokens, states = table.continuations[state]
            candidates += [((*prefix, t), float(p[t]), s) for t, s in zip(tokens.tolist(), states.tolist())]
        if not candidates:
            break
        candidate_mass = np.array([c[1] for c in candidates])
        if depth == max_depth - 1:
            unresolved += candidate_mass.sum()
            break
        keep, newly_pruned, dropped = select_continuations(
            np.zeros(len(candidates), dtype=np.int64), candidate_mass, pruned, tol, max_frontier
        )
        pruned += newly_pruned
        unresolved += float(dropped[0])
        frontier = [c for c, k in zip(candidates, keep) if k]
        if not frontier:
            break
    return masses, unresolved


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 prompts instead of 64")
    parser.add_argument("--prompts", type=int, default=None, help="number of built-in prompts (cycled)")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    n = args.prompts or (16 if args.quick else 64)
    prompts = [BUILTIN_PROMPTS[i % len(BUILTIN_PROMPTS)].text for i in range(n)]
    warnings.simplefilter("ignore", LowNumberMassWarning)
    print(f"torch threads: {torch.get_num_threads()}; prompts: {n}; batch size: {args.batch_size}")
    load_time, lm = timed(load_lm, "default")
    print(f"load_lm('default'): {load_time:.2f} s")
    options = {"tol": 1e-4, "max_depth": 16, "max_frontier": 64}
    with torch.inference_mode():
        digit_distribution(lm, prompts[:2], batch_size=2)  # warm-up: tables, allocator
        floor_time, _ = timed(digit_distribution, lm, prompts, method="tokens", batch_size=args.batch_size)
        fast_time, fast = timed(digit_distribution, lm, prompts, batch_size=args.batch_size, **options)
        naive_time, naive = timed(lambda: [naive_exact(lm, p, **options) for p in prompts])
    difference = max(
        float(np.abs(r.probabilities * r.number_mass - masses).max()) for r, (masses, _) in zip(fast, naive)
    )
    print(f"floor (one batched forward per prompt): {floor_time:7.2f} s")
    print(f"priorlab exact, batched + KV cache:     {fast_time:7.2f} s   = {fast_time / floor_time:.2f}x floor "
          "(target <= 2.5)")
    print(f"naive exact loop, no batch, no cache:   {naive_time:7.2f} s   -> priorlab is "
          f"{naive_time / fast_time:.1f}x faster (target >= 4)")
    print(f"largest |priorlab - naive| digit mass:  {difference:.2e}")
    print(f"largest unresolved mass: {max(r.unresolved_mass for r in fast):.2e}")


if __name__ == "__main__":
    main()
