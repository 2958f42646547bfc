"""`priorlab lm-digits`: the digits a causal language model expects after a prompt."""

from __future__ import annotations

import warnings
from pathlib import Path

import typer
from rich.markup import escape

from priorlab.cli._options import PlotFile, Quiet, check_plot_path
from priorlab.cli._output import Output
from priorlab.lm.grammar import POSITIONS


def lm_digits(
    prompts: list[str] | None = typer.Argument(None, help="Prompts (default: the built-in set of 64)."),
    prompts_file: Path | None = typer.Option(None, "--prompts-file", help="More prompts, one per line ('#' comments)."),
    model: str = typer.Option("default", "--model", help="default | Hugging Face id (local cache) | directory | .gguf"),
    position: str = typer.Option("first", "--position", help=" | ".join(POSITIONS)),
    method: str = typer.Option(
        "exact", "--method",
        help="exact (every way of writing the number) | tokens (the nine single-digit tokens, Perone 2019)",
    ),
    batch_size: int = typer.Option(64, "--batch-size", help="Prompts per forward pass."),
    tol: float = typer.Option(1e-4, "--tol", help="Largest probability left unresolved per prompt."),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON list, one object per prompt."),
    plot: PlotFile = None,
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address: shard prompts over it."),
    quiet: Quiet = False,
) -> None:
    """P(digit | prompt, a number follows) from a causal language model, with Benford statistics."""
    from priorlab.lm.api import LowNumberMassWarning
    from priorlab.lm.cluster import digit_distribution_of
    from priorlab.lm.prompts import gather_prompts

    check_plot_path(plot)
    texts = gather_prompts(prompts, prompts_file)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LowNumberMassWarning)
        results = digit_distribution_of(model, texts, scheduler=scheduler, progress=not quiet, position=position,
                                        method=method, batch_size=batch_size, tol=tol)
    output = Output(json_output)
    for warning in caught:
        output.warn(str(warning.message))
    if plot is not None:
        from priorlab.benford.plots import plot_lm_digits
        from priorlab.files import save_figure

        save_figure(plot_lm_digits(results), plot)
    output.emit([r.to_dict() for r in results], lambda out: _render(out, results, model))
    output.wrote("plot", plot)


def _render(out: Output, results, model: str) -> None:
    """One row per prompt: the digit probabilities in thousandths (or the top three), masses, statistics."""
    import numpy as np
    from rich import box
    from rich.table import Table

    first = results[0]
    per_digit = len(first.digits) <= 10
    table = Table(
        title=f"P({first.position} digit | prompt, a number follows): {escape(model)}, {first.method}",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("prompt", overflow="fold", min_width=20)
    heading = f"P(d) in %, d = {first.digits[0]}..{first.digits[-1]}" if per_digit else "most likely"
    table.add_column(heading, no_wrap=True)
    for name in ("P(num)", "r", "MAD"):
        table.add_column(name, justify="right")
    for r in results:
        stats = r.to_dict()
        if per_digit:
            cells = " ".join(" -" if p is None else f"{round(100 * p):2d}" for p in stats["probabilities"])
        else:
            top = np.argsort(-np.nan_to_num(r.probabilities))[:3]
            cells = ", ".join(f"{r.digits[i]}: {r.probabilities[i]:.3f}" for i in top)
        table.add_row(
            escape(r.prompt),
            cells,
            f"{r.number_mass:.3f}",
            "-" if stats["pearson_r"] is None else f"{stats['pearson_r']:.3f}",
            "-" if stats["mad"] is None else f"{stats['mad']:.4f}",
        )
    out.show(table)
    unresolved = max((r.unresolved_mass for r in results), default=float("nan"))
    out.line(f"P(num): probability that a number follows; r, MAD: Pearson correlation with and mean absolute "
             f"deviation from Benford's law; largest unresolved mass {unresolved:.1e} (--json gives all)",
             style="dim")
