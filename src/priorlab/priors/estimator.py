"""`RandomizedPriorRegressor`: the scikit-learn face of `Ensemble` (pipelines, grid search, clone)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from priorlab.priors.ensemble import Ensemble
from priorlab.samples import Samples


class RandomizedPriorRegressor(RegressorMixin, BaseEstimator):
    """Regression with an ensemble of randomized-prior MLPs; parameters are `Ensemble`'s.

    `predict(X, return_std=True)` gives the ensemble mean and the spread across members, the
    uncertainty estimate; `predict_samples(X)` gives every member's prediction as `Samples`.
    """

    def __init__(
        self,
        n_members: int = 10,
        hidden: Sequence[int] = (20, 20),
        prior: str = "mlp",
        prior_scale: float = 1.0,
        bootstrap: str = "multinomial",
        noise_std: float = 0.0,
        weight_decay: float = 0.0,
        lr: float = 1e-2,
        epochs: int = 1000,
        batch_size: int | None = None,
        seed: int = 0,
        device: str = "cpu",
        lr_schedule: str = "constant",
        standardize: bool = False,
    ):
        self.n_members = n_members
        self.hidden = hidden
        self.prior = prior
        self.prior_scale = prior_scale
        self.bootstrap = bootstrap
        self.noise_std = noise_std
        self.weight_decay = weight_decay
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.device = device
        self.lr_schedule = lr_schedule
        self.standardize = standardize

    def fit(self, X, y) -> RandomizedPriorRegressor:
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        self.ensemble_ = Ensemble(**self.get_params(), task="regression").fit(X, y, progress=False)
        return self

    def predict_samples(self, X) -> Samples:
        """Every member's prediction, shape (n_members, n_samples)."""
        check_is_fitted(self, "ensemble_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.ensemble_.predict(X)

    def predict(self, X, return_std: bool = False):
        samples = self.predict_samples(X)
        mean = samples.mean().astype(np.float64)
        return (mean, samples.std().astype(np.float64)) if return_std else mean
