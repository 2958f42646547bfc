"""`Ensemble`: K randomized-prior members (Osband et al., 2018) trained together.

Member k is `base_k(x) + prior_scale * prior_k(x)`, trained on its own bootstrap of the rows and (optionally)
its own noisy copy of the targets. All members' parameters are stacked on a leading member axis and
updated by one optimiser step per batch (see `stacked.py` and `training.py`); predictions come back as
`Samples` whose draw axis is the member axis. The parameters are declared once, in `params.py`; what
`fit` learns is one record, `state.FittedState`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch

from priorlab.distributed import is_dask_array, is_dask_dataframe
from priorlab.predictive import GaussianMixture
from priorlab.priors import bootstrap as bootstrap_schemes
from priorlab.priors import sharding
from priorlab.priors.inputs import (
    as_matrix,
    check_as_seen,
    column_names,
    encode_targets,
    select_columns,
    target_names,
    training_tensor,
)
from priorlab.priors.io import load_model, save_model
from priorlab.priors.losses import gaussian_variance, loss_name
from priorlab.priors.member_data import MemberData, target_noise
from priorlab.priors.nets import MLP, ModelWithPrior
from priorlab.priors.params import ENSEMBLE_PARAMS, check_ensemble_params
from priorlab.priors.prior import PriorNetwork, prior_term, resolve_prior
from priorlab.priors.scaling import Standardizer
from priorlab.priors.seeding import member_keys, member_torch_seed, seeded
from priorlab.priors.stacked import StackedMLP, StackedNetwork, stack
from priorlab.priors.state import FittedState, NotFittedError
from priorlab.priors.training import TrainingConfig, train
from priorlab.samples import Samples
from priorlab.validation import bind, check_int, document, signature

logger = logging.getLogger(__name__)


class TrainingSet(NamedTuple):
    """The training rows as every member sees them (standardised with `standardize=True`): what `fit` builds
    its members for, in this process or on each Dask worker."""

    x: torch.Tensor  # (n, d) inputs: float64 as given, or float32 (standardised, or on a GPU)
    y: torch.Tensor  # (n, C) regression targets, or (n,) class indices
    width: int  # regression targets, or classes


class Ensemble:
    """K networks with randomized priors and bootstrap, trained at once (Osband et al., 2018).

    `prior="mlp"` gives every member its own frozen, independently initialised network (a copy of the
    base architecture, or `prior_factory()`): that randomness is what spreads the members apart away from
    the data. `"sine"`, `"none"`, or an `nn.Module` / callable is ONE fixed function shared by every
    member: it shifts all members alike, so it moves the ensemble's mean but adds no spread; only the named
    priors can be saved. `base` replaces the MLP (which takes a faster hand-differentiated path).
    `weight_decay` adds weight_decay * theta to the gradient of the trainable part (a penalty
    weight_decay/2 * |theta|^2). `noise_std` perturbs each member's regression targets with its own fixed
    N(0, noise_std^2) noise. `standardize=True`: see `scaling.py`. Predictions are computed in float64, so
    a row's prediction does not depend on the other rows it is predicted with. With `batch_size` below the
    number of rows, each step trains member k on `batch_size` rows of its own bootstrap, drawn on demand
    (`member_data.py`): memory grows with the data and the batch, not with K times the data.

    `likelihood="gaussian"` (regression): each member's network has 2C outputs, C means and C raw
    variances, variance = softplus(raw) + VARIANCE_FLOOR (1e-6, in standardised units with
    `standardize=True`, mapped back as y_scale^2 * variance), trained by the bootstrap-weighted Gaussian
    negative log-likelihood (`losses.py`). The prior is added to the means only (a random-network prior is
    a copy of the base network, whose first C columns are used). `predict` gives the member means;
    `predict_distribution` the uniform mixture of the members' Gaussians, each variance times `variance_scale`.

    `fit(x, y, client=...)` (or `scheduler=` an address, or `workers=N` for a local cluster) trains the
    members in groups on the workers of a Dask cluster and gathers them into this ensemble: member k depends
    only on (seed, k), so the result is the in-process fit's, to float rounding (`sharding.py`).

    Parameters:
    """

    def __init__(self, *args: Any, **kwargs: Any):
        vars(self).update(check_ensemble_params(bind(ENSEMBLE_PARAMS, args, kwargs)))
        self._prior = resolve_prior(self.prior, self.prior_factory)
        self._state: FittedState | None = None

    __init__.__signature__ = signature(ENSEMBLE_PARAMS)
    __doc__ = __doc__.rstrip() + "\n" + document(ENSEMBLE_PARAMS)

    # --- building members -------------------------------------------------------------------------

    def _new_base(self, in_features: int, out_features: int) -> torch.nn.Module:
        return MLP(in_features, self.hidden, out_features, self.activation) if self.base is None else self.base()

    @property
    def _gaussian(self) -> bool:
        return self.likelihood == "gaussian"

    def _network_width(self, out_features: int) -> int:
        """Outputs of each member's network: one per target or class, two per target (mean and raw
        variance) with the Gaussian likelihood."""
        return 2 * out_features if self._gaussian else out_features

    def build_member(self, k: int, in_features: int, out_features: int) -> ModelWithPrior:
        """Member k exactly as `fit` initialises it: the reference the vectorised training must match.
        `out_features`: regression targets or classes (a Gaussian member's network has twice as many outputs:
        the means, then the raw variances, and its prior is added to the means only)."""
        new_base = functools.partial(self._new_base, in_features, self._network_width(out_features))
        base = seeded(new_base, member_torch_seed(self.seed, k, "base"))
        prior = self._prior.member(member_torch_seed(self.seed, k, "prior"), new_base)
        return ModelWithPrior(base, prior, self.prior_scale, prior_columns=out_features if self._gaussian else None)

    def bootstrap_weights(self, n: int, members: range | None = None) -> np.ndarray:
        """(K, n) per-example loss weights of the full batch, one row per member of `members` (default all K);
        row k is reproducible from (seed, k) alone. Minibatches draw from the same bootstrap
        (`member_data.MemberData`)."""
        keys = member_keys(self.seed, range(self.n_members) if members is None else members, "bootstrap")
        return bootstrap_schemes.bootstrap_weights(self.bootstrap, n, keys).numpy()

    def target_noise(self, n: int, width: int, members: range | None = None) -> np.ndarray:
        """(K, n, width) fixed N(0, noise_std^2) perturbations of each member's regression targets, one per
        member of `members` (default all K)."""
        keys = member_keys(self.seed, range(self.n_members) if members is None else members, "noise")
        return self.noise_std * target_noise(keys, torch.arange(n), width).numpy()

    # --- fitting ------------------------------------------------------------------------------------

    def fit(self, x: Any, y: Any, *, progress: bool = True,
            callback: Callable[[int, Ensemble], None] | None = None, callback_every: int = 1,
            client: Any = None, scheduler: str | None = None, workers: int | None = None,
            member_groups: int | None = None) -> Ensemble:
        """Train all members together; `callback(epoch, self)` runs every `callback_every` epochs and after the last.

        Over Dask: with a `client` (a `dask.distributed.Client`), a `scheduler` address, or `workers` (a local
        cluster of that many processes, closed afterwards), the members are split into `member_groups`
        contiguous groups (default: one per worker), each group is trained as a stacked ensemble on a worker,
        and the groups are gathered into this one ensemble. Member k depends only on (seed, k), so the result
        is the in-process fit's (see `priorlab.priors.sharding`). The progress bar then counts trained
        members; `callback` runs in this process only, so it cannot be combined with a cluster.
        """
        callback_every = check_int(callback_every, "callback_every")
        on_cluster = sharding.check_cluster_options(client, scheduler, workers, member_groups, callback)
        self._state = None  # a fit that fails leaves the ensemble unfitted
        feature_names = column_names(x, "x")
        array = as_matrix(x, "x")
        targets = encode_targets(y, self.task, array.shape[0])
        if array.shape[0] > bootstrap_schemes.MAX_ROWS // targets.width:
            raise ValueError(f"x: {array.shape[0]} rows; a fit of {targets.width} output(s) takes at most "
                             f"{bootstrap_schemes.MAX_ROWS // targets.width} (the bootstrap's counters are 32-bit)")
        regression = self.task == "regression"
        inputs = training_tensor(array, self.device)
        y_train = torch.tensor(targets.values, device=self.device)
        check_as_seen(inputs, "x", feature_names)
        targets_named = target_names(y) if regression else None
        if regression:
            check_as_seen(y_train.float(), "y", targets_named)
        scaling = None
        if self.standardize:
            inputs = inputs.to(torch.float32)  # the scaling is fitted, and saved, in float32
            scaling = Standardizer.fit(inputs, y_train if regression else None)
            inputs = scaling.inputs(inputs)
            y_train = scaling.targets(y_train) if regression else y_train
            check_as_seen(inputs, "x", feature_names)
            if regression:
                check_as_seen(y_train.float(), "y", targets_named)
        data = TrainingSet(inputs, y_train, targets.width)
        fitted = functools.partial(FittedState, scaling=scaling, classes=targets.classes, feature_names=feature_names,
                                   n_features_in=inputs.shape[1], n_outputs=targets.width, squeeze=targets.squeeze)
        started = time.perf_counter()
        if on_cluster:
            network, prior, history = sharding.fit_on_cluster(self, data, client=client, scheduler=scheduler,
                                                              workers=workers, member_groups=member_groups,
                                                              progress=progress)
        else:
            network, prior, training = self._build_members(data, range(self.n_members))

            def on_epoch_end(epoch: int) -> None:
                if (epoch + 1) % callback_every == 0 or epoch + 1 == self.epochs:
                    callback(epoch, self)

            # callbacks predict with the networks as trained so far
            self._state = fitted(network, prior, history=np.zeros((0, self.n_members), np.float32), fit_seconds=None)
            try:
                history = train(network, training, self._training_config(0), progress=progress,
                                on_epoch_end=None if callback is None else on_epoch_end)
            except BaseException:
                self._state = None
                raise
        self._state = fitted(network, prior, history=history, fit_seconds=time.perf_counter() - started)
        logger.info("trained %d members in %.2f s", self.n_members, self.fit_seconds_)
        return self

    def _build_members(self, data: TrainingSet, members: range) -> tuple[StackedNetwork, PriorNetwork, MemberData]:
        """Members `members` (a range of member indices) built exactly as a fit of all K builds them, stacked,
        with their training data: what `fit` trains in this process (all K) and a Dask worker trains for
        its group (`sharding.train_group`)."""
        network_width = self._network_width(data.width)
        new_base = functools.partial(self._new_base, data.x.shape[1], network_width)
        mlp = ([data.x.shape[1], *self.hidden, network_width], self.activation) if self.base is None else None
        base_seeds = [member_torch_seed(self.seed, k, "base") for k in members]
        prior_seeds = [member_torch_seed(self.seed, k, "prior") for k in members]
        # as `build_member` builds them; the library's MLPs drawn straight into stacked tensors
        network = (StackedMLP.initialised(mlp[0], base_seeds, mlp[1]) if mlp is not None
                   else stack([seeded(new_base, seed) for seed in base_seeds], fast=False)).to(self.device)
        prior = self._prior.build(prior_seeds, new_base, mlp).to(self.device)
        if self.base is not None:
            self._check_base_width(network, data.x, data.width)
        y = data.y.float() if self.task == "regression" else data.y
        training = MemberData(data.x, y, functools.partial(self._prior_offset, prior, data.width), network_width,
                              self.bootstrap,
                              member_keys(self.seed, members, "bootstrap", self.device),
                              member_keys(self.seed, members, "noise", self.device),
                              self.noise_std if self.task == "regression" else 0.0)
        return network, prior, training

    def _prior_offset(self, prior: PriorNetwork, width: int, inputs: torch.Tensor) -> torch.Tensor:
        """What the frozen priors add to the trainable networks' outputs on `inputs`, (K, B, network width): the
        scaled prior, on the means only for Gaussian members (their variance columns get nothing)."""
        offset = prior_term(prior, inputs, self.prior_scale, width, self._network_width(width))
        if not self._gaussian:
            return offset
        means = offset.expand(prior.n_members, inputs.shape[-2], width)
        return torch.cat([means, torch.zeros_like(means)], dim=2)

    def _stack_members(self, bases: list[torch.nn.Module], priors: list[torch.nn.Module]
                       ) -> tuple[StackedNetwork, PriorNetwork]:
        """Members' trainable networks and priors, in member order, as stacked networks on the device."""
        fast = self.base is None
        return stack(bases, fast=fast).to(self.device), self._prior.stack(priors, fast=fast).to(self.device)

    def _training_config(self, first_member: int) -> TrainingConfig:
        """The fit loop's settings for a stacked network whose member 0 is member `first_member` of the
        ensemble; every group sees the same minibatch order."""
        return TrainingConfig(self.epochs, self.lr, self.weight_decay, self.batch_size,
                              loss_name(self.task, self.likelihood),
                              member_torch_seed(self.seed, None, "shuffle"), self.lr_schedule, self.lr_horizon,
                              first_member)

    def _check_base_width(self, network: Any, inputs: torch.Tensor, width: int) -> None:
        """A custom base must return one column per target or class (two per target, mean and raw variance,
        with the Gaussian likelihood)."""
        returned, expected = network.forward(inputs[:1]).shape[-1], self._network_width(width)
        if returned != expected:
            what = (f"2 x {width} (a mean and a raw variance per target, for likelihood='gaussian')"
                    if self._gaussian else f"{width} (one per {'target' if self.task == 'regression' else 'class'})")
            raise ValueError(f"base: the network returns {returned} columns; expected {what}")

    # --- the fitted state ---------------------------------------------------------------------------

    @property
    def state_(self) -> FittedState:
        """Everything `fit` learnt, as one record (`NotFittedError` before `fit` or `load`)."""
        if self._state is None:
            raise NotFittedError("ensemble: not fitted yet; call fit(x, y) or Ensemble.load(dir) first")
        return self._state

    @property
    def history_(self) -> np.ndarray:
        """(epochs, K) mean training loss of each member per epoch."""
        return self.state_.history

    @property
    def fit_seconds_(self) -> float | None:
        """Seconds `fit` took, building the members included."""
        return self.state_.fit_seconds

    @property
    def n_features_in_(self) -> int:
        return self.state_.n_features_in

    @property
    def n_outputs_(self) -> int:
        """Regression targets, or classes."""
        return self.state_.n_outputs

    @property
    def classes_(self) -> np.ndarray | None:
        """Class labels in the order of the predicted probabilities; None for regression."""
        return self.state_.classes

    @property
    def feature_names_(self) -> list[str] | None:
        """The fitted DataFrame's column names (matched by name when predicting); None for arrays."""
        names = self.state_.feature_names
        return None if names is None else list(names)

    # --- predicting ---------------------------------------------------------------------------------

    def _inputs(self, x: Any, state: FittedState, name: str = "x", first_row: int = 0) -> torch.Tensor:
        array = as_matrix(select_columns(x, state.feature_names, name), name, state.n_features_in, first_row)
        inputs = torch.tensor(array, dtype=torch.float64, device=self.device)  # see the class docstring
        return inputs if state.scaling is None else state.scaling.inputs(inputs)

    def _as_samples(self, state: FittedState, values: torch.Tensor, *, shift: bool = True) -> Samples:
        if state.scaling is not None and self.task == "regression":
            values = state.scaling.outputs(values, shift=shift)
        array = values.detach().cpu().numpy()
        return Samples(array[..., 0] if state.squeeze else array)

    def _prior_term(self, state: FittedState, inputs: torch.Tensor) -> torch.Tensor:
        return prior_term(state.prior, inputs, self.prior_scale, state.n_outputs,
                          self._network_width(state.n_outputs))

    def base_predict(self, x: Any) -> Samples:
        """The trainable part f_k(x) of every member (logits for classification; the means with the
        Gaussian likelihood)."""
        state = self.state_
        return self._as_samples(state, state.network.forward(self._inputs(x, state))[..., :state.n_outputs])

    def prior_predict(self, x: Any) -> Samples:
        """The frozen part prior_scale * p_k(x) of every member (added to logits for classification, to the
        means with the Gaussian likelihood)."""
        state = self.state_
        term = self._prior_term(state, self._inputs(x, state))
        return self._as_samples(state, term.expand(-1, -1, state.n_outputs), shift=False)

    def _outputs(self, x: Any, name: str = "x", first_row: int = 0) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The members' outputs before any link or unit change: (K, n, C) means or logits, and (K, n, C)
        raw variances with the Gaussian likelihood (else None). `name` and `first_row` are what messages
        call `x` and its first row (a block of a larger input starts at its offset)."""
        state = self.state_
        inputs = self._inputs(x, state, name, first_row)
        out, width = state.network.forward(inputs), state.n_outputs
        means = out[..., :width] + self._prior_term(state, inputs)
        return means, out[..., width:] if self._gaussian else None

    @staticmethod
    def _check_finite(array: np.ndarray, name: str = "x", first_row: int = 0) -> None:
        bad = ~np.isfinite(array)
        if bad.any():
            row = first_row + int(np.nonzero(bad.reshape(bad.shape[0], bad.shape[1], -1).any(axis=(0, 2)))[0][0])
            raise ValueError(f"{name}: row {row}: the prediction is not a finite number (an input far outside the "
                             "training data?)")

    def predict(self, x: Any) -> Samples:
        """Member predictions f_k(x) + prior_scale * p_k(x); class probabilities (K, n, C) for classification;
        the member means with the Gaussian likelihood.

        A pandas DataFrame is matched to the fitted column names (reordered, extra columns ignored;
        missing ones raise ValueError); arrays are taken by position. A Dask array or DataFrame gives
        `Samples` over a Dask array, computed row block by row block when asked (see `dask_predict.py`)."""
        if is_dask_array(x) or is_dask_dataframe(x):
            from priorlab.priors import dask_predict

            return Samples(dask_predict.member_values(self, x))
        return Samples(self._member_values(x))

    def _member_values(self, x: Any, name: str = "x", first_row: int = 0) -> np.ndarray:
        """`predict(x)`'s (K, n, ...) array for an in-memory `x`; `name`, `first_row`: see `_outputs`."""
        state = self.state_
        out, _ = self._outputs(x, name, first_row)
        values = self._as_samples(state, torch.softmax(out, dim=2) if self.task == "classification" else out).samples
        self._check_finite(values, name, first_row)
        return values

    def predict_distribution(self, x: Any) -> GaussianMixture:
        """The predictive distribution at each row of `x`: the uniform mixture of the members' Gaussians
        (`priorlab.predictive.GaussianMixture`, in the target's units), for `likelihood="gaussian"`.

        An ensemble trained with `likelihood="mse"` has no noise model (its members are point predictions),
        so it is refused: use `predict(x)` for the members' spread, or fit with `likelihood="gaussian"`.
        A Dask array or DataFrame gives a mixture of Dask arrays, computed when asked (see `dask_predict.py`)."""
        self.state_  # noqa: B018 (an unfitted ensemble is refused as such, before the likelihood)
        if not self._gaussian:
            raise ValueError(f"likelihood: predict_distribution needs members that model the noise "
                             f"(likelihood='gaussian'); this ensemble was fitted with likelihood="
                             f"{self.likelihood!r} for {self.task}, whose members are point predictions: use "
                             "predict(x) for their spread")
        if is_dask_array(x) or is_dask_dataframe(x):
            from priorlab.priors import dask_predict

            return GaussianMixture(*dask_predict.mixture_values(self, x))
        return GaussianMixture(*self._mixture_values(x))

    def _mixture_values(self, x: Any, name: str = "x", first_row: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """`predict_distribution(x)`'s (K, n, ...) means and variances for an in-memory `x`; `name`,
        `first_row`: see `_outputs`."""
        state = self.state_
        means, raw = self._outputs(x, name, first_row)
        variances = gaussian_variance(raw) * self.variance_scale
        if state.scaling is not None:
            variances = variances * state.scaling.y_scale.to(variances.dtype).square()
        means = self._as_samples(state, means).samples
        variances = variances.detach().cpu().numpy()
        variances = variances[..., 0] if state.squeeze else variances
        self._check_finite(means, name, first_row)
        self._check_finite(variances, name, first_row)
        return means, variances

    def member(self, k: int) -> ModelWithPrior:
        """The trained member k as a standalone `ModelWithPrior` (a copy, except a shared fixed prior; in
        standardised units if `standardize=True`; with the Gaussian likelihood its outputs are the C means and
        the C raw variances, see `losses.split_gaussian`)."""
        state = self.state_
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < self.n_members:
            raise ValueError(f"k: expected a member index in [0, {self.n_members}), got {k!r}")
        return ModelWithPrior(state.network.member_module(int(k)), state.prior.member_module(int(k)), self.prior_scale,
                              prior_columns=state.n_outputs if self._gaussian else None)

    # --- persistence --------------------------------------------------------------------------------

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as JSON values; code (a custom `base`, a module or callable prior,
        `prior_factory`) cannot be written to a file, and `device` is chosen when loading."""
        if self.base is not None:
            raise ValueError("base: an ensemble with a custom base factory cannot be saved; rebuild it in code")
        config = {p.name: getattr(self, p.name) for p in ENSEMBLE_PARAMS if p.saved}
        config["prior"] = self._prior.config_name()
        return {name: list(value) if isinstance(value, tuple) else value for name, value in config.items()}

    def save(self, directory: str | Path) -> Path:
        """Write the fitted ensemble as safetensors + JSON (see `priorlab.priors.io`)."""
        state = self.state_
        return save_model(directory, self.get_config(), state)

    @classmethod
    def load(cls, directory: str | Path, device: str | torch.device = "cpu") -> Ensemble:
        """Read an ensemble written by `save`; bad or missing files raise a clear error."""
        params, state = load_model(directory, device)
        ensemble = cls(**params)
        ensemble._state = state
        return ensemble

    def __repr__(self) -> str:
        def shown(value: Any) -> str:
            plain = isinstance(value, (str, int, float, tuple, type(None), torch.device))
            return repr(value) if plain else getattr(value, "__name__", type(value).__name__)

        changed = [f"{p.name}={shown(getattr(self, p.name))}" for p in ENSEMBLE_PARAMS
                   if p.name == "n_members" or getattr(self, p.name) != p.validate(p.default)]
        return f"Ensemble({', '.join(changed)})"
