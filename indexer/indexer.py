"""From files to the store: read, parse, chunk, embed, write in one transaction, then swap the FAISS file.

One writer at a time (`indexer.lock`). Each file is one transaction; the FAISS file it implies is written
beside the real one before the commit and renamed over it right after, so the database and FAISS part ways
only for that rename. A kill loses at most the file in hand, and a FAISS file left behind is rebuilt by the
next run (or `dasbot doctor --repair`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

import faiss
import numpy as np
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from indexer import ann, history, store
from indexer.chunking import document_passages
from indexer.collect import Skipped, collect_files
from indexer.embedding import Embedder
from indexer.extract import QUARANTINE_REASONS, Extracted, extract_file
from indexer.facts.extract import document_decisions, document_tariffs
from indexer.history import Replacement
from indexer.limits import DEFAULT_LIMITS, Limits
from indexer.lock import LOCK_NAME, index_lock
from indexer.models import Chunk
from indexer.read import (
    MAX_FILE_SIZE,
    UnreadableFile,
    empty_pages,
    ocr_pages,
    read_bytes,
    version_time,
)
from indexer.report import FileReport, MeetingRef, Reason, Status
from indexer.store import Facts, Record
from indexer.structure import parse_document

EMBED_SLICE = 16
LOCK_TIMEOUT = 600.0
"""Seconds to wait for another writer before giving up with IndexBusy."""

log = logging.getLogger(__name__)
T = TypeVar("T")


class Stage(StrEnum):
    """What a progress report counts."""

    OCR = "ocr"
    """Pages without a text layer read by OCR."""
    EMBEDDING = "embedding"
    """Chunks embedded."""


class Progress(Protocol):
    """The indexer's progress callback: the file's name, how many pages or chunks of `stage` are done, of how many
    (called without `stage` for embedding)."""

    def __call__(self, name: str, done: int, total: int, stage: Stage = Stage.EMBEDDING) -> None: ...


class Indexer:
    """Indexes files into the database and keeps the FAISS file in step with it."""

    def __init__(
        self,
        engine: Engine,
        ann_path: Path,
        embedder: Callable[[], Embedder],
        max_file_size: int = MAX_FILE_SIZE,
        lock_timeout: float = LOCK_TIMEOUT,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        """`limits` caps what one file may cost; a file that hits an extraction limit is quarantined beside the
        FAISS file (`quarantine/<sha256>`) and refused at once next time."""
        self.engine = engine
        self.ann_path = ann_path
        self.lock_path = ann_path.with_name(LOCK_NAME)
        self.max_file_size = max_file_size
        self.lock_timeout = lock_timeout
        self.limits = limits
        self.quarantine_dir = ann_path.with_name("quarantine")
        self.history_path = ann_path.with_name(history.HISTORY_NAME)
        self._embedder = embedder
        self._written: faiss.Index | None = None
        """The index of the FAISS file as the last commit of this run wrote it."""

    def index(
        self,
        paths: Iterable[Path],
        progress: Progress | None = None,
        *,
        force: bool = False,
    ) -> list[FileReport]:
        """Index every file under `paths`; unchanged files (same sha256) are skipped without embedding, unless an
        older `store.READER_VERSION` read them or `force` re-reads them, each replaced in one transaction.

        Raises IndexBusy when another writer holds the index for longer than `lock_timeout`.
        """
        files, skipped = collect_files(paths)
        reports = []
        with index_lock(self.lock_path, self.lock_timeout), self._keeping_written():
            self._repair()
            for path in files:
                try:
                    report = self._index_file(path, progress, force)
                except Exception as exc:  # a parser bug or a full disk fails this file, not the whole run
                    log.info("indexing %s failed", path, exc_info=True)
                    report = _unexpected(path.name, exc)
                reports.append(report)
        return reports + [_skipped(s) for s in skipped]

    def restore(self, path: Path, progress: Progress | None = None) -> FileReport:
        """Index `path` again although a newer version of its meeting's record replaced it: the file must hold the
        bytes of a replaced record (see `history`); the version it displaces is logged as replaced in turn, so a
        restore can itself be undone. Other bytes fail with NOT_REPLACED. Raises IndexBusy as `index` does."""
        with index_lock(self.lock_path, self.lock_timeout), self._keeping_written():
            self._repair()
            try:
                data = read_bytes(path, self.max_file_size)
                sha = hashlib.sha256(data).hexdigest()
                if not any(entry.sha256 == sha for entry in history.read(self.history_path)):
                    raise UnreadableFile(f"{path.name}: not a replaced record", Reason.NOT_REPLACED)
                return self._read_and_store(path, progress, force=False, restoring=True)
            except UnreadableFile as error:
                return _failed(path.name, error)

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
            ann.remove_partials(self.ann_path)
            self._write_ann()

    def ensure_consistent(self, lock_timeout: float | None = None) -> bool:
        """Rebuild the FAISS file when it disagrees with the database (after a crash); True when it did.

        At start-up pass `lock_timeout=0` and treat IndexBusy as "a writer is at work and will repair it".
        """
        with index_lock(self.lock_path, self.lock_timeout if lock_timeout is None else lock_timeout):
            return self._repair()

    def agreement(self) -> ann.Agreement:
        """How the FAISS file compares with the database now."""
        return ann.compare_ann(self.engine, self.ann_path)

    def _repair(self) -> bool:
        """Drop files a crashed writer left half-written; rebuild FAISS when it disagrees. Hold the lock."""
        ann.remove_partials(self.ann_path)
        if self.agreement().ok:
            return False
        self._write_ann()
        return True

    def _write_ann(self) -> None:
        """Rebuild the FAISS file from the database."""
        ann.rebuild(self.engine, self.ann_path, self._dim())

    def _commit(self, change: Callable[[Session, ann.ChunkDelta], T]) -> T:
        """Run `change` in one transaction with the FAISS file it implies written beside the real one before the
        commit and renamed over it right after. `change` records the chunks it removes and adds in the delta.

        The FAISS file agreed with the database before the transaction (as `_repair` made sure), so the delta is
        applied to it in place; reading the file costs once per run."""
        partial = ann.partial_path(self.ann_path)
        delta = ann.ChunkDelta()
        try:
            with Session(self.engine) as session, session.begin():
                result = change(session, delta)
                session.flush()
                written, self._written = self._written, None  # changed in place below: not kept on failure
                index = ann.updated(written or ann.load(self.ann_path), session, delta, self._dim)
                faiss.write_index(index, str(partial))
            os.replace(partial, self.ann_path)
            self._written = index
        finally:
            partial.unlink(missing_ok=True)
        return result

    def _dim(self) -> int:
        """The vectors' dimension: the stored vectors' width, else the model's (loading it)."""
        with Session(self.engine) as session:
            width = session.exec(select(func.length(Chunk.vector)).limit(1)).first()
        return width // 4 if width else self._embedder().dim

    def _index_file(self, path: Path, progress: Progress | None, force: bool) -> FileReport:
        """Index one file; a file that yields nothing to index fails with its reason and changes nothing."""
        try:
            return self._read_and_store(path, progress, force)
        except UnreadableFile as error:
            return _failed(path.name, error)

    def _read_and_store(
        self, path: Path, progress: Progress | None, force: bool, restoring: bool = False
    ) -> FileReport:
        """Skip known bytes and older versions (unless `restoring` one); else parse, embed and write the document
        (raises UnreadableFile)."""
        data = read_bytes(path, self.max_file_size)
        sha = hashlib.sha256(data).hexdigest()
        with Session(self.engine) as session:
            known = store.filename_of(session, sha)
            again = force or (known is not None and store.read_before(session, sha))
        if known is not None and not (again and known == path.name):
            return self._known_content(path.name, known, sha)
        extracted = self._extract(path.name, data, sha, progress)
        pages = extracted.pages
        doc = parse_document(pages, path.name)
        version = version_time(path, extracted.modified)
        with Session(self.engine) as session:
            newer = None if restoring else store.newer_version(session, doc, path.name, version)
        if newer is not None:
            return FileReport(
                path.name,
                Status.UNCHANGED,
                empty_pages=empty_pages(pages),
                newer_version=newer,
                reason=Reason.OLDER_VERSION,
                ocr_pages=ocr_pages(pages),
            )
        embedder = self._embedder()
        passages = document_passages(doc, embedder.max_tokens, embedder.count_tokens)
        if not passages:
            raise UnreadableFile(f"{path.name}: no text to index", Reason.NO_TEXT)
        if len(passages) > self.limits.max_chunks:
            message = f"{path.name}: {len(passages)} chunks to embed; the limit is {self.limits.max_chunks}"
            details = {"count": len(passages), "cap": self.limits.max_chunks}
            raise UnreadableFile(message, Reason.TOO_MANY_CHUNKS, details)
        vectors = _embed(embedder, [p.embed_text for p in passages], path.name, progress)
        facts = Facts(document_tariffs(doc), document_decisions(doc))
        read_by_ocr = ocr_pages(pages)
        record = Record(path.name, sha, len(data), version, doc, passages, vectors, facts, frozenset(read_by_ocr))
        return _written(record, *self._store(record), empty_pages(pages), read_by_ocr)

    def _extract(self, name: str, data: bytes, sha: str, progress: Progress | None) -> Extracted:
        """The file's pages and date under the limits (OCR progress reported); bytes that hit an extraction limit
        are quarantined, not retried."""
        marker = self.quarantine_dir / sha
        if marker.exists():
            raise UnreadableFile(f"{name}: quarantined after an earlier extraction failed", Reason.QUARANTINED)
        try:
            on_page = (lambda done, total: progress(name, done, total, Stage.OCR)) if progress else None
            return extract_file(name, data, self.limits, on_page)
        except UnreadableFile as error:
            if error.reason in QUARANTINE_REASONS:
                self.quarantine_dir.mkdir(parents=True, exist_ok=True)
                marker.write_text(json.dumps({"file": name, "reason": error.reason.value, "error": str(error)}))
            raise

    def _known_content(self, name: str, known: str, sha: str) -> FileReport:
        """Bytes already indexed: nothing to do, except dropping an older version under this file's name of the
        same meeting as those bytes (another meeting's record under the name is not this file's)."""
        if known == name:
            return FileReport(name, Status.UNCHANGED)
        report = FileReport(name, Status.UNCHANGED, duplicate_of=known, reason=Reason.DUPLICATE)
        with Session(self.engine) as session:
            meeting = store.meeting_of(session, sha)
            stale = [doc_id for doc_id, key in store.namesakes(session, name) if key == meeting]
        if stale:
            replaced: list[Replacement] = []

            def drop(session: Session, delta: ann.ChunkDelta) -> None:
                for document_id in stale:
                    replaced.append(store.replacement(session, document_id, known))
                    delta.removed += store.delete_document(session, document_id)

            self._commit(drop)
            history.append(self.history_path, replaced)
            report.status = Status.REPLACED
        return report

    def _store(self, record: Record) -> tuple[Status, list[str], list[MeetingRef]]:
        """Write one document in a single transaction, replacing an earlier version of the same meeting under the
        same name and older versions of the same meeting's document of this kind (a name is no identity: another
        meeting's record under it stays); returns the status, the files replaced and the meetings kept beside."""

        def change(session: Session, delta: ann.ChunkDelta) -> tuple[Status, list[str], list[MeetingRef]]:
            meeting = store.meeting_key(record.doc)
            reread = set(store.same_bytes(session, record.sha256))  # its meeting may differ now: read anew
            named = [(doc_id, key) for doc_id, key in store.namesakes(session, record.filename) if doc_id not in reread]
            same_name = [*reread, *(doc_id for doc_id, key in named if key == meeting)]
            older = [(d.id, d.filename) for d in store.other_versions(session, record.doc, record.filename)]
            for old_id in [*same_name, *(old_id for old_id, _ in older)]:
                replaced.append(store.replacement(session, old_id, record.filename))
                delta.removed += store.delete_document(session, old_id)
            delta.ids += store.write_document(session, record)
            delta.vectors.append(record.vectors)
            status = Status.REPLACED if same_name or older else Status.INDEXED
            return status, [name for _, name in older], [_meeting_ref(key) for _, key in named if key != meeting]

        replaced: list[Replacement] = []
        result = self._commit(change)
        history.append(self.history_path, [r for r in replaced if r.sha256 != record.sha256])  # not a re-read
        return result


def _failed(name: str, error: UnreadableFile) -> FileReport:
    """The report of a file that yielded nothing to index."""
    return FileReport(name, Status.FAILED, error=str(error), reason=error.reason, details=error.details)


def _embed(embedder: Embedder, texts: list[str], name: str, progress: Progress | None) -> np.ndarray:
    """Embed in slices so progress can be reported."""
    parts = []
    for start in range(0, len(texts), EMBED_SLICE):
        parts.append(embedder.encode_passages(texts[start : start + EMBED_SLICE]))
        if progress:
            progress(name, min(start + EMBED_SLICE, len(texts)), len(texts))
    return np.vstack(parts)


def _meeting_ref(key: store.MeetingKey) -> MeetingRef:
    """A stored meeting as a report names it."""
    return MeetingRef(committee=key[0], date=key[1].isoformat()) if key else MeetingRef()


def _written(
    record: Record,
    status: Status,
    replaces: list[str],
    kept_beside: list[MeetingRef],
    empty: list[int],
    read_by_ocr: list[int],
) -> FileReport:
    """The report of a file whose document was written."""
    doc, facts = record.doc, record.facts
    return FileReport(
        path=record.filename,
        status=status,
        kind=doc.kind.value,
        committee=doc.committee,
        meeting_date=doc.meeting_date.isoformat() if doc.meeting_date else None,
        items=len(doc.items),
        appendices=sum(len(item.appendix_titles) for item in doc.items),
        chunks=len(record.passages),
        tariffs=len(facts.tariffs),
        decisions=len(facts.decisions),
        empty_pages=empty,
        replaces=replaces,
        kept_beside=kept_beside,
        ocr_pages=read_by_ocr,
    )


def _skipped(skipped: Skipped) -> FileReport:
    """The report of a file or folder that walking a folder left out."""
    error = f"{skipped.path.name}: not indexed ({skipped.reason.value.replace('_', ' ')})"
    return FileReport(skipped.path.name, Status.SKIPPED, error=error, reason=skipped.reason, details=skipped.details)


def _unexpected(name: str, exc: Exception) -> FileReport:
    """The report of an unexpected failure, named by its kind in one line (the traceback goes to the log)."""
    kind = type(exc).__name__
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    error = f"{name}: could not be indexed ({kind}{': ' + detail[:200] if detail else ''})"
    return FileReport(name, Status.FAILED, error=error, reason=Reason.UNEXPECTED, details={"error": kind})
