"""How an ensemble's members are built and trained, as one frozen value: `MemberRecipe`.

Member k depends only on the recipe and k: its initial weights, prior, bootstrap and target noise come from
its own streams (`seeding.py`), and the minibatch order is one ensemble-wide stream that every member sees
alike. So members `range(a, b)` built and trained from the recipe, anywhere, are members a..b-1 of a fit of
all K. `Ensemble.fit` builds all K from its recipe; `sharding.py` ships the recipe (not the ensemble) to the
Dask workers, each of which builds and trains its group.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from priorlab.priors import bootstrap as bootstrap_schemes
from priorlab.priors.losses import loss_name
from priorlab.priors.member_data import MemberData, target_noise
from priorlab.priors.nets import MLP, ModelWithPrior
from priorlab.priors.prior import Factory, Prior, PriorNetwork, prior_term
from priorlab.priors.seeding import member_keys, member_torch_seed, seeded
from priorlab.priors.stacked import StackedMLP, StackedNetwork, stack
from priorlab.priors.training import TrainingConfig


class TrainingSet(NamedTuple):
    """The training rows as every member sees them (standardised with `standardize=True`): what members are
    built for, in this process or on each Dask worker."""

    x: torch.Tensor  # (n, d) inputs: float64 as given, or float32 (standardised, or on a GPU)
    y: torch.Tensor  # (n, C) regression targets, or (n,) class indices
    width: int  # regression targets, or classes


def network_width(n_outputs: int, likelihood: str) -> int:
    """Outputs of each member's network: one per target or class, two per target (a mean, then a raw
    variance) with the Gaussian likelihood."""
    return 2 * n_outputs if likelihood == "gaussian" else n_outputs


@dataclass(frozen=True)
class MemberRecipe:
    """The checked parameters (`params.ENSEMBLE_PARAMS`) that say how member k is built and trained."""

    n_members: int
    seed: int
    hidden: tuple[int, ...]
    activation: str
    base: Factory | None  # the trainable network's factory; None: the library's MLP of `hidden`
    prior: Prior  # the user's `prior` and `prior_factory`, resolved (`prior.resolve_prior`)
    prior_scale: float
    task: str
    likelihood: str
    bootstrap: str
    noise_std: float
    device: torch.device
    epochs: int
    lr: float
    weight_decay: float
    batch_size: int | None
    lr_schedule: str
    lr_horizon: int | None

    @classmethod
    def from_params(cls, params: Mapping[str, Any], prior: Prior) -> MemberRecipe:
        """The recipe of `params` (name -> checked value; other names are ignored) and the resolved `prior`."""
        return cls(prior=prior, **{f.name: params[f.name] for f in fields(cls) if f.name != "prior"})

    @property
    def gaussian(self) -> bool:
        return self.likelihood == "gaussian"

    def new_base(self, in_features: int, out_features: int) -> nn.Module:
        """A freshly initialised trainable network (drawn from torch's global generator)."""
        return MLP(in_features, self.hidden, out_features, self.activation) if self.base is None else self.base()

    def build_member(self, k: int, in_features: int, out_features: int) -> ModelWithPrior:
        """Member k exactly as a fit initialises it: the reference the vectorised training must match.
        `out_features`: regression targets or classes (a Gaussian member's network has twice as many outputs:
        the means, then the raw variances, and its prior is added to the means only)."""
        new_base = functools.partial(self.new_base, in_features, network_width(out_features, self.likelihood))
        base = seeded(new_base, member_torch_seed(self.seed, k, "base"))
        prior = self.prior.member(member_torch_seed(self.seed, k, "prior"), new_base)
        return ModelWithPrior(base, prior, self.prior_scale, prior_columns=out_features if self.gaussian else None)

    def bootstrap_weights(self, n: int, members: range | None = None) -> np.ndarray:
        """(K, n) per-example loss weights of the full batch, one row per member of `members` (default all K);
        row k is reproducible from (seed, k) alone. Minibatches draw from the same bootstrap (`MemberData`)."""
        keys = member_keys(self.seed, range(self.n_members) if members is None else members, "bootstrap")
        return bootstrap_schemes.bootstrap_weights(self.bootstrap, n, keys).numpy()

    def target_noise(self, n: int, width: int, members: range | None = None) -> np.ndarray:
        """(K, n, width) fixed N(0, noise_std^2) perturbations of each member's regression targets, one per
        member of `members` (default all K)."""
        keys = member_keys(self.seed, range(self.n_members) if members is None else members, "noise")
        return self.noise_std * target_noise(keys, torch.arange(n), width).numpy()

    def build_members(self, data: TrainingSet, members: range) -> tuple[StackedNetwork, PriorNetwork, MemberData]:
        """Members `members` built exactly as a fit of all K builds them (as `build_member` builds each),
        stacked on the device, with their training data."""
        width = network_width(data.width, self.likelihood)
        new_base = functools.partial(self.new_base, data.x.shape[1], width)
        mlp = ([data.x.shape[1], *self.hidden, width], self.activation) if self.base is None else None
        base_seeds = [member_torch_seed(self.seed, k, "base") for k in members]
        prior_seeds = [member_torch_seed(self.seed, k, "prior") for k in members]
        # the library's MLPs are drawn straight into stacked tensors
        network = (StackedMLP.initialised(mlp[0], base_seeds, mlp[1]) if mlp is not None
                   else stack([seeded(new_base, seed) for seed in base_seeds], fast=False)).to(self.device)
        prior = self.prior.build(prior_seeds, new_base, mlp).to(self.device)
        if self.base is not None:
            self._check_base_width(network, data.x, data.width)
        regression = self.task == "regression"
        training = MemberData(data.x, data.y.float() if regression else data.y,
                              functools.partial(self._prior_offset, prior, data.width), width, self.bootstrap,
                              member_keys(self.seed, members, "bootstrap", self.device),
                              member_keys(self.seed, members, "noise", self.device),
                              self.noise_std if regression else 0.0)
        return network, prior, training

    def training_config(self, first_member: int = 0) -> TrainingConfig:
        """The fit loop's settings for a stacked network whose member 0 is member `first_member` of the
        ensemble; every group sees the same minibatch order."""
        return TrainingConfig(self.epochs, self.lr, self.weight_decay, self.batch_size,
                              loss_name(self.task, self.likelihood), member_torch_seed(self.seed, None, "shuffle"),
                              self.lr_schedule, self.lr_horizon, first_member)

    def stack_members(self, bases: Sequence[nn.Module], priors: Sequence[nn.Module]
                      ) -> tuple[StackedNetwork, PriorNetwork]:
        """Trained members' networks and priors, in member order, stacked on the device as `build_members`
        stacks fresh ones."""
        fast = self.base is None
        return stack(bases, fast=fast).to(self.device), self.prior.stack(priors, fast=fast).to(self.device)

    def _prior_offset(self, prior: PriorNetwork, width: int, inputs: torch.Tensor) -> torch.Tensor:
        """What the frozen priors add to the trainable networks' outputs on `inputs`, (K, B, network width): the
        scaled prior, on the means only for Gaussian members (their variance columns get nothing)."""
        offset = prior_term(prior, inputs, self.prior_scale, width, network_width(width, self.likelihood))
        if not self.gaussian:
            return offset
        means = offset.expand(prior.n_members, inputs.shape[-2], width)
        return torch.cat([means, torch.zeros_like(means)], dim=2)

    def _check_base_width(self, network: StackedNetwork, inputs: torch.Tensor, width: int) -> None:
        """A custom base must return one column per target or class (two per target, mean and raw variance,
        with the Gaussian likelihood)."""
        returned, expected = network.forward(inputs[:1]).shape[-1], network_width(width, self.likelihood)
        if returned != expected:
            what = (f"2 x {width} (a mean and a raw variance per target, for likelihood='gaussian')"
                    if self.gaussian else f"{width} (one per {'target' if self.task == 'regression' else 'class'})")
            raise ValueError(f"base: the network returns {returned} columns; expected {what}")
