"""The I/O edge: a file's text page by page (PDF via pypdf, or plain text), or one clear error."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfReader, apply_configuration
from pypdf.errors import DependencyError, LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject, StreamObject

TEXT_SUFFIXES = frozenset({".txt", ".md"})
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
    """A file that yields no text; the message is one English line for the caller to translate."""


@dataclass(frozen=True)
class Page:
    """One page's raw text; number is 1-based for PDFs and None for plain text."""

    number: int | None
    text: str


def read_pages(path: Path) -> list[Page]:
    """The pages of a PDF, or a `.txt`/`.md` file as one page; raises UnreadableFile."""
    check_suffix(path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    return pages_of(path.name, data)


def check_suffix(name: str) -> None:
    """Refuse a file name whose type is not PDF, `.txt` or `.md`."""
    suffix = Path(name).suffix.lower()
    if suffix != ".pdf" and suffix not in TEXT_SUFFIXES:
        raise UnreadableFile(f"{name}: unsupported file type {suffix or '(none)'}; expected .pdf, .txt or .md")


def pages_of(name: str, data: bytes) -> list[Page]:
    """The pages of a file's bytes, its type taken from `name`; raises UnreadableFile."""
    check_suffix(name)
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise UnreadableFile(f"{name}: the file is empty")
    if Path(name).suffix.lower() == ".pdf":
        return _pdf_pages(name, data)
    return [Page(None, _decode_text(name, data))]


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


def _decode_text(name: str, data: bytes) -> str:
    """UTF-8 text without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{name}: not UTF-8 text (bad byte at offset {exc.start})") from exc


def _pdf_pages(name: str, data: bytes) -> list[Page]:
    """Extract each page's text under the stream limits; map pypdf's failures to UnreadableFile."""
    if not data.startswith(PDF_MAGIC):
        raise UnreadableFile(f"{name}: not a PDF file (no %PDF- header)")
    try:
        with apply_configuration(**_LIMITS):
            pages = _extract(name, data)
    except UnreadableFile:
        raise
    except LimitReachedError as exc:
        raise UnreadableFile(f"{name}: a PDF stream exceeds the {STREAM_LIMIT // 1_000_000} MB limit") from exc
    except DependencyError as exc:
        raise UnreadableFile(f"{name}: the PDF uses an unsupported encryption or filter ({exc})") from exc
    except _MALFORMED as exc:
        raise UnreadableFile(f"{name}: corrupt or truncated PDF ({type(exc).__name__})") from exc
    if not pages:
        raise UnreadableFile(f"{name}: the PDF has no pages")
    if not any(page.text.strip() for page in pages):
        raise UnreadableFile(f"{name}: no page has extractable text (scanned or image-only); the PDF needs OCR")
    return pages


def _extract(name: str, data: bytes) -> list[Page]:
    """The text of every page; an encrypted PDF is opened with the empty password or refused."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise UnreadableFile(f"{name}: the PDF is password-protected")
    _check_content_size(name, reader.pages)
    return [Page(number, page.extract_text() or "") for number, page in enumerate(reader.pages, start=1)]


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
                raise UnreadableFile(f"{name}: the PDF's page content exceeds the {limit} MB limit when decompressed")


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
