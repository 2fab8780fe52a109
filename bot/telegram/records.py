"""What the buttons open besides a whole agenda item: the item ids of a meeting's document, a cited page's text."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.search.catalog import ChunkInfo
from indexer.models import AgendaItem, Chunk, Document


def item_ids(engine: Engine, source: str) -> dict[int, int]:
    """Item number -> item id for the indexed document named `source`."""
    with Session(engine) as session:
        rows = session.exec(
            select(AgendaItem.number, AgendaItem.id)
            .join(Document, AgendaItem.document_id == Document.id)
            .where(Document.filename == source)
        ).all()
    return {number: item_id for number, item_id in rows}


def page_text(engine: Engine, chunk: ChunkInfo) -> str:
    """The indexed text of the page a chunk cites (the chunk's own text when the record has no pages)."""
    cite = chunk.citation
    if cite.page is None:
        return chunk.text
    with Session(engine) as session:
        texts = session.exec(
            select(Chunk.text).where(Chunk.document_id == cite.document_id, Chunk.page == cite.page).order_by(Chunk.id)
        ).all()
    return "\n\n".join(texts) or chunk.text
