"""Ensemble: vectorised training equals Perone's (2019) per-member loop, priors stay frozen, uncertainty
grows away from the data, and everything is reproducible from the seed."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from priorlab.priors import MLP, Ensemble, ModelWithPrior, member_data, osband_1d
from priorlab.priors.bootstrap import resampled_rows
from priorlab.priors.member_data import MemberData
from priorlab.priors.seeding import member_keys, member_torch_seed
from priorlab.priors.training import FINITE_CHECK_EVERY, TrainingConfig, train
from priorlab.samples import Samples


def train_alone(member: ModelWithPrior, x: np.ndarray, y: np.ndarray, weights: np.ndarray, *,
                epochs: int, lr: float, weight_decay: float = 0.0, resample: bool, cosine: bool = False,
                horizon: int | None = None) -> ModelWithPrior:
    """Perone's (2019) way: one model, its own Adam, full batch. `resample` trains on the resampled data
    x[indices] (the classic bootstrap sampler); otherwise the per-example weights scale the squared error.
    `cosine` anneals the learning rate with torch's own `CosineAnnealingLR` over `horizon` epochs (default:
    `epochs`)."""
    xt, yt = torch.tensor(x), torch.tensor(y)
    wt = torch.tensor(weights, dtype=torch.float32).unsqueeze(1)
    if resample:
        indices = torch.tensor(np.repeat(np.arange(len(x)), weights.astype(int)))
        xt, yt, wt = xt[indices], yt[indices], torch.ones(len(indices), 1)
    optimizer = torch.optim.Adam(member.base_model.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=horizon or epochs) if cosine else None
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = (wt * (member(xt) - yt).square()).mean()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return member


@pytest.mark.parametrize(
    "bootstrap, prior, weight_decay, base, lr_schedule, lr_horizon",
    [("multinomial", "mlp", 0.0, None, "constant", None), ("exponential", "sine", 1e-3, None, "constant", None),
     ("none", "none", 0.0, None, "constant", None), ("poisson", "mlp", 1e-2, MLP, "constant", None),
     ("multinomial", "mlp", 1e-3, None, "cosine", None), ("poisson", "mlp", 1e-3, MLP, "cosine", None),
     ("multinomial", "mlp", 1e-3, None, "cosine", 90)],
)
def test_vectorised_members_equal_models_trained_alone(bootstrap, prior, weight_decay, base, lr_schedule,
                                                       lr_horizon):
    x, y = osband_1d()
    ensemble = Ensemble(n_members=4, prior=prior, prior_scale=1.5, bootstrap=bootstrap, weight_decay=weight_decay,
                        epochs=60, lr=1e-2, seed=11, base=base, lr_schedule=lr_schedule,
                        lr_horizon=lr_horizon).fit(x, y, progress=False)
    weights = ensemble.bootstrap_weights(len(x))
    grid = np.linspace(-1, 2, 31, dtype=np.float32)[:, None]
    predictions = ensemble.predict(grid).samples
    for k in range(ensemble.n_members):
        alone = train_alone(ensemble.build_member(k, 1, 1), x, y, weights[k], epochs=60, lr=1e-2,
                            weight_decay=weight_decay, resample=bootstrap == "multinomial",
                            cosine=lr_schedule == "cosine", horizon=lr_horizon)
        with torch.no_grad():
            expected = alone(torch.tensor(grid))[:, 0].numpy()
            rebuilt = ensemble.member(k)(torch.tensor(grid))[:, 0].numpy()
        np.testing.assert_allclose(predictions[k], expected, atol=2e-4, rtol=1e-4)
        np.testing.assert_allclose(rebuilt, predictions[k], atol=1e-6)


@pytest.mark.parametrize("bootstrap, prior, noise_std, offset_table", [
    ("multinomial", "mlp", 0.0, True), ("multinomial", "mlp", 0.0, False), ("poisson", "sine", 0.3, False),
    ("multinomial", "sine", 0.3, True)])
def test_minibatch_members_equal_models_trained_alone_on_their_resample(bootstrap, prior, noise_std, offset_table,
                                                                        monkeypatch):
    """Minibatches, member by member: one `ModelWithPrior` with its own Adam steps through the ensemble's shuffled
    positions, taking the rows at those positions of its own resample (multinomial) or the shared rows with
    its own weights, and its own noisy targets (the full batch's, `Ensemble.target_noise`, at those rows); the
    priors' outputs kept in a table or evaluated on each block of batches."""
    monkeypatch.setattr(member_data, "OFFSET_TABLE_BYTES", 2**30 if offset_table else 0)
    monkeypatch.setattr(member_data, "BLOCK_MEMBER_ROWS", 40)
    x, y = osband_1d()
    n, batch, epochs, seed = len(x), 6, 8, 5
    ensemble = Ensemble(n_members=3, prior=prior, bootstrap=bootstrap, noise_std=noise_std, batch_size=batch,
                        epochs=epochs, lr=1e-2, seed=seed).fit(x, y, progress=False)
    grid = torch.linspace(-1, 2, 31)[:, None]
    predictions = ensemble.predict(grid.numpy()).samples
    weights, noise = ensemble.bootstrap_weights(n), ensemble.target_noise(n, 1)
    for k in range(ensemble.n_members):
        member = ensemble.build_member(k, 1, 1)
        xt, yt = torch.tensor(x), torch.tensor(y) + torch.tensor(noise[k], dtype=torch.float32)
        wt = torch.tensor(weights[k], dtype=torch.float32).unsqueeze(1)
        keys = member_keys(seed, range(k, k + 1), "bootstrap")
        optimizer = torch.optim.Adam(member.base_model.parameters(), lr=1e-2)
        shuffle = torch.Generator().manual_seed(member_torch_seed(seed, None, "shuffle"))
        for _ in range(epochs):
            for positions in torch.randperm(n, generator=shuffle).split(batch):
                if bootstrap == "multinomial":
                    rows, w = resampled_rows(keys, positions, n)[0], torch.ones(len(positions), 1)
                else:
                    rows, w = positions, wt[positions]
                optimizer.zero_grad()
                (w * (member(xt[rows]) - yt[rows]).square()).mean().backward()
                optimizer.step()
        with torch.no_grad():
            np.testing.assert_allclose(predictions[k], member(grid)[:, 0].numpy(), atol=2e-4, rtol=1e-4)


def test_minibatch_classification_members_equal_models_trained_alone_on_their_resample():
    """Each member's own resampled rows carry their own labels: torch's cross-entropy on them, member by member."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(25, 2)).astype(np.float32)
    codes = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    n, batch, epochs, seed = len(x), 4, 6, 9
    ensemble = Ensemble(n_members=3, task="classification", hidden=(8,), batch_size=batch, epochs=epochs, lr=2e-2,
                        seed=seed).fit(x, codes, progress=False)
    probabilities = ensemble.predict(x).samples
    xt, yt = torch.tensor(x), torch.tensor(codes)
    for k in range(ensemble.n_members):
        member = ensemble.build_member(k, 2, 3)
        keys = member_keys(seed, range(k, k + 1), "bootstrap")
        optimizer = torch.optim.Adam(member.base_model.parameters(), lr=2e-2)
        shuffle = torch.Generator().manual_seed(member_torch_seed(seed, None, "shuffle"))
        for _ in range(epochs):
            for positions in torch.randperm(n, generator=shuffle).split(batch):
                rows = resampled_rows(keys, positions, n)[0]
                optimizer.zero_grad()
                nn.functional.cross_entropy(member(xt[rows]), yt[rows]).backward()
                optimizer.step()
        with torch.no_grad():
            np.testing.assert_allclose(probabilities[k], torch.softmax(member(xt), dim=1).numpy(), atol=2e-5)


def test_fast_mlp_path_equals_generic_torch_func_path():
    x, y = osband_1d()
    kwargs = dict(n_members=5, epochs=40, seed=2, bootstrap="poisson", batch_size=7)
    fast = Ensemble(**kwargs).fit(x, y, progress=False)
    generic = Ensemble(**kwargs, base=MLP).fit(x, y, progress=False)
    grid = np.linspace(-1, 2, 17)
    np.testing.assert_allclose(fast.predict(grid).samples, generic.predict(grid).samples, atol=1e-5)
    np.testing.assert_allclose(fast.history_, generic.history_, rtol=1e-5, atol=1e-6)


def test_prior_is_frozen_during_training():
    x, y = osband_1d()
    grid = np.linspace(-1, 2, 25)
    untrained = Ensemble(n_members=6, epochs=1, seed=5).fit(x, y, progress=False)
    trained = Ensemble(n_members=6, epochs=100, seed=5).fit(x, y, progress=False)
    np.testing.assert_array_equal(untrained.prior_predict(grid).samples, trained.prior_predict(grid).samples)
    assert not np.allclose(untrained.base_predict(grid).samples, trained.base_predict(grid).samples)
    # the parts add up to the prediction
    np.testing.assert_allclose(trained.base_predict(grid).samples + trained.prior_predict(grid).samples,
                               trained.predict(grid).samples, atol=1e-6)
    # and a rebuilt member's prior is the untrained one
    with torch.no_grad():
        prior_k = trained.build_member(3, 1, 1).prior_model(torch.tensor(grid, dtype=torch.float32)[:, None])
    np.testing.assert_allclose(trained.prior_predict(grid).samples[3], prior_k[:, 0].numpy(), atol=1e-6)


def test_prior_scale_scales_the_prior_and_sine_prior_is_shared():
    x, y = osband_1d()
    grid = np.linspace(-1, 2, 9)
    one = Ensemble(n_members=3, epochs=1, prior_scale=1.0).fit(x, y, progress=False).prior_predict(grid).samples
    three = Ensemble(n_members=3, epochs=1, prior_scale=3.0).fit(x, y, progress=False).prior_predict(grid).samples
    np.testing.assert_allclose(three, 3 * one, rtol=1e-5, atol=1e-6)
    sine = Ensemble(n_members=3, epochs=1, prior="sine", prior_scale=2.0).fit(x, y, progress=False)
    np.testing.assert_allclose(sine.prior_predict(grid).samples, np.tile(2 * np.sin(3 * grid), (3, 1)), atol=1e-6)
    custom = Ensemble(n_members=2, epochs=1, prior=torch.cos).fit(x, y, progress=False)
    np.testing.assert_allclose(custom.prior_predict(grid).samples[1], np.cos(grid), atol=1e-6)


def test_osband_1d_uncertainty_grows_away_from_the_data():
    x, y = osband_1d()
    ensemble = Ensemble(n_members=40, prior="mlp", bootstrap="multinomial", epochs=400, seed=0).fit(
        x, y, progress=False)
    train_std = ensemble.predict(x).std().mean()
    far = ensemble.predict(np.array([[-1.0], [2.0]])).std()
    assert np.all(far >= 3 * train_std), (far, train_std)
    assert ensemble.history_.shape == (400, 40)
    assert ensemble.history_[-1].mean() < 0.2 * ensemble.history_[0].mean()


def test_same_seed_same_predictions_other_seed_other_predictions():
    x, y = osband_1d()
    grid = np.linspace(-1, 2, 13)
    runs = [Ensemble(n_members=5, epochs=30, seed=s, batch_size=8).fit(x, y, progress=False).predict(grid).samples
            for s in (7, 7, 8)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.allclose(runs[0], runs[2])


def test_predict_returns_samples_with_member_axis_first():
    x, y = osband_1d()
    ensemble = Ensemble(n_members=6, epochs=5).fit(pd.DataFrame(x), pd.Series(y[:, 0]), progress=False)
    samples = ensemble.predict(torch.linspace(0, 1, 4))
    assert isinstance(samples, Samples) and samples.samples.shape == (6, 4)
    lower, upper = samples.interval(0.9)
    assert np.all(lower <= samples.mean()) and np.all(samples.mean() <= upper)
    assert isinstance(ensemble.fit_seconds_, float) and ensemble.fit_seconds_ > 0


def test_multi_output_regression_keeps_output_axis():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2))
    y = np.column_stack([x[:, 0], x[:, 1] ** 2])
    samples = Ensemble(n_members=3, epochs=5).fit(x, y, progress=False).predict(x[:4])
    assert samples.samples.shape == (3, 4, 2)


def test_classification_gives_per_member_probabilities_and_learns():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 2)).astype(np.float32)
    labels = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    ensemble = Ensemble(n_members=5, task="classification", epochs=150, lr=2e-2, seed=1).fit(x, labels, progress=False)
    probabilities = ensemble.predict(x).samples
    assert probabilities.shape == (5, 120, 2)
    np.testing.assert_allclose(probabilities.sum(axis=2), 1.0, atol=1e-5)
    predicted = ensemble.classes_[probabilities.mean(axis=0).argmax(axis=1)]
    assert (predicted == labels).mean() > 0.9
    assert list(ensemble.classes_) == ["no", "yes"]


def test_minibatch_training_runs_every_batch_and_reduces_loss():
    x, y = osband_1d()
    ensemble = Ensemble(n_members=4, epochs=150, batch_size=6, seed=0).fit(x, y, progress=False)
    assert ensemble.history_.shape == (150, 4)
    assert np.all(ensemble.history_[-10:].mean(axis=0) < ensemble.history_[:10].mean(axis=0))


def test_callback_every_n_epochs_and_after_the_last():
    x, y = osband_1d()
    seen = []

    def record(epoch, ensemble):
        seen.append((epoch, ensemble.predict(np.zeros(1)).samples.shape))

    Ensemble(n_members=3, epochs=10).fit(x, y, progress=False, callback=record, callback_every=4)
    assert [e for e, _ in seen] == [3, 7, 9]
    assert all(shape == (3, 1) for _, shape in seen)


def test_small_ensembles_train_on_one_thread_and_restore_the_setting():
    x, y = osband_1d()
    threads_seen = []
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        Ensemble(n_members=3, epochs=2).fit(x, y, progress=False,
                                            callback=lambda epoch, _: threads_seen.append(torch.get_num_threads()))
        assert threads_seen == [1, 1]
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)


def test_progress_bar_is_shown_and_can_be_silenced(capsys):
    x, y = osband_1d()
    Ensemble(n_members=2, epochs=3).fit(x, y, progress=True)
    assert "training" in capsys.readouterr().err
    Ensemble(n_members=2, epochs=3).fit(x, y, progress=False)
    assert capsys.readouterr().err == ""


def test_generic_module_base_and_prior_factory():
    x = np.random.default_rng(0).normal(size=(20, 3))
    y = x @ np.array([1.0, -2.0, 0.5])
    ensemble = Ensemble(n_members=3, base=lambda: nn.Linear(3, 1, bias=False), bootstrap="none",
                        prior_factory=lambda: nn.Linear(3, 1, bias=False), lr=0.05, epochs=400).fit(
        x, y, progress=False)
    np.testing.assert_allclose(ensemble.predict(np.eye(3)).samples, np.tile([1.0, -2.0, 0.5], (3, 1)), atol=1e-2)
    with pytest.raises(ValueError, match="base"):
        ensemble.get_config()


BAD_DATA = [
    (np.array([[0.0], [np.nan]]), np.zeros(2), "x: contains NaN"),
    (np.zeros((2, 1)), np.array([0.0, np.inf]), "y: contains NaN or infinite values .*row 1"),
    (np.zeros((3, 1)), np.zeros(2), "different lengths"),
    (np.zeros((0, 1)), np.zeros(0), "x: empty"),
    (np.zeros((2, 1, 1)), np.zeros(2), "x: expected shape"),
    (np.array([["a"], ["b"]]), np.zeros(2), "x: expected numeric"),
]


@pytest.mark.parametrize("x, y, message", BAD_DATA)
def test_bad_data_is_named(x, y, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Ensemble(n_members=2, epochs=1).fit(x, y, progress=False)


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_members=0), "n_members"), (dict(n_members=2.5), "n_members"), (dict(prior_scale=-1.0), "prior_scale"),
    (dict(prior="gaussian"), "prior: expected one of mlp, sine, none; got 'gaussian'"), (dict(prior=3), "prior"),
    (dict(bootstrap="nope"), "bootstrap"), (dict(task="ranking"), "task"), (dict(seed=-1), "seed"),
    (dict(lr=0.0), "lr"), (dict(epochs=-1), "epochs"), (dict(batch_size=0), "batch_size"),
    (dict(noise_std=float("nan")), "noise_std"), (dict(hidden=20), "hidden"), (dict(hidden=(20, 0)), "hidden"),
    (dict(device="gpu-please"), "device"), (dict(prior=MLP), "prior: got the class MLP"),
    (dict(lr_schedule="step"), "lr_schedule"), (dict(task="classification", noise_std=0.1), "noise_std"),
    (dict(lr_horizon=100), "lr_horizon: the horizon of the cosine schedule; got 100 with lr_schedule='constant'"),
    (dict(lr_schedule="cosine", epochs=50, lr_horizon=40), "lr_horizon: .* expected at least epochs=50"),
    (dict(variance_scale=2.0), "variance_scale: scales the variances of Gaussian members; got 2 with "
     "likelihood='mse'"), (dict(likelihood="gaussian", variance_scale=0.0), "variance_scale"),
    (dict(standardize=1), "standardize"), (dict(base="mlp"), "base"), (dict(hidden="20"), "hidden"),
    (dict(prior_scale="1"), "prior_scale"), (dict(nope=1), "nope"),
])
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Ensemble(**kwargs)


def test_predict_checks_fitted_and_feature_count():
    with pytest.raises(ValueError, match="not fitted"):
        Ensemble().predict(np.zeros(3))
    ensemble = Ensemble(n_members=2, epochs=1).fit(np.zeros((4, 2)), np.zeros(4), progress=False)
    with pytest.raises(ValueError, match="x: expected 2 features"):
        ensemble.predict(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="k: expected a member index"):
        ensemble.member(2)


def test_standardize_makes_predictions_equivariant_to_units():
    """Changing the units of x and y (affine maps) changes the predictions by the same map of y."""
    x, y = osband_1d()
    grid = np.linspace(-1, 2, 11)[:, None]
    kwargs = dict(n_members=4, epochs=60, seed=3, standardize=True)
    original = Ensemble(**kwargs).fit(x, y, progress=False)
    rescaled = Ensemble(**kwargs).fit(1000 * x - 7, 50 * y + 3, progress=False)
    np.testing.assert_allclose(rescaled.predict(1000 * grid - 7).samples, 50 * original.predict(grid).samples + 3,
                               rtol=1e-3, atol=5e-3)
    np.testing.assert_allclose(rescaled.prior_predict(1000 * grid - 7).samples,
                               50 * original.prior_predict(grid).samples, rtol=1e-3, atol=5e-3)
    # without standardisation, raw units change what is learnt
    raw = Ensemble(n_members=4, epochs=60, seed=3).fit(1000 * x - 7, 50 * y + 3, progress=False)
    assert not np.allclose(raw.predict(1000 * grid - 7).samples, rescaled.predict(1000 * grid - 7).samples, rtol=0.1)


@pytest.mark.parametrize("prior, base, targets, widths", [
    ("sine", None, 1, "2 columns .* 1 output"),  # sin(3x) of 2 features, fast MLP path
    ("sine", lambda: MLP(2, (8,), 1), 1, "2 columns .* 1 output"),  # the generic torch.func path
    (torch.sin, None, 1, "2 columns .* 1 output"),
    (nn.Linear(2, 3), None, 2, "3 columns .* 2 output"),
    ("mlp", None, 1, "3 columns .* 1 output"),  # a prior_factory of the wrong width
])
def test_a_prior_of_the_wrong_width_is_refused(prior, base, targets, widths):
    x = np.random.default_rng(0).normal(size=(12, 2))
    y = x[:, :1] @ np.ones((1, targets))
    factory = (lambda: MLP(2, (4,), 3)) if prior == "mlp" else None
    ensemble = Ensemble(n_members=2, epochs=2, prior=prior, base=base, prior_factory=factory)
    with pytest.raises(ValueError, match=f"prior: .*{widths}"):
        ensemble.fit(x, y, progress=False)
    with pytest.raises(ValueError, match="not fitted"):
        ensemble.predict(x)


def test_a_prior_without_one_row_per_input_is_refused():
    x, y = osband_1d()
    with pytest.raises(ValueError, match=r"prior: returned shape \(\) for inputs of shape \(20, 1\)"):
        Ensemble(n_members=2, epochs=1, prior=torch.sum).fit(x, y, progress=False)


def test_a_one_column_prior_is_broadcast_to_every_output():
    x, y = osband_1d()
    targets = np.hstack([y, -y])
    ensemble = Ensemble(n_members=3, epochs=20, prior="sine", prior_scale=2.0).fit(x, targets, progress=False)
    grid = np.linspace(-1, 2, 7, dtype=np.float32)[:, None]
    np.testing.assert_allclose(ensemble.prior_predict(grid).samples, np.broadcast_to(2 * np.sin(3 * grid), (3, 7, 2)),
                               rtol=1e-6)
    for k in range(3):
        with torch.no_grad():
            rebuilt = ensemble.member(k)(torch.tensor(grid)).numpy()
        np.testing.assert_allclose(ensemble.predict(grid).samples[k], rebuilt, atol=1e-6)


def test_predict_selects_dataframe_columns_by_their_fitted_names():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=15), "b": rng.normal(size=15)})
    ensemble = Ensemble(n_members=2, epochs=5).fit(frame, frame["a"] - 3 * frame["b"], progress=False)
    expected = ensemble.predict(frame.to_numpy()).samples
    shuffled = frame[["b", "a"]].assign(extra=1.0)
    np.testing.assert_array_equal(ensemble.predict(shuffled).samples, expected)
    np.testing.assert_array_equal(ensemble.base_predict(shuffled).samples, ensemble.base_predict(frame).samples)
    with pytest.raises(ValueError, match=r"x: missing feature columns \['b'\]"):
        ensemble.predict(frame.rename(columns={"b": "c"}))
    with pytest.raises(ValueError, match="x: duplicate column 'a'"):
        ensemble.fit(frame[["a", "a"]], frame["b"], progress=False)


def test_one_torch_thread_is_left_alone(monkeypatch):
    """The thread count is process-wide: when it already is 1, fit must not set it (not even back to 1)."""
    x, y = osband_1d()
    calls = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    assert torch.get_num_threads() == 1  # conftest
    Ensemble(n_members=2, epochs=2).fit(x, y, progress=False)
    assert calls == []


def test_classification_members_equal_models_trained_alone():
    """Each member against a `ModelWithPrior` trained alone: torch's Adam on the bootstrap-weighted mean
    cross-entropy (`weights[i] * CE_i`, averaged over the n examples), labels encoded by hand."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(30, 2)).astype(np.float32)
    codes = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    labels = np.array(["low", "mid", "top"])[codes]  # sorted label order is the output order
    ensemble = Ensemble(n_members=3, task="classification", hidden=(8,), bootstrap="poisson", weight_decay=1e-3,
                        epochs=50, lr=2e-2, seed=4).fit(x, labels, progress=False)
    assert list(ensemble.classes_) == ["low", "mid", "top"]
    weights = torch.tensor(ensemble.bootstrap_weights(len(x)), dtype=torch.float32)
    xt, yt = torch.tensor(x), torch.tensor(codes)
    probabilities = ensemble.predict(x).samples
    for k in range(ensemble.n_members):
        alone = ensemble.build_member(k, 2, 3)
        optimizer = torch.optim.Adam(alone.base_model.parameters(), lr=2e-2, weight_decay=1e-3)
        for _ in range(50):
            optimizer.zero_grad()
            (weights[k] * nn.functional.cross_entropy(alone(xt), yt, reduction="none")).mean().backward()
            optimizer.step()
        with torch.no_grad():
            expected = torch.softmax(alone(xt), dim=1).numpy()
        np.testing.assert_allclose(probabilities[k], expected, atol=2e-5)


def test_a_module_prior_is_one_function_shared_by_every_member(tmp_path):
    """End to end: fit, predict, members and save with a user's nn.Module as the prior."""
    x, y = osband_1d()
    prior = nn.Sequential(nn.Linear(1, 4), nn.Tanh(), nn.Linear(4, 1))
    before = {name: p.detach().clone() for name, p in prior.named_parameters()}
    ensemble = Ensemble(n_members=4, epochs=30, prior=prior, prior_scale=2.0, seed=1).fit(x, y, progress=False)
    grid = np.linspace(-1, 2, 9)
    with torch.no_grad():
        expected = 2.0 * prior(torch.tensor(grid, dtype=torch.float32)[:, None])[:, 0].numpy()
    np.testing.assert_allclose(ensemble.prior_predict(grid).samples, np.tile(expected, (4, 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ensemble.predict(grid).samples,
                               ensemble.base_predict(grid).samples + ensemble.prior_predict(grid).samples, atol=1e-12)
    # frozen, shared (not copied) and left in its own dtype
    assert all(torch.equal(p, before[name]) for name, p in prior.named_parameters())
    assert all(ensemble.member(k).prior_model is prior for k in range(4))
    assert all(p.dtype == torch.float32 for p in prior.parameters())
    with pytest.raises(ValueError, match="prior: a prior given as code"):
        ensemble.save(tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_prior_factory_needs_the_random_network_prior():
    with pytest.raises(ValueError, match=r"prior_factory: .*needs prior='mlp'; got prior='sine'"):
        Ensemble(prior="sine", prior_factory=MLP)


@pytest.mark.parametrize("name", ["n_members", "epochs", "batch_size", "seed"])
@pytest.mark.parametrize("value", [True, False, np.True_])
def test_a_bool_is_never_an_integer(name, value):
    with pytest.raises(ValueError, match=f"^{name}: expected .*integer"):
        Ensemble(**{name: value})


def test_zero_epochs_is_refused():
    with pytest.raises(ValueError, match="epochs: expected an integer >= 1; got 0"):
        Ensemble(epochs=0)


def test_signature_docstring_and_config_come_from_one_table():
    from priorlab.priors.params import ENSEMBLE_PARAMS

    parameters = inspect.signature(Ensemble).parameters
    assert [(p.name, p.default) for p in parameters.values()] == [(p.name, p.default) for p in ENSEMBLE_PARAMS]
    doc = " ".join(Ensemble.__doc__.split())  # the descriptions' line breaks undone
    for p in ENSEMBLE_PARAMS:  # numpydoc entries: `name : type, default=value`, then the meaning
        assert re.search(rf"^    {p.name} : .+, default={re.escape(repr(p.default))}$", Ensemble.__doc__, re.M), p.name
        assert f"default={p.default!r} {p.help[0].upper()}{p.help[1:]}" in doc, p.name
    positional = Ensemble(3, (5,), "sine")
    assert (positional.n_members, positional.hidden, positional.prior) == (3, (5,), "sine")
    assert set(positional.get_config()) == {p.name for p in ENSEMBLE_PARAMS if p.saved}
    with pytest.raises(TypeError, match="n_member"):
        Ensemble(n_member=3)
    with pytest.raises(TypeError, match="multiple values for argument 'n_members'"):
        Ensemble(3, n_members=4)
    assert repr(positional) == "Ensemble(n_members=3, hidden=(5,), prior='sine')"


def test_predictions_do_not_depend_on_the_input_layout_or_batch():
    """The same rows give the same predictions whatever their container, memory order or companions
    (float64 prediction; in float32 these differed by ~1e-6)."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 3))
    ensemble = Ensemble(n_members=4, hidden=(16, 16), epochs=20, standardize=True).fit(x, x @ [1.0, 2.0, -1.0],
                                                                                      progress=False)
    reference = ensemble.predict(x).samples
    assert reference.dtype == np.float64
    reversed_columns = np.flip(np.flip(x, axis=1).copy(), axis=1)  # negative strides, as some DataFrames give
    same_rows = [np.asfortranarray(x), reversed_columns, pd.DataFrame(x, columns=["0", "1", "2"]), torch.tensor(x),
                 x.tolist()]
    for variant in same_rows:
        np.testing.assert_allclose(ensemble.predict(variant).samples, reference, rtol=1e-12, atol=1e-12)
    one_by_one = np.concatenate([ensemble.predict(x[i:i + 1]).samples for i in range(len(x))], axis=1)
    np.testing.assert_allclose(one_by_one, reference, rtol=1e-12, atol=1e-12)
    order = rng.permutation(len(x))
    np.testing.assert_allclose(ensemble.predict(x[order]).samples, reference[:, order], rtol=1e-12, atol=1e-12)
    # one feature: shape (n,) and (n, 1) are the same input
    x1, y1 = osband_1d()
    single = Ensemble(n_members=3, epochs=10).fit(x1, y1, progress=False)
    grid = np.linspace(-1, 2, 23)
    np.testing.assert_array_equal(single.predict(grid).samples, single.predict(grid[:, None]).samples)
    np.testing.assert_array_equal(single.predict(pd.DataFrame({"x": grid})).samples, single.predict(grid).samples)


def test_fitted_attributes_read_one_record_and_a_refit_replaces_it():
    x, y = osband_1d()
    ensemble = Ensemble(n_members=2, epochs=3)
    assert not hasattr(ensemble, "history_")  # NotFittedError is an AttributeError too
    with pytest.raises(ValueError, match="not fitted"):
        ensemble.state_  # noqa: B018
    frame = pd.DataFrame({"x": x[:, 0]})
    ensemble.fit(frame, y, progress=False)
    state = ensemble.state_
    assert (ensemble.feature_names_, ensemble.n_features_in_, ensemble.n_outputs_) == (["x"], 1, 1)
    assert ensemble.history_ is state.history and ensemble.history_.shape == (3, 2)
    assert ensemble.classes_ is None
    with pytest.raises(AttributeError):
        state.history = None  # frozen
    with pytest.raises(ValueError, match="x: contains NaN"):
        ensemble.fit(np.full((3, 1), np.nan), np.zeros(3), progress=False)
    assert not hasattr(ensemble, "n_features_in_")  # a failed refit leaves nothing half-replaced



class _LossGoesBad:
    """A stand-in stacked network whose member `member`'s loss becomes NaN from step `step` on."""

    n_members = 3

    def __init__(self, step: int, member: int):
        self.flat = torch.zeros(4, requires_grad=True)
        self.step, self.member, self.calls = step, member, 0

    def parameters(self):
        return [self.flat]

    def losses_and_grad(self, x, offset, y, weights, loss):
        self.calls += 1
        self.flat.grad = torch.zeros(4)
        losses = torch.ones(self.n_members)
        if self.calls >= self.step:
            losses[self.member] = float("nan")
        return losses


@pytest.mark.parametrize("step, member", [(1, 0), (5, 2), (16, 1), (17, 0), (40, 2)])
def test_divergence_is_reported_at_its_first_epoch(step, member):
    """Losses are checked every few epochs, not after each: the error must still name the first non-finite
    epoch and its member, and come no later than the end of that check's block of epochs."""
    network = _LossGoesBad(step, member)
    keys = torch.zeros(3, 1, dtype=torch.int64)
    data = MemberData(torch.zeros(5, 1), torch.zeros(5, 1), lambda x: torch.zeros(3, 5, 1), 1, "none", keys, keys, 0.0)
    config = TrainingConfig(epochs=40, lr=1e-3, weight_decay=0.0, batch_size=None, loss="mse", shuffle_seed=0)
    with pytest.raises(ValueError, match=rf"member {member}'s loss is not finite at epoch {step}\)"):
        train(network, data, config, progress=False)
    assert network.calls < step + FINITE_CHECK_EVERY
