"""The paper's 1-D regression data (Osband et al. 2018)."""

from __future__ import annotations

import numpy as np


def osband_1d() -> tuple[np.ndarray, np.ndarray]:
    """The 20-point 1-D data of Osband et al. (2018): two clusters with a gap, fixed noise.

    x: 10 points evenly spaced on [0, 0.5] and 10 on [1, 1.5]; y = x + sin(3x) + sin(12x) + 0.1 N(0, 1)
    with the noise from `numpy.random.RandomState(0)`. Both float32 of shape (20, 1).
    """
    x = np.concatenate([np.linspace(0.0, 0.5, 10), np.linspace(1.0, 1.5, 10)]).reshape(-1, 1)
    noise = np.random.RandomState(0).randn(*x.shape)
    y = x + np.sin(3 * x) + np.sin(12 * x) + 0.1 * noise
    return x.astype(np.float32), y.astype(np.float32)
