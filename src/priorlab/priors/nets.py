"""The single-model API of Perone (2019): an MLP, a model with an additive frozen prior, a fixed sine prior.

These are the reference semantics that `Ensemble` vectorises; a member of an ensemble can always be
rebuilt as one of these (`Ensemble.member`), which is how the tests check the fast path.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import nn

from priorlab.priors.params import ACTIVATIONS


class MLP(nn.Module):
    """Fully connected network with Glorot-uniform weights and SELU (as in Perone 2019) or ReLU activations."""

    def __init__(self, in_features: int = 1, hidden: Sequence[int] = (20, 20), out_features: int = 1,
                 activation: str = "selu"):
        super().__init__()
        widths = [int(in_features), *(int(h) for h in hidden), int(out_features)]
        if any(w < 1 for w in widths):
            raise ValueError(f"hidden: every layer width must be >= 1, got {widths}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation: expected one of {', '.join(ACTIVATIONS)}; got {activation!r}")
        self.activation = activation
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(widths))
        for layer in self.layers:
            nn.init.xavier_uniform_(layer.weight)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs
        for layer in self.layers[:-1]:
            x = getattr(nn.functional, self.activation)(layer(x))
        return self.layers[-1](x)


class ModelWithPrior(nn.Module):
    """`base(x) + prior_scale * prior(x)`, where the prior is never trained (its output is detached).

    `prior_columns`: add the prior to the first `prior_columns` outputs only (a Gaussian member's means; its
    variance columns are left alone). The prior then returns 1 column (added to each of them), that many, or
    as many as `base` (a copy of the base network), of which the first `prior_columns` are used."""

    def __init__(self, base_model: nn.Module, prior_model: nn.Module, prior_scale: float = 1.0,
                 prior_columns: int | None = None):
        super().__init__()
        self.base_model = base_model
        self.prior_model = prior_model
        self.prior_scale = prior_scale
        self.prior_columns = prior_columns

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            prior_out = self.prior_model(inputs).detach()
        out = self.base_model(inputs)
        if self.prior_columns is None:
            return out + self.prior_scale * prior_out
        columns = self.prior_columns
        prior_out = prior_out if prior_out.shape[-1] == 1 else prior_out[..., :columns]
        return torch.cat([out[..., :columns] + self.prior_scale * prior_out, out[..., columns:]], dim=-1)


class SinPrior(nn.Module):
    """The fixed (non-random) prior function of Perone (2019), `sin(freq * x)`."""

    def __init__(self, freq: float = 3.0):
        super().__init__()
        self.freq = float(freq)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return torch.sin(self.freq * inputs)


class ZeroPrior(nn.Module):
    """The absent prior: contributes nothing, so the member is a plain bootstrapped network."""

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(inputs[..., :1])
