"""Every hand-written override accepts at least the parameters of the NumPy function it replaces.

NEP 18 hands an override the caller's arguments as they came, so an override that drops a
parameter, renames it, takes it at another position or changes its default refuses (or silently
reads differently) a call that NumPy accepts. The check follows astropy's
`CheckSignatureCompatibilityBase`; it is itself tested on deliberately wrong overrides below.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from priorlab.samples.array import FUNCTION_HANDLERS
from priorlab.samples.functions import IMPLEMENTATION_RULE, OVERRIDABLE
from priorlab.samples.rules import HandWritten, NumpyImplementation

Parameter = inspect.Parameter
POSITIONAL = (Parameter.POSITIONAL_ONLY, Parameter.POSITIONAL_OR_KEYWORD)
BY_KEYWORD = (Parameter.POSITIONAL_OR_KEYWORD, Parameter.KEYWORD_ONLY)
NAMED = (*POSITIONAL, Parameter.KEYWORD_ONLY)


def _same_default(a: Any, b: Any) -> bool:
    return a is b or (type(a) is type(b) and a == b)


def incompatibilities(numpy_func: Callable, override: Callable) -> list[str]:
    """The ways in which `override` refuses or misreads a call that `numpy_func` accepts; empty: none.

    Each NumPy parameter must reach the override the way NumPy takes it (at its position, by its
    name, or through `*args`/`**kwargs`), and where NumPy has a default the override has the same.
    The override may take more (extra optional parameters, catch-alls), but requires nothing more.
    """
    numpy_params = list(inspect.signature(numpy_func).parameters.values())
    own = inspect.signature(override).parameters
    own_list = list(own.values())
    star_args = next((i for i, p in enumerate(own_list) if p.kind is Parameter.VAR_POSITIONAL), None)
    star_kwargs = any(p.kind is Parameter.VAR_KEYWORD for p in own_list)
    problems = []
    for i, p in enumerate(numpy_params):
        if p.kind is Parameter.VAR_POSITIONAL:
            if star_args is None:
                problems.append(f"*{p.name}: no *args to take them")
            continue
        if p.kind is Parameter.VAR_KEYWORD:
            if not star_kwargs:
                problems.append(f"**{p.name}: no **kwargs to take them")
            continue
        receiver = own.get(p.name) if p.kind is Parameter.KEYWORD_ONLY else None
        if p.kind in POSITIONAL and (star_args is None or i < star_args):
            receiver = own_list[i] if i < len(own_list) and own_list[i].kind in POSITIONAL else None
            if receiver is None:
                problems.append(f"{p.name}: not taken at position {i}")
            elif p.kind is Parameter.POSITIONAL_OR_KEYWORD and receiver.name != p.name:
                problems.append(f"{p.name}: position {i} is {receiver.name!r} here")
        if p.kind in BY_KEYWORD and not star_kwargs and (p.name not in own or own[p.name].kind not in BY_KEYWORD):
            problems.append(f"{p.name}: not taken by keyword")
        if receiver is not None and p.default is not Parameter.empty:
            if receiver.default is Parameter.empty:
                problems.append(f"{p.name}: required here, optional in NumPy")
            elif not _same_default(receiver.default, p.default):
                problems.append(f"{p.name}: default {receiver.default!r}, NumPy's is {p.default!r}")
    required_by_numpy = {p.name for p in numpy_params if p.kind in NAMED and p.default is Parameter.empty}
    for j, q in enumerate(own_list):
        at_numpy_position = j < len(numpy_params) and numpy_params[j].kind is Parameter.POSITIONAL_ONLY
        required_there = at_numpy_position and numpy_params[j].default is Parameter.empty
        if q.kind in NAMED and q.default is Parameter.empty and q.name not in required_by_numpy and not required_there:
            problems.append(f"{q.name}: required here, NumPy does not require it")
    return problems


HAND_WRITTEN = sorted(name for name, rule in IMPLEMENTATION_RULE.items() if isinstance(rule, HandWritten))


@pytest.mark.parametrize("name", HAND_WRITTEN)
def test_hand_written_override_accepts_numpy_signature(name: str) -> None:
    for numpy_func in OVERRIDABLE[name]:
        try:
            inspect.signature(numpy_func)
        except ValueError:
            pytest.skip(f"NumPy {np.__version__} gives np.{name} no signature to compare (C code, no text signature)")
        assert incompatibilities(numpy_func, FUNCTION_HANDLERS[numpy_func]) == [], f"np.{name}"


def test_rule_made_handlers_take_any_call() -> None:
    """What the check above needs no running on: rule-made handlers take the call as it came."""
    for name, rule in IMPLEMENTATION_RULE.items():
        if isinstance(rule, HandWritten):
            continue
        for numpy_func in OVERRIDABLE[name]:
            handler = FUNCTION_HANDLERS[numpy_func]
            if isinstance(rule, NumpyImplementation):
                assert handler is numpy_func._implementation, name
            else:
                kinds = [p.kind for p in inspect.signature(handler).parameters.values()]
                assert kinds == [Parameter.VAR_POSITIONAL, Parameter.VAR_KEYWORD], name


# --- the check itself, on overrides that are wrong on purpose -------------------------------------------


WRONG = [  # NumPy's function, an override's signature as a lambda, what the check must say
    pytest.param(np.roll, lambda a, shift: None, "axis: not taken at position 2", id="dropped"),
    pytest.param(np.roll, lambda a, offset, axis=None: None, "shift: position 1 is 'offset' here", id="renamed"),
    pytest.param(np.roll, lambda a, shift, *, axis=None: None, "axis: not taken at position 2", id="keyword-only"),
    pytest.param(np.roll, lambda a, shift, axis=0: None, "axis: default 0, NumPy's is None", id="other-default"),
    pytest.param(np.roll, lambda a, shift, axis: None, "axis: required here, optional in NumPy", id="required"),
    pytest.param(
        np.roll, lambda a, shift, axis=None, *, draws: None, "draws: required here, NumPy does not require it",
        id="requires-more",
    ),
    pytest.param(
        np.einsum, lambda *operands, out=None, optimize=False: None, "**kwargs: no **kwargs to take them",
        id="no-kwargs",
    ),
    pytest.param(
        np.gradient, lambda f, axis=None, edge_order=1: None, "*varargs: no *args to take them", id="no-args"
    ),
]
RIGHT = [  # overrides that take more than NumPy does, or rename what NumPy takes by position only
    pytest.param(np.roll, lambda *args, **kwargs: None, id="catch-alls"),
    pytest.param(np.roll, lambda a, shift, axis=None, extra=None: None, id="extra-optional"),
    pytest.param(np.linalg.vecdot, lambda u, v, /, *, axis=-1: None, id="renamed-positional-only"),
]


@pytest.mark.parametrize(("numpy_func", "override", "problem"), WRONG)
def test_check_catches_a_wrong_override(numpy_func: Callable, override: Callable, problem: str) -> None:
    assert problem in incompatibilities(numpy_func, override)


@pytest.mark.parametrize(("numpy_func", "override"), RIGHT)
def test_check_accepts_an_override_that_takes_more(numpy_func: Callable, override: Callable) -> None:
    assert incompatibilities(numpy_func, override) == []
