"""Optional standardisation of inputs and regression targets, fitted on the training data.

Networks with SELU units and Glorot weights expect inputs and targets of order 1; CSV columns come in
any unit. With `Ensemble(standardize=True)` training happens in standardised units (so `prior_scale` and
`noise_std` are in units of the target's standard deviation) and predictions are mapped back.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

FIELDS = ("x_mean", "x_scale", "y_mean", "y_scale")


@dataclass
class Standardizer:
    x_mean: torch.Tensor  # (d,)
    x_scale: torch.Tensor  # (d,)
    y_mean: torch.Tensor  # (C,); zeros and ones for classification
    y_scale: torch.Tensor  # (C,)

    @classmethod
    def fit(cls, x: torch.Tensor, y: torch.Tensor | None) -> Standardizer:
        """Column means and standard deviations (constant columns get scale 1); `y=None`: identity on y."""
        def moments(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            scale = values.std(dim=0, correction=0)
            return values.mean(dim=0), torch.where(scale > 0, scale, torch.ones_like(scale))

        x_mean, x_scale = moments(x)
        y_mean, y_scale = (torch.zeros(1), torch.ones(1)) if y is None else moments(y.float())
        return cls(x_mean, x_scale, y_mean.to(x.device), y_scale.to(x.device))

    def inputs(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.x_mean) / self.x_scale

    def targets(self, y: torch.Tensor) -> torch.Tensor:
        return (y - self.y_mean) / self.y_scale

    def outputs(self, values: torch.Tensor, *, shift: bool = True) -> torch.Tensor:
        """Back to target units; `shift=False` for an additive part (the prior) that carries no offset."""
        return values * self.y_scale + self.y_mean if shift else values * self.y_scale

    def tensors(self) -> dict[str, torch.Tensor]:
        return {f"scaling.{name}": getattr(self, name).detach().cpu().contiguous() for name in FIELDS}

    @classmethod
    def from_tensors(cls, tensors: dict[str, torch.Tensor], device: torch.device | str) -> Standardizer:
        return cls(*(tensors[f"scaling.{name}"].to(device) for name in FIELDS))
