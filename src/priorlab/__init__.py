"""priorlab: randomized prior ensembles, Benford's-law digit tests, and sample arrays.

The short public API; the subpackages hold the rest:

- `priorlab.priors`: `Ensemble`, `RandomizedPriorRegressor` and the seed's `MLP`,
  `ModelWithPrior`, `SinPrior`.
- `priorlab.benford`: `analyze` for data, `digit_distribution` for language models.
- `priorlab.samples`: `Samples`, a NumPy duck array of K aligned draws.
"""

__version__ = "0.1.0"
