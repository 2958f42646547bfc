"""What `Ensemble.fit` learns, as one frozen record: `fit` produces it, `save`/`load` write and read it.

Keeping the fitted state in one value (rather than attributes set here and there) means an ensemble is
either unfitted or wholly fitted, a refit replaces everything at once, and the model files are exactly
this record plus the constructor's parameters.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from priorlab.priors.prior import PriorNetwork
from priorlab.priors.scaling import Standardizer
from priorlab.priors.stacked import StackedNetwork


class NotFittedError(ValueError, AttributeError):
    """Raised when a fitted attribute or method is used before `fit` (or `load`)."""


class FittedState(NamedTuple):
    """A fitted ensemble's networks, data transforms and training record."""

    network: StackedNetwork  # the K trainable networks, stacked
    prior: PriorNetwork  # the K frozen priors (stacked, or one function shared by all)
    scaling: Standardizer | None  # fitted standardisation of inputs (and regression targets), if any
    classes: np.ndarray | None  # the class labels, in output order (classification only)
    feature_names: tuple[str, ...] | None  # a DataFrame's column names, matched by name when predicting
    n_features_in: int
    n_outputs: int  # regression targets, or classes
    squeeze: bool  # regression on y of shape (n,) or (n, 1): predictions drop the output axis
    history: np.ndarray  # (epochs, K) mean training loss per epoch and member
    fit_seconds: float | None  # None when unknown
