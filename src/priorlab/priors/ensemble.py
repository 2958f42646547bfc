"""`Ensemble`: K randomized-prior members (Osband et al., 2018) trained together.

Member k is `base_k(x) + prior_scale * prior_k(x)`, trained on its own bootstrap of the rows and (optionally)
its own noisy copy of the targets. All members' parameters are stacked on a leading member axis and
updated by one optimiser step per batch (see `stacked.py` and `training.py`); predictions come back as
`Samples` whose draw axis is the member axis. The parameters are declared once, in `params.py`. The class
holds them and hands out two values: how members are built and trained (`recipe.MemberRecipe`, what `fit`
builds from, here or on Dask workers) and what prediction reads (`predictor.Predictor`, over what `fit`
learns, one record: `state.FittedState`).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from priorlab.distributed import is_dask_array, is_dask_dataframe
from priorlab.predictive import GaussianMixture
from priorlab.priors import bootstrap as bootstrap_schemes
from priorlab.priors import dask_predict, sharding
from priorlab.priors.inputs import (
    as_matrix,
    check_as_seen,
    column_names,
    encode_targets,
    target_names,
    training_tensor,
)
from priorlab.priors.io import load_model, save_model
from priorlab.priors.nets import ModelWithPrior
from priorlab.priors.params import ENSEMBLE_PARAMS, check_ensemble_params
from priorlab.priors.predictor import Predictor
from priorlab.priors.prior import PriorNetwork, resolve_prior
from priorlab.priors.recipe import MemberRecipe, TrainingSet
from priorlab.priors.scaling import Standardizer
from priorlab.priors.stacked import StackedNetwork
from priorlab.priors.state import FittedState, NotFittedError
from priorlab.priors.training import train
from priorlab.samples import Samples
from priorlab.validation import bind, check_int, document, signature

logger = logging.getLogger(__name__)


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

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    state_ : FittedState
        Everything `fit` learnt, as one record (`priorlab.priors.state`).
    predictor_ : Predictor
        The fitted state and the parameters prediction reads, as one value that can be sent alone
        (`priorlab.priors.predictor`).
    history_ : ndarray of shape (epochs, n_members)
        Mean training loss of each member per epoch.
    fit_seconds_ : float or None
        Seconds `fit` took, building the members included; None when unknown.
    n_features_in_ : int
        Number of input features seen by `fit`.
    n_outputs_ : int
        Number of regression targets, or of classes.
    classes_ : ndarray of shape (n_classes,) or None
        Class labels in the order of the predicted probabilities; None for regression.
    feature_names_ : list of str or None
        The fitted DataFrame's column names, matched by name when predicting; None for arrays.

    See Also
    --------
    RandomizedPriorRegressor : The same model as a scikit-learn estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from priorlab.priors import Ensemble
    >>> x = np.linspace(-1, 1, 16)
    >>> y = np.sin(3 * x)
    >>> ensemble = Ensemble(n_members=4, hidden=(8,), epochs=20, seed=0).fit(x, y, progress=False)
    >>> ensemble.predict(x).samples.shape  # one draw per member
    (4, 16)
    >>> ensemble.history_.shape
    (20, 4)
    >>> gaussian = Ensemble(n_members=4, hidden=(8,), epochs=20, likelihood="gaussian").fit(x, y, progress=False)
    >>> mixture = gaussian.predict_distribution(x)
    >>> lower, upper = mixture.interval(0.9)
    >>> bool(np.all(lower < mixture.mean()) and np.all(mixture.mean() < upper))
    True
    """

    def __init__(self, *args: Any, **kwargs: Any):
        vars(self).update(check_ensemble_params(bind(ENSEMBLE_PARAMS, args, kwargs)))
        self._prior = resolve_prior(self.prior, self.prior_factory)
        self._state: FittedState | None = None

    __init__.__signature__ = signature(ENSEMBLE_PARAMS)
    __doc__ = __doc__.replace("    {parameters}\n", document(ENSEMBLE_PARAMS) + "\n")

    # --- building members -------------------------------------------------------------------------

    @property
    def recipe(self) -> MemberRecipe:
        """How member k is built and trained, as one value: what `fit` builds its members from."""
        return MemberRecipe.from_params(vars(self), self._prior)

    def build_member(self, k: int, in_features: int, out_features: int) -> ModelWithPrior:
        """Member k exactly as `fit` initialises it: the reference the vectorised training must match.
        `out_features`: regression targets or classes (a Gaussian member's network has twice as many outputs:
        the means, then the raw variances, and its prior is added to the means only)."""
        return self.recipe.build_member(k, in_features, out_features)

    def bootstrap_weights(self, n: int, members: range | None = None) -> np.ndarray:
        """(K, n) per-example loss weights of the full batch, one row per member of `members` (default all K);
        row k is reproducible from (seed, k) alone. Minibatches draw from the same bootstrap
        (`member_data.MemberData`)."""
        return self.recipe.bootstrap_weights(n, members)

    def target_noise(self, n: int, width: int, members: range | None = None) -> np.ndarray:
        """(K, n, width) fixed N(0, noise_std^2) perturbations of each member's regression targets, one per
        member of `members` (default all K)."""
        return self.recipe.target_noise(n, width, members)

    # --- fitting ------------------------------------------------------------------------------------

    def fit(self, x: Any, y: Any, *, progress: bool = True,
            callback: Callable[[int, Ensemble], None] | None = None, callback_every: int = 1,
            client: Any = None, scheduler: str | None = None, workers: int | None = None,
            member_groups: int | None = None) -> Ensemble:
        """Train all members together.

        Parameters
        ----------
        x : array-like of shape (n_samples, n_features) or (n_samples,)
            The inputs: an array or tensor, or a pandas DataFrame whose column names are kept and matched when
            predicting.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Regression targets, or class labels for `task="classification"`.
        progress : bool, default=True
            Show a progress bar: of epochs, or of trained members over Dask.
        callback : callable, default=None
            `callback(epoch, self)`, run every `callback_every` epochs and after the last, in this process
            (so not with a cluster); it may predict with the networks as trained so far.
        callback_every : int, default=1
            Epochs between two calls of `callback`.
        client : dask.distributed.Client, default=None
            Train the members in groups on this client's workers (see Notes).
        scheduler : str, default=None
            Train on the workers of the Dask scheduler at this address.
        workers : int, default=None
            Train on a local Dask cluster of that many processes, closed afterwards.
        member_groups : int, default=None
            Over Dask, the number of contiguous groups of members trained as one task each (default: one per
            worker).

        Returns
        -------
        Ensemble
            This ensemble, fitted (a fit that fails leaves it unfitted).

        Raises
        ------
        ValueError
            Inputs that are not finite (naming the row), x and y of different lengths, contradictory cluster
            options, a custom base of the wrong width, or a diverging fit (naming the member and epoch).

        Notes
        -----
        Over Dask, member k depends only on (seed, k), so the gathered ensemble is the in-process fit's, to
        float rounding (see `priorlab.priors.sharding`).
        """
        callback_every = check_int(callback_every, "callback_every")
        on_cluster = sharding.check_cluster_options(client, scheduler, workers, member_groups, callback)
        self._state = None  # a fit that fails leaves the ensemble unfitted
        data, fitted = self._training_set(x, y)
        recipe = self.recipe
        started = time.perf_counter()
        if on_cluster:
            network, prior, history = sharding.fit_on_cluster(recipe, data, client=client, scheduler=scheduler,
                                                              workers=workers, member_groups=member_groups,
                                                              progress=progress)
        else:
            network, prior, history = self._fit_here(recipe, data, fitted, progress, callback, callback_every)
        self._state = fitted(network, prior, history=history, fit_seconds=time.perf_counter() - started)
        logger.info("trained %d members in %.2f s", self.n_members, self.fit_seconds_)
        return self

    def _training_set(self, x: Any, y: Any) -> tuple[TrainingSet, Callable[..., FittedState]]:
        """The checked training rows as every member sees them, and the fitted state with all but the networks,
        the history and the time filled in."""
        feature_names = column_names(x, "x")
        array = as_matrix(x, "x")
        targets = encode_targets(y, self.task, array.shape[0])
        if array.shape[0] > bootstrap_schemes.MAX_ROWS // targets.width:
            raise ValueError(f"x: {array.shape[0]} rows; a fit of {targets.width} output(s) takes at most "
                             f"{bootstrap_schemes.MAX_ROWS // targets.width} (the bootstrap's counters are 32-bit)")
        regression = self.task == "regression"
        inputs = training_tensor(array, self.device)
        y_train = torch.tensor(targets.values, device=self.device)
        targets_named = target_names(y) if regression else None

        def check_as_trained() -> None:
            check_as_seen(inputs, "x", feature_names)
            if regression:
                check_as_seen(y_train.float(), "y", targets_named)

        check_as_trained()
        scaling = None
        if self.standardize:
            inputs = inputs.to(torch.float32)  # the scaling is fitted, and saved, in float32
            scaling = Standardizer.fit(inputs, y_train if regression else None)
            inputs = scaling.inputs(inputs)
            y_train = scaling.targets(y_train) if regression else y_train
            check_as_trained()
        fitted = functools.partial(FittedState, scaling=scaling, classes=targets.classes, feature_names=feature_names,
                                   n_features_in=inputs.shape[1], n_outputs=targets.width, squeeze=targets.squeeze)
        return TrainingSet(inputs, y_train, targets.width), fitted

    def _fit_here(self, recipe: MemberRecipe, data: TrainingSet, fitted: Callable[..., FittedState], progress: bool,
                  callback: Callable[[int, Ensemble], None] | None, callback_every: int
                  ) -> tuple[StackedNetwork, PriorNetwork, np.ndarray]:
        """All K members built and trained in this process; callbacks predict with the networks as trained so far."""
        network, prior, training = recipe.build_members(data, range(self.n_members))

        def on_epoch_end(epoch: int) -> None:
            if (epoch + 1) % callback_every == 0 or epoch + 1 == self.epochs:
                callback(epoch, self)

        self._state = fitted(network, prior, history=np.zeros((0, self.n_members), np.float32), fit_seconds=None)
        try:
            history = train(network, training, recipe.training_config(0), progress=progress,
                            on_epoch_end=None if callback is None else on_epoch_end)
        except BaseException:
            self._state = None
            raise
        return network, prior, history

    # --- the fitted state ---------------------------------------------------------------------------

    @property
    def state_(self) -> FittedState:
        """Everything `fit` learnt, as one record (`NotFittedError` before `fit` or `load`)."""
        if self._state is None:
            raise NotFittedError("ensemble: not fitted yet; call fit(x, y) or Ensemble.load(dir) first")
        return self._state

    @property
    def predictor_(self) -> Predictor:
        """The fitted state and the parameters prediction reads, as one value (`NotFittedError` before `fit`)."""
        return Predictor(self.state_, self.prior_scale, self.task, self.likelihood, self.variance_scale, self.device)

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

    def base_predict(self, x: Any) -> Samples:
        """The trainable part f_k(x) of every member (logits for classification; the means with the
        Gaussian likelihood)."""
        return Samples(self.predictor_.base_values(x))

    def prior_predict(self, x: Any) -> Samples:
        """The frozen part prior_scale * p_k(x) of every member (added to logits for classification, to the
        means with the Gaussian likelihood)."""
        return Samples(self.predictor_.prior_values(x))

    def predict(self, x: Any) -> Samples:
        """Every member's prediction f_k(x) + prior_scale * p_k(x).

        Parameters
        ----------
        x : array-like of shape (n_samples, n_features) or (n_samples,)
            An array or tensor, taken by position; a pandas DataFrame, matched to the fitted column names
            (reordered, extra columns ignored); or a Dask array or DataFrame.

        Returns
        -------
        Samples
            One draw per member, each of shape (n_samples,) for one target, else (n_samples, n_outputs): class
            probabilities for classification, the member means with the Gaussian likelihood. A Dask input
            gives `Samples` over a Dask array, computed row block by row block when asked (`dask_predict.py`).

        Raises
        ------
        NotFittedError
            Before `fit` or `load`.
        ValueError
            Inputs that are not finite or not as fitted (missing columns, another number of features), or a
            prediction that is not finite; each names the row.
        """
        predictor = self.predictor_
        if is_dask_array(x) or is_dask_dataframe(x):
            return Samples(dask_predict.member_values(predictor, x))
        return Samples(predictor.member_values(x))

    def predict_distribution(self, x: Any) -> GaussianMixture:
        """The predictive distribution at each row of `x`: the uniform mixture of the members' Gaussians.

        Parameters
        ----------
        x : array-like of shape (n_samples, n_features) or (n_samples,)
            As in `predict`.

        Returns
        -------
        GaussianMixture
            In the target's units (`priorlab.predictive`); over Dask arrays for a Dask input, computed when
            asked.

        Raises
        ------
        ValueError
            For an ensemble fitted with `likelihood="mse"`, whose members are point predictions with no noise
            model (use `predict(x)` for their spread, or fit with `likelihood="gaussian"`); and as in `predict`.
        """
        predictor = self.predictor_
        predictor.check_mixture()
        if is_dask_array(x) or is_dask_dataframe(x):
            return GaussianMixture(*dask_predict.mixture_values(predictor, x))
        return GaussianMixture(*predictor.mixture_values(x))

    def member(self, k: int) -> ModelWithPrior:
        """The trained member k as a standalone `ModelWithPrior` (a copy, except a shared fixed prior; in
        standardised units if `standardize=True`; with the Gaussian likelihood its outputs are the C means and
        the C raw variances, see `losses.split_gaussian`)."""
        return self.predictor_.member(k)

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
        """Write the fitted ensemble as safetensors + JSON (see `priorlab.priors.io`).

        Returns
        -------
        Path
            The model directory, written whole or not at all (a failed write leaves a previous model as it was).

        Raises
        ------
        ValueError
            For an ensemble whose base or prior is code (see `get_config`), or a directory that is not a model's.
        """
        state = self.state_
        return save_model(directory, self.get_config(), state)

    @classmethod
    def load(cls, directory: str | Path, device: str | torch.device = "cpu") -> Ensemble:
        """Read an ensemble written by `save`, onto `device`.

        Raises
        ------
        FileNotFoundError
            If `directory` does not exist.
        ValueError
            For a damaged, mismatched or other-version file, naming the file (and the tensor or entry).
        """
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
