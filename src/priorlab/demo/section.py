"""What every section of the demo is: a function `(config, folder, advance) -> SectionOutput`, which saves its
figures in the report folder, names each stage it starts through `advance`, and returns its part of the
page and of summary.json."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from priorlab.files import save_figure
from priorlab.report import ReportSection

Advance = Callable[[str], None]
"""Called with the name of each stage a section starts (the demo's progress bar)."""


@dataclass
class SectionOutput:
    """A section's part of the page and its summary (`{"status": "skipped", "reason": ...}` when skipped)."""

    sections: list[ReportSection]
    summary: dict[str, Any]


def save(figure: Figure, folder: Path, name: str) -> str:
    """Save `figure` as `folder/name`; the name, as the report refers to it."""
    save_figure(figure, folder / name)
    return name
