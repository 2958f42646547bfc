"""The single-model API of Perone (2019): architecture, initialisation, and the frozen additive prior."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from priorlab.priors import MLP, ModelWithPrior, SinPrior
from priorlab.priors.seeding import seeded


def test_mlp_shape_selu_and_glorot_bounds():
    mlp = seeded(lambda: MLP(3, (7, 5), 2), 0)
    widths = [(layer.in_features, layer.out_features) for layer in mlp.layers]
    assert widths == [(3, 7), (7, 5), (5, 2)]
    for layer in mlp.layers:
        bound = math.sqrt(6.0 / (layer.in_features + layer.out_features))
        assert layer.weight.abs().max() <= bound
    x = torch.randn(4, 3)
    expected = x
    for layer in mlp.layers[:-1]:
        expected = nn.functional.selu(layer(expected))
    torch.testing.assert_close(mlp(x), mlp.layers[-1](expected))


def test_default_mlp_is_the_seed_network():
    mlp = MLP()
    assert [(layer.in_features, layer.out_features) for layer in mlp.layers] == [(1, 20), (20, 20), (20, 1)]


def test_mlp_rejects_zero_width():
    with pytest.raises(ValueError, match="hidden"):
        MLP(1, (0,), 1)


def test_model_with_prior_adds_scaled_prior_and_prior_gets_no_gradient():
    base, prior = seeded(lambda: (MLP(), MLP()), 1)
    model = ModelWithPrior(base, prior, prior_scale=2.5)
    x = torch.linspace(-1, 2, 11).unsqueeze(1)
    torch.testing.assert_close(model(x), base(x) + 2.5 * prior(x).detach())
    before = [p.detach().clone() for p in prior.parameters()]
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        model(x).square().mean().backward()
        assert all(p.grad is None for p in prior.parameters())
        assert all(p.grad is not None for p in base.parameters())
        optimizer.step()
    for old, new in zip(before, prior.parameters(), strict=True):
        assert torch.equal(old, new)


def test_sin_prior_is_sin_3x():
    x = torch.linspace(-2, 2, 9)
    torch.testing.assert_close(SinPrior()(x), torch.sin(3 * x))
    torch.testing.assert_close(SinPrior(freq=0.5)(x), torch.sin(0.5 * x))
