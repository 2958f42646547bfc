"""Save/load: safetensors + JSON round trip, and clear errors for missing, truncated or mismatched files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

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


def rewrite_weights_metadata(path, metadata):
    with safe_open(str(path), framework="pt") as weights:
        tensors = {name: weights.get_tensor(name) for name in weights.keys()}  # noqa: SIM118 (not a dict)
    save_file(tensors, str(path), metadata=metadata)


@pytest.mark.parametrize("metadata, message", [
    ({"format_version": "1"}, "format_version '1' is not supported"),  # the layout before (K, out, in) blocks
    ({"format_version": "true"}, "format_version 'true' is not supported"),
    (None, "no format_version in its metadata"),
    ({"other": "1"}, "no format_version in its metadata"),
])
def test_the_weights_format_version_is_checked(tmp_path, fitted, metadata, message):
    fitted.save(tmp_path / "m")
    rewrite_weights_metadata(tmp_path / "m" / WEIGHTS_FILE, metadata)
    with pytest.raises(ValueError, match=f"{WEIGHTS_FILE}: {message}"):
        Ensemble.load(tmp_path / "m")


def test_the_weights_metadata_is_written(tmp_path, fitted):
    fitted.save(tmp_path / "m")
    with safe_open(str(tmp_path / "m" / WEIGHTS_FILE), framework="pt") as weights:
        assert weights.metadata() == {"format_version": str(FORMAT_VERSION)}


@pytest.mark.parametrize("version", [True, 1.0, "1", None])
def test_a_config_format_version_must_be_the_integer(tmp_path, fitted, version):
    fitted.save(tmp_path / "m")
    path = tmp_path / "m" / CONFIG_FILE
    config = json.loads(path.read_text())
    config["format_version"] = version
    path.write_text(json.dumps(config))
    with pytest.raises(ValueError, match=f"format_version {version!r} is not supported"):
        Ensemble.load(tmp_path / "m")


def test_the_loaded_state_is_the_saved_one(tmp_path):
    x, y = osband_1d()
    frame = pd.DataFrame({"x": x[:, 0]})
    ensemble = Ensemble(n_members=3, epochs=4, standardize=True).fit(frame, y, progress=False)
    loaded = Ensemble.load(ensemble.save(tmp_path / "m"))
    saved, read = ensemble.state_, loaded.state_
    assert (read.feature_names, read.n_features_in, read.n_outputs, read.squeeze, read.classes) == (
        ("x",), 1, 1, True, None)
    assert read.fit_seconds == pytest.approx(saved.fit_seconds)
    torch.testing.assert_close(read.network.flat, saved.network.flat, rtol=0, atol=0)
    torch.testing.assert_close(read.prior.flat, saved.prior.flat, rtol=0, atol=0)
    for name in ("x_mean", "x_scale", "y_mean", "y_scale"):
        torch.testing.assert_close(getattr(read.scaling, name), getattr(saved.scaling, name), rtol=0, atol=0)
