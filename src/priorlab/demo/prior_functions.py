"""Section 1 of the demo: randomized prior ensembles on the paper's 1-D data, in the four settings of Perone's
(2019) figures (uncertainty band, priors alone, members, training animation, std inside/outside the data)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from priorlab.datasets import osband_1d
from priorlab.demo.config import INTERVAL_LEVEL, DemoConfig
from priorlab.demo.section import Advance, SectionOutput, save
from priorlab.priors import Ensemble
from priorlab.priors.plots import animate_training, plot_members, plot_priors, plot_uncertainty
from priorlab.report import ReportFigure, ReportSection, ReportTable

GRID_RANGE = (-1.0, 2.0)


@dataclass(frozen=True)
class PriorSetting:
    """One of the four ensembles of Perone's (2019) figures."""

    key: str
    label: str
    prior: str
    bootstrap: str
    what_to_see: str


PRIOR_SETTINGS = (
    PriorSetting(
        "naive",
        "Naive ensemble (no prior, no bootstrap)",
        "none",
        "none",
        "The members differ only in their random initialisation and all fit the same 20 points: the "
        "baseline for the three settings below. Whatever spread is left away from the data comes from the "
        "initialisation alone, and nothing in the method controls it.",
    ),
    PriorSetting(
        "mlp_prior",
        "Randomized MLP prior",
        "mlp",
        "none",
        "Each member adds a fixed, untrained random MLP p_k to its trainable network f_k. The trained parts "
        "cancel the priors' differences at the data, so the members agree there; away from the data the "
        "priors' diversity remains as spread.",
    ),
    PriorSetting(
        "mlp_prior_bootstrap",
        "Randomized MLP prior + bootstrap",
        "mlp",
        "multinomial",
        "Each member is also trained on its own bootstrap resample of the 20 points, so the members disagree "
        "a little even at the data (the data noise), on top of the priors' spread away from it.",
    ),
    PriorSetting(
        "sine_prior_bootstrap",
        "Sine prior sin(3x) + bootstrap",
        "sine",
        "multinomial",
        "All members share the one fixed prior sin(3x), so the prior adds no diversity: the spread comes "
        "from the bootstrap and the initialisation only, while every member carries the sine's shape.",
    ),
)


def _std_inside_outside(std: np.ndarray, grid: np.ndarray, x_train: np.ndarray) -> tuple[float, float]:
    """Mean predictive std over grid points inside vs outside the range of the training inputs."""
    inside = (grid >= x_train.min()) & (grid <= x_train.max())
    return float(std[inside].mean()), float(std[~inside].mean())


def _trained(
    setting: PriorSetting, config: DemoConfig, x: np.ndarray, y: np.ndarray, grid: np.ndarray
) -> tuple[Ensemble, list[tuple[int, Any]]]:
    """The setting's ensemble fitted on (x, y), and its predictions on the grid at `config.n_frames` epochs."""
    ensemble = Ensemble(
        n_members=config.n_members,
        hidden=(20, 20),
        prior=setting.prior,
        prior_scale=1.0,
        bootstrap=setting.bootstrap,
        epochs=config.epochs,
        lr=1e-2,
        seed=config.seed,
    )
    frames: list[tuple[int, Any]] = []
    ensemble.fit(
        x,
        y,
        progress=config.progress,
        callback=lambda epoch, fitted: frames.append((epoch + 1, fitted.predict(grid))),
        callback_every=max(1, config.epochs // config.n_frames),
    )
    return ensemble, frames


def _uncertainty_caption(k: int, std_inside: float, std_outside: float) -> str:
    return (
        f"Data (black), mean of the {k} members (blue) and their central {INTERVAL_LEVEL:.0%} interval "
        f"(shaded) over x in [{GRID_RANGE[0]:g}, {GRID_RANGE[1]:g}]; the grey strip is the range of the "
        f"training inputs. Compare the band's width inside the strip (mean std {std_inside:.2f}) with "
        f"its width outside (mean std {std_outside:.2f})."
    )


def _priors_caption(prior: str) -> str:
    return "The scaled prior function p_k of every member, which training never changes. " + (
        "Here every member has the same prior, so the curves coincide: this prior shapes the "
        "members but adds no diversity."
        if prior == "sine"
        else "Their spread is what the trained parts must cancel at the data and what remains as "
        "uncertainty away from it."
    )


def _training_caption(n_frames: int, epochs: int) -> str:
    return (
        f"Training, {n_frames} snapshots over {epochs} epochs: every member (thin lines), their "
        "mean and interval. Watch the members converge onto the data points while the spread away "
        "from them stays."
    )


def _members_caption(prior: str) -> str:
    shape = "the prior's shape" if prior != "none" else "whatever shape its initialisation gave it"
    return (
        "A few members, each split into its fixed prior part p_k (orange, dashed), its trained part f_k "
        "(green) and their sum, the member's prediction (blue). The trained part bends so that the sum "
        f"passes through the data; away from the data the sum keeps {shape}."
        + (" With no prior, p_k is zero and the member is its trained part." if prior == "none" else "")
    )


def _priors_setting(
    setting: PriorSetting, config: DemoConfig, folder: Path, x: np.ndarray, y: np.ndarray, grid: np.ndarray
) -> tuple[list[ReportFigure], dict[str, Any]]:
    """Train one setting and draw its figures; the figures and the setting's numbers for the summary."""
    ensemble, frames = _trained(setting, config, x, y, grid)
    predictions = ensemble.predict(grid)
    priors = ensemble.prior_predict(grid)
    trained = ensemble.base_predict(grid)
    std_inside, std_outside = _std_inside_outside(np.ravel(predictions.std()), grid.ravel(), x)
    name = f"priors_{setting.key}"
    uncertainty = plot_uncertainty(x, y, grid, predictions, INTERVAL_LEVEL, title=setting.label)
    figures = [
        ReportFigure(
            save(uncertainty, folder, f"{name}_uncertainty.png"),
            _uncertainty_caption(config.n_members, std_inside, std_outside),
            "Uncertainty",
            half=True,
        )
    ]
    if setting.prior != "none":
        prior_figure = plot_priors(grid, priors, x_train=x, title="Priors alone")
        figures.append(ReportFigure(save(prior_figure, folder, f"{name}_priors.png"), _priors_caption(setting.prior),
                                    "Priors alone", half=True))
    gif = animate_training(frames, folder / f"{name}_training.gif", x, y, grid, INTERVAL_LEVEL, title=setting.label)
    figures.append(
        ReportFigure(gif.name, _training_caption(len(frames), config.epochs), "Training animation", half=True)
    )
    members = save(plot_members(grid, trained, priors, x, y, title=f"{setting.label}: members"), folder,
                   f"{name}_members.png")
    figures.append(ReportFigure(members, _members_caption(setting.prior), "Individual members"))
    numbers = {
        "label": setting.label,
        "prior": setting.prior,
        "bootstrap": setting.bootstrap,
        "std_inside": std_inside,
        "std_outside": std_outside,
        "fit_seconds": float(ensemble.fit_seconds_),
        "figures": [figure.file for figure in figures],
    }
    return figures, numbers


def _overview(config: DemoConfig, settings: dict[str, Any], x: np.ndarray) -> ReportSection:
    """The section introducing the four settings, with their std inside and outside the data."""
    return ReportSection(
        "Randomized prior functions",
        f"Ensembles of {config.n_members} MLPs (1-20-20-1, SELU) trained with Adam (lr 0.01) for "
        f"{config.epochs} epochs on the 20-point 1-D data of Osband et al. (2018), in the four settings of "
        "Perone's (2019) figures. A member predicts f_k(x) + p_k(x): a trainable network f_k plus a "
        "fixed prior p_k that is never trained. The next four sections show each setting: its uncertainty "
        "band, its priors alone, a few members split into their two parts, and a training animation.",
        [
            ReportTable(
                ["setting", "std inside data range", "std outside data range", "outside / inside", "training time (s)"],
                [
                    [
                        s["label"], s["std_inside"], s["std_outside"], s["std_outside"] / s["std_inside"],
                        s["fit_seconds"],
                    ]
                    for s in settings.values()
                ],
                "Mean predictive standard deviation of the members over the grid points inside and outside "
                f"the range of the training inputs [{x.min():g}, {x.max():g}], and the wall time of training "
                "all members together. A useful prior makes the outside much larger than the inside.",
            )
        ],
    )


def priors_section(config: DemoConfig, folder: Path, advance: Advance) -> SectionOutput:
    """Train the four ensembles of Perone's (2019) figures: an overview, then one section each."""
    x_train, y_train = osband_1d()
    x = np.asarray(x_train, dtype=np.float32).reshape(-1, 1)
    y = np.asarray(y_train, dtype=np.float32).reshape(-1, 1)
    grid = np.linspace(*GRID_RANGE, 200, dtype=np.float32).reshape(-1, 1)
    settings: dict[str, Any] = {}
    setting_sections = []
    for setting in PRIOR_SETTINGS:
        advance(f"priors: {setting.key}")
        figures, settings[setting.key] = _priors_setting(setting, config, folder, x, y, grid)
        setting_sections.append(ReportSection(f"Priors: {setting.label}", setting.what_to_see, list(figures)))
    summary = {
        "members": config.n_members,
        "epochs": config.epochs,
        "interval_level": INTERVAL_LEVEL,
        "grid_range": list(GRID_RANGE),
        "data_range": [float(x.min()), float(x.max())],
        "settings": settings,
    }
    return SectionOutput([_overview(config, settings, x), *setting_sections], summary)
