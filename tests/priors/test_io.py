"""Save/load: safetensors + JSON round trip, and clear errors for missing, truncated or mismatched files."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from priorlab.priors import Ensemble, osband_1d
from priorlab.priors.io import CONFIG_FILE, FORMAT_VERSION, WEIGHTS_FILE


@pytest.fixture(scope="module")
def fitted():
    x, y = osband_1d()
    return Ensemble(n_members=5, epochs=30, seed=3).fit(x, y, progress=False)


@pytest.mark.parametrize("prior, standardize", [("mlp", False), ("sine", False), ("none", False), ("mlp", True)])
def test_save_load_gives_identical_predictions(tmp_path, prior, standardize):
    x, y = osband_1d()
    ensemble = Ensemble(n_members=4, epochs=20, prior=prior, prior_scale=2.0, seed=1,
                        standardize=standardize).fit(3 * x, y + 1, progress=False)
    ensemble.save(tmp_path / "model")
    loaded = Ensemble.load(tmp_path / "model")
    grid = np.linspace(-1, 2, 21)
    np.testing.assert_array_equal(loaded.predict(grid).samples, ensemble.predict(grid).samples)
    np.testing.assert_array_equal(loaded.prior_predict(grid).samples, ensemble.prior_predict(grid).samples)
    np.testing.assert_array_equal(loaded.history_, ensemble.history_)
    assert loaded.get_config() == ensemble.get_config()
    config = json.loads((tmp_path / "model" / CONFIG_FILE).read_text())
    assert config["format_version"] == FORMAT_VERSION


def test_classification_round_trip_keeps_classes(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    labels = np.array(["a", "b", "c"])[rng.integers(0, 3, 40)]
    ensemble = Ensemble(n_members=3, epochs=10, task="classification").fit(x, labels, progress=False)
    loaded = Ensemble.load(ensemble.save(tmp_path / "m"))
    assert list(loaded.classes_) == ["a", "b", "c"]
    np.testing.assert_array_equal(loaded.predict(x).samples, ensemble.predict(x).samples)


def test_save_replaces_an_existing_model_and_leaves_no_temporaries(tmp_path, fitted):
    fitted.save(tmp_path / "m")
    other = Ensemble(n_members=2, epochs=2, seed=9).fit(*osband_1d(), progress=False)
    other.save(tmp_path / "m")
    assert Ensemble.load(tmp_path / "m").n_members == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_save_never_replaces_a_folder_that_is_not_a_model(tmp_path, fitted):
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="not a priorlab model directory"):
        fitted.save(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="not a directory"):
        fitted.save(tmp_path / "file")
    assert (tmp_path / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "notes.txt"]


@pytest.mark.parametrize("files", [
    {CONFIG_FILE: "{}"}, {CONFIG_FILE: "not json"}, {CONFIG_FILE: '{"kind": "someone.else"}'}, {CONFIG_FILE: "[1]"},
    {WEIGHTS_FILE: "w"}, {CONFIG_FILE: '{"kind": "priorlab.priors.Ensemble"}', "notes.txt": "precious"},
])
def test_save_replaces_only_a_folder_whose_config_is_ours(tmp_path, fitted, files):
    folder = tmp_path / "m"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    with pytest.raises(FileExistsError, match="not a priorlab model directory"):
        fitted.save(folder)
    assert {p.name: p.read_text() for p in folder.iterdir()} == files


def test_unsaveable_ensembles_are_refused_without_leaving_files(tmp_path):
    x, y = osband_1d()
    ensemble = Ensemble(n_members=2, epochs=1, prior=torch.cos).fit(x, y, progress=False)
    with pytest.raises(ValueError, match="prior"):
        ensemble.save(tmp_path / "m")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="not fitted"):
        Ensemble().save(tmp_path / "m")


def test_missing_directory_and_files(tmp_path, fitted):
    with pytest.raises(FileNotFoundError, match="no such model directory"):
        Ensemble.load(tmp_path / "nowhere")
    fitted.save(tmp_path / "m")
    (tmp_path / "m" / WEIGHTS_FILE).unlink()
    with pytest.raises(FileNotFoundError, match=WEIGHTS_FILE):
        Ensemble.load(tmp_path / "m")
    (tmp_path / "m" / CONFIG_FILE).unlink()
    with pytest.raises(FileNotFoundError, match=CONFIG_FILE):
        Ensemble.load(tmp_path / "m")


def test_truncated_weights(tmp_path, fitted):
    fitted.save(tmp_path / "m")
    path = tmp_path / "m" / WEIGHTS_FILE
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="truncated"):
        Ensemble.load(tmp_path / "m")


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(format_version=99), "format_version 99"),
    (lambda c: c.update(kind="something else"), "not a priorlab ensemble"),
    (lambda c: c["params"].update(n_members=7), "does not match"),
    (lambda c: c["params"].update(hidden=[5]), "layer widths"),
    (lambda c: c["params"].update(prior="gaussian"), "prior"),
    (lambda c: c.pop("fitted"), "fitted"),
])
def test_mismatched_config(tmp_path, fitted, edit, message):
    fitted.save(tmp_path / "m")
    path = tmp_path / "m" / CONFIG_FILE
    config = json.loads(path.read_text())
    edit(config)
    path.write_text(json.dumps(config))
    with pytest.raises(ValueError, match=message):
        Ensemble.load(tmp_path / "m")


def test_invalid_json(tmp_path, fitted):
    fitted.save(tmp_path / "m")
    (tmp_path / "m" / CONFIG_FILE).write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        Ensemble.load(tmp_path / "m")
