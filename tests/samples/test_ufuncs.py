"""NEP 13: every ufunc and ufunc method runs draw by draw, with ndarrays, scalars and other Samples."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

from priorlab.samples import Samples

FEW = settings(max_examples=15, deadline=None)
UFUNCS = sorted((u for u in vars(np).values() if isinstance(u, np.ufunc)), key=lambda u: u.__name__)
DTYPES = {"d": np.float64, "f": np.float32, "l": np.int64, "?": np.bool_}


def _random(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    if dtype is np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(1, 6, size=shape).astype(dtype)
    return rng.uniform(0.1, 0.9, size=shape).astype(dtype)


def _loop(ufunc: Callable, draws: int, *operands: object) -> np.ndarray | tuple[np.ndarray, ...]:
    """The oracle: the ufunc applied to each draw, results stacked."""
    per_draw = [ufunc(*(o.samples[k] if isinstance(o, Samples) else o for o in operands)) for k in range(draws)]
    if getattr(ufunc, "nout", 1) > 1:
        return tuple(np.stack([r[i] for r in per_draw]) for i in range(ufunc.nout))
    return np.stack(per_draw)


def _assert_samples_equal(result: object, expected: np.ndarray) -> None:
    assert isinstance(result, Samples)
    np.testing.assert_array_equal(result.samples, expected)


def _simple_signature(ufunc: np.ufunc) -> str | None:
    """The first loop of the ufunc whose inputs are float64, int64 or bool."""
    for types in ufunc.types:
        inputs = types.split("->")[0]
        if all(t in "dl?" for t in inputs):
            return inputs
    return None


@pytest.mark.parametrize(
    "ufunc", [u for u in UFUNCS if u.signature is None and _simple_signature(u)], ids=lambda u: u.__name__
)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_every_ufunc_call_is_draw_by_draw(ufunc: np.ufunc, data: st.DataObject) -> None:
    n_draws = data.draw(st.integers(1, 4), label="draws")
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=ufunc.nin, max_dims=3, max_side=3), label="shapes")
    as_samples = data.draw(st.lists(st.booleans(), min_size=ufunc.nin, max_size=ufunc.nin), label="which are Samples")
    as_samples[0] = as_samples[0] or not any(as_samples)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    types = _simple_signature(ufunc)
    operands = [
        Samples(_random(rng, (n_draws, *shape), DTYPES[t])) if is_samples else _random(rng, shape, DTYPES[t])
        for shape, t, is_samples in zip(shapes.input_shapes, types, as_samples, strict=True)
    ]
    with np.errstate(all="ignore"):
        result = ufunc(*operands)
        expected = _loop(ufunc, n_draws, *operands)
    for r, e in zip(result, expected, strict=True) if ufunc.nout > 1 else [(result, expected)]:
        _assert_samples_equal(r, e)


@FEW
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    n_draws=st.integers(1, 4),
    dtype=st.sampled_from([np.float64, np.float32, np.int64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_operators_mix_samples_arrays_and_scalars(shapes, n_draws: int, dtype: type, seed: int) -> None:
    rng = np.random.default_rng(seed)
    (shape_a, shape_b) = shapes.input_shapes
    a = Samples(_random(rng, (n_draws, *shape_a), dtype))
    b_plain = _random(rng, shape_b, dtype)
    b = Samples(_random(rng, (n_draws, *shape_b), dtype))
    for result, expected in [
        (a + b, _expand(a, len(shapes.result_shape)) + _expand(b, len(shapes.result_shape))),
        (a * b_plain, _loop(np.multiply, n_draws, a, b_plain)),
        (b_plain - a, _loop(np.subtract, n_draws, b_plain, a)),
        (2**a, _loop(np.power, n_draws, 2, a)),
        (a > 0.5, _loop(np.greater, n_draws, a, 0.5)),
        (-a, _loop(np.negative, n_draws, a)),
        (abs(a - b), _loop(np.absolute, n_draws, a - b)),
    ]:
        _assert_samples_equal(result, expected)


def _expand(s: Samples, ndim: int) -> np.ndarray:
    return s.samples.reshape((s.n_draws,) + (1,) * (ndim - s.ndim) + s.shape)


@FEW
@given(
    shape=array_shapes(min_dims=0, max_dims=3, max_side=4), n_draws=st.integers(1, 4), seed=st.integers(0, 2**32 - 1)
)
def test_correlations_between_functions_of_the_same_samples_survive(shape, n_draws: int, seed: int) -> None:
    s = Samples(np.random.default_rng(seed).normal(size=(n_draws, *shape)))
    assert np.all((s - s).samples == 0)
    assert np.all((s / s).samples == 1)
    assert np.all((np.exp(s) / np.exp(s) == 1).samples)
    assert np.all(((s + 1) - s).samples == pytest.approx(1.0))


def test_in_place_operators_keep_the_object_and_the_draws() -> None:
    s = Samples(np.arange(6.0).reshape(3, 2))
    alias = s
    s += 1
    s *= Samples(np.full((3, 2), 2.0))
    assert alias is s
    np.testing.assert_array_equal(s.samples, (np.arange(6.0).reshape(3, 2) + 1) * 2)


def test_out_and_where_are_draw_by_draw() -> None:
    rng = np.random.default_rng(1)
    a, b = Samples(rng.normal(size=(4, 3))), Samples(rng.normal(size=(4, 3)))
    out = Samples(np.zeros((4, 3)))
    mask = Samples(rng.random((4, 3)) < 0.5)
    returned = np.add(a, b, out=out, where=mask)
    assert returned is out
    np.testing.assert_array_equal(out.samples, np.where(mask.samples, a.samples + b.samples, 0.0))
    plain_mask = np.array([True, False, True])
    out2 = Samples(np.zeros((4, 3)))
    np.multiply(a, 2.0, out=out2, where=plain_mask)
    np.testing.assert_array_equal(out2.samples, np.where(plain_mask, a.samples * 2, 0.0))
    target = Samples(np.zeros((4, 2, 3)))  # out with more per-draw axes than the inputs
    np.add(a, 1.0, out=target)
    np.testing.assert_array_equal(target.samples, np.broadcast_to((a.samples + 1)[:, None], (4, 2, 3)))
    q, r = np.divmod(a, 0.5, out=(Samples(np.zeros((4, 3))), Samples(np.zeros((4, 3)))))
    np.testing.assert_array_equal(q.samples, np.floor_divide(a.samples, 0.5))
    np.testing.assert_array_equal(r.samples, np.remainder(a.samples, 0.5))
    with pytest.raises(TypeError, match="out= must be Samples"):
        np.add(a, b, out=np.zeros((4, 3)))


@FEW
@given(
    shape=array_shapes(min_dims=1, max_dims=3, max_side=4),
    n_draws=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_reduce_and_accumulate_use_per_draw_axes(shape, n_draws: int, seed: int, data: st.DataObject) -> None:
    rng = np.random.default_rng(seed)
    s = Samples(rng.integers(-5, 5, size=(n_draws, *shape)))
    ndim = len(shape)
    axis = data.draw(st.integers(-ndim, ndim - 1), label="axis")
    axes = data.draw(st.none() | st.lists(st.integers(0, ndim - 1), unique=True).map(tuple), label="axes")
    keepdims = data.draw(st.booleans(), label="keepdims")
    where = rng.random(shape) < 0.7
    draws = s.samples
    for ufunc in (np.add, np.maximum, np.multiply):
        _assert_samples_equal(ufunc.reduce(s, axis=axis), np.stack([ufunc.reduce(d, axis=axis) for d in draws]))
        _assert_samples_equal(
            ufunc.reduce(s, axis=axes, keepdims=keepdims, where=where, initial=0),
            np.stack([ufunc.reduce(d, axis=axes, keepdims=keepdims, where=where, initial=0) for d in draws]),
        )
        _assert_samples_equal(ufunc.accumulate(s, axis=axis), np.stack([ufunc.accumulate(d, axis=axis) for d in draws]))
    _assert_samples_equal(np.add.reduce(s), np.stack([np.add.reduce(d) for d in draws]))
    mask = Samples(rng.random((n_draws, *shape)) < 0.5)
    _assert_samples_equal(
        np.add.reduce(s, axis=None, where=mask),
        np.stack([np.add.reduce(d, axis=None, where=m) for d, m in zip(draws, mask.samples, strict=True)]),
    )
    indices = sorted(rng.integers(0, shape[axis], size=2))
    _assert_samples_equal(
        np.add.reduceat(s, indices, axis=axis), np.stack([np.add.reduceat(d, indices, axis=axis) for d in draws])
    )


def test_reductions_of_plain_input_into_samples_out() -> None:
    out = Samples(np.zeros((3, 2)))
    np.add.reduce(np.ones((4, 2)), axis=0, out=out)
    np.testing.assert_array_equal(out.samples, np.full((3, 2), 4.0))
    with pytest.raises(np.exceptions.AxisError):
        np.add.reduce(Samples(np.ones((3, 2))), axis=1)  # one draw has a single axis


@FEW
@given(
    shape_a=array_shapes(min_dims=0, max_dims=2, max_side=3),
    shape_b=array_shapes(min_dims=0, max_dims=2, max_side=3),
    n_draws=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_outer_is_draw_by_draw(shape_a, shape_b, n_draws: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = Samples(rng.normal(size=(n_draws, *shape_a)))
    b = Samples(rng.normal(size=(n_draws, *shape_b)))
    b_plain = rng.normal(size=shape_b)
    _assert_samples_equal(np.multiply.outer(a, b), _loop(np.multiply.outer, n_draws, a, b))
    _assert_samples_equal(np.subtract.outer(a, b_plain), _loop(np.subtract.outer, n_draws, a, b_plain))
    _assert_samples_equal(np.subtract.outer(b_plain, a), _loop(np.subtract.outer, n_draws, b_plain, a))


def test_at_updates_every_draw_in_place() -> None:
    rng = np.random.default_rng(2)
    s = Samples(rng.normal(size=(3, 5)))
    expected = s.samples.copy()
    np.add.at(s, [0, 0, 3], 1.0)
    for d in expected:
        np.add.at(d, [0, 0, 3], 1.0)
    np.testing.assert_array_equal(s.samples, expected)
    b = Samples(rng.normal(size=(3, 2)))
    np.multiply.at(s, [1, 4], b)
    for d, v in zip(expected, b.samples, strict=True):
        np.multiply.at(d, [1, 4], v)
    np.testing.assert_array_equal(s.samples, expected)
    m = Samples(rng.normal(size=(3, 2, 4)))
    expected = m.samples.copy()
    np.negative.at(m, (1, [0, 2]))
    for d in expected:
        np.negative.at(d, (1, [0, 2]))
    np.testing.assert_array_equal(m.samples, expected)


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 2)), ((3,), (5, 3, 2))],
)
@pytest.mark.parametrize("b_is_samples", [True, False])
def test_matmul_is_draw_by_draw_including_vectors(shape_a, shape_b, b_is_samples: bool) -> None:
    rng = np.random.default_rng(3)
    a = Samples(rng.normal(size=(4, *shape_a)))
    b = Samples(rng.normal(size=(4, *shape_b))) if b_is_samples else rng.normal(size=shape_b)
    result = a @ b
    expected = _loop(np.matmul, 4, a, b)
    np.testing.assert_allclose(result.samples, expected, rtol=1e-12)
    reverse = _loop(np.matmul, 4, b, a) if shape_b[-1] == shape_a[0] and not b_is_samples else None
    if reverse is not None:
        np.testing.assert_allclose(np.matmul(b, a).samples, reverse, rtol=1e-12)


def test_vector_gufuncs_are_draw_by_draw() -> None:
    rng = np.random.default_rng(4)
    v, m = Samples(rng.normal(size=(3, 4))), Samples(rng.normal(size=(3, 2, 4)))
    np.testing.assert_allclose(np.vecdot(m, v).samples, _loop(np.vecdot, 3, m, v))
    np.testing.assert_allclose(np.matvec(m, v).samples, _loop(np.matvec, 3, m, v))
    np.testing.assert_allclose(np.vecmat(v, m.transpose(1, 0)).samples, _loop(np.vecmat, 3, v, m.transpose(1, 0)))


def test_gufunc_core_axes_are_per_draw() -> None:
    rng = np.random.default_rng(5)
    a, b = Samples(rng.normal(size=(3, 4, 2))), Samples(rng.normal(size=(3, 2, 4)))
    axes = [(1, 0), (1, 0), (0, 1)]
    expected = np.stack([np.matmul(x, y, axes=axes) for x, y in zip(a.samples, b.samples, strict=True)])
    np.testing.assert_allclose(np.matmul(a, b, axes=axes).samples, expected)
    plain = rng.normal(size=(4, 2))
    out = Samples(np.zeros((3, 2)))
    assert np.vecdot(a, plain, axis=0, out=out) is out
    np.testing.assert_allclose(out.samples, np.stack([np.vecdot(x, plain, axis=0) for x in a.samples]))


def test_mixing_different_draw_counts_is_a_clear_error() -> None:
    a, b = Samples(np.ones((3, 2))), Samples(np.ones((4, 2)))
    for operation in (lambda: a + b, lambda: np.matmul(a, b), lambda: np.add.outer(a, b), lambda: np.add(a, 1, out=b)):
        with pytest.raises(ValueError, match="3 draws and Samples with 4 draws"):
            operation()


def test_datetime_ufuncs_are_draw_by_draw() -> None:
    days = np.datetime64("2026-01-01") + np.array([[0, 3], [5, 1]]).astype("timedelta64[D]")
    days[1, 0] = np.datetime64("NaT")
    s = Samples(days)
    np.testing.assert_array_equal(np.isnat(s).samples, np.isnat(days))
    np.testing.assert_array_equal((s - np.datetime64("2026-01-01")).samples, days - np.datetime64("2026-01-01"))
