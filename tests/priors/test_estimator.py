"""RandomizedPriorRegressor against scikit-learn's estimator contract, plus its uncertainty outputs."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from priorlab.priors import RandomizedPriorRegressor, osband_1d
from priorlab.samples import Samples

SMALL = dict(n_members=3, hidden=(8,), epochs=30, lr=0.05)

EXPECTED_FAILURES = {
    # Predictions are float32 networks evaluated with batched matmuls; MKL picks its kernel from the
    # batch shape, so predicting a subset can differ from the full batch in the last float32 bit
    # (~2e-7), above this check's atol=1e-7. Each member's prediction is still the same function.
    "check_methods_subset_invariance": "float32 matmul results depend on the batch size at the 1e-7 level",
}


@parametrize_with_checks([RandomizedPriorRegressor(**SMALL)], expected_failed_checks=lambda est: EXPECTED_FAILURES)
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def test_predict_with_std_and_samples():
    x, y = osband_1d()
    model = RandomizedPriorRegressor(n_members=8, epochs=200, seed=1).fit(x, y[:, 0])
    grid = np.linspace(-1, 2, 16)[:, None]
    samples = model.predict_samples(grid)
    assert isinstance(samples, Samples) and samples.samples.shape == (8, 16)
    mean, std = model.predict(grid, return_std=True)
    np.testing.assert_allclose(mean, samples.samples.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(std, samples.samples.std(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.predict(grid), mean)


def test_parameters_are_ensembles_and_work_in_pipelines():
    model = RandomizedPriorRegressor(**SMALL, prior="sine", bootstrap="none", seed=5)
    params = model.get_params()
    assert params["n_members"] == 3 and params["prior"] == "sine" and params["seed"] == 5
    x, y = osband_1d()
    fitted = clone(model).fit(x, y[:, 0])
    assert fitted.ensemble_.prior == "sine" and fitted.ensemble_.n_members == 3
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)) * [1, 100]
    y = x[:, 0] + x[:, 1] / 100
    scores = cross_val_score(make_pipeline(StandardScaler(), RandomizedPriorRegressor(n_members=3, epochs=300)), x, y, cv=3)
    assert scores.mean() > 0.8
