"""`priorlab benford`: Benford's-law tests of one column of a CSV/Parquet file (Nigrini 2012)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from priorlab.benford.groups import DEFAULT_MIN_N
from priorlab.benford.registry import SUMMATION, TESTS
from priorlab.cli._options import check_plot_path as _check_plot_path
from priorlab.cli._output import console, err_console

_TEST_HELP = "; ".join(
    [f"{test.name}: {test.description}" for test in TESTS.values()]
    + [f"{SUMMATION}: sums of the amounts by first two digits (Nigrini 2012)"]
)


def benford(
    file: Path = typer.Argument(..., help="CSV file (or Parquet, with pyarrow)."),
    column: str = typer.Option(..., "--column", "-c", help="Name of the numeric column to test."),
    test: str = typer.Option("first", "--test", help=_TEST_HELP),
    sign: str = typer.Option("positive", "--sign", help="positive | negative | both (digits of |x|)"),
    min_value: float | None = typer.Option(None, "--min-value", help="Drop |x| below this (last-two: default 10)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the figure to this file (.png, .svg, .pdf, ...)."),
    suspects: Path | None = typer.Option(
        None, "--suspects", help="Write the rows behind the --top largest deviations (with their line) to this CSV."),
    duplicates: Path | None = typer.Option(
        None, "--duplicates", help="Write the rows of the --top most duplicated amounts to this CSV."),
    top: int = typer.Option(2, "--top", help="How many deviations (or duplicated amounts) --suspects takes."),
    by: str | None = typer.Option(None, "--by", help="Run the test for every group of this column."),
    min_n: int = typer.Option(DEFAULT_MIN_N, "--min-n", help="With --by: test only groups with this many values."),
    groups_out: Path | None = typer.Option(None, "--out", help="With --by: write the groups table to this CSV."),
    report: Path | None = typer.Option(None, "--report", help="Write the HTML audit report to this folder."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address to compute on."),
    workers: int | None = typer.Option(None, "--workers", help="Start a local Dask cluster of N processes."),
    strict: bool = typer.Option(False, "--strict", help="Fail on text cells instead of counting and dropping them."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Benford's-law tests of one column (Nigrini 2012): digits, summation, second order, with the rows
    behind them, per group, and as an audit report."""
    import json
    from contextlib import nullcontext

    from priorlab.benford import analyze, digits, registry
    from priorlab.benford.columns import read_column
    from priorlab.files import check_output_file
    from priorlab.validation import check_choice, check_int

    check_choice(test, "--test", registry.CHOICES)
    check_choice(sign, "--sign", digits.SIGNS)
    top = check_int(top, "--top", 1)
    min_n = check_int(min_n, "--min-n", 1)
    if scheduler is not None and workers is not None:
        raise ValueError("give either --scheduler or --workers, not both")
    if groups_out is not None and by is None:
        raise ValueError("--out writes the groups table: give --by too")
    if by is not None and (test not in TESTS or TESTS[test].differences):
        raise ValueError(f"--by: the {test} test is not run per group; choose one of "
                         f"{', '.join(n for n, t in TESTS.items() if not t.differences)}")
    _check_plot_path(plot)
    for path, option in ((suspects, "--suspects"), (duplicates, "--duplicates"), (groups_out, "--out")):
        if path is not None:
            check_output_file(path, (".csv",), argument=option)
    if report is not None:
        from priorlab.report import check_output_dir

        check_output_dir(report)
    keys = _group_keys(file, by) if by is not None else None
    data = read_column(file, column, strict=strict)
    if test == SUMMATION and data.n_text:
        raise ValueError(f"--test {SUMMATION}: {file}: the amounts must be numbers; {data.text_summary()}")
    options = {"test": test, "sign": sign, "min_value": min_value, "name": f"{file}: column {column!r}"}
    dask = scheduler is not None or workers is not None
    if dask and data.values.dtype == object:
        raise ValueError(f"{file}: column {column!r} holds integers beyond 64 bits, which are counted "
                         "exactly in one process only; run without --workers/--scheduler")
    if dask:
        from priorlab.distributed import dask_client

        context = dask_client(scheduler, workers)
    else:
        context = nullcontext()
    with context:
        values = data.values
        if dask:
            import dask.array as da

            values = da.from_array(values, chunks=digits.CHUNK_SIZE * 16)
        grouped = None
        if keys is not None:
            grouped = _run_groups(file, column, by, keys, test, sign, min_value, min_n, dask)
        result = analyze(values, progress=not (quiet or json_output or dask), **options)
    if test in TESTS:
        result = data.account(result)
    if data.n_text:
        err_console.print(f"[yellow]dropped {escape(data.text_summary())}[/]", highlight=False)
    written = _write_records(file, column, result, suspects, duplicates, data.values, top, sign)
    if grouped is not None and groups_out is not None:
        from priorlab.files import atomic_path

        with atomic_path(groups_out) as temporary:
            grouped.to_frame().to_csv(temporary, index=False)
    if plot is not None:
        from priorlab.benford.plots import plot_benford, plot_summation
        from priorlab.files import save_figure

        save_figure(plot_summation(result) if test == SUMMATION else plot_benford(result), plot)
    if report is not None:
        from priorlab.audit import write_audit_report

        write_audit_report(file, column, report, sign=sign, min_value=min_value, top=top, groups=grouped,
                           strict=strict)
    if json_output:
        out = result.to_dict()
        if grouped is not None:
            out["groups"] = grouped.to_dict()
        out.update(written)
        sys.stdout.write(json.dumps(out) + "\n")
        return
    if test == SUMMATION:
        console.print(str(result), highlight=False, markup=False)
    else:
        _render_benford(result, f"{file} [{column}]")
    if grouped is not None:
        console.print(str(grouped), highlight=False, markup=False)
    for key, info in written.items():
        console.print(f"{key}: {info['rows']:,} rows -> {info['path']}", highlight=False)
    for label, path in (("plot", plot), ("groups", groups_out), ("report", report)):
        if path is not None:
            console.print(f"{label}: {path}", highlight=False)


def _group_keys(file: Path, by: str):
    """The --by column as text (CSV) or as stored (Parquet), one key per row; refused by name if absent."""
    from priorlab.tables import check_columns, check_input_file, column_names, read_arrow

    check_columns(check_input_file(file), [by], column_names(file), role="--by column")
    return read_arrow(file, [by]).column(by).to_numpy(zero_copy_only=False)


def _run_groups(file, column, by, keys, test, sign, min_value, min_n, dask):
    """The test per --by group, on the amounts aligned with the keys row by row."""
    import pandas as pd

    from priorlab.benford.groups import analyze_by
    from priorlab.tables import read_arrow

    cells = read_arrow(file, [column]).column(column).to_pandas()
    amounts = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float, na_value=float("nan"))
    keys = pd.Series(keys).astype(str).to_numpy(dtype=object) if keys.dtype == object else keys
    if dask:
        import dask.array as da

        amounts, keys = da.from_array(amounts, chunks=1 << 20), da.from_array(keys, chunks=1 << 20)
    return analyze_by(amounts, keys, test, min_n=min_n, sign=sign, min_value=min_value, name=by)


def _write_records(file, column, result, suspects, duplicates, values, top, sign) -> dict:
    """Write the --suspects and --duplicates rows; what was written, for the output."""
    from priorlab.benford.records import duplicate_selector, suspect_selector, write_rows

    written = {}
    if suspects is not None:
        rows = write_rows(file, column, suspect_selector(result, top, sign), suspects)
        written["suspects"] = {"path": str(suspects), "rows": rows, "top": top}
    if duplicates is not None:
        rows = write_rows(file, column, duplicate_selector(values, top, sign), duplicates)
        written["duplicates"] = {"path": str(duplicates), "rows": rows, "top": top}
    return written


def _render_benford(result, source: str) -> None:
    """What an auditor reads first: N and drops, the largest deviations, statistics, verdict."""
    from rich.table import Table

    dropped = ", ".join(f"{reason} {count:,}" for reason, count in result.dropped.items() if count)
    console.print(f"[bold]Benford {result.test} digit test[/] of {source}", highlight=False)
    console.print(f"N = {result.n:,} values used; dropped: {dropped or 'none'}", highlight=False)
    deviations = Table(title="largest deviations", title_justify="left")
    for name in ("digits", "count", "expected", "difference", "z", ""):
        deviations.add_column(name, justify="right")
    index = {int(d): i for i, d in enumerate(result.digits)}
    spec = TESTS[result.test]
    for d, _ in result.largest_deviations[:10]:
        i = index[d]
        expected_count = result.expected[i] * result.n
        flag = "[red]*[/]" if result.z[i] > 1.96 else ""
        deviations.add_row(
            spec.label(d),
            f"{result.counts[i]:,}",
            f"{expected_count:,.1f}",
            f"{result.counts[i] - expected_count:+,.1f}",
            f"{result.z[i]:.2f}",
            flag,
        )
    console.print(deviations)
    console.print("[dim]* |z| > 1.96 (5% level, with continuity correction)[/]")
    statistics = Table(title="statistics", title_justify="left", show_header=False)
    statistics.add_column("statistic")
    statistics.add_column("value", justify="right")
    statistics.add_row("chi-square", f"{result.chi2:.4g} (df {result.digits.size - 1}, p = {result.chi2_p:.4g})")
    statistics.add_row("KS distance", f"{result.ks:.5f}")
    statistics.add_row("MAD", f"{result.mad:.6f}")
    statistics.add_row("excess MAD", f"{result.excess_mad:.6f}")
    statistics.add_row("KL divergence", f"{result.kl:.5g} nats")
    statistics.add_row("Pearson r", f"{result.pearson_r:.5f}")
    if result.mantissa is not None:
        m = result.mantissa
        statistics.add_row(
            "mantissa mean / var / skew / ex. kurt",
            f"{m.mean:.4f} / {m.var:.4f} / {m.skewness:.4f} / {m.excess_kurtosis:.4f}"
            "  (Benford 0.5 / 0.0833 / 0 / -1.2)",
        )
    console.print(statistics)
    console.print(f"[bold]verdict:[/] {result.verdict()}", highlight=False)
