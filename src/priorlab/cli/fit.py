"""`priorlab fit`: train a randomized prior ensemble on a CSV file and save it to a model folder."""

from __future__ import annotations

from pathlib import Path

import typer

from priorlab.cli._options import Quiet, Scheduler, Workers, parse_integers, split_names
from priorlab.cli._output import Output
from priorlab.priors.params import PARAMS_BY_NAME, PRIOR_NAMES


def _ensemble_option(name: str, flag: str, *, default: object = None,
                     help: str | None = None) -> typer.models.OptionInfo:
    """A `priorlab fit` option for `Ensemble` parameter `name`: its default and help come from the parameter
    table (`priorlab.priors.params`, which imports without torch); the library checks the value."""
    param = PARAMS_BY_NAME[name]
    text = help or param.describe()
    return typer.Option(param.default if default is None else default, flag, help=text[0].upper() + text[1:] + ".")


def fit(
    train: Path = typer.Argument(..., help="Training CSV file."),
    target: str = typer.Option(..., "--target", help="Name of the (numeric) column to predict."),
    features: str | None = typer.Option(None, "--features",
                                        help="Comma-separated feature columns (default: all others)."),
    members: int = _ensemble_option("n_members", "--members"),
    prior: str = _ensemble_option("prior", "--prior",  # the names only: code cannot come from the command line
                                  help=f"{PARAMS_BY_NAME['prior'].help} ({' | '.join(PRIOR_NAMES)})"),
    prior_scale: float = _ensemble_option("prior_scale", "--prior-scale"),
    bootstrap: str = _ensemble_option("bootstrap", "--bootstrap"),
    hidden: str = _ensemble_option("hidden", "--hidden", default=",".join(map(str, PARAMS_BY_NAME["hidden"].default)),
                                   help="comma-separated hidden layer widths of each member's MLP"),
    epochs: int = _ensemble_option("epochs", "--epochs"),
    lr: float = _ensemble_option("lr", "--lr"),
    batch_size: int | None = _ensemble_option("batch_size", "--batch-size"),
    seed: int = _ensemble_option("seed", "--seed"),
    standardize: bool = _ensemble_option("standardize", "--standardize/--raw", default=True,
                                         help="train on standardised features and target (prior scale in units of "
                                         "the target's std) or on raw values"),
    likelihood: str = _ensemble_option("likelihood", "--likelihood"),
    out: Path = typer.Option(..., "--out", help="Model directory to write (replaced if it exists)."),
    scheduler: Scheduler = None,
    workers: Workers = None,
    quiet: Quiet = False,
) -> None:
    """Train K randomized-prior MLPs together on TRAIN and save them to a model directory."""
    from priorlab.priors.fit_file import fit_file

    fitted = fit_file(train, out, target=target, features=split_names(features), progress=not quiet,
                      scheduler=scheduler, workers=workers, n_members=members, prior=prior, prior_scale=prior_scale,
                      bootstrap=bootstrap, hidden=parse_integers(hidden, "--hidden"), epochs=epochs, lr=lr,
                      batch_size=batch_size, seed=seed, standardize=standardize, likelihood=likelihood)
    ensemble = fitted.ensemble
    Output().line(f"model: {out} ({members} members, {fitted.rows} rows, features "
                  f"{', '.join(ensemble.feature_names_)}; final loss {float(ensemble.history_[-1].mean()):.4g}, "
                  f"{ensemble.fit_seconds_:.2f} s)")
