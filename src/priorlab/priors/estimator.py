"""`RandomizedPriorRegressor`: the scikit-learn face of `Ensemble` (pipelines, grid search, clone)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from priorlab.predictive import GaussianMixture
from priorlab.priors.ensemble import Ensemble
from priorlab.priors.params import ENSEMBLE_PARAMS
from priorlab.samples import Samples
from priorlab.validation import bind, document, signature

# `Ensemble`'s parameters but the task, which is regression here
PARAMS = tuple(p for p in ENSEMBLE_PARAMS if p.name != "task")


class RandomizedPriorRegressor(RegressorMixin, BaseEstimator):
    """Regression with an ensemble of randomized-prior networks (Osband et al., 2018).

    `predict(X, return_std=True)` gives the ensemble mean and the spread across members, the
    uncertainty estimate (with `likelihood="gaussian"`, the total std of the predictive mixture: the
    members' spread and the noise they predict); `predict_samples(X)` gives every member's prediction (its
    mean) as `Samples`, `predict_distribution(X)` the mixture (`likelihood="gaussian"` only). As
    scikit-learn requires, the constructor only stores the parameters; `fit` checks them.

    Parameters (`Ensemble`'s):
    """

    def __init__(self, *args: Any, **kwargs: Any):
        vars(self).update(bind(PARAMS, args, kwargs))

    __init__.__signature__ = signature(PARAMS)
    __doc__ = __doc__.rstrip() + "\n" + document(PARAMS)

    def fit(self, X, y) -> RandomizedPriorRegressor:
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        self.ensemble_ = Ensemble(**self.get_params(), task="regression").fit(X, y, progress=False)
        return self

    def predict_samples(self, X) -> Samples:
        """Every member's prediction, shape (n_members, n_samples)."""
        check_is_fitted(self, "ensemble_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.ensemble_.predict(X)

    def predict_distribution(self, X) -> GaussianMixture:
        """The predictive distribution, the uniform mixture of the members' Gaussians (`likelihood="gaussian"`)."""
        check_is_fitted(self, "ensemble_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.ensemble_.predict_distribution(X)

    def predict(self, X, return_std: bool = False):
        if return_std and self.likelihood == "gaussian":
            distribution = self.predict_distribution(X)
            return distribution.mean(), distribution.std()
        samples = self.predict_samples(X)
        return (samples.mean(), samples.std()) if return_std else samples.mean()
