"""Generated files against `benford`, `fit` and `predict`: whatever the bytes, a run either succeeds or
refuses in one line with status 2; it never crashes with a traceback and never leaves files behind."""

from __future__ import annotations

import csv
import io
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.reliability.conftest import MODEL, snapshot

SETTINGS = settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", "NA", "n/a", " 12 ", "1,234", "1e39", "-0", "0x1A", "1_000", "null", "€5"]),
    st.text(max_size=6),
)


NAMES = st.sampled_from(["a", "b", "y", "a", "é", ""])


@st.composite
def tables(draw, names=NAMES):
    """CSV text: a header (names may repeat or be empty) and rows that may be ragged."""
    header = draw(st.lists(names, min_size=1, max_size=4))
    width = len(header)
    rows = draw(st.lists(st.lists(cells, min_size=max(width - 1, 1), max_size=width + 1), max_size=8))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


files = st.one_of(
    tables().map(lambda text: text.encode()),
    tables().map(lambda text: text.encode("utf-16")),
    tables().map(lambda text: text.encode("latin-1", errors="replace")),
    st.binary(max_size=200),
)


def _check(workspace, argv):
    before = {k: v for k, v in snapshot(workspace.root).items() if k != "in.csv"}
    code, err = workspace.run(argv)
    assert code in (0, 2), (code, err)
    if code == 2:
        assert err.count("\n") == 1 and "Traceback" not in err, err
    after = {k: v for k, v in snapshot(workspace.root).items() if k != "in.csv"}
    new = set(after) - set(before)
    assert all(not name.split("/")[-1].startswith(".") for name in new), f"debris: {new}"
    return code


@SETTINGS
@given(content=files, column=st.sampled_from(["a", "y", "é"]), test=st.sampled_from(["first", "last-two"]))
def test_benford_on_generated_files(workspace, content, column, test):
    (workspace.root / "in.csv").write_bytes(content)
    _check(workspace, ["benford", workspace / "in.csv", "--column", column, "--test", test, "--json"])


@SETTINGS
@given(content=files)
def test_fit_on_generated_files(workspace, content):
    shutil.rmtree(workspace / "fitted", ignore_errors=True)
    (workspace.root / "in.csv").write_bytes(content)
    code = _check(workspace, ["fit", workspace / "in.csv", "--target", "y", "--members", "2", "--epochs", "2",
                              "--hidden", "3", "--quiet", "--out", workspace / "fitted"])
    assert (workspace / "fitted").exists() == (code == 0)


@SETTINGS
@given(content=files)
def test_predict_on_generated_files(workspace, content):
    (workspace.root / "in.csv").write_bytes(content)
    code = _check(workspace, ["predict", workspace / MODEL, workspace / "in.csv", "--out", workspace / "out.csv"])
    assert (workspace / "out.csv").exists() == (code == 0)
    (workspace / "out.csv").unlink(missing_ok=True)
