"""What prediction reads, as one frozen value: `Predictor`, the fitted state and the parameters predictions use.

`Ensemble.predict` and its kin delegate here. `dask_predict.py` puts one `Predictor` in a Dask graph and
`streaming.py` sends one to the workers: what travels is the fitted model, nothing of the training, and a
later refit (a new state) cannot change what was sent. Predictions are computed in float64, so a row's
prediction does not depend on the other rows it is predicted with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from priorlab.priors.inputs import as_matrix, select_columns
from priorlab.priors.losses import gaussian_variance
from priorlab.priors.nets import ModelWithPrior
from priorlab.priors.prior import prior_term
from priorlab.priors.recipe import network_width
from priorlab.priors.state import FittedState


@dataclass(frozen=True, eq=False)
class Predictor:
    """A fitted ensemble's predictions: member values, the Gaussian mixture's moments, the base and prior parts.

    `name` and `first_row` are what error messages call the input and its first row (a block of a larger
    input, or a chunk of a file, starts at its offset)."""

    state: FittedState
    prior_scale: float
    task: str
    likelihood: str
    variance_scale: float
    device: torch.device

    @property
    def n_members(self) -> int:
        return self.state.network.n_members

    @property
    def gaussian(self) -> bool:
        return self.likelihood == "gaussian"

    def member_values(self, x: Any, name: str = "x", first_row: int = 0) -> np.ndarray:
        """(K, n, ...) member predictions f_k(x) + prior_scale * p_k(x): class probabilities (K, n, C) for
        classification, the member means with the Gaussian likelihood."""
        out, _ = self._outputs(x, name, first_row)
        values = self._as_array(torch.softmax(out, dim=2) if self.task == "classification" else out)
        _check_finite(values, name, first_row)
        return values

    def mixture_values(self, x: Any, name: str = "x", first_row: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(K, n, ...) means and variances of the members' Gaussians, in the target's units, each variance
        times `variance_scale`."""
        self.check_mixture()
        means, raw = self._outputs(x, name, first_row)
        variances = gaussian_variance(raw) * self.variance_scale
        scaling = self.state.scaling
        if scaling is not None:
            variances = variances * scaling.y_scale.to(variances.dtype).square()
        means = self._as_array(means)
        variances = variances.detach().cpu().numpy()
        variances = variances[..., 0] if self.state.squeeze else variances
        _check_finite(means, name, first_row)
        _check_finite(variances, name, first_row)
        return means, variances

    def check_mixture(self) -> None:
        """Refuse a mixture of members that do not model the noise (`likelihood="mse"`: point predictions)."""
        if not self.gaussian:
            raise ValueError(f"likelihood: predict_distribution needs members that model the noise "
                             f"(likelihood='gaussian'); this ensemble was fitted with likelihood="
                             f"{self.likelihood!r} for {self.task}, whose members are point predictions: use "
                             "predict(x) for their spread")

    def base_values(self, x: Any) -> np.ndarray:
        """(K, n, ...) trainable parts f_k(x) (logits for classification; the means with the Gaussian likelihood)."""
        return self._as_array(self.state.network.forward(self._inputs(x))[..., :self.state.n_outputs])

    def prior_values(self, x: Any) -> np.ndarray:
        """(K, n, ...) frozen parts prior_scale * p_k(x) (added to logits for classification, to the means with
        the Gaussian likelihood)."""
        term = self._prior_term(self._inputs(x))
        return self._as_array(term.expand(-1, -1, self.state.n_outputs), shift=False)

    def member(self, k: int) -> ModelWithPrior:
        """The trained member k as a standalone `ModelWithPrior` (see `Ensemble.member`)."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < self.n_members:
            raise ValueError(f"k: expected a member index in [0, {self.n_members}), got {k!r}")
        state = self.state
        return ModelWithPrior(state.network.member_module(int(k)), state.prior.member_module(int(k)), self.prior_scale,
                              prior_columns=state.n_outputs if self.gaussian else None)

    def _inputs(self, x: Any, name: str = "x", first_row: int = 0) -> torch.Tensor:
        state = self.state
        array = as_matrix(select_columns(x, state.feature_names, name), name, state.n_features_in, first_row)
        inputs = torch.tensor(array, dtype=torch.float64, device=self.device)  # see the module docstring
        return inputs if state.scaling is None else state.scaling.inputs(inputs)

    def _as_array(self, values: torch.Tensor, *, shift: bool = True) -> np.ndarray:
        """`values` in the target's units (`shift`: a location, not a difference), on the CPU, squeezed."""
        scaling = self.state.scaling
        if scaling is not None and self.task == "regression":
            values = scaling.outputs(values, shift=shift)
        array = values.detach().cpu().numpy()
        return array[..., 0] if self.state.squeeze else array

    def _prior_term(self, inputs: torch.Tensor) -> torch.Tensor:
        n_outputs = self.state.n_outputs
        return prior_term(self.state.prior, inputs, self.prior_scale, n_outputs,
                          network_width(n_outputs, self.likelihood))

    def _outputs(self, x: Any, name: str, first_row: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The members' outputs before any link or unit change: (K, n, C) means or logits, and (K, n, C)
        raw variances with the Gaussian likelihood (else None)."""
        inputs = self._inputs(x, name, first_row)
        out, width = self.state.network.forward(inputs), self.state.n_outputs
        means = out[..., :width] + self._prior_term(inputs)
        return means, out[..., width:] if self.gaussian else None


def _check_finite(array: np.ndarray, name: str, first_row: int) -> None:
    bad = ~np.isfinite(array)
    if bad.any():
        row = first_row + int(np.nonzero(bad.reshape(bad.shape[0], bad.shape[1], -1).any(axis=(0, 2)))[0][0])
        raise ValueError(f"{name}: row {row}: the prediction is not a finite number (an input far outside the "
                         "training data?)")
