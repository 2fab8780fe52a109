"""The I/O edge: the bytes of a file under a size cap, their text page by page (PDF via pypdf; plain
text, split into pages at form feeds; Word documents and web pages as text lines) and when they were made, or one
typed refusal."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docx.opc.exceptions import OpcError
from lxml.etree import LxmlError
from pypdf import PageObject, PdfReader, apply_configuration
from pypdf.errors import DependencyError, LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject, StreamObject

from indexer.formats.docx import ArchiveOverLimit, NotDocx, docx_text
from indexer.formats.html import HtmlOverLimit, html_text
from indexer.report import Details, Reason, megabytes

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED = frozenset({".pdf", ".docx"}) | TEXT_SUFFIXES | HTML_SUFFIXES
"""The file types indexed, as lower-case suffixes; compare `Path.suffix.lower()`."""
FORM_FEED = "\f"
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
# python-docx reports a malformed archive or part through the zip module's, lxml's and its own exceptions.
_MALFORMED_DOCX = (zipfile.BadZipFile, OpcError, LxmlError, OSError, EOFError, NotImplementedError, zlib.error)
_MALFORMED_DOCX += (KeyError, ValueError, TypeError, AttributeError, IndexError, RecursionError)
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
    """One page's raw text; number is 1-based for PDFs and for text split at form feeds, None for other text;
    `ocr` when the text was read by OCR from a page without a text layer."""

    number: int | None
    text: str
    ocr: bool = False


def read_pages(path: Path) -> list[Page]:
    """The pages of a file of a supported type (see `pages_of`); raises UnreadableFile."""
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
    """Refuse a file name whose type is not in SUPPORTED."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise UnreadableFile(
            f"{name}: unsupported file type {suffix or '(none)'}; expected one of {', '.join(sorted(SUPPORTED))}",
            Reason.UNSUPPORTED_TYPE,
            {"suffix": suffix},
        )


def pages_of(
    name: str, data: bytes, max_pages: int | None = None, max_characters: int | None = None, *, scans: bool = False
) -> list[Page]:
    """The pages of a file's bytes, its type taken from `name`, refused past `max_pages` PDF pages (before any text
    is extracted) or `max_characters`; a PDF without any text is refused as needing OCR unless `scans` (its blank
    pages are then OCR'd by the caller); raises UnreadableFile."""
    check_suffix(name)
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise UnreadableFile(f"{name}: the file is empty", Reason.EMPTY)
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        pages = _pdf_pages(name, data, max_pages, max_characters)
        if not scans and not any(page.text.strip() for page in pages):
            raise needs_ocr(name)
        return pages
    if suffix == ".docx":
        text = _docx_text(name, data)
    elif suffix in HTML_SUFFIXES:
        text = _html_text(name, data)
    else:
        text = _decode_text(name, data)
    _check_characters(name, len(text), max_characters)
    pages = text_pages(text)
    if not pages:
        raise UnreadableFile(f"{name}: no text to index", Reason.NO_TEXT)
    return pages


def text_pages(text: str) -> list[Page]:
    """A text's pages: split at form feeds (numbered from 1, blank ones left out) when it has any, else one page
    numbered None."""
    if FORM_FEED not in text:
        return [Page(None, text)] if text.strip() else []
    return [Page(number, part) for number, part in enumerate(text.split(FORM_FEED), start=1) if part.strip()]


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


def version_time(path: Path, stamp: dt.datetime | None) -> dt.datetime:
    """When this version of a record was made (UTC): `stamp` (a PDF's own date), else the file's mtime."""
    if stamp is not None:
        return stamp
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError:
        return dt.datetime.now(dt.UTC)


def empty_pages(pages: list[Page]) -> list[int]:
    """The numbers of PDF pages without text."""
    return [page.number for page in pages if page.number is not None and not page.text.strip()]


def ocr_pages(pages: list[Page]) -> list[int]:
    """The numbers of PDF pages whose text was read by OCR."""
    return [page.number for page in pages if page.number is not None and page.ocr and page.text.strip()]


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


def _html_text(name: str, data: bytes) -> str:
    """A web page's text; a page past the parser's limits is refused, not read in part."""
    try:
        return html_text(data)
    except HtmlOverLimit as exc:
        raise UnreadableFile(f"{name}: the HTML page passes a parser limit ({exc})", Reason.HTML_OVER_LIMIT) from exc


def _docx_text(name: str, data: bytes) -> str:
    """A Word document's text, its archive refused past CONTENT_LIMIT bytes unpacked (its XML parts past
    XML_LIMIT); failures as UnreadableFile."""
    try:
        return docx_text(data, CONTENT_LIMIT)
    except NotDocx as exc:
        raise UnreadableFile(f"{name}: not a Word document ({exc})", Reason.NOT_DOCX) from exc
    except ArchiveOverLimit as exc:
        message = f"{name}: the Word document unpacks to more than {exc.limit // 1_000_000} MB"
        raise UnreadableFile(message, Reason.ARCHIVE_OVER_LIMIT, {"size": exc.size, "limit": exc.limit}) from exc
    except _MALFORMED_DOCX as exc:
        kind = type(exc).__name__
        message = f"{name}: corrupt Word document ({kind})"
        raise UnreadableFile(message, Reason.CORRUPT_DOCX, {"error": kind}) from exc


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
    return pages


def needs_ocr(name: str) -> UnreadableFile:
    """The refusal of a PDF without any text when no OCR can read it."""
    message = f"{name}: no page has extractable text (scanned or image-only); the PDF needs OCR"
    return UnreadableFile(message, Reason.NEEDS_OCR)


def _extract(name: str, data: bytes, max_pages: int | None, max_characters: int | None) -> list[Page]:
    """The text of every page; an encrypted PDF (RC4 or AES) is opened with the empty password, as a reader opens
    one with an empty user password or only an owner password, or refused as needing a password."""
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
