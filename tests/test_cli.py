"""`priorlab.cli.main`: an error the user can fix is one line on stderr and exit status 2."""

from __future__ import annotations

import pytest

import priorlab.benford.columns
from priorlab.cli import main


@pytest.mark.parametrize(
    "error",
    [
        ImportError('Dask is not installed: pip install "priorlab[dask]"'),
        IsADirectoryError("out: is a folder"),
        ValueError("column 'x' has no numbers [row 3]"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_user_errors_are_one_line_exit_2_with_markup_kept(monkeypatch, capsys, tmp_path, error):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(priorlab.benford.columns, "read_column", fail)
    with pytest.raises(SystemExit) as exit_info:
        main(["benford", str(tmp_path / "data.csv"), "--column", "x"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(error) in err  # square brackets are printed, not read as rich markup


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["benford"])
    assert exit_info.value.code == 2


def test_programming_errors_are_not_swallowed(monkeypatch, tmp_path):
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(priorlab.benford.columns, "read_column", fail)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["benford", str(tmp_path / "data.csv"), "--column", "x"])
