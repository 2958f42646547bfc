"""Files and folders written whole or not at all: replaced on success, untouched on error, no leftovers."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from PIL import Image

from priorlab import files
from priorlab.files import (
    atomic_path,
    check_output_file,
    figure_suffixes,
    save_figure,
    staged_directory,
    write_json,
    write_text,
)


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


def _line_figure() -> Figure:
    figure = Figure(figsize=(2, 2))
    figure.add_subplot().plot([0, 1], [1, 0])
    return figure


# --- single files --------------------------------------------------------------------------------


def test_atomic_path_replaces_the_file_only_when_the_block_succeeds(tmp_path):
    target = tmp_path / "f.json"
    target.write_text("old")
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary.suffix == ".json" and temporary != target
        temporary.write_text("new")
        assert target.read_text() == "old"  # nothing visible until the block ends
    assert target.read_text() == "new"
    assert _names(tmp_path) == ["f.json"]


@pytest.mark.parametrize("existing", [True, False])
def test_atomic_path_keeps_the_old_state_on_error_and_leaves_no_temporary(tmp_path, existing):
    target = tmp_path / "f.csv"
    if existing:
        target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"), atomic_path(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("boom")
    assert _names(tmp_path) == (["f.csv"] if existing else [])
    if existing:
        assert target.read_text() == "old"


def test_atomic_path_names_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder") as error, atomic_path(tmp_path / "missing" / "f.txt"):
        pass
    assert str(tmp_path / "missing") in str(error.value)
    assert _names(tmp_path) == []



def test_atomic_path_refuses_an_existing_folder_and_leaves_it_alone(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "kept.txt").write_text("x")
    with pytest.raises(ValueError, match="is a folder") as error:
        write_text(folder, "text")
    assert str(folder) in str(error.value)
    assert _names(tmp_path) == ["results"] and _names(folder) == ["kept.txt"]


def test_check_output_file_names_the_argument_and_the_problem(tmp_path):
    (tmp_path / "dir.png").mkdir()
    assert check_output_file(tmp_path / "fig.PNG", figure_suffixes(), argument="--plot") == tmp_path / "fig.PNG"
    cases = [
        (tmp_path / "dir.png", ValueError, "is a folder"),
        (tmp_path / "missing" / "fig.png", FileNotFoundError, "does not exist"),
        (tmp_path / "fig.tmp", ValueError, "suffix '.tmp'; expected one of"),
        (tmp_path / "fig", ValueError, "no suffix"),
    ]
    for path, error, message in cases:
        with pytest.raises(error, match=message) as info:
            check_output_file(path, figure_suffixes(), argument="--plot")
        assert str(info.value).startswith("--plot: ") and str(path.parent) in str(info.value)


@pytest.mark.parametrize("name", ["fig.tmp", "fig"])
def test_save_figure_refuses_an_unknown_format_before_writing(tmp_path, name):
    with pytest.raises(ValueError, match=re.escape(".png")):
        save_figure(_line_figure(), tmp_path / name)
    assert _names(tmp_path) == []


def test_every_figure_suffix_is_written_by_matplotlib(tmp_path):
    for suffix in (".png", ".svg", ".pdf", ".jpg", ".tiff"):
        assert suffix in figure_suffixes()
    for suffix in figure_suffixes():
        assert save_figure(_line_figure(), tmp_path / f"line{suffix}").stat().st_size > 0

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=40, deadline=None)
@given(data=JSON_VALUES, text=st.text())
def test_text_and_json_round_trip(data, text, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rt")
    assert json.loads(write_json(folder / "d.json", data).read_text()) == data
    assert write_text(folder / "t.txt", text).read_bytes() == text.encode("utf-8")
    assert _names(folder) == ["d.json", "t.txt"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_json_refuses_non_finite_numbers_and_keeps_the_old_file(tmp_path, bad):
    target = write_json(tmp_path / "s.json", {"x": 1})
    with pytest.raises(ValueError):
        write_json(target, {"x": bad})
    assert json.loads(target.read_text()) == {"x": 1}
    assert _names(tmp_path) == ["s.json"]


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_save_figure_takes_the_format_from_the_suffix(tmp_path, suffix, magic):
    path = save_figure(_line_figure(), tmp_path / f"line{suffix}")
    assert path == tmp_path / f"line{suffix}"
    assert path.read_bytes().startswith(magic)
    assert _names(tmp_path) == [path.name]


def test_saved_png_has_a_white_background_and_the_drawing(tmp_path):
    figure = _line_figure()
    figure.set_facecolor("none")  # the saved file is white whatever the figure says
    with Image.open(save_figure(figure, tmp_path / "line.png", dpi=50)) as image:
        pixels = np.asarray(image.convert("RGBA"), dtype=float)
    assert (pixels[0, 0] == 255).all()
    assert pixels[..., :3].std() > 0


def test_save_figure_names_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder"):
        save_figure(_line_figure(), tmp_path / "missing" / "line.png")
    assert _names(tmp_path) == []


# --- folders -------------------------------------------------------------------------------------


def test_staged_directory_creates_the_target_but_refuses_a_missing_parent(tmp_path):
    target = tmp_path / "out"
    with staged_directory(target) as staging:
        assert staging.parent == target.parent and staging.is_dir() and _names(staging) == []
        assert not target.exists()
        (staging / "a.txt").write_text("a")
    assert (target / "a.txt").read_text() == "a"
    assert _names(tmp_path) == ["out"]
    with pytest.raises(FileNotFoundError, match="deep"), staged_directory(tmp_path / "deep" / "out"):
        pass
    assert _names(tmp_path) == ["out"]


def test_staged_directory_replaces_an_existing_folder_whole(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with staged_directory(target) as staging:
        (staging / "new.txt").write_text("new")
        assert (target / "old.txt").read_text() == "old"  # nothing visible until the block ends
    assert _names(target) == ["new.txt"]
    assert _names(tmp_path) == ["out"]  # no staging folder, no backup


@pytest.mark.parametrize("existing", [True, False])
def test_staged_directory_error_leaves_the_target_untouched(tmp_path, existing):
    target = tmp_path / "out"
    if existing:
        target.mkdir()
        (target / "keep.txt").write_text("keep")
    with pytest.raises(RuntimeError, match="boom"), staged_directory(target) as staging:
        (staging / "half.txt").write_text("half")
        raise RuntimeError("boom")
    assert _names(tmp_path) == (["out"] if existing else [])
    if existing:
        assert _names(target) == ["keep.txt"]


def test_failed_swap_restores_the_previous_folder(tmp_path, monkeypatch):
    """The old folder is moved aside first; when the new one cannot take its place, it comes back."""
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    real_replace = os.replace

    def refuse_the_staging_folder(source, destination):
        if os.fspath(destination) == os.fspath(target) and os.fspath(source).endswith(".tmp"):
            raise OSError("rename refused")
        real_replace(source, destination)

    monkeypatch.setattr(files.os, "replace", refuse_the_staging_folder)
    with pytest.raises(OSError, match="rename refused"), staged_directory(target) as staging:
        (staging / "new.txt").write_text("new")
    assert _names(target) == ["keep.txt"]
    assert _names(tmp_path) == ["out"]


def test_staging_folder_respects_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        with staged_directory(tmp_path / "out") as staging:
            mode = stat.S_IMODE(staging.stat().st_mode)
    finally:
        os.umask(previous)
    assert mode == 0o755  # tempfile.mkdtemp would give 0o700 whatever the umask
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755


# --- what killed writers leave behind ------------------------------------------------------------


def _dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_write_removes_only_our_stale_temporaries_of_the_same_destination(tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    stale_file = tmp_path / f".pred.csv.{dead}-0123abcd.tmp.csv"
    stale_folder = tmp_path / f".model.{dead}-0123abcd.tmp"
    kept = [
        tmp_path / f".pred.csv.{alive}-89abcdef.tmp.csv",  # a writer that still runs
        tmp_path / f".other.csv.{dead}-0123abcd.tmp.csv",  # another destination
        tmp_path / ".pred.csv.notours.tmp.csv",  # not our naming
        tmp_path / "pred.csv.bak",
    ]
    for path in [stale_file, *kept]:
        path.write_text("x")
    stale_folder.mkdir()
    (stale_folder / "weights").write_text("half")
    write_text(tmp_path / "pred.csv", "new")
    assert stale_file.exists() is False and stale_folder.exists() is True  # only pred.csv's
    with staged_directory(tmp_path / "model") as staging:
        (staging / "config.json").write_text("{}")
    assert not stale_folder.exists()
    assert sorted(_names(tmp_path)) == sorted(["pred.csv", "model", *(p.name for p in kept)])


def test_a_folder_caught_between_the_two_renames_of_a_swap_is_restored(tmp_path):
    backup = tmp_path / f".report.{_dead_pid()}-0123abcd.old"  # killed after moving the old report aside
    backup.mkdir()
    (backup / "index.html").write_text("previous")
    assert files.remove_stale(tmp_path / "report") == [backup]
    assert (tmp_path / "report" / "index.html").read_text() == "previous"
    assert _names(tmp_path) == ["report"]
