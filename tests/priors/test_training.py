"""The fit loop (`priorlab.priors.training`) against torch's own pieces: the cosine schedule against
`CosineAnnealingLR`, `FlatAdam` against `torch.optim.Adam` step by step, the thread setting restored however
the body ends, and the history against the losses a stand-in network reported. Training itself against
models trained alone is tests/priors/test_ensemble.py's."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from priorlab.priors import training
from priorlab.priors.member_data import MemberData
from priorlab.priors.training import FlatAdam, TrainingConfig, learning_rate, step_threads, train


def config(**changes) -> TrainingConfig:
    values = dict(epochs=6, lr=1e-2, weight_decay=0.0, batch_size=None, loss="mse", shuffle_seed=0)
    return TrainingConfig(**(values | changes))


def torch_cosine(lr: float, horizon: int, epochs: int) -> list[float]:
    """The learning rate of each epoch under torch's CosineAnnealingLR (T_max the horizon, eta_min 0)."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=horizon)
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


@given(lr=st.floats(1e-5, 1.0), epochs=st.integers(1, 60), extra=st.one_of(st.none(), st.integers(0, 40)))
def test_the_cosine_schedule_is_torchs_cosine_annealing(lr, epochs, extra):
    horizon = None if extra is None else epochs + extra
    schedule = config(epochs=epochs, lr=lr, lr_schedule="cosine", lr_horizon=horizon)
    expected = torch_cosine(lr, horizon or epochs, epochs)
    np.testing.assert_allclose([learning_rate(schedule, e) for e in range(epochs)], expected, rtol=1e-9, atol=1e-15)


def test_the_constant_schedule_keeps_the_learning_rate():
    assert {learning_rate(config(lr=0.3, lr_horizon=50), e) for e in range(6)} == {0.3}


@pytest.mark.parametrize("weight_decay", [0.0, 1e-2])
def test_flat_adam_takes_torch_adams_steps(weight_decay):
    generator = torch.Generator().manual_seed(3)
    flat = torch.randn(50, generator=generator)
    reference = flat.clone().requires_grad_(True)
    flat.grad = torch.zeros_like(flat)
    adam = FlatAdam(flat, weight_decay)
    torch_adam = torch.optim.Adam([reference], betas=training.ADAM_BETAS, eps=training.ADAM_EPS,
                                  weight_decay=weight_decay, foreach=False)
    for step in range(25):
        lr = 0.05 * (0.9 ** step)  # a schedule: each step's own rate
        gradient = torch.randn(50, generator=generator) * (10.0 if step % 5 == 0 else 0.1)
        flat.grad.copy_(gradient)
        reference.grad = gradient.clone()
        torch_adam.param_groups[0]["lr"] = lr
        adam.step(lr)
        torch_adam.step()
        torch.testing.assert_close(flat, reference.detach(), rtol=1e-5, atol=1e-7)
    assert float(adam.steps) == 25


class StandIn:
    """A stacked network of `members` members on one flat tensor, whose losses come from its own generator
    and are recorded (one row per batch), so the history can be rebuilt from them."""

    def __init__(self, members: int = 3, size: int = 4, nan_at: tuple[int, int] | None = None):
        self.n_members, self.flat, self.nan_at = members, torch.zeros(size, requires_grad=True), nan_at
        self.generator, self.reported, self.rows = torch.Generator().manual_seed(0), [], []

    def parameters(self):
        return [self.flat]

    def losses_and_grad(self, x, offset, y, weights, loss):
        self.flat.grad = torch.zeros_like(self.flat)
        losses = torch.rand(self.n_members, generator=self.generator)
        if self.nan_at is not None and len(self.reported) + 1 >= self.nan_at[0]:
            losses[self.nan_at[1]] = float("nan")
        self.reported.append(losses.clone())
        self.rows.append(len(x))
        return losses


def member_data(n: int, members: int = 3) -> MemberData:
    keys = torch.arange(members, dtype=torch.int64)[:, None]
    return MemberData(torch.zeros(n, 1), torch.zeros(n, 1), lambda x: torch.zeros(members, len(x), 1), 1, "none",
                      keys, keys, 0.0)


@pytest.mark.parametrize("n, batch_size, batches", [(10, None, 1), (10, 10, 1), (10, 4, 3), (7, 1, 7), (5, 50, 1)])
def test_the_history_is_each_epochs_mean_batch_loss(n, batch_size, batches):
    network, epochs, ends = StandIn(), 5, []
    history = train(network, member_data(n), config(epochs=epochs, batch_size=batch_size), progress=False,
                    on_epoch_end=ends.append)
    assert history.shape == (epochs, network.n_members) and history.dtype == np.float32
    reported = torch.stack(network.reported).reshape(epochs, batches, network.n_members)
    np.testing.assert_allclose(history, reported.mean(dim=1).numpy(), rtol=1e-6)
    assert ends == list(range(epochs))
    assert len(network.rows) == epochs * batches and sum(network.rows) == n * epochs  # every row once an epoch


def test_every_batch_steps_at_its_epochs_learning_rate(monkeypatch):
    steps, original = [], FlatAdam.step
    monkeypatch.setattr(FlatAdam, "step", lambda self, lr: (steps.append(lr), original(self, lr)))
    train(StandIn(), member_data(9), config(epochs=8, batch_size=4, lr=0.1, lr_schedule="cosine", lr_horizon=12),
          progress=False)
    expected = [lr for lr in torch_cosine(0.1, 12, 8) for _ in range(3)]  # 3 batches of 9 rows per epoch
    np.testing.assert_allclose(steps, expected, rtol=1e-9)


def test_divergence_names_the_ensembles_member_and_the_learning_rate():
    """`first_member` is the ensemble's index of the network's member 0 (a group's, when trained in groups)."""
    network = StandIn(nan_at=(3, 1))
    with pytest.raises(ValueError, match=r"^lr: training diverged \(member 6's loss is not finite at epoch 3\); "
                                         r"try a smaller learning rate than 0\.25, or standardised data$"):
        train(network, member_data(4), config(epochs=20, lr=0.25, first_member=5), progress=False)


@pytest.fixture
def two_threads():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


class Small:
    def __init__(self, size: int):
        self.size = size

    def parameters(self):
        return [torch.empty(self.size)]


def test_a_small_step_runs_on_one_thread_and_the_setting_comes_back_even_after_an_error(two_threads):
    with step_threads(Small(100), batch_rows=10):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
    with pytest.raises(KeyboardInterrupt), step_threads(Small(100), batch_rows=10):
        assert torch.get_num_threads() == 1
        raise KeyboardInterrupt
    assert torch.get_num_threads() == 2


def test_a_large_step_keeps_the_callers_threads(two_threads):
    rows = math.ceil(training.SINGLE_THREAD_STEP_SIZE / 1000)
    with pytest.raises(ValueError, match="inside"), step_threads(Small(1000), batch_rows=rows):
        assert torch.get_num_threads() == 2
        raise ValueError("inside")
    assert torch.get_num_threads() == 2
