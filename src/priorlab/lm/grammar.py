"""What "a number follows" means, as a table over a tokenizer's vocabulary.

Let s be the text the model writes after the prompt; "ws" means spaces and tabs and digits mean ASCII 0-9 (so
a token holding part of a UTF-8 character is never either). A line break ends the phrase: a number on the next
line does not follow it. A number follows when s starts with

    ws* 0* [1-9]            an integer; leading zeros are skipped ("007" -> 7)
    ws* 0+ "." 0* [1-9]     a decimal below one ("0.05" -> 5)

and its first significant digit is that [1-9]. Anything else is not a number: a word, punctuation, the end of
the text, or a zero that no significant digit follows ("0 ", "0.", "0,5"). The second significant digit is the
character right after the first digit when that is a digit; inside the integer part one "," (thousands
separator) or "." (decimal point) may come between them ("1,234" -> 2, "1.5" -> 5). When anything else follows
the first digit the number has ended and its second digit is 0, as for the significand 7.000 of 7.

Every token's text is run through that grammar once per tokenizer, giving per state of the grammar what the
token does: it fixes the answer (which leading digits), rules a number out, or begins a number without fixing
it (whitespace, "0", "0.", " 1" when two digits are read, ...). Plain NumPy, so the CLI can read `POSITIONS`
without loading torch.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from priorlab.benford import registry
from priorlab.validation import check_int

LEADING = (1, 2)
"""How many leading significant digits the grammar reads."""

POSITIONS = registry.counting(LEADING)
"""The digit tests a language model's distribution answers: those of `registry.TESTS` that count one or two
leading digits ("first", "second", "first-two"); "second" folds the first-two masses like the data test."""

WHITESPACE = frozenset(" \t")
"""Characters that may come before a number (a line break may not: the phrase has ended)."""

_START, _ZERO_INT, _ZERO_FRAC = ("start",), ("zero-int",), ("zero-frac",)
_REJECT = ("reject",)


def _step(state: tuple, char: str, two_digits: bool) -> tuple:
    """One character of the grammar above; returns a state, ("accept", label) or _REJECT."""
    kind = state[0]
    if kind in ("start", "zero-int", "zero-frac"):
        if kind == "start" and char in WHITESPACE:
            return _START
        if char == "0":
            return _ZERO_FRAC if kind == "zero-frac" else _ZERO_INT
        if char == "." and kind == "zero-int":
            return _ZERO_FRAC
        if char in "123456789":
            if not two_digits:
                return ("accept", int(char))
            return ("frac" if kind == "zero-frac" else "int", int(char))
        return _REJECT
    first = state[1]
    if char in "0123456789":
        return ("accept", 10 * first + int(char))
    if kind == "int" and char in ",.":
        return ("comma" if char == "," else "point", first)
    return ("accept", 10 * first)


def _states(two_digits: bool) -> list[tuple]:
    states = [_START, _ZERO_INT, _ZERO_FRAC]
    if two_digits:
        states += [(kind, d) for d in range(1, 10) for kind in ("int", "frac", "comma", "point")]
    return states


@dataclass(frozen=True)
class DigitTable:
    """Per grammar state, what each vocabulary token does.

    `codes[s, t]` is a label index (< n_labels) when token t fixes the answer from state s, `n_labels` when it
    rules a number out, and `n_labels + 1 + s'` when it leads to the open state s'. `continuations[s]` lists the
    tokens leading to an open state, with those states. `labels` are the leading digits read (1-9 or 10-99).
    """

    labels: np.ndarray
    codes: np.ndarray
    continuations: tuple[tuple[np.ndarray, np.ndarray], ...]

    @property
    def n_labels(self) -> int:
        return len(self.labels)


def _char_class(char: str) -> str:
    if char in WHITESPACE:
        return " "
    if char in "0123456789,.":
        return char
    return "x"


def _class_key(text: str) -> str:
    """The token's characters by class, cut after the first character that ends any number ("x")."""
    key = []
    for char in text:
        key.append(_char_class(char))
        if key[-1] == "x":
            break
    return "".join(key)


@functools.lru_cache(maxsize=8)
def build_table(texts: tuple[str, ...], leading: int) -> DigitTable:
    """The grammar table of a vocabulary (`texts`, one per token id) reading `leading` (1 or 2) digits.

    Tokens are grouped by the classes of their characters, so the grammar runs once per group, not per token.
    """
    two_digits = check_int(leading, "leading", min(LEADING), max(LEADING)) == 2
    states = _states(two_digits)
    index = {state: i for i, state in enumerate(states)}
    labels = np.arange(10 ** (leading - 1), 10**leading)
    label_index = {int(label): i for i, label in enumerate(labels)}
    n_labels = len(labels)
    keys = [_class_key(text) for text in texts]
    unique_keys = sorted(set(keys))
    key_codes = np.empty((len(states), len(unique_keys)), dtype=np.int64)
    for k, key in enumerate(unique_keys):
        for s, start in enumerate(states):
            state = start
            for char in key:
                state = _step(state, char, two_digits)
                if state[0] in ("accept", "reject"):
                    break
            if state[0] == "accept":
                key_codes[s, k] = label_index[state[1]]
            elif state[0] == "reject":
                key_codes[s, k] = n_labels
            else:
                key_codes[s, k] = n_labels + 1 + index[state]
    position = {key: i for i, key in enumerate(unique_keys)}
    key_of_token = np.fromiter((position[key] for key in keys), dtype=np.int64, count=len(keys))
    codes = key_codes[:, key_of_token]
    continuations = []
    for s in range(len(states)):
        tokens = np.flatnonzero(codes[s] > n_labels)
        continuations.append((tokens, codes[s, tokens] - n_labels - 1))
    return DigitTable(labels=labels, codes=codes, continuations=tuple(continuations))


def single_digit_tokens(texts: Sequence[str]) -> np.ndarray:
    """The nine digit tokens of Perone (2019), 1..9: " d" where that is one token (GPT-2), else "d" (tokenizers
    that split numbers into digits). The lowest id wins when several tokens have the same text."""
    ids: dict[str, int] = {}
    for token, text in enumerate(texts):
        ids.setdefault(text, token)
    chosen = []
    for digit in range(1, 10):
        token = ids.get(f" {digit}", ids.get(str(digit)))
        if token is None:
            raise ValueError(f"method: 'tokens' needs a single token for the digit {digit}; this tokenizer has none")
        chosen.append(token)
    return np.array(chosen)
