"""Per-member random streams derived from one integer seed.

Member k's initial weights, prior, bootstrap and target noise each come from their own
`numpy.random.SeedSequence(seed, spawn_key=(0, k, stream))`, so member k is the same whatever the
ensemble size, and a member can be rebuilt alone to check the vectorised training against it.
Torch initialisers draw from the global generator; `seeded` forks it so nothing leaks out.

The bootstrap and the target noise are counter-based: draw i of member k is a hash of (member k's key, i),
computed on demand for any set of counters, so a minibatch of a million-row bootstrap costs the batch, not
the million rows, and the full table is the same function of every counter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import torch

from priorlab.validation import check_int

_MASK32 = 0xFFFFFFFF
STREAMS = {"base": 0, "prior": 1, "bootstrap": 2, "noise": 3, "shuffle": 4}
T = TypeVar("T")


def _sequence(seed: int, member: int | None, stream: str) -> np.random.SeedSequence:
    key = (1, STREAMS[stream]) if member is None else (0, int(member), STREAMS[stream])
    return np.random.SeedSequence(check_int(seed, "seed", minimum=0), spawn_key=key)


def member_rng(seed: int, member: int | None, stream: str) -> np.random.Generator:
    """NumPy generator for one member's stream (`member=None`: an ensemble-wide stream)."""
    return np.random.Generator(np.random.PCG64(_sequence(seed, member, stream)))


def member_torch_seed(seed: int, member: int | None, stream: str) -> int:
    """A 63-bit integer seed for torch derived from the same stream."""
    return int(_sequence(seed, member, stream).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def member_keys(seed: int, members: range, stream: str, device: torch.device | str = "cpu") -> torch.Tensor:
    """(K, 1) int64 keys of the counter-based stream `stream` of each member of `members`."""
    keys = [member_torch_seed(seed, k, stream) for k in members]
    return torch.tensor(keys, dtype=torch.int64, device=device).unsqueeze(1)


def _mix32(x: torch.Tensor) -> torch.Tensor:
    """A bijection of [0, 2^32) with good avalanche (the `lowbias32` multipliers of Wellons' hash prospector).
    The values stay below 2^32 and the multipliers below 2^31, so int64 arithmetic never overflows."""
    x = x ^ (x >> 16)
    x = (x * 0x21F0AAAD) & _MASK32
    x = x ^ (x >> 15)
    x = (x * 0x735A2D97) & _MASK32
    return x ^ (x >> 15)


def counter_bits(keys: torch.Tensor, counters: torch.Tensor) -> torch.Tensor:
    """32 random bits (int64 values in [0, 2^32)) for each counter in [0, 2^32) under each 63-bit key
    (`member_keys`); keys and counters broadcast. For one key, distinct counters give distinct values."""
    mixed = _mix32(counters ^ (keys & _MASK32))
    return _mix32(_mix32(mixed ^ (keys >> 32)) ^ (keys & _MASK32))


def counter_uniforms(keys: torch.Tensor, counters: torch.Tensor) -> torch.Tensor:
    """Uniform draws on the open interval (0, 1), float64, one per counter and key (`counter_bits`)."""
    return (counter_bits(keys, counters).to(torch.float64) + 0.5) * 2.0**-32


def seeded(build: Callable[[], T], torch_seed: int) -> T:
    """Call `build()` with torch's global CPU generator seeded, restoring its state afterwards."""
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(torch_seed)  # torch.manual_seed costs ~0.1 ms per call
        return build()
