"""Names a package exports without importing their modules until first use (PEP 562).

`import priorlab` and `import priorlab.benford` stay quick and torch-free: a name such as `Ensemble` or
`load_lm` imports its module only when it is first looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that resolves each name in `modules` (name -> module) on use."""

    def __getattr__(name: str) -> Any:
        if name in modules:
            return getattr(importlib.import_module(modules[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
