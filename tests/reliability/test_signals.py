"""Real signals at random points of long commands: Ctrl-C exits 130 in one line, a kill leaves the previous
output intact, and whatever a killed writer left behind is cleared by the next write to the same place."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from tests.reliability.conftest import MODEL, snapshot

# Signals land after start-up (imports take ~1-2 s here), at a point drawn from this window of seconds.
WINDOW = (2.5, 5.0)
TIMEOUT = 240


def _launch(argv: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "priorlab.cli", *map(str, argv)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _signal_at_random_point(process: subprocess.Popen, signum: int, rng: random.Random) -> tuple[int, str]:
    time.sleep(rng.uniform(*WINDOW))
    assert process.poll() is None, "the command ended before the signal; make its work longer"
    process.send_signal(signum)
    _, err = process.communicate(timeout=TIMEOUT)
    return process.returncode, err


def _ours(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(".")}


@pytest.fixture(scope="session")
def big_csv(tmp_path_factory) -> Path:
    """Two million rows to predict: reading, predicting and writing them takes well over WINDOW seconds."""
    import pyarrow as pa
    import pyarrow.csv

    rng = np.random.default_rng(1)
    path = tmp_path_factory.mktemp("big") / "big.csv"
    pyarrow.csv.write_csv(pa.table({"a": rng.uniform(-1, 1, 2_000_000), "b": rng.uniform(-1, 1, 2_000_000)}), path)
    return path


@pytest.fixture()
def long_jobs(workspace, big_csv) -> dict[str, list]:
    """Commands that run for well over WINDOW seconds on this machine, each replacing a previous output."""
    return {
        "fit": ["fit", "train.csv", "--target", "y", "--members", "20", "--hidden", "64,64", "--epochs", "200000",
                "--out", MODEL, "--quiet"],
        "predict": ["predict", MODEL, big_csv, "--out", "pred.csv", "--members"],
        "demo": ["demo", "--out", "report", "--quick", "--quiet", "--members", "4"],
    }


def _previous_output(workspace, command: str) -> Path:
    root = workspace.root
    if command == "demo":  # a previous report of ours, which an interrupted run must leave as it was
        assert _run_to_end(["demo", "--out", "report", "--quick", "--quiet", "--members", "2"], root) == 0
        return root / "report"
    return root / (MODEL if command == "fit" else "pred.csv")


def _run_to_end(argv: list[str], cwd: Path) -> int:
    return subprocess.run([sys.executable, "-m", "priorlab.cli", *argv], cwd=cwd, capture_output=True,
                          timeout=TIMEOUT).returncode


def _state(path: Path) -> dict[str, bytes] | bytes:
    return snapshot(path) if path.is_dir() else path.read_bytes()


@pytest.mark.parametrize("command", ["fit", "predict", "demo"])
def test_ctrl_c_exits_130_in_one_line_and_keeps_the_previous_output(workspace, long_jobs, command, request):
    rng = random.Random(request.node.name)
    previous = _previous_output(workspace, command)
    before, hidden_before = _state(previous), _ours(workspace.root)
    code, err = _signal_at_random_point(_launch(long_jobs[command], workspace.root), signal.SIGINT, rng)
    assert code == 130, err
    last = err.strip().splitlines()[-1]
    assert "interrupted" in last and "Traceback" not in err, err
    assert _state(previous) == before
    assert _ours(workspace.root) == hidden_before, "temporaries left behind"


@pytest.mark.parametrize("command", ["fit", "predict", "demo"])
def test_after_a_kill_the_previous_output_survives_and_the_next_write_clears_the_debris(
        workspace, long_jobs, command, request):
    rng = random.Random(request.node.name)
    previous = _previous_output(workspace, command)
    before = _state(previous)
    code, _ = _signal_at_random_point(_launch(long_jobs[command], workspace.root), signal.SIGKILL, rng)
    assert code == -signal.SIGKILL
    assert _state(previous) == before
    quick = {"fit": ["--epochs", "2", "--members", "2"], "predict": [], "demo": ["--members", "2"]}[command]
    argv = long_jobs[command] + quick
    if command == "predict":
        argv[2] = "data.csv"
    assert _run_to_end(argv, workspace.root) == 0
    assert _ours(workspace.root) == set(), "the next write left a killed writer's temporaries behind"
