"""Section 4 of the demo: Benford's law in real data, the first and first-two digit tests of the World Bank
population figures shipped with priorlab."""

from __future__ import annotations

from pathlib import Path

from priorlab.benford import analyze
from priorlab.benford.plots import plot_benford
from priorlab.benford.stats import statistics_table
from priorlab.datasets.packaged import POPULATION_SOURCE, world_bank_population
from priorlab.demo.config import DemoConfig
from priorlab.demo.section import Advance, SectionOutput, save
from priorlab.report import ReportFigure, ReportNote, ReportSection, ReportTable


def data_section(config: DemoConfig, folder: Path, advance: Advance) -> SectionOutput:
    """First and first-two digit tests of the World Bank population figures."""
    advance("benford data")
    values = world_bank_population()["Value"].to_numpy()
    results = {"first": analyze(values, test="first"), "first_two": analyze(values, test="first-two")}
    files = {key: save(plot_benford(r), folder, f"benford_population_{key}.png") for key, r in results.items()}
    first, first_two = results["first"], results["first_two"]
    headings, rows = statistics_table({"first digit": first, "first two digits": first_two})
    verdict = (
        f"Verdict. First digits: {first.verdict()}. First two digits: {first_two.verdict()}. With "
        f"n = {first.n:,} the chi-square test rejects even small deviations (p = {first.chi2_p:.2g}), which is "
        "why auditors judge conformity by the MAD instead."
    )
    section = ReportSection(
        "Benford's law in real data",
        f"Source: {POPULATION_SOURCE}. Every yearly value is tested; regional aggregates are included as published.",
        [
            ReportFigure(
                files["first"],
                "Share of each first digit 1..9 among the population figures (blue bars) against Benford's "
                "law (red line), with the band a sample of this size stays in 95% of the time under the law. "
                "The bars fall from about 30% for 1 to under 5% for 9, as the law says; the largest "
                f"deviation is at digit {first.largest_deviations[0][0]}.",
                "World Bank population: first digit",
                half=True,
            ),
            ReportFigure(
                files["first_two"],
                "The 90 first-two-digit combinations 10..99, same colours. A finer test: a spike at single "
                "combinations points at rounding, thresholds or invented numbers; here the largest is at "
                f"{first_two.largest_deviations[0][0]}.",
                "World Bank population: first two digits",
            ),
            ReportTable(
                headings,
                rows,
                "Test statistics against Benford's law; conformity from the MAD with Nigrini's (2012) ranges.",
            ),
            ReportNote(verdict),
        ],
    )
    summary = {"status": "ok", "source": POPULATION_SOURCE, **{key: r.to_dict() for key, r in results.items()}}
    return SectionOutput([section], summary)
