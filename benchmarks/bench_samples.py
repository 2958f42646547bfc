"""Benchmark: `Samples` against raw NumPy on the `(K, ...)` array and astropy's `Distribution`.

Targets: elementwise, cumulative and reduction operations on K=100 draws x 10^5
values cost at most 1.2x raw NumPy; dispatch overhead on tiny arrays is at most 5 us per call.
Runs interleave the three contenders and keep each one's best time, to damp the noise of a
shared machine. Run: `python benchmarks/bench_samples.py [--quick]`.
"""

from __future__ import annotations

import argparse
import timeit
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from astropy.uncertainty import Distribution

from priorlab.samples import Samples

LARGE_RATIO_TARGET = 1.2
TINY_OVERHEAD_TARGET_US = 5.0


@dataclass(frozen=True)
class Case:
    name: str
    raw: Callable[[np.ndarray], object]  # on the (K, ...) array
    samples: Callable[[Samples], object]
    astropy: Callable[[Distribution], object]  # astropy keeps the draws on the last axis
    calls: int = 1  # dispatched NumPy calls in the expression (the overhead target is per call)


CASES = [
    Case("S + 1", lambda r: r + 1, lambda s: s + 1, lambda d: d + 1),
    Case("S * S", lambda r: r * r, lambda s: s * s, lambda d: d * d),
    Case("np.exp(S)", np.exp, np.exp, np.exp),
    Case(
        "np.where(S > 0, S, 0) [2]",
        lambda r: np.where(r > 0, r, 0.0),
        lambda s: np.where(s > 0, s, 0.0),
        lambda d: np.where(d > 0, d, 0.0),
        calls=2,
    ),
    Case(
        "np.cumsum(S, axis=-1)",
        lambda r: np.cumsum(r, axis=-1),
        lambda s: np.cumsum(s, axis=-1),
        lambda d: np.cumsum(d, axis=-1),
    ),
    Case("np.sum(S) (per draw)", lambda r: np.sum(r, axis=tuple(range(1, r.ndim))), np.sum, np.sum),
    Case(
        "np.max(S, axis=-1)", lambda r: np.max(r, axis=-1), lambda s: np.max(s, axis=-1), lambda d: np.max(d, axis=-1)
    ),
    Case("S.mean() (over draws)", lambda r: r.mean(axis=0), lambda s: s.mean(), lambda d: d.pdf_mean()),
    Case("S.std() (over draws)", lambda r: r.std(axis=0), lambda s: s.std(), lambda d: d.pdf_std()),
]
TINY_ONLY = [
    Case("S[0]", lambda r: r[:, 0], lambda s: s[0], lambda d: d[0]),
    Case(
        "np.concatenate([S, S])",
        lambda r: np.concatenate([r, r], axis=1),
        lambda s: np.concatenate([s, s]),
        lambda d: np.concatenate([d, d]),
    ),
]


def _best(func: Callable[[], object], number: int) -> float:
    return timeit.timeit(func, number=number) / number


def measure(case: Case, raw: np.ndarray, number: int, repeat: int) -> tuple[float, float, float]:
    """Best seconds per call of raw NumPy, Samples and astropy (nan where astropy cannot), interleaved.

    `number` calls per timing; 0 chooses it from one raw call.
    """
    samples = Samples(raw)
    distribution = Distribution(np.moveaxis(raw, 0, -1).copy())
    runs = [lambda: case.raw(raw), lambda: case.samples(samples), lambda: case.astropy(distribution)]
    try:
        runs[2]()
    except (TypeError, ValueError):  # e.g. np.where on a Distribution
        runs.pop()
    if number == 0:  # pick enough calls per timing to last about 30 ms
        number = max(1, round(0.03 / _best(runs[0], 1)))
    best = [np.inf, np.inf, np.nan]
    for _ in range(repeat):
        for i, run in enumerate(runs):
            best[i] = np.fmin(best[i], _best(run, number)) if i < 2 or not np.isnan(best[i]) else _best(run, number)
    return best[0], best[1], best[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    options = parser.parse_args()
    repeat = 3 if options.quick else 7
    rng = np.random.default_rng(0)
    warnings.simplefilter("ignore")  # astropy warns on some functions it handles by fallback
    failures = 0

    large = rng.normal(size=(100, 100_000))
    print(f"K=100 draws x 1e5 values (best of {repeat}); ratio = Samples / raw NumPy on the (K, ...) array")
    print(f"{'operation':26s} {'raw ms':>8s} {'Samples ms':>11s} {'ratio':>6s} {'astropy ms':>11s} {'ratio':>6s}")
    for case in CASES:
        raw_t, samples_t, astropy_t = measure(case, large, number=0, repeat=repeat)
        ratio = samples_t / raw_t
        ok = ratio <= LARGE_RATIO_TARGET
        failures += not ok
        print(
            f"{case.name:26s} {raw_t * 1e3:8.2f} {samples_t * 1e3:11.2f} {ratio:6.2f} "
            f"{astropy_t * 1e3:11.2f} {astropy_t / raw_t:6.2f} {'' if ok else '  > target'}"
        )

    tiny = rng.normal(size=(10, 3))
    number, tiny_repeat = (300, 15) if options.quick else (1_000, 50)  # many short runs catch quiet moments
    print(
        f"\ntiny (10 draws x 3 values, best of {tiny_repeat}); "
        "overhead = (Samples - raw NumPy) per dispatched call; [2] = two calls"
    )
    print(f"{'operation':26s} {'raw us':>8s} {'Samples us':>11s} {'overhead':>9s} {'astropy us':>11s}")
    for case in CASES + TINY_ONLY:
        raw_t, samples_t, astropy_t = measure(case, tiny, number=number, repeat=tiny_repeat)
        overhead = (samples_t - raw_t) * 1e6 / case.calls
        ok = overhead <= TINY_OVERHEAD_TARGET_US
        failures += not ok
        print(
            f"{case.name:26s} {raw_t * 1e6:8.2f} {samples_t * 1e6:11.2f} {overhead:9.2f} "
            f"{astropy_t * 1e6:11.2f}{'' if ok else '  > target'}"
        )
    print(
        f"\ntargets: ratio <= {LARGE_RATIO_TARGET} on large arrays, overhead <= {TINY_OVERHEAD_TARGET_US} us "
        f"on tiny ones: {'all met' if not failures else f'{failures} missed'}"
    )


if __name__ == "__main__":
    main()
