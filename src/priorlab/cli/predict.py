"""`priorlab predict`: stream a table of any size through a saved ensemble into a predictions file."""

from __future__ import annotations

from pathlib import Path

import typer

from priorlab.cli._options import Scheduler, Workers
from priorlab.cli._output import Output
from priorlab.tables import CHUNK_ROWS


def predict(
    model_dir: Path = typer.Argument(..., help="Model directory written by `priorlab fit`."),
    data: Path = typer.Argument(..., help="CSV or Parquet file with the model's feature columns (any size)."),
    out: Path = typer.Option(..., "--out", help="Predictions to write: Parquet if named *.parquet or *.pq, else CSV."),
    level: float = typer.Option(0.9, "--level", help="Probability of the central interval lower..upper."),
    members: bool = typer.Option(False, "--members", help="Also write every member's prediction."),
    chunk_rows: int = typer.Option(CHUNK_ROWS, "--chunk-rows", help="Rows read, predicted and written at a time."),
    scheduler: Scheduler = None,
    workers: Workers = None,
) -> None:
    """Write DATA's columns plus mean, std, lower, upper (and member_i) predicted by the ensemble (for a
    model fitted with --likelihood gaussian: its predictive mixture's, member_i being the member means).
    DATA is streamed: memory follows --chunk-rows, not the file, and OUT appears only once complete."""
    from priorlab.distributed import check_cluster_options
    from priorlab.files import check_output_file
    from priorlab.priors import Ensemble
    from priorlab.priors.streaming import predict_file

    check_output_file(out, argument="--out")  # before the model is read
    check_cluster_options({"--scheduler": scheduler, "--workers": workers})
    rows = predict_file(Ensemble.load(model_dir).predictor_, data, out, level=level, members=members,
                        chunk_rows=chunk_rows, scheduler=scheduler, workers=workers)
    Output().line(f"predictions: {out} ({rows} rows)")
