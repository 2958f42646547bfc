"""The selection procedure against a brute-force oracle: every candidate retrained from scratch for exactly
the epochs a validation reading stands for, scored on the held-out rows by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from priorlab.priors import selection
from priorlab.priors.selection import Protocol, Selected, fit_selected, make_ensemble, select, validation_split

PROTOCOL = Protocol(n_hidden=6, n_epochs=4, n_members=3, max_steps=12)
"""Tiny: 60 fitting rows, batches of 100 -> one step per epoch, 12 epochs per run, read every 3."""


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(75, 2))
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] + 0.2 * rng.standard_normal(75)
    return x, y


def mixture_nll(y, means, variances):
    """Mean negative log density of the uniform mixture of the members' Gaussians, by hand."""
    density = norm.pdf(y[None, :], means, np.sqrt(variances)).mean(axis=0)
    return float(-np.log(density).mean())


def validation_nll(x, y, scale, epochs, schedule, seed):
    fit_rows, valid_rows = validation_split(len(y), seed)
    ensemble = make_ensemble(PROTOCOL, scale, epochs, len(fit_rows), seed, schedule)
    ensemble.fit(x[fit_rows], y[fit_rows], progress=False)
    dist = ensemble.predict_distribution(x[valid_rows])
    return mixture_nll(y[valid_rows], np.asarray(dist.means), np.asarray(dist.variances))


def test_the_choice_is_the_brute_force_minimum(data, monkeypatch):
    monkeypatch.setattr(selection, "CHECKPOINTS", 4)
    x, y = data
    chosen = select(x, y, PROTOCOL, seed=1, priors=("mlp", "none"))
    max_epochs = PROTOCOL.max_epochs(60)
    assert max_epochs == 12
    for prior, scales in (("mlp", (0.3, 1.0)), ("none", (0.0,))):
        grid = {(scale, epochs): validation_nll(x, y, scale, epochs, "constant", seed=1)
                for scale in scales for epochs in (3, 6, 9, 12)}
        scale, epochs = min(grid, key=grid.get)
        annealed = validation_nll(x, y, scale, epochs, "cosine", seed=1)
        expected = Selected(scale, epochs, min(grid[scale, epochs], annealed), annealed < grid[scale, epochs])
        got = chosen[prior]
        assert (got.prior_scale, got.epochs, got.annealed) == (expected.prior_scale, expected.epochs,
                                                                expected.annealed)
        assert got.validation_nll == pytest.approx(expected.validation_nll, rel=1e-6)


def test_fit_selected_refits_the_choice_on_every_row(data, monkeypatch):
    monkeypatch.setattr(selection, "CHECKPOINTS", 4)
    x, y = data
    ensemble, chosen = fit_selected(x, y, PROTOCOL, prior="none", seed=2)
    assert chosen == select(x, y, PROTOCOL, seed=2, priors=("none",))["none"]
    assert (ensemble.prior, ensemble.epochs, ensemble.batch_size) == ("none", chosen.epochs, 100)
    assert ensemble.lr_schedule == ("cosine" if chosen.annealed else "constant")
    again = make_ensemble(PROTOCOL, chosen.prior_scale, chosen.epochs, len(y), 2,
                          ensemble.lr_schedule).fit(x, y, progress=False)
    np.testing.assert_array_equal(np.asarray(ensemble.predict_distribution(x).means),
                                  np.asarray(again.predict_distribution(x).means))


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(prior="sine"), "prior: expected one of mlp, none; got 'sine'"),
    (dict(y=np.zeros(74)), "y: 74 targets for 75 rows of x"),
    (dict(y=np.zeros((75, 2))), r"y: expected one target column, got shape \(75, 2\)"),
    (dict(x=np.full((75, 2), np.nan)), "x: contains NaN or infinite values"),
])
def test_bad_input_is_named(data, kwargs, message):
    x, y = data
    args = {"x": x, "y": y, **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        fit_selected(args["x"], args["y"], PROTOCOL, prior=kwargs.get("prior", "mlp"))


def test_validation_split_is_seeded_and_disjoint():
    fit_rows, valid_rows = validation_split(50, seed=3)
    again = validation_split(50, seed=3)
    assert np.array_equal(fit_rows, again[0]) and np.array_equal(valid_rows, again[1])
    assert len(valid_rows) == 10 and set(fit_rows).isdisjoint(valid_rows)
    assert sorted([*fit_rows, *valid_rows]) == list(range(50))


@settings(max_examples=200, deadline=None)
@given(n_rows=st.integers(1, 200_000), n_epochs=st.integers(1, 100), row_budget=st.integers(1, 10**7),
       max_steps=st.integers(1, 20_000))
def test_the_budget_rules(n_rows, n_epochs, row_budget, max_steps):
    protocol = Protocol(n_epochs=n_epochs, row_budget=row_budget, max_steps=max_steps)
    batch = protocol.batch_size(n_rows)
    steps_per_epoch = math.ceil(n_rows / batch)
    assert batch >= selection.BATCH_SIZE
    assert steps_per_epoch <= selection.STEPS_PER_EPOCH or batch == selection.BATCH_SIZE
    epochs = protocol.max_epochs(n_rows)
    assert n_epochs <= epochs <= selection.EPOCH_FACTOR * n_epochs
    if epochs > n_epochs:  # above the floor, every cap holds
        assert epochs * n_rows <= row_budget and epochs * steps_per_epoch <= max_steps
        # and one more epoch would break one of them
        assert (epochs == selection.EPOCH_FACTOR * n_epochs or (epochs + 1) * n_rows > row_budget
                or (epochs + 1) * steps_per_epoch > max_steps)
