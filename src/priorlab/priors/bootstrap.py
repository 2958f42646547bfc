"""Bootstrap schemes as per-example loss weights, one row per ensemble member.

Every scheme is expressed as weights with mean 1 so one weighted loss covers them all: a multinomial
resample of size n is the count of each example among n draws with replacement (training on
`x[indices]` gives the same full-batch loss as weighting `x` by the counts), while Poisson, Bernoulli
and exponential weights are the smooth variants used by DeepMind's `enn`.
"""

from __future__ import annotations

import numpy as np

from priorlab.validation import check_choice

SCHEMES = ("multinomial", "poisson", "bernoulli", "exponential", "none")


def multinomial_indices(n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of a resample with replacement of size `n` (the classic bootstrap, as in Perone 2019)."""
    return rng.integers(0, n, size=n)


def bootstrap_weights(name: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Per-example weights (float64, shape (n,), mean 1 in expectation) for one member."""
    check_choice(name, "bootstrap", SCHEMES)
    if name == "multinomial":
        return np.bincount(multinomial_indices(n, rng), minlength=n).astype(np.float64)
    if name == "poisson":
        return rng.poisson(1.0, size=n).astype(np.float64)
    if name == "bernoulli":
        return 2.0 * rng.binomial(1, 0.5, size=n).astype(np.float64)
    if name == "exponential":
        return rng.exponential(1.0, size=n)
    return np.ones(n, dtype=np.float64)
