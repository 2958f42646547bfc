"""`priorlab benford` on Nigrini's corporate payments: suspects and duplicates rows with their file lines,
groups, the audit report, the JSON keys of every test, and one-line errors (exit 2) that write nothing."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pandas as pd
import pytest

from priorlab.benford import registry

try:
    from . import r_benford_analysis as R
    from .cli_runs import run, run_ok
except ImportError:  # run as a rootdir-relative module
    import r_benford_analysis as R
    from cli_runs import run, run_ok


@pytest.fixture(scope="module")
def payments(shared_data):
    return shared_data / "nigrini" / "corporate_payment.csv"


@pytest.fixture(scope="module")
def lines(payments):
    return payments.read_text().splitlines()


def test_suspects_csv_holds_the_published_rows_with_their_file_lines(payments, lines, tmp_path, capsys):
    out = tmp_path / "suspects.csv"
    payload = json.loads(
        run_ok([str(payments), "-c", "Amount", "--test", "first-two", "--suspects", str(out), "--json"], capsys)[0]
    )
    assert payload["suspects"] == {"path": str(out), "rows": R.N_SUSPECTS, "top": 2}
    rows = list(csv.reader(out.open(newline="")))
    assert rows[0] == ["line", "VendorNum", "Date", "InvNum", "Amount"]
    assert len(rows) - 1 == R.N_SUSPECTS
    for row in rows[1:]:  # each row is the file's line, cell for cell
        assert lines[int(row[0]) - 1] == ",".join(row[1:])
    assert [tuple(r[1:4]) for r in rows[1:6]] == [s[:3] for s in R.FIRST_SUSPECTS]


def test_duplicates_csv_holds_the_rows_of_the_most_duplicated_amounts(payments, lines, tmp_path, capsys):
    out = tmp_path / "dups.csv"
    run_ok([str(payments), "-c", "Amount", "--duplicates", str(out), "--top", "1", "--quiet"], capsys)
    amounts = Counter(float(line.rsplit(",", 1)[1]) for line in lines[1:] if float(line.rsplit(",", 1)[1]) > 0)
    ((most, count),) = amounts.most_common(1)
    frame = pd.read_csv(out)
    assert len(frame) == count and (frame["Amount"] == most).all()
    assert all(float(lines[line - 1].rsplit(",", 1)[1]) == most for line in frame["line"])


def test_a_failure_mid_write_leaves_no_csv(payments, tmp_path, capsys, monkeypatch):
    out = tmp_path / "suspects.csv"
    out.write_text("previous\n")
    calls = []
    original = csv.writer

    class Failing:
        """A CSV writer whose disk fills up at the 100th row."""

        def __init__(self, *args, **kwargs):
            self.writer = original(*args, **kwargs)

        def writerow(self, row):
            calls.append(1)
            if len(calls) == 100:
                raise OSError("disk full")
            return self.writer.writerow(row)

    monkeypatch.setattr(csv, "writer", Failing)
    code, _, err = run(
        [str(payments), "-c", "Amount", "--test", "first-two", "--suspects", str(out), "--quiet"], capsys
    )
    assert code == 2 and "disk full" in err and len(calls) == 100
    assert out.read_text() == "previous\n" and sorted(p.name for p in tmp_path.iterdir()) == ["suspects.csv"]


@pytest.mark.parametrize("test", registry.TESTS)
def test_json_of_every_digit_test_carries_the_arc_test_and_distortion_factor(payments, test, capsys):
    payload = json.loads(run_ok([str(payments), "-c", "Amount", "--test", test, "--json"], capsys)[0])
    assert {"arc_l2", "arc_p_value"} <= set(payload["mantissa"]) and "distortion_factor" in payload
    assert payload["mantissa"]["arc_l2"] > 0


def test_summation_json_against_the_cells_summed_as_decimals(payments, lines, capsys):
    from decimal import Decimal

    payload = json.loads(run_ok([str(payments), "-c", "Amount", "--test", "summation", "--json"], capsys)[0])
    sums = Counter()
    for line in lines[1:]:
        cell = line.rsplit(",", 1)[1]
        if Decimal(cell) > 0:
            sums[int((cell.replace(".", "").lstrip("0") + "0")[:2])] += Decimal(cell)
    assert payload["n"] == R.N
    assert payload["sums"] == pytest.approx([float(sums[d]) for d in range(10, 100)], rel=1e-12)
    assert [e["digits"] for e in payload["largest_excess"][:3]] == [d for d, _ in sums.most_common(3)]


def test_groups_table_json_and_csv(payments, tmp_path, capsys):
    out = tmp_path / "groups.csv"
    payload = json.loads(
        run_ok(
            [
                str(payments),
                "-c",
                "Amount",
                "--test",
                "first-two",
                "--by",
                "VendorNum",
                "--min-n",
                "500",
                "--out",
                str(out),
                "--json",
            ],
            capsys,
        )[0]
    )
    groups = payload["groups"]
    assert groups["by"] == "VendorNum" and len(groups["groups"]) == 40 and groups["n_groups"] == 26166
    frame = pd.read_csv(out)
    assert frame["VendorNum"].tolist() == [g["VendorNum"] for g in groups["groups"]] or frame["VendorNum"].astype(
        str
    ).tolist() == [str(g["VendorNum"]) for g in groups["groups"]]
    assert frame["mad"].is_monotonic_decreasing and (frame["n"] >= 500).all()


def test_report_renders_every_section(payments, tmp_path, capsys):
    out = tmp_path / "audit"
    run_ok(
        [str(payments), "-c", "Amount", "--by", "VendorNum", "--min-n", "1000", "--report", str(out), "--quiet"], capsys
    )
    page = (out / "index.html").read_text()
    for title in (
        "Digit tests",
        "Summation test",
        "Number duplication test",
        "Suspect records",
        "Tests per VendorNum",
        "Nigrini (2012)",
    ):
        assert title in page
    assert 'href="suspects.csv"' in page and page.count("<img") == len(registry.TESTS) + 4
    assert sum(1 for _ in (out / "suspects.csv").open()) == R.N_SUSPECTS + 1
    assert "3822J10" in page  # the first suspect row is in the page's table


def test_report_failure_leaves_no_folder(payments, tmp_path, capsys, monkeypatch):
    import priorlab.benford.auditing

    def broken(*args, **kwargs):
        raise ValueError("figure failed")

    monkeypatch.setattr(priorlab.benford.auditing, "plot_summation", broken)
    code, _, err = run([str(payments), "-c", "Amount", "--report", str(tmp_path / "audit"), "--quiet"], capsys)
    assert code == 2 and "figure failed" in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--by", "Vendor"], "--by column 'Vendor' not found"),
        (["--by", "VendorNum", "--min-n", "100000"], "--min-n: all 26,166 groups of VendorNum have fewer than"),
        (["--top", "0", "--suspects", "{tmp}/s.csv"], "--top: expected an integer >= 1"),
        (["--test", "second-order", "--by", "VendorNum"], "--by: the second-order test is not run per group"),
        (["--test", "second-order", "--suspects", "{tmp}/s.csv"], "second-order test reads differences"),
        (["--out", "{tmp}/g.csv"], "--out writes the groups table: give --by too"),
        (["--suspects", "{tmp}/s.txt"], "--suspects"),
    ],
)
def test_bad_options_fail_in_one_line_and_write_nothing(payments, tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, _, err = run([str(payments), "-c", "Amount", "--quiet", *argv], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_summation_of_a_text_column_is_refused(payments, tmp_path, capsys):
    code, _, err = run([str(payments), "-c", "InvNum", "--test", "summation"], capsys)
    assert code == 2 and "--test summation" in err and "the amounts must be numbers" in err
