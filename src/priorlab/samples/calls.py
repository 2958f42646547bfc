"""A NumPy call on Samples, taken apart and put back: where its arguments sit, the loop over draws, the result.

Shared by the rules (`priorlab.samples.rules`) and the hand-written overrides
(`priorlab.samples.handwritten`), so that both find arguments and wrap results the same way.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from priorlab.samples.array import draw_count, draw_of, stack_draws, wrap

logger = logging.getLogger(__name__)

#: what NEP 18 dispatch calls instead of a NumPy function: the same arguments, Samples among them
Handler = Callable[..., Any]


class Parameters:
    """Where each parameter of a NumPy function sits, resolved once at registration (no inspect per call)."""

    def __init__(self, func: Callable) -> None:
        self.position: dict[str, int] = {}
        self.default: dict[str, Any] = {}
        parameters = inspect.signature(func).parameters
        for i, p in enumerate(parameters.values()):
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                self.position[p.name] = i
            if p.default is not p.empty:
                self.default[p.name] = p.default
        self.first = next(iter(parameters))

    def get(self, args: Sequence[Any], kwargs: dict[str, Any], name: str) -> Any:
        i = self.position.get(name)
        if i is not None and i < len(args):
            return args[i]
        return kwargs.get(name, self.default.get(name, np._NoValue))

    def given(self, args: Sequence[Any], kwargs: dict[str, Any], name: str) -> bool:
        i = self.position.get(name)
        return (i is not None and i < len(args)) or name in kwargs

    def set(self, args: list[Any], kwargs: dict[str, Any], name: str, value: Any) -> None:
        i = self.position.get(name)
        if i is not None and i < len(args):
            args[i] = value
        else:
            kwargs[name] = value


def wrap_result(result: Any) -> Any:
    """Samples around every `(K, ...)` array in a NumPy result (single, tuple, namedtuple, list)."""
    if type(result) is np.ndarray:
        return wrap(result)
    if result is None:
        return None
    if isinstance(result, tuple):
        parts = [wrap_result(r) for r in result]
        return type(result)(*parts) if hasattr(result, "_fields") else tuple(parts)
    if isinstance(result, list):
        return [wrap_result(r) for r in result]
    return wrap(result)


def per_draw(func: Callable, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """`func` applied to each draw in turn, results stacked: the reference semantics, and the fallback."""
    n_draws = draw_count([args, kwargs])
    logger.debug("np.%s on Samples: looping over %d draws", func.__name__, n_draws)
    results = [
        func(*draw_of(tuple(args), k), **{name: draw_of(v, k) for name, v in kwargs.items()}) for k in range(n_draws)
    ]
    return stack_draws(results)
