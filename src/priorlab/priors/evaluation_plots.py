"""Figures of predictive distributions scored on held-out data: predicted vs observed, calibration, and
interval width against error.

Each function takes the observed targets `y` (n,) and one or more predictive distributions at the same n
points (`priorlab.predictive.GaussianMixture`, e.g. `Ensemble.predict_distribution(x_test)`), several as a
mapping label -> distribution so that models can be compared in one figure. The numbers drawn are those
`priorlab.metrics` scores with (exact mixture quantiles, PIT, central-interval coverage). Figures are built
with `matplotlib.figure.Figure` (no pyplot state) in the colours of `priors.plots`: data black, the first
model blue, the second grey.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from priorlab import metrics
from priorlab.predictive import GaussianMixture
from priorlab.priors.plots import DATA_COLOR, MEAN_COLOR, PRIOR_COLOR

MODEL_COLORS = (MEAN_COLOR, "0.45", PRIOR_COLOR)
"""One colour per model, in the mapping's order."""

FINE_LEVELS = tuple(np.round(np.linspace(0.02, 0.98, 49), 2))
"""The nominal levels of the coverage curve."""


def _checked(y: Any, distributions: Mapping[str, GaussianMixture]) -> np.ndarray:
    observed = np.asarray(y, dtype=np.float64)
    if observed.ndim != 1 or observed.size < 2:
        raise ValueError(f"y: expected a 1-D array of at least 2 observed values, got shape {observed.shape}")
    if not distributions:
        raise ValueError("distributions: expected at least one label -> GaussianMixture")
    if len(distributions) > len(MODEL_COLORS):
        raise ValueError(f"distributions: at most {len(MODEL_COLORS)} models per figure, got {len(distributions)}")
    for label, distribution in distributions.items():
        if not isinstance(distribution, GaussianMixture):
            raise TypeError(f"distributions[{label!r}]: expected a GaussianMixture, got {type(distribution).__name__}")
        if distribution.shape != observed.shape:
            raise ValueError(f"distributions[{label!r}]: expected one distribution per observed value "
                             f"{observed.shape}, got shape {distribution.shape}")
    return observed


def _scale(distribution: GaussianMixture) -> tuple[np.ndarray, np.ndarray]:
    """Member means and stds as (K, n), the layout of `priorlab.metrics`."""
    return distribution.means, np.sqrt(distribution.variances)


def coverage_curve(y: Any, distribution: GaussianMixture, levels: Sequence[float] = FINE_LEVELS) -> np.ndarray:
    """The observed fraction of `y` inside the central interval at each nominal level."""
    observed = _checked(y, {"distribution": distribution})
    covered = metrics.coverage(observed, *_scale(distribution), levels=levels)
    return np.array([covered[float(p)] for p in levels])


def width_error_correlation(y: Any, distribution: GaussianMixture, level: float = 0.9) -> float:
    """Spearman's rank correlation between the width of each point's central `level` interval and its absolute
    error |y - mean|: how well the predicted uncertainty ranks the errors (1 perfectly, 0 not at all). NaN
    when the widths or the errors are all equal (nothing to rank)."""
    observed = _checked(y, {"distribution": distribution})
    lower, upper = distribution.interval(level)
    width, error = upper - lower, np.abs(observed - distribution.mean())
    if np.ptp(width) == 0 or np.ptp(error) == 0:
        return float("nan")
    return float(stats.spearmanr(width, error).statistic)


def plot_predicted_vs_observed(
    y: Any, distributions: Mapping[str, GaussianMixture], level: float = 0.9, unit: str = "", title: str | None = None
) -> Figure:
    """One panel per model: the predictive mean against the observed value with the central `level` interval as
    an error bar, points outside their interval marked, and the diagonal where prediction equals observation."""
    observed = _checked(y, distributions)
    if not 0 < level < 1:
        raise ValueError(f"level: expected a probability in (0, 1), got {level}")
    n_models = len(distributions)
    figure = Figure(figsize=(4.6 * n_models, 4.4), layout="constrained")
    axes = figure.subplots(1, n_models, sharex=True, sharey=True, squeeze=False)[0]
    bounds = {label: d.interval(level) for label, d in distributions.items()}
    low = min(observed.min(), *(lower.min() for lower, _ in bounds.values()))
    high = max(observed.max(), *(upper.max() for _, upper in bounds.values()))
    margin = 0.04 * (high - low)
    limits = (low - margin, high + margin)
    suffix = f" ({unit})" if unit else ""
    for ax, (label, distribution), color in zip(axes, distributions.items(), MODEL_COLORS, strict=False):
        mean = distribution.mean()
        lower, upper = bounds[label]
        inside = (lower <= observed) & (observed <= upper)
        for mask, marker, face, name in ((inside, "o", color, "inside"), (~inside, "X", "#c0392b", "outside")):
            ax.errorbar(observed[mask], mean[mask], yerr=[mean[mask] - lower[mask], upper[mask] - mean[mask]],
                        fmt=marker, ms=4.5, color=face, ecolor=face, elinewidth=0.8, alpha=0.75,
                        label=f"{name} its {level:.0%} interval ({mask.sum()} of {observed.size})")
        ax.plot(limits, limits, color=DATA_COLOR, lw=1.0, ls="--", label="predicted = observed")
        ax.set(xlim=limits, ylim=limits, aspect="equal", title=label, xlabel=f"observed{suffix}")
        ax.legend(loc="upper left", fontsize="small")
    axes[0].set_ylabel(f"predicted mean{suffix}")
    if title:
        figure.suptitle(title)
    return figure


def plot_calibration(
    y: Any, distributions: Mapping[str, GaussianMixture], levels: Sequence[float] = metrics.COVERAGE_LEVELS,
    bins: int = 10, title: str | None = None,
) -> Figure:
    """Two panels. Left: the PIT histogram F_i(y_i) of every model against the flat density of a calibrated
    forecast. Right: observed coverage of the central interval against its nominal level on a fine grid, the
    `levels` marked, with the diagonal and the band 95% of calibrated forecasts stay in at this many points."""
    observed = _checked(y, distributions)
    if bins < 2:
        raise ValueError(f"bins: expected at least 2 histogram bins, got {bins}")
    n = observed.size
    figure = Figure(figsize=(10.0, 4.2), layout="constrained")
    pit_ax, cover_ax = figure.subplots(1, 2)
    edges = np.linspace(0.0, 1.0, bins + 1)
    fine = np.asarray(FINE_LEVELS)
    band_low, band_high = (stats.binom.ppf(q, n, fine) / n for q in (0.025, 0.975))
    cover_ax.fill_between(fine, band_low, band_high, color="0.9", label="95% band of a calibrated forecast")
    for (label, distribution), color in zip(distributions.items(), MODEL_COLORS, strict=False):
        values = metrics.pit(observed, *_scale(distribution))
        pit_ax.hist(values, bins=edges, density=True, histtype="step", lw=2.0, color=color)
        cover_ax.plot(fine, coverage_curve(observed, distribution, FINE_LEVELS), color=color, lw=1.8, label=label)
        marked = coverage_curve(observed, distribution, levels)
        cover_ax.plot(levels, marked, "o", color=color, ms=5)
    pit_ax.axhline(1.0, color=DATA_COLOR, lw=1.0, ls="--")
    pit_ax.set(xlim=(0, 1), ylim=(0, max(1.5, pit_ax.get_ylim()[1])), xlabel="PIT = predicted P(Y <= observed)",
               ylabel="density", title=f"PIT histogram ({n} test points)")
    cover_ax.plot([0, 1], [0, 1], color=DATA_COLOR, lw=1.0, ls="--", label="calibrated (flat PIT; observed = nominal)")
    cover_ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", xlabel="nominal level of the central interval",
                 ylabel="observed coverage", title="Interval coverage")
    handles, labels = cover_ax.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=2, fontsize="small")
    if title:
        figure.suptitle(title)
    return figure


def plot_width_vs_error(
    y: Any, distributions: Mapping[str, GaussianMixture], level: float = 0.9, unit: str = "", title: str | None = None
) -> Figure:
    """The width of each point's central `level` interval against its absolute error |observed - mean|, every
    model in its colour, with the line error = width / 2: a point above it lies outside its interval when the
    interval is symmetric about the mean."""
    observed = _checked(y, distributions)
    if not 0 < level < 1:
        raise ValueError(f"level: expected a probability in (0, 1), got {level}")
    figure = Figure(figsize=(6.0, 4.4), layout="constrained")
    ax = figure.add_subplot()
    largest = 0.0
    for (label, distribution), color in zip(distributions.items(), MODEL_COLORS, strict=False):
        lower, upper = distribution.interval(level)
        width, error = upper - lower, np.abs(observed - distribution.mean())
        rho = width_error_correlation(observed, distribution, level)
        ax.scatter(width, error, s=16, color=color, alpha=0.7, label=f"{label} (Spearman {rho:.2f})")
        largest = max(largest, width.max())
    line = np.array([0.0, largest * 1.05])
    ax.plot(line, line / 2, color=DATA_COLOR, lw=1.0, ls="--", label="error = width / 2")
    suffix = f" ({unit})" if unit else ""
    ax.set(xlim=(0, line[-1]), ylim=(0, None), xlabel=f"width of the {level:.0%} interval{suffix}",
           ylabel=f"|observed - predicted mean|{suffix}", title=title or "Interval width against error")
    ax.legend(loc="upper left", fontsize="small")
    return figure
