"""Save and load a fitted ensemble: its parameters and `FittedState`; tensors in safetensors, the rest in
JSON (never pickle).

A model directory holds `config.json` (parameters, fitted shapes and labels, `format_version`) and
`weights.safetensors` (stacked weights, scaling, history; `format_version` in its metadata). Both versions
are checked on load; version 2 holds the flat weight buffers in `StackedMLP`'s layout with narrowing layers
stored (K, out, in), which version 1 files do not. It is written into a staging folder and swapped into place
(`priorlab.files.staged_directory`), so an error never leaves a half-written model behind.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save

from priorlab.files import staged_directory
from priorlab.priors.params import check_ensemble_params
from priorlab.priors.prior import resolve_prior
from priorlab.priors.scaling import Standardizer
from priorlab.priors.stacked import StackedMLP
from priorlab.priors.state import FittedState
from priorlab.validation import Boolean, Integer, ListOf, Number, Optional, Param, Scalar, Text, check_params

FORMAT_VERSION = 2
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"
KIND = "priorlab.priors.Ensemble"


def _is_our_config(path: Path) -> bool:
    try:
        config = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(config, dict) and config.get("kind") == KIND


def check_model_directory(target: str | Path) -> Path:
    """Refuse, before any work, a model location that `save_model` could not fill.

    Only an empty directory or a previous model (our files only, and a config.json of our kind) may be
    replaced: never delete a user's folder, even one that happens to hold a file named config.json. The
    parent folder must exist, as for every output priorlab writes.
    """
    target = Path(target)
    if not target.absolute().parent.is_dir():
        raise FileNotFoundError(f"{target}: folder {str(target.parent)!r} does not exist")
    if not target.exists():
        return target
    if not target.is_dir():
        raise FileExistsError(f"{target}: exists and is not a directory")
    entries = {p.name for p in target.iterdir()}
    if entries and not (entries <= {CONFIG_FILE, WEIGHTS_FILE} and _is_our_config(target / CONFIG_FILE)):
        raise FileExistsError(f"{target}: exists and is not a priorlab model directory; choose another path")
    return target


def save_model(directory: str | Path, params: dict[str, Any], state: FittedState) -> Path:
    """Write `params` (JSON values, a named prior) and `state` (an MLP base) to `directory`; returns the path."""
    config = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "params": params,
        "fitted": {
            "n_features_in": state.n_features_in,
            "n_outputs": state.n_outputs,
            "squeeze_output": state.squeeze,
            "classes": None if state.classes is None else state.classes.tolist(),
            "widths": state.network.widths,
            "feature_names": None if state.feature_names is None else list(state.feature_names),
            "fit_seconds": state.fit_seconds,
        },
    }
    tensors = {"base.flat": state.network.flat.detach().cpu().contiguous(),
               "history": torch.from_numpy(np.ascontiguousarray(state.history)),
               **resolve_prior(params["prior"]).tensors(state.prior)}
    if state.scaling is not None:
        tensors.update(state.scaling.tensors())
    target = check_model_directory(directory)
    with staged_directory(target) as staging:
        (staging / WEIGHTS_FILE).write_bytes(save(tensors, metadata={"format_version": str(FORMAT_VERSION)}))
        (staging / CONFIG_FILE).write_text(json.dumps(config, indent=2))
    return target


def _unsupported(path: Path, version: object) -> ValueError:
    return ValueError(f"{path}: format_version {version!r} is not supported (this priorlab reads version "
                      f"{FORMAT_VERSION})")


def _read_config(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing (is this a model directory written by `priorlab fit`?)")
    try:
        config = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(config, dict) or config.get("kind") != KIND:
        raise ValueError(f"{path}: not a priorlab ensemble configuration")
    version = config.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:  # true == 1 in Python, not here
        raise _unsupported(path, version)
    for key in ("params", "fitted"):
        if not isinstance(config.get(key), dict):
            raise ValueError(f"{path}: missing section {key!r}")
    return config


def _read_weights(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing")
    try:
        with safe_open(str(path), framework="pt") as weights:
            metadata = weights.metadata() or {}
            tensors = {name: weights.get_tensor(name) for name in weights.keys()}  # noqa: SIM118 (not a dict)
    except (SafetensorError, OSError, ValueError) as exc:
        raise ValueError(f"{path}: unreadable or truncated safetensors file ({exc})") from None
    if "format_version" not in metadata:
        raise ValueError(f"{path}: no format_version in its metadata (not written by priorlab?)")
    if metadata["format_version"] != str(FORMAT_VERSION):
        raise _unsupported(path, metadata["format_version"])
    return tensors


def load_model(directory: str | Path, device: str | torch.device = "cpu") -> tuple[dict[str, Any], FittedState]:
    """The checked parameters (with `device`) and fitted state saved in `directory`; missing, truncated,
    mismatched or other-version files raise an error naming the file."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such model directory")
    config_path, weights_path = directory / CONFIG_FILE, directory / WEIGHTS_FILE
    config = _read_config(config_path)
    tensors = _read_weights(weights_path)
    try:
        params = check_ensemble_params({**config["params"], "device": device})
        fitted = _check_fitted_section(config["fitted"], params)
    except (TypeError, KeyError, ValueError) as exc:
        raise ValueError(f"{config_path}: bad or missing entry ({exc})") from None
    widths, in_features, outputs = list(fitted["widths"]), fitted["n_features_in"], fitted["n_outputs"]
    # a Gaussian member's network has two outputs per target: its mean and its raw variance
    expected_widths = [in_features, *params["hidden"], outputs * (2 if params["likelihood"] == "gaussian" else 1)]
    if widths != expected_widths:
        raise ValueError(f"{config_path}: layer widths {widths} do not match {expected_widths}")
    classes = None if params["task"] == "regression" else np.asarray(fitted["classes"])
    if classes is not None and classes.shape != (outputs,):
        raise ValueError(f"{config_path}: {outputs} outputs but classes {classes.tolist()}")
    prior = resolve_prior(params["prior"])
    _check_tensors(weights_path, tensors, _layout(params, widths, outputs, prior.tensor_names))
    n_members, device = params["n_members"], params["device"]
    activation = params["activation"]
    network = StackedMLP.from_flat(tensors["base.flat"], widths, n_members, activation).to(device)
    prior_network = prior.restore(tensors, widths, n_members, activation).to(device)
    history = tensors["history"].numpy()
    scaling = Standardizer.from_tensors(tensors, device) if params["standardize"] else None
    names, seconds = fitted["feature_names"], fitted["fit_seconds"]
    state = FittedState(network, prior_network, scaling, classes, names, in_features, outputs,
                        bool(fitted.get("squeeze_output", True)), history, seconds)
    return params, state


FITTED_FIELDS = (
    Param("n_features_in", None, Integer(1), "input features"),
    Param("n_outputs", None, Integer(1), "network outputs"),
    Param("widths", None, ListOf(Integer(1)), "layer widths, input to output"),
    Param("squeeze_output", True, Boolean(), "whether predictions drop the output axis"),
    Param("classes", None, Optional(ListOf(Scalar())), "class labels (classification)"),
    Param("feature_names", None, Optional(ListOf(Text())), "the fitted DataFrame's column names"),
    Param("fit_seconds", None, Optional(Number(0.0)), "seconds fit took"),
)
"""The `fitted` section of config.json, as written by `save_model` and checked by `load_model`."""


def _check_fitted_section(fitted: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    for field in FITTED_FIELDS[:3]:
        if field.name not in fitted:
            raise KeyError(field.name)
    checked = check_params(FITTED_FIELDS, fitted)
    names = checked["feature_names"]
    if names is not None and len(names) != checked["n_features_in"]:
        raise ValueError(f"feature_names: {len(names)} names for {checked['n_features_in']} features")
    if (checked["classes"] is None) != (params["task"] == "regression"):
        raise ValueError(f"classes: {'unexpected' if params['task'] == 'regression' else 'missing'} for the "
                         f"{params['task']} task")
    return checked


def _layout(params: dict[str, Any], widths: list[int], n_outputs: int, prior_tensors: tuple[str, ...]
            ) -> dict[str, tuple]:
    """The shape of every tensor a model directory must hold, all float32 and finite. A random prior network
    is a copy of the base network (of a Gaussian member's too), so it has the same layout."""
    k = params["n_members"]
    flat = (k * sum(a * b + b for a, b in itertools.pairwise(widths)),)
    layout = {"base.flat": flat, "history": (params["epochs"], k), **dict.fromkeys(prior_tensors, flat)}
    if params["standardize"]:
        d, outputs = widths[0], n_outputs if params["task"] == "regression" else 1
        layout.update({"scaling.x_mean": (d,), "scaling.x_scale": (d,), "scaling.y_mean": (outputs,),
                       "scaling.y_scale": (outputs,)})
    return layout


def _check_tensors(path: Path, tensors: dict[str, torch.Tensor], layout: dict[str, tuple]) -> None:
    """Every tensor named in `layout`, of its shape, float32 and finite (scales positive); nothing else."""
    missing, unexpected = sorted(layout.keys() - tensors.keys()), sorted(tensors.keys() - layout.keys())
    if missing or unexpected:
        problem = f"missing tensors {missing}" if missing else f"unexpected tensors {unexpected}"
        raise ValueError(f"{path}: {problem} for the model described in {CONFIG_FILE}")
    for name, shape in layout.items():
        tensor = tensors[name]
        if tensor.dtype != torch.float32:
            raise ValueError(f"{path}: tensor {name!r} is {str(tensor.dtype).removeprefix('torch.')}, "
                             "expected float32")
        if tuple(tensor.shape) != shape:
            raise ValueError(f"{path}: tensor {name!r} has shape {tuple(tensor.shape)}, expected {shape}; it "
                             f"does not match the model described in {CONFIG_FILE}")
        if not bool(torch.isfinite(tensor).all()):
            raise ValueError(f"{path}: tensor {name!r} holds NaN or infinite values")
        if name.endswith("_scale") and not bool((tensor > 0).all()):
            raise ValueError(f"{path}: tensor {name!r} holds a scale <= 0")
