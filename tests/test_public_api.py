"""The short public API resolves, and the light parts do not pull in torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

import priorlab
import priorlab.benford
import priorlab.lm


@pytest.mark.parametrize("module", [priorlab, priorlab.benford, priorlab.lm], ids=lambda m: m.__name__)
def test_every_public_name_resolves(module):
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError, match="no_such_name"):
        module.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    "modules",
    ["priorlab, priorlab.benford", "priorlab.lm, priorlab.lm.grammar, priorlab.lm.prompts"],
)
def test_the_light_parts_import_without_torch(modules):
    """The data digit tests, and what the CLI reads for its help (the LM positions, the prompt set)."""
    code = f"import sys, {modules}; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_language_model_names_are_the_same_objects_everywhere():
    from priorlab.lm import api, loading, prompts

    assert priorlab.digit_distribution is priorlab.benford.digit_distribution is api.digit_distribution
    assert priorlab.load_lm is priorlab.benford.load_lm is loading.load_lm
    assert priorlab.benford.DigitDistribution is api.DigitDistribution
    assert priorlab.benford.BUILTIN_PROMPTS is prompts.BUILTIN_PROMPTS


def test_benford_does_not_import_the_language_model_package():
    """Dependencies run one way: `priorlab.lm` uses `priorlab.benford`'s statistics, never the reverse."""
    code = "import sys, priorlab.benford, priorlab.benford.plots; print(sorted(m for m in sys.modules if 'lm' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "priorlab.lm" not in result.stdout
