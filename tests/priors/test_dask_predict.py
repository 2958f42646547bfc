"""`Ensemble.predict` / `predict_distribution` on Dask collections: nothing runs until computed, each row block
is predicted once, the model is one graph key, and the result equals the NumPy prediction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from priorlab.priors import Ensemble
from priorlab.priors.predictor import Predictor

da = pytest.importorskip("dask.array", reason="Dask inputs need the priorlab[dask] extra")
import dask  # noqa: E402

ROWS, CHUNK = 300, 70  # five row blocks, the last one short
TIGHT = {"rtol": 1e-12, "atol": 1e-12}  # float64, row by row: only a matmul's summation order may differ


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, (ROWS, 2))
    return x, np.sin(2 * x[:, 0]) + x[:, 1] + 0.1 * rng.standard_normal(ROWS)


def _fit(x, y, **options) -> Ensemble:
    return Ensemble(n_members=4, hidden=(16,), epochs=5, seed=1, **options).fit(x, y, progress=False)


@pytest.fixture(scope="module")
def mse(data) -> Ensemble:
    return _fit(*data)


@pytest.fixture(scope="module")
def gaussian(data) -> Ensemble:
    return _fit(*data, likelihood="gaussian")


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, int]]:
    """(method, rows) of every in-memory prediction, whichever copy of the model makes it."""
    record: list[tuple[str, int]] = []

    def counting(name):
        original = getattr(Predictor, name)

        def counted(self, x, *args, **kwargs):
            record.append((name, len(x)))
            return original(self, x, *args, **kwargs)

        return counted

    for name in ("member_values", "mixture_values"):
        monkeypatch.setattr(Predictor, name, counting(name))
    return record


def _blocks(x: np.ndarray) -> da.Array:
    return da.from_array(x, chunks=(CHUNK, 1))  # the feature axis split too: it is merged


def test_member_predictions_are_lazy_and_equal_numpys(mse, data, calls):
    x, _ = data
    lazy = mse.predict(_blocks(x))
    summaries = (lazy.mean(), lazy.std(), *lazy.interval(0.8))
    assert calls == []
    assert lazy.samples.chunks == ((4,), (70, 70, 70, 70, 20))
    draws, mean, std, lower, upper = dask.compute(lazy.samples, *summaries, scheduler="threads")
    assert sorted(rows for _, rows in calls) == [20, 70, 70, 70, 70]  # every block once, for all five results
    eager = mse.predict(x)
    np.testing.assert_allclose(draws, eager.samples, **TIGHT)
    np.testing.assert_allclose(mean, eager.mean(), **TIGHT)
    np.testing.assert_allclose(std, eager.std(), **TIGHT)
    np.testing.assert_allclose(lower, eager.interval(0.8)[0], **TIGHT)
    np.testing.assert_allclose(upper, eager.interval(0.8)[1], **TIGHT)


def test_the_predictive_mixture_is_lazy_and_equals_numpys(gaussian, data, calls):
    x, y = data
    lazy = gaussian.predict_distribution(_blocks(x))
    assert lazy.lazy and "lazy" in repr(lazy)
    results = (lazy.mean(), lazy.std(), lazy.epistemic_std(), lazy.aleatoric_std(), *lazy.interval(0.9),
               lazy.cdf(y), lazy.log_prob(y), lazy.quantile([[0.2, 0.7]]))
    assert all(isinstance(r, da.Array) for r in results) and calls == []
    computed = dask.compute(*results, scheduler="threads")
    assert sorted(rows for _, rows in calls) == [20, 70, 70, 70, 70]  # means and variances from one pass
    eager = gaussian.predict_distribution(x)
    expected = (eager.mean(), eager.std(), eager.epistemic_std(), eager.aleatoric_std(), *eager.interval(0.9),
                eager.cdf(y), eager.log_prob(y), eager.quantile([[0.2, 0.7]]))
    for got, want in zip(computed, expected, strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)  # quantiles: bisection to 1e-10 stds
    in_memory = lazy.compute()
    assert not in_memory.lazy
    np.testing.assert_allclose(in_memory.variances, eager.variances, **TIGHT)
    with pytest.raises(ValueError, match=r"sample: .*\.compute\(\)"):
        lazy.sample(3)


def test_dask_dataframes_are_matched_by_column_name(data):
    dd = pytest.importorskip("dask.dataframe")
    x, y = data
    frame = pd.DataFrame(x, columns=["a", "b"])
    ensemble = _fit(frame, y)
    shuffled = frame[["b", "a"]].assign(extra=1.0)
    lazy = ensemble.predict(dd.from_pandas(shuffled, npartitions=3))
    np.testing.assert_allclose(lazy.samples.compute(), ensemble.predict(shuffled).samples, **TIGHT)
    with pytest.raises(ValueError, match=r"x: missing feature columns \['a'\]"):
        ensemble.predict(dd.from_pandas(frame[["b"]], npartitions=2))


def test_classes_and_several_targets_keep_their_output_axis(data):
    x, y = data
    classifier = _fit(x, (y > 0).astype(int), task="classification")
    probabilities = classifier.predict(_blocks(x))
    assert probabilities.shape == (ROWS, 2)
    np.testing.assert_allclose(probabilities.samples.compute(), classifier.predict(x).samples, **TIGHT)
    targets = np.column_stack([y, -2 * y])
    regressor = _fit(x, targets, likelihood="gaussian")
    two = regressor.predict_distribution(_blocks(x))
    assert two.shape == (ROWS, 2)
    lower, _ = two.interval(0.5)
    eager = regressor.predict_distribution(x)
    np.testing.assert_allclose(lower.compute(), eager.interval(0.5)[0], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(two.cdf(targets).compute(), eager.cdf(targets), **TIGHT)


def test_bad_inputs_are_refused_by_name(mse, data):
    x, _ = data
    blocks = _blocks(x)
    with pytest.raises(ValueError, match="x: a Dask array with unknown chunk sizes"):
        mse.predict(blocks[blocks[:, 0] > 0])
    with pytest.raises(ValueError, match=r"x: expected 2 features \(as in fit\), got 3"):
        mse.predict(da.concatenate([blocks, blocks[:, :1]], axis=1))
    late = x.copy()
    late[250, 1] = np.nan
    lazy = mse.predict(_blocks(late)).mean()  # refused when the block is computed, by its row in all of x
    with pytest.raises(ValueError, match=r"x: contains NaN or infinite values \(first at row 250\)"):
        lazy.compute()


def test_the_model_is_one_graph_key_and_a_refit_does_not_reach_the_graph(data):
    x, y = data
    ensemble = _fit(x, y)
    lazy = ensemble.predict(_blocks(x)).samples
    expected = ensemble.predict(x).samples
    graph = dict(lazy.__dask_graph__())
    model_keys = [key for key in graph if isinstance(key, str) and key.startswith("Predictor-")]
    assert len(model_keys) == 1
    dependencies, _ = dask.core.get_deps(graph)
    predicted = [key for key in graph if isinstance(key, tuple) and key[0] == lazy.name]
    assert len(predicted) == 5 and all(model_keys[0] in dependencies[key] for key in predicted)
    ensemble.fit(x, -y, progress=False)
    np.testing.assert_allclose(lazy.compute(), expected, **TIGHT)


def _model_fetches(dask_worker) -> int:
    return sum(str(key).startswith("Predictor-") for entry in dask_worker.transfer_incoming_log
               for key in entry["keys"])


def _model_computations(dask_scheduler) -> int:
    return sum(str(key).startswith("Predictor-") and finish == "memory"
               for key, _, finish, *_ in dask_scheduler.transition_log)


def test_two_worker_processes_receive_the_model_once_each(mse, data):
    pytest.importorskip("dask.distributed")
    from priorlab.distributed import dask_client

    x, _ = data
    lazy = mse.predict(da.from_array(x, chunks=(30, 2)))  # ten blocks for two workers
    with dask_client(workers=2) as client:
        draws = client.compute(lazy.samples).result()
        fetches = client.run(_model_fetches)
        computations = client.run_on_scheduler(_model_computations)
    np.testing.assert_allclose(draws, mse.predict(x).samples, **TIGHT)
    assert computations == 1  # the model entered the cluster once ...
    assert all(count <= 1 for count in fetches.values())  # ... and reached the other worker once
