"""Bootstrap schemes, drawn on demand for any rows from each member's counter-based stream (`seeding.py`).

A multinomial bootstrap is a resample of size n with replacement: position p of member k's resample is row
`resampled_rows(...)[k, p]`, an independent uniform draw over the n rows, so a minibatch of the resample is
gathered without ever storing it. Its full-batch form is the count of each row among the n positions
(training on `x[rows]` gives the same full-batch loss as weighting `x` by the counts). Poisson, Bernoulli and
exponential weights (the smooth variants used by DeepMind's `enn`) are one independent weight per row and
member, with mean 1.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from priorlab.priors.params import BOOTSTRAP_SCHEMES as SCHEMES
from priorlab.priors.seeding import counter_bits, counter_uniforms
from priorlab.validation import check_choice

#: the most rows a bootstrap can index (row draws are products of 32 random bits and n in int64)
MAX_ROWS = 2**31 - 1
# P(Poisson(1) <= j) for j = 0, 1, ...: beyond j = 20 the remaining mass is below 1e-19, far under the 2^-32
# resolution of the uniforms that are inverted through it
_POISSON_CDF = np.cumsum([math.exp(-1.0) / math.factorial(j) for j in range(21)])


def resampled_rows(keys: torch.Tensor, positions: torch.Tensor, n: int) -> torch.Tensor:
    """The rows at `positions` of each member's multinomial resample of n rows: (K, B) int64 for (K, 1) keys
    and (B,) positions, each an independent uniform draw from 0..n-1 (multiply-shift of 32 random bits)."""
    return (counter_bits(keys, positions.unsqueeze(0)) * n) >> 32


def row_weights(name: str, keys: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """(K, B) float64 weights of the rows `rows` (B,) for each member's key, for the schemes other than
    multinomial, by inversion of one uniform draw per member and row."""
    check_choice(name, "bootstrap", SCHEMES)
    if name == "multinomial":
        raise ValueError("bootstrap: a multinomial bootstrap is a resample (`resampled_rows`), not weights per row")
    if name == "none":
        return torch.ones(keys.shape[0], rows.shape[0], dtype=torch.float64, device=rows.device)
    uniforms = counter_uniforms(keys, rows.unsqueeze(0))
    if name == "poisson":
        cdf = torch.as_tensor(_POISSON_CDF, device=rows.device)
        return torch.searchsorted(cdf, uniforms).to(torch.float64)  # the smallest j with P(X <= j) >= u
    if name == "bernoulli":
        return 2.0 * (uniforms < 0.5)
    return -torch.log(uniforms)  # exponential


def bootstrap_weights(name: str, n: int, keys: torch.Tensor) -> torch.Tensor:
    """(K, n) float64 per-example weights of all n rows, mean 1 in expectation: the multinomial resample's
    counts, or `row_weights`."""
    check_choice(name, "bootstrap", SCHEMES)
    rows = torch.arange(n, device=keys.device)
    if name != "multinomial":
        return row_weights(name, keys, rows)
    members = torch.arange(keys.shape[0], device=keys.device).unsqueeze(1)
    flat = (resampled_rows(keys, rows, n) + members * n).reshape(-1)  # member k's rows counted in bins k*n...
    return torch.bincount(flat, minlength=keys.shape[0] * n).reshape(-1, n).to(torch.float64)
