"""Choosing an ensemble's settings from the training data alone: one procedure for any regression data.

1. Hold out the last `VALIDATION_FRACTION` of a seeded shuffle of the training rows.
2. For each prior scale of `PRIOR_SCALES` a method may use (randomized priors: the positive ones; the plain
   deep ensemble, prior="none": 0), train an ensemble on the rest for the epoch budget, its learning rate
   annealed to 0 along a cosine over that budget, reading the validation NLL of its Gaussian mixture (in the
   target's units) at evenly spaced epochs, until a quarter of the run's readings in a row bring no new
   lowest. The method's lowest reading gives its prior scale and the epoch at which to stop.
3. On that reading's validation predictions, fit one factor on the members' variances by maximum likelihood
   (the variance scaling of Laves et al. 2020, a one-parameter recalibration in the sense of Kuleshov et
   al. 2018). An ensemble's mean is more accurate than its members, whose variances measure their own
   errors: on data with little noise (naval) the mixture is too wide (test coverage of 90% intervals
   0.95-0.96, the factor 0.5-0.7); where the validation curve stops training early it is too narrow (Concrete:
   factors up to 2, test NLL lower on each of 5 splits).
4. Refit on all the training rows with the chosen scale, along the same cosine, stopped at the chosen epoch,
   its variances times the factor.
5. Score the refit's predictive distribution on the test rows, which reach nothing before (`evaluate`: the
   UCI benchmark's split and the demo's real-data section are this one call).

Where the budget, not overfitting, ends training (the large data sets), the run anneals all the way and
Adam settles in the optimum instead of jittering around it; where the curve turns earlier (small data), the
run stops where the learning rate is still close to its start. One run per scale does both, which the
refit reproduces exactly (`Ensemble(lr_horizon=...)`).

Methods selected together share the runs of step 2 (the benchmark compares priorlab with the plain
ensemble at the cost of one more scale and one more refit).

Every ensemble: `N_MEMBERS` members with a Gaussian likelihood, the MLP's SELU, one hidden layer of `n_hidden`
units as in Lakshminarayanan et al. (2017), inputs and targets standardised on the rows it is trained on, the
multinomial bootstrap of Osband et al. (2018), Adam at `LR` without weight decay (the stopping epoch
regularises) on minibatches of `BATCH_SIZE` rows (the paper's 100). (On 3 splits of Boston and Concrete, ReLU
gave intervals that covered 84-87% of the test rows instead of 90-92%, and a worse NLL; no bootstrap did the
same on 2 splits. Over all splits, 5 members instead of 10 cost Boston 0.05 nats; weight decay 1e-4 changed
Boston and Concrete by under 0.01 and cost Protein 0.01.)

The cost follows the member-rows processed (rows times members), not the data set: a run's epoch budget is
at least `n_epochs`, at most `EPOCH_FACTOR` times that and `Protocol.run_budget` member-rows, which grows as
the square root of the training rows, so that small data sets are trained to the point their validation
curve picks and larger ones get more work but fewer epochs. (On this scale of network a step's cost grows
nearly in proportion to its rows, so larger batches buy few seconds for many fewer steps: naval's mean test
NLL over its 20 splits was -4.29 with batches of 430 rows, -6.56 with batches of 100. With a budget
proportional to the rows, protein's 41,000 rows got 48 epochs, its curve still falling at the end: its mean
test NLL was 2.870, and 2.841 with 97 epochs. With 17M member-rows at BUDGET_ROWS, Kin8nm got 221 epochs and
-1.197; with 21M, 273 epochs and -1.206, protein 115 and 2.837. Stopping stalled validation runs (the small
data sets' curves turn at 10-65% of the cosine) and a faster step paid for it: the full benchmark took 17.7
minutes instead of 18.5.)
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import minimize_scalar

from priorlab.metrics import nll, score_all
from priorlab.priors.inputs import as_float_array, as_matrix
from priorlab.validation import check_choice

if TYPE_CHECKING:
    from priorlab.predictive import GaussianMixture

N_MEMBERS = 10
LR = 1e-2
BATCH_SIZE = 100
MEMBER_ROW_BUDGET = 21_000_000
"""Member-rows (rows times members) per run for `BUDGET_ROWS` training rows; `Protocol.run_budget` scales it."""
BUDGET_ROWS = 10_000
EPOCH_FACTOR = 25
CHECKPOINTS = 20
"""Validation NLL is read at about this many evenly spaced epochs of each selection run."""
PATIENCE = CHECKPOINTS // 4
"""A selection run stops after this many readings (a quarter of the run) without a new lowest validation NLL."""
VALIDATION_FRACTION = 0.2
VARIANCE_SCALE_BOUNDS = (1e-2, 1e2)
PRIOR_SCALES = (0.0, 0.3, 1.0)
"""The one grid, the same for every data set; the epoch count is chosen on the validation curve."""
SELECTABLE_PRIORS = ("mlp", "none")


@dataclass(frozen=True)
class Protocol:
    """What every ensemble of a data set is trained with, besides the selected prior scale and epochs."""

    n_hidden: int = 50
    n_epochs: int = 40
    n_members: int = N_MEMBERS
    member_row_budget: int = MEMBER_ROW_BUDGET
    max_steps: int | None = None
    """A cap on the optimiser steps of a run, for quick runs (the demo); None: the member-row budget alone."""

    def run_budget(self, n_rows: int) -> float:
        """Member-rows a run on `n_rows` rows may process: `member_row_budget` at BUDGET_ROWS rows, growing as
        the square root of the rows."""
        return self.member_row_budget * math.sqrt(n_rows / BUDGET_ROWS)

    def max_epochs(self, n_rows: int) -> int:
        n_rows = max(1, n_rows)
        epochs = min(EPOCH_FACTOR * self.n_epochs, int(self.run_budget(n_rows) // (self.n_members * n_rows)))
        if self.max_steps is not None:
            epochs = min(epochs, self.max_steps // math.ceil(n_rows / BATCH_SIZE))
        return max(self.n_epochs, epochs)

    def selection_steps(self, n_train: int) -> int:
        """Optimiser steps of one validation run of `select` on `n_train` training rows, if it is not stopped
        early."""
        n_fit = n_train - validation_rows(n_train)
        return self.max_epochs(n_fit) * math.ceil(n_fit / BATCH_SIZE)


@dataclass(frozen=True)
class Selected:
    """A method's chosen prior scale, stopping epoch on a cosine of `horizon` epochs and variance factor, and
    the validation NLL they reach."""

    prior_scale: float
    epochs: int
    horizon: int
    variance_scale: float
    validation_nll: float

    def describe(self) -> str:
        return (f"prior_scale={self.prior_scale:g}, epochs={self.epochs} of {self.horizon}, "
                f"variance x{self.variance_scale:.2f}")


def make_ensemble(protocol: Protocol, prior_scale: float, epochs: int, horizon: int, seed: int,
                  variance_scale: float = 1.0):
    """The protocol's ensemble, trained for `epochs` of a cosine learning-rate schedule `horizon` epochs long."""
    from priorlab.priors.ensemble import Ensemble

    return Ensemble(n_members=protocol.n_members, hidden=(protocol.n_hidden,), activation="selu",
                    prior="mlp" if prior_scale > 0 else "none", prior_scale=prior_scale,
                    bootstrap="multinomial", lr=LR, epochs=epochs,
                    batch_size=BATCH_SIZE, lr_schedule="cosine", lr_horizon=horizon, likelihood="gaussian",
                    variance_scale=variance_scale, standardize=True, seed=seed)


def fit_variance_scale(y: np.ndarray, means: np.ndarray, variances: np.ndarray) -> tuple[float, float]:
    """(factor, NLL): the factor on every member's variance that minimises the mean NLL of the uniform
    mixtures (K, n) at y (n,), searched on its logarithm within VARIANCE_SCALE_BOUNDS, and the NLL it gives."""
    def nll_at(log_factor: float) -> float:
        return nll(y, means, np.sqrt(variances * math.exp(log_factor)))

    found = minimize_scalar(nll_at, bounds=tuple(math.log(b) for b in VARIANCE_SCALE_BOUNDS), method="bounded",
                            options={"xatol": 1e-4})
    return math.exp(found.x), float(found.fun)


def _one_target(y, n_rows: int) -> np.ndarray:
    y = as_float_array(y, "y")
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(f"y: expected one target column, got shape {y.shape}")
    if len(y) != n_rows:
        raise ValueError(f"y: {len(y)} targets for {n_rows} rows of x")
    return y.reshape(-1)


def validation_rows(n: int) -> int:
    """How many of n training rows are held out for validation."""
    return max(1, round(VALIDATION_FRACTION * n))


def validation_split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the fitting rows and the validation rows (the last 20% of a seeded shuffle)."""
    order = np.random.default_rng(seed).permutation(n)
    n_valid = validation_rows(n)
    return order[:-n_valid], order[-n_valid:]


@dataclass
class _Curve:
    """The (validation NLL, epochs) readings of one run, and the validation mixture of its lowest reading."""

    readings: list[tuple[float, int]] = field(default_factory=list)
    best: tuple[np.ndarray, np.ndarray] | None = None
    since_best: int = 0
    """Readings taken after the lowest one."""


class _Stalled(Exception):
    """Ends a selection run whose validation NLL has not improved for PATIENCE readings."""


def _curve_run(protocol: Protocol, prior_scale: float, horizon: int, x_fit: np.ndarray, y_fit: np.ndarray,
               x_valid: np.ndarray, y_valid: np.ndarray, seed: int) -> _Curve:
    """Validation NLL read at evenly spaced epochs of one run, until PATIENCE readings in a row bring no new
    lowest; a diverging run (or a non-finite prediction) keeps the readings it reached."""
    curve = _Curve()

    def read(epoch: int, ensemble) -> None:
        dist = ensemble.predict_distribution(x_valid)
        value = nll(y_valid, dist.means, np.sqrt(dist.variances))
        if not curve.readings or value < min(curve.readings)[0]:
            curve.best, curve.since_best = (dist.means, dist.variances), 0
        else:
            curve.since_best += 1
        curve.readings.append((value, epoch + 1))
        if curve.since_best >= PATIENCE:
            raise _Stalled

    with contextlib.suppress(ValueError, _Stalled):
        make_ensemble(protocol, prior_scale, horizon, horizon, seed).fit(
            x_fit, y_fit, progress=False, callback=read, callback_every=max(1, horizon // CHECKPOINTS))
    return curve


def select(x: np.ndarray, y: np.ndarray, protocol: Protocol, seed: int, priors: tuple[str, ...] = ("mlp",)
           ) -> dict[str, Selected]:
    """prior -> its chosen prior scale, stopping epoch and variance factor, from the training rows alone.

    Each prior scale a method may use (prior="mlp": the positive ones; prior="none": 0) gets a validation
    curve along a cosine schedule over the epoch budget; the method's best reading gives its scale and the
    epoch to stop at, and its validation mixture the variance factor. A run that diverges keeps the
    readings it reached."""
    for prior in priors:
        check_choice(prior, "prior", SELECTABLE_PRIORS)
    x, y = as_matrix(x, "x"), _one_target(y, len(x))
    fit_rows, valid_rows = validation_split(len(y), seed)
    split = (x[fit_rows], y[fit_rows], x[valid_rows], y[valid_rows])
    horizon = protocol.max_epochs(len(fit_rows))
    allowed = {prior: [s for s in PRIOR_SCALES if (s > 0) == (prior != "none")] for prior in priors}
    curves = {scale: _curve_run(protocol, scale, horizon, *split, seed)
              for scale in sorted({s for scales in allowed.values() for s in scales})}
    chosen = {}
    for prior, scales in allowed.items():
        readings = [(value, epochs, scale) for scale in scales for value, epochs in curves[scale].readings]
        if not readings:
            raise RuntimeError(f"prior={prior!r}: every run diverged on the validation split")
        _, epochs, scale = min(readings)
        factor, value = fit_variance_scale(split[3], *curves[scale].best)
        chosen[prior] = Selected(scale, epochs, horizon, factor, value)
    return chosen


def refit(x: np.ndarray, y: np.ndarray, protocol: Protocol, chosen: Selected, seed: int):
    """The chosen setting trained on all of (x, y): the same cosine, stopped at the chosen epoch."""
    return make_ensemble(protocol, chosen.prior_scale, chosen.epochs, chosen.horizon, seed,
                         chosen.variance_scale).fit(x, y, progress=False)


def fit_selected(x: np.ndarray, y: np.ndarray, protocol: Protocol | None = None, *, prior: str = "mlp",
                 seed: int = 0):
    """Select on a validation split of (x, y), then refit on all of it; returns (fitted Ensemble, Selected)."""
    protocol = protocol or Protocol()
    x, y = as_matrix(x, "x"), _one_target(y, len(x))
    chosen = select(x, y, protocol, seed, (prior,))[prior]
    return refit(x, y, protocol, chosen, seed), chosen


@dataclass(frozen=True)
class Evaluation:
    """One method's held-out result: its selected settings, refitted on every training row, and that fit's
    predictive distribution and scores (`metrics.score_all`, in the target's units) on the test rows."""

    selected: Selected
    distribution: GaussianMixture
    scores: dict[str, float]
    selection_seconds: float
    """The wall time of the selection runs, which the methods evaluated together share."""
    refit_seconds: float

    @property
    def seconds(self) -> float:
        """What the method cost: the shared selection plus its own refit."""
        return self.selection_seconds + self.refit_seconds


def evaluate(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, protocol: Protocol,
             *, priors: tuple[str, ...] = ("mlp",), seed: int = 0, on_refit: Callable[[str], None] | None = None
             ) -> dict[str, Evaluation]:
    """prior -> its `Evaluation`: one `select` on the training rows for all `priors` (they share its runs), then
    per prior a refit on every training row, scored on the test rows right after it; the test rows reach
    nothing else. `on_refit(prior)`, if given, is called before each refit (a progress bar's stage)."""
    started = time.perf_counter()
    chosen = select(x_train, y_train, protocol, seed, priors)
    selection_seconds = time.perf_counter() - started
    evaluations = {}
    for prior in priors:
        if on_refit is not None:
            on_refit(prior)
        started = time.perf_counter()
        ensemble = refit(x_train, y_train, protocol, chosen[prior], seed)
        refit_seconds = time.perf_counter() - started
        distribution = ensemble.predict_distribution(x_test)
        scores = score_all(y_test, distribution.means, np.sqrt(distribution.variances))
        evaluations[prior] = Evaluation(chosen[prior], distribution, scores, selection_seconds, refit_seconds)
    return evaluations
