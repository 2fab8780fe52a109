"""What search returns about a chunk: its text and its citation, loaded once from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from indexer.models import AgendaItem, Chunk, Document, Meeting


@dataclass(frozen=True)
class ChunkInfo:
    """A chunk with its citation: source file, page, meeting, item and section."""

    id: int
    text: str
    source: str
    page: int | None
    meeting_date: date | None
    committee: str | None
    item: int | None
    item_title: str | None
    section: str
    heading: str | None
    document_id: int
    item_id: int | None
    line_start: int | None = None
    line_end: int | None = None

    @property
    def search_text(self) -> str:
        """What BM25 indexes: the item title and heading beside the passage."""
        return " ".join(p for p in (self.item_title, self.heading, self.text) if p)

    @property
    def section_key(self) -> tuple[int, int | None, str, str | None]:
        """The section the chunk lies in: document, item, section kind and heading."""
        return (self.document_id, self.item_id, self.section, self.heading)

    def continues(self, previous: ChunkInfo) -> bool:
        """Whether this chunk directly follows `previous` in one section (chunks overlap by a line or split
        one window, so a later section with the same heading is not taken for a continuation)."""
        return (
            self.section_key == previous.section_key
            and self.line_start is not None
            and previous.line_end is not None
            and previous.line_start is not None
            and previous.line_start <= self.line_start <= previous.line_end
        )


def load_catalog(engine: Engine) -> dict[int, ChunkInfo]:
    """Every chunk with its citation, keyed by chunk id (plain columns: no ORM objects, no vectors read)."""
    query = (
        select(
            Chunk.id, Chunk.text, Document.filename, Chunk.page, Meeting.date, Meeting.committee, AgendaItem.number,
            AgendaItem.title, Chunk.section, Chunk.heading, Chunk.document_id, Chunk.item_id,
            Chunk.line_start, Chunk.line_end,
        )
        .join(Document, Chunk.document_id == Document.id)
        .outerjoin(Meeting, Document.meeting_id == Meeting.id)
        .outerjoin(AgendaItem, Chunk.item_id == AgendaItem.id)
        .order_by(Chunk.id)
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    return {row[0]: ChunkInfo(*row) for row in rows}
