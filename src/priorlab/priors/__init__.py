"""Randomized prior functions (Osband et al., NeurIPS 2018): single models and fast ensembles.

Each public name is imported on first use (PEP 562), so `priorlab.priors.params` (the parameter table the
command line reads) imports without torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "Ensemble": "priorlab.priors.ensemble",
    "MLP": "priorlab.priors.nets",
    "ModelWithPrior": "priorlab.priors.nets",
    "RandomizedPriorRegressor": "priorlab.priors.estimator",
    "SinPrior": "priorlab.priors.nets",
    "osband_1d": "priorlab.datasets.toy",
}

__all__ = list(_PUBLIC)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
