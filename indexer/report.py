"""The typed outcome of indexing one file: its status, why it was refused or left out, and what it held.

Faces word a report from these values, never from the English `error`, which is for logs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypedDict


class Status(StrEnum):
    """What indexing did with a file (the strings are the JSON contract of `dasbot index --json`)."""

    INDEXED = "indexed"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Found while walking a folder and not read: its type is not indexed, or it is hidden or a lock file."""


class Reason(StrEnum):
    """Why a file failed, or why it was left out although it could be read."""

    NO_SUCH_FILE = "no_such_file"
    NOT_REGULAR_FILE = "not_regular_file"
    CANNOT_READ = "cannot_read"
    UNSUPPORTED_TYPE = "unsupported_type"
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    NOT_UTF8 = "not_utf8"
    NOT_PDF = "not_pdf"
    CORRUPT_PDF = "corrupt_pdf"
    UNSUPPORTED_PDF_FEATURE = "unsupported_pdf_feature"
    """An encryption or stream filter pypdf cannot undo."""
    PASSWORD_PROTECTED = "password_protected"
    NO_PAGES = "no_pages"
    STREAM_OVER_LIMIT = "stream_over_limit"
    """One PDF stream declares or decompresses to more than its limit (a zip bomb)."""
    CONTENT_OVER_LIMIT = "content_over_limit"
    """All page content of a PDF decompresses to more than its limit."""
    TOO_MANY_PAGES = "too_many_pages"
    """More PDF pages than the cap (`Details.count`, `Details.cap`); refused before any text is extracted."""
    TOO_MANY_CHARACTERS = "too_many_characters"
    TOO_MANY_CHUNKS = "too_many_chunks"
    """More chunks to embed than the cap; refused before embedding."""
    EXTRACTION_TIMEOUT = "extraction_timeout"
    """Extracting the text took more than its CPU or wall-clock seconds (`Details.seconds`); quarantined."""
    EXTRACTION_MEMORY = "extraction_memory"
    """Extracting the text needed more memory than its limit; quarantined."""
    EXTRACTION_CRASHED = "extraction_crashed"
    """The extracting process died; quarantined."""
    QUARANTINED = "quarantined"
    """The same bytes hit an extraction limit or crashed before: refused without trying again."""
    NOT_DOCX = "not_docx"
    """A `.docx` that is no Word document (not a zip archive, or another Office type)."""
    CORRUPT_DOCX = "corrupt_docx"
    ARCHIVE_OVER_LIMIT = "archive_over_limit"
    """A Word document's archive unpacks to more than its limit (a zip bomb); refused before unpacking."""
    HTML_OVER_LIMIT = "html_over_limit"
    """An HTML page of over a million elements, nested deeper than 256 or with one text over 10 MB."""
    NEEDS_OCR = "needs_ocr"
    """A PDF without any text, and Tesseract (Debian's tesseract-ocr and tesseract-ocr-dan) is not installed."""
    OCR_NO_TEXT = "ocr_no_text"
    """A PDF without any text on which OCR found none either (`Details.count`: the pages it read)."""
    NO_TEXT = "no_text"
    """Read, but nothing in it to index."""
    UNEXPECTED = "unexpected"
    """A bug or the environment (a full disk); the traceback is in the log."""
    HIDDEN = "hidden"
    """Skipped in a folder: a hidden file or folder (dot name), or Windows' Thumbs.db or desktop.ini."""
    LOCK_FILE = "lock_file"
    """Skipped in a folder: an office program's lock file (`~$x.docx`, `.~lock.x#`)."""
    DUPLICATE = "duplicate"
    """Left out: the same bytes are indexed under another name (`FileReport.duplicate_of`)."""
    NOT_REPLACED = "not_replaced"
    """A file to restore whose bytes no newer version replaced (see `dasbot history`)."""
    OLDER_VERSION = "older_version"
    """Left out: a newer version of the same meeting's record is indexed (`FileReport.newer_version`)."""


class Details(TypedDict, total=False):
    """The figures a reason's sentence names."""

    size: int
    """The file's size in bytes (TOO_LARGE), or what its archive unpacks to (ARCHIVE_OVER_LIMIT)."""
    limit: int
    """The limit passed, in bytes (TOO_LARGE, STREAM_OVER_LIMIT, CONTENT_OVER_LIMIT, ARCHIVE_OVER_LIMIT,
    EXTRACTION_MEMORY)."""
    count: int
    """How many pages, characters or chunks the file has (TOO_MANY_*); the pages OCR read (OCR_NO_TEXT)."""
    cap: int
    """How many pages, characters or chunks a file may have (TOO_MANY_*)."""
    seconds: int
    """The seconds extraction may take (EXTRACTION_TIMEOUT)."""
    suffix: str
    """The file name's suffix, "" for none (UNSUPPORTED_TYPE)."""
    offset: int
    """The first byte that is not UTF-8 (NOT_UTF8)."""
    error: str
    """The exception's type name or exit status (CORRUPT_PDF, CORRUPT_DOCX, UNEXPECTED, EXTRACTION_CRASHED)."""


def megabytes(size: int) -> float:
    """A size in MB with one decimal, rounded up: 50_000_001 bytes is over a 50 MB limit."""
    return math.ceil(size / 100_000) / 10


class MeetingRef(TypedDict, total=False):
    """A meeting a report names; empty for a record without a meeting date."""

    committee: str
    date: str
    """ISO date."""


@dataclass
class FileReport:
    """What indexing one file found, or why it failed."""

    path: str
    status: Status
    kind: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    items: int = 0
    appendices: int = 0
    chunks: int = 0
    tariffs: int = 0
    decisions: int = 0
    error: str | None = None
    """One English line for logs; faces word `reason` and `details`."""
    empty_pages: list[int] = field(default_factory=list)
    """PDF pages without a text layer (scanned: they need OCR); the other pages are indexed."""
    duplicate_of: str | None = None
    """The file already indexed with the same bytes under another name."""
    replaces: list[str] = field(default_factory=list)
    """Other files whose document this one replaced: older versions of the same meeting's agenda or minutes."""
    kept_beside: list[MeetingRef] = field(default_factory=list)
    """Other meetings' records indexed under the same file name: kept, since a name is no identity."""
    newer_version: str | None = None
    """Left out as an older version of the same meeting's agenda or minutes: the newer file already indexed."""
    reason: Reason | None = None
    """Why the file failed or was left out; None when its document was written or was already indexed."""
    details: Details = field(default_factory=Details)
    """The figures `reason` names."""
    ocr_pages: list[int] = field(default_factory=list)
    """PDF pages without a text layer whose text was read by OCR (and indexed, marked as OCR text)."""
