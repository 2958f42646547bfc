"""The agent against an independent reference: each member as a plain torch MLP, its Q-learning loss written as
bsuite's boot_dqn writes it, differentiated by autograd and stepped by torch.optim.Adam."""

import copy

import gymnasium
import numpy as np
import pytest
import torch

from priorlab.rl.agent import AgentConfig, BootstrappedDQN, agent_config, network_input
from priorlab.rl.deep_sea import DeepSeaEnv
from priorlab.rl.experiment import deep_sea, make_agent, run


def _filled_agent(config: AgentConfig, seed: int = 0, transitions: int = 60, one_hot: bool = False
                  ) -> BootstrappedDQN:
    """An agent with `transitions` random transitions stored: Gaussian observations of 7 floats, or one-hot
    states of 12 cells (sparse enough for the networks' sparse input path)."""
    width = 12 if one_hot else 7
    agent = BootstrappedDQN(width, 3, config, seed=seed)
    rng = np.random.default_rng(seed)

    def observation() -> np.ndarray:
        return (np.eye(width)[rng.integers(width)] if one_hot else rng.normal(size=width)).astype(np.float32)

    for _ in range(transitions):
        agent.observe(observation(), int(rng.integers(3)), float(rng.normal()), bool(rng.random() < 0.2),
                      observation())
    return agent


@pytest.mark.parametrize("one_hot", [False, True])
@pytest.mark.parametrize("prior_scale", [0.0, 3.0])
def test_sgd_steps_match_autograd_and_torch_adam_member_by_member(prior_scale, one_hot):
    config = AgentConfig(
        members=4,
        hidden=(16, 8),
        prior_scale=prior_scale,
        mask_prob=0.5,
        min_replay=10**6,
        batch_size=32,
        target_update_period=2,
        lr=1e-2,
    )
    agent = _filled_agent(config, one_hot=one_hot)
    assert network_input(agent.replay.arrays["obs"][:agent.replay.size]).is_sparse == one_hot
    members = [agent.online.member_module(k) for k in range(4)]
    targets = [copy.deepcopy(m) for m in members]
    priors = [agent.prior.member_module(k) if agent.prior else None for k in range(4)]
    optimizers = [torch.optim.Adam(m.parameters(), lr=1e-2) for m in members]

    def q(net, prior, x):
        return net(x) + (prior_scale * prior(x) if prior is not None else 0.0)

    for step in range(1, 6):
        batch = {k: torch.from_numpy(v) for k, v in agent.replay.sample(32, copy.deepcopy(agent.rng)).items()}
        losses = agent.sgd_step()
        for k in range(4):
            with torch.no_grad():
                bootstrap = q(targets[k], priors[k], batch["next_obs"]).max(dim=1).values
                y = batch["reward"] + 0.99 * batch["discount"] * bootstrap
            taken = q(members[k], priors[k], batch["obs"]).gather(1, batch["action"][:, None])[:, 0]
            loss = (batch["mask"][:, k] * (taken - y) ** 2).mean()
            optimizers[k].zero_grad()
            loss.backward()
            optimizers[k].step()
            assert losses[k] == pytest.approx(loss.item(), rel=1e-5)
            if step % 2 == 0:
                targets[k].load_state_dict(members[k].state_dict())
    for k in range(4):
        ours = agent.online.member_module(k).state_dict()
        for name, value in members[k].state_dict().items():
            torch.testing.assert_close(ours[name], value, rtol=1e-5, atol=1e-6)


def test_thompson_member_acts_greedily_for_the_whole_episode():
    agent = _filled_agent(AgentConfig(members=5, hidden=(8,)), transitions=0)
    obs = np.random.default_rng(0).normal(size=(40, 7)).astype(np.float32)
    for _ in range(3):
        agent.begin_episode()
        greedy = [int(np.argmax(agent.q_values(o)[agent.active])) for o in obs]
        assert [agent.select_action(o) for o in obs] == greedy
    assert len({(agent.begin_episode(), agent.active)[1] for _ in range(50)}) == 5


def test_prior_agent_learns_deep_sea_and_same_seed_same_curve():
    first, seen = deep_sea(10, "prior", episodes=300, seed=1, stop_when_learned=True, progress=False)
    assert first.learning_time is not None and first.learning_time <= 300
    again, seen_again = deep_sea(10, "prior", episodes=first.episodes, seed=1, progress=False)
    np.testing.assert_array_equal(seen.returns, seen_again.returns)
    assert again.learning_time == first.learning_time


def test_reaches_195_on_cartpole_within_250_episodes():
    """Gymnasium's CartPole-v1 counts as solved at an average return of 195 over 100 consecutive episodes."""
    env = gymnasium.make("CartPole-v1")
    agent = make_agent(env, "prior", seed=0, members=4)
    returns = run(
        agent, env, 250, seed=0, until=lambda r, _: r[-100:].mean() >= 195 and r.size >= 100, progress=False
    ).returns
    assert returns.size <= 250 and returns[-100:].mean() >= 195


def test_continuous_actions_and_unknown_agents_are_refused_by_name():
    with pytest.raises(ValueError, match=r"^env: .*discrete"):
        make_agent(gymnasium.make("Pendulum-v1"))
    with pytest.raises(ValueError, match=r"^agent: expected one of prior, bootstrap, dqn"):
        make_agent(DeepSeaEnv(4), "epsilon")
    with pytest.raises(ValueError, match=r"^mask_prob:"):
        agent_config("prior", mask_prob=1.5)


def test_learning_time_and_exponent_by_hand():
    from priorlab.rl.experiment import DeepSeaResult, learning_time
    from priorlab.rl.sweep import fit_exponent

    assert learning_time([False] * 9 + [True]) == 10  # 1 of 10 episodes: exactly 10%
    assert learning_time([False] * 10) is None
    assert learning_time([True]) == 1
    runs = [DeepSeaResult(n, "prior", 0, 0, round(3 * n**2.5), 0, 0.0) for n in (10, 20, 40)]
    slope, se = fit_exponent([*runs, DeepSeaResult(50, "dqn", 0, 9, None, 0, 0.0)])
    assert slope == pytest.approx(2.5, abs=1e-3) and se == pytest.approx(0, abs=1e-3)
    assert fit_exponent([DeepSeaResult(n, "prior", 0, 0, 1, 0, 0.0) for n in (4, 6, 8)]) == (0.0, None)
