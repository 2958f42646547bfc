"""Damaged model directories: every tensor and config entry is checked against the declared layout, and
a damaged file is refused with one error naming the file (and the tensor), never a silently wrong model."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file, save_file

from priorlab.priors import Ensemble
from priorlab.priors.io import CONFIG_FILE, FORMAT_VERSION, WEIGHTS_FILE

X = np.linspace(-1, 1, 12, dtype=np.float64).reshape(-1, 2)
Y = X.sum(axis=1)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models") / "model"
    Ensemble(n_members=3, hidden=(4,), epochs=3, standardize=True, seed=1).fit(X, Y, progress=False).save(folder)
    return folder


@pytest.fixture()
def model(saved, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(saved, folder)
    return folder


def _rewrite_weights(folder, change):
    path = folder / WEIGHTS_FILE
    tensors = load_file(path)
    change(tensors)
    save_file(tensors, path, metadata={"format_version": str(FORMAT_VERSION)})


def _refused(folder, *fragments):
    with pytest.raises((ValueError, FileNotFoundError)) as info:
        Ensemble.load(folder)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.int32])
@pytest.mark.parametrize("name", ["base.flat", "prior.flat", "scaling.x_mean", "history"])
def test_a_tensor_of_another_dtype_is_refused_by_name(model, name, dtype):
    _rewrite_weights(model, lambda t: t.update({name: t[name].to(dtype)}))
    _refused(model, WEIGHTS_FILE, repr(name), "expected float32")


@pytest.mark.parametrize("name", ["scaling.x_mean", "scaling.x_scale", "scaling.y_mean", "base.flat", "history"])
def test_a_tensor_of_another_shape_is_refused_by_name(model, name):
    # (1,) where (d,) is expected broadcast silently into wrong predictions before the layout was checked
    def reshape(tensors):
        flat = tensors[name].reshape(-1)
        tensors[name] = flat[:1].clone() if flat.numel() > 1 else flat.repeat(2)

    _rewrite_weights(model, reshape)
    _refused(model, repr(name), "shape")


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
@pytest.mark.parametrize("name", ["base.flat", "prior.flat", "scaling.y_scale"])
def test_non_finite_weights_are_refused(model, name, value):
    def poison(tensors):
        tensors[name] = tensors[name].clone()
        tensors[name].view(-1)[0] = value

    _rewrite_weights(model, poison)
    _refused(model, repr(name), "NaN or infinite")


def test_a_zero_scale_and_extra_or_missing_tensors_are_refused(model, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(model, other)
    _rewrite_weights(model, lambda t: t.update({"scaling.x_scale": torch.zeros_like(t["scaling.x_scale"])}))
    _refused(model, "scaling.x_scale", "scale <= 0")
    _rewrite_weights(other, lambda t: t.update({"extra": torch.zeros(2)}))
    _refused(other, "unexpected tensors ['extra']")
    _rewrite_weights(other, lambda t: (t.pop("extra"), t.pop("history")))
    _refused(other, "missing tensors ['history']")


@pytest.mark.parametrize(("entry", "value", "fragment"), [
    ("format_version", True, "format_version True"),
    ("format_version", 1.0, "format_version 1.0"),
    ("format_version", "2", "format_version '2'"),
    (("fitted", "n_features_in"), True, "n_features_in"),
    (("fitted", "n_features_in"), "2", "n_features_in"),
    (("fitted", "widths"), "2,4,1", "widths"),
    (("fitted", "squeeze_output"), 1, "squeeze_output"),
    (("fitted", "feature_names"), ["a"], "feature_names"),
    (("fitted", "fit_seconds"), "fast", "fit_seconds"),
    (("params", "n_members"), True, "n_members"),
    (("params", "epochs"), 0, "epochs"),
    (("params", "prior"), "gauss", "prior"),
])
def test_config_entries_of_the_wrong_type_are_refused(model, entry, value, fragment):
    path = model / CONFIG_FILE
    config = json.loads(path.read_text())
    section, key = entry if isinstance(entry, tuple) else (None, entry)
    (config if section is None else config[section])[key] = value
    path.write_text(json.dumps(config))
    _refused(model, CONFIG_FILE, fragment)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_bytes_give_a_clear_error_or_a_model_that_predicts_finite_numbers(saved, tmp_path_factory, data):
    """Truncation or a flipped byte anywhere in either file: a one-line error naming a file, or (a flip inside
    the weights' values) a model that still predicts finite numbers; never a crash of another kind."""
    folder = tmp_path_factory.mktemp("damaged") / "model"
    shutil.copytree(saved, folder)
    name = data.draw(st.sampled_from([CONFIG_FILE, WEIGHTS_FILE]))
    raw = bytearray((folder / name).read_bytes())
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] ^= data.draw(st.integers(1, 255))
    (folder / name).write_bytes(bytes(raw))
    try:
        model = Ensemble.load(folder)
    except (ValueError, FileNotFoundError) as error:
        assert "\n" not in str(error) and (CONFIG_FILE in str(error) or WEIGHTS_FILE in str(error)), error
        return
    try:
        prediction = model.predict(X)
    except ValueError as error:  # a flip that makes a prediction overflow is named, not written as NaN
        assert "not a finite number" in str(error)
        return
    assert np.isfinite(prediction.samples).all()
