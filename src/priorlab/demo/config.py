"""What `priorlab demo` runs: the options every section reads, and the training budgets they imply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from priorlab.priors.selection import Protocol
from priorlab.rl.settings import DEMO_QUICK_SWEEP, DEMO_SWEEP, SweepSettings

DEFAULT_MODEL = "default"
INTERVAL_LEVEL = 0.9
"""The central interval the figures and tables show."""
REAL_DATA_MAX_STEPS = 2000
"""Optimiser steps per training run of the real-data section (`Protocol()`'s default allows more)."""
REAL_DATA_QUICK_STEPS = 400


@dataclass(frozen=True)
class DemoConfig:
    """What `priorlab demo` runs; `quick` trades resolution for time (the test suite uses it)."""

    out: Path = Path("out")
    quick: bool = False
    members: int | None = None
    model: str = DEFAULT_MODEL
    seed: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        if self.members is not None and self.members < 2:
            raise ValueError(f"members: an ensemble needs at least 2 members, got {self.members}")

    @property
    def n_members(self) -> int:
        return self.members or (10 if self.quick else 40)

    @property
    def epochs(self) -> int:
        return 2000 if self.quick else 3000

    @property
    def n_frames(self) -> int:
        return 6 if self.quick else 40

    @property
    def deep_sea_sweep(self) -> SweepSettings:
        """The demo's Deep Sea sweep (`priorlab.rl.settings`): sizes, seeds and episode budget, small enough to
        take about a minute."""
        return DEMO_QUICK_SWEEP if self.quick else DEMO_SWEEP

    def real_data_protocol(self, n_hidden: int, n_epochs: int) -> Protocol:
        """The real-data section's training protocol: the benchmark's, with a capped budget of optimiser
        steps per run so that the section takes seconds (fewer steps when quick)."""
        if self.quick:
            return Protocol(n_hidden=n_hidden, n_epochs=n_epochs, max_steps=REAL_DATA_QUICK_STEPS)
        return Protocol(n_hidden=n_hidden, n_epochs=n_epochs, max_steps=REAL_DATA_MAX_STEPS)
