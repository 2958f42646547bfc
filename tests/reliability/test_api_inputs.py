"""The main Python entry points against bad input: an error of the documented type whose one-line message
starts with (or names) the argument, and an object left as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from priorlab.benford import analyze
from priorlab.priors import Ensemble, RandomizedPriorRegressor, inputs

X = np.linspace(-1, 1, 16).reshape(-1, 2)
Y = X.sum(axis=1)


def _fit(x=X, y=Y, **params):
    return lambda: Ensemble(**{"n_members": 2, "epochs": 2, **params}).fit(x, y, progress=False)


def _with(array, row, column, value):
    array = np.array(array, dtype=np.float64)
    array[row, column] = value
    return array


def _predict(x):
    fitted = Ensemble(n_members=2, epochs=2).fit(X, Y, progress=False)
    return lambda: fitted.predict(x)


# (id, call, error type, fragment of the message)
CASES = [
    ("n_members-true", lambda: Ensemble(n_members=True), ValueError, "n_members"),
    ("n_members-zero", lambda: Ensemble(n_members=0), ValueError, "n_members"),
    ("n_members-float", lambda: Ensemble(n_members=2.0), ValueError, "n_members"),
    ("epochs-zero", lambda: Ensemble(epochs=0), ValueError, "epochs"),
    ("epochs-true", lambda: Ensemble(epochs=True), ValueError, "epochs"),
    ("batch_size-true", lambda: Ensemble(batch_size=True), ValueError, "batch_size"),
    ("seed-negative", lambda: Ensemble(seed=-1), ValueError, "seed"),
    ("seed-true", lambda: Ensemble(seed=True), ValueError, "seed"),
    ("lr-zero", lambda: Ensemble(lr=0.0), ValueError, "lr"),
    ("lr-text", lambda: Ensemble(lr="0.1"), TypeError, "lr"),
    ("prior_scale-nan", lambda: Ensemble(prior_scale=float("nan")), ValueError, "prior_scale"),
    ("prior-unknown", lambda: Ensemble(prior="gauss"), ValueError, "prior"),
    ("prior-class", lambda: Ensemble(prior=Ensemble), TypeError, "prior"),
    ("bootstrap-unknown", lambda: Ensemble(bootstrap="jackknife"), ValueError, "bootstrap"),
    ("hidden-text", lambda: Ensemble(hidden="20,20"), TypeError, "hidden"),
    ("hidden-zero", lambda: Ensemble(hidden=(0,)), ValueError, "hidden"),
    ("standardize-int", lambda: Ensemble(standardize=1), TypeError, "standardize"),
    ("task-unknown", lambda: Ensemble(task="ranking"), ValueError, "task"),
    ("unknown-parameter", lambda: Ensemble(members=3), TypeError, "members"),
    ("x-booleans", _fit(x=X > 0), TypeError, "x: expected numbers, got booleans"),
    ("x-boolean-frame", _fit(x=pd.DataFrame({"a": X[:, 0] > 0, "b": X[:, 1]})), TypeError, "x"),
    ("x-text", _fit(x=np.array([["a", "b"]] * 8)), TypeError, "x"),
    ("x-nan", _fit(x=_with(X, 3, 1, np.nan)), ValueError, "x: contains NaN or infinite values (first at row 3)"),
    ("x-float32-overflow", _fit(x=_with(X, 5, 0, 1e39)), ValueError, "x: column 0, row 5: too large"),
    ("x-frame-overflow", _fit(x=pd.DataFrame(_with(X, 2, 1, -1e300), columns=["a", "b"])), ValueError,
     "x: column 'b', row 2"),
    ("y-overflow", _fit(y=pd.Series(_with(Y[:, None], 4, 0, 1e39)[:, 0], name="price")), ValueError,
     "y: column 'price', row 4"),
    ("y-3d", _fit(y=np.zeros((8, 1, 1))), ValueError, "y: expected shape"),
    ("x-y-lengths", _fit(y=Y[:5]), ValueError, "x and y: different lengths"),
    ("x-empty", _fit(x=np.zeros((0, 2)), y=np.zeros(0)), ValueError, "x: empty"),
    ("diverging-training", _fit(y=Y * 1e3, lr=1e9, epochs=50), ValueError, "lr: training diverged"),
    ("classification-one-class", _fit(y=np.zeros(8), task="classification"), ValueError, "y: classification"),
    ("noise-with-classification", lambda: Ensemble(task="classification", noise_std=0.1), ValueError,
     "noise_std"),
    ("predict-before-fit", lambda: Ensemble().predict(X), ValueError, "not fitted"),
    ("predict-width", _predict(X[:, :1]), ValueError, "x: expected 2 features"),
    ("predict-nan", _predict(_with(X, 1, 1, np.nan)), ValueError, "x: contains NaN"),
    ("predict-booleans", _predict(X > 0), TypeError, "x: expected numbers, got booleans"),
    ("estimator-booleans-param", lambda: RandomizedPriorRegressor(n_members=True).fit(X, Y), ValueError,
     "n_members"),
    ("analyze-booleans", lambda: analyze(np.array([True, False])), TypeError, "booleans"),
    ("analyze-text", lambda: analyze(np.array(["1", "2"])), TypeError, "dtype"),
    ("analyze-unknown-test", lambda: analyze([1, 2, 3], test="third"), ValueError, "test"),
    ("analyze-unknown-sign", lambda: analyze([1, 2, 3], sign="up"), ValueError, "sign"),
    ("analyze-all-zero", lambda: analyze(np.zeros(5)), ValueError, "data: no positive values left"),
    ("analyze-empty", lambda: analyze(np.array([], dtype=float)), ValueError, "empty"),
]


@pytest.mark.parametrize(("call", "error", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_one_line_naming_the_argument(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert "\n" not in message and fragment in message, message


def test_a_failed_refit_leaves_the_ensemble_unfitted_not_half_fitted():
    ensemble = Ensemble(n_members=2, epochs=2).fit(X, Y, progress=False)
    with pytest.raises(ValueError, match="too large"):
        ensemble.fit(_with(X, 0, 0, 1e39), Y, progress=False)
    with pytest.raises(ValueError, match="not fitted"):
        ensemble.predict(X)


@pytest.mark.parametrize("row", [0, 3, 4, 9, 11])
def test_a_float32_overflow_is_found_in_any_block_of_rows(row, monkeypatch):
    """The float32 check converts a few rows at a time: the error names the row in the whole input."""
    monkeypatch.setattr(inputs, "CHECK_ROWS", 4)
    x = np.zeros((12, 3))
    x[row, 2] = -1e39
    with pytest.raises(ValueError, match=rf"^x: column 2, row {row}: too large"):
        Ensemble(n_members=2, epochs=1).fit(x, np.zeros(12), progress=False)
