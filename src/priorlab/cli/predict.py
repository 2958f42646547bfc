"""`priorlab predict`: stream a table of any size through a saved ensemble into a predictions file."""

from __future__ import annotations

from pathlib import Path

import typer

from priorlab.cli._output import Output
from priorlab.tables import CHUNK_ROWS


def predict(
    model_dir: Path = typer.Argument(..., help="Model directory written by `priorlab fit`."),
    data: Path = typer.Argument(..., help="CSV or Parquet file with the model's feature columns (any size)."),
    out: Path = typer.Option(..., "--out", help="Predictions to write: Parquet if named *.parquet or *.pq, else CSV."),
    level: float = typer.Option(0.9, "--level", help="Probability of the central interval lower..upper."),
    members: bool = typer.Option(False, "--members", help="Also write every member's prediction."),
    chunk_rows: int = typer.Option(CHUNK_ROWS, "--chunk-rows", help="Rows read, predicted and written at a time."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address to predict on."),
    workers: int | None = typer.Option(None, "--workers", help="Predict on a local Dask cluster of N processes."),
) -> None:
    """Write DATA's columns plus mean, std, lower, upper (and member_i) predicted by the ensemble (for a
    model fitted with --likelihood gaussian: its predictive mixture's, member_i being the member means).
    DATA is streamed: memory follows --chunk-rows, not the file, and OUT appears only once complete."""
    from priorlab.files import check_output_file
    from priorlab.priors import Ensemble
    from priorlab.priors.streaming import predict_file

    check_output_file(out, argument="--out")
    if scheduler is not None and workers is not None:
        raise ValueError("give either --scheduler or --workers, not both")
    ensemble = Ensemble.load(model_dir)
    if ensemble.task != "regression":
        raise ValueError(f"{model_dir}: only regression models can be used by `priorlab predict`")
    options = {"level": level, "members": members, "chunk_rows": chunk_rows}
    if scheduler is not None or workers is not None:
        from priorlab.distributed import dask_client

        with dask_client(scheduler, workers) as client:
            rows = predict_file(ensemble, data, out, client=client, **options)
    else:
        rows = predict_file(ensemble, data, out, **options)
    Output().line(f"predictions: {out} ({rows} rows)")
