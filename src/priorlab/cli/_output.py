"""What a command prints: tables and lines for a person on stdout, or one JSON document with `--json`;
warnings and errors on stderr, one line each.

Every command renders through one `Output`, so the two modes cannot drift apart: a command hands `emit`
its JSON-ready data and the function that renders it for a person, and `Output` prints one of them.
Nothing printed is read as rich markup unless a renderer asks for it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # one message, one line


class Output:
    """The printing side of one command run: human (rich) or `json` (one JSON document on stdout)."""

    def __init__(self, json_mode: bool = False) -> None:
        self.json_mode = json_mode

    def emit(self, data: Any, human: Callable[[Output], None]) -> None:
        """`data` as one line of JSON in JSON mode, else `human(self)`, which prints through this object."""
        if self.json_mode:
            sys.stdout.write(json.dumps(data) + "\n")
        else:
            human(self)

    def line(self, text: str, *, style: str | None = None) -> None:
        """One line of plain text (human mode only), optionally in a rich style such as "bold" or "dim"."""
        if not self.json_mode:
            console.print(f"[{style}]{escape(text)}[/]" if style else text, highlight=False, markup=bool(style))

    def markup(self, text: str) -> None:
        """One line of rich markup written by the command itself (human mode only)."""
        if not self.json_mode:
            console.print(text, highlight=False)

    def show(self, renderable: Any) -> None:
        """A rich renderable, such as a `rich.table.Table` (human mode only)."""
        if not self.json_mode:
            console.print(renderable)

    def wrote(self, label: str, path: Path | str | None) -> None:
        """Where an output file went ("plot: out.png"), if one was asked for (human mode only)."""
        if path is not None:
            self.line(f"{label}: {path}")

    @staticmethod
    def warn(text: str, label: str = "warning") -> None:
        """A warning on stderr, in both modes: the JSON on stdout stays parseable."""
        err_console.print(f"[yellow]{escape(label)}:[/] {escape(text)}", highlight=False)

    @staticmethod
    def error(text: str) -> None:
        """The one line a failed command prints on stderr."""
        err_console.print(f"[bold red]error:[/] {escape(' '.join(text.split()))}", highlight=False)
