"""Osband et al. (2018), Lemma 3: in the linear-Gaussian case, a randomized-prior ensemble with
perturbed targets and the matching L2 penalty samples the exact Bayesian posterior.

Model y = z^T beta + N(0, sigma^2) with z = (x, 1) (weights and bias), prior beta ~ N(0, sigma_p^2 I).
Member k is a linear network (`hidden=()`) plus a linear prior with weights theta_k ~ N(0, sigma_p^2 I),
trained on y + eps_k, eps_k ~ N(0, sigma^2), without bootstrap, minimising
mean (y + eps_k - z^T(w + theta_k))^2 + (lambda/2)|w|^2. With lambda = 2 sigma^2 / (n sigma_p^2) this is
(||y~ - Z beta||^2/sigma^2 + ||beta - theta_k||^2/sigma_p^2) n/sigma^2 for beta = w + theta_k, whose
minimiser beta_k = Sigma (Z^T y~/sigma^2 + theta_k/sigma_p^2) is a draw from N(mu, Sigma) with
Sigma = (Z^T Z/sigma^2 + I/sigma_p^2)^-1 and mu = Sigma Z^T y/sigma^2.

Two regimes. With many points (n = 30, sigma = 0.5) the data carry ~99% of the posterior precision, so
the posterior check cannot tell a wrong prior from the right one (shown below). With few points (n = 3 for
4 coefficients, sigma = 1) prior and data weigh alike, and one direction of beta is known from the prior
alone: there a missing prior or a prior of twice the variance fails both checks (shown below too).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest
from torch import nn

from priorlab.priors import Ensemble

D, SIGMA_P, K = 3, 1.0, 600
# predictions at these points are (b + w_1, b + w_2, b + w_3, b): an invertible map of beta
POINTS = np.vstack([np.eye(D), np.zeros(D)])
POINTS_Z = np.column_stack([POINTS, np.ones(D + 1)])
Z_SCORE = 4.0  # each check allows 4 standard errors per entry


class Regime(NamedTuple):
    n: int
    sigma: float


MANY, FEW = Regime(30, 0.5), Regime(3, 1.0)


def gaussian_linear_prior(std: float):
    def build() -> nn.Linear:
        layer = nn.Linear(D, 1)
        nn.init.normal_(layer.weight, 0.0, std)
        nn.init.normal_(layer.bias, 0.0, std)
        return layer

    return build


def data(regime: Regime) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2024)
    x = rng.normal(size=(regime.n, D))
    return x, x @ np.array([0.8, -0.5, 0.3]) + 0.2 + regime.sigma * rng.normal(size=regime.n)


def fit(regime: Regime, prior_std: float | None = SIGMA_P) -> Ensemble:
    """The Lemma 3 ensemble for a prior of variance SIGMA_P^2; `prior_std` is what the prior draws really
    have (None: no prior at all), the penalty always assumes SIGMA_P."""
    x, y = data(regime)
    prior = (dict(prior="none") if prior_std is None
             else dict(prior="mlp", prior_factory=gaussian_linear_prior(prior_std)))
    return Ensemble(n_members=K, hidden=(), **prior, bootstrap="none", noise_std=regime.sigma,
                    weight_decay=2 * regime.sigma**2 / (regime.n * SIGMA_P**2), lr=0.1, epochs=1000,
                    lr_schedule="cosine", seed=1).fit(x, y, progress=False)


def exact_posterior(regime: Regime) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of beta given the data, for the prior N(0, SIGMA_P^2 I)."""
    x, y = data(regime)
    z = np.column_stack([x, np.ones(regime.n)])
    covariance = np.linalg.inv(z.T @ z / regime.sigma**2 + np.eye(D + 1) / SIGMA_P**2)
    return covariance @ z.T @ y / regime.sigma**2, covariance


def moment_mismatches(draws: np.ndarray, mean: np.ndarray, covariance: np.ndarray) -> list[str]:
    """Where the sample mean and covariance of `draws` (K, p) differ from N(mean, covariance) by more than
    Z_SCORE standard errors (that of a sample covariance entry is sqrt((S_ij^2 + S_ii S_jj) / K))."""
    mean_error = np.sqrt(np.diag(covariance) / len(draws))
    cov_error = np.sqrt((covariance**2 + np.outer(np.diag(covariance), np.diag(covariance))) / len(draws))
    found = [f"mean[{i}]" for i in np.flatnonzero(np.abs(draws.mean(axis=0) - mean) > Z_SCORE * mean_error)]
    found += [f"cov[{i}, {j}]" for i, j in np.argwhere(np.abs(np.cov(draws, rowvar=False) - covariance)
                                                       > Z_SCORE * cov_error)]
    return found


def prior_draws(ensemble: Ensemble) -> np.ndarray:
    """The members' prior weights theta_k (K, D + 1), read back from their prior functions at POINTS."""
    return np.linalg.solve(POINTS_Z, ensemble.prior_predict(POINTS).samples.T).T


def prior_mismatches(ensemble: Ensemble) -> list[str]:
    """The prior draws against N(0, SIGMA_P^2 I)."""
    return moment_mismatches(prior_draws(ensemble), np.zeros(D + 1), SIGMA_P**2 * np.eye(D + 1))


def posterior_mismatches(ensemble: Ensemble, regime: Regime) -> list[str]:
    """The members' predictions at POINTS against the exact posterior predictive of the noiseless mean."""
    mean, covariance = exact_posterior(regime)
    return moment_mismatches(ensemble.predict(POINTS).samples, POINTS_Z @ mean, POINTS_Z @ covariance @ POINTS_Z.T)


@pytest.fixture(scope="module")
def fitted() -> dict[Regime, Ensemble]:
    return {regime: fit(regime) for regime in (MANY, FEW)}


@pytest.mark.parametrize("regime", [MANY, FEW], ids=["many points", "few points"])
def test_each_member_is_the_map_of_its_perturbed_problem(fitted, regime):
    ensemble, (x, y) = fitted[regime], data(regime)
    z = np.column_stack([x, np.ones(regime.n)])
    _, covariance = exact_posterior(regime)
    noise = ensemble.target_noise(regime.n, 1)[:, :, 0]
    betas = covariance @ (z.T @ (y + noise).T / regime.sigma**2 + prior_draws(ensemble).T / SIGMA_P**2)
    np.testing.assert_allclose(ensemble.predict(POINTS).samples, (POINTS_Z @ betas).T, atol=1e-4)


@pytest.mark.parametrize("regime", [MANY, FEW], ids=["many points", "few points"])
def test_prior_draws_have_covariance_sigma_p_squared_identity(fitted, regime):
    assert prior_mismatches(fitted[regime]) == []


@pytest.mark.parametrize("regime", [MANY, FEW], ids=["many points", "few points"])
def test_members_are_draws_from_the_exact_posterior(fitted, regime):
    assert posterior_mismatches(fitted[regime], regime) == []


def test_with_few_points_the_prior_carries_as_much_as_the_data(fitted):
    """What gives the few-points checks their teeth: posterior variances far from both 0 and the prior's."""
    _, covariance = exact_posterior(FEW)
    shrinkage = np.linalg.eigvalsh(covariance) / SIGMA_P**2
    assert shrinkage.max() > 0.99 and shrinkage.min() < 0.5  # one direction is the prior's alone
    assert np.all(np.linalg.eigvalsh(exact_posterior(MANY)[1]) / SIGMA_P**2 < 0.05)


@pytest.mark.parametrize("prior_std", [np.sqrt(2) * SIGMA_P, None], ids=["twice the prior variance", "no prior"])
def test_a_wrong_prior_fails_both_checks_with_few_points(prior_std):
    wrong = fit(FEW, prior_std)
    assert prior_mismatches(wrong) != []
    assert posterior_mismatches(wrong, FEW) != []


def test_with_many_points_the_posterior_check_cannot_see_a_doubled_prior_variance():
    """Why the few-points regime is needed: with n = 30 the wrong prior passes the posterior check."""
    wrong = fit(MANY, np.sqrt(2) * SIGMA_P)
    assert prior_mismatches(wrong) != []
    assert posterior_mismatches(wrong, MANY) == []
