"""Argument checks for the whole package, so every refusal reads the same way.

A constraint is a small value that checks one argument and describes itself; a parameter table
(`Param`) pairs a name, a default, a constraint and a one-line meaning, so that checks, saved
configurations, scikit-learn signatures and CLI help are all derived from one declaration (in the
spirit of scikit-learn's `_parameter_constraints`). Every message starts with the argument's name.
`True` is never an integer here, and a number is never a string.
"""

from __future__ import annotations

import inspect
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of strings."""

    choices: tuple[str, ...]

    def __call__(self, value: Any, name: str) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise ValueError(f"{name}: expected one of {', '.join(self.choices)}; got {value!r}")
        return value

    def describe(self) -> str:
        return " | ".join(self.choices)

    def doc_type(self) -> str:
        return "{" + ", ".join(map(repr, self.choices)) + "}"


@dataclass(frozen=True)
class Integer:
    """An integer (never a bool) in [minimum, maximum]."""

    minimum: int | None = 1
    maximum: int | None = None

    def __call__(self, value: Any, name: str) -> int:
        if not _is_int(value) or not self._inside(int(value)):
            raise ValueError(f"{name}: expected {self.describe()}; got {value!r}")
        return int(value)

    def _inside(self, value: int) -> bool:
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)

    def describe(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"an integer from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"an integer >= {self.minimum}"
        return "an integer" if self.maximum is None else f"an integer <= {self.maximum}"

    def doc_type(self) -> str:
        return "int"


@dataclass(frozen=True)
class Number:
    """A finite real number (never a bool or a string) above `minimum` (`strict`: > instead of >=) and
    below `maximum` (`maximum_strict`: < instead of <=)."""

    minimum: float | None = 0.0
    strict: bool = False
    maximum: float | None = None
    maximum_strict: bool = False

    def __call__(self, value: Any, name: str) -> float:
        if isinstance(value, (bool, np.bool_, str, bytes)) or not isinstance(value, (int, float, np.number)):
            raise TypeError(f"{name}: expected a number, got {value!r}")
        number = float(value)
        low_ok = self.minimum is None or (number > self.minimum if self.strict else number >= self.minimum)
        high_ok = self.maximum is None or (number < self.maximum if self.maximum_strict else number <= self.maximum)
        if not (math.isfinite(number) and low_ok and high_ok):
            raise ValueError(f"{name}: expected {self.describe()}; got {value!r}")
        return number

    def describe(self) -> str:
        bounds = []
        if self.minimum is not None:
            bounds.append(f"{'>' if self.strict else '>='} {self.minimum:g}")
        if self.maximum is not None:
            bounds.append(f"{'<' if self.maximum_strict else '<='} {self.maximum:g}")
        return "a finite number" + (" " + " and ".join(bounds) if bounds else "")

    def doc_type(self) -> str:
        return "float"


@dataclass(frozen=True)
class Boolean:
    """True or False (NumPy's bool too); not 0/1, not a string."""

    def __call__(self, value: Any, name: str) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name}: expected True or False, got {value!r}")
        return bool(value)

    def describe(self) -> str:
        return "True or False"

    def doc_type(self) -> str:
        return "bool"


@dataclass(frozen=True)
class Text:
    """A string."""

    def __call__(self, value: Any, name: str) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{name}: expected a string, got {value!r}")
        return value

    def describe(self) -> str:
        return "a string"

    def doc_type(self) -> str:
        return "str"


@dataclass(frozen=True)
class Scalar:
    """A string, a number or a bool: one JSON value such as a class label."""

    def __call__(self, value: Any, name: str) -> Any:
        if not isinstance(value, (str, int, float)):
            raise TypeError(f"{name}: expected a string or a number, got {value!r}")
        return value

    def describe(self) -> str:
        return "a string or a number"

    def doc_type(self) -> str:
        return "str or float"


@dataclass(frozen=True)
class Optional:
    """None, or a value that `inner` accepts."""

    inner: Any

    def __call__(self, value: Any, name: str) -> Any:
        return None if value is None else self.inner(value, name)

    def describe(self) -> str:
        return f"None or {self.inner.describe()}"

    def doc_type(self) -> str:
        return f"{self.inner.doc_type()} or None"


@dataclass(frozen=True)
class ListOf:
    """A list or tuple (not a string) whose items `inner` accepts; returned as a tuple."""

    inner: Any

    def __call__(self, value: Any, name: str) -> tuple:
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
            raise TypeError(f"{name}: expected {self.describe()}; got {value!r}")
        return tuple(self.inner(item, f"{name}[{i}]") for i, item in enumerate(value))

    def describe(self) -> str:
        return f"a sequence, each {self.inner.describe()}"

    def doc_type(self) -> str:
        return f"tuple of {self.inner.doc_type()}"


@dataclass(frozen=True)
class Function:
    """A callable, such as a factory (code, so configuration files cannot record it)."""

    what: str = "a function"

    def __call__(self, value: Any, name: str) -> Any:
        if not callable(value):
            raise TypeError(f"{name}: expected {self.what}; got {value!r}")
        return value

    def describe(self) -> str:
        return self.what

    def doc_type(self) -> str:
        return "callable"


@dataclass(frozen=True)
class Param:
    """One declared parameter: its name, default, constraint (a callable `(value, name) -> value` with
    `describe()` and `doc_type()`), meaning, and whether configuration files record it (not code, not machine
    settings). Tables of these are the single source of a class's signature, checks, configuration and help."""

    name: str
    default: Any
    check: Any
    help: str
    saved: bool = True

    def validate(self, value: Any) -> Any:
        return self.check(value, self.name)

    def describe(self) -> str:
        """One line for documentation and CLI help: the meaning, then what is accepted."""
        return f"{self.help} ({self.check.describe()})"


def signature(table: tuple[Param, ...], *, method: bool = True) -> inspect.Signature:
    """The Python signature declared by `table` (led by `self` for a method): what `inspect.signature`,
    `help()` and scikit-learn's `get_params` read from a constructor that takes `*args, **kwargs`."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    leading = [inspect.Parameter("self", kind)] if method else []
    return inspect.Signature(leading + [inspect.Parameter(p.name, kind, default=p.default) for p in table])


def document(table: tuple[Param, ...]) -> str:
    """The table as the entries of a numpydoc Parameters section, for a docstring indented by four spaces:
    `name : type, default=value`, then the meaning and what is accepted, indented (as scikit-learn writes them).
    Every constraint says its type (`doc_type`) and what it accepts (`describe`)."""
    entries = []
    for p in table:
        said = isinstance(p.check, (Choice, Boolean))  # the type already says what is accepted
        meaning = p.help[0].upper() + p.help[1:] + ("" if said else f" ({p.check.describe()})") + "."
        entries.append(f"    {p.name} : {p.check.doc_type()}, default={p.default!r}\n"
                       + textwrap.fill(meaning, 112, initial_indent=" " * 8, subsequent_indent=" " * 8))
    return "\n".join(entries)


def bind(table: tuple[Param, ...], args: tuple, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Positional and keyword arguments bound to `table`'s names as Python binds a call (unknown or
    repeated names raise TypeError), with the defaults filled in; values are not checked."""
    bound = signature(table, method=False).bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def check_params(table: tuple[Param, ...], values: Mapping[str, Any]) -> dict[str, Any]:
    """Check `values` (name -> value) against `table`; unknown names are refused, missing ones defaulted."""
    known = {p.name for p in table}
    unknown = sorted(set(values) - known)
    if unknown:
        raise TypeError(f"{unknown[0]}: unknown parameter; expected one of {', '.join(p.name for p in table)}")
    return {p.name: p.validate(values.get(p.name, p.default)) for p in table}


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """`value` if it is one of `choices`, else a ValueError naming `name` and the choices."""
    return Choice(tuple(choices))(value, name)


def check_int(value: Any, name: str, minimum: int | None = 1, maximum: int | None = None) -> int:
    """An integer (not a bool) in [minimum, maximum], else a ValueError naming `name`."""
    return Integer(minimum, maximum)(value, name)


def check_number(value: Any, name: str, minimum: float | None = 0.0, strict: bool = False) -> float:
    """A finite number >= minimum (> with `strict`), else an error naming `name`."""
    return Number(minimum, strict)(value, name)
