"""Deep Sea and the bootstrapped-DQN agent: environment steps per second and SGD steps per second.

Three measurements, each on torch's intra-op threads set to `--threads` (default 1, as the sweep runs):

- environment: bsuite's own `DeepSea` (one Python object per episode, the baseline) against
  `priorlab.rl.DeepSea` stepping `--copies` episodes at once in NumPy; uniformly random actions.
- agent: the K=20 prior agent (bsuite's boot_dqn defaults: MLP 50-50, batch 128, one SGD step per
  environment step) acting and learning on Deep Sea of size N, environment steps per second end to end.
- SGD: `sgd_step` alone, steps per second (all K members in one step), best of 3, with the one-hot
  observations handed to the networks as sparse tensors (the agent's choice) and, as the baseline, dense
  (a plain matmul first layer), alternating on the same agent; the ratio is printed.

bsuite's reference JAX agent is not run: it needs jax, haiku, optax and rlax, none of which is installed
here (and bsuite's agent loops over the K members, one jitted step each). Every number is measured in
full; nothing is extrapolated.

Usage:
    python benchmarks/bench_rl.py [--sizes 10,20,30] [--threads 1] [--copies 1000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import priorlab.rl.agent as agent_module
from priorlab.rl.agent import AgentConfig, BootstrappedDQN
from priorlab.rl.deep_sea import DeepSea, DeepSeaEnv
from priorlab.rl.experiment import run


def _timed(step, seconds: float) -> tuple[int, float]:
    """Call `step()` (which returns how many units it did) until `seconds` have passed; (units, seconds)."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        done += step()
    return done, time.perf_counter() - start


def bsuite_env_rate(size: int, seconds: float) -> float | None:
    try:
        from bsuite.environments.deep_sea import DeepSea as BsuiteDeepSea
    except ImportError:
        return None
    env, rng = BsuiteDeepSea(size, mapping_seed=0), np.random.default_rng(0)

    def episode() -> int:
        env.reset()
        for action in rng.integers(0, 2, size):
            env.step(int(action))
        return size

    return _rate(episode, seconds)


def _rate(step, seconds: float) -> float:
    done, elapsed = _timed(step, seconds)
    return done / elapsed


def priorlab_env_rate(size: int, copies: int, seconds: float) -> float:
    env, rng = DeepSea(size, copies, mapping_seed=0), np.random.default_rng(0)

    def episode() -> int:
        env.reset()
        for _ in range(size):
            env.step(rng.integers(0, 2, copies))
        return size * copies

    return _rate(episode, seconds)


def sgd_seconds(agent: BootstrappedDQN, steps: int, sparse: bool) -> float:
    """Seconds of `steps` SGD steps, observations handed over sparse (as the agent does) or dense."""
    density = agent_module.SPARSE_DENSITY
    agent_module.SPARSE_DENSITY = density if sparse else -1.0
    try:
        start = time.perf_counter()
        for _ in range(steps):
            agent.sgd_step()
        return time.perf_counter() - start
    finally:
        agent_module.SPARSE_DENSITY = density


def agent_rates(size: int, episodes: int, sgd_steps: int) -> tuple[float, float, float]:
    """(environment steps/s of the acting and learning K=20 agent; SGD steps/s of `sgd_step` alone with
    sparse and with dense observations, best of 3 each, alternating)."""
    env = DeepSeaEnv(size, mapping_seed=0)
    agent = BootstrappedDQN(size * size, 2, AgentConfig(), seed=0)
    seen = run(agent, env, episodes, progress=False)
    best = {True: float("inf"), False: float("inf")}
    for _ in range(3):
        for sparse in best:
            best[sparse] = min(best[sparse], sgd_seconds(agent, sgd_steps, sparse))
    return seen.env_steps / seen.seconds, sgd_steps / best[True], sgd_steps / best[False]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,20,30")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--episodes", type=int, default=40, help="episodes of the agent measurement")
    parser.add_argument("--sgd-steps", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    print(f"{'N':>4} {'bsuite env':>12} {'priorlab env':>14} {'ratio':>7} {'K=20 agent env':>15} "
          f"{'SGD/s sparse':>13} {'SGD/s dense':>12} {'ratio':>6}")
    for size in (int(s) for s in args.sizes.split(",")):
        theirs = bsuite_env_rate(size, args.seconds)
        ours = priorlab_env_rate(size, args.copies, args.seconds)
        env_rate, sparse_rate, dense_rate = agent_rates(size, args.episodes, args.sgd_steps)
        baseline = "not installed" if theirs is None else f"{theirs:,.0f}/s"
        ratio = "" if theirs is None else f"{ours / theirs:.0f}x"
        print(
            f"{size:>4} {baseline:>12} {ours:>12,.0f}/s {ratio:>7} {env_rate:>13,.0f}/s {sparse_rate:>13,.0f} "
            f"{dense_rate:>12,.0f} {sparse_rate / dense_rate:>5.1f}x", flush=True
        )


if __name__ == "__main__":
    main()
