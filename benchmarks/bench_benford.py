"""First-digit Benford test on log-normal float64 data: priorlab vs benford_py vs benfordslaw.

All three run in this one process on one core (BLAS/OpenMP threads pinned to 1 before NumPy
loads), every library imported before any timing and every side timed best-of-3. priorlab
computes every statistic of the test (z, chi-square, KS, MAD, excess MAD, KL, Pearson r), with
and without the mantissa moments; benford_py runs `first_digits` with MAD, chi-square and KS;
benfordslaw runs `benfordslaw().fit`. Counts are compared where the definitions agree
(benford_py: int(100 x) >= 1, i.e. x >= 0.01; benfordslaw: x >= 1). Peak memory of priorlab is
traced with tracemalloc (NumPy reports its buffers to it). Then 10**8 values are generated and
tested on a local Dask cluster, for throughput.

    python benchmarks/bench_benford.py            # 10**6 and 10**7, then 10**8 on a LocalCluster
    python benchmarks/bench_benford.py --quick    # 10**6 only, no cluster
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
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


def best_time(fn, repeat: int) -> tuple[float, object]:
    """The shortest of `repeat` runs, in seconds, and the last run's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def silently(fn):
    def run():
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn()

    return run


def run_benford_py(x: np.ndarray):
    return benford_py.first_digits(
        x, digs=1, decimals=2, confidence=95, MAD=True, chi_square=True, KS=True, show_plot=False, verbose=False
    )


def run_benfordslaw(x: np.ndarray):
    return benfordslaw(alpha=0.05, method="chi2", verbose=0).fit(x)


def peak_extra_bytes(fn) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - before


def compare_one_size(n: int, repeat: int) -> None:
    x = np.random.default_rng(0).lognormal(5.0, 3.0, n)
    print(f"\n== {n:.0e} log-normal float64 values ({x.nbytes / 2**20:.0f} MiB), one core ==")
    ours_time, _ = best_time(lambda: benford.analyze(x, "first"), repeat)
    bare_time, _ = best_time(lambda: benford.analyze(x, "first", mantissa=False), repeat)
    extra = peak_extra_bytes(lambda: benford.analyze(x, "first"))
    print(f"priorlab, all statistics + mantissa   {ours_time * 1e3:9.1f} ms")
    print(f"priorlab, all digit-test statistics   {bare_time * 1e3:9.1f} ms")
    print(f"priorlab peak memory: input + {extra / 2**20:.1f} MiB = {(x.nbytes + extra) / x.nbytes:.2f}x the input")
    baselines = (("benford_py", benford_py, run_benford_py, 0.01), ("benfordslaw", benfordslaw, run_benfordslaw, 1.0))
    for name, module, runner, floor in baselines:
        if module is None:
            print(f"{name:12s} not installed")
            continue
        try:
            their_time, theirs = best_time(silently(functools.partial(runner, x)), repeat)
        except Exception as exc:  # an unusable baseline is reported, not fatal
            print(f"{name:12s} unusable here: {type(exc).__name__}: {exc}")
            continue
        if name == "benford_py":
            their_counts = theirs["Counts"].reindex(range(1, 10), fill_value=0).to_numpy()
        else:
            their_counts = np.round(theirs["percentage_emp"][:, 1] * theirs["N"] / 100).astype(int)
        mine = benford.analyze(x[x >= floor], "first", mantissa=False).counts
        agree = "equal" if np.array_equal(mine, their_counts) else f"DIFFER by {np.abs(mine - their_counts).sum()}"
        print(
            f"{name:12s} {their_time * 1e3:9.1f} ms   priorlab is {their_time / ours_time:6.1f}x faster "
            f"({their_time / bare_time:6.1f}x without mantissa); counts on x >= {floor}: {agree}"
        )


def cluster_throughput(n: int, workers: int) -> None:
    import dask.array as da
    from dask.distributed import wait

    from priorlab.distributed import dask_client

    logging.getLogger("distributed").setLevel(logging.ERROR)
    print(f"\n== {n:.0e} values on a LocalCluster of {workers} worker processes (1 thread each) ==")
    with dask_client(workers=workers):
        x = da.random.default_rng(0).lognormal(5.0, 3.0, size=n, chunks=1 << 20)
        start = time.perf_counter()
        x = x.persist()
        wait(x)
        generated = time.perf_counter() - start
        elapsed, result = best_time(lambda: benford.analyze(x, "first"), 3)
    print(f"generate + persist: {generated:.1f} s; first-digit test with all statistics: {elapsed:.2f} s (best of 3)")
    print(f"throughput: {n / elapsed / 1e6:.0f} million values/s (N used = {result.n:,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10**6 values only, no cluster")
    parser.add_argument("--no-cluster", action="store_true", help="skip the 10**8 LocalCluster run")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    benford.analyze(np.ones(10))  # build the digit tables outside the timings
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (timings are noisy above ~1)")
    for n in (10**6,) if args.quick else (10**6, 10**7):
        compare_one_size(n, repeat=3)
    if not (args.quick or args.no_cluster):
        cluster_throughput(10**8, args.workers)


if __name__ == "__main__":
    main()
