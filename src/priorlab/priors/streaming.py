"""`priorlab predict` on a table of any size: rows are read, predicted and written one chunk at a time.

Memory follows the chunk (`tables.CHUNK_ROWS` rows by default), not the file. `tables.iter_chunks` streams
a CSV or Parquet file under the rules of a whole read; each chunk's features are checked (errors name the
file, column, row and CSV line, counted in the whole file), predicted, and written with the prediction
columns to a temporary file beside the output, which replaces the output only once every row is written
(`files.atomic_path`): a failure in a late chunk leaves no output and any previous one as it was.

The output holds the input's columns as read (a CSV's cells as their text) followed by
`datasets.prediction_columns`; it is Parquet when its name ends in .parquet or .pq, CSV otherwise. On a Dask
cluster the predictions run on its workers: the model (a `predictor.Predictor`) is sent to each worker once
(`scatter`), a few chunks per worker are in flight, and chunks are written in file order.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from priorlab import distributed, tables
from priorlab.files import atomic_path, check_output_file
from priorlab.predictive import GaussianMixture
from priorlab.priors.datasets import feature_matrix, prediction_columns, prediction_names
from priorlab.priors.predictor import Predictor
from priorlab.samples import Samples

IN_FLIGHT_PER_WORKER = 2  # chunks submitted ahead per Dask worker: each busy while the next one is sent


def predict_file(model: Predictor, data: str | Path, out: str | Path, *, level: float = 0.9,
                 members: bool = False, chunk_rows: int = tables.CHUNK_ROWS, client: Any = None,
                 scheduler: str | None = None, workers: int | None = None) -> int:
    """Write `data`'s rows with the predictions of `model` (`Ensemble.predictor_`) to `out`, `chunk_rows` rows
    at a time; returns the number of rows.

    The predictions run in this process, or on a Dask cluster: `client` (a `dask.distributed.Client`), a client
    of `scheduler` (an address), or a local cluster of `workers` processes, closed afterwards."""
    data = Path(data)
    out = check_output_file(out, argument="--out")
    distributed.check_cluster_options({"client": client, "scheduler": scheduler, "workers": workers})
    if model.task != "regression":
        raise ValueError("model: only regression models predict files (one mean and interval per row)")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ValueError(f"chunk_rows: expected a positive number of rows, got {chunk_rows!r}")
    if not 0 < level < 1:
        raise ValueError(f"level: expected a probability in (0, 1), got {level}")
    names = tables.column_names(data)
    features = model.state.feature_names or names
    tables.check_columns(data, features, names, role="feature column")
    clashes = sorted(set(prediction_names(model.n_members, members)) & set(names))
    if clashes:
        raise ValueError(f"{data}: input columns {clashes} would be overwritten by the prediction columns")
    options = {"name": str(data), "level": level, "members": members}
    rows = 0
    with (_cluster(client, scheduler, workers) as client, atomic_path(out) as temporary,
          _table_writer(temporary, tables.is_parquet(out)) as write):
        chunks = ((chunk, feature_matrix(tables.to_frame(chunk.select(features)), features, data, first), first)
                  for first, chunk in tables.iter_chunks(data, chunk_rows))
        for chunk, columns in _predicted(model, chunks, options, client):
            write(_with_columns(chunk, columns))
            rows += chunk.num_rows
        if rows == 0:
            raise ValueError(f"{data}: no data rows")
    return rows


def chunk_predictions(model: Predictor, x: np.ndarray, first_row: int, *, name: str, level: float,
                      members: bool) -> dict[str, np.ndarray]:
    """The prediction columns of the rows `x` (the file's rows from `first_row`, counted from 0): the
    predictive mixture's summaries for a Gaussian model, the members' otherwise. Runs on Dask workers."""
    if model.gaussian:
        predictions = GaussianMixture(*model.mixture_values(x, name, first_row + 1))  # rows as in the file
    else:
        predictions = Samples(model.member_values(x, name, first_row + 1))
    return prediction_columns(predictions, level=level, members=members)


@contextlib.contextmanager
def _cluster(client: Any, scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """`client`; else a client of `scheduler` or of a local cluster of `workers` (closed on leaving); else None."""
    if client is not None or (scheduler is None and workers is None):
        yield client
        return
    with distributed.dask_client(scheduler, workers) as own:
        yield own


def _predicted(model: Predictor, chunks: Iterator, options: dict[str, Any],
               client: Any) -> Iterator[tuple[Any, dict[str, np.ndarray]]]:
    """(chunk, its prediction columns) in file order, computed here or on `client`'s workers."""
    if client is None:
        for chunk, x, first in chunks:
            yield chunk, chunk_predictions(model, x, first, **options)
        return
    shipped = client.scatter(model, broadcast=True)
    ahead = IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
    pending: deque = deque()
    try:
        for chunk, x, first in chunks:
            pending.append((chunk, client.submit(chunk_predictions, shipped, x, first, pure=False, **options)))
            if len(pending) >= ahead:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        client.cancel([future for _, future in pending] + [shipped])


def _with_columns(chunk: Any, columns: dict[str, np.ndarray]) -> Any:
    pa = tables.arrow()
    for name, values in columns.items():
        chunk = chunk.append_column(name, pa.array(values, type=pa.float64()))
    return chunk


@contextlib.contextmanager
def _table_writer(path: Path, parquet: bool) -> Iterator[Any]:
    """A function writing Arrow tables one after another to `path` (the first one's schema for all),
    as Parquet (a row group per table) or CSV (one header line); the file is closed on leaving."""
    pa = tables.arrow()
    writer = None

    def write(table: Any) -> None:
        nonlocal writer
        table = table.replace_schema_metadata(None)
        if writer is None:
            writer = (pa.parquet.ParquetWriter(path, table.schema) if parquet else
                      pa.csv.CSVWriter(path, table.schema, write_options=pa.csv.WriteOptions(quoting_style="needed")))
        writer.write_table(table)

    try:
        yield write
    finally:
        if writer is not None:
            writer.close()
