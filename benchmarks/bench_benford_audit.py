"""The default Benford call and Nigrini's other tests on 10**7 values: priorlab vs benford_py vs benfordslaw.

One process, one core (BLAS/OpenMP threads pinned to 1 before NumPy loads), every library imported before
any timing, each side best of 3. The default call is `analyze(x, "first")`: digit counts and every
statistic, with the mantissa moments, the mantissa arc test and the distortion factor from the same fused
pass. benford_py runs `first_digits` (MAD, chi-square, KS); benfordslaw runs `benfordslaw().fit`. The
summation, second-order and arc tests are quoted against the default call (the arc test is part of it).

    python benchmarks/bench_benford_audit.py [--n 10000000] [--repeat 3]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from priorlab import benford  # noqa: E402

try:  # the baselines are imported here, outside every timing; a missing one is reported, not fatal
    import benford as benford_py
except ImportError:
    benford_py = None
try:
    from benfordslaw import benfordslaw
except ImportError:
    benfordslaw = None


def best_time(fn, repeat: int) -> float:
    """The shortest of `repeat` runs, in seconds (output and warnings of the baselines silenced)."""
    best = float("inf")
    for _ in range(repeat):
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10**7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    x = np.round(np.random.default_rng(0).lognormal(5.0, 3.0, args.n), 2)  # amounts in cents
    print(f"== {args.n:.0e} log-normal amounts (cents), one core, best of {args.repeat} ==")
    default = best_time(lambda: benford.analyze(x, "first"), args.repeat)
    timings = {
        "default call: first digits + mantissa, arc test, DF": default,
        "first digits without the mantissa pass": best_time(
            lambda: benford.analyze(x, "first", mantissa=False), args.repeat
        ),
        "summation test": best_time(lambda: benford.analyze(x, "summation"), args.repeat),
        "second-order test": best_time(lambda: benford.analyze(x, "second-order"), args.repeat),
    }
    for name, seconds in timings.items():
        print(f"priorlab {name:52s} {seconds * 1e3:8.1f} ms   {seconds / default:5.2f}x the default call")
    baselines = {
        "benford_py first_digits": (
            benford_py,
            lambda: benford_py.first_digits(x, digs=1, decimals=2, MAD=True, chi_square=True, KS=True,
                                            show_plot=False, verbose=False),
        ),
        "benfordslaw fit": (benfordslaw, lambda: benfordslaw(alpha=0.05, method="chi2", verbose=0).fit(x)),
    }  # fmt: skip
    for name, (module, run) in baselines.items():
        if module is None:
            print(f"{name}: not installed")
            continue
        try:
            seconds = best_time(run, args.repeat)
        except Exception as exc:  # an unusable baseline is reported, not fatal
            print(f"{name}: unusable here: {type(exc).__name__}: {exc}")
            continue
        print(f"{name:61s} {seconds * 1e3:8.1f} ms   the default call is {seconds / default:6.1f}x faster")


if __name__ == "__main__":
    main()
