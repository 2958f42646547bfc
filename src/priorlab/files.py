"""Files and folders written whole or not at all.

Every output is written to a temporary sibling first and renamed onto its destination only once it
is complete (`os.replace` is atomic within one filesystem). An error or a kill therefore never leaves
a half-written file or folder behind, and a reader sees either the old version or the new one.
A writer killed outright (SIGKILL, power loss) cannot clean up after itself, so every write first
removes the temporaries that earlier writers of the same destination left behind: only names of our
own pattern whose writing process no longer runs (`remove_stale`). Missing parent folders are never
created: a mistyped path is refused before any work. Deciding *whether* a destination may be replaced
is the caller's policy, not this module's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from priorlab import interrupts

if TYPE_CHECKING:  # matplotlib is only needed by callers that save figures
    from matplotlib.figure import Figure


# `.NAME.PID-HEX.tmp[.SUFFIX]` (a file or staging folder being written) and `.NAME.PID-HEX.old` (a
# previous folder moved aside during the swap): the writer's process id says whether it still runs.
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}\.(?P<tag>tmp|old)(?P<suffix>(\.[^.]*)?)$")


def _sibling(path: Path, tag: str) -> Path:
    """A hidden, unique name beside `path`: same folder, so the final rename stays on one filesystem."""
    return path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.{tag}")


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_stale(path: str | Path) -> list[Path]:
    """Clear what killed writers of `path` left beside it; returns what was removed or restored.

    Only hidden siblings named by this module for `path` itself, whose writing process has ended, are
    touched; nothing else in the folder. A folder moved aside (`.old`) whose destination is missing was
    caught between the two renames of a swap: it is the previous output, so it is put back, not deleted.
    """
    path = Path(path)
    folder = path.absolute().parent
    if not folder.is_dir():
        return []
    touched = []
    for entry in sorted(folder.iterdir()):
        match = _TEMPORARY.match(entry.name)
        if match is None or match["name"] != path.name or _running(int(match["pid"])):
            continue
        if match["tag"] == "old" and not path.exists():
            os.replace(entry, path)
        else:
            _remove(entry)
        touched.append(entry)
    return touched


def figure_suffixes() -> tuple[str, ...]:
    """The suffixes `save_figure` can write: the formats of matplotlib's Agg canvas (.png, .svg, .pdf, ...)
    except PGF, which needs a LaTeX installation."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return tuple(sorted(f".{name}" for name in FigureCanvasAgg.get_supported_filetypes() if name != "pgf"))


def check_output_file(path: str | Path, suffixes: tuple[str, ...] | None = None, *, argument: str = "output") -> Path:
    """Refuse, before any work is done, an output path that cannot be written as a file.

    That is an existing folder, a missing parent folder, or (with `suffixes`) a suffix outside
    `suffixes` (compared case-insensitively). Messages start with `argument`, e.g. "--plot".
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{argument}: {str(path)!r} is a folder; give a file name inside it")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{argument}: folder {str(path.parent)!r} for {path.name} does not exist")
    if suffixes is not None and path.suffix.lower() not in suffixes:
        found = f"suffix {path.suffix!r}" if path.suffix else "no suffix"
        raise ValueError(f"{argument}: {str(path)!r} has {found}; expected one of {', '.join(suffixes)}")
    return path


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; when the block succeeds it replaces `path`.

    The temporary path keeps the suffix because writers such as matplotlib pick the format from it.
    It is removed whatever happens, so an error leaves `path` as it was (or absent).
    """
    path = check_output_file(path)
    remove_stale(path)
    temporary = _sibling(path, f"tmp{path.suffix}")
    try:
        yield temporary
        interrupts.check()
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path: str | Path, data: Any) -> Path:
    """Write `data` as indented JSON to `path` atomically; NaN and infinities are refused (not JSON)."""
    return write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def save_figure(figure: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Save a matplotlib figure atomically; the format comes from the suffix (see `figure_suffixes`)."""
    check_output_file(path, figure_suffixes(), argument="figure")
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=dpi, bbox_inches="tight", facecolor="white")
    return Path(path)


def _swap_in(staging: Path, target: Path) -> None:
    """Rename `staging` onto `target`; an existing target is moved aside first and restored on failure."""
    if not target.exists():
        os.replace(staging, target)
        return
    backup = _sibling(target, "old")
    os.replace(target, backup)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(backup, target)
        raise
    shutil.rmtree(backup, ignore_errors=True)


@contextmanager
def staged_directory(target: str | Path) -> Iterator[Path]:
    """Yield an empty staging folder beside `target`; when the block succeeds it becomes `target`.

    An existing `target` is replaced whole (callers check first that it may be). On any error the
    staging folder is removed and `target` is left exactly as it was. A missing parent folder is refused.
    """
    target = Path(target)
    parent = target.absolute().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"folder {str(target.parent)!r} for {target.name} does not exist")
    remove_stale(target)
    staging = _sibling(parent / target.name, "tmp")
    staging.mkdir()  # unlike tempfile.mkdtemp (mode 0o700), this respects the umask
    try:
        yield staging
        interrupts.check()
        _swap_in(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
