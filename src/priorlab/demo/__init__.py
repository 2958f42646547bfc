"""`priorlab demo`: Osband et al. (2018) and Perone (2019) reproduced end to end, as one report folder.

Five sections, each a module built from the library's public calls:

1. `prior_functions`: randomized prior ensembles on the paper's 1-D data, in the four settings of Perone's
   (2019) figures (uncertainty band, priors alone, members, training animation, std inside/outside the data);
2. `real_data`: uncertainty on real data, a randomized prior ensemble and a plain deep ensemble evaluated as
   the UCI benchmark evaluates (`priors.selection.evaluate`) on standard split 0 of the shipped Concrete data,
   scored and plotted (predicted vs observed, calibration, interval width vs error) beside the published figures;
3. `language_model`: Benford's law in a language model, P(first digit | prompt) for the built-in prompts, exact
   marginalisation beside the nine-token method of Perone (2019);
4. `benford_data`: Benford's law in real data, World Bank population figures, first and first-two digit tests;
5. `deep_sea`: deep exploration (Osband et al., 2018), a small Deep Sea sweep of bootstrapped DQN with and
   without randomized priors and epsilon-greedy DQN (the full sweep is `priorlab deep-sea --sweep`).

Every section is a function `(config, folder, advance) -> SectionOutput` (`demo.section`); `run_demo` runs them
in order. A section whose optional extra is missing is skipped with a note saying how to enable it. The
folder gets `index.html` (figures embedded), every figure as PNG/GIF, and `summary.json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from priorlab import __version__
from priorlab.demo.benford_data import data_section
from priorlab.demo.config import DemoConfig
from priorlab.demo.deep_sea import deep_sea_section
from priorlab.demo.language_model import lm_section, unavailable_model
from priorlab.demo.prior_functions import PRIOR_SETTINGS, priors_section
from priorlab.demo.real_data import REAL_DATA_MODELS, REAL_DATA_SPLIT, real_data_section
from priorlab.demo.section import SectionOutput
from priorlab.files import write_json
from priorlab.report import Report, staged_output_dir, write_report

__all__ = ["PRIOR_SETTINGS", "REAL_DATA_MODELS", "REAL_DATA_SPLIT", "DemoConfig", "DemoResult", "run_demo"]

STAGES = len(PRIOR_SETTINGS) + 1 + len(REAL_DATA_MODELS) + 3
"""The progress bar's stages: a prior setting each, the selection and a refit per model, the other sections."""


@dataclass
class DemoResult:
    """What a demo run produced: the report folder, its summary and the sections it skipped."""

    out: Path
    summary: dict[str, Any]
    figures: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def _sections() -> dict[str, Any]:
    """The sections in page order, by their key in summary.json (looked up when called, so a test can
    replace one)."""
    return {
        "priors": priors_section,
        "real_data": real_data_section,
        "lm": lm_section,
        "benford_data": data_section,
        "deep_sea": deep_sea_section,
    }


def _report(config: DemoConfig, outputs: dict[str, SectionOutput]) -> Report:
    return Report(
        "priorlab demo",
        "Osband et al. (2018) and Perone (2019) reproduced end to end: randomized prior functions for "
        "uncertainty on the paper's 1-D data and on real data (Concrete Compressive Strength), Benford's law "
        "in a language model's digit predictions, Benford's law in real data, and deep exploration on Deep Sea. "
        f"priorlab {__version__}; {'quick' if config.quick else 'full'} run, random seed {config.seed}.",
        [section for output in outputs.values() for section in output.sections],
    )


def run_demo(config: DemoConfig) -> DemoResult:
    """Run every section and write the report folder `config.out` (replacing a previous report)."""
    unavailable_model(config)  # a bad --model fails now, not after the ensembles are trained
    started: list[str] = []
    with staged_output_dir(config.out) as folder, tqdm(
        total=STAGES, desc="demo", unit="stage", disable=not config.progress
    ) as bar:

        def advance(stage: str) -> None:
            """Mark the previous stage done and show the one starting now."""
            if started:
                bar.update(1)
            started.append(stage)
            bar.set_postfix_str(stage)

        outputs = {key: build(config, folder, advance) for key, build in _sections().items()}
        report = _report(config, outputs)
        figures = [figure.file for figure in report.figures]
        skipped = {key: out.summary["reason"] for key, out in outputs.items() if out.summary.get("status") == "skipped"}
        summary = {
            "priorlab_version": __version__,
            "quick": config.quick,
            "seed": config.seed,
            "figures": figures,
            "skipped": skipped,
            **{key: output.summary for key, output in outputs.items()},
        }
        write_report(report, folder)
        write_json(folder / "summary.json", summary)
        bar.update(1)
    return DemoResult(Path(config.out), summary, figures, skipped)
