"""The hand-written batched backward pass against autograd (the oracle), for random shapes."""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from priorlab.priors.losses import member_losses, member_losses_and_grad
from priorlab.priors.nets import MLP
from priorlab.priors.seeding import seeded
from priorlab.priors.stacked import StackedMLP, StackedModules

shapes = st.tuples(st.integers(1, 4), st.integers(1, 9), st.integers(1, 4))  # K, batch, outputs


@settings(max_examples=25, deadline=None)
@given(shape=shapes, classification=st.booleans(), seed=st.integers(0, 10_000))
def test_loss_gradient_matches_autograd(shape, classification, seed):
    k, batch, width = shape
    generator = torch.Generator().manual_seed(seed)
    task = "classification" if classification else "regression"
    width = max(width, 2) if classification else width
    out = torch.randn(k, batch, width, generator=generator, dtype=torch.float64, requires_grad=True)
    y = (torch.randint(0, width, (batch,), generator=generator) if classification
         else torch.randn(k, batch, width, generator=generator, dtype=torch.float64))
    weights = torch.rand(k, batch, 1, generator=generator, dtype=torch.float64) * 3
    expected = member_losses(out, y, weights, task)
    expected.sum().backward()
    losses, grad = member_losses_and_grad(out.detach(), y, weights, task)
    torch.testing.assert_close(losses, expected.detach())
    torch.testing.assert_close(grad, out.grad)


@settings(max_examples=20, deadline=None)
@given(members=st.integers(1, 3), widths=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       batch=st.integers(1, 8), seed=st.integers(0, 10_000))
def test_stacked_mlp_gradient_matches_autograd_through_torch_func(members, widths, batch, seed):
    mlps = seeded(lambda: [MLP(widths[0], widths[1:-1], widths[-1]) for _ in range(members)], seed)
    fast, generic = StackedMLP(mlps), StackedModules(mlps)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, widths[0], generator=generator)
    offset = torch.randn(members, batch, widths[-1], generator=generator)
    y = torch.randn(members, batch, widths[-1], generator=generator)
    weights = torch.rand(members, batch, 1, generator=generator)
    torch.testing.assert_close(fast.forward(x), generic.forward(x))
    torch.testing.assert_close(fast.losses_and_grad(x, offset, y, weights, "regression"),
                               generic.losses_and_grad(x, offset, y, weights, "regression"))
    for layer in range(len(widths) - 1):
        torch.testing.assert_close(fast.weight_grads[layer],
                                   generic.params[f"layers.{layer}.weight"].grad.transpose(1, 2))
        torch.testing.assert_close(fast.bias_grads[layer][:, 0], generic.params[f"layers.{layer}.bias"].grad)
    # member k rebuilt from the stack is the original network
    for k, mlp in enumerate(mlps):
        torch.testing.assert_close(fast.member_module(k)(x), mlp(x).detach())
