"""`Predictor`, what prediction reads: shipped alone (pickled, loaded in a process that never imports the
ensemble) it predicts what the ensemble predicts; its member values are the standalone members' outputs and
its mixture's variances the Gaussian likelihood's formula; errors name the input and the row it is told."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from priorlab.priors import Ensemble
from priorlab.priors.losses import VARIANCE_FLOOR

TIGHT = {"rtol": 1e-12, "atol": 1e-12}  # float64 both sides, the same rows


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(4)
    x = pd.DataFrame({"a": rng.uniform(-1, 1, 40), "b": rng.uniform(-1, 1, 40)})
    return x, np.column_stack([np.sin(3 * x["a"]) + x["b"], x["a"] - x["b"]])


@pytest.fixture(scope="module")
def gaussian(data) -> Ensemble:
    return Ensemble(n_members=4, hidden=(8,), epochs=20, seed=3, likelihood="gaussian", standardize=True,
                    variance_scale=2.0).fit(*data, progress=False)


SHIPPED = """
import pickle, sys
import numpy as np
import pandas as pd
predictor = pickle.load(open(sys.argv[1], "rb"))
assert "priorlab.priors.ensemble" not in sys.modules, "the predictor needed the ensemble"
x = pd.read_pickle(sys.argv[2])
means, variances = predictor.mixture_values(x)
np.savez(sys.argv[3], members=predictor.member_values(x), means=means, variances=variances,
         base=predictor.base_values(x), prior=predictor.prior_values(x))
"""


def test_a_predictor_shipped_alone_predicts_what_the_ensemble_predicts(gaussian, data, tmp_path):
    x = data[0][["b", "a"]].assign(extra=1.0)  # matched by the fitted column names
    (tmp_path / "predictor.pkl").write_bytes(pickle.dumps(gaussian.predictor_))
    x.to_pickle(tmp_path / "x.pkl")
    subprocess.run([sys.executable, "-c", SHIPPED, tmp_path / "predictor.pkl", tmp_path / "x.pkl",
                    tmp_path / "out.npz"], check=True, capture_output=True)
    shipped = np.load(tmp_path / "out.npz")
    distribution = gaussian.predict_distribution(x)
    np.testing.assert_allclose(shipped["members"], gaussian.predict(x).samples, **TIGHT)
    np.testing.assert_allclose(shipped["means"], distribution.means, **TIGHT)
    np.testing.assert_allclose(shipped["variances"], distribution.variances, **TIGHT)
    np.testing.assert_allclose(shipped["base"], gaussian.base_predict(x).samples, **TIGHT)
    np.testing.assert_allclose(shipped["prior"], gaussian.prior_predict(x).samples, **TIGHT)


def test_members_and_variances_are_the_standalone_members_through_the_likelihood(gaussian, data):
    x = data[0]
    predictor = gaussian.predictor_
    means, variances = predictor.mixture_values(x)
    scaling = predictor.state.scaling
    inputs = scaling.inputs(torch.tensor(x.to_numpy(), dtype=torch.float32))
    for k in range(4):
        with torch.no_grad():
            out = gaussian.member(k)(inputs).double()  # 2 means then 2 raw variances, standardised units
        y_mean, y_scale = scaling.y_mean.double(), scaling.y_scale.double()
        np.testing.assert_allclose(means[k], (out[:, :2] * y_scale + y_mean).numpy(), rtol=1e-5, atol=1e-5)
        expected = 2.0 * (torch.log1p(torch.exp(out[:, 2:])) + VARIANCE_FLOOR) * y_scale**2  # variance_scale 2
        np.testing.assert_allclose(variances[k], expected.numpy(), rtol=1e-5)
    np.testing.assert_allclose(predictor.member_values(x), means, **TIGHT)  # the members are their means


def test_errors_name_the_input_and_its_row_and_points_are_not_a_mixture(gaussian, data):
    x = data[0].to_numpy().copy()
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"data\.csv: contains NaN or infinite values \(first at row 43\)"):
        gaussian.predictor_.member_values(x, name="data.csv", first_row=41)
    points = Ensemble(n_members=2, hidden=(4,), epochs=2).fit(*data, progress=False).predictor_
    with pytest.raises(ValueError, match=r"likelihood: predict_distribution needs .*likelihood='gaussian'"):
        points.mixture_values(data[0])
    with pytest.raises(AttributeError):
        points.prior_scale = 2.0  # frozen
