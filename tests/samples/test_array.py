"""The array protocol of Samples: construction, per-draw shape, indexing, conversion, pickling, repr."""

from __future__ import annotations

import copy
import pickle
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, basic_indices

from priorlab.samples import Samples

FEW = settings(max_examples=20, deadline=None)


def _samples(shape: tuple[int, ...], n_draws: int = 3, seed: int = 0) -> Samples:
    return Samples(np.random.default_rng(seed).normal(size=(n_draws, *shape)))


@FEW
@given(
    shape=array_shapes(min_dims=0, max_dims=3, max_side=4),
    n_draws=st.integers(1, 5),
    dtype=st.sampled_from([np.float64, np.float32, np.int16, np.complex128, np.bool_]),
)
def test_description_is_of_one_draw(shape, n_draws: int, dtype: type) -> None:
    s = Samples(np.zeros((n_draws, *shape), dtype=dtype))
    assert (s.shape, s.ndim, s.size, s.dtype, s.n_draws) == (shape, len(shape), int(np.prod(shape)), dtype, n_draws)
    assert s.samples.shape == (n_draws, *shape)
    assert np.shape(s) == shape and np.ndim(s) == len(shape) and np.size(s) == int(np.prod(shape))


def test_construction_accepts_array_likes_and_refuses_what_has_no_draw_axis() -> None:
    assert Samples([[1, 2], [3, 4]]).shape == (2,)
    assert Samples(Samples([1.0, 2.0])).n_draws == 2
    with pytest.raises(ValueError, match="leading draw axis"):
        Samples(np.float64(3.0))
    with pytest.raises(ValueError, match="at least one draw"):
        Samples(np.zeros((0, 3)))


def test_torch_needs_the_explicit_conversion() -> None:
    tensor = torch.arange(6.0, requires_grad=True).reshape(3, 2)
    with pytest.raises(TypeError, match=re.escape("Samples.from_torch")):
        Samples(tensor)
    s = Samples.from_torch(tensor * 2)
    np.testing.assert_array_equal(s.samples, np.arange(6.0).reshape(3, 2) * 2)
    with pytest.raises(TypeError, match=re.escape("tensor must be a torch.Tensor")):
        Samples.from_torch(np.zeros(3))


def test_implicit_conversion_is_refused_with_a_pointer_to_summaries() -> None:
    s = _samples((3,))
    for convert in (
        np.asarray,
        np.array,
        lambda x: float(x[0]),
        lambda x: bool(x[0]),
        lambda x: int(x[0]),
        lambda x: np.zeros(3)[x[0]],
    ):
        with pytest.raises(TypeError, match=r"\.mean\(\).*\.samples"):
            convert(s)


@FEW
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=4), data=st.data())
def test_basic_indexing_is_draw_by_draw(shape, data: st.DataObject) -> None:
    s = _samples(shape)
    key = data.draw(basic_indices(shape, allow_newaxis=True, allow_ellipsis=True), label="key")
    result = s[key]
    np.testing.assert_array_equal(result.samples, np.stack([d[key] for d in s.samples]))


@pytest.mark.parametrize(
    "key",
    [
        [0, 2],
        np.array([[1], [0]]),
        (slice(None), [0, 1]),
        ([0, 1], [1, 2]),
        ([0, 1], slice(None), [1, 0]),
        (0, slice(None), [1, 0]),
        ([1, 0], 0, 0),
        (np.array([True, False, True]),),
        (Ellipsis, [0, 0]),
        (None, [1], slice(1, None), 1),
    ],
    ids=repr,
)
def test_advanced_indexing_keeps_the_draw_axis_first(key) -> None:
    s = _samples((3, 3, 2))
    np.testing.assert_array_equal(s[key].samples, np.stack([d[key] for d in s.samples]))


def test_indexing_with_samples_goes_draw_by_draw() -> None:
    s = _samples((4,))
    order = Samples(np.argsort(s.samples, axis=1))
    np.testing.assert_array_equal(s[order].samples, np.sort(s.samples, axis=1))
    with pytest.raises(ValueError, match="differs in shape between draws"):
        s[s > 0.0]  # how many elements pass differs between draws


@pytest.mark.parametrize(
    "key", [0, (slice(None), 1), ([0, 2],), ([0, 1], slice(None), [1, 0]), (Ellipsis, 0)], ids=repr
)
def test_assignment_is_draw_by_draw(key) -> None:
    s = _samples((3, 3, 2))
    target_shape = s.samples[0][key].shape
    for value in (7.0, np.arange(np.prod(target_shape[-1:], dtype=int)), Samples(np.ones((3, *target_shape)) * 5)):
        expected = s.samples.copy()
        for k, d in enumerate(expected):
            d[key] = value.samples[k] if isinstance(value, Samples) else value
        s[key] = value
        np.testing.assert_array_equal(s.samples, expected)


def test_assignment_broadcasts_a_smaller_samples_and_through_samples_keys() -> None:
    s = _samples((2, 3))
    row = Samples(np.arange(9.0).reshape(3, 3))
    s[:, :] = row
    np.testing.assert_array_equal(s.samples, np.broadcast_to(row.samples[:, None, :], (3, 2, 3)))
    where = Samples(np.array([[0], [1], [2]]))
    s[0, where] = -1.0
    assert [s.samples[k, 0, k] for k in range(3)] == [-1.0, -1.0, -1.0]


def test_fields_of_structured_draws() -> None:
    records = np.zeros((3, 2), dtype=[("a", float), ("b", int)])
    records["a"] = np.arange(6.0).reshape(3, 2)
    s = Samples(records)
    np.testing.assert_array_equal(s["a"].samples, records["a"])
    assert s[["b"]].dtype.names == ("b",)
    s["b"] = Samples(np.array([[1], [2], [3]]))
    np.testing.assert_array_equal(s.samples["b"], [[1, 1], [2, 2], [3, 3]])
    s["a"] = 0.5
    assert np.all(s.samples["a"] == 0.5)


def test_len_and_iteration_run_over_the_first_data_axis() -> None:
    s = _samples((4, 2))
    assert len(s) == 4
    rows = list(s)
    assert len(rows) == 4 and all(isinstance(r, Samples) and r.shape == (2,) for r in rows)
    np.testing.assert_array_equal(rows[2].samples, s.samples[:, 2])
    with pytest.raises(TypeError, match="len"):
        len(_samples(()))


def test_reshape_transpose_astype_copy() -> None:
    s = _samples((2, 3))
    np.testing.assert_array_equal(s.reshape(3, 2).samples, s.samples.reshape(3, 3, 2))
    np.testing.assert_array_equal(s.reshape((-1,)).samples, s.samples.reshape(3, 6))
    np.testing.assert_array_equal(s.T.samples, s.samples.transpose(0, 2, 1))
    np.testing.assert_array_equal(s.transpose(1, 0).samples, s.samples.transpose(0, 2, 1))
    assert s.astype(np.float32).dtype == np.float32
    duplicate = s.copy()
    duplicate[0, 0] = 99.0
    assert not np.any(s.samples == 99.0)
    with pytest.raises(ValueError, match="axes"):
        s.transpose(0)


def test_pickle_and_copy_round_trip() -> None:
    s = _samples((2, 3))
    for clone in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s), copy.copy(s)):
        assert isinstance(clone, Samples)
        np.testing.assert_array_equal(clone.samples, s.samples)


def test_repr_summarises_shape_draws_and_mean_std() -> None:
    s = Samples(np.array([[1.0, 10.0], [3.0, 30.0]]))
    text = repr(s)
    assert "shape=(2,)" in text and "draws=2" in text
    assert "mean=[ 2., 20.]" in text and "std= [ 1., 10.]" in text
    assert repr(Samples(np.array([1.0, 3.0]))) == "Samples(2 ± 1, draws=2, dtype=float64)"
    big = repr(_samples((1000,)))
    assert "..." in big and len(big) < 400
    assert "shape=(2,)" in repr(Samples(np.array([["a", "b"], ["c", "d"]])))


def test_samples_is_unhashable_like_ndarray() -> None:
    with pytest.raises(TypeError):
        hash(_samples((2,)))
