"""The Deep Sea figure of Osband et al. (2018): learning time against N for the three agents, on log-log axes.

Each (agent, N, seed) run is independent, so the sweep spreads them over worker processes (one torch
thread each), largest N first so that the slow runs start early. A run stops at its learning time; a run
that never learns uses the whole budget, which is the line the failing agents hit in the figure. The
prior agent's learning time is fitted as `c * N^b` by least squares on log-log axes; `b`'s standard
error comes from that fit.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy.stats import linregress
from tqdm.auto import tqdm

from priorlab.rl.agent import AGENTS
from priorlab.rl.experiment import DeepSeaResult, deep_sea
from priorlab.rl.settings import BUDGET, SEEDS, SIZES
from priorlab.validation import check_choice, check_int


@dataclass
class SweepResult:
    """Every run of a sweep, and the prior agent's fitted exponent. What a table of it shows is said here once:
    `rows()` under `COLUMNS`, then `exponent_text()`; the command line and the demo both print that."""

    runs: list[DeepSeaResult]
    budget: int  # episodes per run
    exponent: float | None  # b of learning time ~ N^b for the prior agent (None: fewer than two sizes learned)
    exponent_se: float | None
    seconds: float

    COLUMNS: ClassVar[tuple[str, str, str]] = ("agent", "N", "learning time per seed ('-': not within the budget)")

    def rows(self) -> list[tuple[str, int, str]]:
        """(agent, N, its learning times in seed order) for every agent and size run, agents in `AGENTS` order
        (the prior agent first), sizes increasing."""
        order = list(AGENTS)
        times: dict[tuple[str, int], list[str]] = {}
        for run in sorted(self.runs, key=lambda run: (order.index(run.agent), run.size, run.seed)):
            cell = "-" if run.learning_time is None else str(run.learning_time)
            times.setdefault((run.agent, run.size), []).append(cell)
        return [(agent, size, ", ".join(seeds)) for (agent, size), seeds in times.items()]

    def exponent_text(self) -> str | None:
        """'learning time ~ N^1.19 ± 0.16' for the prior agent (no ± without a standard error); None when too
        few sizes learned to fit one."""
        if self.exponent is None:
            return None
        se = "" if self.exponent_se is None else f" ± {self.exponent_se:.2f}"
        return f"learning time ~ N^{self.exponent:.2f}{se}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "exponent": self.exponent,
            "exponent_se": self.exponent_se,
            "seconds": self.seconds,
            "runs": [run.to_dict() for run in self.runs],
        }


def _one(size: int, agent: str, episodes: int, seed: int) -> DeepSeaResult:
    import torch

    torch.set_num_threads(1)
    return deep_sea(size, agent, episodes=episodes, seed=seed, stop_when_learned=True, progress=False)[0]


def fit_exponent(runs: list[DeepSeaResult], agent: str = "prior") -> tuple[float | None, float | None]:
    """Least-squares slope of log(learning time) on log(N) over `agent`'s learned runs, and its standard error
    (None with fewer than three points)."""
    points = np.array([(run.size, run.learning_time) for run in runs if run.agent == agent and run.learning_time])
    if len(points) < 2 or len(set(points[:, 0])) < 2:
        return None, None
    fit = linregress(np.log(points[:, 0]), np.log(points[:, 1]))
    se = float(fit.stderr) if len(points) > 2 and np.isfinite(fit.stderr) else None
    return float(fit.slope), se


def sweep(
    sizes: tuple[int, ...] = SIZES,
    seeds: int = SEEDS,
    agents: tuple[str, ...] = tuple(AGENTS),
    *,
    episodes: int = BUDGET,
    workers: int | None = None,
    progress: bool = True,
    on_run: Callable[[DeepSeaResult], None] | None = None,
) -> SweepResult:
    """Every agent on every size for seeds 0..seeds-1, `episodes` per run at most, over `workers` processes;
    `on_run` sees each run as it finishes."""
    sizes = tuple(check_int(size, "sizes", minimum=2) for size in sizes)
    agents = tuple(check_choice(agent, "agents", tuple(AGENTS)) for agent in agents)
    seeds, episodes = check_int(seeds, "seeds"), check_int(episodes, "episodes")
    workers = check_int(workers or min(2, os.cpu_count() or 1), "workers")
    tasks = sorted(
        ((size, agent, episodes, seed) for size in sizes for agent in agents for seed in range(seeds)),
        key=lambda task: -task[0],
    )
    start = time.perf_counter()
    runs: list[DeepSeaResult] = []
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_one, *task) for task in tasks]
        for future in tqdm(as_completed(futures), total=len(futures), disable=not progress, desc="deep sea runs"):
            runs.append(future.result())
            if on_run is not None:
                on_run(runs[-1])
    runs.sort(key=lambda run: (run.agent, run.size, run.seed))
    exponent, se = fit_exponent(runs)
    return SweepResult(runs, episodes, exponent, se, round(time.perf_counter() - start, 1))
