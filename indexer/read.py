"""The I/O edge: a file's text page by page (PDF via pypdf, or plain text), or one clear error."""

from __future__ import annotations

import codecs
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, apply_configuration
from pypdf.errors import DependencyError, LimitReachedError, PyPdfError

TEXT_SUFFIXES = frozenset({".txt", ".md"})
PDF_MAGIC = b"%PDF-"
STREAM_LIMIT = 50_000_000
"""Bytes one PDF stream may declare or decompress to; a larger one (a zip bomb) fails the file."""

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
    suffix = path.suffix.lower()
    if suffix != ".pdf" and suffix not in TEXT_SUFFIXES:
        raise UnreadableFile(f"{path.name}: unsupported file type {suffix or '(none)'}; expected .pdf, .txt or .md")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise UnreadableFile(f"{path.name}: the file is empty")
    if suffix == ".pdf":
        return _pdf_pages(path.name, data)
    return [Page(None, _decode_text(path.name, data))]


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
    return [Page(number, page.extract_text() or "") for number, page in enumerate(reader.pages, start=1)]
