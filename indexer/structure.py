"""Which parser reads a record: DAS agendas, eDoc minutes, SBSYS publications, FirstAgenda records, or the fallbacks
(headings for text, pages for PDFs, with the committee and date the record states)."""

from __future__ import annotations

from indexer.clean import page_lines
from indexer.document import ParsedDocument
from indexer.read import Page
from indexer.references import stated_number
from indexer.segment.agenda import parse_agenda
from indexer.segment.fields import stated_meeting
from indexer.segment.firstagenda import parse_firstagenda
from indexer.segment.headings import parse_headings
from indexer.segment.minutes import parse_minutes
from indexer.segment.pages import parse_pages
from indexer.segment.sbsys import parse_sbsys


def parse_document(pages: list[Page], filename: str) -> ParsedDocument:
    """Parse a record's pages with the first parser that recognises its layout."""
    lines = page_lines((page.number, page.text) for page in pages)
    doc = parse_agenda(lines) or parse_minutes(lines) or parse_sbsys(lines) or parse_firstagenda(lines)
    if doc is None:
        has_pages = any(page.number is not None for page in pages)
        doc = parse_pages(lines, None) if has_pages else parse_headings(lines)
        committee, meeting_date = stated_meeting(lines)
        doc.committee = doc.committee or committee
        doc.meeting_date = meeting_date or doc.meeting_date
    doc.number = stated_number(lines)
    if doc.title is None:
        doc.title = filename
    doc.pages = len(pages) if any(page.number is not None for page in pages) else None
    return doc
