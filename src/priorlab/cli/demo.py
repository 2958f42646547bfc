"""`priorlab demo`: the browsable report of everything priorlab does (`priorlab.demo`)."""

from __future__ import annotations

from pathlib import Path

import typer

from priorlab.cli._options import Quiet, Seed
from priorlab.cli._output import Output


def demo(
    out: Path = typer.Option(Path("out"), "--out", help="Report folder (created, or a previous report replaced)."),
    quick: bool = typer.Option(False, "--quick", help="A small, fast run (about a minute) with the same files."),
    members: int | None = typer.Option(None, "--members", help="Ensemble members K (default 40, quick 10)."),
    model: str = typer.Option("default", "--model", help="Language model spec for the Benford section."),
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Reproduce Osband et al. (2018) and Perone (2019) end to end: OUT/index.html, summary.json, figures."""
    from priorlab.demo import DemoConfig, run_demo

    result = run_demo(DemoConfig(out=out, quick=quick, members=members, model=model, seed=seed, progress=not quiet))
    output = Output()
    for section, reason in result.skipped.items():
        output.warn(reason, f"skipped {section}")
    output.line(f"report: {result.out / 'index.html'} ({len(result.figures)} figures)")
