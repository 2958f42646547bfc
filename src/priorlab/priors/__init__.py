"""Randomized prior functions (Osband et al., NeurIPS 2018): single models and fast ensembles.

Each public name is imported on first use (PEP 562), so `priorlab.priors.params` (the parameter table the
command line reads) imports without torch.
"""

from __future__ import annotations

from priorlab.lazy import lazy_exports

_PUBLIC = {
    "Ensemble": "priorlab.priors.ensemble",
    "MLP": "priorlab.priors.nets",
    "ModelWithPrior": "priorlab.priors.nets",
    "RandomizedPriorRegressor": "priorlab.priors.estimator",
    "SinPrior": "priorlab.priors.nets",
    "osband_1d": "priorlab.datasets.toy",
}

__all__ = list(_PUBLIC)
__getattr__ = lazy_exports(__name__, _PUBLIC)
