"""The fit loop shared by every stacked network: Adam, epochs, minibatches, progress, history.

Member k's loss depends only on member k's parameters, so minimising the sum of member losses with
one Adam over the stacked tensors gives each member exactly the update it would get alone (Adam is
elementwise). What each member sees, batch by batch, is `member_data.MemberData`'s to compute.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from priorlab.priors.member_data import MemberData
from priorlab.priors.stacked import StackedNetwork

logger = logging.getLogger(__name__)

# Below this many multiply-adds per step, keeping torch's intra-op threads in step costs more than the
# work itself: the 1-D demo's 40 members of a 1-20-20-1 MLP train 10-30x faster on one thread than on two
# on a busy 2-core machine.
SINGLE_THREAD_STEP_SIZE = 2**24
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
FINITE_CHECK_EVERY = 16
"""Epochs between checks that the losses are finite (one reduction and one read instead of one per epoch)."""


@contextlib.contextmanager
def step_threads(network: StackedNetwork, batch_rows: int) -> Iterator[None]:
    """Train small stacked networks on one torch thread, restoring the caller's setting afterwards.

    torch's intra-op thread count is process-wide, so while a small fit runs every other torch call in
    the process (other threads included) also runs on one thread; the previous count is restored when
    fit returns or raises. When the count already is 1, or the network is large, it is not touched at all.
    """
    step_size = batch_rows * sum(p.numel() for p in network.parameters())
    previous = torch.get_num_threads()
    if previous == 1 or step_size >= SINGLE_THREAD_STEP_SIZE:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@dataclass
class TrainingConfig:
    epochs: int
    lr: float
    weight_decay: float
    batch_size: int | None
    loss: str  # one of losses.LOSSES
    shuffle_seed: int
    lr_schedule: str = "constant"  # or "cosine": anneal to 0 over the epochs, to converge tightly
    lr_horizon: int | None = None  # the cosine's length in epochs, if longer than the training
    first_member: int = 0  # the ensemble's index of the network's member 0 (a group's, over Dask), for messages


class FlatAdam:
    """Adam on one flat tensor through PyTorch's fused kernel, without `torch.optim.Optimizer.step`'s
    per-call bookkeeping: on the small stacked networks that bookkeeping cost more than the update."""

    def __init__(self, param: torch.Tensor, weight_decay: float):
        self.param, self.weight_decay = param, weight_decay
        self.exp_avg, self.exp_avg_sq = torch.zeros_like(param), torch.zeros_like(param)
        self.steps = torch.zeros((), dtype=torch.float32, device=param.device)

    def step(self, lr: float) -> None:
        self.steps += 1  # the kernel reads the count for its bias correction, as torch.optim.Adam passes it
        torch._fused_adam_([self.param], [self.param.grad], [self.exp_avg], [self.exp_avg_sq], [], [self.steps],
                           lr=lr, beta1=ADAM_BETAS[0], beta2=ADAM_BETAS[1], weight_decay=self.weight_decay,
                           eps=ADAM_EPS, amsgrad=False, maximize=False)


def learning_rate(config: TrainingConfig, epoch: int) -> float:
    """The learning rate of `epoch` (0-based): constant, or cosine-annealed from `lr` towards 0 over the horizon
    (the closed form of `torch.optim.lr_scheduler.CosineAnnealingLR` with T_max the horizon, eta_min 0)."""
    if config.lr_schedule == "constant":
        return config.lr
    return config.lr * 0.5 * (1.0 + math.cos(math.pi * epoch / (config.lr_horizon or config.epochs)))


def train(
    network: StackedNetwork,
    data: MemberData,
    config: TrainingConfig,
    *,
    progress: bool = True,
    on_epoch_end: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Train `network` (a stacked network) in place; returns the per-epoch mean loss, shape (epochs, K)."""
    params = network.parameters()
    if len(params) == 1 and params[0].device.type == "cpu":  # the MLP fast path: one flat tensor
        adam = FlatAdam(params[0], config.weight_decay)
        step = adam.step
    else:
        optimizer = torch.optim.Adam(params, lr=config.lr, betas=ADAM_BETAS, eps=ADAM_EPS,
                                     weight_decay=config.weight_decay, foreach=True)

        def step(lr: float) -> None:
            optimizer.param_groups[0]["lr"] = lr
            optimizer.step()

    full_batch = config.batch_size is None or config.batch_size >= data.n
    generator = torch.Generator().manual_seed(config.shuffle_seed)
    history = torch.zeros(config.epochs, network.n_members, device=data.x.device)
    full = data.full() if full_batch else None
    n_batches = 1 if full_batch else -(-data.n // config.batch_size)
    logger.info("training %d members for %d epochs (%d batches each)", network.n_members, config.epochs, n_batches)
    epochs = tqdm(range(config.epochs), disable=not progress, desc="training", unit="epoch", leave=False)
    checked = 0  # epochs whose losses are known to be finite
    with step_threads(network, data.n if full_batch else config.batch_size):
        for epoch in epochs:
            lr = learning_rate(config, epoch)
            if full_batch:
                batches = (full,)
            else:
                order = torch.randperm(data.n, generator=generator).to(data.x.device)
                batches = data.minibatches(order, config.batch_size)
            for batch in batches:
                losses = network.losses_and_grad(batch.x, batch.offset, batch.y, batch.weights, config.loss)
                step(lr)
                history[epoch].add_(losses)
            # every few epochs (a callback may predict, so before it), and after the last
            if on_epoch_end is not None or epoch + 1 - checked >= FINITE_CHECK_EVERY or epoch + 1 == config.epochs:
                _check_finite(history[checked:epoch + 1], checked, config)
                checked = epoch + 1
            if on_epoch_end is not None:
                on_epoch_end(epoch)
    return (history / n_batches).cpu().numpy().astype(np.float32)


def _check_finite(losses: torch.Tensor, first_epoch: int, config: TrainingConfig) -> None:
    """Stop a diverging fit: after a non-finite loss every later step is NaN too. `losses` are the (epochs, K)
    losses of the epochs from `first_epoch` on; the error names the first non-finite one."""
    if bool(torch.isfinite(losses).all()):
        return
    epoch, member = (int(i) for i in torch.nonzero(~torch.isfinite(losses))[0])
    member += config.first_member
    raise ValueError(f"lr: training diverged (member {member}'s loss is not finite at epoch {first_epoch + epoch + 1}"
                     f"); try a smaller learning rate than {config.lr:g}, or standardised data")
