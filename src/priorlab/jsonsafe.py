"""Numbers as JSON can hold them: JSON has no NaN or infinity, so a value that is not finite becomes None
(null), as every `to_dict` of priorlab's results writes it; `json.dumps(..., allow_nan=False)` then holds."""

from __future__ import annotations

import math
from collections.abc import Iterable


def json_number(x: float) -> float | None:
    """`x` as a float, or None where it is NaN or infinite."""
    x = float(x)
    return x if math.isfinite(x) else None


def json_numbers(values: Iterable[float]) -> list[float | None]:
    """`json_number` of every value."""
    return [json_number(v) for v in values]
