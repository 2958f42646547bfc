"""Section 5 of the demo: deep exploration (Osband et al., 2018). A small Deep Sea sweep of bootstrapped DQN
with and without randomized priors and epsilon-greedy DQN (the full sweep is `priorlab deep-sea --sweep`)."""

from __future__ import annotations

from pathlib import Path

from priorlab.demo.config import DemoConfig
from priorlab.demo.section import Advance, SectionOutput, save
from priorlab.report import ReportFigure, ReportSection, ReportTable
from priorlab.rl.plots import plot_sweep
from priorlab.rl.settings import SweepSettings
from priorlab.rl.sweep import sweep


def _introduction(settings: SweepSettings, seconds: float) -> str:
    return (
        "Randomized prior functions were made for reinforcement learning. Deep Sea (bsuite, Osband et al. 2020) "
        "rewards only the agent that moves right N times in a row, so an agent that explores by dithering needs "
        "about 2^N episodes. Bootstrapped DQN (Osband et al. 2016) with a random prior per Q-network (Osband et "
        "al. 2018) acts greedily on one sampled member per episode and learns in a number of episodes polynomial "
        f"in N. Sizes {', '.join(map(str, settings.sizes))}, {settings.seeds} seed(s), at most "
        f"{settings.episodes} episodes per run ({seconds:.0f} s); the full sweep is `priorlab deep-sea --sweep`."
    )


def deep_sea_section(config: DemoConfig, folder: Path, advance: Advance) -> SectionOutput:
    """The Deep Sea figure of Osband et al. (2018) on small sizes."""
    advance("deep sea")
    settings = config.deep_sea_sweep
    result = sweep(settings.sizes, settings.seeds, episodes=settings.episodes, progress=False)
    figure = save(plot_sweep(result), folder, "deep_sea_sweep.png")
    exponent = result.exponent_text()
    fit = "too few learned sizes to fit an exponent" if exponent is None else f"the prior agent's {exponent}"
    section = ReportSection(
        "Deep exploration: Deep Sea",
        _introduction(settings, result.seconds),
        [
            ReportFigure(
                figure,
                "Learning time (first episode by which 10% of the episodes found the treasure) against N on "
                "log-log axes. Filled markers learned; hollow markers on the dashed budget line never did. "
                f"Here {fit}.",
                "Deep Sea: learning time against size",
            ),
            ReportTable(list(result.COLUMNS), [list(row) for row in result.rows()]),
        ],
    )
    return SectionOutput([section], {"status": "ok", **result.to_dict()})
