"""Save and load a fitted ensemble: its parameters and `FittedState`; tensors in safetensors, the rest in
JSON (never pickle).

A model directory holds `config.json` (parameters, fitted shapes and labels, `format_version`) and
`weights.safetensors` (stacked weights, scaling, history; `format_version` in its metadata). Both versions
are checked on load. It is written into a staging folder and swapped into place
(`priorlab.files.staged_directory`), so an error never leaves a half-written model behind.
"""

from __future__ import annotations

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
from priorlab.priors.scaling import FIELDS as SCALING_FIELDS
from priorlab.priors.scaling import Standardizer
from priorlab.priors.stacked import StackedMLP
from priorlab.priors.state import FittedState

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"
KIND = "priorlab.priors.Ensemble"


def _is_our_config(path: Path) -> bool:
    try:
        config = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(config, dict) and config.get("kind") == KIND


def _check_replaceable(target: Path) -> None:
    """Only an empty directory or a previous model (our files only, and a config.json of our kind) may be
    replaced: never delete a user's folder, even one that happens to hold a file named config.json."""
    if not target.exists():
        return
    if not target.is_dir():
        raise FileExistsError(f"{target}: exists and is not a directory")
    entries = {p.name for p in target.iterdir()}
    if entries and not (entries <= {CONFIG_FILE, WEIGHTS_FILE} and _is_our_config(target / CONFIG_FILE)):
        raise FileExistsError(f"{target}: exists and is not a priorlab model directory; choose another path")


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
    target = Path(directory)
    _check_replaceable(target)
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
        fitted = config["fitted"]
        widths = [int(w) for w in fitted["widths"]]
        in_features, outputs = int(fitted["n_features_in"]), int(fitted["n_outputs"])
        classes = None if params["task"] == "regression" else np.asarray(fitted["classes"])
        names = fitted.get("feature_names")
        names = None if names is None else tuple(str(name) for name in names)
        seconds = None if fitted.get("fit_seconds") is None else float(fitted["fit_seconds"])
    except (TypeError, KeyError, ValueError) as exc:
        raise ValueError(f"{config_path}: bad or missing entry ({exc})") from None
    expected_widths = [in_features, *params["hidden"], outputs]
    if widths != expected_widths:
        raise ValueError(f"{config_path}: layer widths {widths} do not match {expected_widths}")
    if classes is not None and classes.shape != (outputs,):
        raise ValueError(f"{config_path}: {outputs} outputs but classes {classes.tolist()}")
    prior = resolve_prior(params["prior"])
    scaling_names = {f"scaling.{name}" for name in SCALING_FIELDS} if params["standardize"] else set()
    missing = ({"base.flat", "history", *prior.tensor_names} | scaling_names) - tensors.keys()
    if missing:
        raise ValueError(f"{weights_path}: missing tensors {sorted(missing)}")
    n_members, device = params["n_members"], params["device"]
    try:
        network = StackedMLP.from_flat(tensors["base.flat"], widths, n_members).to(device)
        prior_network = prior.restore(tensors, widths, n_members).to(device)
    except ValueError as exc:
        raise ValueError(f"{weights_path}: does not match {config_path} ({exc})") from None
    history = tensors["history"].numpy()
    if history.ndim != 2 or history.shape[1] != n_members:
        raise ValueError(f"{weights_path}: history of shape {history.shape} for {n_members} members")
    scaling = Standardizer.from_tensors(tensors, device) if params["standardize"] else None
    state = FittedState(network, prior_network, scaling, classes, names, in_features, outputs,
                        bool(fitted.get("squeeze_output", True)), history, seconds)
    return params, state
