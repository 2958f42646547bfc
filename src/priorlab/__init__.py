"""priorlab: randomized prior ensembles, Benford's-law digit tests, and sample arrays.

The short public API (each name is imported on first use, so `import priorlab` stays quick);
the subpackages hold the rest:

- `priorlab.priors`: `Ensemble`, `RandomizedPriorRegressor` and the single-model `MLP`,
  `ModelWithPrior`, `SinPrior` of Perone (2019).
- `priorlab.benford`: `analyze`, Benford's-law digit tests of data.
- `priorlab.lm`: `digit_distribution` and `load_lm`, the digits a language model expects.
- `priorlab.samples`: `Samples`, a NumPy duck array of K aligned draws.
"""

from __future__ import annotations

from priorlab.lazy import lazy_exports

__version__ = "0.1.0"

_PUBLIC = {
    "Ensemble": "priorlab.priors",
    "RandomizedPriorRegressor": "priorlab.priors",
    "Samples": "priorlab.samples",
    "analyze": "priorlab.benford",
    "digit_distribution": "priorlab.lm",
    "load_lm": "priorlab.lm",
}

__all__ = ["__version__", *_PUBLIC]
__getattr__ = lazy_exports(__name__, _PUBLIC)
