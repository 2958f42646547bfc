"""Figures of a 1-D randomized prior ensemble: uncertainty band, priors alone, members, training GIF.

These are the figures of Perone (2019), after Osband et al. (2018). All take predictions as `Samples`
(the member axis is the sample axis) on a 1-D grid and build figures with `matplotlib.figure.Figure`, so
no pyplot state is touched.
Colours are shared by every figure: data black, ensemble mean blue, priors orange, trained parts green.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.animation import PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from priorlab.files import atomic_path
from priorlab.samples import Samples

logger = logging.getLogger(__name__)

DATA_COLOR = "black"
MEAN_COLOR = "#1f5fa8"
BAND_COLOR = "#8fb8e8"
PRIOR_COLOR = "#e07b20"
TRAINED_COLOR = "#2a9d4b"
MEMBER_COLOR = "#5a7fb0"


def _grid_1d(grid: Any, name: str = "grid") -> np.ndarray:
    values = np.asarray(grid, dtype=float)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"{name}: expected a 1-D grid of at least 2 points (or shape (n, 1)), got {values.shape}")
    return values


def _member_curves(samples: Samples, n_points: int, name: str) -> np.ndarray:
    """The draws of `samples` as a (K, n_points) array, one curve per ensemble member."""
    if not isinstance(samples, Samples):
        raise TypeError(f"{name}: expected priorlab.samples.Samples, got {type(samples).__name__}")
    draws = np.asarray(samples.samples, dtype=float)
    curves = draws.reshape(draws.shape[0], -1)
    if curves.shape[1] != n_points:
        raise ValueError(f"{name}: expected one prediction per grid point ({n_points}), got shape {draws.shape[1:]}")
    return curves


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = (6.4, 4.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    figure = Figure(figsize=figsize, layout="constrained")
    return figure, figure.add_subplot()


def _shade_data_range(ax: Axes, x_train: Any) -> None:
    x = np.asarray(x_train, dtype=float).ravel()
    ax.axvspan(x.min(), x.max(), color="0.93", zorder=0, label="training range")


def _draw_data(ax: Axes, x_train: Any, y_train: Any) -> None:
    x = np.asarray(x_train, dtype=float).ravel()
    y = np.asarray(y_train, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x_train and y_train: expected the same number of points, got {x.size} and {y.size}")
    ax.scatter(x, y, s=22, color=DATA_COLOR, zorder=5, label="training data")


def plot_uncertainty(
    x_train: Any,
    y_train: Any,
    grid: Any,
    samples: Samples,
    level: float = 0.9,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Data, ensemble mean and the central `level` interval of the members over `grid`."""
    if not 0 < level < 1:
        raise ValueError(f"level: expected a probability in (0, 1), got {level}")
    x = _grid_1d(grid)
    curves = _member_curves(samples, x.size, "samples")
    lower, upper = (np.asarray(bound, dtype=float).ravel() for bound in samples.interval(level))
    figure, ax = _new_axes(ax)
    _shade_data_range(ax, x_train)
    ax.fill_between(x, lower, upper, color=BAND_COLOR, alpha=0.6, label=f"{level:.0%} interval")
    ax.plot(x, curves.mean(axis=0), color=MEAN_COLOR, lw=2.2, label=f"mean of {curves.shape[0]} members")
    _draw_data(ax, x_train, y_train)
    ax.set(xlabel="x", ylabel="y", xlim=(x.min(), x.max()), title=title or "Predictive uncertainty")
    ax.legend(loc="best", fontsize="small")
    return figure


def plot_priors(
    grid: Any,
    prior_samples: Samples,
    x_train: Any | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The scaled prior functions alone, one curve per member: the spread the data must explain away."""
    x = _grid_1d(grid)
    curves = _member_curves(prior_samples, x.size, "prior_samples")
    figure, ax = _new_axes(ax)
    if x_train is not None:
        _shade_data_range(ax, x_train)
    ax.plot(x, curves.T, color=PRIOR_COLOR, lw=0.9, alpha=0.55)
    ax.plot([], [], color=PRIOR_COLOR, label=f"prior p_k(x), {curves.shape[0]} members")
    ax.set(xlabel="x", ylabel="prior output", xlim=(x.min(), x.max()), title=title or "Priors alone")
    ax.legend(loc="best", fontsize="small")
    return figure


def plot_members(
    grid: Any,
    base_samples: Samples,
    prior_samples: Samples,
    x_train: Any | None = None,
    y_train: Any | None = None,
    n_members: int = 8,
    ncols: int = 4,
    title: str | None = None,
) -> Figure:
    """Small multiples of the first `n_members` members: prior part, trained part and their sum."""
    if n_members < 1 or ncols < 1:
        raise ValueError(f"n_members and ncols: expected positive integers, got {n_members} and {ncols}")
    x = _grid_1d(grid)
    base = _member_curves(base_samples, x.size, "base_samples")
    prior = _member_curves(prior_samples, x.size, "prior_samples")
    if base.shape[0] != prior.shape[0]:
        raise ValueError(f"base_samples and prior_samples: member counts differ ({base.shape[0]} vs {prior.shape[0]})")
    shown = min(n_members, base.shape[0])
    ncols = min(ncols, shown)
    nrows = -(-shown // ncols)
    figure = Figure(figsize=(3.0 * ncols, 2.4 * nrows + 0.6), layout="constrained")
    axes = figure.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= shown:
            ax.set_visible(False)
            continue
        if x_train is not None and y_train is not None:
            ax.scatter(np.ravel(x_train), np.ravel(y_train), s=8, color=DATA_COLOR, zorder=5)
        ax.plot(x, prior[k], color=PRIOR_COLOR, lw=1.3, ls="--", label="prior part p_k")
        ax.plot(x, base[k], color=TRAINED_COLOR, lw=1.3, label="trained part f_k")
        ax.plot(x, base[k] + prior[k], color=MEAN_COLOR, lw=2.0, label="member f_k + p_k")
        ax.set_title(f"member {k + 1}", fontsize="medium")
    for ax in axes[-1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("y")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small")
    figure.suptitle(title or f"Individual members (first {shown} of {base.shape[0]})")
    return figure


def _frame_limits(curves: Sequence[np.ndarray], y_train: np.ndarray) -> tuple[float, float]:
    """A y-range that holds the data and the final members, so early wild frames do not rescale."""
    final = curves[-1]
    low = min(y_train.min(), np.quantile(final, 0.02))
    high = max(y_train.max(), np.quantile(final, 0.98))
    margin = 0.15 * (high - low or 1.0)
    return low - margin, high + margin


def animate_training(
    frames: Sequence[tuple[int, Samples]],
    path: Path,
    x_train: Any,
    y_train: Any,
    grid: Any,
    level: float = 0.9,
    fps: int = 8,
    dpi: int = 72,
    title: str = "Training",
) -> Path:
    """Write a GIF of the members converging: one frame per `(epoch, predictions on grid)` pair.

    Each frame shows every member (thin lines), the ensemble mean and the `level` interval; the
    y-range is fixed from the last frame so the eye sees the members settle, not the axes move.
    """
    if not frames:
        raise ValueError("frames: expected at least one (epoch, samples) pair")
    path = Path(path)
    if path.suffix.lower() != ".gif":
        raise ValueError(f"path: expected a .gif file name, got {path.name!r}")
    x = _grid_1d(grid)
    curves = [_member_curves(samples, x.size, f"frames[{i}]") for i, (_, samples) in enumerate(frames)]
    y = np.asarray(y_train, dtype=float).ravel()

    figure, ax = _new_axes(None, figsize=(6.4, 4.2))
    _shade_data_range(ax, x_train)
    band = ax.fill_between(x, x * 0, x * 0, color=BAND_COLOR, alpha=0.5, label=f"{level:.0%} interval")
    member_lines = ax.plot(x, curves[0].T, color=MEMBER_COLOR, lw=0.6, alpha=0.35)
    (mean_line,) = ax.plot(x, curves[0].mean(axis=0), color=MEAN_COLOR, lw=2.2, label="ensemble mean")
    _draw_data(ax, x_train, y_train)
    ax.set(xlabel="x", ylabel="y", xlim=(x.min(), x.max()), ylim=_frame_limits(curves, y))
    figure.legend(loc="outside lower center", ncols=4, fontsize="small")
    figure.draw_without_rendering()  # lay out once; the frames only move lines, so freeze that layout
    figure.set_layout_engine("none")

    writer = PillowWriter(fps=fps)
    with atomic_path(path) as temporary:
        # not `writer.saving(...)`: its exit writes the file even when the block fails (and raises its own
        # IndexError when interrupted before the first frame); an error here must leave nothing written
        writer.setup(figure, str(temporary), dpi=dpi)
        for (epoch, samples), members in zip(frames, curves, strict=True):
            for line, member in zip(member_lines, members, strict=True):
                line.set_ydata(member)
            mean_line.set_ydata(members.mean(axis=0))
            band.remove()
            lower, upper = (np.asarray(bound, dtype=float).ravel() for bound in samples.interval(level))
            band = ax.fill_between(x, lower, upper, color=BAND_COLOR, alpha=0.5, zorder=1)
            ax.set_title(f"{title}: epoch {epoch}")
            writer.grab_frame()
        writer.finish()
    logger.info("wrote %d-frame training animation to %s", len(frames), path)
    return path
