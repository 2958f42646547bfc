"""Choosing an ensemble's settings from the training data alone, one procedure for any regression data.

The training rows are shuffled with a seeded generator and the last `VALIDATION_FRACTION` of them are held
out. For every setting of `GRID` (prior_scale x weight_decay; a plain ensemble, prior="none", has no prior
scale to choose) an ensemble is trained on the rest and the validation NLL of its Gaussian mixture, in the
target's units, is read at evenly spaced epochs; the setting and epoch count with the lowest one win, and
the ensemble is refit on all the training rows with them. The UCI benchmark (`benchmarks/bench_uci.py`)
and the demo's real-data section run exactly this.

Every ensemble: `N_MEMBERS` Gaussian members (`likelihood="gaussian"`), one hidden layer of `n_hidden`
units as in Lakshminarayanan et al. (2017), inputs and targets standardised on the rows it is trained on,
multinomial bootstrap, Adam at `LR`, minibatches of `BATCH_SIZE` (the paper's 100). The epoch budget: at
least `n_epochs`, and up to `EPOCH_FACTOR` times that while the run stays under `MAX_STEPS` optimiser steps,
so that small data sets (a few optimiser steps per epoch) are trained to the point the validation curve
picks rather than stopped after a few hundred steps.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from priorlab.metrics import nll

N_MEMBERS = 10
LR = 1e-2
BATCH_SIZE = 100
EPOCH_FACTOR = 25
MAX_STEPS = 5000
CHECKPOINTS = 20
"""Validation NLL is read at about this many evenly spaced epochs of each selection run."""
VALIDATION_FRACTION = 0.2
GRID = {"prior_scale": (0.1, 0.3, 1.0), "weight_decay": (1e-4, 1e-3)}
"""The one hyperparameter grid, the same for every data set (epochs are chosen on the validation curve)."""


@dataclass(frozen=True)
class Protocol:
    """What every ensemble of a data set is trained with, besides the selected settings."""

    n_hidden: int = 50
    n_epochs: int = 40
    n_members: int = N_MEMBERS
    batch_size: int = BATCH_SIZE
    lr: float = LR
    epoch_factor: int = EPOCH_FACTOR
    max_steps: int = MAX_STEPS

    def max_epochs(self, n_rows: int) -> int:
        steps_per_epoch = max(1, math.ceil(n_rows / self.batch_size))
        return max(self.n_epochs, min(self.epoch_factor * self.n_epochs, self.max_steps // steps_per_epoch))


@dataclass(frozen=True)
class Selected:
    """The winning grid setting, its epoch count and its validation NLL."""

    settings: dict = field(default_factory=dict)
    epochs: int = 0
    validation_nll: float = math.inf

    def describe(self) -> str:
        return ", ".join(f"{k}={v:g}" for k, v in {**self.settings, "epochs": self.epochs}.items())


def make_ensemble(protocol: Protocol, prior: str, settings: dict, epochs: int, seed: int):
    from priorlab.priors.ensemble import Ensemble

    return Ensemble(n_members=protocol.n_members, hidden=(protocol.n_hidden,), prior=prior,
                    prior_scale=settings.get("prior_scale", 0.0) if prior != "none" else 0.0,
                    weight_decay=settings["weight_decay"], lr=protocol.lr, epochs=epochs,
                    batch_size=protocol.batch_size, likelihood="gaussian", standardize=True, seed=seed)


def grid(prior: str) -> list[dict]:
    names = [name for name in GRID if prior != "none" or name != "prior_scale"]
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*(GRID[n] for n in names))]


def validation_split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the fitting rows and the validation rows (the last 20% of a seeded shuffle)."""
    order = np.random.default_rng(seed).permutation(n)
    n_valid = max(1, round(VALIDATION_FRACTION * n))
    return order[:-n_valid], order[-n_valid:]


def select(x: np.ndarray, y: np.ndarray, protocol: Protocol, prior: str, seed: int) -> Selected:
    """The grid setting and epoch count with the lowest validation NLL, from the training rows alone."""
    fit_rows, valid_rows = validation_split(len(y), seed)
    x_fit, y_fit, x_valid, y_valid = x[fit_rows], y[fit_rows], x[valid_rows], y[valid_rows]
    max_epochs = protocol.max_epochs(len(y_fit))
    every = max(1, max_epochs // CHECKPOINTS)
    best = Selected()
    for setting in grid(prior):
        curve: list[tuple[int, float]] = []

        def read(epoch: int, ensemble, curve=curve) -> None:
            dist = ensemble.predict_distribution(x_valid)
            curve.append((epoch + 1, nll(y_valid, dist.means, np.sqrt(dist.variances))))

        # A diverging setting (or a non-finite prediction) keeps only the checkpoints it reached.
        with contextlib.suppress(ValueError):
            make_ensemble(protocol, prior, setting, max_epochs, seed).fit(
                x_fit, y_fit, progress=False, callback=read, callback_every=every)
        for epochs, value in curve:
            if value < best.validation_nll:
                best = Selected(setting, epochs, value)
    if not best.settings:
        raise RuntimeError("every setting of the grid diverged on the validation split")
    return best


def fit_selected(x: np.ndarray, y: np.ndarray, protocol: Protocol | None = None, *, prior: str = "mlp",
                 seed: int = 0):
    """Select on a validation split of (x, y), then refit on all of it; returns (fitted Ensemble, Selected)."""
    protocol = protocol or Protocol()
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    chosen = select(x, y, protocol, prior, seed)
    ensemble = make_ensemble(protocol, prior, chosen.settings, chosen.epochs, seed).fit(x, y, progress=False)
    return ensemble, chosen
