"""The options several commands share, declared once as `Annotated` types (typer's form), and the checks
of option values that come before any work: an output path that cannot take a figure, a list of sizes.

A command declares `quiet: Quiet = False` and gets the same flag, help and spelling as every other
command; an option that means something of its own in one command is declared there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
JsonOutput = Annotated[bool, typer.Option("--json", help="Print the result as JSON instead of tables.")]
PlotFile = Annotated[
    Path | None, typer.Option("--plot", help="Write the figure to this file (.png, .svg, .pdf, ...).")
]
Scheduler = Annotated[
    str | None, typer.Option("--scheduler", help="Dask scheduler address: run the work on its workers.")
]
Workers = Annotated[int | None, typer.Option("--workers", help="Run the work on a local Dask cluster of N processes.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of every random process.")]


def check_plot_path(plot: Path | None) -> None:
    """Refuse a --plot path that cannot take a figure before any data is read or model loaded."""
    if plot is not None:
        from priorlab.files import check_output_file, figure_suffixes

        check_output_file(plot, figure_suffixes(), argument="--plot")


def split_names(text: str | None) -> list[str] | None:
    """'a, b,c' -> ['a', 'b', 'c']; None stays None."""
    return None if text is None else [name.strip() for name in text.split(",") if name.strip()]


def parse_integers(text: str, flag: str) -> list[int]:
    """'20,20' -> [20, 20], refused by `flag`'s name if it is not a list of integers."""
    try:
        return [int(value) for value in split_names(text)]
    except ValueError:
        raise ValueError(f"{flag}: expected comma-separated integers such as 20,20, got {text!r}") from None
