"""Which parser reads a record: agenda, minutes, or the fallbacks (headings for text, pages for PDFs)."""

from __future__ import annotations

from indexer.clean import page_lines
from indexer.document import ParsedDocument
from indexer.read import Page
from indexer.segment.agenda import parse_agenda
from indexer.segment.headings import parse_headings
from indexer.segment.minutes import parse_minutes
from indexer.segment.pages import parse_pages


def parse_document(pages: list[Page], filename: str) -> ParsedDocument:
    """Parse a record's pages with the first parser that recognises its layout."""
    lines = page_lines((page.number, page.text) for page in pages)
    doc = parse_agenda(lines) or parse_minutes(lines)
    if doc is None:
        has_pages = any(page.number is not None for page in pages)
        doc = parse_pages(lines, None) if has_pages else parse_headings(lines)
    if doc.title is None:
        doc.title = filename
    doc.pages = len(pages) if any(page.number is not None for page in pages) else None
    return doc
