"""The paper's 1-D data and the CSV helpers behind the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from priorlab.predictive import GaussianMixture
from priorlab.priors.datasets import osband_1d, prediction_columns, read_table
from priorlab.samples import Samples


def test_osband_1d_matches_its_definition():
    x, y = osband_1d()
    assert x.shape == y.shape == (20, 1) and x.dtype == y.dtype == np.float32
    np.testing.assert_allclose(x[:10, 0], np.arange(10) * 0.5 / 9, rtol=1e-6)
    np.testing.assert_allclose(x[10:, 0], 1 + np.arange(10) * 0.5 / 9, rtol=1e-6)
    noise = (y - x - np.sin(3 * x) - np.sin(12 * x)) / 0.1
    np.testing.assert_allclose(noise, np.random.RandomState(0).randn(20, 1), atol=1e-4)


def test_read_table_picks_features_and_target(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"a": [1, 2], "b": [3.5, 4.5], "t": [0.1, 0.2]}).to_csv(path, index=False)
    table = read_table(path, target="t")
    assert table.features == ["a", "b"]
    np.testing.assert_array_equal(table.x, [[1, 3.5], [2, 4.5]])
    np.testing.assert_array_equal(table.y, [0.1, 0.2])
    assert read_table(path, target="t", features=["b"]).features == ["b"]


@pytest.mark.parametrize("content, kwargs, error, message", [
    ("a,t\n1,x\n", dict(target="t"), ValueError, "column 't' is not numeric (row 1: 'x')"),
    ("a,t\n1,2\n,3\n", dict(target="t"), ValueError, "column 'a' has a missing value (row 2)"),
    ("a,t\n", dict(target="t"), ValueError, "no data rows"),
    ("", dict(target="t"), ValueError, "empty file (no header line)"),
    ("t\n1\n", dict(target="t"), ValueError, "no feature columns"),
    ("a,t\n1,2\n", dict(target="t", features=["a", "t"]), ValueError, "feature column 't' is the target"),
    ("a,b,t\n1,2,3\n", dict(target="t", features=["a", "b", "a"]), ValueError, "feature column 'a' is listed twice"),
    ("a,t\n1,2\n2,inf\n", dict(target="t"), ValueError, "column 't' has an infinite value (row 2)"),
    ("a,t\n1,2\n-inf,3\n", dict(target="t"), ValueError, "column 'a' has an infinite value (row 2)"),
    ("a,t\n1,2\nnan,3\n", dict(target="t"), ValueError, "column 'a' has a missing value (row 2)"),
])
def test_read_table_errors_name_file_column_and_row(tmp_path, content, kwargs, error, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(error) as info:
        read_table(path, **kwargs)
    assert message in str(info.value) and str(path) in str(info.value)
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_table(tmp_path / "missing.csv")


def test_prediction_columns_are_the_summaries_then_the_members():
    samples = Samples(np.array([[1.0, 2.0], [3.0, 6.0]]))
    columns = prediction_columns(samples, level=0.5, members=True)
    assert list(columns) == ["mean", "std", "lower", "upper", "member_0", "member_1"]
    np.testing.assert_allclose(columns["mean"], [2.0, 4.0])
    np.testing.assert_allclose(columns["std"], [1.0, 2.0])
    np.testing.assert_allclose(columns["lower"], [1.5, 3.0])
    np.testing.assert_allclose(columns["member_1"], [3.0, 6.0])
    assert list(prediction_columns(samples)) == ["mean", "std", "lower", "upper"]
    with pytest.raises(ValueError, match="level"):
        prediction_columns(samples, level=1.0)


def test_prediction_columns_of_a_mixture_are_the_mixtures():
    mixture = GaussianMixture([[0.0, 1.0], [2.0, 1.0]], [[1.0, 1.0], [1.0, 4.0]])
    columns = prediction_columns(mixture, members=True)
    np.testing.assert_allclose(columns["std"], np.sqrt([2.0, 2.5]))  # total variance: 1 + 1, 2.5 + 0
    np.testing.assert_allclose(columns["member_0"], [0.0, 1.0])
