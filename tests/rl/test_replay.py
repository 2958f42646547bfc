import numpy as np
import pytest

from priorlab.rl.replay import Replay


def test_keeps_the_last_capacity_rows_and_samples_only_them():
    replay = Replay(5, {"x": ((2,), np.float32), "a": ((), np.int64)})
    for i in range(12):
        replay.add(x=[i, -i], a=i)
    assert replay.size == 5
    batch = replay.sample(1000, np.random.default_rng(0))
    assert set(batch["a"]) == {7, 8, 9, 10, 11}
    np.testing.assert_array_equal(batch["x"], np.stack([batch["a"], -batch["a"]], axis=1))


def test_sampling_is_uniform_and_seeded():
    replay = Replay(4, {"a": ((), np.int64)})
    for i in range(3):
        replay.add(a=i)
    draws = replay.sample(30_000, np.random.default_rng(1))["a"]
    np.testing.assert_allclose(np.bincount(draws) / draws.size, 1 / 3, atol=0.01)
    np.testing.assert_array_equal(
        replay.sample(50, np.random.default_rng(2))["a"], replay.sample(50, np.random.default_rng(2))["a"]
    )


def test_refusals_name_the_argument():
    with pytest.raises(ValueError, match="replay_capacity"):
        Replay(0, {})
    replay = Replay(2, {"a": ((), np.int64)})
    with pytest.raises(ValueError, match="replay"):
        replay.sample(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="row"):
        replay.add(b=1)
