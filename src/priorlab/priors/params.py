"""`Ensemble`'s parameters, declared once: name, default, what is accepted, one-line meaning.

`Ensemble`'s signature and checks, its saved configuration, `RandomizedPriorRegressor`'s signature and
the `priorlab fit` options are all derived from `ENSEMBLE_PARAMS`. The module imports no torch, so the
command line can read the table without paying for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from priorlab.validation import (
    Boolean,
    Choice,
    Function,
    Integer,
    ListOf,
    Number,
    Optional,
    Param,
    check_params,
)

BOOTSTRAP_SCHEMES = ("multinomial", "poisson", "bernoulli", "exponential", "none")
PRIOR_NAMES = ("mlp", "sine", "none")
TASKS = ("regression", "classification")
LR_SCHEDULES = ("constant", "cosine")
LIKELIHOODS = ("mse", "gaussian")
ACTIVATIONS = ("selu", "relu")


@dataclass(frozen=True)
class PriorSpec:
    """A prior's shorthand name, or one function shared by every member (an `nn.Module` instance or a
    callable). A class is refused: it is either an instance or `prior_factory` that was meant."""

    names: tuple[str, ...] = PRIOR_NAMES

    def __call__(self, value: Any, name: str) -> Any:
        if isinstance(value, str):
            return Choice(self.names)(value, name)
        if isinstance(value, type):
            cls = value.__name__
            raise TypeError(f"{name}: got the class {cls}; pass an instance ({cls}()) for one function shared by "
                            f"every member, or prior='mlp', prior_factory={cls} for a random one per member")
        if not callable(value):
            raise TypeError(f"{name}: expected {self.describe()}; got {value!r}")
        return value

    def describe(self) -> str:
        return f"{' | '.join(self.names)}, or an nn.Module or callable shared by every member"

    def doc_type(self) -> str:
        return "{" + ", ".join(map(repr, self.names)) + "}, nn.Module or callable"


@dataclass(frozen=True)
class Device:
    """A torch device or its name. torch is imported when a value is checked, not with the table."""

    def __call__(self, value: Any, name: str) -> Any:
        import torch

        try:
            device = torch.device(value)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"{name}: not a torch device ({exc})") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"{name}: {device} asked for, but this torch ({torch.__version__}) sees no CUDA device")
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise ValueError(f"{name}: {device} asked for, but this torch ({torch.__version__}) has no MPS device")
        return device

    def describe(self) -> str:
        return "a torch device such as 'cpu' or 'cuda'"

    def doc_type(self) -> str:
        return "str or torch.device"


FACTORY = Optional(Function("a zero-argument nn.Module factory"))

ENSEMBLE_PARAMS = (
    Param("n_members", 10, Integer(1), "number of ensemble members K"),
    Param("hidden", (20, 20), ListOf(Integer(1)), "hidden layer widths of each member's MLP"),
    Param("prior", "mlp", PriorSpec(), "prior function added to each member; mlp: a frozen random network per "
          "member, sine: sin(3x)"),
    Param("prior_scale", 1.0, Number(0.0), "scale beta of the prior function"),
    Param("bootstrap", "multinomial", Choice(BOOTSTRAP_SCHEMES), "how each member reweights the training examples"),
    Param("noise_std", 0.0, Number(0.0), "std of each member's fixed Gaussian noise added to regression targets"),
    Param("weight_decay", 0.0, Number(0.0), "Adam's coupled L2 penalty on the trainable part"),
    Param("lr", 1e-2, Number(0.0, strict=True), "Adam learning rate"),
    Param("epochs", 1000, Integer(1), "passes over the training data"),
    Param("batch_size", None, Optional(Integer(1)), "minibatch size, None for the full batch"),
    Param("task", "regression", Choice(TASKS), "regression, or classification with per-member class probabilities"),
    Param("seed", 0, Integer(0), "seed of every random process; member k depends only on (seed, k)"),
    Param("device", "cpu", Device(), "torch device to train and predict on", saved=False),
    Param("base", None, FACTORY, "the trainable network of each member, instead of an MLP", saved=False),
    Param("prior_factory", None, FACTORY, "each member's random prior network (with prior='mlp'), instead of a "
          "copy of the base network", saved=False),
    Param("lr_schedule", "constant", Choice(LR_SCHEDULES), "learning rate over the epochs: constant, or cosine "
          "annealing to 0 so that Adam settles on the optimum"),
    Param("lr_horizon", None, Optional(Integer(1)), "with lr_schedule='cosine', the epochs over which the rate "
          "anneals to 0 (None: epochs); a longer horizon stops training part-way down the curve"),
    Param("standardize", False, Boolean(), "train on standardised inputs and regression targets"),
    Param("likelihood", "mse", Choice(LIKELIHOODS), "regression members' loss: mse (point predictions), or "
          "gaussian (each member predicts a mean and a variance, trained by the Gaussian negative log-likelihood)"),
    Param("variance_scale", 1.0, Number(0.0, strict=True), "factor on every Gaussian member's predicted variance: "
          "a recalibration fitted on held-out rows (as priors.selection does), 1 for none"),
    Param("activation", "selu", Choice(ACTIVATIONS), "the MLP's hidden activation: selu (as in Perone 2019), or "
          "relu (the usual choice of the UCI benchmark's published methods, and cheaper to compute)"),
)
PARAMS_BY_NAME = {p.name: p for p in ENSEMBLE_PARAMS}


def check_ensemble_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` (name -> value; missing names take their default) checked one by one and together."""
    checked = check_params(ENSEMBLE_PARAMS, values)
    if checked["task"] == "classification" and checked["noise_std"] > 0:
        raise ValueError("noise_std: target noise applies to regression only; use 0 for classification")
    if checked["task"] == "classification" and checked["likelihood"] != "mse":
        raise ValueError(f"likelihood: {checked['likelihood']!r} models the noise of regression targets; use "
                         "likelihood='mse' (the default) with task='classification'")
    horizon = checked["lr_horizon"]
    if horizon is not None and checked["lr_schedule"] != "cosine":
        raise ValueError(f"lr_horizon: the horizon of the cosine schedule; got {horizon} with "
                         f"lr_schedule={checked['lr_schedule']!r}")
    if horizon is not None and horizon < checked["epochs"]:
        raise ValueError(f"lr_horizon: the cosine would rise again after epoch {horizon}; expected at least "
                         f"epochs={checked['epochs']}")
    if checked["variance_scale"] != 1.0 and checked["likelihood"] != "gaussian":
        raise ValueError(f"variance_scale: scales the variances of Gaussian members; got {checked['variance_scale']:g}"
                         f" with likelihood={checked['likelihood']!r}")
    if checked["prior_factory"] is not None and checked["prior"] != "mlp":
        raise ValueError(f"prior_factory: builds a random prior network per member, so it needs prior='mlp'; "
                         f"got prior={checked['prior']!r}")
    return checked
