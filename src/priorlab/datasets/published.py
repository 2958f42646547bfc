"""Published UCI regression figures: Lakshminarayanan, Pritzel & Blundell (2017), "Simple and scalable
predictive uncertainty estimation using deep ensembles", NeurIPS, Table 1.

Test RMSE and NLL per data set as printed there (mean and the +- beside it) for PBP (Hernández-Lobato &
Adams 2015), MC-dropout (Gal & Ghahramani 2016) and Deep Ensembles; checked cell by cell against the
proceedings text. The paper does not say what the +- are. The PBP column equals the standard errors Gal &
Ghahramani print for PBP. The MC-dropout column is the first version of Gal & Ghahramani's table, whose
standard errors were scaled up by 4.5 (about sqrt(20), so for the 20-split data sets a standard deviation
over the splits; corrected in their later version). Deep Ensembles' +- have the size of a standard deviation
over the splits too. The table's last row, Year Prediction MSD (one split, no +-), is left out: it is not
in the standard-splits layout. Keys are the folder names of the standard splits.
"""

from __future__ import annotations

PUBLISHED_SOURCE = "Lakshminarayanan et al. (2017), Table 1"

PUBLISHED = {
    "bostonHousing": {"PBP": ((3.01, 0.18), (2.57, 0.09)), "MC-dropout": ((2.97, 0.85), (2.46, 0.25)),
                      "Deep Ensembles": ((3.28, 1.00), (2.41, 0.25))},
    "concrete": {"PBP": ((5.67, 0.09), (3.16, 0.02)), "MC-dropout": ((5.23, 0.53), (3.04, 0.09)),
                 "Deep Ensembles": ((6.03, 0.58), (3.06, 0.18))},
    "energy": {"PBP": ((1.80, 0.05), (2.04, 0.02)), "MC-dropout": ((1.66, 0.19), (1.99, 0.09)),
               "Deep Ensembles": ((2.09, 0.29), (1.38, 0.22))},
    "kin8nm": {"PBP": ((0.10, 0.00), (-0.90, 0.01)), "MC-dropout": ((0.10, 0.00), (-0.95, 0.03)),
               "Deep Ensembles": ((0.09, 0.00), (-1.20, 0.02))},
    "naval-propulsion-plant": {"PBP": ((0.01, 0.00), (-3.73, 0.01)), "MC-dropout": ((0.01, 0.00), (-3.80, 0.05)),
                               "Deep Ensembles": ((0.00, 0.00), (-5.63, 0.05))},
    "power-plant": {"PBP": ((4.12, 0.03), (2.84, 0.01)), "MC-dropout": ((4.02, 0.18), (2.80, 0.05)),
                    "Deep Ensembles": ((4.11, 0.17), (2.79, 0.04))},
    "protein-tertiary-structure": {"PBP": ((4.73, 0.01), (2.97, 0.00)), "MC-dropout": ((4.36, 0.04), (2.89, 0.01)),
                                   "Deep Ensembles": ((4.71, 0.06), (2.83, 0.02))},
    "wine-quality-red": {"PBP": ((0.64, 0.01), (0.97, 0.01)), "MC-dropout": ((0.62, 0.04), (0.93, 0.06)),
                         "Deep Ensembles": ((0.64, 0.04), (0.94, 0.12))},
    "yacht": {"PBP": ((1.02, 0.05), (1.63, 0.02)), "MC-dropout": ((1.11, 0.38), (1.55, 0.12)),
              "Deep Ensembles": ((1.58, 0.48), (1.18, 0.21))},
}
"""data set -> method -> ((RMSE mean, +-), (NLL mean, +-))."""
