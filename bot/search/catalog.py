"""What search returns about a chunk: its text and its citation, loaded once from the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.citation import Citation
from indexer.models import AgendaItem, Chunk, Document, Meeting


@dataclass(frozen=True)
class ChunkInfo:
    """A chunk's text with its citation, and the source lines it spans."""

    text: str
    citation: Citation
    line_start: int | None = None
    line_end: int | None = None

    @property
    def id(self) -> int:
        """The chunk's id (its FAISS id)."""
        return self.citation.chunk_id

    @property
    def search_text(self) -> str:
        """What BM25 indexes: the item title and heading beside the passage."""
        return " ".join(p for p in (self.citation.item_title, self.citation.heading, self.text) if p)

    @property
    def section_key(self) -> tuple[int, int | None, str, str | None]:
        """The section the chunk lies in: document, item, section kind and heading."""
        cite = self.citation
        return (cite.document_id, cite.item_id, cite.section, cite.heading)

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
            Chunk.text,
            Chunk.line_start,
            Chunk.line_end,
            Document.filename,
            Chunk.page,
            Meeting.date,
            Meeting.committee,
            AgendaItem.number,
            AgendaItem.title,
            Chunk.section,
            Chunk.heading,
            Chunk.id,
            Chunk.document_id,
            Chunk.item_id,
            Chunk.ocr,
        )
        .join(Document, Chunk.document_id == Document.id)
        .outerjoin(Meeting, Document.meeting_id == Meeting.id)
        .outerjoin(AgendaItem, Chunk.item_id == AgendaItem.id)
        .order_by(Chunk.id)
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    chunks = (ChunkInfo(text, Citation(*cited, ocr=bool(ocr)), start, end) for text, start, end, *cited, ocr in rows)
    return {chunk.id: chunk for chunk in chunks}
