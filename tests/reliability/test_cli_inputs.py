"""Every command against bad input: exit 2, one line naming the problem, previous outputs untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.reliability.conftest import DATA, MODEL, TRAIN, assert_refused


def _write(name: str, content: str | bytes):
    """A setup step writing one input file into the workspace."""
    def setup(root: Path) -> None:
        path = root / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return setup


def _mkdir(name: str):
    def setup(root: Path) -> None:
        (root / name).mkdir()
        (root / name / "keep.txt").write_text("a user's file")
    return setup


def _edit_config(change):
    def setup(root: Path) -> None:
        path = root / MODEL / "config.json"
        config = json.loads(path.read_text())
        change(config)
        path.write_text(json.dumps(config))
    return setup


def _set_format_version(value):
    def change(config):
        config["format_version"] = value
    return _edit_config(change)


def _truncate(name: str, keep: int):
    def setup(root: Path) -> None:
        path = root / name
        path.write_bytes(path.read_bytes()[:keep])
    return setup


FIT = ["fit", TRAIN, "--target", "y", "--members", "2", "--epochs", "2", "--quiet", "--out", "new_model"]
PREDICT = ["predict", MODEL, DATA, "--out", "new_pred.csv"]
BENFORD = ["benford", TRAIN, "--column", "a", "--quiet"]


def _with(argv: list[str], **replace: str) -> list[str]:
    """`argv` with option values replaced (`out="x"` sets --out x) or, for new options, appended."""
    argv = list(argv)
    for option, value in replace.items():
        flag = "--" + option.replace("_", "-")
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    return argv


# (id, setup or None, argv, fragment of the one-line message)
CASES = [
    # --- benford ---------------------------------------------------------------------------------
    ("benford-missing-file", None, ["benford", "nope.csv", "--column", "a"], "nope.csv: no such file"),
    ("benford-folder-as-file", _mkdir("dir.csv"), ["benford", "dir.csv", "--column", "a"], "is a folder"),
    ("benford-empty-file", _write("e.csv", ""), ["benford", "e.csv", "--column", "a"], "empty file"),
    ("benford-header-only", _write("h.csv", "a,b\n"), ["benford", "h.csv", "--column", "a"], "no numbers"),
    ("benford-no-such-column", None, _with(BENFORD, column="zz"), "'zz' not found"),
    ("benford-duplicate-header", _write("d.csv", "a,a\n1,2\n"), ["benford", "d.csv", "--column", "a"],
     "repeated column names 'a'"),
    ("benford-short-row", _write("r.csv", "a,b\n1,2\n3\n"), ["benford", "r.csv", "--column", "a"],
     "line 3 has 1 fields but the header has 2"),
    ("benford-long-row", _write("r.csv", "a,b\n1,2\n3,4,5\n"), ["benford", "r.csv", "--column", "a"],
     "line 3 has 3 fields"),
    ("benford-latin1", _write("l.csv", b"a,b\n1,caf\xe9\n"), ["benford", "l.csv", "--column", "a"],
     "not UTF-8 text (byte 0xe9 on line 2)"),
    ("benford-not-parquet", _write("p.parquet", "a,b\n1,2\n"), ["benford", "p.parquet", "--column", "a"],
     "p.parquet: not a readable Parquet file"),
    ("benford-text-only", _write("t.csv", "a\nx\ny\n"), ["benford", "t.csv", "--column", "a"],
     "column 'a' has no numbers"),
        ("benford-all-zero", _write("z.csv", "a\n0\n0\n"), ["benford", "z.csv", "--column", "a", "--quiet"],
     "z.csv: column 'a': no positive values left to test after dropping 2 zero"),
    ("benford-all-negative", _write("n.csv", "a\n-1\n-2\n"), ["benford", "n.csv", "--column", "a", "--quiet"],
     "n.csv: column 'a': no positive values left to test after dropping 2 sign"),
    ("benford-strict-text", _write("s.csv", "a\n1\nx\n"), ["benford", "s.csv", "--column", "a", "--strict"],
     "1 text cells in column 'a' (file lines 3)"),
    ("benford-bad-test", None, _with(BENFORD, test="third"), "test: expected one of"),
    ("benford-bad-sign", None, _with(BENFORD, sign="up"), "sign: expected one of"),
    ("benford-workers-and-scheduler", None, _with(BENFORD, workers="2", scheduler="tcp://127.0.0.1:1"),
     "not both"),
    ("benford-plot-suffix", None, _with(BENFORD, plot="fig.tmp"), "--plot"),
    ("benford-plot-missing-folder", None, _with(BENFORD, plot="no/fig.png"), "does not exist"),
    ("benford-plot-is-folder", _mkdir("figs"), _with(BENFORD, plot="figs"), "is a folder"),
    ("benford-usage-missing-column", None, ["benford", TRAIN], "Missing option '--column'"),
    ("benford-usage-unknown-option", None, [*BENFORD, "--bogus"], "No such option: --bogus"),
    # --- fit ----------------------------------------------------------------------------------------
    ("fit-missing-file", None, [*_with(FIT)[:1], "nope.csv", *FIT[2:]], "nope.csv: no such file"),
    ("fit-duplicate-target", _write("d.csv", "a,y,y\n1,2,3\n4,5,6\n"), ["fit", "d.csv", *FIT[2:]],
     "repeated column names 'y'"),
    ("fit-duplicate-feature", _write("d.csv", "a,a,y\n1,2,3\n4,5,6\n"), ["fit", "d.csv", *FIT[2:]],
     "repeated column names 'a'"),
    ("fit-short-row", _write("r.csv", "a,y\n1,2\n3\n"), ["fit", "r.csv", *FIT[2:]], "line 3 has 1 fields"),
    ("fit-no-target", None, _with(FIT, target="zz"), "target column 'zz' not found"),
    ("fit-text-cell", _write("t.csv", "a,y\n1,2\nx,3\n"), ["fit", "t.csv", *FIT[2:]], "column 'a' is not numeric"),
    ("fit-missing-cell", _write("m.csv", "a,y\n1,2\n,3\n"), ["fit", "m.csv", *FIT[2:]],
     "column 'a' has a missing value"),
    ("fit-infinite-cell", _write("i.csv", "a,y\n1,2\ninf,3\n"), ["fit", "i.csv", *FIT[2:]],
     "column 'a' has an infinite value"),
    ("fit-float32-overflow-feature", _write("o.csv", "a,y\n1,2\n1e39,3\n"), ["fit", "o.csv", *FIT[2:], "--raw"],
     "'a'"),
    ("fit-float32-overflow-target", _write("o.csv", "a,y\n1,2\n2,1e308\n"), ["fit", "o.csv", *FIT[2:]], "'y'"),
    ("fit-members-zero", None, _with(FIT, members="0"), "members"),
    ("fit-epochs-zero", None, _with(FIT, epochs="0"), "epochs"),
    ("fit-hidden-text", None, _with(FIT, hidden="a,b"), "--hidden"),
    ("fit-bad-prior", None, _with(FIT, prior="gauss"), "prior: expected one of"),
    ("fit-bad-bootstrap", None, _with(FIT, bootstrap="jackknife"), "bootstrap: expected one of"),
    ("fit-lr-zero", None, _with(FIT, lr="0"), "lr"),
    ("fit-batch-zero", None, _with(FIT, batch_size="0"), "batch_size"),
    ("fit-out-foreign-folder", _mkdir("mine"), _with(FIT, out="mine"), "not a priorlab model directory"),
    ("fit-out-under-a-file", None, _with(FIT, out=f"{TRAIN}/M"), "train.csv"),
    ("fit-out-missing-parent", None, _with(FIT, out="no/such/M"), "does not exist"),
    ("fit-empty", _write("e.csv", "a,y\n"), ["fit", "e.csv", *FIT[2:]], "no data rows"),
    # --- predict ------------------------------------------------------------------------------------
    ("predict-missing-model", None, [*_with(PREDICT)[:1], "nomodel", *PREDICT[2:]], "nomodel"),
    ("predict-foreign-folder", _mkdir("mine"), ["predict", "mine", *PREDICT[2:]], "config.json"),
    ("predict-config-not-json", _write(f"{MODEL}/config.json", "{"), PREDICT, "config.json: not valid JSON"),
    ("predict-format-version-true", _set_format_version(True), PREDICT, "format_version"),
    ("predict-format-version-1", _set_format_version(1), PREDICT, "format_version"),
    ("predict-weights-truncated", _truncate(f"{MODEL}/weights.safetensors", 100), PREDICT, "weights.safetensors"),
    ("predict-weights-missing", lambda root: (root / MODEL / "weights.safetensors").unlink(), PREDICT,
     "weights.safetensors"),
    ("predict-missing-feature", _write("x.csv", "a\n1\n"), ["predict", MODEL, "x.csv", "--out", "p.csv"], "'b'"),
    ("predict-duplicate-header", _write("x.csv", "a,b,b\n1,2,3\n"), ["predict", MODEL, "x.csv", "--out", "p.csv"],
     "repeated column names 'b'"),
    ("predict-text-cell", _write("x.csv", "a,b\n1,x\n"), ["predict", MODEL, "x.csv", "--out", "p.csv"],
     "column 'b' is not numeric"),
    ("predict-infinite-cell", _write("x.csv", "a,b\n1,-inf\n"), ["predict", MODEL, "x.csv", "--out", "p.csv"],
     "column 'b' has an infinite value"),
    ("predict-level", None, _with(PREDICT, level="1.5"), "level"),
    ("predict-out-missing-parent", None, _with(PREDICT, out="no/p.csv"), "does not exist"),
    ("predict-out-is-folder", _mkdir("preds"), _with(PREDICT, out="preds"), "is a folder"),
    ("predict-late-text-cell", _write("x.csv", "a,b\n" + "1,2\n" * 40 + "1,x\n"),
     ["predict", MODEL, "x.csv", "--out", "p.csv", "--chunk-rows", "7"], "line 42: column 'b' is not numeric (row 41"),
    ("predict-late-short-row", _write("x.csv", "a,b\n" + "1,2\n" * 40 + "1\n"),
     ["predict", MODEL, "x.csv", "--out", "p.csv", "--chunk-rows", "7"], "line 42 has 1 fields"),
    ("predict-chunk-rows-zero", None, _with(PREDICT, chunk_rows="0"), "chunk_rows"),
    ("predict-workers-and-scheduler", None, _with(PREDICT, workers="2", scheduler="tcp://127.0.0.1:1"), "not both"),
    ("predict-overwrite-input-columns", _write("x.csv", "a,b,mean\n1,2,3\n"),
     ["predict", MODEL, "x.csv", "--out", "p.csv"], "mean"),
    # --- demo and lm-digits: refused before any work --------------------------------------------------
    ("demo-out-is-a-file", None, ["demo", "--out", TRAIN, "--quick", "--quiet"], "train.csv"),
    ("demo-out-foreign-folder", _mkdir("report"), ["demo", "--out", "report", "--quick", "--quiet"], "report"),
    ("demo-members-zero", None, ["demo", "--out", "r", "--quick", "--members", "0", "--quiet"], "members"),
    ("demo-model-typo", None, ["demo", "--out", "r", "--quick", "--model", "no/such/model", "--quiet"], "model"),
    ("lm-bad-position", None, ["lm-digits", "x", "--position", "third"], "position: expected one of"),
    ("lm-bad-method", None, ["lm-digits", "x", "--method", "guess"], "method: expected one of"),
    ("lm-batch-zero", None, ["lm-digits", "x", "--batch-size", "0"], "batch_size"),
    ("lm-tol-one", None, ["lm-digits", "x", "--tol", "1"], "tol"),
    ("lm-prompts-file-missing", None, ["lm-digits", "--prompts-file", "none.txt"], "none.txt"),
    ("lm-plot-suffix", None, ["lm-digits", "x", "--plot", "f.tmp"], "--plot"),
    ("unknown-command", None, ["frobnicate"], "No such command"),
]


@pytest.mark.parametrize(("setup", "argv", "fragment"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_in_one_line_and_changes_nothing(workspace, monkeypatch, setup, argv, fragment):
    monkeypatch.chdir(workspace.root)
    if setup is not None:
        setup(workspace.root)
    assert_refused(workspace, argv, fragment)


def test_case_ids_are_unique():
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))


def _no_work(*args, **kwargs):
    raise AssertionError("work started before the output location was checked")


@pytest.mark.parametrize(("setup", "argv", "fragment", "work"), [
    (_mkdir("mine"), _with(FIT, out="mine"), "not a priorlab model directory", "priorlab.priors.Ensemble.fit"),
    (None, _with(FIT, out=f"{TRAIN}/M"), "train.csv", "priorlab.priors.Ensemble.fit"),
    (None, _with(FIT, out="no/such/M"), "does not exist", "priorlab.priors.Ensemble.fit"),
    (None, _with(PREDICT, out="no/p.csv"), "does not exist", "priorlab.priors.Ensemble.load"),
    (_mkdir("preds"), _with(PREDICT, out="preds"), "is a folder", "priorlab.priors.Ensemble.load"),
    (_mkdir("report"), ["demo", "--out", "report", "--quick", "--quiet"], "report", "priorlab.demo.priors_section"),
], ids=["fit-foreign", "fit-under-file", "fit-missing-parent", "predict-missing-parent", "predict-folder",
        "demo-foreign"])
def test_output_locations_are_checked_before_any_work(workspace, monkeypatch, setup, argv, fragment, work):
    monkeypatch.chdir(workspace.root)
    monkeypatch.setattr(work, _no_work)
    if setup is not None:
        setup(workspace.root)
    assert_refused(workspace, argv, fragment)
