"""`priorlab benford FILE --column COL`: output, JSON, plot, text cells and clear errors."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pandas as pd
import pytest

try:
    from .cli_runs import run, run_ok
except ImportError:  # run as a rootdir-relative module
    from cli_runs import run, run_ok

JSON_KEYS = {"n", "digits", "counts", "observed", "expected", "z", "chi2", "chi2_p", "ks", "mad",
             "conformity", "pearson_r", "largest_deviations", "dropped"}


@pytest.fixture
def amounts_csv(tmp_path):
    rng = np.random.default_rng(0)
    values = [f"{v:.2f}" for v in rng.lognormal(5, 2, 2000)]
    values[10], values[500], values[501] = "pending", "1,234", "see note"
    values[30] = "n/a"  # a pandas NA marker: missing, like the empty cell
    values[20] = ""
    frame = pd.DataFrame({"id": range(2000), "amount": values})
    path = tmp_path / "amounts.csv"
    frame.to_csv(path, index=False)
    return path


def test_json_output_is_one_object_with_the_documented_keys(amounts_csv, capsys):
    out, err = run_ok([str(amounts_csv), "--column", "amount", "--json", "--test", "first-two"], capsys)
    payload = json.loads(out)
    assert set(payload) >= JSON_KEYS
    assert payload["dropped"]["text"] == 3 and payload["dropped"]["nan"] == 2
    assert payload["n"] == 2000 - 5 == sum(payload["counts"])
    assert payload["n"] + sum(payload["dropped"].values()) == 2000
    assert payload["largest_deviations"][0].keys() == {"digits", "abs_diff"}
    assert "3 text cells" in err and "lines 12, 502, 503" in err  # header is line 1
    # oracle: the first two significant digits of each cell's text as written (e.g. "0.05" -> 50, "123.40" -> 12)
    cells = [row["amount"] for row in csv.DictReader(amounts_csv.open(newline=""))]
    significant = [cell.replace(".", "").lstrip("0") for cell in cells if re.fullmatch(r"\d+\.\d\d", cell)]
    first_two = [int((digits + "0")[:2]) for digits in significant if digits]
    assert payload["counts"] == np.bincount(first_two, minlength=100)[10:].tolist()


def test_table_output_for_auditors(amounts_csv, capsys):
    out, _ = run_ok([str(amounts_csv), "-c", "amount", "--quiet"], capsys)
    assert "N = 1,995 values used" in out and "3 text" in out
    assert out.index("N = ") < out.index("largest deviations") < out.index("chi-square") < out.index("verdict")


def test_plot_is_written_atomically(amounts_csv, tmp_path, capsys):
    target = tmp_path / "fig.png"
    run_ok([str(amounts_csv), "-c", "amount", "--plot", str(target), "--json"], capsys)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["amounts.csv", "fig.png"]


def test_parquet_input(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    path = tmp_path / "values.parquet"
    pd.DataFrame({"v": [1.5, 22.0, 310.0, 0.0]}).to_parquet(path)
    payload = json.loads(run_ok([str(path), "-c", "v", "--json"], capsys)[0])
    assert payload["counts"][:3] == [1, 1, 1] and payload["dropped"]["zero"] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--column", "nope"], "column 'nope' not found"),
        (["--column", "amount", "--strict"], "3 text cells in column 'amount'"),
        (["--column", "amount", "--test", "third"], "test: expected one of first, second, first-two"),
        (["--column", "amount", "--sign", "pos"], "sign: expected one of positive, negative, both; got 'pos'"),
        (["--column", "amount", "--min-value", "1e300"], "no positive values left"),
        (["--column", "amount", "--workers", "2", "--scheduler", "tcp://x:1"], "not both"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(amounts_csv, capsys, argv, message):
    code, out, err = run([str(amounts_csv), *argv], capsys)
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err and out == ""


def test_missing_file_and_text_only_column(tmp_path, capsys):
    code, _, err = run([str(tmp_path / "missing.csv"), "--column", "x"], capsys)
    assert code == 2 and "no such file" in err
    path = tmp_path / "text.csv"
    path.write_text("name\nalpha\nbeta\n")
    code, _, err = run([str(path), "--column", "name"], capsys)
    assert code == 2 and "has no numbers" in " ".join(err.split())


@pytest.mark.parametrize(
    ("plot", "message"),
    [("fig.tmp", "suffix '.tmp'"), ("fig", "no suffix"), ("folder", "is a folder"), ("no/fig.png", "does not exist")],
)
def test_bad_plot_path_is_refused_before_the_data_is_read(tmp_path, capsys, plot, message):
    (tmp_path / "folder").mkdir()
    code, out, err = run([str(tmp_path / "missing.csv"), "-c", "x", "--plot", str(tmp_path / plot)], capsys)
    err = " ".join(err.split())
    assert code == 2 and out == ""
    assert err.startswith("error: --plot:") and message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


def test_svg_plot(amounts_csv, tmp_path, capsys):
    run_ok([str(amounts_csv), "-c", "amount", "--plot", str(tmp_path / "fig.svg"), "--json"], capsys)
    assert b"<svg" in (tmp_path / "fig.svg").read_bytes()[:500]


@pytest.mark.parametrize(
    "text", ["name,amount\nx,12.5\ny,300 \u20ac\n", "name,amount (\u20ac)\nx,12.5\n"], ids=["cell", "header"]
)
def test_non_utf8_file_is_named_with_a_way_out(tmp_path, capsys, text):
    path = tmp_path / "cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    column = "amount (\u20ac)" if "(" in text else "amount"
    code, _, err = run([str(path), "-c", column], capsys)
    err = " ".join(err.split())
    assert code == 2 and str(path) in err and "UTF-8" in err and "Traceback" not in err


def test_local_cluster_gives_the_same_counts(amounts_csv, capsys):
    pytest.importorskip("dask.distributed")
    local = json.loads(run_ok([str(amounts_csv), "-c", "amount", "--json"], capsys)[0])
    remote = json.loads(run_ok([str(amounts_csv), "-c", "amount", "--json", "--workers", "2"], capsys)[0])
    assert remote["counts"] == local["counts"] and remote["dropped"] == local["dropped"]
