"""Indexing from the bot: uploads stored under the data dir with safe names, rebuilds, one job at a time."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath, PureWindowsPath

from sqlmodel import Session, select
from telegram.constants import FileSizeLimit

from bot.core import Dasbot
from indexer.indexer import Progress
from indexer.models import Document
from indexer.read import SUPPORTED
from indexer.report import FileReport, Status

MAX_DOWNLOAD = FileSizeLimit.FILESIZE_DOWNLOAD
MAX_STEM = 80
MAX_SUFFIX = 8
_UNSAFE = re.compile(r"[^\w.\-]+")
_SUFFIX_BY_MIME = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/html": ".html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


class Refusal(Enum):
    """Why an upload is refused before it is downloaded."""

    TOO_BIG = "too big"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Rebuild:
    """A rebuild's reports, and the documents kept as they were because their file is not at hand."""

    reports: list[FileReport]
    kept: list[str]


def indexed(report: FileReport) -> bool:
    """True when the file's own document was written (not a copy of another file's bytes, not left out)."""
    return report.status in (Status.INDEXED, Status.REPLACED) and report.duplicate_of is None


def safe_filename(name: str | None, mime_type: str | None = None) -> str:
    """A file name that stays inside the uploads folder: no folders, no leading dots, word characters only."""
    base = PureWindowsPath(PurePosixPath(unicodedata.normalize("NFC", name or "")).name).name
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem)[:MAX_STEM].strip("._-") or "dokument"
    suffix = _UNSAFE.sub("", suffix).lower()[:MAX_SUFFIX]
    return stem + (f".{suffix}" if suffix else _SUFFIX_BY_MIME.get(mime_type or "", ""))


def unique_filename(filename: str, data: bytes) -> str:
    """An upload's name in the index: its safe name with the start of its content's sha256, so records sent
    under one name never meet (`Dagsorden.txt` → `Dagsorden-1a2b3c4d.txt`); the same bytes keep one name."""
    path = PurePosixPath(filename)
    return f"{path.stem}-{hashlib.sha256(data).hexdigest()[:8]}{path.suffix}"


def refusal(filename: str, size: int | None) -> Refusal | None:
    """Why an upload of this (safe) name and size cannot be indexed, or None."""
    if size is not None and size > MAX_DOWNLOAD:
        return Refusal.TOO_BIG
    if Path(filename).suffix.lower() not in SUPPORTED:
        return Refusal.UNSUPPORTED
    return None


class Indexing:
    """The bot's indexing jobs: run in a worker thread, one at a time (callers hold `lock`)."""

    def __init__(self, core: Dasbot) -> None:
        self.core = core
        self.lock = asyncio.Lock()

    def staging_path(self, filename: str) -> Path:
        """Where an upload is downloaded before it is indexed (under its safe name, made unique before)."""
        folder = self.core.settings.uploads_dir / ".incoming"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe_filename(filename)
        if path.resolve().parent != folder.resolve():
            raise ValueError(f"unsafe upload name: {filename!r}")
        return path

    async def index_upload(self, staged: Path, progress: Progress) -> FileReport:
        """Index a downloaded upload; kept under the uploads folder when it went in, removed otherwise."""
        return await asyncio.to_thread(self._index_upload, staged, progress)

    async def rebuild(self, progress: Progress) -> Rebuild:
        """Re-read every indexed document from its file, each replaced in its own transaction."""
        return await asyncio.to_thread(self._rebuild, progress)

    def _index_upload(self, staged: Path, progress: Progress) -> FileReport:
        named = staged.with_name(unique_filename(staged.name, staged.read_bytes()))
        try:
            os.replace(staged, named)
            [report] = self.core.index([named], progress)
            if indexed(report):
                os.replace(named, self.core.settings.uploads_dir / named.name)
            return report
        finally:
            staged.unlink(missing_ok=True)
            named.unlink(missing_ok=True)

    def _rebuild(self, progress: Progress) -> Rebuild:
        """Force a re-read of every document whose file the bot holds: a file that fails keeps its old document,
        and a crash leaves each document either as it was or re-read, never gone."""
        with Session(self.core.engine) as session:
            names = sorted(set(session.exec(select(Document.filename)).all()))
        paths = {name: self.core.source_path(name) for name in names}
        found = [path for path in paths.values() if path is not None]
        if found:
            reports = self.core.index(found, progress, force=True)
        else:  # nothing to re-read: still make sure the FAISS file agrees with the database
            reports = []
            self.core.indexer.ensure_consistent()
        return Rebuild(reports, [name for name, path in paths.items() if path is None])
