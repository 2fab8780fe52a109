"""From files to the store: read, parse, chunk, embed, write in one transaction, then swap the FAISS file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, delete
from sqlmodel import Session, select

from indexer import ann
from indexer.chunking import Passage, document_passages
from indexer.document import DocumentKind, Item, ParsedDocument, SectionKind
from indexer.document import Section as ParsedSection
from indexer.embedding import Embedder
from indexer.facts.extract import DecisionFact, document_decisions, document_tariffs
from indexer.facts.tariffs import TariffFact
from indexer.models import AgendaItem, Appendix, Chunk, Decision, Document, Meeting, Section, Tariff
from indexer.read import UnreadableFile, read_pages
from indexer.structure import parse_document

SUPPORTED = {".pdf", ".txt", ".md"}
EMBED_SLICE = 256

Progress = Callable[[str, int, int], None]


@dataclass
class FileReport:
    """What indexing one file found, or why it failed."""

    path: str
    status: str  # indexed | replaced | unchanged | failed
    kind: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    items: int = 0
    appendices: int = 0
    chunks: int = 0
    tariffs: int = 0
    decisions: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Facts:
    """The tariffs (with their item numbers) and decisions extracted from one document."""

    tariffs: list[tuple[int | None, TariffFact]]
    decisions: list[DecisionFact]


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The files to index: given files as they are, folders walked for supported types, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED))
        else:
            found.append(path)
    return found


class Indexer:
    """Indexes files into the database and keeps the FAISS file in step with it."""

    def __init__(self, engine: Engine, ann_path: Path, embedder: Callable[[], Embedder]) -> None:
        self.engine = engine
        self.ann_path = ann_path
        self._embedder = embedder

    def index(self, paths: Iterable[Path], progress: Progress | None = None) -> list[FileReport]:
        """Index every file under `paths`; unchanged files (same sha256) are skipped without embedding."""
        reports = [self._index_file(path, progress) for path in collect_files(paths)]
        if any(r.status in ("indexed", "replaced") for r in reports) or not self.ann_path.exists():
            ann.rebuild(self.engine, self.ann_path, self._dim())
        return reports

    def rebuild_ann(self) -> None:
        """Rebuild the FAISS file from the database."""
        ann.rebuild(self.engine, self.ann_path, self._dim())

    def _dim(self) -> int:
        return self._embedder().dim

    def _index_file(self, path: Path, progress: Progress | None) -> FileReport:
        report = FileReport(path=path.name, status="failed")
        try:
            data = _read_bytes(path)
            sha = hashlib.sha256(data).hexdigest()
            with Session(self.engine) as session:
                if session.exec(select(Document.id).where(Document.sha256 == sha)).first() is not None:
                    report.status = "unchanged"
                    return report
            doc = parse_document(read_pages(path), path.name)
        except UnreadableFile as error:
            report.error = str(error)
            return report
        embedder = self._embedder()
        passages = document_passages(doc, embedder.max_tokens, embedder.count_tokens)
        if not passages:
            report.error = "no text to index"
            return report
        vectors = _embed(embedder, [p.embed_text for p in passages], path.name, progress)
        facts = Facts(document_tariffs(doc), document_decisions(doc))
        report.status = self._store(path, data, sha, doc, passages, vectors, facts)
        _summarise(report, doc, len(passages), facts)
        return report

    def _store(
        self, path: Path, data: bytes, sha: str, doc: ParsedDocument, passages: list[Passage], vectors: np.ndarray,
        facts: Facts,
    ) -> str:
        """Write one document in a single transaction, replacing an earlier version under the same name."""
        with Session(self.engine) as session, session.begin():
            old_ids = session.exec(select(Document.id).where(Document.filename == path.name)).all()
            for old_id in old_ids:
                delete_document(session, old_id)
            meeting = _meeting(session, doc)
            document = Document(
                filename=path.name, sha256=sha, kind=doc.kind.value, title=doc.title, pages=doc.pages,
                size=len(data), meeting_id=meeting.id if meeting else None,
            )
            session.add(document)
            session.flush()
            item_ids = _store_items(session, document, doc)
            _store_facts(session, document, facts, item_ids)
            for passage, vector in zip(passages, vectors):
                session.add(
                    Chunk(
                        document_id=document.id,
                        item_id=item_ids.get(passage.item_number) if passage.item_number is not None else None,
                        section=passage.section, heading=passage.heading, page=passage.page,
                        line_start=passage.line_start, line_end=passage.line_end,
                        text=passage.text, embed_text=passage.embed_text, vector=ann.vector_bytes(vector),
                    )
                )
        return "replaced" if old_ids else "indexed"


def _embed(embedder: Embedder, texts: list[str], name: str, progress: Progress | None) -> np.ndarray:
    """Embed in slices so progress can be reported."""
    parts = []
    for start in range(0, len(texts), EMBED_SLICE):
        parts.append(embedder.encode_passages(texts[start : start + EMBED_SLICE]))
        if progress:
            progress(name, min(start + EMBED_SLICE, len(texts)), len(texts))
    return np.vstack(parts)


def delete_document(session: Session, document_id: int) -> None:
    """Remove a document and everything derived from it (its meeting row stays for other documents)."""
    item_ids = select(AgendaItem.id).where(AgendaItem.document_id == document_id)
    for table in (Chunk, Section, Appendix, Tariff, Decision):
        session.exec(delete(table).where(table.document_id == document_id))
    session.exec(delete(AgendaItem).where(AgendaItem.id.in_(item_ids)))
    session.exec(delete(Document).where(Document.id == document_id))


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise UnreadableFile(f"{path.name}: no such file")
    if path.suffix.lower() not in SUPPORTED:
        raise UnreadableFile(f"{path.name}: unsupported file type (use PDF, .txt or .md)")
    return path.read_bytes()


def _meeting(session: Session, doc: ParsedDocument) -> Meeting | None:
    """The meeting row the document describes, created on first sight."""
    if doc.meeting_date is None or doc.kind is DocumentKind.OTHER:
        return None
    committee = doc.committee or "Ukendt udvalg"
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
            document_id=document.id, meeting_id=document.meeting_id, number=item.number, title=item.title,
            case_number=item.case_number, is_open=item.is_open, page=item.page,
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
                    document_id=document.id, item_id=row.id, title=title, text=body.text if body else "",
                    page=body.page if body else None, line_no=body.lines[0].no if body else None,
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
                document_id=document.id, item_id=item_ids.get(number) if number is not None else None,
                offer=fact.offer, service=fact.service, legal_basis=fact.legal_basis, places=fact.places,
                unit=fact.unit, year=fact.year, amount_dkk=fact.amount_dkk,
                previous_amount_dkk=fact.previous_amount_dkk, kind=fact.kind, evidence=fact.evidence,
                page=fact.line.page, line_no=fact.line.no,
            )
        )
    for fact in facts.decisions:
        session.add(
            Decision(
                document_id=document.id, item_id=item_ids[fact.item_number], kind=fact.kind, lead=fact.lead,
                text=fact.text, lines="\n".join(fact.lines), page=fact.section.page,
                line_no=fact.section.lines[0].no if fact.section.lines else None,
            )
        )


def _appendices(item: Item) -> list[tuple[str, ParsedSection | None]]:
    """Each listed appendix with its text where the record holds it; unlisted appendix text as "Bilag"."""
    bodies = [s for s in item.sections if s.kind is SectionKind.BILAG]
    by_title = {s.heading: s for s in bodies}
    pairs: list[tuple[str, ParsedSection | None]] = [(t, by_title.get(t)) for t in item.appendix_titles]
    pairs += [(s.heading or "Bilag", s) for s in bodies if s.heading not in item.appendix_titles]
    return pairs


def _section_row(document_id: int, item_id: int | None, section: ParsedSection) -> Section:
    return Section(
        document_id=document_id, item_id=item_id, kind=section.kind.value, heading=section.heading,
        text=section.text, page=section.page, line_no=section.lines[0].no if section.lines else None,
    )


def _summarise(report: FileReport, doc: ParsedDocument, chunks: int, facts: Facts) -> None:
    report.kind = doc.kind.value
    report.committee = doc.committee
    report.meeting_date = doc.meeting_date.isoformat() if doc.meeting_date else None
    report.items = len(doc.items)
    report.appendices = sum(len(item.appendix_titles) for item in doc.items)
    report.chunks = chunks
    report.tariffs = len(facts.tariffs)
    report.decisions = len(facts.decisions)
