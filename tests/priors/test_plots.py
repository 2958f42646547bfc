"""The figures of Perone (2019): what is drawn must be exactly the members, their mean, interval and parts."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from PIL import Image

from priorlab.priors.plots import animate_training, plot_members, plot_priors, plot_uncertainty
from priorlab.samples import Samples

GRID = np.linspace(-1.0, 2.0, 50).reshape(-1, 1)
X_TRAIN = np.linspace(0.0, 1.0, 6).reshape(-1, 1)
Y_TRAIN = np.sin(3 * X_TRAIN)


def _members(k: int = 7, seed: int = 0, column: bool = True) -> Samples:
    """k random smooth curves over GRID, as the ensemble returns them: (K, n, 1) or (K, n)."""
    rng = np.random.default_rng(seed)
    x = GRID.ravel()
    curves = rng.normal(size=(k, 1)) * x + rng.normal(size=(k, 1)) * np.sin(3 * x) + rng.normal(size=(k, 1))
    return Samples(curves[..., None] if column else curves)


def _pixels(figure: Figure) -> np.ndarray:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=50)
    with Image.open(buffer) as image:
        return np.asarray(image.convert("L"), dtype=float)


@pytest.mark.parametrize("column", [True, False])
def test_uncertainty_draws_the_mean_interval_and_data(column):
    samples = _members(column=column)
    figure = plot_uncertainty(X_TRAIN, Y_TRAIN, GRID, samples, level=0.8)
    (ax,) = figure.axes
    (mean_line,) = ax.lines
    np.testing.assert_allclose(mean_line.get_ydata(), np.ravel(samples.mean()), rtol=1e-6)
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    lower, upper = (np.ravel(b) for b in samples.interval(0.8))
    vertices = band.get_paths()[0].vertices
    assert vertices[:, 1].max() == pytest.approx(upper.max())
    assert vertices[:, 1].min() == pytest.approx(lower.min())
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(points.get_offsets(), np.column_stack([X_TRAIN.ravel(), Y_TRAIN.ravel()]))
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    assert _pixels(figure).std() > 10


def test_uncertainty_draws_into_a_given_axes():
    figure = Figure()
    ax = figure.add_subplot()
    assert plot_uncertainty(X_TRAIN, Y_TRAIN, GRID, _members(), ax=ax, title="mine") is figure
    assert ax.get_title() == "mine"


def test_priors_draws_every_member():
    samples = _members(k=5)
    figure = plot_priors(GRID, samples, x_train=X_TRAIN)
    drawn = [line.get_ydata() for line in figure.axes[0].lines if len(line.get_ydata())]
    np.testing.assert_allclose(np.array(drawn), np.asarray(samples.samples)[..., 0])


@pytest.mark.parametrize(("k", "n_members", "ncols", "panels"), [(7, 8, 4, 7), (3, 2, 4, 2), (10, 5, 2, 5)])
def test_members_shows_prior_trained_part_and_their_sum(k, n_members, ncols, panels):
    base, prior = _members(k, seed=1), _members(k, seed=2)
    figure = plot_members(GRID, base, prior, X_TRAIN, Y_TRAIN, n_members=n_members, ncols=ncols)
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == panels
    for member, ax in enumerate(visible):
        prior_line, base_line, sum_line = ax.lines
        np.testing.assert_allclose(prior_line.get_ydata(), np.asarray(prior.samples)[member, :, 0])
        np.testing.assert_allclose(base_line.get_ydata(), np.asarray(base.samples)[member, :, 0])
        np.testing.assert_allclose(sum_line.get_ydata(), prior_line.get_ydata() + base_line.get_ydata())
    assert len(figure.legends) == 1


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="level"):
        plot_uncertainty(X_TRAIN, Y_TRAIN, GRID, _members(), level=1.5)
    with pytest.raises(TypeError, match="samples"):
        plot_uncertainty(X_TRAIN, Y_TRAIN, GRID, np.zeros((3, 50)))
    with pytest.raises(ValueError, match="prior_samples"):
        plot_priors(GRID[:10], _members())
    with pytest.raises(ValueError, match="grid"):
        plot_priors(np.zeros((5, 2)), _members())
    with pytest.raises(ValueError, match="member counts"):
        plot_members(GRID, _members(3), _members(4))
    with pytest.raises(ValueError, match="x_train and y_train"):
        plot_uncertainty(X_TRAIN, Y_TRAIN[:3], GRID, _members())


def test_animation_has_one_frame_per_snapshot(tmp_path):
    frames = [(epoch, Samples(np.asarray(_members().samples) * epoch / 4)) for epoch in range(1, 5)]
    path = animate_training(frames, tmp_path / "train.gif", X_TRAIN, Y_TRAIN, GRID, fps=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.gif"]
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == len(frames)
        images = []
        for index in range(gif.n_frames):
            gif.seek(index)
            images.append(np.asarray(gif.convert("L"), dtype=float))
    assert all(image.std() > 10 for image in images)
    assert np.abs(images[0] - images[-1]).mean() > 0.5  # the members move between frames


def test_animation_refuses_bad_input_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="frames"):
        animate_training([], tmp_path / "a.gif", X_TRAIN, Y_TRAIN, GRID)
    with pytest.raises(ValueError, match="path"):
        animate_training([(1, _members())], tmp_path / "a.png", X_TRAIN, Y_TRAIN, GRID)
    good = (1, _members())
    bad = (2, Samples(np.zeros((7, 10))))
    with pytest.raises(ValueError, match=r"frames\[1\]"):
        animate_training([good, bad], tmp_path / "a.gif", X_TRAIN, Y_TRAIN, GRID)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failing_frame", [0, 2])
def test_an_interrupted_animation_raises_the_interrupt_and_writes_nothing(tmp_path, monkeypatch, failing_frame):
    """Ctrl-C while frames are drawn: the KeyboardInterrupt itself comes out (matplotlib's `saving` context
    turned one before the first frame into an IndexError), and no GIF, not even a partial one, is left."""
    from matplotlib.animation import PillowWriter

    grab = PillowWriter.grab_frame
    grabbed = []

    def interrupted(self, **kwargs):
        if len(grabbed) == failing_frame:
            raise KeyboardInterrupt
        grabbed.append(1)
        return grab(self, **kwargs)

    monkeypatch.setattr(PillowWriter, "grab_frame", interrupted)
    frames = [(epoch, _members()) for epoch in range(1, 5)]
    with pytest.raises(KeyboardInterrupt):
        animate_training(frames, tmp_path / "train.gif", X_TRAIN, Y_TRAIN, GRID)
    assert list(tmp_path.iterdir()) == []
