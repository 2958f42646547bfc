"""Bootstrapped DQN (Osband et al., 2016) with randomized prior functions (Osband et al., 2018).

K Q-networks `Q_k(s) = f_k(s) + prior_scale * p_k(s)`, each `p_k` a frozen random network of its own, are
trained together on the stacked fast path of `priorlab.priors` (one flat parameter tensor, a hand-written
backward pass, one fused Adam step for all K). Member k learns by Q-learning against its own target
network on the transitions its Bernoulli(mask_prob) bootstrap mask admits. Acting is Thompson-style: one
member, drawn at the start of each episode, is followed greedily for the whole episode, which is what
makes the exploration deep.

The defaults are bsuite's reference agent (`bsuite/baselines/jax/boot_dqn`, Osband et al., 2020). The
baselines are the same code: `"bootstrap"` is the ensemble without priors (prior_scale 0), `"dqn"` one
network without a prior acting epsilon-greedily (bsuite's DQN uses epsilon 0.05).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from priorlab.priors.seeding import member_rng, member_torch_seed
from priorlab.priors.stacked import StackedMLP
from priorlab.priors.training import FlatAdam
from priorlab.rl.replay import Replay
from priorlab.validation import check_choice, check_int, check_number

SPARSE_DENSITY = 0.1
"""Observation batches with at most this share of nonzero entries go to the networks as sparse tensors, so
the first layer costs the nonzeros: Deep Sea's one-hot N^2 inputs would otherwise dominate the agent's time."""


def network_input(obs: np.ndarray) -> torch.Tensor:
    """A batch of observations (rows, d) as the stacked networks take it: sparse COO when sparse enough."""
    x = torch.from_numpy(obs)
    return x.to_sparse() if np.count_nonzero(obs) <= SPARSE_DENSITY * obs.size else x


@dataclass(frozen=True)
class AgentConfig:
    """The agent's hyperparameters (bsuite's boot_dqn defaults); checked when made."""

    members: int = 20
    hidden: tuple[int, ...] = (50, 50)
    prior_scale: float = 5.0
    epsilon: float = 0.0  # probability of a uniformly random action at each step
    mask_prob: float = 1.0  # each member trains on a transition with this probability
    replay_capacity: int = 10_000
    min_replay: int = 128  # transitions stored before the first SGD step
    batch_size: int = 128
    discount: float = 0.99
    lr: float = 1e-3
    sgd_period: int = 1  # environment steps per SGD step
    target_update_period: int = 4  # SGD steps per copy of the online networks into the targets

    def __post_init__(self) -> None:
        for name in ("members", "replay_capacity", "batch_size", "sgd_period", "target_update_period"):
            check_int(getattr(self, name), name)
        check_int(self.min_replay, "min_replay", minimum=1)
        for width in self.hidden:
            check_int(width, "hidden")
        check_number(self.prior_scale, "prior_scale")
        check_number(self.lr, "lr", strict=True)
        for name in ("epsilon", "mask_prob", "discount"):
            if not 0.0 <= check_number(getattr(self, name), name) <= 1.0:
                raise ValueError(f"{name}: expected a number from 0 to 1; got {getattr(self, name)!r}")


AGENTS = {
    "prior": AgentConfig(),
    "bootstrap": AgentConfig(prior_scale=0.0),
    "dqn": AgentConfig(members=1, prior_scale=0.0, epsilon=0.05),
}
"""The three agents of Osband et al. (2018)'s Deep Sea figure, by the names the CLI takes."""


def agent_config(agent: str, **overrides: Any) -> AgentConfig:
    """The named agent's configuration with `overrides` (None values ignored) replacing its fields."""
    base = AGENTS[check_choice(agent, "agent", tuple(AGENTS))]
    return dataclasses.replace(base, **{name: value for name, value in overrides.items() if value is not None})


def _stacked(widths: list[int], members: int, seed: int, stream: str) -> StackedMLP:
    """K ReLU MLPs, member k initialised from the random stream (seed, k, stream)."""
    return StackedMLP.initialised(widths, [member_torch_seed(seed, k, stream) for k in range(members)], "relu")


class BootstrappedDQN:
    """The agent for observations of `n_observations` floats and `n_actions` discrete actions.

    Use: `begin_episode()`, then per step `select_action(obs)` and `observe(obs, action, reward, terminated,
    next_obs)`. Every random choice (initial weights, priors, masks, replay batches, actions) follows `seed`.
    """

    def __init__(self, n_observations: int, n_actions: int, config: AgentConfig | None = None, seed: int = 0):
        self.config = config = config or AgentConfig()
        self.n_observations = check_int(n_observations, "n_observations")
        self.n_actions = check_int(n_actions, "n_actions")
        widths = [self.n_observations, *config.hidden, self.n_actions]
        self.online = _stacked(widths, config.members, seed, "base")
        self.target = StackedMLP.from_flat(self.online.flat, widths, config.members, "relu")
        self.prior = _stacked(widths, config.members, seed, "prior") if config.prior_scale else None
        self.adam = FlatAdam(self.online.flat, weight_decay=0.0)
        self.rng = member_rng(seed, None, "shuffle")
        k, a = config.members, self.n_actions
        self.replay = Replay(
            config.replay_capacity,
            {
                "obs": ((self.n_observations,), np.float32),
                "action": ((), np.int64),
                "reward": ((), np.float32),
                "discount": ((), np.float32),
                "next_obs": ((self.n_observations,), np.float32),
                "mask": ((k,), np.float32),
                "prior": ((k, a), np.float32),
                "next_prior": ((k, a), np.float32),
            },
        )
        self.active = 0
        self.steps = 0
        self.sgd_steps = 0

    def begin_episode(self) -> None:
        """Thompson sampling: draw the member that acts for the whole episode."""
        self.active = int(self.rng.integers(self.config.members))

    def _prior_values(self, obs: np.ndarray) -> np.ndarray:
        """scale * p_k(obs) for every member, (K, rows, A); zeros without a prior. Frozen, so computed once per
        transition and kept in the replay."""
        if self.prior is None:
            return np.zeros((self.config.members, len(obs), self.n_actions), dtype=np.float32)
        return (self.config.prior_scale * self.prior.forward(network_input(obs))).numpy()

    def q_values(self, obs: np.ndarray) -> np.ndarray:
        """Q_k(obs) of every member: (K, A) for one observation."""
        x = np.asarray(obs, dtype=np.float32).reshape(1, -1)
        return self.online.forward(network_input(x))[:, 0].numpy() + self._prior_values(x)[:, 0]

    def select_action(self, obs: np.ndarray) -> int:
        """The acting member's greedy action (ties broken at random), or a random one with probability epsilon."""
        if self.config.epsilon and self.rng.random() < self.config.epsilon:
            return int(self.rng.integers(self.n_actions))
        q = self.q_values(obs)[self.active]
        return int(self.rng.choice(np.flatnonzero(q == q.max())))

    def observe(self, obs: np.ndarray, action: int, reward: float, terminated: bool, next_obs: np.ndarray) -> None:
        """Store the transition with its bootstrap mask, and every `sgd_period` steps train all members once.
        `terminated` (not truncated) ends the bootstrapped return."""
        config = self.config
        pair = np.stack([obs, next_obs]).astype(np.float32, copy=False)
        prior = self._prior_values(pair)
        mask = self.rng.random(config.members) < config.mask_prob
        self.replay.add(
            obs=pair[0],
            action=action,
            reward=reward,
            discount=0.0 if terminated else 1.0,
            next_obs=pair[1],
            mask=mask,
            prior=prior[:, 0],
            next_prior=prior[:, 1],
        )
        self.steps += 1
        if self.replay.size >= config.min_replay and self.steps % config.sgd_period == 0:
            self.sgd_step()

    def sgd_step(self) -> np.ndarray:
        """One Adam step of every member's Q-learning loss, mean over the batch of mask * TD error^2; (K,) losses."""
        config = self.config
        sample = self.replay.sample(config.batch_size, self.rng)
        batch = {name: network_input(v) if name.endswith("obs") else torch.from_numpy(v) for name, v in sample.items()}
        next_q = self.target.forward(batch["next_obs"]) + batch["next_prior"].transpose(0, 1)
        targets = batch["reward"] + config.discount * batch["discount"] * next_q.amax(dim=2)  # (K, B)
        # the MSE of the stacked path averages over the A outputs: weight the taken action by A, the others by 0
        chosen = torch.nn.functional.one_hot(batch["action"], self.n_actions).to(torch.float32) * self.n_actions
        weights = batch["mask"].T.unsqueeze(2) * chosen
        losses = self.online.losses_and_grad(
            batch["obs"], batch["prior"].transpose(0, 1), targets.unsqueeze(2), weights, "mse"
        )
        self.adam.step(config.lr)
        self.sgd_steps += 1
        if self.sgd_steps % config.target_update_period == 0:
            self.target.flat.copy_(self.online.flat)
        return losses.numpy()
