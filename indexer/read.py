"""The I/O edge: which files to read, their bytes under a size cap, their text page by page (PDF via pypdf, or
plain text) and when they were made, or one typed refusal."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import stat
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfReader, apply_configuration
from pypdf.errors import DependencyError, LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject, StreamObject

from indexer.report import Details, Reason, megabytes

TEXT_SUFFIXES = frozenset({".txt", ".md"})
SUPPORTED = frozenset({".pdf"}) | TEXT_SUFFIXES
MAX_FILE_SIZE = 50_000_000
"""Bytes a file may have; a larger one is refused before it is read."""
PDF_MAGIC = b"%PDF-"
STREAM_LIMIT = 50_000_000
"""Bytes one PDF stream may declare or decompress to; a larger one (a zip bomb) fails the file."""
CONTENT_LIMIT = 100_000_000
"""Bytes all page content streams and form XObjects of one PDF may decompress to together (bounds memory)."""

_LIMITS = {
    "maximum_declared_stream_length": STREAM_LIMIT,
    "array_based_stream_maximum_output_length": STREAM_LIMIT,
    "zlib_maximum_output_length": STREAM_LIMIT,
    "lzw_maximum_output_length": STREAM_LIMIT,
    "run_length_maximum_output_length": STREAM_LIMIT,
    "jbig2_maximum_output_length": STREAM_LIMIT,
    "brotli_maximum_output_length": STREAM_LIMIT,
    "image_maximum_buffer_size": STREAM_LIMIT,
}
# pypdf reports malformed input through many exception types besides its own.
_MALFORMED = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, zlib.error)


class UnreadableFile(ValueError):
    """A file that yields no text: why (`reason`, with the figures it names in `details`), and one English line
    for logs as the message."""

    def __init__(self, message: str, reason: Reason, details: Details | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.details: Details = details or {}


@dataclass(frozen=True)
class Page:
    """One page's raw text; number is 1-based for PDFs and None for plain text."""

    number: int | None
    text: str


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The files to index: given files as they are, folders walked for supported types, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED))
        else:
            found.append(path)
    return found


def read_pages(path: Path) -> list[Page]:
    """The pages of a PDF, or a `.txt`/`.md` file as one page; raises UnreadableFile."""
    check_suffix(path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _cannot_read(path.name, exc) from exc
    return pages_of(path.name, data)


def read_bytes(path: Path, limit: int = MAX_FILE_SIZE) -> bytes:
    """The bytes of a regular file of a supported type, refused before reading when larger than `limit`."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnreadableFile(f"{path.name}: no such file", Reason.NO_SUCH_FILE) from None
    except OSError as exc:
        raise _cannot_read(path.name, exc) from exc
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(f"{path.name}: not a regular file", Reason.NOT_REGULAR_FILE)
    check_suffix(path.name)
    if info.st_size > limit:
        raise _too_large(path.name, info.st_size, limit)
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise _cannot_read(path.name, exc) from exc
    if len(data) > limit:  # grew since stat
        raise _too_large(path.name, len(data), limit)
    return data


def check_suffix(name: str) -> None:
    """Refuse a file name whose type is not PDF, `.txt` or `.md`."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableFile(
            f"{name}: unsupported file type {suffix or '(none)'}; expected .pdf, .txt or .md",
            Reason.UNSUPPORTED_TYPE,
            {"suffix": suffix},
        )


def pages_of(name: str, data: bytes, max_pages: int | None = None, max_characters: int | None = None) -> list[Page]:
    """The pages of a file's bytes, its type taken from `name`, refused past `max_pages` PDF pages (before any text
    is extracted) or `max_characters`; raises UnreadableFile."""
    check_suffix(name)
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise UnreadableFile(f"{name}: the file is empty", Reason.EMPTY)
    if Path(name).suffix.lower() == ".pdf":
        return _pdf_pages(name, data, max_pages, max_characters)
    page = Page(None, _decode_text(name, data))
    _check_characters(name, len(page.text), max_characters)
    return [page]


def pdf_modified(data: bytes) -> dt.datetime | None:
    """When a PDF says it was last modified (its ModDate, else its CreationDate), in UTC (a date without a
    zone is taken as UTC); None when it is not a PDF, does not say, or cannot be read."""
    if not data.startswith(PDF_MAGIC):
        return None
    try:
        with apply_configuration(**_LIMITS):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                return None
            info = reader.metadata
            stamp = info and (info.modification_date or info.creation_date)
    except _MALFORMED:
        return None
    if not stamp:
        return None
    return stamp.astimezone(dt.UTC) if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def version_time(path: Path, data: bytes) -> dt.datetime:
    """When this version of a record was made (UTC): the PDF's modification date, else the file's mtime."""
    stamp = pdf_modified(data)
    if stamp is not None:
        return stamp
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError:
        return dt.datetime.now(dt.UTC)


def empty_pages(pages: list[Page]) -> list[int]:
    """The numbers of PDF pages without text."""
    return [page.number for page in pages if page.number is not None and not page.text.strip()]


def _cannot_read(name: str, exc: OSError) -> UnreadableFile:
    return UnreadableFile(f"{name}: cannot be read ({exc.strerror or exc})", Reason.CANNOT_READ)


def _too_large(name: str, size: int, limit: int) -> UnreadableFile:
    return UnreadableFile(
        f"{name}: the file is too large ({megabytes(size):.1f} MB; the limit is {limit / 1e6:g} MB)",
        Reason.TOO_LARGE,
        {"size": size, "limit": limit},
    )


def _decode_text(name: str, data: bytes) -> str:
    """UTF-8 text without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"{name}: not UTF-8 text (bad byte at offset {exc.start})"
        raise UnreadableFile(message, Reason.NOT_UTF8, {"offset": exc.start}) from exc


def _pdf_pages(name: str, data: bytes, max_pages: int | None, max_characters: int | None) -> list[Page]:
    """Extract each page's text under the stream limits; map pypdf's failures to UnreadableFile."""
    if not data.startswith(PDF_MAGIC):
        raise UnreadableFile(f"{name}: not a PDF file (no %PDF- header)", Reason.NOT_PDF)
    try:
        with apply_configuration(**_LIMITS):
            pages = _extract(name, data, max_pages, max_characters)
    except UnreadableFile:
        raise
    except LimitReachedError as exc:
        message = f"{name}: a PDF stream exceeds the {STREAM_LIMIT // 1_000_000} MB limit"
        raise UnreadableFile(message, Reason.STREAM_OVER_LIMIT, {"limit": STREAM_LIMIT}) from exc
    except DependencyError as exc:
        message = f"{name}: the PDF uses an unsupported encryption or filter ({exc})"
        raise UnreadableFile(message, Reason.UNSUPPORTED_PDF_FEATURE) from exc
    except _MALFORMED as exc:
        kind = type(exc).__name__
        raise UnreadableFile(f"{name}: corrupt or truncated PDF ({kind})", Reason.CORRUPT_PDF, {"error": kind}) from exc
    if not pages:
        raise UnreadableFile(f"{name}: the PDF has no pages", Reason.NO_PAGES)
    if not any(page.text.strip() for page in pages):
        message = f"{name}: no page has extractable text (scanned or image-only); the PDF needs OCR"
        raise UnreadableFile(message, Reason.NEEDS_OCR)
    return pages


def _extract(name: str, data: bytes, max_pages: int | None, max_characters: int | None) -> list[Page]:
    """The text of every page; an encrypted PDF is opened with the empty password or refused."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise UnreadableFile(f"{name}: the PDF is password-protected", Reason.PASSWORD_PROTECTED)
    count = len(reader.pages)
    if max_pages is not None and count > max_pages:
        message = f"{name}: the PDF has {count} pages; the limit is {max_pages}"
        raise UnreadableFile(message, Reason.TOO_MANY_PAGES, {"count": count, "cap": max_pages})
    _check_content_size(name, reader.pages)
    pages, characters = [], 0
    for number, page in enumerate(reader.pages, start=1):
        pages.append(Page(number, page.extract_text() or ""))
        characters += len(pages[-1].text)
        _check_characters(name, characters, max_characters)
    return pages


def _check_characters(name: str, count: int, cap: int | None) -> None:
    """Refuse a file past `cap` characters (counted so far, for a PDF)."""
    if cap is not None and count > cap:
        message = f"{name}: the file has more than {cap} characters"
        raise UnreadableFile(message, Reason.TOO_MANY_CHARACTERS, {"count": count, "cap": cap})


def _check_content_size(name: str, pages: Iterable[PageObject]) -> None:
    """Decompress every page's content (pypdf keeps it for text extraction) and refuse past CONTENT_LIMIT.

    This runs before any text is extracted, so a PDF of many streams each under STREAM_LIMIT neither fills
    memory nor keeps the content parser busy for minutes.
    """
    total = 0
    for page in pages:
        for stream in _content_streams(page, set()):  # a stream drawn on many pages is parsed for each
            total += len(stream.get_data())
            if total > CONTENT_LIMIT:
                limit = CONTENT_LIMIT // 1_000_000
                message = f"{name}: the PDF's page content exceeds the {limit} MB limit when decompressed"
                raise UnreadableFile(message, Reason.CONTENT_OVER_LIMIT, {"limit": CONTENT_LIMIT})


def _content_streams(holder: DictionaryObject, seen: set[int]) -> list[StreamObject]:
    """The content streams of a page or form XObject and of the forms it draws; `seen` stops cycles."""
    found: list[StreamObject] = []
    if isinstance(holder, StreamObject):  # a form XObject is its own content
        parts: list[PdfObject | None] = [holder]
    else:
        contents = _resolved(holder.get("/Contents"))
        parts = list(contents) if isinstance(contents, ArrayObject) else [contents]
    for part in map(_resolved, parts):
        if isinstance(part, StreamObject) and id(part) not in seen:
            seen.add(id(part))
            found.append(part)
    resources = _resolved(holder.get("/Resources"))
    xobjects = _resolved(resources.get("/XObject")) if isinstance(resources, DictionaryObject) else None
    if isinstance(xobjects, DictionaryObject):
        for xobject in map(_resolved, xobjects.values()):
            if isinstance(xobject, StreamObject) and xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
                found += _content_streams(xobject, seen)
    return found


def _resolved(obj: PdfObject | None) -> PdfObject | None:
    """An indirect reference followed (pypdf caches the object, so `id` identifies it)."""
    return obj.get_object() if obj is not None else None
