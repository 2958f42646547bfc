"""An ensemble's members trained in groups on the workers of a Dask cluster and gathered into one ensemble.

Member k depends only on (seed, k): its initial weights, prior, bootstrap and target noise come from its own
streams (`seeding.py`), and the minibatch order (of positions in each member's bootstrap) is one ensemble-wide
stream that every member sees alike. So a group of members [a, b) trained on its own, as a stacked ensemble
of b - a members, is members a..b-1 of the in-process fit, and the gathered ensemble is the in-process one,
with the same training history (to float rounding: the priors' outputs may be evaluated in blocks of another
size, see `member_data.py`).

The training rows, standardised once by the client, go to every worker once (`scatter(broadcast=True)`) with
the ensemble's `recipe.MemberRecipe` (how member k is built and trained; not the ensemble); each task builds
its group from the recipe, trains it and returns its members as modules, which the client stacks as `fit`
stacks freshly built ones. A worker lost mid-training is Dask's to handle: the scheduler reruns the group on
another worker, with the same result.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from priorlab import distributed
from priorlab.priors.prior import PriorNetwork
from priorlab.priors.recipe import MemberRecipe, TrainingSet
from priorlab.priors.stacked import StackedNetwork
from priorlab.priors.training import train
from priorlab.validation import check_int

#: what a worker must import to train a group: this module (the task), which imports the recipe and the fit loop
WORKER_MODULE = "priorlab.priors.sharding"


class TrainedGroup(NamedTuple):
    """A group's trained members, on the CPU, as a worker returns them."""

    bases: list[nn.Module]  # the trainable networks, in member order
    priors: list[nn.Module]  # their priors (a fixed prior: the same function for every member)
    history: np.ndarray  # (epochs, group size) mean training loss per epoch and member


def check_cluster_options(client: Any, scheduler: str | None, workers: int | None, member_groups: int | None,
                          callback: Any) -> bool:
    """Whether `fit` trains over Dask; contradictory options are refused before any work."""
    ways = {"client": client, "scheduler": scheduler, "workers": workers}
    if not distributed.check_cluster_options(ways):
        if member_groups is not None:
            raise ValueError("member_groups: splits the members over a Dask cluster; give client, scheduler or "
                             "workers too")
        return False
    if callback is not None:
        given = next(name for name, value in ways.items() if value is not None)
        raise ValueError(f"callback: runs in this process only, so it cannot be combined with {given} (training "
                         "over Dask); fit in this process to use it")
    if member_groups is not None:
        check_int(member_groups, "member_groups")
    return True


def member_ranges(n_members: int, groups: int) -> list[range]:
    """Members 0..n_members-1 as `groups` contiguous ranges (fewer if there are fewer members) whose sizes
    differ by at most one."""
    groups = min(groups, n_members)
    size, extra = divmod(n_members, groups)
    bounds = [g * size + min(g, extra) for g in range(groups + 1)]
    return [range(a, b) for a, b in itertools.pairwise(bounds)]


def check_workers(client: Any) -> None:
    """Refuse, before anything is sent, a cluster whose workers cannot import priorlab's training code."""

    def probe(module: str) -> str | None:  # nested, so that it travels by value to workers without priorlab
        import importlib

        try:
            importlib.import_module(module)
        except Exception as exc:  # whatever stops the import (a missing package, a broken torch) is the answer
            return f"{type(exc).__name__}: {exc}"
        return None

    failures = {address: error for address, error in client.run(probe, WORKER_MODULE).items() if error is not None}
    if failures:
        first = sorted(failures)[0]
        raise ValueError(f"Dask workers {', '.join(sorted(failures))}: cannot import {WORKER_MODULE} ({first}: "
                         f"{failures[first]}); install priorlab, with the dask extra, on every worker")


def train_group(recipe: MemberRecipe, data: TrainingSet, members: range) -> TrainedGroup:
    """On a worker: build members `members` from `recipe` as the in-process fit builds them, train them, return
    them."""
    data = data._replace(x=data.x.to(recipe.device), y=data.y.to(recipe.device))
    network, prior, training = recipe.build_members(data, members)
    history = train(network, training, recipe.training_config(members.start), progress=False)
    return TrainedGroup([network.member_module(k).cpu() for k in range(len(members))],
                        [prior.member_module(k).cpu() for k in range(len(members))], history)


def fit_on_cluster(recipe: MemberRecipe, data: TrainingSet, *, client: Any, scheduler: str | None,
                   workers: int | None, member_groups: int | None, progress: bool
                   ) -> tuple[StackedNetwork, PriorNetwork, np.ndarray]:
    """Train the members of `recipe` on `data` in groups over Dask: `client`, or a client of `scheduler` or of a
    local cluster of `workers` processes (`distributed.dask_client`, closed afterwards). Returns the stacked
    networks, the stacked priors and the (epochs, K) history, as the in-process fit has them."""
    if client is None:
        with distributed.dask_client(scheduler, workers) as own:
            return fit_on_cluster(recipe, data, client=own, scheduler=None, workers=None,
                                  member_groups=member_groups, progress=progress)
    check_workers(client)
    n_workers = len(client.scheduler_info().get("workers", {}))
    groups = member_ranges(recipe.n_members, member_groups or max(1, n_workers))
    shipped = data._replace(x=data.x.cpu().to(torch.float32), y=data.y.cpu())  # as training reads it: half the bytes
    recipe_future, data_future = client.scatter([recipe, shipped], broadcast=True, hash=False)
    futures = [client.submit(train_group, recipe_future, data_future, members, pure=False) for members in groups]
    sizes = {future.key: len(members) for future, members in zip(futures, groups, strict=True)}
    try:
        from dask.distributed import as_completed

        with tqdm(total=recipe.n_members, desc="training", unit="member", disable=not progress) as bar:
            for future in as_completed(futures):
                if future.status == "error":
                    future.result()  # raises the group's error at once, without waiting for the others
                bar.update(sizes[future.key])
        trained = client.gather(futures)
    finally:
        client.cancel([*futures, recipe_future, data_future])
    network, prior = recipe.stack_members([m for group in trained for m in group.bases],
                                             [p for group in trained for p in group.priors])
    return network, prior, np.concatenate([group.history for group in trained], axis=1)
