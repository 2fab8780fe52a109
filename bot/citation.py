"""Where a passage stands in the records: the one citation that search, answers and every face share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Citation:
    """A passage's source file and page (`ocr` when the page's text was read by OCR from a scan), its meeting,
    agenda item and section, and the chunk it comes from."""

    source: str
    page: int | None
    meeting_date: date | None
    committee: str | None
    item: int | None
    item_title: str | None
    section: str
    heading: str | None
    chunk_id: int
    document_id: int
    item_id: int | None
    ocr: bool = False
