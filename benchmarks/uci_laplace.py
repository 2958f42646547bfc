"""A live peer for the UCI benchmark: last-layer Laplace of one MLP by `laplace-torch` (Daxberger et al. 2021,
"Laplace Redux"), the `laplace` package.

Protocol of `laplace_split` (one split):

1. x and y are standardised on the training split (training mean and std; a constant column gets std 1).
2. One MLP, inputs -> `n_hidden` ReLU units -> 1 output, PyTorch's default initialisation, trained on the whole
   training split with mean squared error by Adam (lr `LR`, minibatches of `BATCH_SIZE`, weight decay
   `WEIGHT_DECAY`, float64) for n_epochs.txt's epochs (the standard 40; protein 20), no early stopping.
   Why not more: on 20% validation parts held out of the training parts of splits 0 and 1 of Boston, Concrete
   and Wine (test rows unused), 500, 1,000 or 2,000 optimiser steps instead of 40 epochs (160-480 steps there)
   gave the same or worse validation RMSE and a worse validation NLL every time (Boston at 2,000 steps:
   3.6-3.8 against 2.5-2.6): the MAP overfits, and the marginal likelihood then fits sigma_noise to the
   shrunken training residuals, so the intervals cover 50-75% instead of ~85%. Weight decay 1e-3 was as good
   or better than 1e-4 there.
3. `Laplace(model, "regression", subset_of_weights="last_layer", hessian_structure="full")` (the last layer
   has n_hidden + 1 weights, so its exact GGN is cheap; `hessian_structure="kron"` is accepted by
   `fit_laplace` but keeps the weights and the bias in separate blocks, dropping their cross terms: on
   Concrete split 0 its stds differ from full's by up to 2.5%), `fit` on the training split, then the prior
   precision (a scalar) and the observation noise sigma_noise jointly by maximising the Laplace log marginal
   likelihood (`la.log_marginal_likelihood(prior, sigma)`, Adam on their logs, as in the package's regression
   example: laplace-torch 0.3's `optimize_prior_precision(method="marglik")` tunes the prior precision only
   and keeps sigma_noise fixed). 300 steps reach the optimum (L-BFGS from there moves neither).
4. Predictive: the linearised (GLM) predictive, Gaussian N(f(x), f_var(x) + sigma_noise^2) in standardised
   units, mapped back as mean * std_y + mean_y and std * std_y; scored by `priorlab.metrics.score_all`
   (K = 1).

`laplace_available()` says whether `laplace` imports (None) or why not. The install recipe (the Makefile's
`bench-deps`): laplace-torch and its imports with --no-deps, because its declared requirement on torchvision
(imported nowhere on this path) would make pip replace the CPU torch. (unfoldNd, one of them, also installs a
top-level package named `test`.)

Cost on the 2-core machine, split 0 of the shared data: 0.5-2.5 s a split, protein 5-6 s; the first call
also pays `import laplace`, about 1 s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

LR = 1e-2
BATCH_SIZE = 100
WEIGHT_DECAY = 1e-3
MARGLIK_STEPS = 300
MARGLIK_LR = 0.1
FIT_BATCH = 2048
"""Rows per batch when laplace-torch accumulates the last-layer Hessian."""


def laplace_available() -> str | None:
    """None when `from laplace import Laplace` works, else the reason (the import error)."""
    try:
        from laplace import Laplace  # noqa: F401
    except Exception as error:  # ImportError, or a dependency failing at import time
        return f"{type(error).__name__}: {error}"
    return None


def _standardise(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = values.mean(axis=0)
    std = values.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


@dataclass
class LaplaceFit:
    """A fitted last-layer Laplace and the training split's standardisation."""

    la: object
    model: object
    x_mean: np.ndarray
    x_std: np.ndarray
    y_mean: float
    y_std: float
    epochs: int

    @property
    def sigma_noise(self) -> float:
        """The fitted observation noise std, in the target's original units."""
        return float(self.la.sigma_noise) * self.y_std

    @property
    def prior_precision(self) -> float:
        """The fitted prior precision of the last layer's weights (standardised units)."""
        return float(self.la.prior_precision)

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predictive mean and std at each row of x, shape (n,) each, original units."""
        import torch

        with torch.no_grad():
            xs = torch.as_tensor((np.asarray(x, dtype=np.float64) - self.x_mean) / self.x_std)
            f_mu, f_var = self.la(xs, pred_type="glm")
            var = f_var.reshape(-1) + self.la.sigma_noise.square()
        mean = f_mu.reshape(-1).numpy() * self.y_std + self.y_mean
        return mean, np.sqrt(var.numpy()) * self.y_std


def fit_laplace(x_train: np.ndarray, y_train: np.ndarray, n_hidden: int, n_epochs: int, seed: int,
                *, hessian_structure: str = "full") -> LaplaceFit:
    """Steps 1-3 of the protocol: train the MLP, fit the last-layer Laplace and its two hyperparameters."""
    import torch
    from laplace import Laplace
    from torch import nn

    x_train = np.asarray(x_train, dtype=np.float64)
    y_train = np.asarray(y_train, dtype=np.float64).reshape(-1)
    x_mean, x_std = _standardise(x_train)
    y_mean, y_std = (float(v) for v in _standardise(y_train))
    x = torch.as_tensor((x_train - x_mean) / x_std)
    y = torch.as_tensor((y_train - y_mean) / y_std).reshape(-1, 1)
    n_rows = len(x)
    epochs = n_epochs

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is as fast, and the benchmark runs on 2 shared cores
    try:
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(x.shape[1], n_hidden), nn.ReLU(), nn.Linear(n_hidden, 1)).double()
        optimizer = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY, fused=True)
        shuffle = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            order = torch.randperm(n_rows, generator=shuffle)
            for start in range(0, n_rows, BATCH_SIZE):
                rows = order[start:start + BATCH_SIZE]
                optimizer.zero_grad(set_to_none=True)
                loss = nn.functional.mse_loss(model(x[rows]), y[rows])
                loss.backward()
                optimizer.step()
        model.eval()

        la = Laplace(model, "regression", subset_of_weights="last_layer", hessian_structure=hessian_structure)
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=FIT_BATCH)
        la.fit(loader, progress_bar=False)
        # Start sigma at the training residuals' RMS and the prior precision at 1; Adam on the logs.
        with torch.no_grad():
            residual_rms = (model(x) - y).square().mean().sqrt().clamp_min(1e-3)
        log_prior = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        log_sigma = residual_rms.log().reshape(1).clone().requires_grad_(True)
        hyper = torch.optim.Adam([log_prior, log_sigma], lr=MARGLIK_LR)
        for _ in range(MARGLIK_STEPS):
            hyper.zero_grad(set_to_none=True)
            (-la.log_marginal_likelihood(log_prior.exp(), log_sigma.exp())).backward()
            hyper.step()
        la.prior_precision = log_prior.detach().exp()
        la.sigma_noise = log_sigma.detach().exp()
    finally:
        torch.set_num_threads(threads)
    return LaplaceFit(la=la, model=model, x_mean=x_mean, x_std=x_std, y_mean=y_mean, y_std=y_std, epochs=epochs)


def laplace_split(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                  n_hidden: int, n_epochs: int, seed: int) -> dict:
    """Fit on the training split, score on the test split (original units): nll, rmse, crps, coverage90,
    seconds, and the fitted sigma_noise (original units), prior_precision and epochs."""
    from priorlab.metrics import score_all

    started = time.perf_counter()
    fit = fit_laplace(x_train, y_train, n_hidden, n_epochs, seed)
    mean, std = fit.predict(x_test)
    scores = score_all(np.asarray(y_test, dtype=np.float64).reshape(-1), mean, std)
    return {"nll": scores["nll"], "rmse": scores["rmse"], "crps": scores["crps"],
            "coverage90": scores["coverage90"], "seconds": time.perf_counter() - started,
            "sigma_noise": fit.sigma_noise, "prior_precision": fit.prior_precision, "epochs": fit.epochs}
