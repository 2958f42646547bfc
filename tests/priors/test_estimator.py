"""RandomizedPriorRegressor against scikit-learn's estimator contract, plus its uncertainty outputs."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from priorlab.priors import Ensemble, RandomizedPriorRegressor, osband_1d
from priorlab.samples import Samples

SMALL = dict(n_members=3, hidden=(8,), epochs=30, lr=0.05)


@parametrize_with_checks([RandomizedPriorRegressor(**SMALL)])
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def test_parameters_are_ensembles_but_the_task():
    """The signature scikit-learn introspects is `Ensemble`'s, in order and with the same defaults."""
    ensemble = inspect.signature(Ensemble).parameters
    regressor = inspect.signature(RandomizedPriorRegressor).parameters
    assert list(regressor) == [name for name in ensemble if name != "task"]
    assert all(regressor[name].default == ensemble[name].default for name in regressor)
    assert RandomizedPriorRegressor(5, (4,)).get_params()["hidden"] == (4,)
    with pytest.raises(TypeError, match="n_member"):
        RandomizedPriorRegressor(n_member=3)


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
    pipeline = make_pipeline(StandardScaler(), RandomizedPriorRegressor(n_members=3, epochs=300))
    scores = cross_val_score(pipeline, x, y, cv=3)
    assert scores.mean() > 0.8
