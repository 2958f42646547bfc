"""Exact first-digit distributions for the built-in prompts with the default model: where the time goes.

Every exact variant runs the same expansion (`priorlab.lm.expansion.expand`: same grammar table, same
pruning, same results); they differ only in how the model is asked for next-token probabilities, and every
forward computes logits at the last position only (`logits_to_keep=1`):

- naive: prompt by prompt, one forward per open continuation over its whole text (prompt + continuation);
- batched, no cache: one forward per step over all open continuations of a batch of prompts, each row its
  whole text (left-padded);
- priorlab: `digit_distribution(method="exact")`: one forward per step over all open continuations, feeding
  only their newest token and reusing the prompts' KV cache;
- floor: one batched forward per prompt, what reading nine token probabilities costs (`method="tokens"`).

Each side is timed best-of-3 in this one process. naive / batched is the gain from batching, batched /
priorlab the gain from the KV cache alone, priorlab / floor the cost of exactness over a single forward.

Usage: python benchmarks/bench_lm.py [--quick] [--prompts N] [--batch-size B] [--repeat R] [--threads T]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import torch

from priorlab.lm.api import LowNumberMassWarning, digit_distribution, digit_table
from priorlab.lm.expansion import PromptBatch, expand, prompt_forward
from priorlab.lm.loading import load_lm
from priorlab.lm.prompts import BUILTIN_PROMPTS

os.environ.setdefault("HF_HUB_OFFLINE", "1")


class FullForward:
    """No cache: every row recomputes its whole text, in one padded batch or (`one_by_one`) a forward each."""

    def __init__(self, model: torch.nn.Module, token_ids: list[list[int]], one_by_one: bool) -> None:
        self.model = model
        self.sequences = [list(ids) for ids in token_ids]
        self.one_by_one = one_by_one

    def start(self) -> torch.Tensor:
        return self._forward()

    def extend(self, parent: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        self.sequences = [self.sequences[p] + [t] for p, t in zip(parent.tolist(), tokens.tolist(), strict=True)]
        return self._forward()

    def _forward(self) -> torch.Tensor:
        if self.one_by_one:
            return torch.cat([prompt_forward(self.model, PromptBatch.of([ids])) for ids in self.sequences])
        return prompt_forward(self.model, PromptBatch.of(self.sequences))


def uncached(lm, prompts: list[str], batch_size: int, one_by_one: bool, **options) -> np.ndarray:
    """Digit masses (prompts x 9) from the library's expansion driven by `FullForward`."""
    table = digit_table(lm, "first")
    token_ids = [lm.tokenizer.encode(prompt) for prompt in prompts]
    order = sorted(range(len(prompts)), key=lambda i: len(token_ids[i]))  # as digit_distribution batches
    masses = np.zeros((len(prompts), table.n_labels))
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        forward = FullForward(lm.model, [token_ids[i] for i in chunk], one_by_one)
        masses[chunk], _ = expand(forward, table, len(chunk), **options)
    return masses


def best_of(repeat: int, function, *args, **kwargs):
    """The shortest of `repeat` runs, in seconds, and the last run's result."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="16 prompts instead of 64")
    parser.add_argument("--prompts", type=int, default=None, help="number of built-in prompts (cycled)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the best counts")
    parser.add_argument("--threads", type=int, default=None, help="torch threads, for every side (default: torch's)")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    n = args.prompts or (16 if args.quick else 64)
    prompts = [BUILTIN_PROMPTS[i % len(BUILTIN_PROMPTS)].text for i in range(n)]
    warnings.simplefilter("ignore", LowNumberMassWarning)
    print(f"torch threads: {torch.get_num_threads()}; prompts: {n}; batch size: {args.batch_size}; "
          f"best of {args.repeat}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    start = time.perf_counter()
    lm = load_lm("default", progress=False)
    print(f"load_lm('default'): {time.perf_counter() - start:.2f} s")
    options = {"tol": 1e-4, "max_depth": 16, "max_frontier": 64}
    with torch.inference_mode():
        digit_distribution(lm, prompts[:2], batch_size=2)  # warm-up: tables, allocator
        floor, _ = best_of(args.repeat, digit_distribution, lm, prompts, method="tokens", batch_size=args.batch_size)
        fast, results = best_of(args.repeat, digit_distribution, lm, prompts, batch_size=args.batch_size, **options)
        batched, batched_masses = best_of(args.repeat, uncached, lm, prompts, args.batch_size, False, **options)
        naive, naive_masses = best_of(args.repeat, uncached, lm, prompts, 1, True, **options)
    fast_masses = np.array([r.probabilities * r.number_mass for r in results])
    print(f"floor, one batched forward per prompt:     {floor:8.2f} s")
    print(f"priorlab exact, batched + KV cache:        {fast:8.2f} s   {fast / floor:6.2f}x the floor")
    print(f"exact, batched, no cache:                  {batched:8.2f} s   {batched / fast:6.2f}x priorlab "
          "(the KV cache alone)")
    print(f"exact, naive (prompt by prompt, no cache): {naive:8.2f} s   {naive / fast:6.2f}x priorlab, "
          f"{naive / batched:.2f}x batched (batching alone)")
    for name, masses in (("batched, no cache", batched_masses), ("naive", naive_masses)):
        print(f"largest |priorlab - {name}| digit mass: {np.abs(fast_masses - masses).max():.1e}")
    print(f"largest unresolved mass: {max(r.unresolved_mass for r in results):.1e}")


if __name__ == "__main__":
    main()
