"""Ensembles whose members model the noise (`likelihood="gaussian"`): each member against a model trained
alone with torch's own Gaussian NLL, the predictive mixture, units, saving, the scikit-learn face and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.utils.estimator_checks import parametrize_with_checks

from priorlab.cli import main
from priorlab.predictive import GaussianMixture
from priorlab.priors import MLP, Ensemble, RandomizedPriorRegressor, osband_1d
from priorlab.priors.io import CONFIG_FILE
from priorlab.priors.losses import VARIANCE_FLOOR


def train_alone(member, x, y, weights, *, epochs, lr, weight_decay):
    """One `ModelWithPrior` with its own Adam, full batch: the bootstrap-weighted mean of torch's
    `gaussian_nll_loss` (full=True) on the mean column and the floored softplus variance."""
    xt, yt = torch.tensor(x), torch.tensor(y)
    wt = torch.tensor(weights, dtype=torch.float32).unsqueeze(1)
    optimizer = torch.optim.Adam(member.base_model.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        optimizer.zero_grad()
        out = member(xt)
        variance = torch.nn.functional.softplus(out[:, 1:]) + VARIANCE_FLOOR
        nll = torch.nn.functional.gaussian_nll_loss(out[:, :1], yt, variance, full=True, reduction="none",
                                                    eps=VARIANCE_FLOOR / 2)
        (wt * nll).mean().backward()
        optimizer.step()
    return member


@pytest.mark.parametrize("bootstrap, prior, weight_decay, base", [
    ("multinomial", "mlp", 0.0, None), ("poisson", "sine", 1e-3, None),
    ("exponential", "mlp", 1e-2, lambda: MLP(1, (20, 20), 2)),  # the generic torch.func path
])
def test_gaussian_members_equal_models_trained_alone(bootstrap, prior, weight_decay, base):
    x, y = osband_1d()
    ensemble = Ensemble(n_members=3, prior=prior, prior_scale=1.5, bootstrap=bootstrap, weight_decay=weight_decay,
                        epochs=60, lr=1e-2, seed=11, base=base, likelihood="gaussian").fit(x, y, progress=False)
    weights = ensemble.bootstrap_weights(len(x))
    grid = np.linspace(-1, 2, 31, dtype=np.float32)[:, None]
    distribution = ensemble.predict_distribution(grid)
    for k in range(ensemble.n_members):
        alone = train_alone(ensemble.build_member(k, 1, 1), x, y, weights[k], epochs=60, lr=1e-2,
                            weight_decay=weight_decay)
        with torch.no_grad():
            out = alone(torch.tensor(grid))
            rebuilt = ensemble.member(k)(torch.tensor(grid))
        variance = (torch.nn.functional.softplus(out[:, 1]) + VARIANCE_FLOOR).numpy()
        np.testing.assert_allclose(distribution.means[k], out[:, 0].numpy(), atol=2e-4, rtol=1e-4)
        np.testing.assert_allclose(distribution.variances[k], variance, atol=2e-4, rtol=1e-3)
        np.testing.assert_allclose(rebuilt.numpy(), out.numpy(), atol=2e-4, rtol=1e-4)


def test_the_prior_moves_the_means_only():
    x, y = osband_1d()
    grid = torch.linspace(-1, 2, 9)[:, None]
    ensemble = Ensemble(n_members=2, epochs=5, prior_scale=3.0, likelihood="gaussian").fit(x, y, progress=False)
    member = ensemble.member(1)
    with torch.no_grad():
        out, base, prior = member(grid), member.base_model(grid), member.prior_model(grid)
    assert base.shape == prior.shape == (9, 2)  # the random prior is a copy of the network; its mean is used
    torch.testing.assert_close(out[:, 0], base[:, 0] + 3.0 * prior[:, 0])
    torch.testing.assert_close(out[:, 1], base[:, 1])
    parts = ensemble.base_predict(grid.numpy()).samples + ensemble.prior_predict(grid.numpy()).samples
    np.testing.assert_allclose(parts, ensemble.predict(grid.numpy()).samples, atol=1e-6)


def test_predictive_mixture_of_the_members():
    x, y = osband_1d()
    ensemble = Ensemble(n_members=4, epochs=100, seed=2, likelihood="gaussian").fit(x, y, progress=False)
    grid = np.linspace(-1, 2, 13)
    distribution = ensemble.predict_distribution(grid)
    assert isinstance(distribution, GaussianMixture) and distribution.shape == (13,)
    np.testing.assert_array_equal(distribution.members.samples, ensemble.predict(grid).samples)
    assert np.all(distribution.variances >= VARIANCE_FLOOR)
    np.testing.assert_allclose(distribution.std() ** 2,
                               distribution.epistemic_std() ** 2 + distribution.aleatoric_std() ** 2)


def test_members_learn_the_noise_level():
    """Heteroscedastic data: noise std 0.1 for x < 0 and 1 for x > 0; the predicted noise follows it."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, (400, 1))
    y = 0.5 * x[:, 0] + np.where(x[:, 0] < 0, 0.1, 1.0) * rng.standard_normal(400)
    ensemble = Ensemble(n_members=3, hidden=(16,), epochs=400, lr=1e-2, seed=0, likelihood="gaussian",
                        standardize=True).fit(x, y, progress=False)
    noise = ensemble.predict_distribution(np.array([[-1.5], [-0.5], [0.5], [1.5]])).aleatoric_std()
    assert np.all(noise[:2] < 0.25) and np.all((noise[2:] > 0.6) & (noise[2:] < 1.5)), noise


def test_standardized_variances_are_mapped_back_to_the_targets_units():
    x, y = osband_1d()
    grid = np.linspace(-1, 2, 11)[:, None]
    kwargs = dict(n_members=3, epochs=60, seed=3, standardize=True, likelihood="gaussian")
    original = Ensemble(**kwargs).fit(x, y, progress=False).predict_distribution(grid)
    rescaled = Ensemble(**kwargs).fit(1000 * x - 7, 50 * y + 3, progress=False).predict_distribution(1000 * grid - 7)
    np.testing.assert_allclose(rescaled.means, 50 * original.means + 3, rtol=1e-3, atol=5e-3)
    np.testing.assert_allclose(rescaled.variances, 2500 * original.variances, rtol=2e-3)
    np.testing.assert_allclose(rescaled.interval(0.9), 50 * np.asarray(original.interval(0.9)) + 3,
                               rtol=1e-3, atol=5e-3)


def test_multi_output_gaussian_keeps_the_output_axis():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 2))
    y = np.column_stack([x[:, 0], x[:, 1] * 2])
    ensemble = Ensemble(n_members=2, epochs=20, likelihood="gaussian", standardize=True).fit(x, y, progress=False)
    distribution = ensemble.predict_distribution(x[:5])
    assert distribution.shape == (5, 2) and ensemble.predict(x[:5]).samples.shape == (2, 5, 2)


def test_a_base_without_a_variance_column_is_refused():
    x, y = osband_1d()
    ensemble = Ensemble(n_members=2, epochs=2, base=lambda: MLP(1, (4,), 1), likelihood="gaussian")
    with pytest.raises(ValueError, match=r"base: the network returns 1 columns; expected 2 x 1 \(a mean and a raw"):
        ensemble.fit(x, y, progress=False)


def test_mse_ensembles_have_no_predictive_distribution():
    x, y = osband_1d()
    ensemble = Ensemble(n_members=2, epochs=2).fit(x, y, progress=False)
    with pytest.raises(ValueError, match=r"likelihood: predict_distribution needs .*likelihood='gaussian'"):
        ensemble.predict_distribution(x)


def test_gaussian_classification_is_refused_naming_the_likelihood():
    with pytest.raises(ValueError, match="likelihood: 'gaussian' models the noise of regression targets"):
        Ensemble(task="classification", likelihood="gaussian")
    with pytest.raises(ValueError, match="likelihood: expected one of mse, gaussian"):
        Ensemble(likelihood="laplace")


@pytest.mark.parametrize("standardize", [False, True])
def test_save_load_round_trip(tmp_path, standardize):
    x, y = osband_1d()
    ensemble = Ensemble(n_members=3, epochs=20, seed=1, likelihood="gaussian",
                        standardize=standardize).fit(3 * x, y + 1, progress=False)
    ensemble.save(tmp_path / "model")
    loaded = Ensemble.load(tmp_path / "model")
    assert loaded.likelihood == "gaussian"
    grid = np.linspace(-1, 2, 21)
    expected, got = ensemble.predict_distribution(grid), loaded.predict_distribution(grid)
    np.testing.assert_array_equal(got.means, expected.means)
    np.testing.assert_array_equal(got.variances, expected.variances)
    # the saved networks have two outputs per target: a config that says otherwise does not match them
    config = json.loads((tmp_path / "model" / CONFIG_FILE).read_text())
    config["params"]["likelihood"] = "mse"
    (tmp_path / "model" / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(ValueError, match="layer widths"):
        Ensemble.load(tmp_path / "model")


def test_a_model_saved_before_the_likelihood_existed_loads_as_mse(tmp_path):
    x, y = osband_1d()
    Ensemble(n_members=2, epochs=2).fit(x, y, progress=False).save(tmp_path / "model")
    config = json.loads((tmp_path / "model" / CONFIG_FILE).read_text())
    del config["params"]["likelihood"]
    (tmp_path / "model" / CONFIG_FILE).write_text(json.dumps(config))
    assert Ensemble.load(tmp_path / "model").likelihood == "mse"


@parametrize_with_checks([RandomizedPriorRegressor(n_members=3, hidden=(8,), epochs=30, lr=0.05,
                                                   likelihood="gaussian")])
def test_scikit_learn_contract_with_gaussian_members(estimator, check):
    check(estimator)


def test_regressor_std_is_the_mixtures_total_std():
    x, y = osband_1d()
    model = RandomizedPriorRegressor(n_members=4, epochs=100, seed=1, likelihood="gaussian").fit(x, y[:, 0])
    grid = np.linspace(-1, 2, 16)[:, None]
    distribution = model.predict_distribution(grid)
    mean, std = model.predict(grid, return_std=True)
    np.testing.assert_allclose(mean, distribution.mean())
    np.testing.assert_allclose(std, distribution.std())
    assert np.all(std > model.predict_samples(grid).std())  # the noise the members predict is included


def test_cli_fit_and_predict_with_gaussian_members(tmp_path):
    x, y = osband_1d()
    pd.DataFrame({"x": x[:, 0], "y": y[:, 0]}).to_csv(tmp_path / "train.csv", index=False)
    main(["fit", str(tmp_path / "train.csv"), "--target", "y", "--members", "4", "--epochs", "40",
          "--likelihood", "gaussian", "--out", str(tmp_path / "model"), "--quiet"])
    model = Ensemble.load(tmp_path / "model")
    assert model.likelihood == "gaussian"
    grid = pd.DataFrame({"x": [-1.0, 0.25, 2.0]})
    grid.to_csv(tmp_path / "grid.csv", index=False)
    main(["predict", str(tmp_path / "model"), str(tmp_path / "grid.csv"), "--out", str(tmp_path / "pred.csv"),
          "--level", "0.8", "--members"])
    pred = pd.read_csv(tmp_path / "pred.csv")
    assert list(pred.columns) == ["x", "mean", "std", "lower", "upper"] + [f"member_{k}" for k in range(4)]
    distribution = model.predict_distribution(grid)
    lower, upper = distribution.interval(0.8)
    np.testing.assert_allclose(pred["mean"], distribution.mean(), rtol=1e-9)
    np.testing.assert_allclose(pred["std"], distribution.std(), rtol=1e-9)
    np.testing.assert_allclose(pred["lower"], lower, rtol=1e-9)
    np.testing.assert_allclose(pred["upper"], upper, rtol=1e-9)
    np.testing.assert_allclose(pred[[f"member_{k}" for k in range(4)]].to_numpy().T, distribution.means, rtol=1e-9)
