"""The built-in prompt set and prompts files."""

from __future__ import annotations

import re

import pytest

from priorlab.lm.prompts import BUILTIN_PROMPTS, KINDS, gather_prompts, load_prompts_file


def test_the_prompt_of_perone_2019_comes_first():
    assert BUILTIN_PROMPTS[0].text == "with a population size of"
    assert BUILTIN_PROMPTS[0].kind == "benford"


def test_builtin_set_covers_benford_contexts_and_contrasts():
    assert len(BUILTIN_PROMPTS) == 64  # the benchmark's size
    benford = [p for p in BUILTIN_PROMPTS if p.kind == "benford"]
    contrast = [p for p in BUILTIN_PROMPTS if p.kind == "contrast"]
    assert len(benford) >= 21 and len(benford) + len(contrast) == len(BUILTIN_PROMPTS)
    assert {"population", "area", "length", "distance", "money"} <= {p.topic for p in benford}
    assert {"year", "percentage", "page", "age"} <= {p.topic for p in contrast}
    assert len({p.text for p in BUILTIN_PROMPTS}) == len(BUILTIN_PROMPTS)
    assert all(p.kind in KINDS and p.text == p.text.strip() and p.text for p in BUILTIN_PROMPTS)


def test_prompts_file_skips_blank_lines_and_comments(tmp_path):
    path = tmp_path / "prompts.txt"
    path.write_text("# my prompts\nThe lake is\n\n   \n  The hill is about  \n", encoding="utf-8")
    prompts = load_prompts_file(path)
    assert [p.text for p in prompts] == ["The lake is", "The hill is about"]
    assert {p.kind for p in prompts} == {"custom"}


def test_unreadable_prompts_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape("missing.txt")):
        load_prompts_file(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no prompts"):
        load_prompts_file(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(ValueError, match="cannot be read"):
        load_prompts_file(binary)
    with pytest.raises(ValueError, match="cannot be read"):
        load_prompts_file(tmp_path)


def test_gathered_prompts_are_the_arguments_then_the_file_else_the_builtin_set(tmp_path):
    path = tmp_path / "prompts.txt"
    path.write_text("The lake is\n# a comment\nThe hill is\n", encoding="utf-8")
    assert gather_prompts(["A price of $"], path) == ["A price of $", "The lake is", "The hill is"]
    assert gather_prompts(None, path) == ["The lake is", "The hill is"]
    assert gather_prompts(["In"]) == ["In"]
    assert gather_prompts(None) == gather_prompts([]) == [p.text for p in BUILTIN_PROMPTS]
