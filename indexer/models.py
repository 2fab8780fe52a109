"""The SQLModel tables: the database is the source of truth; the FAISS file is derived from Chunk rows.

Every row derived from a document points to it (and to its item) with ON DELETE CASCADE: deleting a Document
deletes its items, sections, appendices, chunks, tariffs and decisions. A meeting is shared by the documents that
describe it and is deleted by the store when its last one goes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, UniqueConstraint
from sqlmodel import Column, Field, SQLModel


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Document(SQLModel, table=True):
    """One indexed file, known by the sha256 of its bytes."""

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(index=True)
    sha256: str = Field(index=True, unique=True)
    kind: str
    title: str | None = None
    pages: int | None = None
    size: int = 0
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    indexed_at: dt.datetime = Field(default_factory=_now)
    version_time: dt.datetime | None = None
    """When this version of the record was made (UTC): the PDF's own modification date, else the file's mtime.
    Of two files holding the same meeting's agenda (or minutes), the later one is kept."""
    number: str | None = None
    """The document number the record states (`Dok.nr.`), which an agenda item's appendix list may name."""
    reader_version: int | None = None
    """The `indexer.store.READER_VERSION` that read it (None: before versions were kept); an older one is read
    again at the next run."""


class Meeting(SQLModel, table=True):
    """A meeting of a committee; agenda and minutes of it share the row."""

    __table_args__ = (UniqueConstraint("committee", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    committee: str
    date: dt.date = Field(index=True)
    place: str | None = None


class AgendaItem(SQLModel, table=True):
    """An item of a meeting's agenda or minutes (`Punkt N.`)."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    number: int
    title: str
    case_number: str | None = None
    is_open: bool = True
    page: int | None = None


class Section(SQLModel, table=True):
    """A headed section of an item (Resumé, Sagsfremstilling, ...) or of a non-agenda document."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", index=True)
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id", ondelete="CASCADE", index=True)
    kind: str
    heading: str | None = None
    text: str
    page: int | None = None
    line_no: int | None = None


class Appendix(SQLModel, table=True):
    """An appendix (Bilag) of an item: its listed title and, where the record holds it, its text."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", index=True)
    item_id: int = Field(foreign_key="agendaitem.id", ondelete="CASCADE", index=True)
    title: str
    text: str = ""
    page: int | None = None
    line_no: int | None = None


class Chunk(SQLModel, table=True):
    """A passage inside one section or appendix; its id is its FAISS id and its vector is stored here."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", index=True)
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id", ondelete="CASCADE", index=True)
    section: str
    heading: str | None = None
    page: int | None = None
    line_start: int | None = None
    line_end: int | None = None
    text: str
    embed_text: str
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    ocr: bool | None = None
    """True when the passage's page was read by OCR (a scan); NULL in databases written before OCR."""


class Tariff(SQLModel, table=True):
    """A tariff (takst) stated in a record, with its citation."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", index=True)
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id", ondelete="CASCADE", index=True)
    offer: str = Field(index=True)
    service: str | None = None
    legal_basis: str | None = None
    places: int | None = None
    unit: str | None = None
    year: int | None = Field(default=None, index=True)
    amount_dkk: int
    previous_amount_dkk: int | None = None
    kind: str
    evidence: str
    page: int | None = None
    line_no: int | None = None


class Decision(SQLModel, table=True):
    """An item's recommendation (`indstilling`) or decision (`beslutning`), its lines kept apart."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE", index=True)
    item_id: int = Field(foreign_key="agendaitem.id", ondelete="CASCADE", index=True)
    kind: str
    lead: str | None = None
    text: str
    lines: str  # one line item per line of text
    page: int | None = None
    line_no: int | None = None
    decided_on: dt.date | None = None  # the day of a dated decision block (`… beslutning den 04.12.2012`)
    absent: str | None = None  # who took part how: one member, party or group per line, as the record names them
    dissent: str | None = None
    reservations: str | None = None
    abstained: str | None = None
