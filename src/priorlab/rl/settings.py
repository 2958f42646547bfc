"""Deep Sea's experiment settings, declared once: what one run, the sweep, the demo and `priorlab deep-sea` use
unless told otherwise (bsuite's `experiments/deep_sea/sweep.py` is the same idea: one short settings module).

Plain values, no imports: the command line reads its defaults from here without loading torch.
"""

from __future__ import annotations

from dataclasses import dataclass

BUDGET = 1000
"""Episodes per Deep Sea run unless told otherwise: about twice the prior agent's slowest learning time at N=30."""

SIZE = 10
"""The size N of a single run (`priorlab deep-sea` without --sweep)."""

SIZES = (10, 14, 18, 22, 26, 30)
"""The sizes of the full sweep (`priorlab deep-sea --sweep`)."""

SEEDS = 3
"""Seeds 0..SEEDS-1 of every agent and size of the full sweep."""


@dataclass(frozen=True)
class SweepSettings:
    """The sizes, seeds (0..seeds-1) and episode budget of one sweep."""

    sizes: tuple[int, ...]
    seeds: int
    episodes: int


DEMO_SWEEP = SweepSettings((6, 8, 10, 12), 2, 300)
"""The demo's sweep: small enough to take about a minute."""

DEMO_QUICK_SWEEP = SweepSettings((4, 6, 8), 1, 150)
"""The quick demo's sweep (`priorlab demo --quick`, the test suite): seconds."""
