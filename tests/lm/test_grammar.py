"""The number grammar as a table over a vocabulary, against the regular-expression oracle and by hand."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from priorlab.lm import grammar

try:
    from . import tiny_lm
except ImportError:
    import tiny_lm

VOCABULARY = ("", " ", "  ", "\n", "0", "00", "0.", ".", ",", "1", "5", "19", " 2", " 0", "0.0", "7,", "3.", "x", " a")


def walk(table: grammar.DigitTable, sequence: list[int]) -> int | str | None:
    """Follow the table token by token: the label fixed, REJECT, or None while the number is still open."""
    state = 0
    for token in sequence:
        code = int(table.codes[state, token])
        if code < table.n_labels:
            return int(table.labels[code])
        if code == table.n_labels:
            return tiny_lm.REJECT
        state = code - table.n_labels - 1
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sequence=st.lists(st.integers(0, len(VOCABULARY) - 1), min_size=1, max_size=6),
    position=st.sampled_from(["first", "first-two"]),
)
def test_table_walk_agrees_with_the_regex_oracle(sequence, position):
    """The verdict of walking the table must match classifying the concatenated text at once."""
    table = grammar.build_table(VOCABULARY, 1 if position == "first" else 2)
    text = "".join(VOCABULARY[t] for t in sequence)
    assert walk(table, sequence) == tiny_lm.classify(text, position)


@pytest.mark.parametrize(
    ("pieces", "first", "first_two"),
    [
        ((" 2",), 2, None),  # " 2" fixes the first digit; two digits need what follows
        ((" 2", "x"), 2, 20),  # a number that ended: 2 = 2.0..., second digit 0
        (("0.", "0", "5"), 5, None),  # 0.05
        (("19",), 1, 19),
        (("1", ",", "5"), 1, 15),  # 1,5..: a thousands separator between the digits
        (("7,", " a"), 7, 70),  # "7, a": the comma ended the number
        (("\n", "5"), tiny_lm.REJECT, tiny_lm.REJECT),  # a number on the next line does not follow
        (("0", " "), tiny_lm.REJECT, tiny_lm.REJECT),  # a lone zero is not a number
        (("x",), tiny_lm.REJECT, tiny_lm.REJECT),
    ],
)
def test_hand_written_continuations(pieces, first, first_two):
    sequence = [VOCABULARY.index(piece) for piece in pieces]
    assert walk(grammar.build_table(VOCABULARY, 1), sequence) == first
    assert walk(grammar.build_table(VOCABULARY, 2), sequence) == first_two


def test_the_grammar_reads_one_or_two_digits():
    assert grammar.LEADING == (1, 2)
    with pytest.raises(ValueError, match=r"^leading: expected an integer from 1 to 2; got 3$"):
        grammar.build_table(VOCABULARY, 3)


def test_nine_digit_tokens_prefer_the_spaced_token_and_the_lowest_id():
    texts = ["a", "1", " 1", "2", "3", " 4", "5", "6", "7", "8", "9", " 1", "4"]
    assert grammar.single_digit_tokens(texts).tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    with pytest.raises(ValueError, match=r"^method: 'tokens' needs a single token for the digit 9"):
        grammar.single_digit_tokens(texts[:10])
