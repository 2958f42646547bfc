"""An audit of one amount column: the Benford tests of Nigrini (2012) and the records behind them, as one value.

`audit(path, column, test, by=...)` reads the amounts, and with `by` the group keys of the same rows, once,
through the one strict reader (`columns.read_column`): integers stay exact at any size, so the test per group
counts exactly the values the column-wide test counts. It runs the test (and, for the report page, every
other test, the summation and the number duplication tests) and returns an `Audit`, which holds all of it.
The rows behind the numbers are picked from the amounts in memory, with every digit they have, and the file
is streamed once for all the row files asked for (`records.write_rows`); the report page is one
self-contained HTML page (`priorlab.report`) built section by section, in a staging folder swapped in at
the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

import priorlab.benford.columns as columns
import priorlab.benford.digits as digits
import priorlab.benford.registry as registry
from priorlab.benford.analysis import analyze
from priorlab.benford.columns import Column
from priorlab.benford.groups import DEFAULT_MIN_N, GroupResult, analyze_by
from priorlab.benford.plots import plot_benford, plot_duplication, plot_groups, plot_summation
from priorlab.benford.records import (
    DUPLICATION_KEYS,
    DuplicationResult,
    holding,
    number_duplication,
    suspect_selector,
    write_rows,
)
from priorlab.benford.stats import BenfordResult, statistics_table
from priorlab.benford.summation import SummationResult
from priorlab.files import atomic_path, check_output_file, figure_suffixes, save_figure
from priorlab.report import (
    Report,
    ReportFigure,
    ReportNote,
    ReportSection,
    ReportTable,
    check_output_dir,
    staged_output_dir,
    write_report,
)
from priorlab.validation import check_choice, check_int

SUSPECT_ROWS_SHOWN = 100
SUSPECTS_FILE = "suspects.csv"
SUSPECTS_TEST = "first-two"
"""The suspects of the report page are those of the first-two digits test, Nigrini's main test."""
DUPLICATES_SHOWN = 15
"""Most frequent amounts (and last two digits) the report page lists."""
GROUPS_SHOWN = 50


@dataclasses.dataclass(frozen=True)
class AuditFiles:
    """The files an audit writes, each optional: the rows behind the test's largest deviations
    (`suspects`) and behind the most duplicated amounts (`duplicates`) as CSV, the groups table as CSV, the
    test's figure, and the report folder. `check` refuses a path that cannot be written before any data
    is read."""

    suspects: str | Path | None = None
    duplicates: str | Path | None = None
    groups: str | Path | None = None
    plot: str | Path | None = None
    report: str | Path | None = None

    def check(self) -> None:
        for path, option in ((self.suspects, "--suspects"), (self.duplicates, "--duplicates"),
                             (self.groups, "--out")):
            if path is not None:
                check_output_file(path, (".csv",), argument=option)
        if self.plot is not None:
            check_output_file(self.plot, figure_suffixes(), argument="--plot")
        if self.report is not None:
            check_output_dir(self.report)


@dataclasses.dataclass(frozen=True, eq=False)
class Audit:
    """Everything one audit of an amount column found.

    Attributes
    ----------
    source : Path
        The CSV or Parquet file.
    column : Column
        The amounts as read (exact integers, or float64 with NaN for empty and text cells), the cells set
        aside, the file row of each amount and, with `by`, its group key.
    test : str
        The audit's main test: the one printed, plotted, run per group and whose rows are the suspects.
    results : Mapping[str, BenfordResult or SummationResult]
        Every test run, by name, the main test first; drops include the column's missing and text cells.
    duplication : Mapping[str, DuplicationResult]
        Nigrini's number duplication test by key ("amount", "last-two"), when it was run.
    groups : GroupResult or None
        The main test per group of `column.by`.
    sign, min_value, top
        Which values the tests kept, and how many deviations (or duplicated amounts) the rows follow.
    written : Mapping[str, dict]
        What `audit(..., files=...)` wrote, by kind ("suspects", "duplicates"): path, rows, top.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from priorlab.benford import AuditFiles, audit
    >>> folder = Path(tempfile.mkdtemp())
    >>> rows = [f"v{i % 3},{(i * 7919) % 100003 + 1}" for i in range(600)]
    >>> _ = (folder / "payments.csv").write_text("vendor,amount\\n" + "\\n".join(rows) + "\\n")
    >>> found = audit(folder / "payments.csv", "amount", "first", by="vendor", min_n=100)
    >>> found.result.n, found.groups.n_groups
    (600, 3)
    >>> sorted(found.write(AuditFiles(suspects=folder / "suspects.csv")))
    ['suspects']
    """

    source: Path
    column: Column
    test: str
    results: Mapping[str, BenfordResult | SummationResult]
    duplication: Mapping[str, DuplicationResult]
    groups: GroupResult | None
    sign: str
    min_value: float | None
    top: int
    written: Mapping[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    @property
    def result(self) -> BenfordResult | SummationResult:
        """The main test's result."""
        return self.results[self.test]

    def suspect_rows(self, test: str | None = None) -> np.ndarray:
        """File rows (from 0) whose digits are among the `top` largest deviations of `test` (the main test by
        default), read from the exact amounts."""
        select = suspect_selector(self.results[test or self.test], self.top, self.sign)
        return self.column.file_rows(select(self.column.values))

    def duplicate_rows(self) -> np.ndarray:
        """File rows (from 0) holding one of the `top` most duplicated amounts."""
        most = self.duplication.get("amount") or number_duplication(self.column.values, top=self.top, sign=self.sign)
        return self.column.file_rows(holding(most.values[: self.top], self.sign)(self.column.values))

    def write(self, files: AuditFiles) -> dict[str, dict[str, Any]]:
        """Write `files` (one pass over the source for every file of rows); returns what was written by kind:
        {"suspects": {"path", "rows", "top"}, "duplicates": ...}."""
        with contextlib.ExitStack() as stack:
            folder = None if files.report is None else stack.enter_context(staged_output_dir(files.report))
            kinds = {"suspects": (files.suspects, self.suspect_rows), "duplicates": (files.duplicates,
                                                                                   self.duplicate_rows)}
            selections = {Path(path): rows() for path, rows in kinds.values() if path is not None}
            if folder is not None:
                selections[folder / SUSPECTS_FILE] = self.suspect_rows(SUSPECTS_TEST)
            counts = write_rows(self.source, selections) if selections else {}
            if files.groups is not None:
                self._write_groups(files.groups)
            if files.plot is not None:
                save_figure(self.figure(), files.plot)
            if folder is not None:
                write_report(self.report(folder, counts[folder / SUSPECTS_FILE]), folder)
        return {kind: {"path": str(path), "rows": counts[Path(path)], "top": self.top}
                for kind, (path, _) in kinds.items() if path is not None}

    def _write_groups(self, path: str | Path) -> None:
        if self.groups is None:
            raise ValueError("--out writes the groups table: give --by too")
        with atomic_path(path) as temporary:
            self.groups.to_frame().to_csv(temporary, index=False)

    def figure(self) -> Any:
        """The main test's figure: digit bars against the law, or the summation test's shares."""
        return plot_summation(self.result) if self.test == registry.SUMMATION else plot_benford(self.result)

    def to_dict(self) -> dict[str, Any]:
        """The main test's JSON, with the groups and the files written."""
        out = self.result.to_dict()
        if self.groups is not None:
            out["groups"] = self.groups.to_dict()
        return {**out, **self.written}

    # --- the report page, section by section ---------------------------------------------------------

    def report(self, folder: Path, n_suspects: int) -> Report:
        """The report page; its figures are written to `folder`, which holds the suspects' CSV."""
        missing = [name for name in registry.CHOICES if name not in self.results]
        if missing or set(self.duplication) != set(DUPLICATION_KEYS):
            raise ValueError("the report needs every test: audit(..., every_test=True)")
        return Report(
            f"Benford audit of {self.source.name} [{self.column.name}]",
            "Nigrini (2012), Benford's Law: Applications for Forensic Accounting, Auditing, and Fraud Detection.",
            [self.digit_tests_section(folder), self.summation_section(folder), self.duplication_section(folder),
             self.suspects_section(folder, n_suspects), self.groups_section(folder)],
        )

    def digit_tests_section(self, folder: Path) -> ReportSection:
        tests = {name: self.results[name] for name in registry.TESTS}
        headings, rows = statistics_table(tests)
        items: list[Any] = [ReportTable(
            headings, rows,
            caption="Each digit test's statistics (definitions in priorlab.benford.stats and .mantissa): the "
            "mantissa arc test's L2 = (mean cos 2 pi m)^2 + (mean sin 2 pi m)^2 of the log mantissas, p = "
            "exp(-N L2); the distortion factor is Nigrini's DF in percent (negative: understated).",
        )]
        for name, result in tests.items():
            save_figure(plot_benford(result), folder / f"{name}.png")
            items.append(ReportFigure(f"{name}.png", result.verdict(), title=f"{name} digits", half=True))
        return ReportSection(
            "Digit tests",
            "Observed digit proportions against Benford's law with Nigrini's (2012) MAD conformity; the "
            "second-order test reads the differences between consecutive sorted amounts.",
            items,
        )

    def summation_section(self, folder: Path) -> ReportSection:
        summed = self.results[registry.SUMMATION]
        save_figure(plot_summation(summed), folder / "summation.png")
        return ReportSection(
            "Summation test",
            "Sums of the amounts by first two digits; under Benford's law each holds 1/90 of the total.",
            [
                ReportFigure("summation.png", f"MAD {summed.mad:.6f}", title="summation"),
                ReportTable(["digits", "share", "excess sum"],
                            [[d, float(summed.observed[d - 10]), e] for d, e in summed.largest_excess[:10]],
                            caption="largest excess sums"),
            ],
        )

    def duplication_section(self, folder: Path) -> ReportSection:
        section = ReportSection("Number duplication test", "The most frequent amounts and last two digits.")
        for key, found in self.duplication.items():
            save_figure(plot_duplication(found), folder / f"duplication-{key}.png")
            section.items.append(ReportFigure(f"duplication-{key}.png", f"N = {found.n:,}", half=True))
            section.items.append(ReportTable(["value", "count", "share"], found.rows()[:DUPLICATES_SHOWN],
                                             caption=f"most frequent {found.what} (N = {found.n:,})"))
        return section

    def suspects_section(self, folder: Path, n_suspects: int) -> ReportSection:
        import pandas as pd

        shown = pd.read_csv(folder / SUSPECTS_FILE, nrows=SUSPECT_ROWS_SHOWN, dtype=str, keep_default_na=False)
        flagged = ", ".join(str(d) for d, _ in self.results[SUSPECTS_TEST].largest_deviations[: self.top])
        return ReportSection(
            "Suspect records",
            f"{n_suspects:,} rows whose first two digits are among the {self.top} largest deviations of the "
            f"first-two digits test ({flagged}).",
            [ReportTable(list(shown.columns), shown.values.tolist(),
                         caption=f"the first {len(shown):,} of {n_suspects:,}; all of them:", link=SUSPECTS_FILE)],
        )

    def groups_section(self, folder: Path) -> ReportSection:
        groups = self.groups
        if groups is None:
            note = ReportNote("not run: give a group column (--by) to test every vendor, employee or branch",
                              kind="skipped")
            return ReportSection("Tests per group", items=[note])
        save_figure(plot_groups(groups), folder / "groups.png")
        table = groups.to_frame().head(GROUPS_SHOWN)
        return ReportSection(
            f"Tests per {groups.by}",
            f"The {groups.test} digit test per {groups.by} with at least {groups.min_n:,} values, largest MAD "
            "first; chi2_p_bh is the chi-square p adjusted for the number of groups (Benjamini-Hochberg).",
            [ReportFigure("groups.png", "the groups with the largest MAD"),
             ReportTable(list(table.columns), table.values.tolist(), caption=f"worst {GROUPS_SHOWN} groups")],
        )


def audit(path: str | Path, column: str, test: str = "first", *, by: str | None = None, min_n: int = DEFAULT_MIN_N,
          sign: str = "positive", min_value: float | None = None, top: int = 2, every_test: bool = False,
          strict: bool = False, files: AuditFiles | None = None, scheduler: str | None = None,
          workers: int | None = None, progress: bool = False) -> Audit:
    """Audit `column` of the CSV/Parquet file `path` with Benford's `test` (one of `registry.CHOICES`).

    Parameters
    ----------
    path, column
        The file and its amount column (text cells are counted and dropped, or refused with `strict`).
    test
        The main test: printed, plotted, run per group, its rows the suspects.
    by, min_n
        A group column: the test is run for every group with at least `min_n` values.
    sign, min_value
        Which values the tests keep (see `priorlab.benford.analyze`).
    top
        How many largest deviations (or most duplicated amounts) the suspects (or duplicates) follow.
    every_test
        Also run every other test, the summation and the number duplication tests (what the report needs;
        implied by `files.report`).
    files
        Files to write, checked before any data is read (see `AuditFiles`).
    scheduler, workers
        Compute on a Dask cluster: a scheduler's address, or a local cluster of that many processes.
    progress
        Show a progress bar while the main test counts digits (in this process).

    Returns
    -------
    Audit

    Raises
    ------
    ValueError
        For a bad option, a missing column, a file that cannot be read or written, or a test without values;
        each message names the option, file or column.
    """
    files = files or AuditFiles()
    top, min_n = _check_request(test, sign, top, min_n, by, files)
    dask = _check_cluster(scheduler, workers)
    files.check()
    data = _read(path, column, test, by, strict, dask)
    every_test = every_test or files.report is not None
    tests = [test, *(name for name in registry.CHOICES if every_test and name != test)]
    options = {"sign": sign, "min_value": min_value, "name": f"{path}: column {column!r}"}
    with _cluster(scheduler, workers):
        values, keys = (_on_dask(data.values), _on_dask(data.keys)) if dask else (data.values, data.keys)
        shown = progress and not dask
        results = {name: _account(data, analyze(values, name, progress=shown and name == test, **options))
                   for name in tests}
        groups = None if by is None else analyze_by(values, keys, test, min_n=min_n, sign=sign,
                                                    min_value=min_value, name=by)
    duplication = ({key: number_duplication(data.values, top=max(DUPLICATES_SHOWN, top), key=key, sign=sign)
                    for key in DUPLICATION_KEYS} if every_test else {})
    found = Audit(Path(path), data, test, results, duplication, groups, sign, min_value, top)
    return dataclasses.replace(found, written=found.write(files))


def _check_request(test: str, sign: str, top: int, min_n: int, by: str | None, files: AuditFiles) -> tuple[int, int]:
    """Refuse, before any work, a bad option and what the tests cannot do; (top, min_n) as checked."""
    check_choice(test, "--test", registry.CHOICES)
    check_choice(sign, "--sign", digits.SIGNS)
    if files.groups is not None and by is None:
        raise ValueError("--out writes the groups table: give --by too")
    spec = registry.TESTS.get(test)
    if by is not None and (spec is None or spec.differences):
        raise ValueError(f"--by: the {test} test is not run per group; choose one of "
                         f"{', '.join(n for n, t in registry.TESTS.items() if not t.differences)}")
    if files.suspects is not None and spec is not None and spec.differences:
        raise ValueError(f"--suspects: the {test} test reads differences between values, so no row is a suspect")
    return check_int(top, "--top", 1), check_int(min_n, "--min-n", 1)


def _read(path: str | Path, column: str, test: str, by: str | None, strict: bool, dask: bool) -> Column:
    """The amounts (and group keys), refused where the test or the cluster cannot take them."""
    data = columns.read_column(path, column, strict=strict, by=by)
    if test == registry.SUMMATION and data.n_text:
        raise ValueError(f"--test {registry.SUMMATION}: {path}: the amounts must be numbers; {data.text_summary()}")
    if dask and data.values.dtype == object:
        raise ValueError(f"{path}: column {column!r} holds integers beyond 64 bits, which are counted "
                         "exactly in one process only; run without --workers/--scheduler")
    return data


def _check_cluster(scheduler: str | None, workers: int | None) -> bool:
    from priorlab.distributed import check_cluster_options

    return check_cluster_options({"--scheduler": scheduler, "--workers": workers})


def _cluster(scheduler: str | None, workers: int | None) -> contextlib.AbstractContextManager:
    if scheduler is None and workers is None:
        return contextlib.nullcontext()
    from priorlab.distributed import dask_client

    return dask_client(scheduler, workers)


def _on_dask(values: np.ndarray | None) -> Any:
    import dask.array as da

    return None if values is None else da.from_array(values, chunks=digits.CHUNK_SIZE * 16)


def _account(data: Column, result: BenfordResult | SummationResult) -> BenfordResult | SummationResult:
    """A digit test's drops with the column's missing and text cells counted in (the summation test sums
    what it was given)."""
    return data.account(result) if isinstance(result, BenfordResult) else result
