"""Argument checks (`priorlab.validation`): what each constraint accepts against a direct statement of its
rule, refusals whose messages start with the argument's name, and parameter tables binding and checking
arguments as Python binds a call to the equivalent hand-written signature."""

from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from priorlab.validation import (
    Boolean,
    Choice,
    Function,
    Integer,
    ListOf,
    Number,
    Optional,
    Param,
    Scalar,
    Text,
    bind,
    check_choice,
    check_int,
    check_number,
    check_params,
    document,
    signature,
)

BOUNDS = st.one_of(st.none(), st.integers(-5, 5))
ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=3), st.binary(max_size=2),
                     st.lists(st.integers(), max_size=2))


def refusal(check, value, name="alpha") -> Exception | None:
    """The error `check` raises for `value`, after checking its message starts with the argument's name (an
    item's: `name[i]`); None if accepted."""
    try:
        check(value, name)
    except (TypeError, ValueError) as error:
        assert re.match(rf"{name}(\[\d+\])?: ", str(error)), error
        return error
    return None


@given(value=st.integers(-8, 8), minimum=BOUNDS, maximum=BOUNDS, numpy=st.booleans())
def test_an_integer_is_accepted_exactly_within_its_bounds(value, minimum, maximum, numpy):
    check = Integer(minimum, maximum)
    given_value = np.int16(value) if numpy else value
    inside = (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    error = refusal(check, given_value)
    assert (error is None) == inside
    if inside:
        result = check(given_value, "alpha")
        assert result == value and type(result) is int
    else:
        assert isinstance(error, ValueError) and f"got {given_value!r}" in str(error)


@pytest.mark.parametrize("value", [True, False, np.True_, 2.0, np.float64(3), "2", None, [1]])
def test_a_bool_a_float_or_a_string_is_never_an_integer(value):
    error = refusal(Integer(None), value)
    assert isinstance(error, ValueError) and "expected an integer" in str(error)
    assert refusal(check_int, value, "members") is not None


@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-6, 6).map(float)),  # the bounds
       minimum=BOUNDS, maximum=BOUNDS,
       strict=st.booleans(), maximum_strict=st.booleans())
def test_a_number_is_accepted_when_finite_and_within_its_bounds(value, minimum, maximum, strict, maximum_strict):
    check = Number(minimum, strict, maximum, maximum_strict)
    low_ok = minimum is None or (value > minimum if strict else value >= minimum)
    high_ok = maximum is None or (value < maximum if maximum_strict else value <= maximum)
    error = refusal(check, value)
    assert (error is None) == (math.isfinite(value) and low_ok and high_ok)
    if error is None:
        assert check(value, "alpha") == value
    else:
        assert isinstance(error, ValueError)


def test_a_number_may_be_any_real_type_but_never_a_bool_or_a_string():
    check = Number(None)
    for value, expected in [(3, 3.0), (np.float32(0.5), 0.5), (np.int64(-2), -2.0), (2**60, 2.0**60)]:
        result = check(value, "lr")
        assert result == expected and type(result) is float
    for value in [True, np.False_, "1.5", b"1", None, 1j, [1.0]]:
        assert isinstance(refusal(check, value, "lr"), TypeError), value


def test_number_bounds_at_the_edges():
    assert Number(0.0)(0.0, "x") == 0.0 and refusal(Number(0.0, strict=True), 0.0) is not None
    assert Number(None, maximum=1.0)(1.0, "x") == 1.0
    assert refusal(Number(None, maximum=1.0, maximum_strict=True), 1.0) is not None
    assert str(refusal(Number(0.0, True, 1.0, True), 1.0, "tol")) == (
        "tol: expected a finite number > 0 and < 1; got 1.0")


@pytest.mark.parametrize("value", [True, False, np.True_, np.bool_(False)])
def test_booleans_are_true_or_false_only(value):
    result = Boolean()(value, "quiet")
    assert result == bool(value) and type(result) is bool


@pytest.mark.parametrize("value", [0, 1, "True", None, 1.0])
def test_zero_one_and_strings_are_not_booleans(value):
    assert isinstance(refusal(Boolean(), value, "quiet"), TypeError)


@given(value=ANYTHING)
def test_text_and_scalars_accept_their_types_only(value):
    assert (refusal(Text(), value) is None) == isinstance(value, str)
    assert (refusal(Scalar(), value) is None) == isinstance(value, (str, int, float))  # bool: an int, a JSON value


@given(value=ANYTHING, choices=st.lists(st.sampled_from(["a", "b", "1", "None"]), min_size=1, unique=True))
def test_a_choice_is_one_of_its_strings(value, choices):
    error = refusal(Choice(tuple(choices)), value, "method")
    assert (error is None) == (isinstance(value, str) and value in choices)
    assert error is None or (isinstance(error, ValueError) and ", ".join(choices) in str(error))
    assert (refusal(lambda v, name: check_choice(v, name, tuple(choices)), value, "method") is None) == (error is None)


def test_optional_is_none_or_what_its_inner_constraint_accepts():
    check = Optional(Integer(2))
    assert check(None, "n") is None and check(3, "n") == 3
    assert str(refusal(check, 1, "n")) == "n: expected an integer >= 2; got 1"
    assert check.describe() == "None or an integer >= 2"


@given(items=st.lists(st.integers(-3, 3), max_size=5), kind=st.sampled_from([list, tuple, np.array]))
def test_a_list_is_checked_item_by_item_and_returned_as_a_tuple(items, kind):
    value = kind(items) if kind is not np.array else np.array(items, dtype=np.int64)
    error = refusal(ListOf(Integer(0)), value, "hidden")
    bad = [i for i, item in enumerate(items) if item < 0]
    if bad:
        assert str(error).startswith(f"hidden[{bad[0]}]: expected an integer >= 0")
    else:
        result = ListOf(Integer(0))(value, "hidden")
        assert result == tuple(items) and type(result) is tuple


@pytest.mark.parametrize("value", ["12", b"12", {1, 2}, 12, None])
def test_a_string_or_a_set_is_not_a_list(value):
    assert isinstance(refusal(ListOf(Integer(0)), value, "hidden"), TypeError)


def test_a_function_is_any_callable_and_comes_back_unchanged():
    check = Function("a factory of torch modules")
    assert check(len, "base") is len and check(Integer, "base") is Integer
    assert str(refusal(check, "mlp", "base")) == "base: expected a factory of torch modules; got 'mlp'"


TABLE = (
    Param("members", 10, Integer(1), "ensemble members"),
    Param("prior", "mlp", Choice(("mlp", "sine", "none")), "prior function"),
    Param("scale", 1.0, Number(0.0), "prior scale"),
    Param("hidden", (20, 20), ListOf(Integer(1)), "hidden widths"),
    Param("device", None, Optional(Text()), "torch device", saved=False),
)


def hand_written(members=10, prior="mlp", scale=1.0, hidden=(20, 20), device=None):
    """TABLE's signature written out: the oracle for `signature` and `bind`."""
    return dict(members=members, prior=prior, scale=scale, hidden=hidden, device=device)


def test_signature_is_the_hand_written_one():
    assert signature(TABLE, method=False) == inspect.signature(hand_written)
    as_method = signature(TABLE)
    assert next(iter(as_method.parameters)) == "self"
    assert str(as_method) == "(self, members=10, prior='mlp', scale=1.0, hidden=(20, 20), device=None)"


@given(positional=st.lists(st.integers(), max_size=7),
       keywords=st.dictionaries(st.sampled_from([*(p.name for p in TABLE), "typo"]), st.integers(), max_size=4))
def test_bind_binds_as_python_binds_the_call(positional, keywords):
    try:
        expected = hand_written(*positional, **keywords)
    except TypeError:
        with pytest.raises(TypeError):
            bind(TABLE, tuple(positional), keywords)
    else:
        assert bind(TABLE, tuple(positional), keywords) == expected


def test_check_params_defaults_missing_names_and_checks_every_value():
    checked = check_params(TABLE, {"scale": 2, "hidden": [8]})
    assert checked == dict(members=10, prior="mlp", scale=2.0, hidden=(8,), device=None)
    assert list(checked) == [p.name for p in TABLE] and type(checked["scale"]) is float
    with pytest.raises(ValueError, match=r"^members: expected an integer >= 1; got True$"):
        check_params(TABLE, {"members": True})
    with pytest.raises(ValueError, match=r"^hidden\[1\]: expected an integer >= 1; got 0$"):
        check_params(TABLE, {"hidden": (3, 0)})
    with pytest.raises(TypeError, match=r"^device: expected a string"):
        check_params(TABLE, {"device": 0})


def test_check_params_names_the_first_unknown_parameter_and_the_known_ones():
    with pytest.raises(TypeError, match=r"^scales: unknown parameter; expected one of members, prior, scale, hidden, "
                                        r"device$"):
        check_params(TABLE, {"zeta": 1, "scales": 2.0, "members": 3})


def test_a_param_validates_under_its_own_name():
    param = TABLE[0]
    assert param.validate(3) == 3
    assert str(refusal(lambda value, _: param.validate(value), 0, "members")) == (
        "members: expected an integer >= 1; got 0")


@given(value=st.integers(-3, 3))
def test_check_int_and_check_number_default_to_positive_and_non_negative(value):
    assert (refusal(check_int, value, "epochs") is None) == (value >= 1)
    assert (refusal(check_number, value, "lr") is None) == (value >= 0)
    assert (refusal(lambda v, n: check_number(v, n, strict=True), value, "lr") is None) == (value > 0)
    assert (refusal(lambda v, n: check_int(v, n, minimum=-1, maximum=1), value, "k") is None) == (abs(value) <= 1)


def test_document_writes_numpydoc_entries_with_the_type_default_and_what_is_accepted():
    table = (
        Param("mode", "fast", Choice(("fast", "exact")), "how to compute"),
        Param("size", None, Optional(Integer(1)), "rows per chunk"),
        Param("widths", (20, 20), ListOf(Integer(1)), "hidden layer widths"),
        Param("verbose", False, Boolean(), "print what happens"),
    )
    assert document(table).splitlines() == [
        "    mode : {'fast', 'exact'}, default='fast'",
        "        How to compute.",
        "    size : int or None, default=None",
        "        Rows per chunk (None or an integer >= 1).",
        "    widths : tuple of int, default=(20, 20)",
        "        Hidden layer widths (a sequence, each an integer >= 1).",
        "    verbose : bool, default=False",
        "        Print what happens.",
    ]
