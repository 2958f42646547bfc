"""Osband et al. (2018), Lemma 3: in the linear-Gaussian case, a randomized-prior ensemble with
perturbed targets and the matching L2 penalty samples the exact Bayesian posterior.

Model y = z^T beta + N(0, sigma^2) with z = (x, 1) (weights and bias), prior beta ~ N(0, sigma_p^2 I).
Member k is a linear network (`hidden=()`) plus a linear prior with weights theta_k ~ N(0, sigma_p^2 I),
trained on y + eps_k, eps_k ~ N(0, sigma^2), without bootstrap, minimising
mean (y + eps_k - z^T(w + theta_k))^2 + (lambda/2)|w|^2. With lambda = 2 sigma^2 / (n sigma_p^2) this is
(||y~ - Z beta||^2/sigma^2 + ||beta - theta_k||^2/sigma_p^2) n/sigma^2 for beta = w + theta_k, whose
minimiser beta_k = Sigma (Z^T y~/sigma^2 + theta_k/sigma_p^2) is a draw from N(mu, Sigma) with
Sigma = (Z^T Z/sigma^2 + I/sigma_p^2)^-1 and mu = Sigma Z^T y/sigma^2.
"""

from __future__ import annotations

import numpy as np
import pytest
from torch import nn

from priorlab.priors import Ensemble

N, D, SIGMA, SIGMA_P, K = 30, 3, 0.5, 1.0, 600
# predictions at these points are (b + w_1, b + w_2, b + w_3, b): an invertible map of beta
POINTS = np.vstack([np.eye(D), np.zeros(D)])
POINTS_Z = np.column_stack([POINTS, np.ones(D + 1)])


def gaussian_linear_prior() -> nn.Linear:
    layer = nn.Linear(D, 1)
    nn.init.normal_(layer.weight, 0.0, SIGMA_P)
    nn.init.normal_(layer.bias, 0.0, SIGMA_P)
    return layer


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(N, D))
    y = x @ np.array([0.8, -0.5, 0.3]) + 0.2 + SIGMA * rng.normal(size=N)
    ensemble = Ensemble(n_members=K, hidden=(), prior="mlp", prior_factory=gaussian_linear_prior,
                        bootstrap="none", noise_std=SIGMA, weight_decay=2 * SIGMA**2 / (N * SIGMA_P**2),
                        lr=0.05, epochs=1000, lr_schedule="cosine", seed=1).fit(x, y, progress=False)
    z = np.column_stack([x, np.ones(N)])
    covariance = np.linalg.inv(z.T @ z / SIGMA**2 + np.eye(D + 1) / SIGMA_P**2)
    return z, y, ensemble, covariance, covariance @ z.T @ y / SIGMA**2


def test_each_member_is_the_map_of_its_perturbed_problem(problem):
    z, y, ensemble, covariance, _ = problem
    predictions = ensemble.predict(POINTS).samples
    thetas = np.linalg.solve(POINTS_Z, ensemble.prior_predict(POINTS).samples.T)  # (D + 1, K) prior weights
    noise = ensemble.target_noise(N, 1)[:, :, 0]
    betas = covariance @ (z.T @ (y + noise).T / SIGMA**2 + thetas / SIGMA_P**2)
    np.testing.assert_allclose(predictions, (POINTS_Z @ betas).T, atol=1e-4)


def test_members_are_draws_from_the_exact_posterior(problem):
    _, _, ensemble, covariance, mean = problem
    predictions = ensemble.predict(POINTS).samples.astype(np.float64)
    assert predictions.shape == (K, D + 1)
    mean, covariance = POINTS_Z @ mean, POINTS_Z @ covariance @ POINTS_Z.T
    standard_error = np.sqrt(np.diag(covariance) / K)
    assert np.all(np.abs(predictions.mean(axis=0) - mean) < 4 * standard_error)
    # standard error of a sample covariance entry: sqrt((S_ij^2 + S_ii S_jj) / K)
    cov_error = np.sqrt((covariance**2 + np.outer(np.diag(covariance), np.diag(covariance))) / K)
    assert np.all(np.abs(np.cov(predictions, rowvar=False) - covariance) < 4 * cov_error)
    # the prior's variance is 2 sigma_p^2 at these points: the data narrowed it a lot
    assert np.all(np.diag(np.cov(predictions, rowvar=False)) < 0.05 * 2 * SIGMA_P**2)
