"""Figures for digit tests: observed proportions against Benford's law.

Figures are built with `matplotlib.figure.Figure` directly (no pyplot state), so they render
headless with the Agg backend; `priorlab.files.save_figure` writes them to disk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from scipy import stats as sps

from priorlab.benford import registry
from priorlab.benford.stats import BenfordResult
from priorlab.validation import Number, check_int


def acceptance_band(result: BenfordResult, level: float = 0.95) -> tuple[np.ndarray, np.ndarray] | None:
    """Proportions whose z (with the 1/(2N) correction) stays below the two-sided critical value.

    p_e +- (z_crit * sqrt(p_e (1 - p_e) / N) + 1/(2N)); None without a sample size.
    """
    if result.n is None:
        return None
    level = Number(0.0, strict=True, maximum=1.0, maximum_strict=True)(level, "level")
    z_crit = float(sps.norm.ppf(0.5 + level / 2))
    p, n = result.expected, result.n
    half_width = z_crit * np.sqrt(p * (1 - p) / n) + 1 / (2 * n)
    return np.clip(p - half_width, 0, 1), np.clip(p + half_width, 0, 1)


def _figure_and_axes(ax: Any, figsize: tuple[float, float]) -> tuple[Figure, Any]:
    """`ax` and its figure when given, else a new figure of `figsize` with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def plot_benford(result: BenfordResult, ax: Any = None, level: float = 0.95) -> Figure:
    """Observed proportions as bars, the expected law as a line, and the z acceptance band.

    Draws on `ax` when given (and returns its figure), else on a new figure.
    """
    fig, ax = _figure_and_axes(ax, (8 if result.digits.size <= 10 else 12, 4.5))
    x = result.digits
    width = 0.8 if x.size <= 100 else 1.0
    ax.bar(x, result.observed, width=width, color="#4c72b0", alpha=0.8, label="observed")
    ax.plot(x, result.expected, color="#c44e52", lw=1.8, marker="o" if x.size <= 10 else None, ms=4, label="expected")
    band = acceptance_band(result, level)
    if band is not None:
        ax.fill_between(x, *band, color="#c44e52", alpha=0.18, step=None, label=f"{level:.0%} z band")
    title = f"Benford {result.test} digit test"
    if result.n is not None:
        title += f" (N = {result.n:,})"
    if result.conformity is not None:
        title += f": {result.conformity}"
    ax.set_title(title)
    ax.set_xlabel(registry.get(result.test).description)
    ax.set_ylabel("proportion")
    if x.size <= 10:
        ax.set_xticks(x)
    ax.legend(loc="upper right")
    return fig


def plot_lm_digits(distributions: Any, ncols: int = 4) -> Figure:
    """A grid with one panel per prompt: the language model's digit probabilities as bars against the
    Benford curve, as in Perone's (2019) GPT-2 figures (`distributions` from `priorlab.lm.digit_distribution`)."""
    import textwrap

    distributions = list(distributions)
    if not distributions:
        raise ValueError("distributions: nothing to plot (empty list)")
    ncols = check_int(ncols, "ncols")
    ncols = min(ncols, len(distributions))
    nrows = -(-len(distributions) // ncols)
    fig = Figure(figsize=(3.6 * ncols, 2.9 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, dist in zip(axes.flat[: len(distributions)], distributions, strict=True):
        digits, expected = registry.expected(dist.position)
        ax.bar(dist.digits, dist.probabilities, width=0.8, color="#4c72b0", alpha=0.85, label="model")
        ax.plot(digits, expected, color="#c44e52", lw=1.6, marker="o" if digits.size <= 10 else None, ms=3,
                label="Benford")
        r = getattr(dist.result, "pearson_r", float("nan"))
        ax.set_title("\n".join(textwrap.wrap(f"\u201c{dist.prompt}\u201d", 38)[:2]), fontsize=8)
        ax.text(0.98, 0.95, f"P(number) {dist.number_mass:.2f}\nr {r:.2f}", transform=ax.transAxes,
                ha="right", va="top", fontsize=7)
        if digits.size <= 10:
            ax.set_xticks(digits)
        ax.tick_params(labelsize=7)
    for index, ax in enumerate(axes.flat[: len(distributions)]):
        if index % ncols == 0:
            ax.set_ylabel("probability", fontsize=8)
        if index + ncols >= len(distributions):  # nothing below it: the bottom of its column
            ax.set_xlabel(registry.get(distributions[0].position).description, fontsize=8)
    for ax in axes.flat[len(distributions):]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="center right", fontsize=7)
    fig.suptitle(f"P({distributions[0].position} digit | prompt, a number follows), {distributions[0].method}",
                 fontsize=10)
    return fig


def plot_summation(result: Any, ax: Any = None) -> Figure:
    """Nigrini's summation test: each first-two-digit bucket's share of the total against the flat 1/90."""
    fig, ax = _figure_and_axes(ax, (12, 4.5))
    ax.bar(result.digits, result.observed, width=0.8, color="#4c72b0", alpha=0.8, label="share of the total")
    ax.axhline(result.expected[0], color="#c44e52", lw=1.8, label="expected (1/90)")
    ax.set_title(f"Benford summation test (N = {result.n:,}, total {result.total:,.0f})")
    ax.set_xlabel("first two digits, 10-99")
    ax.set_ylabel("share of the total amount")
    ax.legend(loc="upper right")
    return fig


def plot_groups(groups: Any, worst: int = 6) -> Figure:
    """The `worst` groups by MAD of a `groups.GroupResult`, one panel each, with their conformity."""
    worst = check_int(worst, "worst")
    shown = list(zip(groups.keys, groups.results, strict=True))[:worst]
    ncols = min(3, len(shown))
    nrows = -(-len(shown) // ncols)
    fig = Figure(figsize=(5.2 * ncols, 3.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, (key, result) in zip(axes.flat, shown, strict=False):
        plot_benford(result, ax=ax)
        ax.set_title(f"{groups.by} {key}: N = {result.n:,}, MAD {result.mad:.4f}", fontsize=9)
        ax.legend().set_visible(False)
    for ax in axes.flat[len(shown):]:
        ax.set_visible(False)
    fig.suptitle(f"Benford {groups.test} digit test: the {len(shown)} groups of {groups.by} with the largest MAD")
    return fig


def plot_duplication(result: Any, ax: Any = None) -> Figure:
    """Nigrini's number duplication test: the most frequent amounts (or last two digits) and their counts."""
    fig, ax = _figure_and_axes(ax, (8, 4.5))
    labels = [label for label, _, _ in result.rows()]
    ax.barh(range(len(labels)), result.counts, color="#4c72b0", alpha=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"count (of N = {result.n:,})")
    ax.set_title(f"Number duplication test: most frequent {result.what}")
    return fig


def plot_lm_methods(exact: Any, tokens: Any) -> Figure:
    """One prompt's first-digit distribution by the exact method and by the nine single-digit tokens (Perone
    2019), as grouped bars beside Benford's law; each method's legend gives the mass it rests on (`exact` and
    `tokens` from `priorlab.lm.digit_distribution` with method "exact" and "tokens")."""
    if exact.prompt != tokens.prompt:
        raise ValueError(f"tokens: expected the distribution of {exact.prompt!r}, got {tokens.prompt!r}")
    digits, benford = registry.expected("first")
    figure = Figure(figsize=(7.0, 3.8), layout="constrained")
    ax = figure.add_subplot()
    width = 0.27
    ax.bar(digits - width, benford, width, color="0.6", label="Benford log10(1 + 1/d)")
    ax.bar(digits, exact.probabilities, width, color="#1f5fa8",
           label=f"exact (a number follows: P = {exact.number_mass:.2g})")
    ax.bar(digits + width, tokens.probabilities, width, color="#e07b20",
           label=f"nine digit tokens, Perone 2019 (their mass: {tokens.number_mass:.2g})")
    ax.set(xlabel="first digit d", ylabel="P(d | prompt, a number follows)", xticks=digits)
    ax.set_title(f"\u201c{exact.prompt}\u201d")
    ax.legend(fontsize="small")
    return figure
