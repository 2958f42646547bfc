"""A replay buffer: the last `capacity` transitions in preallocated arrays, sampled uniformly with replacement.

This is bsuite's replay (`bsuite/baselines/utils/replay.py`) in shape: first in, first out, a batch drawn
with replacement; the fields are named when the buffer is made, so the agent can keep per-member bootstrap
masks and its frozen priors' values beside each transition.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from priorlab.validation import check_int


class Replay:
    """Transitions as one row in each named array; `fields` maps a name to (shape of one row, dtype)."""

    def __init__(self, capacity: int, fields: Mapping[str, tuple[tuple[int, ...], np.dtype | type]]):
        self.capacity = check_int(capacity, "replay_capacity")
        self.arrays = {name: np.zeros((self.capacity, *shape), dtype=dtype) for name, (shape, dtype) in fields.items()}
        self.size = 0
        self._next = 0

    def add(self, **row: np.ndarray | float | int) -> None:
        """Store one transition (every field), overwriting the oldest once full."""
        if row.keys() != self.arrays.keys():
            raise ValueError(f"row: expected the fields {sorted(self.arrays)}; got {sorted(row)}")
        for name, value in row.items():
            self.arrays[name][self._next] = value
        self._next = (self._next + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """`batch_size` stored transitions drawn uniformly with replacement, field by field."""
        if self.size == 0:
            raise ValueError("replay: nothing stored yet")
        index = rng.integers(0, self.size, batch_size)
        return {name: array[index] for name, array in self.arrays.items()}
