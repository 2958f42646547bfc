"""`digit_distribution` of a model named by its spec, in this process or with the prompts sharded over the
workers of a Dask cluster.

Only the model's spec travels: each worker loads the model once and keeps it for later shards; the client
gathers the results in prompt order.
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Iterable
from typing import Any

from tqdm.auto import tqdm

from priorlab.lm.api import (
    DigitDistribution,
    LowNumberMassWarning,
    PromptLike,
    check_distribution_options,
    digit_distribution,
    prompt_texts,
    warn_low_number_mass,
)
from priorlab.lm.loading import LanguageModel, load_lm
from priorlab.validation import check_int


def digit_distribution_on_cluster(
    spec: str,
    prompts: str | PromptLike | Iterable[str | PromptLike],
    client: Any,
    *,
    cache_dir: str | None = None,
    shard_size: int | None = None,
    min_number_mass: float = 1e-3,
    progress: bool = False,
    **options: Any,
) -> list[DigitDistribution]:
    """`digit_distribution` with the prompts sharded over the workers of a Dask `client`.

    `spec` is what `load_lm` takes; `options` are `digit_distribution`'s keyword arguments. `shard_size`
    defaults to an even split over the workers. Results come back in prompt order.
    """
    check_distribution_options(min_number_mass=min_number_mass, **options)
    texts = prompt_texts(prompts)
    if shard_size is None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        shard_size = -(-len(texts) // workers)
    shard_size = check_int(shard_size, "shard_size")
    shards = [texts[i : i + shard_size] for i in range(0, len(texts), shard_size)]
    futures = client.map(_distribution_shard, shards, spec=spec, cache_dir=cache_dir, options=options, pure=False)
    from dask.distributed import as_completed

    shard_lengths = {future.key: len(shard) for future, shard in zip(futures, shards, strict=True)}
    with tqdm(total=len(texts), desc="prompts", unit="prompt", disable=not progress) as bar:
        for future in as_completed(futures):
            bar.update(shard_lengths[future.key])
    results = [result for part in client.gather(futures) for result in part]
    warn_low_number_mass(results, min_number_mass)
    return results


def digit_distribution_of(spec: str, prompts: str | PromptLike | Iterable[str | PromptLike], *,
                          scheduler: str | None = None, progress: bool = False, **options: Any
                          ) -> list[DigitDistribution]:
    """`digit_distribution` of the model `spec` names (see `load_lm`): loaded here, or on the workers of the
    Dask `scheduler` (an address). The options are checked before the model loads, which takes seconds."""
    check_distribution_options(**options)
    texts = prompt_texts(prompts)
    if scheduler is None:
        return digit_distribution(load_lm(spec, progress=progress), texts, progress=progress, **options)
    from priorlab.distributed import dask_client

    with dask_client(scheduler) as client:
        return digit_distribution_on_cluster(spec, texts, client, progress=progress, **options)


_WORKER_LOAD_LOCK = threading.Lock()


@functools.lru_cache(maxsize=2)
def _cached_lm(spec: str, cache_dir: str | None) -> LanguageModel:
    return load_lm(spec, cache_dir=cache_dir, progress=False)


def _worker_lm(spec: str, cache_dir: str | None) -> LanguageModel:
    """The model of `spec`, loaded once per worker process; the lock serialises loads of threaded workers
    (transformers patches torch globally while loading, so concurrent loads corrupt each other)."""
    with _WORKER_LOAD_LOCK:
        return _cached_lm(spec, cache_dir)


def _distribution_shard(
    texts: list[str], spec: str, cache_dir: str | None, options: dict[str, Any]
) -> list[DigitDistribution]:
    with warnings.catch_warnings():  # the client warns, once, for all shards
        warnings.simplefilter("ignore", LowNumberMassWarning)
        return digit_distribution(_worker_lm(spec, cache_dir), texts, **options)
