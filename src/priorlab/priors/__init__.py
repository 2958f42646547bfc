"""Randomized prior functions (Osband et al., NeurIPS 2018): the seed's models and fast ensembles."""

from priorlab.priors.datasets import osband_1d
from priorlab.priors.ensemble import Ensemble
from priorlab.priors.estimator import RandomizedPriorRegressor
from priorlab.priors.nets import MLP, ModelWithPrior, SinPrior

__all__ = ["MLP", "Ensemble", "ModelWithPrior", "RandomizedPriorRegressor", "SinPrior", "osband_1d"]
