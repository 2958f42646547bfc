"""The audit report of one amount column: every Benford test of Nigrini (2012), the records behind them.

One self-contained HTML page (`priorlab.report`) with the digit tests (first, second, first-two, first-three,
last-two, second-order) and their verdicts, the mantissa arc test and distortion factor, the summation test,
the number duplication test, the suspect rows (the first 100, the full CSV beside the page) and, with
`by`, the test per group. Everything is written in a staging folder and swapped in at the end.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from priorlab.benford import analyze, registry, summation
from priorlab.benford.columns import read_column
from priorlab.benford.groups import GroupResult
from priorlab.benford.plots import plot_benford, plot_duplication, plot_groups, plot_summation
from priorlab.benford.records import number_duplication, suspect_selector, write_rows
from priorlab.files import save_figure
from priorlab.report import (
    Report,
    ReportFigure,
    ReportNote,
    ReportSection,
    ReportTable,
    staged_output_dir,
    write_report,
)

SUSPECT_ROWS_SHOWN = 100
SUSPECTS_FILE = "suspects.csv"
SUSPECTS_TEST = "first-two"
"""The suspects of the report are those of the first-two digits test, Nigrini's main test."""


def write_audit_report(
    file: str | Path,
    column: str,
    out: str | Path,
    *,
    sign: str = "positive",
    min_value: float | None = None,
    top: int = 2,
    groups: GroupResult | None = None,
    strict: bool = False,
) -> Path:
    """Write the audit report of `column` of `file` to the folder `out` (see the module docstring);
    `groups` is a finished `analyze_by` result to include. Returns the page's path."""
    file, out = Path(file), Path(out)
    data = read_column(file, column, strict=strict)
    options = {"sign": sign, "min_value": min_value, "name": f"{file}: column {column!r}"}
    with staged_output_dir(out) as folder:
        tests = ReportSection(
            "Digit tests",
            "Observed digit proportions against Benford's law with Nigrini's (2012) MAD conformity; the "
            "second-order test reads the differences between consecutive sorted amounts.",
        )
        rows = []
        results = {}
        for name in registry.TESTS:
            result = data.account(analyze(data.values, name, **options))
            results[name] = result
            m = result.mantissa
            rows.append(
                [
                    name,
                    result.n,
                    result.mad,
                    result.conformity or "-",
                    result.chi2_p,
                    m.arc_l2 if m else math.nan,
                    m.arc_p_value if m else math.nan,
                    result.distortion_factor,
                    result.verdict(),
                ]
            )
            figure = f"{name}.png"
            save_figure(plot_benford(result), folder / figure)
            tests.items.append(ReportFigure(figure, result.verdict(), title=f"{name} digits", half=True))
        tests.items.insert(
            0,
            ReportTable(
                ["test", "N", "MAD", "conformity", "chi-square p", "arc L2", "arc p", "DF %", "verdict"],
                rows,
                caption="Mantissa arc test: L2 = (mean cos 2 pi m)^2 + (mean sin 2 pi m)^2 of the log mantissas, "
                "p = exp(-N L2); DF: Nigrini's distortion factor in percent (negative: understated).",
            ),
        )
        summed = summation(data.values, sign, min_value)
        save_figure(plot_summation(summed), folder / "summation.png")
        summation_section = ReportSection(
            "Summation test",
            "Sums of the amounts by first two digits; under Benford's law each holds 1/90 of the total.",
            [
                ReportFigure("summation.png", f"MAD {summed.mad:.6f}", title="summation"),
                ReportTable(
                    ["digits", "share", "excess sum"],
                    [[d, float(summed.observed[d - 10]), e] for d, e in summed.largest_excess[:10]],
                    caption="largest excess sums",
                ),
            ],
        )
        duplication = ReportSection("Number duplication test", "The most frequent amounts and last two digits.")
        for key in ("amount", "last-two"):
            dup = number_duplication(data.values, top=15, key=key, sign=sign)
            save_figure(plot_duplication(dup), folder / f"duplication-{key}.png")
            duplication.items.append(ReportFigure(f"duplication-{key}.png", f"N = {dup.n:,}", half=True))
            duplication.items.append(
                ReportTable(
                    ["value", "count", "share"],
                    [
                        [float(v) if key == "amount" else f"{int(v):02d}", int(c), float(s)]
                        for v, c, s in zip(dup.values, dup.counts, dup.shares, strict=True)
                    ],
                    caption=f"most frequent {'amounts' if key == 'amount' else 'last two digits'} (N = {dup.n:,})",
                )
            )
        n_suspects = write_rows(
            file, column, suspect_selector(results[SUSPECTS_TEST], top, sign), folder / SUSPECTS_FILE
        )
        shown = pd.read_csv(folder / SUSPECTS_FILE, nrows=SUSPECT_ROWS_SHOWN, dtype=str, keep_default_na=False)
        suspects = ReportSection(
            "Suspect records",
            f"{n_suspects:,} rows whose first two digits are among the {top} largest deviations of the first-two "
            f"digits test ({', '.join(str(d) for d, _ in results[SUSPECTS_TEST].largest_deviations[:top])}).",
            [
                ReportTable(
                    list(shown.columns),
                    shown.values.tolist(),
                    caption=f"the first {len(shown):,} of {n_suspects:,}; all of them:",
                    link=SUSPECTS_FILE,
                )
            ],
        )
        sections = [tests, summation_section, duplication, suspects]
        if groups is not None:
            save_figure(plot_groups(groups), folder / "groups.png")
            table = groups.to_frame().head(50)
            sections.append(
                ReportSection(
                    f"Tests per {groups.by}",
                    f"The {groups.test} digit test per {groups.by} with at least {groups.min_n:,} values, largest MAD "
                    "first; chi2_p_bh is the chi-square p adjusted for the number of groups (Benjamini-Hochberg).",
                    [
                        ReportFigure("groups.png", "the groups with the largest MAD"),
                        ReportTable(list(table.columns), table.values.tolist(), caption="worst 50 groups"),
                    ],
                )
            )
        else:
            sections.append(
                ReportSection(
                    "Tests per group",
                    items=[
                        ReportNote(
                            "not run: give a group column (--by) to test every vendor, employee or branch",
                            kind="skipped",
                        )
                    ],
                )
            )
        report = Report(
            f"Benford audit of {file.name} [{column}]",
            "Nigrini (2012), Benford's Law: Applications for Forensic Accounting, Auditing, and Fraud Detection.",
            sections,
        )
        write_report(report, folder)
    return out / "index.html"
