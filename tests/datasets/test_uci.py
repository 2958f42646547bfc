"""The UCI-layout loader: small folders written here (the layout's quirks and every kind of bad input), and the
seven real data sets when ../shared/data is present."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from priorlab.datasets import UCIDataset, load_uci, uci_folders, uci_splits

DATA = """\
1.0 2.0\t3.0  10
4.0   5.0 6.0 20
7.0 8.0 9.0 30
1e1 1.1e1 12 40
13 14 15 50

"""


def write_folder(root: Path, name: str = "tiny", **overrides: str | None) -> Path:
    """A folder in the layout: 5 rows, features 0-2, target 3, two splits; `overrides` replace (or, as None,
    remove) files, keyed by file name without `.txt`."""
    folder = root / name
    folder.mkdir()
    files = {
        "data": DATA,
        "index_features": "0\n1\n2\n",
        "index_target": "3\n",
        "n_splits": "2\n",
        "n_hidden": "50\n",
        "n_epochs": "40\n",
        "index_train_0": "0\n1\n2\n",
        "index_test_0": "3\n4\n",
        "index_train_1": " 4.0000000e+00\n 3.0000000e+00\n 0.0000000e+00\n 1.0000000e+00\n",  # floats, as some are
        "index_test_1": "2\n",
    }
    files.update(overrides)
    for stem, text in files.items():
        if text is not None:
            (folder / f"{stem}.txt").write_text(text)
    return folder


def test_a_small_folder_loads(tmp_path):
    data = load_uci(write_folder(tmp_path))
    assert isinstance(data, UCIDataset) and data.name == "tiny" and data.folder == tmp_path / "tiny"
    np.testing.assert_array_equal(data.x, [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12], [13, 14, 15]])
    np.testing.assert_array_equal(data.y, [10, 20, 30, 40, 50])
    assert data.x.dtype == data.y.dtype == np.float64
    assert data.features.tolist() == [0, 1, 2] and data.target == 3
    assert (data.n_splits, data.n_hidden, data.n_epochs) == (2, 50, 40)
    assert [s.index for s in data] == [0, 1]
    assert data.splits[1].train.tolist() == [4, 3, 0, 1] and data.splits[1].test.tolist() == [2]
    x_train, y_train, x_test, y_test = data.split_arrays(0)
    np.testing.assert_array_equal(x_train[:, 0], [1, 4, 7])
    np.testing.assert_array_equal(y_train, [10, 20, 30])
    np.testing.assert_array_equal(x_test, [[10, 11, 12], [13, 14, 15]])
    np.testing.assert_array_equal(y_test, [40, 50])
    assert [s.test.tolist() for s in uci_splits(tmp_path / "tiny", 5)] == [[3, 4], [2]]


def test_features_may_be_any_columns_in_any_order(tmp_path):
    data = load_uci(write_folder(tmp_path, index_features="2 0", index_target="1"))
    np.testing.assert_array_equal(data.x[0], [3.0, 1.0])
    np.testing.assert_array_equal(data.y, [2, 5, 8, 11, 14])


def test_uci_folders_lists_the_data_set_folders(tmp_path):
    write_folder(tmp_path, "b")
    write_folder(tmp_path, "a")
    (tmp_path / "notes").mkdir()
    assert [p.name for p in uci_folders(tmp_path)] == ["a", "b"]
    with pytest.raises(FileNotFoundError, match="no such folder"):
        uci_folders(tmp_path / "missing")


@pytest.mark.parametrize("overrides, error, message", [
    (dict(index_target=None), FileNotFoundError, r"index_target\.txt: no such file; a UCI-layout folder holds"),
    (dict(n_epochs=None), FileNotFoundError, r"n_epochs\.txt: no such file"),
    (dict(index_test_1=None), FileNotFoundError, r"index_test_1\.txt: no such file"),
    (dict(data="1 2 3 4\n5 6 x 8\n"), ValueError, r"data\.txt, line 2, column 3: 'x' is not a finite number"),
    (dict(data="1 2 3 4\n5 6 nan 8\n"), ValueError, r"data\.txt, line 2, column 3: 'nan' is not a finite number"),
    (dict(data="1 2 3 4\n\n5 6 7\n"), ValueError,
     r"data\.txt, line 3: 3 values, but line 1 has 4 \(every row needs the same number of columns\)"),
    (dict(data="\n\n"), ValueError, r"data\.txt: no data rows"),
    (dict(index_features="0\n1\n4\n"), ValueError,
     r"index_features\.txt, line 3: index 4 is out of range for data\.txt's 4 columns \(0-based, 0 to 3\)"),
    (dict(index_features="0\n-1\n"), ValueError, r"index_features\.txt, line 2: index -1 is out of range"),
    (dict(index_features="0\n1\n3\n"), ValueError,
     r"index_target\.txt, line 1: the target column 3 is also a feature \(index_features\.txt, line 3\)"),
    (dict(index_features="0\n1\n0\n"), ValueError,
     r"index_features\.txt, line 3: index 0 is listed twice \(also on line 1\)"),
    (dict(index_features="0\n1.5\n"), ValueError, r"index_features\.txt, line 2: '1\.5' is not a whole number"),
    (dict(index_features="0\none\n"), ValueError, r"index_features\.txt, line 2: 'one' is not a number"),
    (dict(index_target="3\n2\n"), ValueError, r"index_target\.txt, line 2: expected one target column, found 2"),
    (dict(index_target=""), ValueError, r"index_target\.txt: empty"),
    (dict(index_train_1="0\n1\n5\n"), ValueError,
     r"index_train_1\.txt, line 3: index 5 is out of range for data\.txt's 5 rows \(0-based, 0 to 4\)"),
    (dict(index_test_0="3\n4\n1\n"), ValueError,
     r"index_test_0\.txt, line 3: row 1 is also in index_train_0\.txt"),
    (dict(index_test_0="3\n4\n4\n"), ValueError, r"index_test_0\.txt, line 3: index 4 is listed twice"),
    (dict(n_splits="2 3\n"), ValueError,
     r"n_splits\.txt, line 1: expected one number \(the number of splits\), found 2"),
    (dict(n_hidden="0\n"), ValueError, r"n_hidden\.txt, line 1: expected a positive number \(hidden units\), got 0"),
])
def test_bad_folders_are_refused_naming_the_file_and_line(tmp_path, overrides, error, message):
    with pytest.raises(error, match=message):
        load_uci(write_folder(tmp_path, **overrides))


def test_a_missing_folder_and_a_binary_file_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        load_uci(tmp_path / "nothing")
    folder = write_folder(tmp_path)
    (folder / "index_target.txt").write_bytes(b"\xff\xfe3\n")
    with pytest.raises(ValueError, match=r"index_target\.txt: not a text file"):
        load_uci(folder)


def test_the_package_imports_without_torch():
    code = "import sys, priorlab.datasets, priorlab.metrics; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_osband_1d_is_the_same_function_everywhere():
    import priorlab.datasets
    import priorlab.priors
    import priorlab.priors.datasets

    assert priorlab.priors.osband_1d is priorlab.priors.datasets.osband_1d is priorlab.datasets.osband_1d


# --- the real data sets (../shared/data/uci) ------------------------------------------------------------------

KNOWN = {  # rows, features, splits, hidden units, epochs: the sizes of Hernández-Lobato & Adams (2015)
    "bostonHousing": (506, 13, 20, 50, 40),
    "concrete": (1030, 8, 20, 50, 40),
    "kin8nm": (8192, 8, 20, 50, 40),
    "naval-propulsion-plant": (11934, 16, 20, 50, 40),
    "power-plant": (9568, 4, 20, 50, 40),
    "protein-tertiary-structure": (45730, 9, 5, 100, 20),
    "wine-quality-red": (1599, 11, 20, 50, 40),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_the_shared_uci_data_sets_load_with_their_known_sizes(shared_data, name):
    folder = shared_data / "uci" / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    data = load_uci(folder)
    rows, features, n_splits, n_hidden, n_epochs = KNOWN[name]
    assert data.x.shape == (rows, features) and data.y.shape == (rows,)
    assert (data.n_splits, data.n_hidden, data.n_epochs) == (n_splits, n_hidden, n_epochs)
    assert len(data.splits) == n_splits and np.isfinite(data.x).all()
    for split in data.splits:
        # disjoint (the loader checks) and, as these splits are laid out, covering every row: 90% / 10%
        assert len(np.intersect1d(split.train, split.test)) == 0
        assert np.array_equal(np.sort(np.concatenate([split.train, split.test])), np.arange(rows))
        assert len(split.test) == rows - int(0.9 * rows) or len(split.test) == rows - round(0.9 * rows)


def test_the_shared_uci_folder_lists_seven(shared_data):
    root = shared_data / "uci"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    assert [p.name for p in uci_folders(root)] == sorted(KNOWN)
