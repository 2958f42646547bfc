"""`priorlab benford`: Benford's-law tests of one column of a CSV/Parquet file (Nigrini 2012), with the rows
behind them, per group, and as an audit report (`priorlab.benford.audit`)."""

from __future__ import annotations

from pathlib import Path

import typer

from priorlab.benford.groups import DEFAULT_MIN_N
from priorlab.benford.registry import SUMMATION, TESTS
from priorlab.cli._options import JsonOutput, PlotFile, Quiet, Scheduler, Workers
from priorlab.cli._output import Output

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
    json_output: JsonOutput = False,
    plot: PlotFile = None,
    suspects: Path | None = typer.Option(
        None, "--suspects", help="Write the rows behind the --top largest deviations (with their line) to this CSV."),
    duplicates: Path | None = typer.Option(
        None, "--duplicates", help="Write the rows of the --top most duplicated amounts to this CSV."),
    top: int = typer.Option(2, "--top", help="How many deviations (or duplicated amounts) --suspects takes."),
    by: str | None = typer.Option(None, "--by", help="Run the test for every group of this column."),
    min_n: int = typer.Option(DEFAULT_MIN_N, "--min-n", help="With --by: test only groups with this many values."),
    groups_out: Path | None = typer.Option(None, "--out", help="With --by: write the groups table to this CSV."),
    report: Path | None = typer.Option(None, "--report", help="Write the HTML audit report to this folder."),
    scheduler: Scheduler = None,
    workers: Workers = None,
    strict: bool = typer.Option(False, "--strict", help="Fail on text cells instead of counting and dropping them."),
    quiet: Quiet = False,
) -> None:
    """Benford's-law tests of one column (Nigrini 2012): digits, summation, second order, with the rows
    behind them, per group, and as an audit report."""
    from priorlab.benford.auditing import AuditFiles, audit

    files = AuditFiles(suspects=suspects, duplicates=duplicates, groups=groups_out, plot=plot, report=report)
    found = audit(file, column, test, by=by, min_n=min_n, sign=sign, min_value=min_value, top=top, strict=strict,
                  files=files, scheduler=scheduler, workers=workers, progress=not (quiet or json_output))
    output = Output(json_output)
    if found.column.n_text:
        output.warn(found.column.text_summary(), "dropped")
    output.emit(found.to_dict(), lambda out: _render(out, found, f"{file} [{column}]"))
    for label, path in (("plot", plot), ("groups", groups_out), ("report", report)):
        output.wrote(label, path)


def _render(out: Output, found, source: str) -> None:
    """What an auditor reads first: the test's result, the groups, the files of rows written."""
    if found.test == SUMMATION:
        out.line(str(found.result))
    else:
        _render_digit_test(out, found.result, source)
    if found.groups is not None:
        out.line(str(found.groups))
    for kind, info in found.written.items():
        out.line(f"{kind}: {info['rows']:,} rows -> {info['path']}")


def _render_digit_test(out: Output, result, source: str) -> None:
    """N and drops, the largest deviations, the statistics and the verdict."""
    from rich.markup import escape
    from rich.table import Table

    out.markup(f"[bold]Benford {result.test} digit test[/] of {escape(source)}")
    out.line(f"N = {result.n:,} values used; dropped: {result.dropped}")
    deviations = Table(title="largest deviations", title_justify="left")
    for name in ("digits", "count", "expected", "difference", "z", ""):
        deviations.add_column(name, justify="right")
    for row in result.deviations(10):
        deviations.add_row(row.digits, f"{row.count:,}", f"{row.expected_count:,.1f}",
                           f"{row.count - row.expected_count:+,.1f}", f"{row.z:.2f}",
                           "[red]*[/]" if row.z > 1.96 else "")
    out.show(deviations)
    out.markup("[dim]* |z| > 1.96 (5% level, with continuity correction)[/]")
    statistics = Table(title="statistics", title_justify="left", show_header=False)
    statistics.add_column("statistic")
    statistics.add_column("value", justify="right")
    for statistic in result.statistics():
        if statistic.key not in ("n", "dropped"):
            statistics.add_row(statistic.label, escape(statistic.text))
    out.show(statistics)
    out.markup(f"[bold]verdict:[/] {escape(result.verdict())}")
