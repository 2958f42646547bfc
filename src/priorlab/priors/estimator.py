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

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    ensemble_ : Ensemble
        The fitted ensemble (`task="regression"`), which holds the members and their training history.
    n_features_in_ : int
        Number of features seen by `fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen by `fit`; set only when `X` has string column names (a DataFrame).

    See Also
    --------
    Ensemble : The same model, for classification too, with Dask and file support.

    Examples
    --------
    >>> import numpy as np
    >>> from priorlab.priors import RandomizedPriorRegressor
    >>> X = np.linspace(-1, 1, 16)[:, None]
    >>> y = np.sin(3 * X[:, 0])
    >>> model = RandomizedPriorRegressor(n_members=4, hidden=(8,), epochs=20, seed=0).fit(X, y)
    >>> mean, std = model.predict(X, return_std=True)
    >>> mean.shape, std.shape
    ((16,), (16,))
    >>> bool(np.all(std > 0))  # the members disagree
    True
    >>> model.predict_samples(X).samples.shape  # one row per member
    (4, 16)
    """

    def __init__(self, *args: Any, **kwargs: Any):
        vars(self).update(bind(PARAMS, args, kwargs))

    __init__.__signature__ = signature(PARAMS)
    __doc__ = __doc__.replace("    {parameters}\n", document(PARAMS) + "\n")

    def fit(self, X, y) -> RandomizedPriorRegressor:
        """Train the ensemble on `X` (n_samples, n_features) and `y` (n_samples,) or (n_samples, n_targets).

        Returns
        -------
        RandomizedPriorRegressor
            This estimator, fitted.

        Raises
        ------
        ValueError
            Parameters that `Ensemble` refuses (naming the parameter), or inputs that are not finite.
        """
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        self.ensemble_ = Ensemble(**self.get_params(), task="regression").fit(X, y, progress=False)
        return self

    def predict_samples(self, X) -> Samples:
        """Every member's prediction, shape (n_members, n_samples) (the member means with `likelihood="gaussian"`)."""
        check_is_fitted(self, "ensemble_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.ensemble_.predict(X)

    def predict_distribution(self, X) -> GaussianMixture:
        """The predictive distribution, the uniform mixture of the members' Gaussians.

        Raises
        ------
        ValueError
            Unless `likelihood="gaussian"` (members with `likelihood="mse"` are point predictions).
        """
        check_is_fitted(self, "ensemble_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.ensemble_.predict_distribution(X)

    def predict(self, X, return_std: bool = False):
        """The ensemble's mean prediction at each row of `X`.

        Returns
        -------
        mean : ndarray of shape (n_samples,) or (n_samples, n_targets)
            The mean of the members' predictions (of the predictive mixture with `likelihood="gaussian"`).
        std : ndarray of the same shape
            With `return_std=True` only: the members' spread, or the predictive mixture's total std (the
            spread and the noise the members predict) with `likelihood="gaussian"`.
        """
        if return_std and self.likelihood == "gaussian":
            distribution = self.predict_distribution(X)
            return distribution.mean(), distribution.std()
        samples = self.predict_samples(X)
        return (samples.mean(), samples.std()) if return_std else samples.mean()
