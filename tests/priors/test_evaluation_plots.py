"""Held-out evaluation figures: the numbers drawn are the distribution's, checked against scipy by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from priorlab.predictive import GaussianMixture
from priorlab.priors.evaluation_plots import (
    FINE_LEVELS,
    coverage_curve,
    plot_calibration,
    plot_predicted_vs_observed,
    plot_width_vs_error,
    width_error_correlation,
)

Y = np.array([0.1, -0.7, 1.0, 2.0, -3.0, 0.4])


def _standard_normals(n: int = len(Y), scale: float = 1.0) -> GaussianMixture:
    """One component per point: N(0, scale^2) everywhere, so every interval is +- scale * z by formula."""
    return GaussianMixture(np.zeros((1, n)), np.full((1, n), scale**2))


def test_coverage_curve_counts_points_inside_the_normal_interval():
    levels = (0.3, 0.5, 0.9, 0.99)
    expected = [np.mean(np.abs(Y) <= stats.norm.ppf((1 + p) / 2)) for p in levels]
    assert coverage_curve(Y, _standard_normals(), levels).tolist() == expected


def test_width_error_correlation_ranks_errors():
    scales = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 16.0])
    mixture = GaussianMixture(np.zeros((2, 6)), np.tile(scales**2, (2, 1)))
    assert width_error_correlation(0.1 * scales, mixture) == pytest.approx(1.0)
    assert width_error_correlation(0.1 * scales[::-1], mixture) == pytest.approx(-1.0)


def test_predicted_vs_observed_marks_the_points_outside():
    mixture = _standard_normals()
    figure = plot_predicted_vs_observed(Y, {"model": mixture}, level=0.9)
    outside = int(np.sum(np.abs(Y) > stats.norm.ppf(0.95)))
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert f"inside its 90% interval ({len(Y) - outside} of {len(Y)})" in labels
    assert f"outside its 90% interval ({outside} of {len(Y)})" in labels


def test_calibration_draws_each_models_coverage_curve():
    models = {"narrow": _standard_normals(scale=0.5), "wide": _standard_normals(scale=3.0)}
    figure = plot_calibration(Y, models)
    cover_ax = figure.axes[1]
    curves = [line for line in cover_ax.get_lines() if len(line.get_xdata()) == len(FINE_LEVELS)]
    assert len(curves) == 2
    for line, mixture in zip(curves, models.values(), strict=True):
        assert np.array_equal(line.get_ydata(), coverage_curve(Y, mixture))
    narrow, wide = (line.get_ydata() for line in curves)
    assert (narrow <= wide).all() and (narrow < wide).any()


def test_width_vs_error_draws_one_point_per_observation():
    scales = np.linspace(0.5, 3.0, len(Y))
    mixture = GaussianMixture(np.zeros((1, len(Y))), scales[None, :] ** 2)
    figure = plot_width_vs_error(Y, {"model": mixture}, level=0.8)
    (points,) = figure.axes[0].collections
    offsets = points.get_offsets()
    assert np.allclose(offsets[:, 0], 2 * scales * stats.norm.ppf(0.9))
    assert np.allclose(offsets[:, 1], np.abs(Y))
    rho = stats.spearmanr(scales, np.abs(Y)).statistic
    assert f"model (Spearman {rho:.2f})" in figure.axes[0].get_legend_handles_labels()[1]


def test_width_error_correlation_is_nan_when_nothing_varies():
    assert np.isnan(width_error_correlation(Y, _standard_normals()))


def test_mismatched_inputs_are_refused_by_name():
    with pytest.raises(ValueError, match=r"distributions\['short'\]"):
        plot_calibration(Y, {"short": _standard_normals(n=len(Y) - 1)})
    with pytest.raises(TypeError, match=r"distributions\['raw'\]"):
        plot_width_vs_error(Y, {"raw": np.zeros(len(Y))})
    with pytest.raises(ValueError, match="level"):
        plot_predicted_vs_observed(Y, {"model": _standard_normals()}, level=1.5)
