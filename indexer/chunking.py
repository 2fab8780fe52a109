"""Passages for search: windows of lines inside one section, within the embedding model's token limit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from indexer.clean import join_lines, searchable
from indexer.document import Item, Line, ParsedDocument, Section, SectionKind

TARGET_WORDS = 80
OVERLAP_LINES = 1

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class Passage:
    """A chunk before it is stored: the passage text, the text to embed, and where it comes from."""

    text: str
    embed_text: str
    section: str
    heading: str | None
    page: int | None
    line_start: int
    line_end: int
    item_number: int | None


def context_header(doc: ParsedDocument, item: Item | None, section: Section) -> str:
    """The context an embedded chunk carries: meeting, item title and section, so short chunks find their item."""
    parts = []
    if doc.committee or doc.meeting_date:
        when = doc.meeting_date.strftime("%d.%m.%Y") if isinstance(doc.meeting_date, date) else ""
        parts.append(" ".join(p for p in (doc.committee, when) if p))
    elif doc.title:
        parts.append(doc.title)
    if item is not None:
        parts.append(f"Punkt {item.number}: {item.title}")
    label = section.kind.value if section.kind is not SectionKind.OTHER else None
    if section.heading and section.heading != label:
        label = f"{label}: {section.heading}" if label else section.heading
    if label:
        parts.append(label)
    return " | ".join(parts)


def windows(lines: list[Line], target_words: int = TARGET_WORDS) -> Iterator[list[Line]]:
    """Consecutive line windows of about `target_words` words, overlapping by OVERLAP_LINES lines."""
    start = 0
    while start < len(lines):
        words = 0
        end = start
        while end < len(lines) and (end == start or words + len(lines[end].text.split()) <= target_words):
            words += len(lines[end].text.split())
            end += 1
        yield lines[start:end]
        if end >= len(lines):
            return
        start = max(end - OVERLAP_LINES, start + 1)


def split_to_fit(text: str, header: str, max_tokens: int, count: TokenCounter) -> list[str]:
    """Split a passage (at word boundaries, in halves) until header + passage fits in `max_tokens`."""
    if count(f"{header}\n{text}") <= max_tokens:
        return [text]
    words = text.split()
    if len(words) < 2:
        return [text[: len(text) // 2], text[len(text) // 2 :]] if len(text) > 1 else [text]
    middle = len(words) // 2
    return split_to_fit(" ".join(words[:middle]), header, max_tokens, count) + split_to_fit(
        " ".join(words[middle:]), header, max_tokens, count
    )


def section_passages(
    doc: ParsedDocument, item: Item | None, section: Section, max_tokens: int, count: TokenCounter
) -> list[Passage]:
    """The passages of one section: line windows, each split further if it would exceed the token limit."""
    header = context_header(doc, item, section)
    passages = []
    for window in windows(section.lines):
        text = join_lines((line.text for line in window), keep_hyphens=True)
        for part in split_to_fit(text, header, max_tokens, count):
            if not part.strip():  # a window of blank lines has nothing to find
                continue
            passages.append(
                Passage(
                    text=part,
                    embed_text=f"{header}\n{searchable(part)}",
                    section=section.kind.value,
                    heading=section.heading,
                    page=next((line.page for line in window if line.page is not None), None),
                    line_start=window[0].no,
                    line_end=window[-1].no,
                    item_number=item.number if item else None,
                )
            )
    return passages


def document_passages(doc: ParsedDocument, max_tokens: int, count: TokenCounter) -> list[Passage]:
    """Every passage of a parsed document, items first, then top-level sections."""
    passages: list[Passage] = []
    for item in doc.items:
        if not item.sections and item.title.strip():  # "Eventuelt": the title alone answers "what was on"
            line = Line(item.title, item.page, item.first_line.no if item.first_line else 0)
            passages.extend(section_passages(doc, item, Section(SectionKind.OTHER, None, [line]), max_tokens, count))
        for section in item.sections:
            passages.extend(section_passages(doc, item, section, max_tokens, count))
    for section in doc.sections:
        passages.extend(section_passages(doc, None, section, max_tokens, count))
    if doc.items:
        passages.extend(section_passages(doc, None, overview(doc), max_tokens, count))
    return passages


def overview(doc: ParsedDocument) -> Section:
    """The meeting's items as one section ("1. Title" lines, each at its item's page), for questions about
    what was on a meeting's agenda."""
    lines = [
        Line(f"{item.number}. {item.title}", item.page, item.first_line.no if item.first_line else 0)
        for item in doc.items
        if item.title.strip()
    ]
    return Section(SectionKind.OTHER, "Dagsordenens punkter", lines)
