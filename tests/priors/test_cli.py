"""`priorlab fit` / `priorlab predict`, in process: files written, errors as one line + exit 2, no debris."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from priorlab.cli import main
from priorlab.priors import Ensemble, osband_1d


@pytest.fixture()
def train_csv(tmp_path):
    x, y = osband_1d()
    path = tmp_path / "train.csv"
    pd.DataFrame({"x": x[:, 0], "noise": np.arange(20.0), "y": y[:, 0]}).to_csv(path, index=False)
    return path


def error_text(capsys) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(capsys.readouterr().err.split())


def run(argv):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in argv])
    return exit_info.value.code


def fit(train_csv, out, *extra):
    main(["fit", str(train_csv), "--target", "y", "--features", "x", "--members", "6", "--epochs", "40",
          "--out", str(out), "--quiet", *map(str, extra)])


def test_fit_then_predict_writes_inputs_summaries_and_members(tmp_path, train_csv, capsys):
    fit(train_csv, tmp_path / "model", "--prior", "sine", "--prior-scale", "0.5", "--bootstrap", "poisson",
        "--seed", "4")
    assert "model:" in capsys.readouterr().out
    model = Ensemble.load(tmp_path / "model")
    assert (model.n_members, model.prior, model.prior_scale, model.bootstrap, model.seed) == (
        6, "sine", 0.5, "poisson", 4)
    assert model.standardize
    assert model.feature_names_ == ["x"]

    grid = pd.DataFrame({"id": ["a", "b", "c"], "x": [-1.0, 0.25, 2.0]})
    grid.to_csv(tmp_path / "grid.csv", index=False)
    main(["predict", str(tmp_path / "model"), str(tmp_path / "grid.csv"), "--out", str(tmp_path / "pred.csv"),
          "--level", "0.8", "--members"])
    pred = pd.read_csv(tmp_path / "pred.csv")
    assert list(pred.columns) == ["id", "x", "mean", "std", "lower", "upper"] + [f"member_{k}" for k in range(6)]
    assert list(pred["id"]) == ["a", "b", "c"]
    samples = model.predict(grid[["x"]].to_numpy())
    np.testing.assert_allclose(pred["mean"], samples.mean(), rtol=1e-6)
    np.testing.assert_allclose(pred[[f"member_{k}" for k in range(6)]].to_numpy().T, samples.samples, rtol=1e-6)
    lower, upper = samples.interval(0.8)
    np.testing.assert_allclose(pred["lower"], lower, rtol=1e-6)
    np.testing.assert_allclose(pred["upper"], upper, rtol=1e-6)


def test_raw_flag_trains_without_standardisation(tmp_path, train_csv):
    fit(train_csv, tmp_path / "model", "--raw", "--hidden", "8")
    model = Ensemble.load(tmp_path / "model")
    assert not model.standardize and model.hidden == (8,)


def test_fit_shows_a_progress_bar_unless_quiet(tmp_path, train_csv, capsys):
    main(["fit", str(train_csv), "--target", "y", "--members", "2", "--epochs", "5", "--out", str(tmp_path / "m")])
    assert "training" in capsys.readouterr().err
    fit(train_csv, tmp_path / "m")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("extra, message", [
    (["--target", "nope"], "target column 'nope' not found"),
    (["--target", "y", "--features", "x,zz"], "feature column 'zz' not found"),
    (["--target", "y", "--members", "0"], "n_members"),
    (["--target", "y", "--prior", "gauss"], "prior: expected one of mlp, sine, none; got 'gauss'"),
    (["--target", "y", "--bootstrap", "jack"], "bootstrap"),
    (["--target", "y", "--prior-scale", "-1"], "prior_scale"),
    (["--target", "y", "--hidden", "20,x"], "--hidden"),
    (["--target", "y", "--features", "x,y"], "feature column 'y' is the target"),
    (["--target", "y", "--prior", "sine"], "prior: the prior returns 2 columns"),
    (["--target", "y", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
     "scheduler and workers: give only one of"),
    (["--target", "y", "--workers", "0"], "workers must be a positive integer, got 0"),
])
def test_fit_errors_exit_2_with_one_line_and_no_model_dir(tmp_path, train_csv, capsys, extra, message):
    code = run(["fit", train_csv, *extra, "--epochs", "2", "--out", tmp_path / "model", "--quiet"])
    err = error_text(capsys)
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "model").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.csv"]


def test_zero_epochs_is_a_usage_error(tmp_path, train_csv, capsys):
    assert run(["fit", train_csv, "--target", "y", "--epochs", "0", "--out", tmp_path / "model", "--quiet"]) == 2
    assert "epochs: expected an integer >= 1; got 0" in error_text(capsys)
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize("cell, message", [("abc", "column 'y' is not numeric (row 3: 'abc')"),
                                           ("", "column 'y' has a missing value (row 3)"),
                                           ("inf", "column 'y' has an infinite value (row 3)")])
def test_non_numeric_target_is_named_with_its_row(tmp_path, cell, message, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("x,y\n0,1\n1,2\n2," + cell + "\n3,4\n")
    assert run(["fit", path, "--target", "y", "--out", tmp_path / "m", "--quiet"]) == 2
    assert message in error_text(capsys)
    assert not (tmp_path / "m").exists()


def test_predict_errors_leave_no_output(tmp_path, train_csv, capsys):
    fit(train_csv, tmp_path / "model")
    (tmp_path / "nox.csv").write_text("z\n1\n")
    assert run(["predict", tmp_path / "model", tmp_path / "nox.csv", "--out", tmp_path / "p.csv"]) == 2
    assert "feature column 'x' not found" in error_text(capsys)
    (tmp_path / "ok.csv").write_text("x\n1\n")
    assert run(["predict", tmp_path / "model", tmp_path / "ok.csv", "--out", tmp_path / "p.csv", "--level", "1.5"]) == 2
    assert "level" in error_text(capsys)
    assert run(["predict", tmp_path / "missing", tmp_path / "ok.csv", "--out", tmp_path / "p.csv"]) == 2
    assert "no such model directory" in error_text(capsys)
    assert not (tmp_path / "p.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_interrupted_writes_leave_nothing_behind(tmp_path, train_csv, monkeypatch, capsys):
    fit(train_csv, tmp_path / "model")
    (tmp_path / "ok.csv").write_text("x\n1\n2\n3\n")
    from priorlab.priors import streaming

    chunks = []

    def fail_on_the_second_chunk(*args, **kwargs):  # the first chunk is written by then
        chunks.append(args)
        if len(chunks) == 2:
            raise OSError("disk full")
        return predict_chunk(*args, **kwargs)

    predict_chunk = streaming.chunk_predictions
    monkeypatch.setattr(streaming, "chunk_predictions", fail_on_the_second_chunk)
    assert run(["predict", tmp_path / "model", tmp_path / "ok.csv", "--out", tmp_path / "p.csv",
                "--chunk-rows", "1"]) == 2
    assert "disk full" in error_text(capsys)
    monkeypatch.setattr("priorlab.priors.io.save", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(SystemExit, match="2"):
        fit(train_csv, tmp_path / "model2")
    assert "disk full" in error_text(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "ok.csv", "train.csv"]


def test_fit_options_take_their_defaults_and_help_from_the_parameter_table():
    import typer

    from priorlab.cli import app
    from priorlab.priors.bootstrap import SCHEMES
    from priorlab.priors.params import PARAMS_BY_NAME, PRIOR_NAMES

    options = {p.name: p for p in typer.main.get_command(app).commands["fit"].params}
    for option, name in [("members", "n_members"), ("prior", "prior"), ("prior_scale", "prior_scale"),
                         ("bootstrap", "bootstrap"), ("epochs", "epochs"), ("lr", "lr"), ("batch_size", "batch_size"),
                         ("seed", "seed")]:
        assert options[option].default == PARAMS_BY_NAME[name].default, option
    assert options["hidden"].default == "20,20"
    assert all(scheme in options["bootstrap"].help for scheme in SCHEMES)
    assert all(prior in options["prior"].help for prior in PRIOR_NAMES)


def test_the_command_line_and_the_parameter_table_import_without_torch():
    import subprocess
    import sys

    code = "import sys, priorlab.cli, priorlab.priors.params; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_lazy_public_names_resolve():
    import priorlab.priors

    for name in priorlab.priors.__all__:
        assert getattr(priorlab.priors, name) is not None, name
    with pytest.raises(AttributeError, match="no_such_name"):
        priorlab.priors.no_such_name  # noqa: B018


def test_fit_on_a_local_dask_cluster_saves_the_in_process_model(tmp_path, train_csv):
    pytest.importorskip("dask.distributed")
    grid = tmp_path / "grid.csv"
    pd.DataFrame({"x": np.linspace(-1, 2, 7)}).to_csv(grid, index=False)
    predictions = {}
    for name, extra in [("here", []), ("there", ["--workers", "2"])]:
        fit(train_csv, tmp_path / name, "--seed", "3", "--batch-size", "8", *extra)
        main(["predict", str(tmp_path / name), str(grid), "--out", str(tmp_path / f"{name}.csv"), "--members"])
        predictions[name] = pd.read_csv(tmp_path / f"{name}.csv")
    assert list(predictions["there"].columns) == list(predictions["here"].columns)
    np.testing.assert_allclose(predictions["there"].to_numpy(), predictions["here"].to_numpy(), rtol=1e-5, atol=1e-5)
