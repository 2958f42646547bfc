"""Figures of Deep Sea runs: the sweep's learning time against N (Osband et al. 2018's figure) and one run's
running fraction of episodes that found the treasure."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from priorlab.rl.experiment import LEARNED_FRACTION, DeepSeaResult, Episodes
from priorlab.rl.sweep import SweepResult

AGENT_STYLE = {
    "prior": ("C0", "bootstrapped DQN + prior"),
    "bootstrap": ("C1", "bootstrapped DQN, no prior"),
    "dqn": ("C3", "DQN, epsilon-greedy"),
}


def plot_sweep(result: SweepResult) -> Figure:
    """Learning time against N (log-log): filled markers learned, hollow ones at the budget never did."""
    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = figure.add_subplot()
    offsets = {agent: 1 + 0.02 * (i - 1) for i, agent in enumerate(AGENT_STYLE)}
    for agent, (colour, label) in AGENT_STYLE.items():
        runs = [run for run in result.runs if run.agent == agent]
        if not runs:
            continue
        learned = [(run.size * offsets[agent], run.learning_time) for run in runs if run.learning_time]
        failed = [run.size * offsets[agent] for run in runs if run.learning_time is None]
        if learned:
            ax.scatter(*zip(*learned, strict=True), color=colour, label=label, zorder=3)
        if failed:
            ax.scatter(
                failed,
                [result.budget] * len(failed),
                facecolors="none",
                edgecolors=colour,
                zorder=3,
                label=f"{label}: not learned" if not learned else None,
            )
    sizes = np.array(sorted({run.size for run in result.runs}), dtype=float)
    learned = [run.learning_time for run in result.runs if run.learning_time]
    ax.axhline(result.budget, color="grey", linestyle="--", linewidth=1, label=f"budget ({result.budget} episodes)")
    if result.exponent is not None:
        prior = [(run.size, run.learning_time) for run in result.runs if run.agent == "prior" and run.learning_time]
        x, y = np.log([p[0] for p in prior]), np.log([p[1] for p in prior])
        intercept = np.mean(y - result.exponent * x)
        se = f" ± {result.exponent_se:.2f}" if result.exponent_se is not None else ""
        ax.plot(
            sizes,
            np.exp(intercept) * sizes**result.exponent,
            color="C0",
            linewidth=1,
            label=f"fit: N^{result.exponent:.2f}{se}",
        )
    ax.plot(sizes, 2.0**sizes, color="black", linestyle=":", linewidth=1, label="2^N (dithering)")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="Deep Sea size N",
        ylabel="learning time (episodes)",
        ylim=(max(1.0, min(learned, default=result.budget) / 3), result.budget * 3),
        title="Deep Sea (Osband et al. 2018): episodes until 10% find the treasure",
    )
    ax.set_xticks(sizes, [str(int(s)) for s in sizes])
    ax.minorticks_off()
    ax.legend(fontsize=8, loc="lower right")
    return figure


def plot_learning(result: DeepSeaResult, seen: Episodes) -> Figure:
    """The running fraction of episodes that found the treasure, and the 10% line that defines learning."""
    figure = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = figure.add_subplot()
    episode = np.arange(1, seen.treasures.size + 1)
    ax.plot(
        episode,
        np.cumsum(seen.treasures) / episode,
        color=AGENT_STYLE[result.agent][0],
        label=AGENT_STYLE[result.agent][1],
    )
    ax.axhline(LEARNED_FRACTION, color="grey", linestyle="--", linewidth=1, label="10%: learned")
    if result.learning_time is not None:
        ax.axvline(
            result.learning_time,
            color="black",
            linestyle=":",
            linewidth=1,
            label=f"learning time {result.learning_time}",
        )
    ax.set(
        xlabel="episode",
        ylabel="fraction of episodes with the treasure",
        ylim=(0, 1),
        title=f"Deep Sea N={result.size}, seed {result.seed}",
    )
    ax.legend(fontsize=8)
    return figure
