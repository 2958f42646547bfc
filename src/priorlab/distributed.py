"""Dask helpers: connect to a running scheduler or start a local cluster; tell Dask collections apart.

Dask is an optional extra (`pip install "priorlab[dask]"`); it is imported only when a
client is asked for, so the rest of priorlab imports without it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

logger = logging.getLogger(__name__)

DASK_HINT = 'Dask is not installed: pip install "priorlab[dask]"'


def is_dask_array(x: Any) -> bool:
    """Whether `x` is a Dask array, told by its type's module so that Dask is never imported for it."""
    return type(x).__module__.startswith("dask.array")


def is_dask_dataframe(x: Any) -> bool:
    """Whether `x` is a Dask DataFrame (or Series), told like `is_dask_array`."""
    return type(x).__module__.startswith("dask.dataframe")


def require_distributed() -> Any:
    """Import and return `dask.distributed`, or raise ImportError with the install hint."""
    try:
        import dask.array
        import dask.distributed
    except ImportError as exc:
        raise ImportError(DASK_HINT) from exc
    return dask.distributed


def check_cluster_options(options: Mapping[str, Any]) -> bool:
    """Whether the work goes to a Dask cluster. `options` maps each way of naming one (a client, a scheduler
    address, a number of local workers), by the name the caller's user knows it, to its value; giving more
    than one is refused before any work, naming them."""
    given = [name for name, value in options.items() if value is not None]
    if len(given) > 1:
        names = list(options)
        choices = f"{', '.join(names[:-1])} or {names[-1]}"
        extra = "both" if len(given) == 2 else "several"
        raise ValueError(f"{' and '.join(given)}: give only one of {choices}, not {extra}")
    return bool(given)


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """Yield a `dask.distributed.Client`.

    With `scheduler` (an address such as "tcp://10.0.0.5:8786"), connect to it and close only
    the client on exit. Otherwise start a LocalCluster of `workers` processes (default: one
    per CPU) with one thread each, so NumPy kernels do not compete for cores, and close both
    the client and the cluster on exit.
    """
    check_cluster_options({"scheduler": scheduler, "workers": workers})
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    distributed = require_distributed()
    if scheduler is not None:
        logger.info("connecting to Dask scheduler %s", scheduler)
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ValueError(f"cannot reach Dask scheduler {scheduler!r}: {exc}") from exc
        with client:
            yield client
        return
    logger.info("starting a local Dask cluster with %s worker processes", workers or "default")
    with distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client
