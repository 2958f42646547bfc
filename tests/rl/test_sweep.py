"""The sweep's one presentation: its rows (agent, N, learning times per seed) and exponent text, checked
against tables written by hand, and the command line's table printing them."""

import pytest

import priorlab.rl.sweep as sweep_module
from priorlab.cli import main
from priorlab.rl.experiment import DeepSeaResult
from priorlab.rl.sweep import SweepResult


def _run(agent: str, size: int, seed: int, learning_time: int | None) -> DeepSeaResult:
    return DeepSeaResult(size, agent, seed, learning_time or 50, learning_time, 1, 0.0)


RUNS = [_run("dqn", 4, 0, None), _run("prior", 6, 1, 30), _run("bootstrap", 4, 0, 12), _run("prior", 4, 1, None),
        _run("prior", 6, 0, 20), _run("prior", 4, 0, 5), _run("bootstrap", 6, 0, None)]


def test_rows_put_the_prior_agent_first_sizes_increasing_seeds_in_order():
    assert SweepResult(RUNS, 50, None, None, 1.0).rows() == [
        ("prior", 4, "5, -"), ("prior", 6, "20, 30"), ("bootstrap", 4, "12"), ("bootstrap", 6, "-"), ("dqn", 4, "-"),
    ]


@pytest.mark.parametrize(("exponent", "se", "text"), [
    (1.1894, 0.1567, "learning time ~ N^1.19 ± 0.16"),
    (2.0, None, "learning time ~ N^2.00"),
    (None, None, None),
])
def test_exponent_text(exponent, se, text):
    assert SweepResult(RUNS, 50, exponent, se, 1.0).exponent_text() == text


def test_the_command_line_prints_the_rows_and_the_exponent(monkeypatch, capsys):
    result = SweepResult(RUNS, 50, 1.1894, 0.1567, 3.0)
    monkeypatch.setattr(sweep_module, "sweep", lambda *args, **kwargs: result)
    main(["deep-sea", "--sweep", "--quiet"])
    lines = capsys.readouterr().out.splitlines()
    cells = [[cell.strip() for cell in line.strip("│┃ ").split("│")] for line in lines if "│" in line]
    assert cells == [[agent, str(size), times] for agent, size, times in result.rows()]
    assert "learning time per seed" in "".join(lines)
    assert lines[-1] == "prior agent: learning time ~ N^1.19 ± 0.16; 3 s"
