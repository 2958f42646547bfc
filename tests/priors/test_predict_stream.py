"""`priorlab predict` streaming a table in chunks: the output equals one prediction of the whole table, errors
in a late chunk name their line and row in the whole file, and a failure mid-stream leaves no output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from priorlab import tables
from priorlab.cli import main
from priorlab.priors import Ensemble, streaming

ROWS = 53  # several chunks of 7 and a short last one


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, tuple[Ensemble, str]]:
    """A point-prediction and a Gaussian ensemble fitted on named columns, saved as `priorlab fit` saves."""
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.uniform(-1, 1, 80), "b": rng.uniform(-1, 1, 80)})
    y = np.sin(3 * x["a"]) + x["b"]
    folder = tmp_path_factory.mktemp("models")
    saved = {}
    for likelihood in ("mse", "gaussian"):
        ensemble = Ensemble(n_members=3, hidden=(8,), epochs=5, seed=2, likelihood=likelihood).fit(x, y, progress=False)
        saved[likelihood] = (ensemble, str(ensemble.save(folder / likelihood)))
    return saved


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"id": [f"row {i}, quoted" for i in range(ROWS)], "b": rng.uniform(-2, 2, ROWS),
                         "a": rng.uniform(-2, 2, ROWS)})


def _write(frame: pd.DataFrame, path) -> str:
    if str(path).endswith(".parquet"):
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=10)
    else:
        frame.to_csv(path, index=False)
    return str(path)


def _read(path) -> pd.DataFrame:
    return pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)


def _status(argv) -> int:
    try:
        main([str(a) for a in argv])
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.mark.parametrize("likelihood", ["mse", "gaussian"])
@pytest.mark.parametrize("source, target", [("csv", "csv"), ("parquet", "parquet"), ("csv", "parquet")])
def test_chunked_output_equals_one_prediction_of_the_whole_table(tmp_path, models, table, likelihood, source,
                                                                 target):
    ensemble, model = models[likelihood]
    data = _write(table, tmp_path / f"data.{source}")
    out = tmp_path / f"pred.{target}"
    assert _status(["predict", model, data, "--out", out, "--level", "0.8", "--members", "--chunk-rows", "7"]) == 0
    written = _read(out)
    x = table[["a", "b"]]
    predictions = ensemble.predict_distribution(x) if likelihood == "gaussian" else ensemble.predict(x)
    members = predictions.members if likelihood == "gaussian" else predictions
    lower, upper = predictions.interval(0.8)
    assert list(written.columns) == ["id", "b", "a", "mean", "std", "lower", "upper", "member_0", "member_1",
                                     "member_2"]
    assert list(written["id"]) == list(table["id"])
    np.testing.assert_array_equal(written[["b", "a"]].astype(float), table[["b", "a"]])  # the cells as read
    for name, expected in [("mean", predictions.mean()), ("std", predictions.std()), ("lower", lower),
                           ("upper", upper), *((f"member_{k}", members.samples[k]) for k in range(3))]:
        np.testing.assert_allclose(written[name], expected, rtol=1e-9, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("content, fragment", [
    ("a,b\n" + "0.5,1\n" * 40 + "0.5,abc\n" + "1,1\n" * 5, "line 42: column 'b' is not numeric (row 41: 'abc')"),
    ("a,b\n" + "0.5,1\n" * 40 + "\n0.5,\n", "line 43: column 'b' has a missing value (row 41)"),
    ("id,a,b\n" + "r,0.5,1\n" * 30 + '"x\ny",0.5,1\n' + "r,0.5,inf\n",  # a quoted cell over two lines
     "line 34: column 'b' has an infinite value (row 32)"),
    ("a,b\n" + "0.5,1\n" * 40 + "0.5,1,2\n", "line 42 has 3 fields but the header has 2"),
    ("a,b\n" + "0.5,1\n" * 40 + "caf\xe9,1\n", "not UTF-8 text (byte 0xe9 on line 42)"),
])
def test_an_error_in_a_late_chunk_names_its_line_and_row(tmp_path, models, content, fragment, capsys):
    data = tmp_path / "late.csv"
    data.write_bytes(content.encode("latin-1"))
    out = tmp_path / "pred.csv"
    out.write_text("a previous output\n")
    assert _status(["predict", models["mse"][1], data, "--out", out, "--chunk-rows", "4"]) == 2
    assert fragment in " ".join(capsys.readouterr().err.split())
    assert out.read_text() == "a previous output\n"  # the chunks written before the error were thrown away
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late.csv", "pred.csv"]


def test_a_late_parquet_error_names_the_row(tmp_path, models, table, capsys):
    frame = table.copy()
    frame.loc[45, "a"] = np.nan
    data = _write(frame, tmp_path / "data.parquet")
    assert _status(["predict", models["mse"][1], data, "--out", tmp_path / "p.parquet", "--chunk-rows", "8"]) == 2
    assert "data.parquet: column 'a' has a missing value (row 46)" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.parquet"]


def test_a_failure_after_some_chunks_were_written_leaves_no_output(tmp_path, models, table, monkeypatch):
    data = _write(table, tmp_path / "data.csv")
    written = []

    def fail_in_the_sixth_chunk(model, x, first_row, **options):
        if first_row == 5 * 7:
            assert len(written) == 5 and (tmp_path / "pred.parquet").exists() is False
            raise OSError("disk full")
        written.append(first_row)
        return predict(model, x, first_row, **options)

    predict = streaming.chunk_predictions
    monkeypatch.setattr(streaming, "chunk_predictions", fail_in_the_sixth_chunk)
    with pytest.raises(OSError, match="disk full"):
        streaming.predict_file(models["mse"][0].predictor_, data, tmp_path / "pred.parquet", chunk_rows=7)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


def test_chunks_are_regrouped_to_the_size_asked_whatever_the_file_layout(tmp_path, table, monkeypatch):
    csv_path, parquet_path = _write(table, tmp_path / "t.csv"), _write(table, tmp_path / "t.parquet")
    monkeypatch.setattr(tables, "CSV_BLOCK_BYTES", 200)  # CSV batches of a few rows, Parquet row groups of 10
    for path in (csv_path, parquet_path):
        chunks = list(tables.iter_chunks(path, 7))
        assert [first for first, _ in chunks] == list(range(0, ROWS, 7))
        assert [chunk.num_rows for _, chunk in chunks] == [7] * 7 + [4]
        assert pa.concat_tables(chunk for _, chunk in chunks).equals(tables.read_arrow(path))
    with pytest.raises(ValueError, match="rows: expected a positive number"):
        next(tables.iter_chunks(csv_path, 0))


def test_dask_workers_write_what_one_process_writes(tmp_path, models, table, monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    import contextlib

    import priorlab.distributed

    @contextlib.contextmanager
    def threads_cluster(scheduler=None, workers=None):  # in-process workers: the same protocol, a faster start
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            yield client

    monkeypatch.setattr(priorlab.distributed, "dask_client", threads_cluster)
    data = _write(table, tmp_path / "data.csv")
    model = models["gaussian"][1]
    assert _status(["predict", model, data, "--out", tmp_path / "one.csv", "--chunk-rows", "6"]) == 0
    assert _status(["predict", model, data, "--out", tmp_path / "two.csv", "--chunk-rows", "6", "--workers", "2"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "two.csv"), pd.read_csv(tmp_path / "one.csv"))
