"""Save and load fitted ensembles: tensors in safetensors, configuration in JSON (never pickle).

A model directory holds `config.json` (constructor arguments, fitted shapes, `format_version`) and
`weights.safetensors`. It is written into a staging folder and swapped into place
(`priorlab.files.staged_directory`), so an error never leaves a half-written model behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from priorlab.files import staged_directory
from priorlab.priors.ensemble import Ensemble
from priorlab.priors.nets import SinPrior, ZeroPrior
from priorlab.priors.scaling import FIELDS as SCALING_FIELDS
from priorlab.priors.scaling import Standardizer
from priorlab.priors.stacked import StackedMLP

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


def save_ensemble(ensemble: Ensemble, directory: str | Path) -> Path:
    """Write `ensemble` (fitted, MLP base, named prior) to `directory`; returns the path."""
    ensemble._check_fitted()
    config = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "params": ensemble.get_config(),
        "fitted": {
            "n_features_in": ensemble.n_features_in_,
            "n_outputs": ensemble.n_outputs_,
            "squeeze_output": ensemble._squeeze,
            "classes": None if ensemble.task == "regression" else ensemble.classes_.tolist(),
            "widths": ensemble.network_.widths,
            "feature_names": getattr(ensemble, "feature_names_", None),
            "fit_seconds": getattr(ensemble, "fit_seconds_", None),
        },
    }
    tensors = {"base.flat": ensemble.network_.flat.detach().cpu().contiguous()}
    if isinstance(ensemble.prior_network_, StackedMLP):
        tensors["prior.flat"] = ensemble.prior_network_.flat.detach().cpu().contiguous()
    if getattr(ensemble, "scaling_", None) is not None:
        tensors.update(ensemble.scaling_.tensors())
    if hasattr(ensemble, "history_"):
        tensors["history"] = torch.from_numpy(np.ascontiguousarray(ensemble.history_))
    target = Path(directory)
    _check_replaceable(target)
    with staged_directory(target) as staging:
        (staging / WEIGHTS_FILE).write_bytes(save(tensors, metadata={"format_version": str(FORMAT_VERSION)}))
        (staging / CONFIG_FILE).write_text(json.dumps(config, indent=2))
    return target


def _read_config(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing (is this a model directory written by `priorlab fit`?)")
    try:
        config = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(config, dict) or config.get("kind") != KIND:
        raise ValueError(f"{path}: not a priorlab ensemble configuration")
    if config.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: format_version {config.get('format_version')!r} is not supported "
                         f"(this priorlab reads version {FORMAT_VERSION})")
    for key in ("params", "fitted"):
        if not isinstance(config.get(key), dict):
            raise ValueError(f"{path}: missing section {key!r}")
    return config


def _read_weights(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise ValueError(f"{path}: unreadable or truncated safetensors file ({exc})") from None


def load_ensemble(directory: str | Path, device: str | torch.device = "cpu") -> Ensemble:
    """Rebuild a fitted `Ensemble` from `directory`; missing, truncated or mismatched files raise."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such model directory")
    config = _read_config(directory / CONFIG_FILE)
    tensors = _read_weights(directory / WEIGHTS_FILE)
    try:
        ensemble = Ensemble(**config["params"], device=device)
        fitted = config["fitted"]
        widths = [int(w) for w in fitted["widths"]]
        in_features, outputs = int(fitted["n_features_in"]), int(fitted["n_outputs"])
    except (TypeError, KeyError, ValueError) as exc:
        raise ValueError(f"{directory / CONFIG_FILE}: bad or missing entry ({exc})") from None
    expected_widths = [in_features, *ensemble.hidden, outputs]
    if widths != expected_widths:
        raise ValueError(f"{directory / CONFIG_FILE}: layer widths {widths} do not match {expected_widths}")
    names = {"base.flat"} | ({"prior.flat"} if ensemble.prior == "mlp" else set())
    scaling_names = {f"scaling.{name}" for name in SCALING_FIELDS} if ensemble.standardize else set()
    missing = (names | scaling_names) - tensors.keys()
    if missing:
        raise ValueError(f"{directory / WEIGHTS_FILE}: missing tensors {sorted(missing)}")
    try:
        stacked = {name: StackedMLP.from_flat(tensors[name], widths, ensemble.n_members).to(device) for name in names}
    except ValueError as exc:
        raise ValueError(f"{directory / WEIGHTS_FILE}: does not match {directory / CONFIG_FILE} ({exc})") from None
    ensemble.network_ = stacked["base.flat"]
    if ensemble.prior == "mlp":
        ensemble.prior_network_ = stacked["prior.flat"]
    else:
        ensemble.prior_network_ = SinPrior() if ensemble.prior == "sine" else ZeroPrior()
    ensemble.n_features_in_, ensemble.n_outputs_ = in_features, outputs
    if ensemble.standardize:
        ensemble.scaling_ = Standardizer.from_tensors(tensors, device)
    ensemble._squeeze = bool(fitted.get("squeeze_output", True))
    if ensemble.task == "classification":
        ensemble.classes_ = np.asarray(fitted["classes"])
    ensemble.feature_names_ = fitted.get("feature_names")
    if "history" in tensors:
        ensemble.history_ = tensors["history"].numpy()
    if fitted.get("fit_seconds") is not None:
        ensemble.fit_seconds_ = float(fitted["fit_seconds"])
    return ensemble
