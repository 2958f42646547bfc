"""Deep Sea (Osband et al., 2018; bsuite, Osband et al., 2020), many copies stepped at once in NumPy.

The definition is bsuite's (`bsuite/environments/deep_sea.py`): an N x N grid, a one-hot observation of
(row, column), start top-left, every step moves one row down and one column left or right, so an
episode lasts exactly N steps. Which action means "right" is drawn per cell from `mapping_seed` the way
bsuite draws it, so the same `mapping_seed` is the same problem in both. Moving right costs 0.01 / N;
moving right from the last column gives the treasure, reward 1. Only a policy that goes right N times
in a row finds it: dithering needs about 2^N episodes. The stochastic variant moves right only with
probability 1 - 1/N and adds N(0, 1) noise to the reward of the bottom row's two end cells.

All copies share the mapping and start together, so they end together: `DeepSea` has no autoreset.
`DeepSeaEnv` is one copy behind Gymnasium's `Env` interface (what the agent runs on).
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np

from priorlab.validation import check_int

MOVE_COST = 0.01
"""bsuite's `unscaled_move_cost`: the optimal deterministic return is 1 - MOVE_COST."""


def action_mapping(size: int, mapping_seed: int | None) -> np.ndarray:
    """(size, size) array: the action that means "right" in each cell, drawn as bsuite draws it."""
    return np.random.RandomState(mapping_seed).binomial(1, 0.5, (size, size))


class DeepSea:
    """`num_envs` Deep Sea episodes stepped together: observations (num_envs, size * size), float32.

    `seed` drives the stochastic variant's noise: every step draws one uniform (does "right" succeed) and
    one normal (the end cells' reward noise) per copy, whatever the actions, so the noise stream does not
    depend on the policy.
    """

    def __init__(
        self,
        size: int,
        num_envs: int = 1,
        *,
        deterministic: bool = True,
        mapping_seed: int | None = None,
        seed: int | None = None,
    ):
        self.size = check_int(size, "size", minimum=2)
        self.num_envs = check_int(num_envs, "num_envs")
        self.deterministic = bool(deterministic)
        self.mapping = action_mapping(self.size, mapping_seed)
        self.rng = np.random.default_rng(seed)
        self.row = np.zeros(self.num_envs, dtype=np.int64)
        self.column = np.zeros(self.num_envs, dtype=np.int64)
        self._running = False

    @property
    def n_observations(self) -> int:
        return self.size * self.size

    def observation(self) -> np.ndarray:
        """One-hot (row, column) per copy; all zeros once the episode is over (bsuite's null observation)."""
        obs = np.zeros((self.num_envs, self.size * self.size), dtype=np.float32)
        alive = self.row < self.size
        obs[np.flatnonzero(alive), (self.row * self.size + self.column)[alive]] = 1.0
        return obs

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.row[:] = 0
        self.column[:] = 0
        self._running = True
        return self.observation(), {}

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Gymnasium's five values, one per copy; `info["treasure"]`: which copies found the +1 this step."""
        if not self._running:
            raise RuntimeError("step: the episode is over (or never started); call reset() first")
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,) or not np.isin(actions, (0, 1)).all():
            raise ValueError(f"actions: expected {self.num_envs} actions, each 0 or 1; got {actions!r}")
        n = self.size
        right = actions == self.mapping[self.row, self.column]
        treasure = right & (self.column == n - 1)
        reward = treasure.astype(np.float64)
        if not self.deterministic:
            succeeds, noise = self.rng.random(self.num_envs) > 1.0 / n, self.rng.standard_normal(self.num_envs)
            at_end = (self.row == n - 1) & ((self.column == 0) | (self.column == n - 1))
            reward += np.where(at_end, noise, 0.0)
        else:
            succeeds = True
        reward -= np.where(right, MOVE_COST / n, 0.0)
        self.column = np.clip(self.column + np.where(right & succeeds, 1, np.where(right, 0, -1)), 0, n - 1)
        self.row += 1
        terminated = self.row == n
        self._running = not terminated.all()
        return self.observation(), reward, terminated, np.zeros(self.num_envs, dtype=bool), {"treasure": treasure}


class DeepSeaEnv(gymnasium.Env):
    """One Deep Sea episode at a time behind Gymnasium's `Env` interface (flat one-hot observations)."""

    def __init__(
        self, size: int, *, deterministic: bool = True, mapping_seed: int | None = None, seed: int | None = None
    ):
        self.sea = DeepSea(size, 1, deterministic=deterministic, mapping_seed=mapping_seed, seed=seed)
        self.observation_space = gymnasium.spaces.Box(0.0, 1.0, (self.sea.n_observations,), dtype=np.float32)
        self.action_space = gymnasium.spaces.Discrete(2)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        obs, info = self.sea.reset(seed)
        return obs[0], info

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.sea.step(np.array([action]))
        return (
            obs[0],
            float(reward[0]),
            bool(terminated[0]),
            bool(truncated[0]),
            {"treasure": bool(info["treasure"][0])},
        )
