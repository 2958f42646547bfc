"""User-facing axes refer to the per-draw shape: negative axes, tuples and keepdims; never the draw axis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from priorlab.samples import Samples
from priorlab.samples.functions import FLATTENING, OVERRIDABLE, REDUCTIONS

SHAPES = array_shapes(min_dims=1, max_dims=3, max_side=4)
TUPLE_AXES = [n for n in REDUCTIONS if n not in ("flip", "count_nonzero")]


def _per_draw(func, s: Samples, **kwargs) -> np.ndarray:
    return np.stack([func(d, **kwargs) for d in s.samples])


@settings(max_examples=25, deadline=None)
@given(shape=SHAPES, n_draws=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_reductions_take_per_draw_axes_tuples_and_keepdims(shape, n_draws, seed, data) -> None:
    s = Samples(np.random.default_rng(seed).normal(size=(n_draws, *shape)))
    ndim = len(shape)
    name = data.draw(st.sampled_from(TUPLE_AXES), label="function")
    func = OVERRIDABLE[name][0]
    positions = data.draw(st.lists(st.integers(0, ndim - 1), min_size=1, unique=True), label="axes")
    negative = data.draw(st.booleans(), label="negative")
    axis = tuple(p - ndim if negative else p for p in positions)
    keepdims = data.draw(st.booleans(), label="keepdims")
    for kwargs in ({}, {"axis": axis, "keepdims": keepdims}, {"axis": axis[0]}):
        result = func(s, **kwargs)
        np.testing.assert_allclose(result.samples, _per_draw(func, s, **kwargs), rtol=1e-12, equal_nan=True)


@settings(max_examples=25, deadline=None)
@given(shape=SHAPES, n_draws=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_flattening_functions_take_per_draw_axes_and_flatten_on_none(shape, n_draws, seed, data) -> None:
    s = Samples(np.random.default_rng(seed).normal(size=(n_draws, *shape)))
    name = data.draw(st.sampled_from(["cumsum", "cumprod", "sort", "argsort", "argmax", "argmin", "nancumsum"]))
    assert name in FLATTENING
    func = OVERRIDABLE[name][0]
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1), label="axis")
    np.testing.assert_allclose(func(s, axis=axis).samples, _per_draw(func, s, axis=axis), rtol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: np.sum(s, axis=2),
        lambda s: np.sum(s, axis=-3),
        lambda s: np.cumsum(s, axis=2),
        lambda s: np.concatenate([s, s], axis=-3),
        lambda s: np.moveaxis(s, 0, 2),
        lambda s: np.add.reduce(s, axis=2),
        lambda s: np.expand_dims(s, 4),
        lambda s: s.transpose(0, 2),
    ],
)
def test_the_draw_axis_is_never_addressable(call) -> None:
    s = Samples(np.zeros((5, 2, 3)))
    with pytest.raises(np.exceptions.AxisError, match="per-draw"):
        call(s)


def test_axis_must_be_an_integer() -> None:
    with pytest.raises(TypeError, match="axis must be an integer"):
        np.sum(Samples(np.zeros((5, 2))), axis="0")
