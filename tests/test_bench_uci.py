"""benchmarks/bench_uci.py on a tiny folder it writes itself: the JSON it writes, and that test rows never
reach selection or training (a spy on `Ensemble.fit` and `Ensemble.predict_distribution`)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from priorlab.priors import selection
from priorlab.priors.ensemble import Ensemble

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_uci.py"
N_ROWS, N_TEST = 40, 8


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_uci", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_uci"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_uci", None)


def write_folder(folder: Path, seed: int = 0) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """A 40-row data set in the UCI layout, 2 splits; returns split -> (train rows, test rows)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N_ROWS, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(N_ROWS)
    folder.mkdir()
    np.savetxt(folder / "data.txt", np.column_stack([x[:, :2], y, x[:, 2:]]))
    (folder / "index_features.txt").write_text("0\n1\n3\n")
    (folder / "index_target.txt").write_text("2\n")
    splits = {}
    for i in range(2):
        order = rng.permutation(N_ROWS)
        splits[i] = (order[N_TEST:], order[:N_TEST])
        np.savetxt(folder / f"index_train_{i}.txt", splits[i][0], fmt="%d")
        np.savetxt(folder / f"index_test_{i}.txt", splits[i][1], fmt="%d")
    for name, value in (("n_splits", 2), ("n_hidden", 4), ("n_epochs", 1)):
        (folder / f"{name}.txt").write_text(f"{value}\n")
    return splits


def test_json_keys_and_test_rows_never_in_selection_or_training(bench, tmp_path, monkeypatch):
    root = tmp_path / "uci"
    root.mkdir()
    splits = write_folder(root / "tiny")
    data = np.loadtxt(root / "tiny" / "data.txt")
    x_all = data[:, [0, 1, 3]]
    monkeypatch.setattr(selection, "GRID", {"prior_scale": (0.3,), "weight_decay": (1e-4, 1e-3)})
    monkeypatch.setattr(selection, "CHECKPOINTS", 2)
    monkeypatch.setattr(selection, "N_MEMBERS", 2)
    monkeypatch.setattr(selection, "EPOCH_FACTOR", 2)  # up to 2 epochs

    events = []
    fit, predict = Ensemble.fit, Ensemble.predict_distribution

    def rows_of(x):
        return {int(np.flatnonzero(np.all(np.isclose(x_all, row), axis=1))[0]) for row in np.asarray(x)}

    def spy_fit(self, x, y, **kwargs):
        events.append(("fit", rows_of(x)))
        return fit(self, x, y, **kwargs)

    def spy_predict(self, x):
        events.append(("predict", rows_of(x)))
        return predict(self, x)

    monkeypatch.setattr(Ensemble, "fit", spy_fit)
    monkeypatch.setattr(Ensemble, "predict_distribution", spy_predict)
    out = tmp_path / "out.json"
    assert bench.main(["--data", str(root), "--splits", "2", "--json", str(out), "--quiet"]) == 0

    written = json.loads(out.read_text())
    assert list(written) == ["tiny"]
    assert set(written["tiny"]) == {"nll", "nll_se", "rmse", "rmse_se", "crps", "coverage90", "seconds"}
    assert all(np.isfinite(v) for v in written["tiny"].values())
    assert 0 <= written["tiny"]["coverage90"] <= 1

    # Per method and split: 2 selection fits on 80% of the training rows, then the refit on all of them,
    # then one prediction of the test rows. Test rows appear in nothing else.
    fits = [rows for kind, rows in events if kind == "fit"]
    assert len(fits) == 2 * 2 * 3
    test_predictions = 0  # runs go method by method, split by split: 0, 1, 0, 1
    for position, (kind, rows) in enumerate(events):
        train, test = (set(part) for part in splits[test_predictions % 2])
        if kind == "fit":
            assert rows <= train
            assert len(rows) in (round(0.8 * len(train)), len(train))
        elif rows & test:
            assert rows == test and events[position - 1] == ("fit", train)  # right after the refit
            test_predictions += 1
        else:
            assert rows <= train  # a validation curve
    assert test_predictions == 2 * 2


def test_validation_split_is_seeded_and_disjoint(bench):
    fit_rows, valid_rows = selection.validation_split(50, seed=3)
    again = selection.validation_split(50, seed=3)
    assert np.array_equal(fit_rows, again[0]) and np.array_equal(valid_rows, again[1])
    assert len(valid_rows) == 10 and set(fit_rows).isdisjoint(valid_rows)
    assert sorted([*fit_rows, *valid_rows]) == list(range(50))
