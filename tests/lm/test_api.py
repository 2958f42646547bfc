"""Exact digit distributions against brute force, on tiny local models of both tokenizer families."""

from __future__ import annotations

import json
import math
import os
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from priorlab.lm import api
from priorlab.lm.api import LowNumberMassWarning, digit_distribution
from priorlab.lm.loading import load_lm

try:
    from . import tiny_lm
except ImportError:
    import tiny_lm

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FAMILIES = {"gpt2-style": False, "digit-split": True}
PROMPTS = ["with a population size of", "The year was", "In", "A price of $"]


@pytest.fixture(scope="session", params=list(FAMILIES))
def tiny(request, tmp_path_factory):
    """A float64 tiny GPT-2 of each tokenizer family (float64 so exact and brute force agree to rounding)."""
    directory = tiny_lm.save_tiny_lm(tmp_path_factory.mktemp(request.param), FAMILIES[request.param])
    return load_lm(str(directory), dtype=torch.float64)


def quiet_distribution(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowNumberMassWarning)
        return digit_distribution(*args, **kwargs)


def test_tokenizer_families_split_numbers_as_intended(tiny):
    pieces = tiny.tokenizer.convert_ids_to_tokens(tiny.tokenizer.encode(" 2019"))
    if tiny.name.startswith("digit-split"):
        assert pieces == ["Ġ", "2", "0", "1", "9"]
    else:
        assert pieces == ["Ġ2019"]


@pytest.mark.parametrize("position", ["first", "second", "first-two"])
def test_exact_equals_brute_force_enumeration(tiny, position):
    depth = 3
    results = quiet_distribution(tiny, PROMPTS[:2], position, tol=0.0, max_depth=depth, max_frontier=10**6)
    labels = {"first": range(1, 10), "second": range(10), "first-two": range(10, 100)}[position]
    for result in results:
        assert list(result.digits) == list(labels)
        expected, undecided = tiny_lm.brute_force(tiny, result.prompt, position, depth)
        brute = np.array([expected.get(int(label), 0.0) for label in result.digits])
        assert sum(expected.values()) > 0.01  # the comparison is about real mass
        np.testing.assert_allclose(result.probabilities * result.number_mass, brute, rtol=1e-9, atol=1e-15)
        assert result.number_mass == pytest.approx(sum(expected.values()), rel=1e-9)
        assert result.unresolved_mass == pytest.approx(undecided, rel=1e-9, abs=1e-15)


def test_batched_equals_one_prompt_at_a_time(tiny):
    options = {"position": "first-two", "tol": 1e-3, "max_depth": 4, "max_frontier": 8}
    batched = quiet_distribution(tiny, PROMPTS, batch_size=3, **options)
    single = [quiet_distribution(tiny, [prompt], batch_size=1, **options)[0] for prompt in PROMPTS]
    for a, b in zip(batched, single, strict=True):
        assert a.prompt == b.prompt
        np.testing.assert_allclose(a.probabilities, b.probabilities, rtol=1e-10, atol=1e-13)
        assert a.number_mass == pytest.approx(b.number_mass, rel=1e-10)
        assert a.unresolved_mass == pytest.approx(b.unresolved_mass, rel=1e-8, abs=1e-15)


@pytest.mark.parametrize("tol", [1e-2, 1e-3])
def test_pruning_adds_at_most_tol_and_only_loses_mass(tiny, tol):
    full = quiet_distribution(tiny, PROMPTS, "first", tol=0.0, max_depth=4, max_frontier=10**6)
    pruned = quiet_distribution(tiny, PROMPTS, "first", tol=tol, max_depth=4, max_frontier=10**6)
    for a, b in zip(full, pruned, strict=True):
        lost = a.probabilities * a.number_mass - b.probabilities * b.number_mass
        assert a.unresolved_mass <= b.unresolved_mass <= a.unresolved_mass + tol
        assert np.all(lost >= -1e-12)
        assert lost.sum() <= b.unresolved_mass - a.unresolved_mass + 1e-12


def test_unresolved_mass_falls_below_tol_given_depth(tiny):
    for result in quiet_distribution(tiny, PROMPTS[::3], "first-two", tol=1e-3, max_depth=30, max_frontier=10**6):
        assert 0 <= result.unresolved_mass <= 1e-3


def test_frontier_cap_moves_mass_to_unresolved(tiny):
    capped = quiet_distribution(tiny, PROMPTS[:1], "first", tol=0.0, max_depth=4, max_frontier=2)[0]
    full = quiet_distribution(tiny, PROMPTS[:1], "first", tol=0.0, max_depth=4, max_frontier=10**6)[0]
    lost = full.probabilities * full.number_mass - capped.probabilities * capped.number_mass
    assert np.all(lost >= -1e-12) and lost.sum() > 0
    assert lost.sum() <= capped.unresolved_mass - full.unresolved_mass + 1e-12


def test_tokens_method_renormalises_the_nine_digit_tokens(tiny):
    """Perone (2019): one forward, the tokens " 1".." 9" (or "1".."9" where digits are split), renormalised."""
    ids = tiny_lm.nine_digit_token_ids(tiny.tokenizer)
    result = quiet_distribution(tiny, PROMPTS[0], method="tokens")[0]
    with torch.no_grad():
        logits = tiny.model(input_ids=torch.tensor([tiny.tokenizer.encode(PROMPTS[0])])).logits[0, -1]
    p = torch.softmax(logits, -1)[ids].numpy()
    np.testing.assert_allclose(result.probabilities, p / p.sum(), rtol=1e-10)
    assert result.number_mass == pytest.approx(p.sum(), rel=1e-10)
    assert np.isnan(result.unresolved_mass)


def test_low_number_mass_warns_and_still_normalises(tiny):
    with pytest.warns(LowNumberMassWarning, match=r"prompts\[0\]"):
        (result,) = digit_distribution(tiny, ["The year was"], min_number_mass=1.0, max_depth=3)
    assert result.probabilities.sum() == pytest.approx(1.0)


def test_result_carries_benford_statistics_and_json(tiny):
    (result,) = quiet_distribution(tiny, ["with a population size of"], "first", max_depth=3)
    assert result.result is not None and result.result.test == "first"
    np.testing.assert_allclose(result.result.observed, result.probabilities)
    record = json.loads(json.dumps(result.to_dict()))
    assert {"prompt", "digits", "probabilities", "number_mass", "unresolved_mass", "pearson_r", "mad"} <= set(record)
    assert record["digits"] == list(range(1, 10))
    benford = [math.log10(1 + 1 / d) for d in range(1, 10)]
    mad = sum(abs(p - b) for p, b in zip(record["probabilities"], benford, strict=True)) / 9
    assert record["mad"] == pytest.approx(mad, rel=1e-12)


def test_prompt_records_are_accepted(tiny):
    from priorlab.lm.prompts import BUILTIN_PROMPTS

    results = quiet_distribution(tiny, BUILTIN_PROMPTS[:2], max_depth=2)
    assert [r.prompt for r in results] == [p.text for p in BUILTIN_PROMPTS[:2]]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"prompts": []}, "empty"),
        ({"prompts": ["ok", "  "]}, r"prompts\[1\]"),
        ({"prompts": ["ok", 3]}, r"prompts\[1\]"),
        ({"prompts": ["ok"], "position": "third"}, "^position: expected one of first, second, first-two; got 'third'$"),
        ({"prompts": ["ok"], "position": "first-three"}, "^position: expected one of"),
        ({"prompts": ["ok"], "method": "magic"}, "^method: expected one of exact, tokens; got 'magic'$"),
        ({"prompts": ["ok"], "method": "tokens", "position": "second"}, "^position: method 'tokens'"),
        ({"prompts": ["ok"], "batch_size": 0}, "^batch_size: expected an integer >= 1; got 0$"),
        ({"prompts": ["ok"], "batch_size": True}, "^batch_size: "),
        ({"prompts": ["ok"], "tol": 1.5}, "^tol: expected a finite number >= 0 and < 1; got 1.5$"),
        ({"prompts": ["ok"], "max_depth": 0}, "^max_depth: "),
        ({"prompts": ["ok"], "max_frontier": 2.5}, "^max_frontier: "),
        ({"prompts": ["ok"], "min_number_mass": -0.1}, "^min_number_mass: "),
    ],
)
def test_bad_arguments_are_named(tiny, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        digit_distribution(tiny, **kwargs)


def test_a_model_spec_instead_of_a_model_is_refused():
    with pytest.raises(TypeError, match="load_lm"):
        digit_distribution("default", ["with a population size of"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.sampled_from(["the", "year", "of", "price", "$", "was", "about", "population", "1", "0."]),
               min_size=1, max_size=6),
    position=st.sampled_from(["first", "second", "first-two"]),
)
def test_masses_are_probabilities_for_any_prompt(tiny, words, position):
    (result,) = quiet_distribution(tiny, " ".join(words), position, tol=1e-3, max_depth=3)
    assert np.all(result.probabilities >= 0)
    assert result.probabilities.sum() == pytest.approx(1.0)
    assert result.number_mass > 0 and result.unresolved_mass >= 0
    assert result.number_mass + result.unresolved_mass <= 1 + 1e-9


def test_zero_number_mass_gives_nan_probabilities_not_a_division_error():
    labels = np.arange(1, 10)
    result = api._distribution("never", "first", "exact", labels, np.zeros(9), 0.0, 1e-4, 0)
    assert result.number_mass == 0 and np.all(np.isnan(result.probabilities)) and result.result is None
    record = json.loads(json.dumps(result.to_dict()))
    assert record["probabilities"] == [None] * 9 and record["pearson_r"] is None
    with pytest.warns(LowNumberMassWarning, match="never"):
        api.warn_low_number_mass([result], 1e-3)


def _defaults(function) -> dict:
    import inspect

    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


def test_digit_distribution_options_are_the_declared_table():
    """The table's defaults are the signature's (and the cluster's), so the two cannot drift apart."""
    from priorlab.lm.api import DISTRIBUTION_OPTIONS, digit_distribution
    from priorlab.lm.cluster import digit_distribution_on_cluster

    declared = {p.name: p.default for p in DISTRIBUTION_OPTIONS}
    signature = _defaults(digit_distribution)
    assert {name: signature[name] for name in declared} == declared
    assert set(signature) - set(declared) == {"progress"}
    assert _defaults(digit_distribution_on_cluster)["min_number_mass"] == declared["min_number_mass"]


def test_the_options_check_catches_a_default_that_drifted():
    from priorlab.lm.api import DISTRIBUTION_OPTIONS

    def drifted(lm, prompts, position="first", method="exact", *, batch_size=32, tol=1e-4, max_depth=16,
                min_number_mass=1e-3, max_frontier=64, progress=False):
        """batch_size's default differs from the table's."""

    declared = {p.name: p.default for p in DISTRIBUTION_OPTIONS}
    assert {name: _defaults(drifted)[name] for name in declared} != declared
