"""`analyze` end to end: real data sets against string oracles, Nigrini's tables, benford_py and benfordslaw."""

from __future__ import annotations

import contextlib
import io
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from priorlab import benford

try:
    from . import nigrini
except ImportError:
    import nigrini

REAL_COLUMNS = [
    ("world_bank_population.csv", "Value"),
    ("nigrini/corporate_payment.csv", "Amount"),
    ("nigrini/census_2009.csv", "pop.2009"),
    ("nigrini/taxable_incomes_1978.csv", "taxIncomes"),
    ("nigrini/lakes_perimeter.csv", "perimeter.km"),
    ("nigrini/gm_payments.csv", "Amount"),
    ("nigrini/sino_forest.csv", "value"),
]


@pytest.fixture(scope="module")
def real_columns(shared_data):
    return {
        f"{name}:{column}": pd.read_csv(shared_data / name, usecols=[column])[column] for name, column in REAL_COLUMNS
    }


def _significant_digits(value: float) -> str:
    """The significant digits of the shortest decimal that reads back as `value`, via `Decimal(repr(x))`."""
    return "".join(map(str, Decimal(repr(float(value))).as_tuple().digits)).lstrip("0")


def _oracle_first_digit(values: np.ndarray) -> np.ndarray:
    kept = values[np.isfinite(values) & (values > 0)]
    return np.bincount([int(_significant_digits(v)[0]) for v in kept], minlength=10)[1:]


def _oracle_second_digit(values: np.ndarray) -> np.ndarray:
    """Second significant digit read off the decimal string; a one-digit number (7, 7e22) has second digit 0."""
    kept = values[np.isfinite(values) & (values > 0)]
    return np.bincount([int((_significant_digits(v) + "0")[1]) for v in kept], minlength=10)


@pytest.mark.parametrize("test", list(benford.TESTS))
def test_every_test_on_every_real_file_accounts_for_every_value(real_columns, test):
    for label, column in real_columns.items():
        r = benford.analyze(column, test, sign="both")
        assert r.n == r.counts.sum(), label
        if benford.TESTS[test].differences:  # n - 1 differences of the kept values, zeros dropped
            kept = np.count_nonzero(np.isfinite(column) & (column != 0))
            assert r.n + r.dropped["zero"] == kept - 1 and sum(r.dropped.values()) == r.dropped["zero"], label
        else:
            assert r.n + sum(r.dropped.values()) == len(column), label
            assert r.dropped["nan"] == column.isna().sum(), label
        np.testing.assert_allclose(r.observed.sum(), 1.0)
        assert r.conformity == nigrini.conformity(test, r.mad), label


def test_first_digits_of_real_files_match_a_string_oracle(real_columns):
    for label, column in real_columns.items():
        r = benford.analyze(column, "first")
        assert r.counts.tolist() == _oracle_first_digit(column.to_numpy(float)).tolist(), label


def test_second_digits_of_real_files_match_a_decimal_oracle(real_columns):
    for label, column in real_columns.items():
        r = benford.analyze(column, "second")
        assert r.counts.tolist() == _oracle_second_digit(column.to_numpy(float)).tolist(), label


def test_second_digit_by_hand_and_against_the_decimal_oracle():
    by_hand = {7.0: 0, 7e22: 0, 0.0305: 0, 1234.5: 2, 0.1 + 0.2: 0, 5.43: 4, 19.99: 9, 1.5e-300: 5}
    r = benford.analyze(list(by_hand), "second")
    assert r.counts.tolist() == np.bincount(list(by_hand.values()), minlength=10).tolist()
    x = np.random.default_rng(5).lognormal(0, 20, 20_000)
    assert benford.analyze(x, "second").counts.tolist() == _oracle_second_digit(x).tolist()


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_agrees_with_benford_py_on_whole_numbers(real_columns):
    """benford_py reads int(x * 10**decimals) and skips numbers with fewer digits than the test;
    with decimals=0 on whole numbers >= 10 the definitions agree."""
    bf = pytest.importorskip("benford")
    for label in ("nigrini/census_2009.csv:pop.2009", "nigrini/taxable_incomes_1978.csv:taxIncomes"):
        x = real_columns[label].dropna().to_numpy(float)
        x = x[x >= 10]
        assert np.all(x == np.round(x))
        with contextlib.redirect_stdout(io.StringIO()):
            theirs = bf.first_digits(x, digs=2, decimals=0, verbose=False, show_plot=False)
        ours = benford.analyze(x, "first-two")
        assert ours.counts.tolist() == theirs["Counts"].reindex(range(10, 100), fill_value=0).tolist(), label


def test_agrees_with_benfordslaw_on_census(real_columns):
    """benfordslaw reads str(x)[0] for x >= 1: the same first digits, chi-square and MAD."""
    benfordslaw = pytest.importorskip("benfordslaw")
    x = real_columns["nigrini/census_2009.csv:pop.2009"].to_numpy(float)
    theirs = benfordslaw.benfordslaw(method="chi2", verbose=0).fit(x)
    ours = benford.analyze(x[x >= 1], "first")
    assert ours.n == theirs["N"]
    assert ours.counts.tolist() == np.round(theirs["percentage_emp"][:, 1] * theirs["N"] / 100).astype(int).tolist()
    assert ours.chi2 == pytest.approx(theirs["t"], rel=1e-12)
    assert ours.chi2_p == pytest.approx(theirs["P"], rel=1e-9)
    assert ours.mad == pytest.approx(theirs["mad"], rel=1e-12)


def test_census_first_digit_conforms_and_payments_do_not(real_columns):
    """Nigrini's book: the 2009 census conforms closely; the 2010 corporate payments are flagged."""
    census = benford.analyze(real_columns["nigrini/census_2009.csv:pop.2009"], "first")
    assert census.conformity == "close conformity"
    payments = benford.analyze(real_columns["nigrini/corporate_payment.csv:Amount"], "first-two")
    assert payments.conformity == "nonconformity"
    assert payments.largest_deviations[0][0] == 50  # the famous spike of $50 payments


def test_analyze_sign_and_min_value():
    x = np.array([15.0, -25.0, 3.0, -0.5, 0.0])
    assert benford.analyze(x, sign="negative").counts.tolist() == [0, 1, 0, 0, 1, 0, 0, 0, 0]
    r = benford.analyze(x, sign="both", min_value=1)
    assert r.n == 3 and r.dropped["below_min_value"] == 1 and r.dropped["zero"] == 1
    assert benford.analyze(x, "last-two", sign="both").n == 2  # 15 and 25: |x| >= 10 by default


def test_nothing_left_is_a_clear_error():
    with pytest.raises(ValueError, match=r"no positive values left .* 1 zero, 2 sign"):
        benford.analyze([-1.0, -2.0, 0.0])
    with pytest.raises(ValueError, match="data is empty"):
        benford.analyze(np.array([]))


def test_same_numbers_for_list_series_and_array():
    rng = np.random.default_rng(1)
    x = rng.lognormal(3, 2, 1000)
    a = benford.analyze(x, "first-two")
    assert benford.analyze(list(x), "first-two").counts.tolist() == a.counts.tolist()
    assert benford.analyze(pd.Series(x), "first-two").counts.tolist() == a.counts.tolist()
    assert a.mantissa is not None and benford.analyze(x, mantissa=False).mantissa is None
