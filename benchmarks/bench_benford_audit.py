"""The default Benford call and Nigrini's other tests on 10**7 values: priorlab vs benford_py vs benfordslaw.

One process, one core (BLAS/OpenMP threads pinned to 1 before NumPy loads), every library imported before
any timing, each side best of 3. The default call is `analyze(x, "first")`: digit counts and every
statistic, with the mantissa moments, the mantissa arc test and the distortion factor from the same fused
pass. benford_py runs `first_digits` (MAD, chi-square, KS); benfordslaw runs `benfordslaw().fit`. The
summation, second-order and arc tests are quoted against the default call (the arc test is part of it).

    python benchmarks/bench_benford_audit.py [--n 10000000] [--repeat 3]
"""

from __future__ import annotations  # noqa: I001 (bench_benford pins the threads before NumPy loads)

import argparse

from bench_benford import (
    benford_py,
    benfordslaw,
    best_time,
    run_benford_py,
    run_benfordslaw,
    silently,
)

import numpy as np

from priorlab import benford


def best_seconds(fn, repeat: int) -> float:
    """The shortest of `repeat` runs, in seconds (output and warnings of the baselines silenced)."""
    return best_time(silently(fn), repeat)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10**7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    x = np.round(np.random.default_rng(0).lognormal(5.0, 3.0, args.n), 2)  # amounts in cents
    print(f"== {args.n:.0e} log-normal amounts (cents), one core, best of {args.repeat} ==")
    default = best_seconds(lambda: benford.analyze(x, "first"), args.repeat)
    timings = {
        "default call: first digits + mantissa, arc test, DF": default,
        "first digits without the mantissa pass": best_seconds(
            lambda: benford.analyze(x, "first", mantissa=False), args.repeat
        ),
        "summation test": best_seconds(lambda: benford.analyze(x, "summation"), args.repeat),
        "second-order test": best_seconds(lambda: benford.analyze(x, "second-order"), args.repeat),
    }
    for name, seconds in timings.items():
        print(f"priorlab {name:52s} {seconds * 1e3:8.1f} ms   {seconds / default:5.2f}x the default call")
    baselines = {
        "benford_py first_digits": (benford_py, lambda: run_benford_py(x)),
        "benfordslaw fit": (benfordslaw, lambda: run_benfordslaw(x)),
    }
    for name, (module, run) in baselines.items():
        if module is None:
            print(f"{name}: not installed")
            continue
        try:
            seconds = best_seconds(run, args.repeat)
        except Exception as exc:  # an unusable baseline is reported, not fatal
            print(f"{name}: unusable here: {type(exc).__name__}: {exc}")
            continue
        print(f"{name:61s} {seconds * 1e3:8.1f} ms   the default call is {seconds / default:6.1f}x faster")


if __name__ == "__main__":
    main()
