"""Data sets: the paper's 1-D toy data and regression data in the layout of the standard UCI splits.

- `osband_1d`: the 20-point 1-D data of Osband et al. (2018).
- `load_uci(folder)`: one data set in the layout of Hernández-Lobato & Adams' splits (`data.txt`,
  `index_features.txt`, `index_target.txt`, `index_{train,test}_{i}.txt`, `n_splits.txt`, `n_hidden.txt`,
  `n_epochs.txt`) as a `UCIDataset` with its `UCISplit`s; `uci_folders(root)` lists such folders.
- `concrete()`: the Concrete Compressive Strength data shipped in the package (I-Cheng Yeh 1998, UCI, CC BY 4.0),
  in that layout with its standard splits.
- `world_bank_population()`: the World Bank population figures shipped in the package (SP.POP.TOTL, PDDL), a
  pandas DataFrame.

NumPy only (pandas for the population table, imported when it is read): this package imports without torch.
"""

from __future__ import annotations

from priorlab.datasets.packaged import concrete, world_bank_population
from priorlab.datasets.toy import osband_1d
from priorlab.datasets.uci import UCIDataset, UCISplit, load_uci, uci_folders, uci_splits

__all__ = [
    "UCIDataset", "UCISplit", "concrete", "load_uci", "osband_1d", "uci_folders", "uci_splits",
    "world_bank_population",
]  # fmt: skip
