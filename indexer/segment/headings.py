"""Documents that are not agendas (strategies, notes, letters): sections by their own headings."""

from __future__ import annotations

import re

from indexer.document import DocumentKind, Line, ParsedDocument, Section, SectionKind

MIN_SECTION_CHARS = 600
_TERMINAL = re.compile(r"[.,;:\-–!?)]\s*$")


def is_heading(line: Line, previous: Line | None, following: Line | None) -> bool:
    """A short capitalised line without closing punctuation, after a finished sentence, before a capital."""
    text = line.text.strip()
    words = text.split()
    if not 1 <= len(words) <= 8 or len(text) > 60 or _TERMINAL.search(text):
        return False
    if not text[:1].isupper() or sum(c.isdigit() for c in text) > len(text) // 3:
        return False
    if previous is not None and not re.search(r"[.!?:]\s*$", previous.text) and len(previous.text) > 60:
        return False
    return following is None or following.text.strip()[:1].isupper()


def parse_headings(lines: list[Line], title: str | None = None) -> ParsedDocument:
    """Split lines at heading-like lines; sections shorter than MIN_SECTION_CHARS merge into the previous."""
    sections: list[Section] = []
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else None
        following = lines[index + 1] if index + 1 < len(lines) else None
        if not sections or (is_heading(line, previous, following) and _long_enough(sections[-1])):
            sections.append(Section(SectionKind.OTHER, line.text.strip()))
        sections[-1].lines.append(line)
    return ParsedDocument(
        kind=DocumentKind.OTHER,
        title=title or (lines[0].text.strip() if lines else None),
        sections=sections,
    )


def _long_enough(section: Section) -> bool:
    return sum(len(line.text) for line in section.lines) >= MIN_SECTION_CHARS
