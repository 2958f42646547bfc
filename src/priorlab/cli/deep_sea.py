"""`priorlab deep-sea`: the exploration experiment of Osband et al. (2018), one run or the sweep.

The defaults are `priorlab.rl.settings`' (torch-free, so `--help` stays quick); the library checks the values.
"""

from __future__ import annotations

import typer

from priorlab.cli._options import JsonOutput, PlotFile, Quiet, check_plot_path, parse_integers
from priorlab.cli._output import Output
from priorlab.rl.settings import BUDGET, SEEDS, SIZE, SIZES


def deep_sea(
    size: int = typer.Option(SIZE, "--size", help="Deep Sea size N (an N x N grid, N steps per episode)."),
    agent: str = typer.Option(
        "prior",
        "--agent",
        help="prior | bootstrap | dqn: bootstrapped DQN with randomized "
        "priors, without priors, or one network acting epsilon-greedily.",
    ),
    members: int | None = typer.Option(None, "--members", help="Q-networks K (default 20; dqn 1)."),
    episodes: int = typer.Option(BUDGET, "--episodes", help="Episode budget of each run."),
    seed: int = typer.Option(0, "--seed", help="Seed of the action mapping and of every random choice of the agent."),
    sweep: bool = typer.Option(False, "--sweep", help="All three agents over --sizes and --seeds, in parallel."),
    sizes: str = typer.Option(",".join(map(str, SIZES)), "--sizes", help="Sizes of the sweep."),
    seeds: int = typer.Option(SEEDS, "--seeds", help="Seeds 0..S-1 of the sweep."),
    workers: int | None = typer.Option(None, "--workers", help="Processes of the sweep (default: 2 or the CPUs)."),
    as_json: JsonOutput = False,
    plot: PlotFile = None,
    quiet: Quiet = False,
) -> None:
    """Deep exploration on Deep Sea (bsuite): learning time of bootstrapped DQN with and without randomized priors
    (Osband et al. 2016, 2018) and epsilon-greedy DQN."""
    from priorlab.files import save_figure
    from priorlab.rl import plots
    from priorlab.rl.experiment import deep_sea as run_deep_sea
    from priorlab.rl.sweep import sweep as run_sweep

    check_plot_path(plot)
    if sweep:
        result = run_sweep(tuple(parse_integers(sizes, "--sizes")), seeds, episodes=episodes, workers=workers,
                           progress=not quiet)
        figure = plots.plot_sweep(result) if plot is not None else None
    else:
        result, seen = run_deep_sea(size, agent, episodes=episodes, seed=seed, members=members, progress=not quiet)
        figure = plots.plot_learning(result, seen) if plot is not None else None
    if figure is not None:
        save_figure(figure, plot)
    output = Output(as_json)
    output.emit(result.to_dict(), lambda out: _render_sweep(out, result) if sweep else _render_run(out, result))
    output.wrote("plot", plot)


def _render_run(out: Output, result) -> None:
    learned = "never" if result.learning_time is None else f"episode {result.learning_time}"
    out.line(f"deep sea N={result.size} {result.agent} seed {result.seed}: learned {learned}, "
             f"{result.treasures} treasures in {result.episodes} episodes, {result.seconds:.1f} s")


def _render_sweep(out: Output, result) -> None:
    from rich.table import Table

    table = Table(*result.COLUMNS, title=f"Deep Sea, budget {result.budget} episodes")
    for agent, size, times in result.rows():
        table.add_row(agent, str(size), times)
    out.show(table)
    exponent = result.exponent_text()
    if exponent is not None:
        out.line(f"prior agent: {exponent}; {result.seconds:.0f} s")
