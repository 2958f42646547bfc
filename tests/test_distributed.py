"""dask_client: connect to a scheduler or start (and stop) a local cluster."""

from __future__ import annotations

import builtins

import pytest

from priorlab import distributed

pytest.importorskip("dask.distributed")


def test_local_cluster_is_started_with_one_thread_per_worker_and_closed():
    with distributed.dask_client(workers=1) as client:
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 1
        assert [w["nthreads"] for w in workers.values()] == [1]
        assert client.submit(sum, [1, 2, 3]).result() == 6
        cluster = client.cluster
    assert client.status == "closed"
    assert cluster.status.name == "closed"


def test_connecting_to_a_scheduler_leaves_it_running():
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        with distributed.dask_client(scheduler=cluster.scheduler_address) as client:
            assert client.submit(pow, 2, 10).result() == 1024
        assert client.status == "closed"
        assert cluster.status.name == "running"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheduler": "tcp://127.0.0.1:1", "workers": 2}, "not both"),
        ({"workers": 0}, "workers must be a positive integer"),
        ({"workers": True}, "workers must be a positive integer"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message), distributed.dask_client(**kwargs):
        pass


def test_missing_dask_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(ImportError, match=r'pip install "priorlab\[dask\]"'), distributed.dask_client(workers=1):
        pass
