"""`benford.audit`: the amounts and group keys read once, aligned row by row, so the per-group tests count
exactly what the column-wide test counts; the rows behind the numbers picked from the exact amounts and
written in one pass; the report refused when a test is missing."""

from __future__ import annotations

import csv
import json
import random
from collections import Counter

import numpy as np
import pytest

from priorlab.benford import AuditFiles, audit
from priorlab.benford.auditing import SUSPECTS_FILE
from priorlab.cli import main

GROUPS = ("north", "south", "east")


@pytest.fixture
def accounts(tmp_path):
    """20-digit account numbers (beyond 2**64 for most, far beyond 2**53) with a region per row and a few
    empty cells, and the cells as the oracle reads them."""
    rng = random.Random(7)
    rows = []
    for i in range(900):
        number = rng.randrange(10**19, 10**20)
        rows.append((GROUPS[i % 3], "" if i % 50 == 7 else str(number)))
    path = tmp_path / "accounts.csv"
    path.write_text("region,account\n" + "".join(f"{g},{a}\n" for g, a in rows))
    return path, rows


def _last_two(cells: list[str]) -> list[int]:
    """The oracle: Python's exact integers' tens and units digits."""
    return np.bincount([int(c) % 100 for c in cells if c], minlength=100).tolist()


def test_per_group_last_two_digits_are_exact_for_20_digit_integers(accounts, capsys):
    path, rows = accounts
    main(["benford", str(path), "-c", "account", "--test", "last-two", "--by", "region", "--min-n", "10",
          "--json", "--quiet"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["counts"] == _last_two([a for _, a in rows])
    found = audit(path, "account", "last-two", by="region", min_n=10)
    for key, result in zip(found.groups.keys, found.groups.results, strict=True):
        assert result.counts.tolist() == _last_two([a for g, a in rows if g == key]), key
    assert sorted(found.groups.keys) == sorted(GROUPS)
    assert sum(r.n for r in found.groups.results) == found.result.n == payload["n"]
    for group in payload["groups"]["groups"]:  # what the command prints per group, against the exact digits
        counts = np.array(_last_two([a for g, a in rows if g == group["region"]]))
        assert group["n"] == counts.sum()
        assert group["chi2"] == pytest.approx(((counts - counts.sum() / 100) ** 2).sum() / (counts.sum() / 100))


def test_suspects_are_picked_from_the_exact_digits(accounts, tmp_path):
    path, rows = accounts
    found = audit(path, "account", "last-two", files=AuditFiles(suspects=tmp_path / "s.csv"), top=3)
    flagged = {d for d, _ in found.result.largest_deviations[:3]}
    expected = [i for i, (_, a) in enumerate(rows) if a and int(a) % 100 in flagged]
    written = list(csv.reader((tmp_path / "s.csv").open(newline="")))
    assert written[0] == ["line", "region", "account"]
    assert [int(r[0]) for r in written[1:]] == [i + 2 for i in expected]  # header is line 1
    assert [r[1:] for r in written[1:]] == [list(rows[i]) for i in expected]
    assert found.written["suspects"] == {"path": str(tmp_path / "s.csv"), "rows": len(expected), "top": 3}


def test_one_read_and_one_pass_write_suspects_duplicates_and_the_reports_rows(tmp_path, monkeypatch):
    import priorlab.benford.columns as columns

    amounts = [f"{a}.00" for a in (120, 130, 130, 4500, 130, 970, 120, 15, 1900, 130)] * 30
    path = tmp_path / "pay.csv"
    path.write_text("id,vendor,amount\n" + "".join(f"{i},v{i % 4},{a}\n" for i, a in enumerate(amounts)))
    opened, read = [], []
    original_open, original_read = type(path).open, columns.read_arrow

    def counting_open(self, *args, **kwargs):
        opened.extend([self] if self == path else [])
        return original_open(self, *args, **kwargs)

    def counting_read(*args, **kwargs):
        read.append(args)
        return original_read(*args, **kwargs)

    monkeypatch.setattr(type(path), "open", counting_open)
    monkeypatch.setattr(columns, "read_arrow", counting_read)
    files = AuditFiles(suspects=tmp_path / "s.csv", duplicates=tmp_path / "d.csv", report=tmp_path / "report")
    found = audit(path, "amount", "first", by="vendor", min_n=10, top=1, files=files)
    assert read == [(path, ["amount", "vendor"])]  # both columns, once
    assert len(opened) == 3  # two header reads (the columns' names), then the one streaming pass
    counts = Counter(float(a) for a in amounts)
    (most, n_most), = counts.most_common(1)
    duplicates = list(csv.DictReader((tmp_path / "d.csv").open(newline="")))
    assert len(duplicates) == n_most and {float(r["amount"]) for r in duplicates} == {most}
    first = found.result.largest_deviations[0][0]
    suspects = list(csv.DictReader((tmp_path / "s.csv").open(newline="")))
    assert len(suspects) == sum(1 for a in amounts if a[0] == str(first))
    report_rows = list(csv.DictReader((tmp_path / "report" / SUSPECTS_FILE).open(newline="")))
    flagged = {d for d, _ in found.results["first-two"].largest_deviations[:1]}
    assert len(report_rows) == sum(1 for a in amounts if int(a[:2]) in flagged)


def test_the_report_needs_every_test(accounts, tmp_path):
    path, _ = accounts
    found = audit(path, "account", "first")
    with pytest.raises(ValueError, match="the report needs every test"):
        found.report(tmp_path, 0)
    assert set(audit(path, "account", "first", every_test=True).results) >= {"first", "summation", "last-two"}
