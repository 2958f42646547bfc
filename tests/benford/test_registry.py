"""The registry of digit tests: every reader (analyze, the LM positions, the CLI, stats) sees the same table."""

from __future__ import annotations

import numpy as np
import pytest

from priorlab import benford
from priorlab.benford import digits, registry


def test_the_declared_tests_in_order():
    assert list(registry.TESTS) == ["first", "second", "first-two", "first-three", "last-two", "second-order"]
    assert benford.TESTS is registry.TESTS
    with pytest.raises(TypeError):
        registry.TESTS["third"] = registry.TESTS["first"]  # read-only


@pytest.mark.parametrize("name", list(registry.TESTS))
def test_the_fold_of_the_counted_values_gives_the_law_digits(name):
    """Counting `leading` digits and folding gives one count per digit of the law, in the law's order."""
    test = registry.TESTS[name]
    counted = digits.count_digits([1.0], test.leading, sign="both", min_value=0, mantissa=False)
    folded = test.fold(np.arange(counted.values.size)[None, :])  # a leading batch axis folds too
    law_digits, law = test.expected()
    assert folded.shape == (1, law_digits.size) == (1, law.size)
    assert test.description.endswith(f"{test.label(int(law_digits[0]))}-{test.label(int(law_digits[-1]))}")


def test_second_digit_fold_by_hand():
    counts = np.zeros(90, dtype=int)
    counts[[10 - 10, 25 - 10, 35 - 10, 99 - 10]] = [4, 2, 3, 1]  # 10 x4, 25 x2, 35 x3, 99 x1
    assert registry.second_of_first_two(counts).tolist() == [4, 0, 0, 0, 0, 5, 0, 0, 0, 1]


def test_labels_keep_the_tens_digit_of_the_last_two_only():
    assert registry.TESTS["last-two"].label(7) == "07"
    assert registry.TESTS["first-two"].label(17) == "17" and registry.TESTS["second"].label(0) == "0"


def test_language_model_positions_are_the_tests_its_grammar_reads():
    from priorlab.lm.grammar import LEADING, POSITIONS

    assert POSITIONS == ("first", "second", "first-two")
    assert all(registry.TESTS[name].leading in LEADING for name in POSITIONS)


def test_the_cli_lists_every_test_with_its_description(capsys):
    from priorlab.cli import main

    main(["benford", "--help"])
    help_text = " ".join(capsys.readouterr().out.replace("│", " ").split())
    for test in registry.TESTS.values():
        assert f"{test.name}: {test.description}" in help_text


@pytest.mark.parametrize("bad", ["third", "First", "", "last_two", 1, None])
def test_an_unknown_test_is_refused_in_the_common_wording(bad):
    expected = f"test: expected one of first, second, first-two, first-three, last-two, second-order; got {bad!r}"
    with pytest.raises(ValueError) as error:
        registry.get(bad)
    assert str(error.value) == expected
    with pytest.raises(ValueError, match=r"^test: expected one of"):
        benford.analyze([1.0, 2.0], test=bad)
