"""The reliability suite's workspace: good inputs, previous outputs, and the promise every bad run must keep.

The promise (README): a bad argument, file or column exits with status 2 (130 when interrupted),
prints one line that names the problem and no traceback, leaves every previous output byte-identical
and leaves nothing behind.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from priorlab.cli import main

TRAIN = "train.csv"
DATA = "data.csv"
MODEL = "model"
PREVIOUS = ("pred.csv", "digits.png", "model")  # outputs of earlier runs that bad runs must not touch


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones included) by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Workspace:
    root: Path

    def __truediv__(self, name: str) -> Path:
        return self.root / name

    def run(self, argv: list[str]) -> tuple[int, str]:
        """Run the CLI in process: (exit status, stderr). A traceback escapes as an exception."""
        import contextlib
        import io

        err = io.StringIO()
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                main([str(a) for a in argv])
            status = 0
        except SystemExit as exc:
            status = exc.code
        return status, err.getvalue()


def _train_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(40, 2))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": np.sin(3 * x[:, 0]) + x[:, 1]})


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workspace")
    _train_frame().to_csv(root / TRAIN, index=False)
    _train_frame()[["a", "b"]].iloc[:7].to_csv(root / DATA, index=False)
    status = main_status(["fit", root / TRAIN, "--target", "y", "--members", "3", "--epochs", "5", "--hidden", "4",
                          "--out", root / MODEL, "--quiet"])
    assert status == 0
    shutil.copytree(root / MODEL, root / "model_previous")
    assert main_status(["predict", root / MODEL, root / DATA, "--out", root / "pred.csv"]) == 0
    assert main_status(["benford", root / TRAIN, "--column", "a", "--plot", root / "digits.png", "--json",
                        "--sign", "both"]) == 0
    shutil.rmtree(root / MODEL)
    (root / "model_previous").rename(root / MODEL)
    return root


def main_status(argv) -> int:
    try:
        main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.fixture()
def workspace(_template, tmp_path) -> Workspace:
    """A fresh copy of the good inputs and previous outputs for one case."""
    root = tmp_path / "ws"
    shutil.copytree(_template, root)
    return Workspace(root)


def assert_refused(workspace: Workspace, argv: list, fragment: str, status: int = 2) -> None:
    """The run exits with `status`, says one line containing `fragment`, and changes nothing on disk."""
    before = snapshot(workspace.root)
    code, err = workspace.run(argv)
    assert code == status, f"exit {code}, stderr: {err!r}"
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert fragment.lower() in " ".join(err.split()).lower(), err
    assert snapshot(workspace.root) == before, "a refused run changed the workspace"
