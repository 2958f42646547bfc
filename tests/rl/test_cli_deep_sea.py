"""`priorlab deep-sea`: the JSON record, the figure, and one-line refusals of bad input."""

import json

import pytest

from priorlab.cli import main


def _run(capsys, *args):
    main(["deep-sea", *args, "--quiet"])
    return capsys.readouterr().out


def test_json_record_and_same_seed_same_numbers(capsys, tmp_path):
    plot = tmp_path / "curve.png"
    first = json.loads(_run(capsys, "--size", "5", "--episodes", "40", "--seed", "3", "--json", "--plot", str(plot)))
    assert set(first) == {"size", "agent", "seed", "episodes", "learning_time", "treasures", "seconds"}
    assert (first["size"], first["agent"], first["seed"], first["episodes"]) == (5, "prior", 3, 40)
    assert 0 <= first["treasures"] <= 40 and plot.stat().st_size > 0
    again = json.loads(_run(capsys, "--size", "5", "--episodes", "40", "--seed", "3", "--json"))
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in first.items() if k != "seconds"}


def test_sweep_json_and_figure(capsys, tmp_path):
    plot = tmp_path / "sweep.png"
    out = _run(
        capsys,
        "--sweep",
        "--sizes",
        "3,4",
        "--seeds",
        "1",
        "--episodes",
        "20",
        "--workers",
        "1",
        "--json",
        "--plot",
        str(plot),
    )
    result = json.loads(out)
    assert sorted((r["agent"], r["size"]) for r in result["runs"]) == sorted(
        (a, n) for a in ("prior", "bootstrap", "dqn") for n in (3, 4)
    )
    assert result["budget"] == 20 and plot.stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--size", "1"], "size"),
        (["--agent", "epsilon"], "agent"),
        (["--members", "0"], "members"),
        (["--sweep", "--sizes", "10,1"], "sizes"),
        (["--episodes", "0"], "episodes"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(capsys, tmp_path, args, named):
    plot = tmp_path / "never.png"
    with pytest.raises(SystemExit) as exit_info:
        main(["deep-sea", *args, "--plot", str(plot), "--quiet"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{named}:" in err
    assert list(tmp_path.iterdir()) == []
