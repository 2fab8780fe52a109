"""The fallback for documents of unknown layout: one section per page, and the date the text names most."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from indexer.dates import find_dates
from indexer.document import DocumentKind, Line, ParsedDocument, Section, SectionKind


def parse_pages(lines: list[Line], title: str | None) -> ParsedDocument:
    """A document of kind OTHER with a `Side N` section per page (heading None for unknown pages)."""
    sections = [
        Section(SectionKind.OTHER, f"Side {page}" if page is not None else None, list(group))
        for page, group in groupby(lines, key=lambda line: line.page)
    ]
    dates = Counter(find_dates("\n".join(line.text for line in lines)))
    return ParsedDocument(
        kind=DocumentKind.OTHER,
        title=title,
        meeting_date=dates.most_common(1)[0][0] if dates else None,
        sections=sections,
        pages=max((line.page for line in lines if line.page is not None), default=None),
    )
