"""Rows in and out of the store: one parsed, embedded record written as its document, meeting, items, sections,
appendices, facts and chunks; a document removed with everything derived from it (the foreign keys cascade)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete
from sqlmodel import Session, select

from indexer import ann
from indexer.chunking import Passage
from indexer.document import DocumentKind, Item, ParsedDocument, SectionKind
from indexer.document import Section as ParsedSection
from indexer.facts.extract import DecisionFact
from indexer.facts.tariffs import TariffFact
from indexer.history import Replacement
from indexer.models import AgendaItem, Appendix, Chunk, Decision, Document, Meeting, Section, Tariff


@dataclass(frozen=True)
class Facts:
    """The tariffs (with their item numbers) and decisions extracted from one document."""

    tariffs: list[tuple[int | None, TariffFact]]
    decisions: list[DecisionFact]


@dataclass(frozen=True)
class Record:
    """One file read, parsed and embedded: everything its document is written from."""

    filename: str
    sha256: str
    size: int
    version_time: dt.datetime
    doc: ParsedDocument
    passages: list[Passage]
    vectors: np.ndarray
    """One vector per passage, in their order."""
    facts: Facts
    ocr_pages: frozenset[int] = frozenset()
    """The pages whose text was read by OCR: a passage cited at one of them is marked as OCR text."""


READER_VERSION = 3
"""Raised whenever reading, parsing or fact extraction changes what a record yields (3: a line-break hyphen kept
in passages; 2: other committees' layouts, Word, HTML, OCR, who took part in a decision). A document read by an
older version is read again at the next run, so an upgrade needs no `--force`."""


def filename_of(session: Session, sha256: str) -> str | None:
    """The name of the file indexed with these bytes, if any."""
    return session.exec(select(Document.filename).where(Document.sha256 == sha256)).first()


def read_before(session: Session, sha256: str) -> bool:
    """Whether the document indexed with these bytes was read by an older READER_VERSION."""
    version = session.exec(select(Document.reader_version).where(Document.sha256 == sha256)).first()
    return version is None or version < READER_VERSION


def same_bytes(session: Session, sha256: str) -> list[int]:
    """The document indexed with these bytes, if any (as a list of ids, to replace on a re-read)."""
    return list(session.exec(select(Document.id).where(Document.sha256 == sha256)).all())


MeetingKey = tuple[str, dt.date] | None
"""A record's meeting as (committee, date); None for a record without a meeting date."""


def meeting_key(doc: ParsedDocument) -> MeetingKey:
    """The meeting `doc` describes, or None when it has no meeting date."""
    return (_committee(doc), doc.meeting_date) if doc.meeting_date else None


def namesakes(session: Session, filename: str) -> list[tuple[int, MeetingKey]]:
    """The documents indexed under `filename`, each with its meeting: the name alone says nothing of identity."""
    query = (
        select(Document.id, Meeting.committee, Meeting.date)
        .outerjoin(Meeting, Document.meeting_id == Meeting.id)
        .where(Document.filename == filename)
    )
    return [(doc_id, (committee, date) if date else None) for doc_id, committee, date in session.exec(query)]


def meeting_of(session: Session, sha256: str) -> MeetingKey:
    """The meeting of the document indexed with these bytes (None when there is none or it has no meeting)."""
    query = (
        select(Meeting.committee, Meeting.date)
        .join(Document, Document.meeting_id == Meeting.id)
        .where(Document.sha256 == sha256)
    )
    row = session.exec(query).first()
    return (row[0], row[1]) if row else None


def other_versions(session: Session, doc: ParsedDocument, filename: str) -> list[Document]:
    """Documents of other files that are the same meeting's agenda (or minutes) as `doc`."""
    if doc.meeting_date is None or doc.kind is DocumentKind.OTHER:
        return []
    query = (
        select(Document)
        .join(Meeting, Document.meeting_id == Meeting.id)
        .where(
            Meeting.committee == _committee(doc),
            Meeting.date == doc.meeting_date,
            Document.kind == doc.kind.value,
            Document.filename != filename,
        )
    )
    return list(session.exec(query).all())


def newer_version(session: Session, doc: ParsedDocument, filename: str, version: dt.datetime) -> str | None:
    """The file of a stored version of the same meeting's record made after `version` (rows from before version
    times were kept count as older), if any."""
    for stored in other_versions(session, doc, filename):
        if stored.version_time is not None and stored.version_time > version:
            return stored.filename
    return None


def replacement(session: Session, document_id: int, replaced_by: str) -> Replacement:
    """The log entry of a stored document about to be replaced by the file `replaced_by`."""
    document = session.get(Document, document_id)
    meeting = session.get(Meeting, document.meeting_id) if document.meeting_id is not None else None
    return Replacement(
        at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        file=document.filename,
        sha256=document.sha256,
        kind=document.kind,
        committee=meeting.committee if meeting else None,
        date=meeting.date.isoformat() if meeting else None,
        replaced_by=replaced_by,
    )


def write_document(session: Session, record: Record) -> list[int]:
    """Add `record`'s document and all its rows (flushed); returns its chunk ids, in the order of its vectors."""
    doc = record.doc
    meeting = _meeting(session, doc)
    document = Document(
        filename=record.filename,
        sha256=record.sha256,
        kind=doc.kind.value,
        title=doc.title,
        pages=doc.pages,
        size=record.size,
        meeting_id=meeting.id if meeting else None,
        version_time=record.version_time,
        number=doc.number,
        reader_version=READER_VERSION,
    )
    session.add(document)
    session.flush()
    item_ids = _store_items(session, document, doc)
    _store_facts(session, document, record.facts, item_ids)
    rows = [
        Chunk(
            document_id=document.id,
            item_id=item_ids.get(passage.item_number) if passage.item_number is not None else None,
            section=passage.section,
            heading=passage.heading,
            page=passage.page,
            line_start=passage.line_start,
            line_end=passage.line_end,
            text=passage.text,
            embed_text=passage.embed_text,
            vector=ann.vector_bytes(vector),
            ocr=passage.page in record.ocr_pages,
        )
        for passage, vector in zip(record.passages, record.vectors, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def delete_document(session: Session, document_id: int) -> list[int]:
    """Remove a document (its items, sections, appendices, chunks, tariffs and decisions go with it by cascade),
    and its meeting when no other document describes it; returns the ids of the chunks removed."""
    meeting_id = session.exec(select(Document.meeting_id).where(Document.id == document_id)).first()
    chunk_ids = list(session.exec(select(Chunk.id).where(Chunk.document_id == document_id)).all())
    session.exec(delete(Document).where(Document.id == document_id))
    others = select(Document.id).where(Document.meeting_id == meeting_id)
    if meeting_id is not None and session.exec(others).first() is None:
        session.exec(delete(Meeting).where(Meeting.id == meeting_id))
    return chunk_ids


def _committee(doc: ParsedDocument) -> str:
    return doc.committee or "Ukendt udvalg"


def _meeting(session: Session, doc: ParsedDocument) -> Meeting | None:
    """The meeting row the document describes, created on first sight."""
    if doc.meeting_date is None or doc.kind is DocumentKind.OTHER:
        return None
    committee = _committee(doc)
    meeting = session.exec(
        select(Meeting).where(Meeting.committee == committee, Meeting.date == doc.meeting_date)
    ).first()
    if meeting is None:
        meeting = Meeting(committee=committee, date=doc.meeting_date, place=doc.place)
        session.add(meeting)
        session.flush()
    elif doc.place and not meeting.place:
        meeting.place = doc.place
    return meeting


def _store_items(session: Session, document: Document, doc: ParsedDocument) -> dict[int, int]:
    """Items, their sections and appendices, and the document's own sections; returns item number -> id."""
    ids: dict[int, int] = {}
    for item in doc.items:
        row = AgendaItem(
            document_id=document.id,
            meeting_id=document.meeting_id,
            number=item.number,
            title=item.title,
            case_number=item.case_number,
            is_open=item.is_open,
            page=item.page,
        )
        session.add(row)
        session.flush()
        ids[item.number] = row.id
        for section in item.sections:
            if section.kind is not SectionKind.BILAG:
                session.add(_section_row(document.id, row.id, section))
        for title, body in _appendices(item):
            session.add(
                Appendix(
                    document_id=document.id,
                    item_id=row.id,
                    title=title,
                    text=body.text if body else "",
                    page=body.page if body else None,
                    line_no=body.lines[0].no if body else None,
                )
            )
    for section in doc.sections:
        session.add(_section_row(document.id, None, section))
    return ids


def _store_facts(session: Session, document: Document, facts: Facts, item_ids: dict[int, int]) -> None:
    """Tariffs and decisions of the document, each pointing to its item and page."""
    for number, fact in facts.tariffs:
        session.add(
            Tariff(
                document_id=document.id,
                item_id=item_ids.get(number) if number is not None else None,
                offer=fact.offer,
                service=fact.service,
                legal_basis=fact.legal_basis,
                places=fact.places,
                unit=fact.unit,
                year=fact.year,
                amount_dkk=fact.amount_dkk,
                previous_amount_dkk=fact.previous_amount_dkk,
                kind=fact.kind,
                evidence=fact.evidence,
                page=fact.line.page,
                line_no=fact.line.no,
            )
        )
    for fact in facts.decisions:
        session.add(
            Decision(
                document_id=document.id,
                item_id=item_ids[fact.item_number],
                kind=fact.kind,
                lead=fact.lead,
                text=fact.text,
                lines="\n".join(fact.lines),
                page=fact.section.page,
                line_no=fact.section.lines[0].no if fact.section.lines else None,
                decided_on=fact.decided_on,
                absent=_joined(fact.participation.absent),
                dissent=_joined(fact.participation.dissent),
                reservations=_joined(fact.participation.reservations),
                abstained=_joined(fact.participation.abstained),
            )
        )


def _joined(names: tuple[str, ...]) -> str | None:
    """Names one per line, or None when there are none."""
    return "\n".join(names) or None


def _appendices(item: Item) -> list[tuple[str, ParsedSection | None]]:
    """Each listed appendix with its text where the record holds it; unlisted appendix text as "Bilag"."""
    bodies = [s for s in item.sections if s.kind is SectionKind.BILAG]
    by_title = {s.heading: s for s in bodies}
    pairs: list[tuple[str, ParsedSection | None]] = [(t, by_title.get(t)) for t in item.appendix_titles]
    pairs += [(s.heading or "Bilag", s) for s in bodies if s.heading not in item.appendix_titles]
    return pairs


def _section_row(document_id: int, item_id: int | None, section: ParsedSection) -> Section:
    return Section(
        document_id=document_id,
        item_id=item_id,
        kind=section.kind.value,
        heading=section.heading,
        text=section.text,
        page=section.page,
        line_no=section.lines[0].no if section.lines else None,
    )
