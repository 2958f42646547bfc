"""Ctrl-C that cannot be lost on its way to the command line.

Python turns SIGINT into a KeyboardInterrupt raised wherever the main thread happens to be. When that is a
weakref callback or a `__del__` (garbage collection runs them at arbitrary points), Python prints
"Exception ignored in ..." and carries on, so a long command would finish and replace its output as if no
one had pressed Ctrl-C. While `watch()` is active, SIGINT is also remembered: the writers of
`priorlab.files` call `check()` before they put an output in place, and the command line asks `seen()` when a
command returns.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_seen = threading.Event()


def _on_sigint(signum: int, frame: object) -> None:
    _seen.set()
    raise KeyboardInterrupt


@contextmanager
def watch() -> Iterator[None]:
    """Remember SIGINT for the duration of the block (main thread only; elsewhere signals stay as they are)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _seen.clear()
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _seen.clear()


def seen() -> bool:
    """Whether SIGINT arrived since `watch()` began."""
    return _seen.is_set()


def check() -> None:
    """Raise KeyboardInterrupt if SIGINT arrived, even one that was raised where Python ignored it."""
    if _seen.is_set():
        raise KeyboardInterrupt
