"""The selection procedure against a brute-force oracle: every candidate retrained from scratch for exactly
the epochs a validation reading stands for, scored on the held-out rows by hand, and the variance factor
found on a grid."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from priorlab.priors import selection, training
from priorlab.priors.selection import Protocol, fit_selected, make_ensemble, select, validation_split

PROTOCOL = Protocol(n_hidden=6, n_epochs=4, n_members=3, max_steps=12)
"""Tiny: 60 fitting rows, batches of 100 -> one step per epoch, a 12-epoch cosine per run, read every 3."""


@pytest.fixture
def adam_steps(monkeypatch) -> list[float]:
    """The learning rate of every Adam step taken while the test runs, in order."""
    steps = []
    original = training.FlatAdam.step
    monkeypatch.setattr(training.FlatAdam, "step", lambda self, lr: (steps.append(lr), original(self, lr)))
    return steps


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


def validation_mixture(x, y, scale, epochs, horizon, seed):
    """y, means and variances on the validation rows of a candidate trained from scratch."""
    fit_rows, valid_rows = validation_split(len(y), seed)
    ensemble = make_ensemble(PROTOCOL, scale, epochs, horizon, seed)
    ensemble.fit(x[fit_rows], y[fit_rows], progress=False)
    dist = ensemble.predict_distribution(x[valid_rows])
    return y[valid_rows], np.asarray(dist.means), np.asarray(dist.variances)


FACTOR_GRID = np.exp(np.linspace(np.log(1e-2), np.log(1e2), 20_001))
"""Variance factors 0.05% apart."""


def grid_factor(y, means, variances):
    """The variance factor of the lowest mixture NLL on FACTOR_GRID, and that NLL (the brute-force oracle)."""
    nlls = [mixture_nll(y, means, variances * factor) for factor in FACTOR_GRID[::50]]
    coarse = int(np.argmin(nlls)) * 50  # the NLL is smooth in the factor: refine around the coarse minimum
    fine = FACTOR_GRID[max(0, coarse - 50):coarse + 51]
    nlls = [mixture_nll(y, means, variances * factor) for factor in fine]
    return fine[int(np.argmin(nlls))], min(nlls)


def test_the_choice_is_the_brute_force_minimum(data, monkeypatch):
    monkeypatch.setattr(selection, "CHECKPOINTS", 4)
    x, y = data
    chosen = select(x, y, PROTOCOL, seed=1, priors=("mlp", "none"))
    max_epochs = PROTOCOL.max_epochs(60)
    assert max_epochs == 12
    for prior, scales in (("mlp", (0.3, 1.0)), ("none", (0.0,))):
        # each candidate trained from scratch: the first `epochs` epochs of the 12-epoch cosine
        mixtures = {(scale, epochs): validation_mixture(x, y, scale, epochs, max_epochs, seed=1)
                    for scale in scales for epochs in (3, 6, 9, 12)}
        grid = {candidate: mixture_nll(*mixture) for candidate, mixture in mixtures.items()}
        scale, epochs = min(grid, key=grid.get)
        factor, factor_nll = grid_factor(*mixtures[scale, epochs])
        got = chosen[prior]
        assert (got.prior_scale, got.epochs, got.horizon) == (scale, epochs, max_epochs)
        assert got.variance_scale == pytest.approx(factor, rel=2e-3)
        assert got.validation_nll == pytest.approx(factor_nll, abs=1e-6)
        assert got.validation_nll <= grid[scale, epochs] + 1e-9


def test_fit_selected_refits_the_choice_on_every_row(data, monkeypatch):
    monkeypatch.setattr(selection, "CHECKPOINTS", 4)
    x, y = data
    ensemble, chosen = fit_selected(x, y, PROTOCOL, prior="none", seed=2)
    assert chosen == select(x, y, PROTOCOL, seed=2, priors=("none",))["none"]
    assert (ensemble.prior, ensemble.epochs, ensemble.batch_size) == ("none", chosen.epochs, 100)
    assert (ensemble.lr_schedule, ensemble.lr_horizon) == ("cosine", chosen.horizon)
    assert chosen.variance_scale != 1.0
    unscaled = make_ensemble(PROTOCOL, chosen.prior_scale, chosen.epochs, chosen.horizon, 2).fit(x, y, progress=False)
    got, expected = ensemble.predict_distribution(x), unscaled.predict_distribution(x)
    np.testing.assert_array_equal(np.asarray(got.means), np.asarray(expected.means))
    np.testing.assert_allclose(np.asarray(got.variances), chosen.variance_scale * np.asarray(expected.variances),
                               rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(2, 200), seed=st.integers(0, 2**32 - 1), spread=st.floats(0.2, 5.0))
def test_one_gaussian_gets_the_closed_form_factor(n, seed, spread):
    """For one member the NLL's minimiser is mean((y - mean)^2 / variance), when inside the bounds."""
    rng = np.random.default_rng(seed)
    means, variances = rng.normal(size=(1, n)), rng.uniform(0.1, 2.0, size=(1, n))
    y = means[0] + spread * np.sqrt(variances[0]) * rng.standard_normal(n)
    closed = float(np.mean((y - means[0]) ** 2 / variances[0]))
    low, high = selection.VARIANCE_SCALE_BOUNDS
    factor, value = selection.fit_variance_scale(y, means, variances)
    assert factor == pytest.approx(min(max(closed, low), high), rel=1e-3)
    assert value == pytest.approx(mixture_nll(y, means, variances * factor), rel=1e-9)


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
@given(n_rows=st.integers(1, 200_000), n_epochs=st.integers(1, 100), n_members=st.integers(1, 20),
       member_row_budget=st.integers(1, 10**8), max_steps=st.none() | st.integers(1, 20_000))
def test_the_budget_rules(n_rows, n_epochs, n_members, member_row_budget, max_steps):
    protocol = Protocol(n_epochs=n_epochs, n_members=n_members, member_row_budget=member_row_budget,
                        max_steps=max_steps)
    # the run's member-rows: the budget at BUDGET_ROWS rows, times the square root of the ratio of rows
    budget_squared = member_row_budget**2 * n_rows  # (budget x sqrt(n / BUDGET_ROWS))^2 x BUDGET_ROWS, exact
    member_rows = n_members * n_rows  # per epoch
    steps_per_epoch = math.ceil(n_rows / selection.BATCH_SIZE)
    steps_cap = math.inf if max_steps is None else max_steps
    epochs = protocol.max_epochs(n_rows)
    assert n_epochs <= epochs <= selection.EPOCH_FACTOR * n_epochs
    if epochs > n_epochs:  # above the floor, every cap holds
        assert (epochs * member_rows) ** 2 * selection.BUDGET_ROWS <= budget_squared * (1 + 1e-12)
        assert epochs * steps_per_epoch <= steps_cap
        # and one more epoch would break one of them
        assert (epochs == selection.EPOCH_FACTOR * n_epochs
                or ((epochs + 1) * member_rows) ** 2 * selection.BUDGET_ROWS > budget_squared * (1 - 1e-12)
                or (epochs + 1) * steps_per_epoch > steps_cap)


def test_larger_data_get_more_work_and_fewer_epochs():
    protocol = Protocol(n_epochs=50)  # neither its floor (50) nor its cap (1,250 epochs) binds
    small, large = protocol.max_epochs(selection.BUDGET_ROWS), protocol.max_epochs(4 * selection.BUDGET_ROWS)
    assert small == selection.MEMBER_ROW_BUDGET // (selection.N_MEMBERS * selection.BUDGET_ROWS)
    assert large == small // 2  # 4 times the rows: twice the member-rows, half the epochs


@pytest.mark.parametrize("n_rows", [120, 250])  # 96 and 200 fitting rows: 1 and 2 batches per epoch
def test_selection_steps_counts_the_steps_of_a_validation_run(n_rows, monkeypatch, adam_steps):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(n_rows, 2)), rng.normal(size=n_rows)
    monkeypatch.setattr(selection, "PATIENCE", selection.CHECKPOINTS + 1)  # a run that is not stopped early
    protocol = Protocol(n_hidden=4, n_epochs=3, n_members=2, member_row_budget=20_000)  # the budget binds
    select(x, y, protocol, seed=0, priors=("none",))  # one validation run: prior scale 0
    assert len(adam_steps) == protocol.selection_steps(n_rows)


def test_a_run_stops_when_its_curve_stalls_and_keeps_the_readings_before(data, monkeypatch, adam_steps):
    """A scripted validation curve: after PATIENCE readings without a new lowest the run ends, so a lower
    reading that would have come later is never taken, and the training steps stop with it."""
    monkeypatch.setattr(selection, "CHECKPOINTS", 6)  # the 12-epoch cosine read every 2 epochs
    monkeypatch.setattr(selection, "PATIENCE", 2)
    curve = iter([1.0, 0.9, 0.95, 0.97, 0.5, 0.4])
    monkeypatch.setattr(selection, "nll", lambda *args: next(curve))
    monkeypatch.setattr(selection, "fit_variance_scale", lambda *args: (1.0, 0.0))
    x, y = data
    chosen = select(x, y, PROTOCOL, seed=1, priors=("none",))["none"]
    assert (chosen.epochs, chosen.horizon) == (4, 12)  # the second reading
    assert len(adam_steps) == 8  # one step per epoch, stopped after the fourth reading instead of 12
    assert next(curve) == 0.5  # never read


def test_evaluate_is_select_then_refit_then_scores_on_the_test_rows(data, monkeypatch):
    """One selection for both methods, a refit per method on every training row, and the test rows' scores,
    recomputed by hand from the refitted members."""
    monkeypatch.setattr(selection, "CHECKPOINTS", 4)
    x, y = data
    x_train, y_train, x_test, y_test = x[:60], y[:60], x[60:], y[60:]
    refits = []
    evaluations = selection.evaluate(x_train, y_train, x_test, y_test, PROTOCOL, priors=("mlp", "none"), seed=3,
                                     on_refit=refits.append)
    assert list(evaluations) == refits == ["mlp", "none"]
    chosen = select(x_train, y_train, PROTOCOL, seed=3, priors=("mlp", "none"))
    for prior, evaluation in evaluations.items():
        assert evaluation.selected == chosen[prior]
        expected = selection.refit(x_train, y_train, PROTOCOL, chosen[prior], 3).predict_distribution(x_test)
        means, variances = np.asarray(expected.means), np.asarray(expected.variances)
        np.testing.assert_array_equal(np.asarray(evaluation.distribution.means), means)
        np.testing.assert_array_equal(np.asarray(evaluation.distribution.variances), variances)
        assert evaluation.scores["nll"] == pytest.approx(mixture_nll(y_test, means, variances), rel=1e-10)
        assert evaluation.scores["rmse"] == pytest.approx(np.sqrt(np.mean((y_test - means.mean(axis=0)) ** 2)))
        assert evaluation.seconds == evaluation.selection_seconds + evaluation.refit_seconds
        assert 0 < evaluation.refit_seconds < evaluation.seconds
    assert len({evaluation.selection_seconds for evaluation in evaluations.values()}) == 1  # one shared selection
