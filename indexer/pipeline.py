"""From files to the store: read, parse, chunk, embed, write in one transaction, then swap the FAISS file.

One writer at a time (`indexer.lock`). Each file is one transaction; the FAISS file it implies is written
beside the real one before the commit and renamed over it right after, so the database and FAISS part ways
only for that rename. A kill loses at most the file in hand, and a FAISS file left behind is rebuilt by the
next run (or `dasbot doctor --repair`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import math
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import faiss
import numpy as np
from sqlalchemy import Engine, delete, func
from sqlmodel import Session, select

from indexer import ann
from indexer.chunking import Passage, document_passages
from indexer.document import DocumentKind, Item, ParsedDocument, SectionKind
from indexer.document import Section as ParsedSection
from indexer.embedding import Embedder
from indexer.facts.extract import DecisionFact, document_decisions, document_tariffs
from indexer.facts.tariffs import TariffFact
from indexer.lock import LOCK_NAME, index_lock
from indexer.models import AgendaItem, Appendix, Chunk, Decision, Document, Meeting, Section, Tariff
from indexer.read import Page, UnreadableFile, check_suffix, pages_of, pdf_modified
from indexer.structure import parse_document

SUPPORTED = {".pdf", ".txt", ".md"}
EMBED_SLICE = 16
MAX_FILE_SIZE = 50_000_000
"""Bytes a file may have; a larger one is refused before it is read."""
LOCK_TIMEOUT = 600.0
"""Seconds to wait for another writer before giving up with IndexBusy."""

log = logging.getLogger(__name__)
T = TypeVar("T")

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
    empty_pages: list[int] = field(default_factory=list)
    """PDF pages without a text layer (scanned: they need OCR); the other pages are indexed."""
    duplicate_of: str | None = None
    """The file already indexed with the same bytes under another name."""
    replaces: list[str] = field(default_factory=list)
    """Other files whose document this one replaced: older versions of the same meeting's agenda or minutes."""
    newer_version: str | None = None
    """Left out as an older version of the same meeting's agenda or minutes: the newer file already indexed."""


@dataclass
class ChunkDelta:
    """The chunks one transaction removes and adds, to update the FAISS index in place."""

    removed: list[int] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    """Blocks of vectors, in the order of `ids`."""


@dataclass(frozen=True)
class Facts:
    """The tariffs (with their item numbers) and decisions extracted from one document."""

    tariffs: list[tuple[int | None, TariffFact]]
    decisions: list[DecisionFact]


@dataclass(frozen=True)
class Agreement:
    """How the FAISS file compares with the chunk vectors in the database (the source of truth)."""

    chunks: int
    vectors: int | None
    """Vectors in the FAISS file; None when there is no readable file."""
    missing: int = 0
    """Chunk ids the FAISS file lacks."""
    unknown: int = 0
    """FAISS ids the database lacks (or holds twice)."""
    stale: int = 0
    """Ids in both whose vectors differ (SQLite reuses the ids of deleted rows)."""
    error: str | None = None
    """Why the FAISS file could not be read."""

    @property
    def ok(self) -> bool:
        """True when readers see the same chunks through FAISS as through the database."""
        return self.error is None and not (self.missing or self.unknown or self.stale)


def compare_ann(engine: Engine, ann_path: Path) -> Agreement:
    """Compare the FAISS file's ids and vectors with the database's; no file and no chunks agree."""
    ids, vectors = ann.stored_vectors(engine)
    if not ann_path.exists():
        return Agreement(len(ids), None, missing=len(ids))
    try:
        index = ann.load(ann_path)
        ann_ids, ann_vectors = ann.contents(index)
    except (RuntimeError, AttributeError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        return Agreement(len(ids), None, missing=len(ids), error=reason)
    common, in_db, in_ann = np.intersect1d(ids, ann_ids, return_indices=True)
    if len(common) and vectors.shape[1] != ann_vectors.shape[1]:
        stale = len(common)
    else:
        stale = int(np.count_nonzero(np.any(vectors[in_db] != ann_vectors[in_ann], axis=1))) if len(common) else 0
    return Agreement(len(ids), len(ann_ids), len(ids) - len(common), len(ann_ids) - len(common), stale)


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

    def __init__(
        self, engine: Engine, ann_path: Path, embedder: Callable[[], Embedder], max_file_size: int = MAX_FILE_SIZE,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        self.engine = engine
        self.ann_path = ann_path
        self.lock_path = ann_path.with_name(LOCK_NAME)
        self.max_file_size = max_file_size
        self.lock_timeout = lock_timeout
        self._embedder = embedder
        self._written: faiss.Index | None = None
        """The index of the FAISS file as the last commit of this run wrote it."""

    def index(
        self, paths: Iterable[Path], progress: Progress | None = None, *, force: bool = False,
    ) -> list[FileReport]:
        """Index every file under `paths`; unchanged files (same sha256) are skipped without embedding, unless
        `force` re-reads them (after a parser change), each replaced in one transaction.

        Raises IndexBusy when another writer holds the index for longer than `lock_timeout`.
        """
        files = collect_files(paths)
        reports = []
        with index_lock(self.lock_path, self.lock_timeout), self._keeping_written():
            self._repair()
            for path in files:
                try:
                    report = self._index_file(path, progress, force)
                except Exception as exc:  # a parser bug or a full disk fails this file, not the whole run
                    log.info("indexing %s failed", path, exc_info=True)
                    report = FileReport(path=path.name, status="failed", error=f"{path.name}: {_unexpected(exc)}")
                reports.append(report)
        return reports

    @contextlib.contextmanager
    def _keeping_written(self) -> Iterator[None]:
        """Keep the index last written in memory for the next commit of this run (only: it can be large)."""
        self._written = None
        try:
            yield
        finally:
            self._written = None

    def rebuild_ann(self) -> None:
        """Rebuild the FAISS file from the database."""
        with index_lock(self.lock_path, self.lock_timeout):
            self._remove_partials()
            self._write_ann()

    def ensure_consistent(self, lock_timeout: float | None = None) -> bool:
        """Rebuild the FAISS file when it disagrees with the database (after a crash); True when it did.

        At start-up pass `lock_timeout=0` and treat IndexBusy as "a writer is at work and will repair it".
        """
        with index_lock(self.lock_path, self.lock_timeout if lock_timeout is None else lock_timeout):
            return self._repair()

    def agreement(self) -> Agreement:
        """How the FAISS file compares with the database now."""
        return compare_ann(self.engine, self.ann_path)

    def _repair(self) -> bool:
        """Drop files a crashed writer left half-written; rebuild FAISS when it disagrees. Hold the lock."""
        self._remove_partials()
        if self.agreement().ok:
            return False
        self._write_ann()
        return True

    def _remove_partials(self) -> None:
        """Remove FAISS files a killed writer left half-written beside the real one. Hold the lock."""
        for partial in self.ann_path.parent.glob(f".{self.ann_path.name}.*.partial"):
            partial.unlink(missing_ok=True)

    def _write_ann(self) -> None:
        """Rebuild the FAISS file from the database."""
        ann.rebuild(self.engine, self.ann_path, self._dim())

    def _commit(self, change: Callable[[Session, ChunkDelta], T]) -> T:
        """Run `change` in one transaction with the FAISS file it implies written beside the real one before the
        commit and renamed over it right after. `change` records the chunks it removes and adds in the delta."""
        partial = self.ann_path.with_name(f".{self.ann_path.name}.{os.getpid()}.partial")
        delta = ChunkDelta()
        try:
            with Session(self.engine) as session, session.begin():
                result = change(session, delta)
                session.flush()
                index = self._updated_index(session, delta)
                faiss.write_index(index, str(partial))
            os.replace(partial, self.ann_path)
            self._written = index
        finally:
            partial.unlink(missing_ok=True)
        return result

    def _updated_index(self, session: Session, delta: ChunkDelta) -> faiss.Index:
        """The FAISS file's index with `delta` applied, when the file agreed with the database before this
        transaction (as `_repair` made sure) and its kind still fits; else built from all of `session`'s chunks.
        Costs the chunks changed, not the chunks stored (plus reading the file once per run)."""
        index, self._written = self._written or ann.load(self.ann_path), None  # changed below: not kept on failure
        count = session.exec(select(func.count()).select_from(Chunk)).one()
        if index is None or not ann.fits(index, count) or index.ntotal - len(delta.removed) + len(delta.ids) != count:
            return self._session_index(session)
        vectors = np.vstack(delta.vectors) if delta.vectors else np.zeros((0, index.d), np.float32)
        ann.update(index, np.array(delta.removed, dtype=np.int64), np.array(delta.ids, dtype=np.int64), vectors)
        return index

    def _session_index(self, session: Session) -> faiss.Index:
        """The FAISS index of the chunks as `session` sees them (its own changes included)."""
        ids, vectors = ann.session_vectors(session)
        return ann.build(ids, vectors, vectors.shape[1] if len(ids) else self._dim())

    def _dim(self) -> int:
        """The vectors' dimension: the stored vectors' width, else the model's (loading it)."""
        with Session(self.engine) as session:
            width = session.exec(select(func.length(Chunk.vector)).limit(1)).first()
        return width // 4 if width else self._embedder().dim

    def _index_file(self, path: Path, progress: Progress | None, force: bool) -> FileReport:
        report = FileReport(path=path.name, status="failed")
        try:
            data = _read_bytes(path, self.max_file_size)
            sha = hashlib.sha256(data).hexdigest()
            with Session(self.engine) as session:
                known = session.exec(select(Document.filename).where(Document.sha256 == sha)).first()
            if known is not None and not (force and known == path.name):
                return self._known_content(report, known)
            pages = pages_of(path.name, data)
            doc = parse_document(pages, path.name)
        except UnreadableFile as error:
            report.error = str(error)
            return report
        report.empty_pages = _empty_pages(pages)
        version = _version_time(path, data)
        with Session(self.engine) as session:
            newer = next((d.filename for d in _other_versions(session, doc, path.name) if _is_newer(d, version)), None)
        if newer is not None:
            report.status, report.newer_version = "unchanged", newer
            return report
        embedder = self._embedder()
        passages = document_passages(doc, embedder.max_tokens, embedder.count_tokens)
        if not passages:
            report.error = f"{path.name}: no text to index"
            return report
        vectors = _embed(embedder, [p.embed_text for p in passages], path.name, progress)
        facts = Facts(document_tariffs(doc), document_decisions(doc))
        report.status, report.replaces = self._store(path, data, sha, version, doc, passages, vectors, facts)
        _summarise(report, doc, len(passages), facts)
        return report

    def _known_content(self, report: FileReport, known: str) -> FileReport:
        """Bytes already indexed: nothing to do, except dropping an older version under this file's name."""
        report.status = "unchanged"
        if known == report.path:
            return report
        report.duplicate_of = known
        with Session(self.engine) as session:
            stale = session.exec(select(Document.id).where(Document.filename == report.path)).all()
        if stale:

            def drop(session: Session, delta: ChunkDelta) -> None:
                for document_id in stale:
                    delta.removed += delete_document(session, document_id)

            self._commit(drop)
            report.status = "replaced"
        return report

    def _store(
        self, path: Path, data: bytes, sha: str, version: dt.datetime, doc: ParsedDocument, passages: list[Passage],
        vectors: np.ndarray, facts: Facts,
    ) -> tuple[str, list[str]]:
        """Write one document in a single transaction, replacing an earlier version under the same name and
        older versions of the same meeting's document of this kind; returns the status and the files replaced."""

        def change(session: Session, delta: ChunkDelta) -> tuple[str, list[str]]:
            old_ids = session.exec(select(Document.id).where(Document.filename == path.name)).all()
            older = [(d.id, d.filename) for d in _other_versions(session, doc, path.name)]
            for old_id in [*old_ids, *(old_id for old_id, _ in older)]:
                delta.removed += delete_document(session, old_id)
            meeting = _meeting(session, doc)
            document = Document(
                filename=path.name, sha256=sha, kind=doc.kind.value, title=doc.title, pages=doc.pages,
                size=len(data), meeting_id=meeting.id if meeting else None, version_time=version,
            )
            session.add(document)
            session.flush()
            item_ids = _store_items(session, document, doc)
            _store_facts(session, document, facts, item_ids)
            rows = [
                Chunk(
                    document_id=document.id,
                    item_id=item_ids.get(passage.item_number) if passage.item_number is not None else None,
                    section=passage.section, heading=passage.heading, page=passage.page,
                    line_start=passage.line_start, line_end=passage.line_end,
                    text=passage.text, embed_text=passage.embed_text, vector=ann.vector_bytes(vector),
                )
                for passage, vector in zip(passages, vectors, strict=True)
            ]
            session.add_all(rows)
            session.flush()
            delta.ids += [row.id for row in rows]
            delta.vectors.append(vectors)
            return ("replaced" if old_ids or older else "indexed"), [name for _, name in older]

        return self._commit(change)


def _embed(embedder: Embedder, texts: list[str], name: str, progress: Progress | None) -> np.ndarray:
    """Embed in slices so progress can be reported."""
    parts = []
    for start in range(0, len(texts), EMBED_SLICE):
        parts.append(embedder.encode_passages(texts[start : start + EMBED_SLICE]))
        if progress:
            progress(name, min(start + EMBED_SLICE, len(texts)), len(texts))
    return np.vstack(parts)


def delete_document(session: Session, document_id: int) -> list[int]:
    """Remove a document and everything derived from it, and its meeting when no other document describes it;
    returns the ids of the chunks removed."""
    meeting_id = session.exec(select(Document.meeting_id).where(Document.id == document_id)).first()
    chunk_ids = list(session.exec(select(Chunk.id).where(Chunk.document_id == document_id)).all())
    item_ids = select(AgendaItem.id).where(AgendaItem.document_id == document_id)
    for table in (Chunk, Section, Appendix, Tariff, Decision):
        session.exec(delete(table).where(table.document_id == document_id))
    session.exec(delete(AgendaItem).where(AgendaItem.id.in_(item_ids)))
    session.exec(delete(Document).where(Document.id == document_id))
    others = select(Document.id).where(Document.meeting_id == meeting_id)
    if meeting_id is not None and session.exec(others).first() is None:
        session.exec(delete(Meeting).where(Meeting.id == meeting_id))
    return chunk_ids


def _read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of a supported type, refused before reading when larger than `limit`."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnreadableFile(f"{path.name}: no such file") from None
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(f"{path.name}: not a regular file")
    check_suffix(path.name)
    if info.st_size > limit:
        raise _too_large(path.name, info.st_size, limit)
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:  # grew since stat
        raise _too_large(path.name, len(data), limit)
    return data


def _unexpected(exc: Exception) -> str:
    """One line for an unexpected failure (the traceback goes to the log)."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"could not be indexed ({type(exc).__name__}{': ' + detail[:200] if detail else ''})"


def _too_large(name: str, size: int, limit: int) -> UnreadableFile:
    megabytes = math.ceil(size / 100_000) / 10  # rounded up: 50_000_001 bytes is over a 50 MB limit
    return UnreadableFile(f"{name}: the file is too large ({megabytes:.1f} MB; the limit is {limit / 1e6:g} MB)")


def _empty_pages(pages: list[Page]) -> list[int]:
    """The numbers of PDF pages without text."""
    return [page.number for page in pages if page.number is not None and not page.text.strip()]


def _version_time(path: Path, data: bytes) -> dt.datetime:
    """When this version of a record was made (UTC): the PDF's modification date, else the file's mtime."""
    stamp = pdf_modified(data)
    if stamp is not None:
        return stamp
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError:
        return dt.datetime.now(dt.UTC)


def _is_newer(stored: Document, version: dt.datetime) -> bool:
    """True when a stored version of the same meeting's record is newer than a file made at `version` (rows
    from before version times were kept count as older)."""
    return stored.version_time is not None and stored.version_time > version


def _committee(doc: ParsedDocument) -> str:
    return doc.committee or "Ukendt udvalg"


def _other_versions(session: Session, doc: ParsedDocument, filename: str) -> list[Document]:
    """Documents of other files that are the same meeting's agenda (or minutes) as `doc`."""
    if doc.meeting_date is None or doc.kind is DocumentKind.OTHER:
        return []
    query = (
        select(Document)
        .join(Meeting, Document.meeting_id == Meeting.id)
        .where(
            Meeting.committee == _committee(doc), Meeting.date == doc.meeting_date, Document.kind == doc.kind.value,
            Document.filename != filename,
        )
    )
    return list(session.exec(query).all())


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
