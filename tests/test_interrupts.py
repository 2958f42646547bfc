"""A Ctrl-C that Python ignores (raised inside a weakref callback, where garbage collection may run at any
point) still stops every write and the command, which exits 130 in one line."""

from __future__ import annotations

import signal
import weakref

import pytest

import priorlab.benford.columns
from priorlab import files, interrupts
from priorlab.cli import main

# the KeyboardInterrupt Python ignores is reported as an unraisable exception: that is the case under test
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _ignored_ctrl_c() -> None:
    """SIGINT arrives while a weakref callback runs: Python prints "Exception ignored" and goes on."""
    class Collected:
        pass

    thing = Collected()
    ref = weakref.ref(thing, lambda _: signal.raise_signal(signal.SIGINT))
    del thing
    assert ref() is None  # the callback ran, and the KeyboardInterrupt it raised went nowhere


def test_an_ignored_ctrl_c_stops_every_later_write(tmp_path):
    target, folder = tmp_path / "out.txt", tmp_path / "report"
    target.write_text("before")
    folder.mkdir()
    with interrupts.watch():
        _ignored_ctrl_c()
        with pytest.raises(KeyboardInterrupt):
            files.write_text(target, "after")
        with pytest.raises(KeyboardInterrupt), files.staged_directory(folder) as staging:
            (staging / "index.html").write_text("after")
    assert target.read_text() == "before" and list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "report"]  # no temporaries left
    files.write_text(target, "after")  # the watch is over: writes go through again
    assert target.read_text() == "after"


def test_an_ignored_ctrl_c_makes_a_command_exit_130(monkeypatch, capsys, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("x\n" + "\n".join(str(v) for v in range(1, 200)) + "\n")
    read_column = priorlab.benford.columns.read_column

    def read_then_interrupted(*args, **kwargs):
        _ignored_ctrl_c()
        return read_column(*args, **kwargs)

    monkeypatch.setattr(priorlab.benford.columns, "read_column", read_then_interrupted)
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(SystemExit) as exit_info:
        main(["benford", str(data), "--column", "x", "--quiet"])
    assert exit_info.value.code == 130
    assert capsys.readouterr().err == "error: interrupted; nothing was written\n"
    assert signal.getsignal(signal.SIGINT) is handler  # the caller's handler is put back
