"""Deep exploration with randomized prior functions (Osband et al., 2018).

- `DeepSea`, `DeepSeaEnv`: bsuite's Deep Sea (Osband et al., 2020), vectorised, and behind Gymnasium's `Env`.
- `BootstrappedDQN`, `AgentConfig`, `AGENTS`: bootstrapped DQN (Osband et al., 2016) with a random prior per
  Q-network, trained on the stacked path of `priorlab.priors`; the baselines are the same code.
- `make_agent`, `run`, `learning_time`: an agent on any Gymnasium environment with discrete actions, and Deep
  Sea's learning time; `rl.experiment.deep_sea` runs one agent on Deep Sea, `rl.sweep.sweep` all three over
  sizes and seeds, `rl.plots` draws the figure.

Names import their module on first use, so `import priorlab.rl` loads neither torch nor Gymnasium.
"""

from __future__ import annotations

from priorlab.lazy import lazy_exports

_EXPORTS = {
    "DeepSea": "priorlab.rl.deep_sea",
    "DeepSeaEnv": "priorlab.rl.deep_sea",
    "AGENTS": "priorlab.rl.agent",
    "AgentConfig": "priorlab.rl.agent",
    "BootstrappedDQN": "priorlab.rl.agent",
    "make_agent": "priorlab.rl.experiment",
    "run": "priorlab.rl.experiment",
    "learning_time": "priorlab.rl.experiment",
}

__all__ = list(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
