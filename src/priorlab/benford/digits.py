"""Significant digits of every value of an array, exactly, written against the NumPy API only.

Definition (what "the first k digits" of a value means here):

- float64: the first k significant digits of the shortest decimal that reads back as the
  same float -- what `repr` prints -- padded with zeros when it has fewer than k digits:
  0.3 -> 3, 5.43 -> first two 54, 5.0 -> first two 50, 1e-300 -> 1, 5e-324 -> 5.
  float16/float32 values are widened to float64 exactly first (so float32(0.1) reads as
  0.10000000149011612, not 0.1).
- integer dtypes: the exact decimal digits at any size, int64/uint64 included; Python ints
  beyond 64 bits (object arrays) take an exact, slower path through `str`.
- zeros, NaN (or missing) and +-inf carry no digits: they are dropped and counted.
- `sign` picks "positive", "negative" or "both" (digits of |x|); values of the other sign are
  dropped as "sign". `min_value` drops |x| < min_value as "below_min_value".
- last two digits: the tens and units digit of the integer part of |x| (00-99); by default
  values below 10 are dropped (Nigrini's practice), as they have no tens digit.

How floats are read exactly without formatting them: every k-digit decimal c * 10**q over
the whole float64 range is parsed once (correctly rounded, by Python's `float`) into a
table. The first k digits of x are then a step function of x whose steps sit at those
floats (the shortest decimal of x has at most k digits exactly when x is such a float;
otherwise its first k digits are those of x truncated, as no k-digit decimal lies between
x and its shortest decimal). Positive floats order like their bit patterns, so the top
bits (sign, exponent, m mantissa bits) of x index a bucket holding at most one step; one
integer comparison against that step's bit pattern finishes the job. Subnormals, whose
buckets are too coarse, are looked up in the step table itself.

All of this is elementwise NumPy (`view`, shifts, `take`, comparisons, `bincount`), so a
Dask array goes through the very same functions via NEP 18/13 and stays lazy until the
counts are computed. (One gap: NEP 18 dispatches `np.take` on the table, not the index, so
`lookup` maps that one call over the blocks of a chunked index.) NumPy input is processed
in chunks of CHUNK_SIZE values, so memory stays near the input's.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import warnings
from typing import Any

import numpy as np

from priorlab.benford.drops import REASONS, Drops
from priorlab.benford.mantissa import MantissaStats, distortion_factor
from priorlab.distributed import is_dask_array
from priorlab.validation import check_choice, check_int, check_number

logger = logging.getLogger(__name__)

SIGNS = ("positive", "negative", "both")
"""Which values a count keeps: the positive ones, the negative ones, or both (digits of |x|)."""

MAX_K = 3
"""Tables for k digits hold 9 * 10**(k-1) * 634 decimals; the digit tests need k <= 3."""

CHUNK_SIZE = 1 << 16
"""Values per NumPy chunk: the temporaries of one chunk stay in the CPU's L2 cache."""

LAST_TWO_MIN_VALUE = 10.0

_BUCKET_BITS = {1: 4, 2: 7, 3: 10}
"""Mantissa bits per bucket: a bucket spans a ratio below 1 + 2**-m, less than the closest
two k-digit steps (10/9, 100/99, 1000/999), so it holds at most one step."""

_SIGN_BIT = np.uint64(1 << 63)
_MAGNITUDE_MASK = np.uint64((1 << 63) - 1)
_NEVER = np.uint64((1 << 64) - 1)
_INF_BITS = np.float64(np.inf).view(np.uint64)
_SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)
_LN10 = math.log(10.0)
_POW10_U64 = np.array([10**i for i in range(20)], dtype=np.uint64)


def repr_leading(value: float, k: int) -> int:
    """First k digits of `repr(value)`, zero-padded: the definition, one float at a time."""
    mantissa = repr(abs(float(value))).split("e")[0].replace(".", "").lstrip("0")
    return int((mantissa + "0" * k)[:k])


# --- the exact step tables ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Steps:
    """The first k digits as a step function of x > 0: `values[i]` on [at[i], at[i+1])."""

    at: np.ndarray  # float64, strictly increasing, at[0] = 5e-324
    values: np.ndarray  # int64 leading values in [10**(k-1), 10**k)


@functools.cache
def _steps(k: int) -> _Steps:
    """Parse every k-digit decimal once; where several parse to one (subnormal) float, ask repr."""
    lead = np.arange(10 ** (k - 1), 10**k)
    decades = range(-325, 309)  # leading-digit exponents: from below 5e-324 to beyond 1.8e308
    parsed = np.array([float(f"{c}e{e - k + 1}") for e in decades for c in lead])
    leads = np.tile(lead, len(decades))
    usable = (parsed > 0) & np.isfinite(parsed)
    parsed, leads = parsed[usable], leads[usable]
    # Several decimals may parse to one subnormal float: group them into runs.
    first = np.r_[True, parsed[1:] != parsed[:-1]]
    last = np.r_[first[1:], True]
    floats = parsed[first]
    run_length = np.diff(np.r_[np.flatnonzero(first), parsed.size])
    at_float = leads[first].copy()  # digits when x is exactly that float
    for i in np.flatnonzero(run_length > 1):
        at_float[i] = repr_leading(floats[i], k)
    above_float = leads[last]  # digits (truncation) for x strictly above it
    following = np.nextafter(floats, np.inf)
    gap = following < np.r_[floats[1:], np.inf]
    at = np.concatenate([floats, following[gap]])
    values = np.concatenate([at_float, above_float[gap]])
    order = np.argsort(at, kind="stable")
    at, values = at[order], values[order]
    changes = np.r_[True, values[1:] != values[:-1]]
    return _Steps(at=at[changes], values=values[changes].astype(np.int64))


@dataclasses.dataclass(frozen=True)
class _Buckets:
    """Per-bucket step threshold (bit pattern) and the digits just below each bucket."""

    shift: int  # bucket = bits >> shift
    n_buckets: int  # buckets per sign
    threshold: np.ndarray  # uint64 per signed bucket: x's bits >= it means the step is passed
    magnitude_outcome: np.ndarray  # per code of |x|: leading value - 10**(k-1), or n_values + _Code
    subnormal_steps: _Steps


class _Code:
    """Outcome codes beyond the digit values (offsets added to the number of digit values); the codes after
    SUBNORMAL are the drop reasons, in the order of `drops.REASONS`."""

    SUBNORMAL, NAN, INF, ZERO, SIGN, BELOW_MIN = range(6)


@functools.cache
def _buckets(k: int) -> _Buckets:
    """Spread the steps over buckets of the bit pattern; x in bucket u then has code
    u + (bits >= threshold[u]), whose outcome is the digits just below bucket `code`."""
    steps = _steps(k)
    m = _BUCKET_BITS[k]
    shift = 52 - m
    n_buckets = 1 << (11 + m)
    first_normal, inf_bucket = 1 << m, int(_INF_BITS >> np.uint64(shift))
    step_bits = steps.at.view(np.uint64)
    step_bucket = (step_bits >> np.uint64(shift)).astype(np.int64)
    normal = step_bucket >= first_normal
    per_bucket = np.bincount(step_bucket[normal], minlength=n_buckets)
    if per_bucket.max() > 1 or per_bucket[inf_bucket - 1] != 0:
        raise RuntimeError(f"digit buckets for k={k} are too coarse")  # a build-time invariant
    threshold = np.full(n_buckets, _NEVER, dtype=np.uint64)
    threshold[step_bucket[normal]] = step_bits[normal]
    threshold[0] = 1  # bits 0 is +0.0; anything above is a subnormal
    threshold[inf_bucket] = _INF_BITS + np.uint64(1)  # +inf below, NaN from there on
    # digits just below each normal bucket = digits of the float before its first one
    starts = np.arange(first_normal, inf_bucket, dtype=np.uint64) << np.uint64(shift)
    before = (starts - np.uint64(1)).view(np.float64)
    below = steps.values[np.searchsorted(steps.at, before, side="right") - 1]
    n_values = 9 * 10 ** (k - 1)
    outcome = np.empty(n_buckets, dtype=np.int64)
    outcome[0] = n_values + _Code.ZERO
    outcome[1:first_normal] = n_values + _Code.SUBNORMAL
    outcome[first_normal:inf_bucket] = below - 10 ** (k - 1)
    outcome[inf_bucket] = n_values + _Code.INF
    outcome[inf_bucket + 1 :] = n_values + _Code.NAN
    negative_threshold = np.where(threshold == _NEVER, _NEVER, threshold | _SIGN_BIT)
    subnormal = steps.at < _SMALLEST_NORMAL
    return _Buckets(
        shift=shift,
        n_buckets=n_buckets,
        threshold=np.concatenate([threshold, negative_threshold]),
        magnitude_outcome=outcome,
        subnormal_steps=_Steps(steps.at[subnormal], steps.values[subnormal]),
    )


# --- plans: what one analysis does to every value ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Plan:
    """Everything the elementwise pass needs, fixed before it starts."""

    test_k: int | None  # k for leading digits, None for last two digits
    n_values: int  # digit values: 9 * 10**(k-1), or 100
    first_value: int  # value of outcome 0: 10**(k-1), or 0
    keep_positive: bool
    keep_negative: bool
    min_value: float | None
    buckets: _Buckets | None  # float input only
    outcome: np.ndarray | None  # float input only: signed bucket code -> outcome

    @property
    def n_outcomes(self) -> int:
        return self.n_values + len(REASONS) + 1

    @property
    def subnormal(self) -> int:
        return self.n_values + _Code.SUBNORMAL


@functools.cache
def _float_outcome(k: int, sign: str, with_min: bool, n_values: int) -> np.ndarray:
    """Code -> outcome for float input (codes: [positive, negative] buckets, twice if min_value)."""
    b = _buckets(k)
    mag = b.magnitude_outcome
    if n_values != 9 * 10 ** (k - 1):  # classification only (last two digits): any digit -> kept
        mag = np.where(mag < 9 * 10 ** (k - 1), 0, mag - 9 * 10 ** (k - 1) + n_values)
    kept = mag <= n_values + _Code.SUBNORMAL
    sign_code = n_values + _Code.SIGN
    positive = mag if sign != "negative" else np.where(kept, sign_code, mag)
    negative = mag if sign != "positive" else np.where(kept, sign_code, mag)
    outcome = np.concatenate([positive, negative])
    if with_min:
        below = np.where(outcome <= n_values + _Code.SUBNORMAL, n_values + _Code.BELOW_MIN, outcome)
        outcome = np.concatenate([outcome, below])
    # bincount's own index type avoids a conversion per chunk; big tables stay small instead
    return outcome.astype(np.intp if outcome.size <= 1 << 18 else np.int16)


def _plan(dtype: np.dtype, test_k: int | None, sign: str, min_value: float | None) -> _Plan:
    n_values = 100 if test_k is None else 9 * 10 ** (test_k - 1)
    is_float = dtype.kind == "f"
    return _Plan(
        test_k=test_k,
        n_values=n_values,
        first_value=0 if test_k is None else 10 ** (test_k - 1),
        keep_positive=sign != "negative",
        keep_negative=sign != "positive",
        min_value=min_value,
        buckets=_buckets(test_k or 1) if is_float else None,
        outcome=_float_outcome(test_k or 1, sign, min_value is not None, n_values) if is_float else None,
    )


# --- the elementwise pass (NumPy API only: the same code runs on Dask arrays) -----------------


class _Scratch:
    """Buffers reused from chunk to chunk as the `out=` of the hot NumPy calls.

    A fresh temporary the size of a chunk is often mmapped by malloc and page-faulted in on
    every chunk, which costs more than the arithmetic; lazy (Dask) arrays get None, i.e.
    ordinary results.
    """

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def __call__(self, name: str, dtype: Any, like: Any) -> np.ndarray | None:
        if not isinstance(like, np.ndarray):
            return None
        n = like.shape[0]
        buffer = self._buffers.get(name)
        if buffer is None or buffer.dtype != dtype or buffer.size < n:
            buffer = self._buffers[name] = np.empty(n, dtype=dtype)
        return buffer[:n]


def lookup(table: np.ndarray, index: Any, out: np.ndarray | None = None) -> Any:
    """table[index] for a NumPy table and any index array, lazily for a Dask index.

    NEP 18 dispatches `np.take` on the table only, so a Dask index would be computed on the
    spot; a chunked index therefore maps the same `np.take` over its blocks (Dask's own
    fancy indexing with a table lifted by `like=` is correct too, but 20x slower).
    """
    if hasattr(index, "map_blocks"):
        return index.map_blocks(_take_block, table, dtype=table.dtype)
    return np.take(table, index, out=out, mode="clip")  # indices are in range by construction


def _take_block(block: np.ndarray, table: np.ndarray) -> np.ndarray:
    return np.take(table, block)


def _float_outcomes(x: Any, plan: _Plan, scratch: _Scratch) -> Any:
    """Outcome per float64 value: digit value index, or n_values + a _Code."""
    b = plan.buckets
    bits = x.view(np.uint64)
    bucket = np.right_shift(bits, np.uint64(b.shift), out=scratch("bucket", np.uint64, x)).view(np.int64)
    threshold = lookup(b.threshold, bucket, out=scratch("threshold", np.uint64, x))
    passed = np.greater_equal(bits, threshold, out=scratch("passed", np.bool_, x))
    code = np.add(bucket, passed, out=bucket if isinstance(bucket, np.ndarray) else None)
    if plan.min_value is not None:
        min_bits = np.float64(plan.min_value).view(np.uint64)
        code = code + ((bits & _MAGNITUDE_MASK) < min_bits) * (2 * b.n_buckets)
    outcome = lookup(plan.outcome, code, out=scratch("outcome", plan.outcome.dtype, x))
    if plan.test_k is None:
        kept = outcome <= plan.subnormal
        magnitude = np.where(kept, np.abs(x), 0.0)
        last_two = np.fmod(np.floor(magnitude), 100.0).astype(np.int64)
        outcome = np.where(kept, last_two, outcome)
    return outcome


def _subnormal_values(magnitude: Any, plan: _Plan) -> Any:
    """Digit value index of subnormal magnitudes, from the exact step table."""
    steps = plan.buckets.subnormal_steps
    index = np.digitize(magnitude, steps.at) - 1
    return lookup(steps.values, index) - plan.first_value


def _int_magnitude(x: Any) -> Any:
    """|x| as uint64, exact for every int64 (including -2**63)."""
    if x.dtype.kind == "u":
        return x.astype(np.uint64)
    x = x.astype(np.int64)
    return np.where(x < 0, (-(x + 1)).astype(np.uint64) + np.uint64(1), x.astype(np.uint64))


def _int_outcomes(x: Any, plan: _Plan) -> Any:
    """Outcome per integer value, in exact integer arithmetic."""
    magnitude = _int_magnitude(x)
    if plan.test_k is None:
        outcome = (magnitude % np.uint64(100)).astype(np.int64)
    else:
        n_digits = np.digitize(magnitude, _POW10_U64[1:]) + 1
        shift = n_digits - plan.test_k
        divisor = lookup(_POW10_U64, np.clip(shift, 0, 19))
        multiplier = lookup(_POW10_U64, np.clip(-shift, 0, 19))
        outcome = (magnitude // divisor * multiplier).astype(np.int64) - plan.first_value
    code = plan.n_values
    outcome = np.where(magnitude == 0, code + _Code.ZERO, outcome)
    if x.dtype.kind == "i" and not plan.keep_negative:
        outcome = np.where(x < 0, code + _Code.SIGN, outcome)
    if not plan.keep_positive:
        outcome = np.where((magnitude > 0) & ~(x < 0), code + _Code.SIGN, outcome)
    if plan.min_value is not None:
        smallest = math.ceil(plan.min_value)
        below = magnitude >= 0 if smallest >= 2**64 else magnitude < np.uint64(max(smallest, 0))
        outcome = np.where(below & (outcome < code), code + _Code.BELOW_MIN, outcome)
    return outcome


def _outcomes(x: Any, plan: _Plan, scratch: _Scratch) -> Any:
    return _float_outcomes(x, plan, scratch) if plan.buckets is not None else _int_outcomes(x, plan)


def _magnitude_float(x: Any) -> Any:
    return np.abs(x) if x.dtype.kind == "f" else _int_magnitude(x).astype(np.float64)


def _summarise(x: Any, plan: _Plan, mantissa: bool, scratch: _Scratch | None = None) -> tuple[Any, ...]:
    """Counts per outcome (subnormals resolved) and the mantissa power sums of the kept values."""
    scratch = scratch or _Scratch()
    outcome = _outcomes(x, plan, scratch)
    counts = np.bincount(outcome, minlength=plan.n_outcomes)
    lazy = not isinstance(counts, np.ndarray)
    if plan.buckets is not None and plan.test_k is not None and (lazy or counts[plan.subnormal]):
        subnormal = _magnitude_float(x)[outcome == plan.subnormal]
        counts = counts + np.bincount(_subnormal_values(subnormal, plan), minlength=plan.n_outcomes)
    if not mantissa:
        return (counts,)
    values = _magnitude_float(x) if plan.keep_negative or x.dtype.kind != "f" else x
    if lazy or counts[plan.n_values + _Code.NAN :].any():  # a dropped value must not reach log10
        values = np.where(outcome <= plan.subnormal, values, 1.0)
    m = np.log10(values, out=scratch("m", np.float64, x))
    exponent = np.floor(m, out=scratch("exponent", np.float64, x))
    np.subtract(m, exponent, out=m)
    # plain products and sums: BLAS dot would bring its own threads into each chunk
    m2 = np.multiply(m, m, out=scratch("m2", np.float64, x))
    s1, s2 = np.sum(m), np.sum(m2)
    power = np.multiply(m2, m, out=scratch("power", np.float64, x))
    s3 = np.sum(power)
    power = np.multiply(m2, m2, out=power)
    s4 = np.sum(power)
    # The arc test's angles in float32, whose cos/sin are vectorised (~15x float64's): the angle's
    # rounding (<= 2.4e-7 rad) moves each cos/sin by less than 3e-7, so L2 by less than 1.2e-6.
    angle = np.multiply(m, 2.0 * math.pi, out=scratch("power", np.float64, x)).astype(np.float32)
    circle = np.cos(angle, out=scratch("circle", np.float32, x))
    # each dropped value was read as 1 (m = 0), which puts 1 into the cosine sum and 0 everywhere else
    cos_sum = np.sum(circle, dtype=np.float64) - np.sum(counts[plan.n_values + _Code.NAN :])
    sin_sum = np.sum(np.sin(angle, out=scratch("circle", np.float32, x)), dtype=np.float64)
    # Nigrini's DF model: the values >= 10 (exponent >= 1; dropped values were set to 1) on [10, 100).
    # The integer exponent clipped to [0, 1] is that selection as 0/1 weights: arithmetic, no branches.
    collapsed = np.exp(np.multiply(m, _LN10, out=scratch("m", np.float64, x)), out=scratch("m", np.float64, x))
    at_least_ten = np.clip(exponent, 0.0, 1.0, out=exponent)
    n_ten = np.sum(at_least_ten)
    ten_sum = 10.0 * np.sum(np.multiply(collapsed, at_least_ten, out=collapsed))
    return counts, s1, s2, s3, s4, cos_sum, sin_sum, n_ten, ten_sum


# --- public API -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DigitCounts:
    """Counts of every digit value, the values dropped by reason, mantissa moments and arc test, and
    Nigrini's distortion factor (NaN without the mantissa pass or without values >= 10)."""

    values: np.ndarray  # digit values, e.g. 1..9, 10..99, 0..99
    counts: np.ndarray  # int64, aligned with values
    dropped: Drops
    mantissa: MantissaStats | None
    distortion_factor: float = math.nan

    @property
    def n(self) -> int:
        return int(self.counts.sum())


def as_numeric(data: Any) -> tuple[Any, np.ndarray | None]:
    """A 1-D NumPy array (float64, integer or object of Python ints) or a 1-D Dask array, and where the
    missing values of integer data are (None when there are none).

    Missing floats become NaN. Integer data with missing values (pandas "Int64", "UInt64", ints mixed
    with None) stays integer, so its digits stay exact: its missing entries hold 0 and are flagged in the
    mask, for the caller to count as "nan".
    """
    if is_dask_array(data):
        x = data.ravel()
    else:
        if hasattr(data, "to_numpy"):  # pandas Series / Index, nullable dtypes included
            dtype = getattr(data, "dtype", None)
            kind = getattr(dtype, "kind", "O")
            missing = np.asarray(data.isna()).ravel() if kind in "iuf" and hasattr(data, "isna") else None
            if missing is not None and missing.any():
                if kind == "f":
                    return data.to_numpy(dtype=np.float64, na_value=np.nan).ravel(), None
                return data.to_numpy(dtype=dtype.numpy_dtype, na_value=0).ravel(), missing
            data = data.to_numpy()
        elif isinstance(data, (list, tuple)):  # element by element, so a bad one can be named
            return _from_objects(np.array(data, dtype=object).ravel())
        x = np.asarray(data).ravel()
    kind = x.dtype.kind
    if kind == "b":
        raise TypeError("data must be numbers, not booleans")
    if kind == "f":
        return (x.astype(np.float64, copy=False) if x.dtype != np.float64 else x), None
    if kind in "iu":
        return x, None
    if kind == "O" and not is_dask_array(x):
        return _from_objects(x)
    raise TypeError(f"data must be numbers, got an array of dtype {x.dtype}")


def kept(x: Any, sign: str, min_value: float | None) -> Any:
    """Which values of an array from `as_numeric` a test keeps: finite, non-zero, of the chosen sign,
    |x| >= min_value (lazy for a Dask array)."""
    if x.dtype.kind == "O":  # Python ints beyond 64 bits
        return np.array(
            [v != 0 and (sign == "both" or (v > 0) == (sign == "positive"))
             and (min_value is None or abs(v) >= min_value) for v in x],
            dtype=bool,
        )  # fmt: skip
    mask = (x > 0) if sign == "positive" else (x < 0) if sign == "negative" else (x != 0)
    if x.dtype.kind == "f":
        mask = mask & np.isfinite(x)
    if min_value is not None:
        mask = mask & (np.abs(x) >= min_value)
    return mask


def _is_missing(value: Any) -> bool:
    """None, pandas' NA or a float NaN."""
    if value is None or type(value).__name__ == "NAType":
        return True
    return isinstance(value, (float, np.floating)) and bool(np.isnan(value))


def _is_integer(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _from_objects(x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Integers stay exact (int64, or Python ints beyond 64 bits) with their missing values masked;
    anything else must convert to float64, missing values to NaN."""
    missing = np.fromiter((_is_missing(v) for v in x), dtype=bool, count=x.size)
    if all(_is_integer(v) for v in x[~missing]) and not missing.all():
        x = np.array([0 if gap else int(v) for v, gap in zip(x, missing, strict=True)], dtype=object)
        if min(x) >= -(2**63) and max(x) < 2**63:
            x = x.astype(np.int64)
        return x, missing if missing.any() else None
    for i, v in enumerate(x):
        if missing[i]:
            continue
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"data must be numbers: element {i} is {v!r}")
    return np.array([np.nan if gap else float(v) for v, gap in zip(x, missing, strict=True)]), None


def _python_int_outcomes(x: np.ndarray, plan: _Plan) -> tuple[np.ndarray, list[float]]:
    """The exact path for integers beyond 64 bits: decimal strings of Python ints."""
    outcome = np.empty(x.size, dtype=np.int64)
    logs = []
    code = plan.n_values
    for i, v in enumerate(x):
        magnitude = abs(v)
        if v == 0:
            outcome[i] = code + _Code.ZERO
        elif (v < 0 and not plan.keep_negative) or (v > 0 and not plan.keep_positive):
            outcome[i] = code + _Code.SIGN
        elif plan.min_value is not None and magnitude < plan.min_value:
            outcome[i] = code + _Code.BELOW_MIN
        else:
            text = str(magnitude)
            if plan.test_k is None:
                outcome[i] = magnitude % 100
            else:
                outcome[i] = int((text + "0" * plan.test_k)[: plan.test_k]) - plan.first_value
            logs.append(math.log10(magnitude))
    return outcome, logs


def _finish(plan: _Plan, counts: np.ndarray, sums: tuple[float, ...] | None) -> DigitCounts:
    counts = np.asarray(counts, dtype=np.int64)
    reasons = counts[plan.n_values :]
    dropped = Drops({reason: int(reasons[_Code.NAN + i]) for i, reason in enumerate(REASONS)})  # codes in order
    digit_counts = counts[: plan.n_values].copy()
    if plan.test_k is None:  # subnormals count as kept: their integer part is 0
        digit_counts[0] += reasons[_Code.SUBNORMAL]
    n = int(digit_counts.sum())
    mantissa, df = None, math.nan
    if sums is not None:
        mantissa = MantissaStats.from_power_sums(n, *map(float, sums[:6]))
        df = distortion_factor(int(sums[6]), float(sums[7]))
    return DigitCounts(
        values=np.arange(plan.n_values, dtype=np.int64) + plan.first_value,
        counts=digit_counts,
        dropped=dropped,
        mantissa=mantissa,
        distortion_factor=df,
    )


def count_digits(
    data: Any,
    k: int | None = 1,
    sign: str = "positive",
    min_value: float | None = None,
    *,
    mantissa: bool = True,
    chunk_size: int = CHUNK_SIZE,
    progress: bool = False,
) -> DigitCounts:
    """Count the first `k` digits (k = None: the last two digits) of every value of `data`.

    `data` is a NumPy array, pandas Series, list or Dask array (computed once, on the active
    scheduler). With `mantissa`, the moments of log10|x| mod 1 of the kept values come too.
    """
    if k is not None:
        k = check_int(k, "k", 1, MAX_K)
    check_choice(sign, "sign", SIGNS)
    chunk_size = check_int(chunk_size, "chunk_size")
    if min_value is None and k is None:
        min_value = LAST_TWO_MIN_VALUE
    if min_value is not None:
        checked = check_number(min_value, "min_value")
        min_value = min_value if isinstance(min_value, int) else checked  # Python ints stay exact
    x, missing = as_numeric(data)
    if missing is None:
        return _count_values(x, k, sign, min_value, mantissa, chunk_size, progress)
    counted = _count_values(x[~missing], k, sign, min_value, mantissa, chunk_size, progress)
    n_missing = int(missing.sum())
    return dataclasses.replace(counted, dropped=counted.dropped.added("nan", n_missing))


def _count_values(
    x: Any, k: int | None, sign: str, min_value: float | None, mantissa: bool, chunk_size: int, progress: bool
) -> DigitCounts:
    if x.dtype.kind == "O":
        plan = _plan(np.dtype(np.int64), k, sign, min_value)
        outcome, logs = _python_int_outcomes(x, plan)
        counts = np.bincount(outcome, minlength=plan.n_outcomes)
        logs = np.array(logs)
        m = logs % 1.0
        turns = 2 * np.pi * m
        ten = logs >= 1.0
        sums = (
            (
                m.sum(),
                (m * m).sum(),
                (m**3).sum(),
                (m**4).sum(),
                np.cos(turns).sum(),
                np.sin(turns).sum(),
                ten.sum(),
                (10.0 ** (1.0 + m[ten])).sum(),
            )
            if mantissa
            else None
        )
        return _finish(plan, counts, sums)
    if x.dtype.kind == "f" and min_value is not None and min_value >= 2**1024:
        min_value = math.inf
    plan = _plan(x.dtype, k, sign, min_value)
    if is_dask_array(x):
        import dask

        logger.debug("counting digits of a Dask array with %d chunks", x.npartitions)
        with warnings.catch_warnings():  # the digit tables travel in the graph by design
            warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
            results = dask.compute(*_summarise(x, plan, mantissa))
        return _finish(plan, results[0], results[1:] if mantissa else None)
    return _count_numpy(x, plan, mantissa, chunk_size, progress)


def _count_numpy(x: np.ndarray, plan: _Plan, mantissa: bool, chunk_size: int, progress: bool) -> DigitCounts:
    from tqdm.auto import tqdm

    counts = np.zeros(plan.n_outcomes, dtype=np.int64)
    sums = [0.0] * 8
    scratch = _Scratch()
    with tqdm(total=x.size, unit="values", disable=not progress, unit_scale=True) as bar:
        for start in range(0, x.size, chunk_size):
            chunk = np.ascontiguousarray(x[start : start + chunk_size])  # strided input: one chunk copied
            summary = _summarise(chunk, plan, mantissa, scratch)
            counts += summary[0]
            for i, s in enumerate(summary[1:]):
                sums[i] += float(s)
            bar.update(chunk.size)
    return _finish(plan, counts, sums if mantissa else None)


def leading_digits(data: Any, k: int = 1) -> Any:
    """The first k digits of every value as one integer (e.g. 54 for 5.43, k=2); 0 where dropped.

    Values of both signs are read (digits of |x|); zeros, NaN and +-inf give 0. A Dask array
    gives a lazy Dask array back.
    """
    k = check_int(k, "k", 1, MAX_K)
    x, _ = as_numeric(data)  # missing integers hold 0, which gives 0 like NaN
    plan = _plan(x.dtype if x.dtype.kind != "O" else np.dtype(np.int64), k, "both", None)
    if x.dtype.kind == "O":
        outcome, _ = _python_int_outcomes(x, plan)
    else:
        outcome = _outcomes(x, plan, _Scratch())
        if plan.buckets is not None and isinstance(outcome, np.ndarray):  # look up the subnormals alone
            subnormal = np.flatnonzero(outcome == plan.subnormal)
            outcome[subnormal] = _subnormal_values(np.abs(x[subnormal]), plan)
        elif plan.buckets is not None:
            outcome = np.where(outcome == plan.subnormal, _subnormal_values(np.abs(x), plan), outcome)
    return np.where(outcome < plan.n_values, outcome + plan.first_value, 0)
