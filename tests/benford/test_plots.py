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



def test_audit_figures_draw_what_the_results_hold():
    from priorlab.benford import number_duplication, summation
    from priorlab.benford.groups import analyze_by
    from priorlab.benford.plots import plot_duplication, plot_groups, plot_summation

    rng = np.random.default_rng(0)
    x = np.round(rng.lognormal(4, 2, 4000), 2)
    summed = summation(x)
    bars = plot_summation(summed).axes[0].patches
    assert [b.get_height() for b in bars] == summed.observed.tolist()
    dup = number_duplication(np.r_[x, [50.0] * 30], top=5)
    widths = [b.get_width() for b in plot_duplication(dup).axes[0].patches]
    assert widths == dup.counts.tolist() and widths[0] == 30 + np.count_nonzero(x == 50.0)
    groups = analyze_by(x, rng.integers(0, 5, x.size), "first", min_n=10)
    shown = [ax for ax in plot_groups(groups, worst=4).axes if ax.get_visible()]
    assert len(shown) == 4 and str(groups.keys[0]) in shown[0].get_title()
