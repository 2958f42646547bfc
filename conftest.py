"""Collection of the docstring examples of src/priorlab (pytest's `--doctest-modules`, set in pyproject.toml).

Without the lm extra (transformers, tokenizers), a module that imports one of its packages at the top cannot
be imported, and one whose examples do cannot run them: both are left out of collection, as
tests/conftest.py skips the tests that need the extra. Every other example runs in every environment.

At the repository root, not in src/: pytest imports every conftest.py outside a package as the module
`conftest`, and `--doctest-modules` collects tests/conftest.py under that name, so it must be the last one
imported; one in src/ would come after it (an "import file mismatch" error).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).parent
LM_PACKAGES = ("transformers", "tokenizers", "gguf", "huggingface_hub")
LM_EXTRA = all(importlib.util.find_spec(name) is not None for name in ("transformers", "tokenizers"))
# an import of an lm package at the top of a module, or in a docstring example
LM_IMPORT = re.compile(rf"^(?:\s*>>> )?(?:from|import) (?:{'|'.join(LM_PACKAGES)})\b", re.MULTILINE)


def needs_lm(path: Path) -> bool:
    return LM_IMPORT.search(path.read_text(encoding="utf-8")) is not None


collect_ignore_glob = [] if LM_EXTRA else sorted(
    str(path.relative_to(ROOT)) for path in ROOT.glob("src/priorlab/**/*.py") if needs_lm(path)
)
