"""Members trained in groups over Dask: the gathered ensemble is the in-process fit (the oracle, itself checked
against members trained alone in test_ensemble.py), also when a worker dies mid-training; bad options and
workers that cannot import priorlab are refused before anything is sent."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from priorlab.priors import MLP, Ensemble, osband_1d
from priorlab.priors.recipe import TrainingSet
from priorlab.priors.sharding import WORKER_MODULE, member_ranges, train_group

pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    from priorlab.distributed import dask_client

    with dask_client(workers=2) as client:
        yield client


def classes_data() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, size=45)
    x = rng.normal(size=(45, 2)) + np.array([[0.0, 2.0], [2.0, 0.0], [-2.0, -1.0]])[labels]
    return pd.DataFrame(x, columns=["a", "b"]), np.array(["cat", "dog", "eel"])[labels]


def shared_prior() -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return nn.Linear(2, 3)


def assert_same_ensemble(remote: Ensemble, local: Ensemble, x) -> None:
    np.testing.assert_allclose(remote.predict(x).samples, local.predict(x).samples, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(remote.history_, local.history_, rtol=1e-5, atol=1e-6)
    assert (remote.feature_names_, remote.n_outputs_) == (local.feature_names_, local.n_outputs_)
    np.testing.assert_array_equal(remote.classes_, local.classes_)
    for k in range(local.n_members):
        ours, theirs = remote.member(k).state_dict(), local.member(k).state_dict()
        assert ours.keys() == theirs.keys()
        for name in ours:
            np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-5, atol=1e-6, err_msg=f"member {k}: {name}")


def assert_released(client) -> None:
    """Nothing of a fit is left on the workers (released asynchronously, so give the scheduler a moment)."""
    deadline = time.monotonic() + 10
    while any(client.has_what().values()):
        assert time.monotonic() < deadline, client.has_what()
        time.sleep(0.05)


CASES = {  # name: (Ensemble parameters, member_groups); the MLP cases take the fast path, the others torch.func
    "mlp-gaussian-regression": (dict(n_members=5, batch_size=7, noise_std=0.1, standardize=True,
                                     likelihood="gaussian", lr_schedule="cosine"), 3),
    "mlp-classification": (dict(n_members=4, task="classification", hidden=(8,), bootstrap="poisson"), None),
    "modules-regression": (dict(n_members=3, base=lambda: MLP(1, (8,), 1), prior_factory=lambda: MLP(1, (5,), 1),
                                batch_size=8), None),
    "modules-classification": (dict(n_members=3, task="classification", base=lambda: MLP(2, (6,), 3),
                                    prior=shared_prior()), 2),
}


@pytest.mark.parametrize("case", list(CASES))
def test_members_trained_in_groups_on_workers_equal_the_in_process_fit(client, case, capsys):
    params, groups = CASES[case]
    x, y = osband_1d() if "regression" in case else classes_data()
    local = Ensemble(**params, epochs=30, seed=5).fit(x, y, progress=False)
    remote = Ensemble(**params, epochs=30, seed=5).fit(x, y, client=client, member_groups=groups)
    assert f"{local.n_members}/{local.n_members}" in capsys.readouterr().err  # the bar counts trained members
    assert_same_ensemble(remote, local, x)
    if "gaussian" in case:
        np.testing.assert_allclose(remote.predict_distribution(x).variances, local.predict_distribution(x).variances,
                                   rtol=1e-5)
    if "prior" in params:  # a shared prior stays the caller's own module, as in process
        assert remote.member(2).prior_model is params["prior"]
    assert_released(client)  # the data and the groups


def test_member_ranges_split_evenly_in_order():
    assert member_ranges(5, 3) == [range(0, 2), range(2, 4), range(4, 5)]
    assert member_ranges(4, 2) == [range(0, 2), range(2, 4)]
    assert member_ranges(2, 5) == [range(0, 1), range(1, 2)]
    for n, groups in [(1, 1), (7, 4), (40, 3), (3, 3)]:
        ranges = member_ranges(n, groups)
        assert [k for r in ranges for k in r] == list(range(n))
        assert max(map(len, ranges)) - min(map(len, ranges)) <= 1


def test_a_worker_killed_mid_training_is_replaced_and_the_fit_is_unchanged(client):
    x, y = osband_1d()
    params = dict(n_members=4, epochs=3000, seed=9)
    client.wait_for_workers(2, timeout=60)  # both hold the data: the survivor reruns the lost group
    pids = client.run(os.getpid)

    def executing(dask_worker):
        return dask_worker.state.executing_count

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        fitting = pool.submit(lambda: Ensemble(**params).fit(x, y, progress=False, client=client))
        deadline = time.monotonic() + 60
        while not (training := [address for address, n in client.run(executing).items() if n]):
            assert time.monotonic() < deadline and not fitting.done(), "no group ever started"
            time.sleep(0.02)
        victim = training[0]  # a worker in the middle of training its group (each takes over a second)
        os.kill(pids[victim], signal.SIGKILL)
        remote = fitting.result(timeout=120)
    assert victim not in client.scheduler_info()["workers"]
    local = Ensemble(**params).fit(x, y, progress=False)
    assert_same_ensemble(remote, local, x)


def test_workers_that_cannot_import_priorlab_are_named_before_anything_is_sent(client, monkeypatch):
    client.wait_for_workers(2, timeout=60)  # a worker killed by another test is back
    victim, healthy = sorted(client.scheduler_info()["workers"])

    def hide(name):  # nested functions travel by value: the worker needs nothing of this module
        import sys

        sys.modules[f"hidden {name}"] = sys.modules.pop(name, None)
        sys.modules[name] = None  # `import name` now fails, as on a worker without priorlab

    def restore(name):
        import sys

        sys.modules.pop(name)
        hidden = sys.modules.pop(f"hidden {name}")
        if hidden is not None:
            sys.modules[name] = hidden

    def send(*args, **kwargs):
        raise AssertionError("data or work was sent to the workers")

    x, y = osband_1d()
    monkeypatch.setattr(client, "scatter", send)
    monkeypatch.setattr(client, "submit", send)
    client.run(hide, WORKER_MODULE, workers=[victim])
    try:
        with pytest.raises(ValueError, match=f"Dask workers {victim}: cannot import {WORKER_MODULE}") as error:
            Ensemble(n_members=2, epochs=2).fit(x, y, client=client, progress=False)
    finally:
        client.run(restore, WORKER_MODULE, workers=[victim])
    assert healthy not in str(error.value) and "install priorlab" in str(error.value)


@pytest.mark.parametrize("options, message", [
    (dict(client=object(), scheduler="tcp://127.0.0.1:1"), "client and scheduler: give only one of client"),
    (dict(scheduler="tcp://127.0.0.1:1", workers=2), "scheduler and workers: give only one of"),
    (dict(client=object(), callback=lambda epoch, ensemble: None), "callback: runs in this process only"),
    (dict(member_groups=2), "member_groups: splits the members over a Dask cluster"),
    (dict(client=object(), member_groups=0), "member_groups: expected an integer >= 1; got 0"),
])
def test_contradictory_cluster_options_are_refused_before_any_work(options, message):
    x, y = osband_1d()
    with pytest.raises(ValueError, match=message):
        Ensemble(n_members=2, epochs=2).fit(x, y, progress=False, **options)


def test_a_diverging_group_stops_the_fit_and_names_the_member_by_its_index_in_the_ensemble(client):
    x, y = osband_1d()
    ensemble = Ensemble(n_members=4, lr=1e9, epochs=50)
    with pytest.raises(ValueError, match=r"lr: training diverged \(member 0's"):
        ensemble.fit(x, y * 1e3, progress=False)
    data = TrainingSet(torch.tensor(x, dtype=torch.float32), torch.tensor(y * 1e3), 1)
    with pytest.raises(ValueError, match=r"lr: training diverged \(member 2's"):
        train_group(ensemble.recipe, data, range(2, 4))
    with pytest.raises(ValueError, match=r"lr: training diverged \(member [02]'s"):
        ensemble.fit(x, y * 1e3, progress=False, client=client, member_groups=2)
    with pytest.raises(ValueError, match="not fitted"):
        ensemble.predict(x)
    assert_released(client)
