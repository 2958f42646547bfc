"""The short public API resolves, and the light parts do not pull in torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

import priorlab
import priorlab.benford


@pytest.mark.parametrize("module", [priorlab, priorlab.benford], ids=lambda m: m.__name__)
def test_every_public_name_resolves(module):
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    with pytest.raises(AttributeError, match="no_such_name"):
        module.no_such_name  # noqa: B018


def test_the_data_digit_tests_import_without_torch():
    code = "import sys, priorlab, priorlab.benford; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
