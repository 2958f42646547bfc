"""`MemberRecipe`, how member k is built and trained: a group built and trained from a recipe that travelled
alone (pickled, as sharding ships it) is those members of the whole in-process fit (the oracle, itself checked
against members trained alone in test_ensemble.py)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from priorlab.priors import Ensemble, osband_1d
from priorlab.priors.recipe import TrainingSet
from priorlab.priors.training import train

CASES = {  # the MLP fast path with minibatches of each member's resample, and the Gaussian likelihood
    "mse-minibatches": dict(batch_size=7, noise_std=0.1),
    "gaussian-poisson": dict(likelihood="gaussian", bootstrap="poisson", lr_schedule="cosine"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_group_built_from_a_shipped_recipe_is_those_members_of_the_whole_fit(case):
    x, y = osband_1d()
    ensemble = Ensemble(n_members=5, hidden=(8,), epochs=30, seed=5, **CASES[case])
    shipped = pickle.dumps(ensemble.recipe)
    assert b"priorlab.priors.ensemble" not in shipped  # the recipe travels without the ensemble
    whole = ensemble.fit(x, y, progress=False)
    recipe = pickle.loads(shipped)
    data = TrainingSet(torch.as_tensor(np.asarray(x, dtype=np.float64)), torch.tensor(y, dtype=torch.float64), 1)
    members = range(2, 4)
    network, prior, training = recipe.build_members(data, members)
    history = train(network, training, recipe.training_config(members.start), progress=False)
    np.testing.assert_allclose(history, whole.history_[:, 2:4], rtol=1e-5, atol=1e-6)
    for j, k in enumerate(members):
        ours, theirs = network.member_module(j).state_dict(), whole.member(k).base_model.state_dict()
        assert ours.keys() == theirs.keys()
        for name in ours:
            np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-5, atol=1e-6, err_msg=f"member {k}: {name}")
        np.testing.assert_array_equal(prior.member_module(j).state_dict()["layers.0.weight"],
                                      whole.member(k).prior_model.state_dict()["layers.0.weight"])


def test_the_recipe_holds_the_checked_parameters_and_the_resolved_prior():
    ensemble = Ensemble(n_members=3, hidden=[4, 4], prior="sine", epochs=7, lr_schedule="cosine", lr_horizon=9)
    recipe = ensemble.recipe
    assert (recipe.n_members, recipe.hidden, recipe.epochs, recipe.device) == (3, (4, 4), 7, torch.device("cpu"))
    assert recipe.prior.name == "sine" and recipe.prior is ensemble.recipe.prior  # resolved once, by the ensemble
    config = recipe.training_config(2)
    assert (config.epochs, config.lr_schedule, config.lr_horizon, config.first_member) == (7, "cosine", 9, 2)
    with pytest.raises(AttributeError):
        recipe.seed = 1  # frozen
