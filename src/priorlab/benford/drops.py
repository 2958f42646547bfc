"""Why values were left out of a digit test, counted by reason, and the one way that count is written.

A count keeps the finite, non-zero values of the chosen sign (and at least `min_value`); every other value
is dropped and counted under the first reason that applies, in the order of `REASONS`. A file's reader adds
"text" (cells that are not numbers, tested as NaN and reclassified). `Drops` is what every result carries
and every rendering (terminal, report, error messages) prints through `str`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

REASONS = ("nan", "inf", "zero", "sign", "below_min_value")
"""Why a value was dropped, in the order the reasons are checked."""


class Drops(Mapping[str, int]):
    """Counts of dropped values by reason (a read-only mapping; compares equal to the same dict).

    `str` lists the reasons that have a count, in order: "3 text, 2 nan", or "none".
    """

    __slots__ = ("_counts",)

    def __init__(self, counts: Mapping[str, int] | None = None) -> None:
        self._counts = {str(reason): int(count) for reason, count in (counts or {}).items()}

    def __getitem__(self, reason: str) -> int:
        return self._counts[reason]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __repr__(self) -> str:
        return f"Drops({self._counts!r})"

    def __str__(self) -> str:
        return ", ".join(f"{count:,} {reason}" for reason, count in self._counts.items() if count) or "none"

    @property
    def total(self) -> int:
        """Values dropped for any reason."""
        return sum(self._counts.values())

    def added(self, reason: str, count: int) -> Drops:
        """A copy with `count` more values dropped for `reason`."""
        return Drops({**self._counts, reason: self._counts.get(reason, 0) + int(count)})

    def moved(self, count: int, from_reason: str, to_reason: str) -> Drops:
        """A copy where `count` drops move from one reason to another (text cells reach a test as NaN)."""
        have = self._counts.get(from_reason, 0)
        if not 0 <= count <= have:
            raise ValueError(f"cannot move {count} drops from {from_reason!r}, which has {have}")
        return Drops({**self._counts, from_reason: have - count}).added(to_reason, count)
