"""Figures: observed bars, the expected curve and the z acceptance band."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from priorlab import benford
from priorlab.benford import plots


def _result():
    rng = np.random.default_rng(0)
    return benford.analyze(rng.lognormal(0, 3, 5000))


def test_plot_has_bars_curve_and_band():
    r = _result()
    fig = plots.plot_benford(r)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, r.observed)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), r.expected)
    assert len(ax.collections) == 1  # the band
    assert "N = 5,000" in ax.get_title()


def test_band_is_where_z_stays_below_critical_value():
    r = _result()
    low, high = plots.acceptance_band(r, 0.95)
    inside = (r.observed >= low) & (r.observed <= high)
    np.testing.assert_array_equal(inside, r.z <= 1.959963984540054 + 1e-9)


def test_proportions_have_no_band_and_axes_can_be_given():
    r = benford.from_proportions(benford.expected("second")[1], "second")
    fig = Figure()
    ax = fig.add_subplot()
    assert plots.plot_benford(r, ax=ax) is fig
    assert len(ax.collections) == 0 and len(ax.patches) == 10

