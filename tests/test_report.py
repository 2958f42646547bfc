"""Report assembly: HTML that parses and escapes, embedded figures, safe output folders.

The generic atomic writing underneath is tested in test_files.py."""

from __future__ import annotations

import base64
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from priorlab.report import (
    REPORT_MARKER,
    Report,
    ReportFigure,
    ReportNote,
    ReportSection,
    ReportTable,
    check_output_dir,
    render_html,
    staged_output_dir,
    write_report,
)


class PageParser(HTMLParser):
    """Collects the start tags (with attributes) and the text of an HTML page; checks nesting."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)

    @classmethod
    def parse(cls, page: str) -> PageParser:
        parser = cls()
        parser.feed(page)
        parser.close()
        assert parser.open == [], f"unclosed tags: {parser.open}"
        return parser

    def attrs_of(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _png(path: Path, color: tuple[int, int, int] = (200, 30, 30)) -> Path:
    Image.new("RGB", (8, 6), color).save(path)
    return path


EXPECTED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "p", "nav", "ol", "li", "a", "section", "h2",
    "table", "caption", "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption", "strong", "footer",
}  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=40), cell=st.text(max_size=20))
def test_all_text_is_escaped_and_survives_the_round_trip(text, cell, tmp_path_factory):
    """Whatever the text, the page parses, no tag is injected, and the reader sees the text as written."""
    report = Report(
        text,
        text,
        [ReportSection(text, text, [ReportNote(text), ReportTable([text, "n"], [[cell, 1]], caption=text)])],
    )
    parsed = PageParser.parse(render_html(report, tmp_path_factory.mktemp("page")))
    assert {tag for tag, _ in parsed.tags} <= EXPECTED_TAGS
    page_text = "".join(parsed.text)
    assert page_text.count(text) >= 5
    assert cell in page_text


def test_figures_are_embedded_and_linked(tmp_path):
    png = _png(tmp_path / "a.png")
    report = Report("t", sections=[ReportSection("s", items=[ReportFigure("a.png", "what to see", "A")])])
    parsed = PageParser.parse(render_html(report, tmp_path))
    (img,) = parsed.attrs_of("img")
    prefix = "data:image/png;base64,"
    assert img["src"].startswith(prefix)
    assert base64.b64decode(img["src"][len(prefix):]) == png.read_bytes()
    assert img["data-file"] == "a.png"
    assert {"href": "a.png", "class": "file"} in parsed.attrs_of("a")
    assert "what to see" in "".join(parsed.text)
    assert report.figures == [ReportFigure("a.png", "what to see", "A")]


def test_table_cells_are_formatted(tmp_path):
    table = ReportTable(["name", "x", "k"], [["a", 1 / 3, 7], ["b", 12345.678, None], ["c", float("nan"), 0]])
    parsed = PageParser.parse(render_html(Report("t", sections=[ReportSection("s", items=[table])]), tmp_path))
    assert len(parsed.attrs_of("tr")) == 4
    assert len(parsed.attrs_of("td")) == 9
    text = "".join(parsed.text)
    assert "0.3333" in text and "1.235e+04" in text and "7" in text
    assert text.count("n/a") == 2 and "nan" not in text and "None" not in text


def test_missing_or_unknown_figure_files_are_named(tmp_path):
    missing = Report("t", sections=[ReportSection("s", items=[ReportFigure("gone.png", "c")])])
    with pytest.raises(FileNotFoundError, match=re.escape("gone.png")):
        render_html(missing, tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    unknown = Report("t", sections=[ReportSection("s", items=[ReportFigure("notes.txt", "c")])])
    with pytest.raises(ValueError, match=re.escape("notes.txt")):
        render_html(unknown, tmp_path)


def test_write_report_writes_the_page_beside_its_figures(tmp_path):
    _png(tmp_path / "line.png")
    report = Report("t", sections=[ReportSection("s", items=[ReportFigure("line.png", "c")])])
    page = write_report(report, tmp_path)
    assert page == tmp_path / "index.html"
    assert PageParser.parse(page.read_text()).attrs_of("img")[0]["data-file"] == "line.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "line.png"]


# --- output folders --------------------------------------------------------------------------------


def test_new_folder_is_created_with_marker_but_not_its_parents(tmp_path):
    with pytest.raises(PermissionError, match="does not exist"), staged_output_dir(tmp_path / "deep" / "report"):
        pass
    assert list(tmp_path.iterdir()) == []
    out = tmp_path / "deep" / "report"
    out.parent.mkdir()
    with staged_output_dir(out) as folder:
        assert not out.exists()
        (folder / "index.html").write_text("hi")
    assert (out / "index.html").read_text() == "hi"
    assert (out / REPORT_MARKER).is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == ["report"]


def test_previous_report_is_replaced(tmp_path):
    out = tmp_path / "out"
    with staged_output_dir(out) as folder:
        (folder / "old.png").write_text("old")
    with staged_output_dir(out) as folder:
        (folder / "new.png").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [REPORT_MARKER, "new.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_error_leaves_previous_report_untouched(tmp_path):
    out = tmp_path / "out"
    with staged_output_dir(out) as folder:
        (folder / "keep.png").write_text("keep")
    with pytest.raises(RuntimeError), staged_output_dir(out) as folder:
        (folder / "half.png").write_text("half")
        raise RuntimeError("boom")
    assert sorted(p.name for p in out.iterdir()) == [REPORT_MARKER, "keep.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_foreign_folder_is_refused_and_kept(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError, match="not a previous priorlab report") as error, staged_output_dir(out):
        pass
    assert str(out) in str(error.value)
    assert (out / "thesis.tex").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_empty_folder_is_accepted(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    check_output_dir(out)


def test_file_or_path_under_a_file_is_refused(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(FileExistsError, match="not a folder"):
        check_output_dir(a_file)
    with pytest.raises(ValueError, match="is not a folder"):
        check_output_dir(a_file / "out")


def test_unwritable_parent_is_refused(tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:  # root writes everywhere: simulate the permission check failing
        monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked)
    else:
        locked.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="not writable"):
            check_output_dir(locked / "out")
    finally:
        locked.chmod(0o700)
