"""Running an agent on a Gymnasium environment, and Deep Sea's learning time as bsuite's analysis counts it.

`learning_time` is the first episode at which at least 10% of the episodes so far found the treasure
(bsuite's `deep_sea/analysis.py`: the running fraction of bad episodes first below 0.9). A dithering
agent needs about 2^N episodes for that; Osband et al. (2018) show the prior agent needs a number
polynomial in N.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from priorlab.rl.agent import BootstrappedDQN, agent_config
from priorlab.rl.deep_sea import DeepSeaEnv
from priorlab.rl.settings import BUDGET
from priorlab.validation import check_int

logger = logging.getLogger(__name__)

LEARNED_FRACTION = 0.1


def make_agent(env: Any, agent: str = "prior", seed: int = 0, **overrides: Any) -> BootstrappedDQN:
    """The named agent for `env`, a Gymnasium environment with discrete actions and flat observations.

    Parameters
    ----------
    env : gymnasium.Env
        Its `action_space` must be discrete (`gymnasium.spaces.Discrete`) and its `observation_space` flat (a
        1-D `Box`); the agent sees the environment through nothing else.
    agent : {"prior", "bootstrap", "dqn"}, default "prior"
        Bootstrapped DQN with a random prior per Q-network (Osband et al. 2018), the same without priors
        (Osband et al. 2016), or one network acting epsilon-greedily (`rl.agent.AGENTS`).
    seed : int, default 0
        Seed of every random choice of the agent: initial weights, priors, bootstrap masks, replay batches
        and actions.
    **overrides
        Fields of `rl.agent.AgentConfig` replacing the named agent's (`members=5`, `hidden=(32,)`, ...);
        None values are ignored, so options left unset keep the agent's own.

    Returns
    -------
    BootstrappedDQN
        The untrained agent; `run` trains it while it acts.

    Raises
    ------
    ValueError
        If the action space is not discrete, the observation not flat, `agent` not one of the three, or an
        override out of its range (the message names it).
    TypeError
        If an override is not a field of `AgentConfig`.

    Examples
    --------
    >>> from priorlab.rl import DeepSeaEnv, make_agent
    >>> agent = make_agent(DeepSeaEnv(4), "prior", seed=0, members=3)
    >>> agent.n_observations, agent.n_actions  # Deep Sea's one-hot N x N grid, left and right
    (16, 2)
    >>> agent.config.members, agent.config.prior_scale
    (3, 5.0)
    """
    n_actions = getattr(env.action_space, "n", None)
    if n_actions is None:
        raise ValueError(
            f"env: the agent needs a discrete action space (gymnasium.spaces.Discrete); got {env.action_space}"
        )
    shape = getattr(env.observation_space, "shape", None)
    if shape is None or len(shape) != 1:
        raise ValueError(
            f"env: the agent needs a flat observation (a 1-D Box); got {env.observation_space} "
            "(flatten it with gymnasium.wrappers.FlattenObservation)"
        )
    return BootstrappedDQN(shape[0], int(n_actions), agent_config(agent, **overrides), seed=seed)


@dataclass
class Episodes:
    """What `run` saw: each episode's return and whether it found the treasure (`info["treasure"]`)."""

    returns: np.ndarray
    treasures: np.ndarray
    env_steps: int
    seconds: float


def run(
    agent: BootstrappedDQN,
    env: Any,
    episodes: int,
    *,
    seed: int = 0,
    until: Callable[[np.ndarray, np.ndarray], bool] | None = None,
    progress: bool = True,
) -> Episodes:
    """Run at most `episodes` episodes of `env`, the agent learning as it goes.

    Parameters
    ----------
    agent : BootstrappedDQN
        The agent, as `make_agent` returns it; it keeps what it learned, so a second `run` continues.
    env : gymnasium.Env
        The environment; an episode ends when it terminates or truncates. Its `info["treasure"]`, where
        given (Deep Sea gives it), says whether the episode found the treasure.
    episodes : int
        The most episodes to run (at least 1).
    seed : int, default 0
        Seed of the environment's first reset; later resets continue its random stream.
    until : callable, optional
        `until(returns, treasures)`, asked after each episode with the arrays of the episodes so far, stops
        the run when it returns true (Deep Sea's learning time, a solved CartPole...).
    progress : bool, default True
        Show a progress bar over the episodes.

    Returns
    -------
    Episodes
        Each episode's return and whether it found the treasure, the environment steps taken and the wall
        time.

    Raises
    ------
    ValueError
        If `episodes` is not a positive integer.

    Examples
    --------
    >>> from priorlab.rl import DeepSeaEnv, make_agent, run
    >>> env = DeepSeaEnv(3, mapping_seed=0, seed=0)
    >>> seen = run(make_agent(env, seed=0, members=2), env, 5, progress=False)
    >>> len(seen.returns), seen.env_steps  # every Deep Sea episode takes N steps
    (5, 15)
    >>> stopped = run(make_agent(env, members=2), env, 100, until=lambda returns, _: len(returns) == 2,
    ...               progress=False)
    >>> len(stopped.returns)
    2
    """
    episodes = check_int(episodes, "episodes")
    returns, treasures, steps = [], [], 0
    start = time.perf_counter()
    with torch.no_grad():
        for episode in tqdm(range(episodes), disable=not progress, desc="episodes", unit="ep", leave=False):
            obs, _ = env.reset(seed=seed if episode == 0 else None)
            agent.begin_episode()
            total, found, done = 0.0, False, False
            while not done:
                action = agent.select_action(obs)
                next_obs, reward, terminated, truncated, info = env.step(action)
                agent.observe(obs, action, reward, terminated, next_obs)
                total += reward
                found |= bool(info.get("treasure", False))
                obs, done, steps = next_obs, terminated or truncated, steps + 1
            returns.append(total)
            treasures.append(found)
            if until is not None and until(np.array(returns), np.array(treasures, dtype=bool)):
                break
    return Episodes(np.array(returns), np.array(treasures, dtype=bool), steps, time.perf_counter() - start)


def learning_time(treasures: np.ndarray) -> int | None:
    """The first episode (1-based) by which at least 10% of the episodes found the treasure; None if none."""
    found = np.asarray(treasures, dtype=bool)
    episode = np.arange(1, found.size + 1)
    learned = np.flatnonzero(np.cumsum(found) >= LEARNED_FRACTION * episode)
    return int(learned[0]) + 1 if learned.size else None


@dataclass
class DeepSeaResult:
    """One agent on one Deep Sea: the record `priorlab deep-sea --json` prints."""

    size: int
    agent: str
    seed: int
    episodes: int  # episodes run (the budget, or fewer when stopped at the learning time)
    learning_time: int | None
    treasures: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deep_sea(
    size: int,
    agent: str = "prior",
    *,
    episodes: int = BUDGET,
    seed: int = 0,
    members: int | None = None,
    stop_when_learned: bool = False,
    progress: bool = True,
) -> tuple[DeepSeaResult, Episodes]:
    """The named agent on Deep Sea of `size` (its action mapping drawn from `seed`, as are the agent's weights)."""
    env = DeepSeaEnv(size, mapping_seed=seed, seed=seed)
    learner = make_agent(env, agent, seed, members=members)
    until = (lambda _, treasures: learning_time(treasures) is not None) if stop_when_learned else None
    seen = run(learner, env, episodes, seed=seed, until=until, progress=progress)
    result = DeepSeaResult(
        size,
        agent,
        seed,
        len(seen.returns),
        learning_time(seen.treasures),
        int(seen.treasures.sum()),
        round(seen.seconds, 3),
    )
    logger.info("deep sea %s", result)
    return result, seen
