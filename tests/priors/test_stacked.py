"""The hand-written batched backward pass against autograd (the oracle), for random shapes."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from priorlab.priors.losses import LOSSES, VARIANCE_FLOOR, member_losses, member_losses_and_grad
from priorlab.priors.nets import MLP
from priorlab.priors.params import ACTIVATIONS
from priorlab.priors.seeding import seeded
from priorlab.priors.stacked import StackedMLP, StackedModules

shapes = st.tuples(st.integers(1, 4), st.integers(1, 9), st.integers(1, 4))  # K, batch, outputs


@settings(max_examples=40, deadline=None)
@given(shape=shapes, loss=st.sampled_from(LOSSES), seed=st.integers(0, 10_000), spread=st.floats(0.1, 8.0))
def test_loss_gradient_matches_autograd(shape, loss, seed, spread):
    """`spread` scales the outputs: raw variances from strongly negative (near the floor) to large."""
    k, batch, width = shape
    generator = torch.Generator().manual_seed(seed)
    width = max(width, 2) if loss == "cross_entropy" else width
    out_width = 2 * width if loss == "gaussian" else width
    out = (spread * torch.randn(k, batch, out_width, generator=generator, dtype=torch.float64)).requires_grad_(True)
    y = (torch.randint(0, width, (batch,), generator=generator) if loss == "cross_entropy"
         else torch.randn(k, batch, width, generator=generator, dtype=torch.float64))
    weights = torch.rand(k, batch, 1, generator=generator, dtype=torch.float64) * 3
    expected = member_losses(out, y, weights, loss)
    expected.sum().backward()
    losses, grad = member_losses_and_grad(out.detach(), y, weights, loss)
    torch.testing.assert_close(losses, expected.detach())
    torch.testing.assert_close(grad, out.grad)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 10_000))
def test_gaussian_loss_is_torchs_gaussian_nll(shape, seed):
    """The Gaussian loss against `torch.nn.functional.gaussian_nll_loss` (full=True) on the floored softplus
    variance, weighted per example and averaged over the targets."""
    k, batch, width = shape
    generator = torch.Generator().manual_seed(seed)
    out = 2 * torch.randn(k, batch, 2 * width, generator=generator, dtype=torch.float64)
    y = torch.randn(k, batch, width, generator=generator, dtype=torch.float64)
    weights = torch.rand(k, batch, 1, generator=generator, dtype=torch.float64) * 3
    variance = torch.nn.functional.softplus(out[..., width:]) + VARIANCE_FLOOR
    nll = torch.nn.functional.gaussian_nll_loss(out[..., :width], y, variance, full=True, reduction="none",
                                                eps=VARIANCE_FLOOR / 2)
    expected = (weights * nll.mean(dim=2, keepdim=True)).sum(dim=(1, 2)) / batch
    torch.testing.assert_close(member_losses(out, y, weights, "gaussian"), expected)
    torch.testing.assert_close(member_losses_and_grad(out, y, weights, "gaussian")[0], expected)


def test_an_unknown_loss_is_named():
    out, y, weights = torch.zeros(1, 2, 1), torch.zeros(1, 2, 1), torch.ones(1, 2, 1)
    for function in (member_losses, member_losses_and_grad):
        with pytest.raises(ValueError, match="loss: expected one of mse, gaussian, cross_entropy; got 'l1'"):
            function(out, y, weights, "l1")


@settings(max_examples=20, deadline=None)
@given(members=st.integers(1, 3), widths=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       batch=st.integers(1, 8), seed=st.integers(0, 10_000), gaussian=st.booleans(),
       activation=st.sampled_from(ACTIVATIONS))
def test_stacked_mlp_gradient_matches_autograd_through_torch_func(members, widths, batch, seed, gaussian, activation):
    loss = "gaussian" if gaussian else "mse"
    if gaussian:  # C means and C raw variances
        widths = [*widths[:-1], 2 * widths[-1]]
    mlps = seeded(lambda: [MLP(widths[0], widths[1:-1], widths[-1], activation) for _ in range(members)], seed)
    fast, generic = StackedMLP(mlps), StackedModules(mlps)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, widths[0], generator=generator)
    offset = torch.randn(members, batch, widths[-1], generator=generator)
    y = torch.randn(members, batch, widths[-1] // 2 if gaussian else widths[-1], generator=generator)
    weights = torch.rand(members, batch, 1, generator=generator)
    torch.testing.assert_close(fast.forward(x), generic.forward(x))
    torch.testing.assert_close(fast.losses_and_grad(x, offset, y, weights, loss),
                               generic.losses_and_grad(x, offset, y, weights, loss))
    for layer in range(len(widths) - 1):
        torch.testing.assert_close(fast.weight_grads[layer],
                                   generic.params[f"layers.{layer}.weight"].grad.transpose(1, 2))
        torch.testing.assert_close(fast.bias_grads[layer][:, 0], generic.params[f"layers.{layer}.bias"].grad)
    # member k rebuilt from the stack is the original network
    for k, mlp in enumerate(mlps):
        torch.testing.assert_close(fast.member_module(k)(x), mlp(x).detach())


def test_members_of_one_stack_share_their_activation():
    with pytest.raises(ValueError, match=r"members: one activation for all members, got \['relu', 'selu'\]"):
        StackedMLP([MLP(2, (3,), 1, "selu"), MLP(2, (3,), 1, "relu")])
    with pytest.raises(ValueError, match="activation: expected one of selu, relu; got 'tanh'"):
        MLP(2, (3,), 1, "tanh")


@settings(max_examples=30, deadline=None)
@given(widths=st.lists(st.integers(1, 12), min_size=2, max_size=5), seeds=st.lists(st.integers(0, 2**63 - 1),
       min_size=1, max_size=4), activation=st.sampled_from(ACTIVATIONS))
def test_mlps_initialised_in_place_equal_mlps_built_one_by_one(widths, seeds, activation):
    """`StackedMLP.initialised` draws what building each `MLP` under its seed draws, bit for bit."""
    built = StackedMLP([seeded(lambda: MLP(widths[0], widths[1:-1], widths[-1], activation), seed)
                        for seed in seeds])
    drawn = StackedMLP.initialised(widths, seeds, activation)
    assert drawn.widths == built.widths and drawn.activation == activation
    assert torch.equal(drawn.flat, built.flat)


@settings(max_examples=25, deadline=None)
@given(members=st.integers(1, 3), widths=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       batch=st.integers(1, 8), entries=st.integers(0, 20), seed=st.integers(0, 10_000),
       activation=st.sampled_from(ACTIVATIONS))
def test_sparse_inputs_train_as_their_dense_matrix(members, widths, batch, entries, seed, activation):
    """Sparse COO inputs, repeated entries included (they add up), against autograd on the dense matrix."""
    mlps = seeded(lambda: [MLP(widths[0], widths[1:-1], widths[-1], activation) for _ in range(members)], seed)
    fast, generic = StackedMLP(mlps), StackedModules(mlps)
    generator = torch.Generator().manual_seed(seed)
    indices = torch.stack([torch.randint(batch, (entries,), generator=generator),
                           torch.randint(widths[0], (entries,), generator=generator)])
    sparse = torch.sparse_coo_tensor(indices, torch.randn(entries, generator=generator), (batch, widths[0]),
                                     check_invariants=True)
    dense = sparse.to_dense()
    offset = torch.randn(members, batch, widths[-1], generator=generator)
    y = torch.randn(members, batch, widths[-1], generator=generator)
    weights = torch.rand(members, batch, 1, generator=generator)
    torch.testing.assert_close(fast.forward(sparse), generic.forward(dense))
    sparse64 = sparse.double()  # repeated entries summed in float64 on both sides
    torch.testing.assert_close(fast.forward(sparse64), generic.forward(sparse64.to_dense()))
    fast.losses_and_grad(sparse, offset, -y, weights, "mse")  # gradients are written, not accumulated
    torch.testing.assert_close(fast.losses_and_grad(sparse, offset, y, weights, "mse"),
                               generic.losses_and_grad(dense, offset, y, weights, "mse"))
    for layer in range(len(widths) - 1):
        torch.testing.assert_close(fast.weight_grads[layer],
                                   generic.params[f"layers.{layer}.weight"].grad.transpose(1, 2))
        torch.testing.assert_close(fast.bias_grads[layer][:, 0], generic.params[f"layers.{layer}.bias"].grad)


def test_a_narrowing_hidden_layer_is_stored_out_by_in():
    """Layers after the first that narrow (a Gaussian member's 8 -> 2 output) are stored as nn.Linear lays
    them out, (K, out, in); the others (K, in, out). The batched matmuls' speed depends on it."""
    mlps = seeded(lambda: [MLP(3, (8,), 2, "selu") for _ in range(2)], 0)
    flat = StackedMLP(mlps).flat
    first = torch.stack([m.layers[0].weight.detach().T for m in mlps]).reshape(-1)  # (K, 3, 8)
    second = torch.stack([m.layers[1].weight.detach() for m in mlps]).reshape(-1)  # (K, 2, 8)
    assert torch.equal(flat[:first.numel()], first)
    start = first.numel() + 2 * 8  # after the first layer's biases
    assert torch.equal(flat[start:start + second.numel()], second)
