"""benchmarks/bench_uci.py on a tiny folder it writes itself: the JSON it writes, and that test rows never
reach selection or training (a spy on `Ensemble.fit` and `Ensemble.predict_distribution`). Selection itself
is tested in tests/priors/test_selection.py."""

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
    sys.path.insert(0, str(SCRIPT.parent))  # the script imports its sibling uci_laplace.py
    spec = importlib.util.spec_from_file_location("bench_uci", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_uci"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_uci", None)
        sys.path.remove(str(SCRIPT.parent))


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
    monkeypatch.setattr(selection, "PRIOR_SCALES", (0.0, 0.3))
    monkeypatch.setattr(selection, "CHECKPOINTS", 2)
    monkeypatch.setattr(bench, "protocol_of", lambda data: selection.Protocol(data.n_hidden, 2, n_members=2))

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
    assert bench.main(["--data", str(root), "--splits", "2", "--json", str(out), "--quiet", "--workers", "1"]) == 0

    written = json.loads(out.read_text())
    assert list(written) == ["tiny"]
    assert set(written["tiny"]) == {"nll", "nll_se", "rmse", "rmse_se", "crps", "coverage90", "seconds"}
    assert all(np.isfinite(v) for v in written["tiny"].values())
    assert 0 <= written["tiny"]["coverage90"] <= 1

    # Per split: the two prior scales' validation curves on 80% of the training rows (shared by both
    # methods), then per method the refit on all of them and one prediction of the test rows. Test rows
    # appear in nothing else.
    fits = [rows for kind, rows in events if kind == "fit"]
    assert len(fits) == 2 * (2 + 2)
    test_predictions = 0  # splits run one after the other: 0, then 1
    for position, (kind, rows) in enumerate(events):
        train, test = (set(part) for part in splits[test_predictions // 2])
        if kind == "fit":
            assert rows <= train
            assert len(rows) in (round(0.8 * len(train)), len(train))
        elif rows & test:
            assert rows == test and events[position - 1] == ("fit", train)  # right after the refit
            test_predictions += 1
        else:
            assert rows <= train  # a validation curve
    assert test_predictions == 2 * 2


def test_a_missing_data_set_is_named(bench, tmp_path, capsys):
    write_folder(tmp_path / "tiny")
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--data", str(tmp_path), "--datasets", "tiny,yacht"])
    assert exit_info.value.code == 2
    assert "--datasets: no folder yacht" in capsys.readouterr().err
