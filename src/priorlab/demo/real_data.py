"""Section 2 of the demo: uncertainty on real data. A randomized prior ensemble and a plain deep ensemble on
standard split 0 of the shipped Concrete data, evaluated as the UCI benchmark evaluates
(`priors.selection.evaluate`: settings chosen on the training rows, refit, scores on the test rows), plotted
(predicted vs observed, calibration, interval width vs error) beside the published figures."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import binom

from priorlab.datasets import UCIDataset, UCISplit, concrete
from priorlab.datasets.packaged import CONCRETE_SOURCE
from priorlab.datasets.published import PUBLISHED, PUBLISHED_SOURCE
from priorlab.demo.config import INTERVAL_LEVEL, DemoConfig
from priorlab.demo.section import Advance, SectionOutput, save
from priorlab.metrics import COVERAGE_LEVELS
from priorlab.predictive import GaussianMixture
from priorlab.priors.evaluation_plots import (
    FINE_LEVELS,
    coverage_curve,
    plot_calibration,
    plot_predicted_vs_observed,
    plot_width_vs_error,
    width_error_correlation,
)
from priorlab.priors.selection import BATCH_SIZE, Evaluation, Protocol, Selected, evaluate
from priorlab.report import ReportFigure, ReportNote, ReportSection, ReportTable

REAL_DATA_SPLIT = 0
COVERAGE_KEY = f"coverage{100 * INTERVAL_LEVEL:g}"
LEVEL = f"{INTERVAL_LEVEL:.0%}"


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


def _selected_numbers(selected: Selected) -> dict[str, Any]:
    return {
        "prior_scale": float(selected.prior_scale),
        "epochs": int(selected.epochs),
        "horizon": int(selected.horizon),
        "variance_scale": float(selected.variance_scale),
        "validation_nll": float(selected.validation_nll),
        "description": selected.describe(),
    }


def _model_numbers(model: RealDataModel, evaluation: Evaluation, y_test: np.ndarray) -> dict[str, Any]:
    """One model's part of the summary: its settings, test scores, calibration and every prediction."""
    distribution = evaluation.distribution
    lower, upper = distribution.interval(INTERVAL_LEVEL)
    return {
        "label": model.label,
        "prior": model.prior,
        "selected": _selected_numbers(evaluation.selected),
        "scores": evaluation.scores,
        "coverage_curve": {
            "levels": [float(p) for p in FINE_LEVELS],
            "observed": coverage_curve(y_test, distribution, FINE_LEVELS).tolist(),
        },
        "width_error_spearman": width_error_correlation(y_test, distribution, INTERVAL_LEVEL),
        "mean_epistemic_std": float(distribution.epistemic_std().mean()),
        "mean_aleatoric_std": float(distribution.aleatoric_std().mean()),
        "fit_seconds": evaluation.refit_seconds,
        "predictions": {
            "mean": distribution.mean().tolist(),
            "std": distribution.std().tolist(),
            "lower": lower.tolist(),
            "upper": upper.tolist(),
            "member_means": distribution.means.tolist(),
            "member_stds": np.sqrt(distribution.variances).tolist(),
        },
    }


def _published_rows(name: str) -> list[list[Any]]:
    """The published rows of the benchmark table: mean +- the spread printed beside it, RMSE and NLL only."""
    return [
        [f"{method} (published)", "mean of 20 splits", f"{nll[0]:.2f} \u00b1 {nll[1]:.2f}",
         f"{rmse[0]:.2f} \u00b1 {rmse[1]:.2f}", None, None, ""]
        for method, (rmse, nll) in PUBLISHED[name].items()
    ]  # fmt: skip


def _figure_files(y_test: np.ndarray, distributions: dict[str, GaussianMixture], folder: Path) -> dict[str, str]:
    title = f"Concrete, split {REAL_DATA_SPLIT}"
    return {
        "predicted": save(
            plot_predicted_vs_observed(y_test, distributions, INTERVAL_LEVEL, unit="MPa", title=title),
            folder, "real_data_predicted.png",
        ),
        "calibration": save(plot_calibration(y_test, distributions, title=title), folder, "real_data_calibration.png"),
        "width_error": save(
            plot_width_vs_error(y_test, distributions, INTERVAL_LEVEL, unit="MPa", title=title),
            folder, "real_data_width_error.png",
        ),
    }  # fmt: skip


def _introduction(data: UCIDataset, split: UCISplit, protocol: Protocol) -> str:
    benchmark_steps = replace(protocol, max_steps=None).selection_steps(len(split.train))
    return (
        f"Data: {CONCRETE_SOURCE}. {len(data.y):,} concrete mixes; the inputs are seven mix components (kg per "
        "m\u00b3) and the age in days, the target the compressive strength in MPa. Standard split "
        f"{REAL_DATA_SPLIT}: {len(split.train)} training and {len(split.test)} test mixes. Two ensembles of "
        f"{protocol.n_members} Gaussian members (one hidden layer of {protocol.n_hidden} units), trained as "
        "priorlab.priors.selection prescribes, the prior scale, the epoch at which to stop a cosine "
        "learning-rate schedule and a factor on the predicted variances chosen on a "
        "validation part of the training rows alone: the randomized prior ensemble of Osband et al. (2018) "
        "(member k predicts f_k + beta p_k with a fixed random MLP prior p_k on its own bootstrap; beta chosen "
        "too) and a plain ensemble without priors (as in Lakshminarayanan et al. 2017, here on bootstraps) as "
        "the live baseline. The test mixes are used for scoring only. Training is capped at "
        f"{protocol.max_steps} optimiser steps of {BATCH_SIZE} rows per run (the benchmark's protocol allows "
        f"{benchmark_steps:,} here), so these are the numbers of a short run."
    )


def _scores_table(models: dict[str, dict[str, Any]], n_test: int) -> ReportTable:
    """Both models' test scores, then the published Concrete figures."""
    band = [float(binom.ppf(q, n_test, INTERVAL_LEVEL)) / n_test for q in (0.025, 0.975)]
    rows = [
        [m["label"], f"split {REAL_DATA_SPLIT}", m["scores"]["nll"], m["scores"]["rmse"], m["scores"]["crps"],
         m["scores"][COVERAGE_KEY], m["selected"]["description"]]
        for m in models.values()
    ]  # fmt: skip
    return ReportTable(
        ["method", "test data", "NLL", "RMSE (MPa)", "CRPS (MPa)", f"{LEVEL} coverage", "settings chosen"],
        [*rows, *_published_rows("concrete")],
        f"Test scores on split {REAL_DATA_SPLIT} ({n_test} mixes): NLL in nats per mix, RMSE of the "
        "predictive mean and CRPS in MPa (lower is better), and the fraction of mixes inside their "
        f"central {LEVEL} interval (a calibrated forecast lands in [{band[0]:.2f}, {band[1]:.2f}] 95% of "
        f"the time with {n_test} mixes). Below them the published Concrete figures of {PUBLISHED_SOURCE}, "
        "for PBP, MC-dropout and Deep Ensembles: means (\u00b1 the spread printed there) over the 20 "
        f"standard splits with the full training budget, not split {REAL_DATA_SPLIT} alone, so they "
        "locate the scale rather than rank the methods; the paper gives no CRPS or coverage (n/a).",
    )


def _predicted_caption(ours: dict[str, Any], plain: dict[str, Any]) -> str:
    return (
        "Each test mix: its observed strength against the predicted mean, the bar spanning the central "
        f"{LEVEL} interval; red crosses mark the mixes whose observed strength falls outside theirs. "
        "Points on the dashed diagonal are predicted exactly. About "
        f"{LEVEL} of the bars should reach the diagonal: {ours['scores'][COVERAGE_KEY]:.0%} do for the "
        f"randomized prior ensemble and {plain['scores'][COVERAGE_KEY]:.0%} for the plain ensemble."
    )


def _calibration_caption(ours: dict[str, Any], plain: dict[str, Any], n_test: int) -> str:
    levels_text = "/".join(f"{p:.0%}" for p in COVERAGE_LEVELS)
    return (
        "Left: the PIT, each mix's predicted probability of a strength at or below the observed one, "
        "over the test mixes. A calibrated forecast gives a flat histogram (dashed line); a U shape "
        "means intervals too narrow (over-confident), a hump in the middle intervals too wide. Right: "
        "the fraction of test mixes inside their central interval against the interval's nominal "
        f"level, dots at {levels_text}. On the diagonal is calibrated, below it over-confident; the grey "
        f"band is where a calibrated forecast stays 95% of the time with {n_test} mixes. Calibration "
        f"error (Kuleshov et al. 2018): {ours['scores']['calibration_error']:.3f} (randomized prior) and "
        f"{plain['scores']['calibration_error']:.3f} (plain)."
    )


def _width_error_caption(ours: dict[str, Any], plain: dict[str, Any]) -> str:
    return (
        f"Each test mix: the width of its {LEVEL} interval against the absolute error of the predicted "
        "mean. Useful uncertainty is wider where the errors are larger: the Spearman rank correlation "
        f"between the two is {ours['width_error_spearman']:.2f} for the randomized prior ensemble and "
        f"{plain['width_error_spearman']:.2f} for the plain one. Points above the dashed line lie "
        "outside their interval. The predictive variance is the sum of the noise the members predict "
        f"(aleatoric, mean std {ours['mean_aleatoric_std']:.2f} MPa for the randomized prior ensemble) "
        f"and their disagreement (epistemic, mean std {ours['mean_epistemic_std']:.2f} MPa)."
    )


def _items(files: dict[str, str], models: dict[str, dict[str, Any]], n_test: int) -> list[Any]:
    """The section's table, figures and sources."""
    ours, plain = models["priorlab"], models["plain"]
    return [
        _scores_table(models, n_test),
        ReportFigure(files["predicted"], _predicted_caption(ours, plain), "Predicted vs observed strength"),
        ReportFigure(files["calibration"], _calibration_caption(ours, plain, n_test), "Calibration"),
        ReportFigure(files["width_error"], _width_error_caption(ours, plain), "Interval width against error",
                     half=True),
        ReportNote(
            f"Sources: published figures, {PUBLISHED_SOURCE}; the method, Osband et al. (2018), randomized "
            "prior functions; the data, I-Cheng Yeh (1998), Concrete Compressive Strength, UCI Machine "
            "Learning Repository, CC BY 4.0."
        ),
    ]


def _summary(data: UCIDataset, split: UCISplit, protocol: Protocol, selection_seconds: float,
             models: dict[str, dict[str, Any]], files: dict[str, str]) -> dict[str, Any]:
    return {
        "status": "ok",
        "data": data.name,
        "source": CONCRETE_SOURCE,
        "split": REAL_DATA_SPLIT,
        "n_train": len(split.train),
        "n_test": len(split.test),
        "protocol": {
            "n_members": protocol.n_members, "n_hidden": protocol.n_hidden, "n_epochs": protocol.n_epochs,
            "max_steps": protocol.max_steps,
        },
        "interval_level": INTERVAL_LEVEL,
        "selection_seconds": selection_seconds,
        "test": {"rows": split.test.tolist(), "y": data.y[split.test].tolist()},
        "models": models,
        "published": {
            method: {"rmse": list(rmse), "nll": list(nll)} for method, (rmse, nll) in PUBLISHED["concrete"].items()
        },
        "published_source": PUBLISHED_SOURCE,
        "figures": list(files.values()),
    }  # fmt: skip


def real_data_section(config: DemoConfig, folder: Path, advance: Advance) -> SectionOutput:
    """A randomized prior ensemble and a plain deep ensemble on standard split 0 of the shipped Concrete data."""
    data = concrete()
    split = data.splits[REAL_DATA_SPLIT]
    arrays = data.split_arrays(REAL_DATA_SPLIT)
    y_test = arrays[3]
    protocol = config.real_data_protocol(data.n_hidden, data.n_epochs)
    stage = {model.prior: f"real data: {model.key}" for model in REAL_DATA_MODELS}
    advance("real data: selection")
    evaluations = evaluate(*arrays, protocol, priors=tuple(stage), seed=config.seed,
                           on_refit=lambda prior: advance(stage[prior]))
    models = {model.key: _model_numbers(model, evaluations[model.prior], y_test) for model in REAL_DATA_MODELS}
    distributions = {model.label: evaluations[model.prior].distribution for model in REAL_DATA_MODELS}
    files = _figure_files(y_test, distributions, folder)
    section = ReportSection("Uncertainty on real data", _introduction(data, split, protocol),
                            _items(files, models, len(y_test)))
    selection_seconds = evaluations[REAL_DATA_MODELS[0].prior].selection_seconds
    return SectionOutput([section], _summary(data, split, protocol, selection_seconds, models, files))
