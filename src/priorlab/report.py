"""Report assembly: one self-contained HTML page, its figures beside it, in a safely replaced folder.

A report is a list of sections; each section holds figures (PNG/GIF files already written in the
report folder), tables and notes. `render_html` embeds every figure as a base64 data URI so the page
can be mailed or opened anywhere, and also links the file beside it. All text is escaped.

A report folder is built in a staging folder and swapped in at the end (`staged_output_dir`, over
`priorlab.files.staged_directory`), so an error never leaves a half-written report behind; the marker
file and `check_output_dir` make sure it never clobbers a folder that is not a previous report.
"""

from __future__ import annotations

import base64
import html
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from priorlab.files import staged_directory, write_json, write_text

logger = logging.getLogger(__name__)

REPORT_MARKER = ".priorlab-report"
"""File that marks a folder as a priorlab report, so a later run may replace it."""

_MIME_TYPES = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".svg": "image/svg+xml"}


# --- report content ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFigure:
    """A figure file inside the report folder and the caption that says what to see in it.

    `half` figures take half the page width, so two of them sit side by side.
    """

    file: str
    caption: str
    title: str = ""
    half: bool = False


@dataclass(frozen=True)
class ReportTable:
    """A small table; floats are shown with four significant digits. `link` names a file in the report
    folder (e.g. the full table as CSV) that the caption links to."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    caption: str = ""
    link: str = ""


@dataclass(frozen=True)
class ReportNote:
    """A paragraph of text; `kind="skipped"` renders it as a highlighted box."""

    text: str
    kind: str = "info"


ReportItem = ReportFigure | ReportTable | ReportNote


@dataclass
class ReportSection:
    """One titled part of the report."""

    title: str
    intro: str = ""
    items: list[ReportItem] = field(default_factory=list)

    @property
    def figures(self) -> list[ReportFigure]:
        return [item for item in self.items if isinstance(item, ReportFigure)]


@dataclass
class Report:
    """The whole page: a title, an introduction and its sections."""

    title: str
    intro: str = ""
    sections: list[ReportSection] = field(default_factory=list)

    @property
    def figures(self) -> list[ReportFigure]:
        return [figure for section in self.sections for figure in section.figures]


# --- rendering -----------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; line-height: 1.5;
       max-width: 1040px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em; margin-top: 2.2em; }
nav ol { columns: 2; }
figure { margin: 1.5em 0; }
figure.half { display: inline-block; width: 47.5%; margin-right: 2%; vertical-align: top; }
figure.half img { width: 100%; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.95em; color: #444; margin-top: 0.3em; }
figcaption .file { color: #888; font-size: 0.85em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
caption { caption-side: top; text-align: left; color: #444; padding-bottom: 0.3em; }
.skipped { background: #fff6d6; border-left: 4px solid #e0b000; padding: 0.6em 1em; }
footer { margin-top: 3em; color: #888; font-size: 0.85em; }
"""


def _anchor(index: int) -> str:
    return f"section-{index + 1}"


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return '<td class="number">n/a</td>'
    if isinstance(value, bool):
        return f"<td>{html.escape(str(value))}</td>"
    if isinstance(value, float):
        return f'<td class="number">{value:.4g}</td>'
    if isinstance(value, int):
        return f'<td class="number">{value}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _render_table(table: ReportTable) -> str:
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in table.columns)
    body = "\n".join(f"<tr>{''.join(_cell(value) for value in row)}</tr>" for row in table.rows)
    link = f' <a class="file" href="{html.escape(table.link, quote=True)}">{html.escape(table.link)}</a>'
    caption = f"<caption>{html.escape(table.caption)}{link if table.link else ''}</caption>"
    caption = caption if table.caption or table.link else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"


def _render_figure(figure: ReportFigure, folder: Path) -> str:
    path = folder / figure.file
    mime = _MIME_TYPES.get(path.suffix.lower())
    if mime is None:
        raise ValueError(f"figure {figure.file!r}: unsupported file type {path.suffix!r}")
    if not path.is_file():
        raise FileNotFoundError(f"figure {figure.file!r}: no such file in {folder}")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    name = html.escape(figure.file, quote=True)
    alt = html.escape(figure.title or figure.caption, quote=True)
    title = f"<strong>{html.escape(figure.title)}.</strong> " if figure.title else ""
    css = ' class="half"' if figure.half else ""
    return (
        f'<figure id="{name}"{css}><img src="data:{mime};base64,{data}" alt="{alt}" data-file="{name}">'
        f"<figcaption>{title}{html.escape(figure.caption)} "
        f'<a class="file" href="{name}">{name}</a></figcaption></figure>'
    )


def _render_item(item: ReportItem, folder: Path) -> str:
    if isinstance(item, ReportFigure):
        return _render_figure(item, folder)
    if isinstance(item, ReportTable):
        return _render_table(item)
    css = ' class="skipped"' if item.kind == "skipped" else ""
    return f"<p{css}>{html.escape(item.text)}</p>"


def render_html(report: Report, folder: Path) -> str:
    """The report as one HTML page; figures are read from `folder` and embedded as data URIs."""
    folder = Path(folder)
    toc = "".join(
        f'<li><a href="#{_anchor(i)}">{html.escape(section.title)}</a></li>'
        for i, section in enumerate(report.sections)
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
    ]
    if report.intro:
        parts.append(f"<p>{html.escape(report.intro)}</p>")
    parts.append(f"<nav><ol>{toc}</ol></nav>")
    for i, section in enumerate(report.sections):
        parts.append(f'<section id="{_anchor(i)}"><h2>{html.escape(section.title)}</h2>')
        if section.intro:
            parts.append(f"<p>{html.escape(section.intro)}</p>")
        parts.extend(_render_item(item, folder) for item in section.items)
        parts.append("</section>")
    parts.append("<footer>Generated by priorlab. Every figure is also saved beside this page.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# --- the page on disk ----------------------------------------------------------------------------


def write_report(report: Report, folder: Path, name: str = "index.html") -> Path:
    """Render `report` with the figures in `folder` and write it there as `name`."""
    return write_text(Path(folder) / name, render_html(report, folder))


# --- the report folder ---------------------------------------------------------------------------


def is_previous_report(folder: Path) -> bool:
    """Whether `folder` holds a report written by priorlab (it carries the marker file)."""
    return (Path(folder) / REPORT_MARKER).is_file()


def check_output_dir(out: Path) -> None:
    """Refuse an output folder that would lose someone's files or cannot be written.

    Accepted: a missing path, an empty folder, or a previous priorlab report.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"out: {out} exists and is not a folder; choose a folder for the report")
    if out.is_dir() and any(out.iterdir()) and not is_previous_report(out):
        raise FileExistsError(
            f"out: {out} is not empty and is not a previous priorlab report (no {REPORT_MARKER} "
            "file); choose a new or empty folder, or remove it first"
        )
    parent = out.absolute().parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), parent)
    if not existing.is_dir():
        raise ValueError(f"out: cannot create {out}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"out: cannot write the report to {out}: {existing} is not writable")


@contextmanager
def staged_output_dir(out: Path) -> Iterator[Path]:
    """Yield a staging folder beside `out`; on success mark it as a report and swap it in.

    On any error the staging folder is removed and `out` is left exactly as it was.
    """
    out = Path(out)
    check_output_dir(out)
    with ExitStack() as stack:
        try:
            staging = stack.enter_context(staged_directory(out))
        except OSError as exc:
            raise PermissionError(f"out: cannot write the report to {out}: {exc.strerror or exc}") from exc
        yield staging
        write_json(staging / REPORT_MARKER, {"generator": "priorlab", "format": 1})
    logger.info("report written to %s", out)
