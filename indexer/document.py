"""The parsed shape of one record: lines with page numbers, grouped into items and sections.

Every parser in `indexer` works on these plain dataclasses; nothing here touches disk or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class SectionKind(StrEnum):
    """The section kinds a citation names."""

    RESUME = "Resumé"
    SAGSFREMSTILLING = "Sagsfremstilling"
    BAGGRUND = "Baggrund"
    INDSTILLING = "Indstilling"
    BESLUTNING = "Beslutning"
    BILAG = "Bilag"
    OTHER = "Andet"


class DocumentKind(StrEnum):
    """What a document is: an agenda, minutes (with decisions), or anything else."""

    AGENDA = "agenda"
    MINUTES = "minutes"
    OTHER = "other"


@dataclass(frozen=True)
class Line:
    """One cleaned text line, its page (None when unknown) and its 1-based line number in the source."""

    text: str
    page: int | None
    no: int


@dataclass
class Section:
    """A run of lines under one heading: an item's section, an appendix, or a heading of a non-agenda."""

    kind: SectionKind
    heading: str | None
    lines: list[Line] = field(default_factory=list)
    decided_on: date | None = None

    @property
    def text(self) -> str:
        """The section's text, lines joined by newlines."""
        return "\n".join(line.text for line in self.lines)

    @property
    def page(self) -> int | None:
        """The page the section starts on."""
        return next((line.page for line in self.lines if line.page is not None), None)


@dataclass
class Item:
    """One agenda item (`Punkt N.`) with its sections and appendices."""

    number: int
    title: str
    case_number: str | None = None
    is_open: bool = True
    sections: list[Section] = field(default_factory=list)
    appendix_titles: list[str] = field(default_factory=list)
    first_line: Line | None = None

    @property
    def page(self) -> int | None:
        """The page the item starts on."""
        if self.first_line is not None and self.first_line.page is not None:
            return self.first_line.page
        return next((s.page for s in self.sections if s.page is not None), None)


@dataclass
class ParsedDocument:
    """A whole record: agenda or minutes (items) or another document (top-level sections)."""

    kind: DocumentKind
    title: str | None = None
    committee: str | None = None
    meeting_date: date | None = None
    place: str | None = None
    items: list[Item] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    pages: int | None = None
    number: str | None = None
    """The document number the record states (`Dok.nr.`): an appendix filed alone is tied by it to its item."""
