"""`priorlab deep-sea`: the exploration experiment of Osband et al. (2018), one run or the sweep."""

from __future__ import annotations

import typer

from priorlab.cli._options import JsonOutput, PlotFile, Quiet, check_plot_path, parse_integers
from priorlab.cli._output import Output


def deep_sea(
    size: int = typer.Option(10, "--size", help="Deep Sea size N (an N x N grid, N steps per episode)."),
    agent: str = typer.Option(
        "prior",
        "--agent",
        help="prior | bootstrap | dqn: bootstrapped DQN with randomized "
        "priors, without priors, or one network acting epsilon-greedily.",
    ),
    members: int | None = typer.Option(None, "--members", help="Q-networks K (default 20; dqn 1)."),
    episodes: int | None = typer.Option(None, "--episodes", help="Episode budget of each run (default 1000)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the action mapping and of every random choice of the agent."),
    sweep: bool = typer.Option(False, "--sweep", help="All three agents over --sizes and --seeds, in parallel."),
    sizes: str | None = typer.Option(None, "--sizes", help="Sizes of the sweep (default 10,14,...,30)."),
    seeds: int = typer.Option(3, "--seeds", help="Seeds 0..S-1 of the sweep."),
    workers: int | None = typer.Option(None, "--workers", help="Processes of the sweep (default: 2 or the CPUs)."),
    as_json: JsonOutput = False,
    plot: PlotFile = None,
    quiet: Quiet = False,
) -> None:
    """Deep exploration on Deep Sea (bsuite): learning time of bootstrapped DQN with and without randomized priors
    (Osband et al. 2016, 2018) and epsilon-greedy DQN."""
    from priorlab.files import save_figure
    from priorlab.rl import plots
    from priorlab.rl.agent import agent_config
    from priorlab.rl.experiment import BUDGET
    from priorlab.rl.experiment import deep_sea as run_deep_sea
    from priorlab.rl.sweep import SIZES
    from priorlab.rl.sweep import sweep as run_sweep

    check_plot_path(plot)
    episodes = BUDGET if episodes is None else episodes
    if sweep:
        result = run_sweep(
            tuple(parse_integers(sizes, "--sizes")) if sizes else SIZES,
            seeds,
            episodes=episodes,
            workers=workers,
            progress=not quiet,
        )
        figure = plots.plot_sweep(result) if plot is not None else None
    else:
        agent_config(agent, members=members)  # refuse a bad agent or K before any work
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

    table = Table("agent", "N", "learning times (per seed)", title=f"Deep Sea, budget {result.budget} episodes")
    for key in sorted({(run.agent, run.size) for run in result.runs}):
        times = [run.learning_time for run in result.runs if (run.agent, run.size) == key]
        table.add_row(key[0], str(key[1]), ", ".join("-" if t is None else str(t) for t in times))
    out.show(table)
    if result.exponent is not None:
        se = "" if result.exponent_se is None else f" ± {result.exponent_se:.2f}"
        out.line(f"prior agent: learning time ~ N^{result.exponent:.2f}{se}; {result.seconds:.0f} s")
