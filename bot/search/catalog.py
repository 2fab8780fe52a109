"""What search returns about a chunk: its text and its citation, loaded once from the database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.citation import Citation
from indexer.document import SectionKind
from indexer.models import AgendaItem, Appendix, Chunk, Document, Meeting
from indexer.references import listed_number


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
        filed = _filed_appendices(session)
    chunks = (ChunkInfo(text, Citation(*cited, ocr=bool(ocr)), start, end) for text, start, end, *cited, ocr in rows)
    return {chunk.id: _as_appendix(chunk, filed) for chunk in chunks}


@dataclass(frozen=True)
class _ListedBy:
    """The agenda item that lists a document as its appendix."""

    meeting_date: date | None
    committee: str | None
    number: int
    title: str
    item_id: int


def _filed_appendices(session: Session) -> dict[int, _ListedBy]:
    """Documents filed alone that an agenda item lists as its appendix by their number, keyed by document id."""
    numbered = dict(session.exec(select(Document.number, Document.id).where(Document.number.is_not(None))).all())
    if not numbered:
        return {}
    query = (
        select(Appendix.title, Meeting.date, Meeting.committee, AgendaItem.number, AgendaItem.title, AgendaItem.id)
        .join(AgendaItem, Appendix.item_id == AgendaItem.id)
        .outerjoin(Meeting, AgendaItem.meeting_id == Meeting.id)
    )
    filed: dict[int, _ListedBy] = {}
    for appendix_title, *item in session.exec(query).all():
        document_id = numbered.get(listed_number(appendix_title) or "")
        if document_id is not None:
            filed[document_id] = _ListedBy(*item)
    return filed


def _as_appendix(chunk: ChunkInfo, filed: dict[int, _ListedBy]) -> ChunkInfo:
    """A chunk of a document filed alone, cited as an appendix (Bilag) of the item that lists it, its own file,
    page and heading kept; any other chunk as it is."""
    cite = chunk.citation
    item = filed.get(cite.document_id)
    if item is None or cite.item_id is not None:
        return chunk
    linked = replace(
        cite,
        meeting_date=item.meeting_date,
        committee=item.committee,
        item=item.number,
        item_title=item.title,
        section=SectionKind.BILAG.value,
        item_id=item.item_id,
    )
    return replace(chunk, citation=linked)
