"""Running `priorlab benford ...` in-process for the CLI tests: the exit code and streams of a failing call,
the streams of a succeeding one."""

from __future__ import annotations

import pytest

from priorlab.cli import main


def run(argv, capsys):
    """(exit code, stdout, stderr) of a call that exits."""
    with pytest.raises(SystemExit) as exit_info:
        main(["benford", *argv])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def run_ok(argv, capsys):
    """(stdout, stderr) of a call that returns."""
    main(["benford", *argv])
    out = capsys.readouterr()
    return out.out, out.err
