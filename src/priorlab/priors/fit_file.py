"""`priorlab fit` as one call: an ensemble trained on a CSV or Parquet table and saved to a model folder.

The model folder is checked before the table is read, and the table (read and checked by
`datasets.read_table`) is given to `Ensemble.fit` as a DataFrame, so the model remembers its feature
columns and `priorlab predict` matches them by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from priorlab.priors.datasets import read_table
from priorlab.priors.ensemble import Ensemble
from priorlab.priors.io import check_model_directory


class FittedFile(NamedTuple):
    """A model trained on a table and saved: the ensemble, and the rows it was trained on."""

    ensemble: Ensemble
    rows: int


def fit_file(train: str | Path, out: str | Path, *, target: str, features: Sequence[str] | None = None,
             progress: bool = True, scheduler: str | None = None, workers: int | None = None,
             **params: Any) -> FittedFile:
    """Train `Ensemble(**params)` on the table `train` to predict its column `target` from `features` (default:
    every other column), on this process or on a Dask cluster (`scheduler`, `workers`: see `Ensemble.fit`),
    and save it to the model folder `out` (a previous model or an empty folder is replaced; anything else is
    refused before any work, `io.check_model_directory`)."""
    check_model_directory(out)
    table = read_table(train, target=target, features=features)
    ensemble = Ensemble(**params)
    ensemble.fit(pd.DataFrame(table.x, columns=table.features), pd.Series(table.y, name=target), progress=progress,
                 scheduler=scheduler, workers=workers)
    ensemble.save(out)
    return FittedFile(ensemble, len(table.x))
