"""Deep Sea against bsuite's own environment, step for step, over random action sequences."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from priorlab.rl.deep_sea import DeepSea, DeepSeaEnv

deep_sea = pytest.importorskip("bsuite.environments.deep_sea")


class SharedNoise:
    """Stands in for a bsuite environment's RandomState: serves the draws our copy i used this step."""

    def __init__(self):
        self.uniform = self.normal = 0.0

    def rand(self):
        return self.uniform

    def randn(self):
        return self.normal


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(2, 12),
    copies=st.integers(1, 4),
    mapping_seed=st.integers(0, 2**31 - 1),
    seed=st.integers(0, 2**31 - 1),
    deterministic=st.booleans(),
    episodes=st.integers(1, 3),
)
def test_matches_bsuite_step_for_step(size, copies, mapping_seed, seed, deterministic, episodes):
    ours = DeepSea(size, copies, deterministic=deterministic, mapping_seed=mapping_seed, seed=seed)
    theirs = [deep_sea.DeepSea(size, deterministic=deterministic, mapping_seed=mapping_seed) for _ in range(copies)]
    noises = [SharedNoise() for _ in range(copies)]
    for env, noise in zip(theirs, noises, strict=True):
        env._rng = noise
    draws = np.random.default_rng(seed)  # replays our noise stream: one uniform, then one normal per copy and step
    policy = np.random.default_rng(seed + 1)
    for _ in range(episodes):
        obs, _ = ours.reset()
        steps = [env.reset() for env in theirs]
        for step in range(size):
            np.testing.assert_array_equal(obs, np.stack([s.observation.reshape(-1) for s in steps]))
            actions = policy.integers(0, 2, copies)
            if not deterministic:
                uniform, normal = draws.random(copies), draws.standard_normal(copies)
                for i, noise in enumerate(noises):
                    noise.uniform, noise.normal = uniform[i], normal[i]
            obs, reward, terminated, truncated, _ = ours.step(actions)
            steps = [env.step(int(a)) for env, a in zip(theirs, actions, strict=True)]
            np.testing.assert_allclose(reward, [s.reward for s in steps], rtol=0, atol=1e-12)
            np.testing.assert_array_equal(terminated, [s.last() for s in steps])
            assert terminated.all() == (step == size - 1) and not truncated.any()
        np.testing.assert_array_equal(obs, np.stack([s.observation.reshape(-1) for s in steps]))


@pytest.mark.parametrize("size", [2, 5, 17])
def test_only_always_right_finds_the_treasure(size):
    """Brute force over every action sequence of a small sea; for larger ones, the one path that goes right."""
    env = DeepSea(size, mapping_seed=3)
    right = env.mapping
    if size <= 5:
        sequences = list(itertools.product((0, 1), repeat=size))
        sea = DeepSea(size, len(sequences), mapping_seed=3)
        sea.reset()
        found = np.zeros(len(sequences), dtype=bool)
        total = np.zeros(len(sequences))
        for t in range(size):
            _, reward, _, _, info = sea.step(np.array([s[t] for s in sequences]))
            found |= info["treasure"]
            total += reward
        assert found.sum() == 1
        np.testing.assert_allclose(total[found], 1 - 0.01)
        assert (total[~found] <= 0).all()
    env.reset()
    total = 0.0
    for t in range(size):
        _, reward, terminated, _, info = env.step(np.array([right[t, t]]))
        total += reward[0]
    assert info["treasure"][0] and terminated[0]
    assert total == pytest.approx(0.99)


def test_gymnasium_env_passes_gymnasium_checker():
    from gymnasium.utils.env_checker import check_env

    check_env(DeepSeaEnv(6, mapping_seed=0), skip_render_check=True)


@pytest.mark.parametrize(("kwargs", "argument"), [({"size": 1}, "size"), ({"size": 4, "num_envs": 0}, "num_envs")])
def test_bad_sizes_name_the_argument(kwargs, argument):
    with pytest.raises(ValueError, match=f"^{argument}:"):
        DeepSea(**kwargs)


def test_step_after_the_end_is_refused():
    env = DeepSea(2)
    env.reset()
    env.step(np.array([0]))
    env.step(np.array([0]))
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.array([0]))
    env.reset()
    with pytest.raises(ValueError, match=r"^actions:"):
        env.step(np.array([2]))
