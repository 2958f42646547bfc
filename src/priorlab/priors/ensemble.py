"""`Ensemble`: K randomized-prior members (Osband et al., 2018) trained together.

Member k is `base_k(x) + prior_scale * prior_k(x)`, trained on its own bootstrap weights and (optionally)
its own noisy copy of the targets. All members' parameters are stacked on a leading member axis and
updated by one optimiser step per batch (see `stacked.py` and `training.py`); predictions come back as
`Samples` whose draw axis is the member axis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from priorlab.priors import bootstrap as bootstrap_schemes
from priorlab.priors.losses import TASKS
from priorlab.priors.nets import MLP, ModelWithPrior, SinPrior, ZeroPrior
from priorlab.priors.scaling import Standardizer
from priorlab.priors.seeding import check_seed, member_rng, member_torch_seed, seeded
from priorlab.priors.stacked import StackedMLP, StackedModules
from priorlab.priors.training import TrainingConfig, TrainingData, train
from priorlab.priors.validation import as_float_array, check_int, check_number
from priorlab.samples import Samples

logger = logging.getLogger(__name__)

PRIOR_NAMES = ("mlp", "sine", "none")
LR_SCHEDULES = ("constant", "cosine")


class FunctionModule(nn.Module):
    """Wraps a plain callable prior (e.g. `torch.sin`) so a member can be rebuilt as a `ModelWithPrior`."""

    def __init__(self, function: Callable[[torch.Tensor], torch.Tensor]):
        super().__init__()
        self.function = function

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.function(inputs)


class Ensemble:
    """K networks with randomized priors and bootstrap, trained at once.

    `prior`: "mlp" (a frozen, independently initialised copy of the base architecture per member, or of
    `prior_factory()` when given), "sine" (the seed's sin(3x), shared), "none", or an `nn.Module` /
    callable used as a fixed prior function for every member. `base`: a zero-argument factory returning
    an `nn.Module` to use instead of `MLP(d, hidden, C)` (the MLP takes a faster hand-differentiated
    path). `weight_decay` is Adam's coupled L2 term (gradient += weight_decay * theta, i.e. a penalty
    weight_decay/2 * |theta|^2 on the trainable part only). `noise_std` perturbs each member's
    regression targets with its own fixed N(0, noise_std^2) noise. `lr_schedule="cosine"` anneals the
    learning rate to 0, which lets Adam converge to the optimum instead of hovering around it.
    `standardize=True` trains on standardised inputs and regression targets (see `scaling.py`).
    """

    def __init__(
        self,
        n_members: int = 10,
        hidden: Sequence[int] = (20, 20),
        prior: str | nn.Module | Callable = "mlp",
        prior_scale: float = 1.0,
        bootstrap: str = "multinomial",
        noise_std: float = 0.0,
        weight_decay: float = 0.0,
        lr: float = 1e-2,
        epochs: int = 1000,
        batch_size: int | None = None,
        task: str = "regression",
        seed: int = 0,
        device: str | torch.device = "cpu",
        base: Callable[[], nn.Module] | None = None,
        prior_factory: Callable[[], nn.Module] | None = None,
        lr_schedule: str = "constant",
        standardize: bool = False,
    ):
        self.n_members = check_int(n_members, "n_members")
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
            raise TypeError(f"hidden: expected a sequence of layer widths such as (20, 20), got {hidden!r}")
        self.hidden = tuple(check_int(h, "hidden") for h in hidden)
        if isinstance(prior, str) and prior not in PRIOR_NAMES:
            raise ValueError(f"prior: unknown prior {prior!r}; choose one of {', '.join(PRIOR_NAMES)}, "
                             "an nn.Module or a callable")
        if isinstance(prior, type) and issubclass(prior, nn.Module):
            raise TypeError(f"prior: got the class {prior.__name__}; pass an instance ({prior.__name__}()) for one "
                            f"prior shared by all members, or prior='mlp', prior_factory={prior.__name__} for one each")
        if not isinstance(prior, str) and not callable(prior):
            raise TypeError(f"prior: expected a name, an nn.Module or a callable, got {type(prior).__name__}")
        self.prior = prior
        self.prior_scale = check_number(prior_scale, "prior_scale")
        self.bootstrap = bootstrap_schemes.check_scheme(bootstrap)
        self.noise_std = check_number(noise_std, "noise_std")
        self.weight_decay = check_number(weight_decay, "weight_decay")
        self.lr = check_number(lr, "lr", strictly_positive=True)
        self.epochs = check_int(epochs, "epochs", minimum=0)
        if lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule: expected one of {', '.join(LR_SCHEDULES)}, got {lr_schedule!r}")
        self.lr_schedule = lr_schedule
        self.standardize = bool(standardize)
        self.batch_size = None if batch_size is None else check_int(batch_size, "batch_size")
        if task not in TASKS:
            raise ValueError(f"task: expected one of {', '.join(TASKS)}, got {task!r}")
        if task == "classification" and self.noise_std > 0:
            raise ValueError("noise_std: target noise applies to regression only; use 0 for classification")
        self.task = task
        self.seed = check_seed(seed)
        try:
            self.device = torch.device(device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"device: not a torch device ({exc})") from None
        if base is not None and not callable(base):
            raise TypeError(f"base: expected a zero-argument nn.Module factory, got {type(base).__name__}")
        if prior_factory is not None and not callable(prior_factory):
            raise TypeError(f"prior_factory: expected a zero-argument nn.Module factory, got {prior_factory!r}")
        self.base = base
        self.prior_factory = prior_factory

    # --- building members -------------------------------------------------------------------------

    def _new_base(self, in_features: int, out_features: int) -> nn.Module:
        return MLP(in_features, self.hidden, out_features) if self.base is None else self.base()

    def _new_prior(self, k: int, in_features: int, out_features: int) -> nn.Module:
        if self.prior == "mlp":
            factory = self.prior_factory or (lambda: self._new_base(in_features, out_features))
            return seeded(factory, member_torch_seed(self.seed, k, "prior"))
        if self.prior == "sine":
            return SinPrior()
        if self.prior == "none":
            return ZeroPrior()
        return self.prior if isinstance(self.prior, nn.Module) else FunctionModule(self.prior)

    def build_member(self, k: int, in_features: int, out_features: int) -> ModelWithPrior:
        """Member k exactly as `fit` initialises it: the reference the vectorised training must match."""
        base = seeded(lambda: self._new_base(in_features, out_features), member_torch_seed(self.seed, k, "base"))
        return ModelWithPrior(base, self._new_prior(k, in_features, out_features), self.prior_scale)

    def bootstrap_weights(self, n: int) -> np.ndarray:
        """(K, n) per-example loss weights; row k is reproducible from (seed, k) alone."""
        return np.stack([bootstrap_schemes.bootstrap_weights(self.bootstrap, n, member_rng(self.seed, k, "bootstrap"))
                         for k in range(self.n_members)])

    def target_noise(self, n: int, width: int) -> np.ndarray:
        """(K, n, width) fixed N(0, noise_std^2) perturbations of each member's regression targets."""
        return np.stack([self.noise_std * member_rng(self.seed, k, "noise").standard_normal((n, width))
                         for k in range(self.n_members)])

    # --- data ---------------------------------------------------------------------------------------

    def _select_columns(self, x: Any, name: str) -> Any:
        """A DataFrame's columns in the fitted order, picked by name (extra columns are ignored), so that
        reordered columns cannot silently give wrong predictions; other inputs are taken by position."""
        if not hasattr(x, "columns"):
            return x
        names = [str(c) for c in x.columns]
        duplicated = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if duplicated is not None:
            raise ValueError(f"{name}: duplicate column {duplicated!r}")
        fitted = getattr(self, "feature_names_", None)
        if fitted is None or names == fitted:
            return x
        missing = [n for n in fitted if n not in names]
        if missing:
            raise ValueError(f"{name}: missing feature columns {missing} (fitted on {fitted}, got {names})")
        return x.iloc[:, [names.index(n) for n in fitted]]

    def _inputs(self, x: Any, name: str = "x") -> torch.Tensor:
        array = as_float_array(self._select_columns(x, name), name)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise ValueError(f"{name}: expected shape (n,) or (n, d), got {array.shape}")
        expected = getattr(self, "n_features_in_", None)
        if expected is not None and array.shape[1] != expected:
            raise ValueError(f"{name}: expected {expected} features (as in fit), got {array.shape[1]}")
        inputs = torch.tensor(array, dtype=torch.float32, device=self.device)
        scaling = getattr(self, "scaling_", None)
        return inputs if scaling is None else scaling.inputs(inputs)

    def _targets(self, y: Any, n: int) -> tuple[torch.Tensor, int]:
        if self.task == "classification":
            labels = np.asarray(y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else y)
            if labels.ndim != 1 and not (labels.ndim == 2 and labels.shape[1] == 1):
                raise ValueError(f"y: expected class labels of shape (n,), got {labels.shape}")
            labels = labels.reshape(-1)
            if labels.size == 0:
                raise ValueError("y: empty data")
            if labels.dtype.kind == "f" and not np.isfinite(labels).all():
                raise ValueError("y: contains NaN or infinite values")
            self.classes_, encoded = np.unique(labels, return_inverse=True)
            self._squeeze = False
            array, width = encoded, len(self.classes_)
            if width < 2:
                raise ValueError(f"y: classification needs at least 2 classes, got {width}")
        else:
            array = as_float_array(y, "y")
            if array.ndim > 2:
                raise ValueError(f"y: expected shape (n,) or (n, m), got {array.shape}")
            self._squeeze = array.ndim == 1 or array.shape[1] == 1
            array = array.reshape(array.shape[0], -1)
            width = array.shape[1]
        if array.shape[0] != n:
            raise ValueError(f"x and y: different lengths ({n} rows in x, {array.shape[0]} in y)")
        return torch.tensor(array, device=self.device), width

    # --- fitting ------------------------------------------------------------------------------------

    def fit(self, x: Any, y: Any, *, progress: bool = True,
            callback: Callable[[int, Ensemble], None] | None = None, callback_every: int = 1) -> Ensemble:
        """Train all members together; `callback(epoch, self)` runs every `callback_every` epochs and after the last."""
        callback_every = check_int(callback_every, "callback_every")
        for stale in ("network_", "n_features_in_", "scaling_"):  # a refit may change them; unfitted if it fails
            self.__dict__.pop(stale, None)
        self.feature_names_ = [str(c) for c in x.columns] if hasattr(x, "columns") else None
        inputs = self._inputs(x)
        targets, width = self._targets(y, inputs.shape[0])
        if self.standardize:
            self.scaling_ = Standardizer.fit(inputs, targets if self.task == "regression" else None)
            inputs = self.scaling_.inputs(inputs)
            if self.task == "regression":
                targets = self.scaling_.targets(targets)
        n, d, k_members = inputs.shape[0], inputs.shape[1], self.n_members
        started = time.perf_counter()
        members = [self.build_member(k, d, width) for k in range(k_members)]
        self._set_networks(members, d, width)
        try:
            offset = self._prior_term(inputs)
        except ValueError:
            del self.network_  # a fit that fails leaves the ensemble unfitted
            raise
        if self.task == "regression":
            targets = targets.float().unsqueeze(0).expand(k_members, -1, -1)
            if self.noise_std > 0:
                targets = targets + torch.as_tensor(self.target_noise(n, width), dtype=torch.float32,
                                                    device=self.device)
        weights = torch.as_tensor(self.bootstrap_weights(n), dtype=torch.float32, device=self.device).unsqueeze(-1)
        config = TrainingConfig(self.epochs, self.lr, self.weight_decay, self.batch_size, self.task,
                                member_torch_seed(self.seed, None, "shuffle"), self.lr_schedule)

        def on_epoch_end(epoch: int) -> None:
            if callback is not None and ((epoch + 1) % callback_every == 0 or epoch + 1 == self.epochs):
                callback(epoch, self)

        self.history_ = train(self.network_, TrainingData(inputs, targets, offset, weights), config,
                              progress=progress, on_epoch_end=on_epoch_end)
        self.fit_seconds_ = time.perf_counter() - started
        logger.info("trained %d members in %.2f s", k_members, self.fit_seconds_)
        return self

    def _set_networks(self, members: list[ModelWithPrior], in_features: int, width: int) -> None:
        bases = [m.base_model for m in members]
        self.network_ = (StackedMLP(bases) if self.base is None else StackedModules(bases)).to(self.device)
        if self.prior == "mlp":
            priors = [m.prior_model for m in members]
            fast = self.base is None and self.prior_factory is None
            self.prior_network_ = (StackedMLP(priors) if fast else StackedModules(priors)).to(self.device)
        else:
            self.prior_network_ = members[0].prior_model.to(self.device)
        self.n_features_in_, self.n_outputs_ = in_features, width

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise ValueError("ensemble: not fitted yet; call fit(x, y) or Ensemble.load(dir) first")

    @torch.no_grad()
    def _prior_term(self, x: torch.Tensor) -> torch.Tensor:
        """prior_scale * prior(x) for every member, shape (K, n, C) or (K, n, 1) (broadcast to the C outputs).

        A prior of any other width would crash the fast path and silently broadcast in the generic one."""
        if isinstance(self.prior_network_, (StackedMLP, StackedModules)):
            term = self.prior_network_.forward(x).mul_(self.prior_scale)
        else:
            out = self.prior_network_(x)
            if out.dim() == 0 or out.shape[0] != x.shape[0]:
                raise ValueError(f"prior: returned shape {tuple(out.shape)} for inputs of shape {tuple(x.shape)}; "
                                 "expected one row per input row")
            out = out.reshape(x.shape[0], -1) if out.dim() != 2 else out
            term = (self.prior_scale * out).unsqueeze(0).expand(self.n_members, -1, -1).clone()
        if term.shape[-1] not in (1, self.n_outputs_):
            raise ValueError(f"prior: the prior returns {term.shape[-1]} columns but the network has "
                             f"{self.n_outputs_} output(s); it must return 1 column (added to every output) or "
                             "one per output (prior='sine' returns one per input feature)")
        return term

    # --- predicting ---------------------------------------------------------------------------------

    def _as_samples(self, values: torch.Tensor, *, shift: bool = True) -> Samples:
        scaling = getattr(self, "scaling_", None)
        if scaling is not None and self.task == "regression":
            values = scaling.outputs(values, shift=shift)
        array = values.detach().cpu().numpy()
        if self._squeeze and self.task == "regression":
            array = array[..., 0]
        return Samples(array)

    def base_predict(self, x: Any) -> Samples:
        """The trainable part f_k(x) of every member (logits for classification)."""
        self._check_fitted()
        return self._as_samples(self.network_.forward(self._inputs(x)))

    def prior_predict(self, x: Any) -> Samples:
        """The frozen part prior_scale * p_k(x) of every member (added to logits for classification)."""
        self._check_fitted()
        return self._as_samples(self._prior_term(self._inputs(x)), shift=False)

    def predict(self, x: Any) -> Samples:
        """Member predictions f_k(x) + prior_scale * p_k(x); class probabilities (K, n, C) for classification.

        A pandas DataFrame is matched to the fitted column names (reordered, extra columns ignored;
        missing ones raise ValueError); arrays are taken by position."""
        self._check_fitted()
        inputs = self._inputs(x)
        out = self.network_.forward(inputs) + self._prior_term(inputs)
        return self._as_samples(torch.softmax(out, dim=2) if self.task == "classification" else out)

    def member(self, k: int) -> ModelWithPrior:
        """The trained member k as a standalone `ModelWithPrior` (a copy; in standardised units if
        `standardize=True`)."""
        self._check_fitted()
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < self.n_members:
            raise ValueError(f"k: expected a member index in [0, {self.n_members}), got {k!r}")
        prior = self.prior_network_
        if isinstance(prior, (StackedMLP, StackedModules)):
            prior = prior.member_module(int(k))
        return ModelWithPrior(self.network_.member_module(int(k)), prior, self.prior_scale)

    # --- persistence --------------------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the fitted ensemble as safetensors + JSON (see `priorlab.priors.io`)."""
        from priorlab.priors.io import save_ensemble

        return save_ensemble(self, directory)

    @classmethod
    def load(cls, directory: str | Path, device: str | torch.device = "cpu") -> Ensemble:
        """Read an ensemble written by `save`; bad or missing files raise a clear error."""
        from priorlab.priors.io import load_ensemble

        return load_ensemble(directory, device=device)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as JSON-compatible values (custom modules cannot be)."""
        if self.base is not None:
            raise ValueError("base: an ensemble with a custom base factory cannot be saved; rebuild it in code")
        if not isinstance(self.prior, str) or self.prior_factory is not None:
            raise ValueError("prior: only the named priors (mlp, sine, none) can be saved")
        return {"n_members": self.n_members, "hidden": list(self.hidden), "prior": self.prior,
                "prior_scale": self.prior_scale, "bootstrap": self.bootstrap, "noise_std": self.noise_std,
                "weight_decay": self.weight_decay, "lr": self.lr, "epochs": self.epochs,
                "batch_size": self.batch_size, "task": self.task, "seed": self.seed, "lr_schedule": self.lr_schedule,
                "standardize": self.standardize}

    def __repr__(self) -> str:
        prior = self.prior if isinstance(self.prior, str) else type(self.prior).__name__
        return (f"Ensemble(n_members={self.n_members}, hidden={self.hidden}, prior={prior!r}, "
                f"prior_scale={self.prior_scale}, bootstrap={self.bootstrap!r}, task={self.task!r}, seed={self.seed})")
