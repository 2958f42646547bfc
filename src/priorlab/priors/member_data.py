"""What each member trains on: its bootstrap of the training rows, its noisy targets and its prior's outputs.

Nothing of size K x n is stored. `MemberData` keeps the n shared rows once and computes a batch for all K
members when asked: a minibatch at shuffled positions 0..n-1 gathers, for a multinomial bootstrap, the rows at
those positions of each member's own resample (so every step trains member k on B rows of its resample), and
for the other schemes the shared rows with each member's weights; the target noise is drawn for the rows
gathered and the frozen prior evaluated on them. The full batch (`full`) is the same bootstrap as per-row
weights: memory there is the full batch's activations anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from priorlab.priors.bootstrap import bootstrap_weights, resampled_rows, row_weights
from priorlab.priors.seeding import counter_uniforms

#: (member, row) pairs drawn at once by `MemberData.minibatches`: 64 KiB per hidden unit of the prior's float32
#: activations, whatever K is, and enough rows that per-step overhead no longer shows
BLOCK_MEMBER_ROWS = 2**14
#: the prior's outputs on every member and row are computed once and kept when they take at most this many bytes
#: or no more than the inputs would in float32; otherwise they are evaluated on each block of minibatches
OFFSET_TABLE_BYTES = 2**24


@dataclass
class TrainingData:
    """One batch as a step needs it, on the training device, member axis first where it varies by member."""

    x: torch.Tensor  # (B, d) inputs shared by all members, or (K, B, d) each member's own rows
    y: torch.Tensor  # (K, B, C) per-member regression targets, or integer class labels (B,) or (K, B)
    offset: torch.Tensor  # (K, B, C) scaled prior outputs, added to the trainable network's output
    weights: torch.Tensor  # (K, B, 1) bootstrap weights

    def rows(self, start: int, stop: int) -> TrainingData:
        """Batch rows start..stop-1 (views)."""
        y = self.y[:, start:stop] if self.y.dim() == 3 else self.y[..., start:stop]
        return TrainingData(self.x[..., start:stop, :], y, self.offset[:, start:stop], self.weights[:, start:stop])


def target_noise(keys: torch.Tensor, rows: torch.Tensor, width: int) -> torch.Tensor:
    """(K, B, width) standard normal draws for the rows `rows` (B,) or (K, B) of each member's key (K, 1):
    draw (row, column) is the normal quantile of the uniform at counter row * width + column."""
    rows = rows if rows.dim() == 2 else rows.unsqueeze(0)
    counters = rows.unsqueeze(-1) * width + torch.arange(width, device=rows.device)
    return torch.special.ndtri(counter_uniforms(keys.unsqueeze(-1), counters))


@dataclass
class MemberData:
    """The training rows and what makes them each member's own: a bootstrap, target noise, a prior."""

    x: torch.Tensor  # (n, d) inputs, float32 or float64 (the caller's array, not copied): batches are float32
    y: torch.Tensor  # (n, C) float32 regression targets, or (n,) class indices
    prior_offset: Callable[[torch.Tensor], torch.Tensor]  # inputs (B, d) or (K, B, d) -> (K, B, at most width)
    width: int  # outputs of each member's network
    bootstrap: str  # one of bootstrap.SCHEMES
    bootstrap_keys: torch.Tensor  # (K, 1) int64 keys of the members' bootstrap streams
    noise_keys: torch.Tensor  # (K, 1) int64 keys of their target-noise streams
    noise_std: float  # regression targets only

    def __post_init__(self) -> None:
        size = self.n_members * self.n * self.width * 4
        self._offset_table = None
        if size <= max(OFFSET_TABLE_BYTES, self.x.nbytes // 2):
            self._offset_table = self._offsets_by_block()

    def _offsets_by_block(self) -> torch.Tensor:
        """The priors' outputs on every row, (K, n, width), evaluated block by block into one preallocated
        table: the activations stay block-sized and are freed before the next block, so none outlives it."""
        rows = max(1, BLOCK_MEMBER_ROWS // self.n_members)
        table = None
        for start in range(0, self.n, rows):
            block = self.prior_offset(self.x[start:start + rows].to(torch.float32))
            if table is None:
                table = block.new_empty(self.n_members, self.n, block.shape[-1])
            table[:, start:start + rows] = block
        return table

    @property
    def n(self) -> int:
        return self.x.shape[0]

    @property
    def n_members(self) -> int:
        return self.bootstrap_keys.shape[0]

    def _targets(self, rows: torch.Tensor) -> torch.Tensor:
        """Targets of `rows` (B,) or (K, B): (K, B, C) regression targets with each member's noise, or labels."""
        y = self.y[rows]
        if self.y.dim() == 1:
            return y
        if rows.dim() == 1:
            y = y.unsqueeze(0).expand(self.n_members, -1, -1)
        if self.noise_std > 0:
            y = y + (self.noise_std * target_noise(self.noise_keys, rows, self.y.shape[1])).to(y.dtype)
        return y

    def _offset(self, x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """The priors' outputs (K, B, width) on the inputs `x` of `rows` (B,) or (K, B): from the table if kept."""
        table = self._offset_table
        if table is None:
            return self.prior_offset(x)
        if rows.dim() == 1:
            return table[:, rows]
        return table.gather(1, rows.unsqueeze(-1).expand(-1, -1, table.shape[-1]))

    def full(self) -> TrainingData:
        """All n rows, every member's bootstrap as per-row weights (multinomial: the resample's counts)."""
        rows = torch.arange(self.n, device=self.x.device)
        weights = bootstrap_weights(self.bootstrap, self.n, self.bootstrap_keys).to(torch.float32).unsqueeze(-1)
        x = self.x.to(torch.float32)
        return TrainingData(x, self._targets(rows), self._offset(x, rows), weights)

    def minibatches(self, order: torch.Tensor, batch_size: int) -> Iterator[TrainingData]:
        """The batches of `batch_size` positions of `order` (a permutation of 0..n-1), in order. They are drawn
        a block of several batches at a time (about BLOCK_MEMBER_ROWS member-rows), so the hashing, gathering and
        prior evaluation run as a few large operations instead of many small ones per step."""
        per_block = max(1, BLOCK_MEMBER_ROWS // (self.n_members * batch_size)) * batch_size
        for block in order.split(per_block):
            data = self.minibatch(block)
            yield from (data.rows(start, start + batch_size) for start in range(0, len(block), batch_size))

    def minibatch(self, positions: torch.Tensor) -> TrainingData:
        """The batch at `positions` (B,) of 0..n-1: each member's resampled rows there (multinomial, weights 1),
        or the shared rows with each member's weights."""
        if self.bootstrap == "multinomial":
            rows = resampled_rows(self.bootstrap_keys, positions, self.n)
            weights = torch.ones(*rows.shape, 1, device=self.x.device)
        else:
            rows = positions
            weights = row_weights(self.bootstrap, self.bootstrap_keys, rows).to(torch.float32).unsqueeze(-1)
        x = self.x[rows].to(torch.float32)
        return TrainingData(x, self._targets(rows), self._offset(x, rows), weights)
