"""A PDF's, Word document's or web page's text extracted in a child process under CPU, memory and wall-clock limits,
so one hostile file (a zip bomb, a page nested millions deep) costs the writer at most those limits and never its own
memory; `.txt`/`.md` files are read in process.

The child is `python -m indexer.extract NAME SECONDS MEMORY_MB MAX_PAGES MAX_CHARACTERS`: the file's bytes on stdin,
its pages (or its typed refusal) as JSON on stdout. A fresh interpreter, not a fork: the parent holds torch.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indexer import ocr
from indexer.limits import MEMORY_EXIT, Limits, cap_process, child_env
from indexer.read import (
    TEXT_SUFFIXES,
    Page,
    UnreadableFile,
    check_suffix,
    empty_pages,
    needs_ocr,
    pages_of,
    pdf_modified,
)
from indexer.report import Reason

log = logging.getLogger(__name__)

QUARANTINE_REASONS = frozenset({Reason.EXTRACTION_TIMEOUT, Reason.EXTRACTION_MEMORY, Reason.EXTRACTION_CRASHED})
"""Failures that mean a hostile file: it is not tried again."""


OcrProgress = Callable[[int, int], None]
"""Called with (pages OCR'd, pages to OCR) after each page."""


@dataclass(frozen=True)
class Extracted:
    """What the child read of a file: its pages, and when a PDF says it was made (see `read.pdf_modified`)."""

    pages: list[Page]
    modified: dt.datetime | None = None


def extract_file(name: str, data: bytes, limits: Limits, on_ocr_page: OcrProgress | None = None) -> Extracted:
    """The pages of a file's bytes under `limits`, a PDF's pages without a text layer read by OCR where Tesseract
    is installed, and a PDF's own date (parsed in the child too: nothing of an untrusted file is parsed in this
    process); raises UnreadableFile (EXTRACTION_* when a child hit a limit or died)."""
    check_suffix(name)
    if Path(name).suffix.lower() in TEXT_SUFFIXES:
        return Extracted(pages_of(name, data, limits.max_pages, limits.max_characters))
    arguments = [name, limits.seconds, limits.memory_mb, limits.max_pages, limits.max_characters]
    command = [sys.executable, "-m", "indexer.extract", *map(str, arguments)]
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=limits.seconds, env=child_env(), check=False
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise _timeout(name, limits) from None
    extracted = _outcome(name, done, limits)
    if Path(name).suffix.lower() == ".pdf":
        return Extracted(_with_ocr(name, data, extracted.pages, limits, on_ocr_page), extracted.modified)
    return extracted


def _with_ocr(name: str, data: bytes, pages: list[Page], limits: Limits, on_page: OcrProgress | None) -> list[Page]:
    """`pages` with the first `limits.ocr_pages` pages without text read by OCR; a PDF left without any text is
    refused (NEEDS_OCR when Tesseract is not installed, OCR_NO_TEXT when it found none, EXTRACTION_* when the OCR
    process hit a limit before it found any)."""
    blank = empty_pages(pages)
    tesseract = ocr.engine()
    if not blank or tesseract is None:
        if not any(page.text.strip() for page in pages):
            raise needs_ocr(name)
        return pages
    numbers = blank[: limits.ocr_pages]
    outcome = ocr.read_pages(data, numbers, tesseract, limits.ocr_seconds, limits.memory_mb, on_page)
    pages = [Page(p.number, outcome.texts[p.number], ocr=True) if p.number in outcome.texts else p for p in pages]
    characters = sum(len(page.text) for page in pages)
    if characters > limits.max_characters:
        message = f"{name}: the file has more than {limits.max_characters} characters"
        raise UnreadableFile(message, Reason.TOO_MANY_CHARACTERS, {"count": characters, "cap": limits.max_characters})
    if any(page.text.strip() for page in pages):
        return pages
    if outcome.stopped is not None:
        raise _ocr_stopped(name, outcome.stopped, limits, len(numbers))
    message = f"{name}: no page has extractable text and OCR found none on {len(numbers)} pages"
    raise UnreadableFile(message, Reason.OCR_NO_TEXT, {"count": len(numbers)})


def _ocr_stopped(name: str, stopped: str, limits: Limits, pages: int) -> UnreadableFile:
    """The refusal of a PDF whose OCR process hit a limit or died before it read any text (quarantined)."""
    if stopped == "timeout":
        seconds = ocr.budget(limits.ocr_seconds, pages)
        message = f"{name}: OCR of the file took more than {seconds} s"
        return UnreadableFile(message, Reason.EXTRACTION_TIMEOUT, {"seconds": seconds})
    if stopped == "memory":
        message = f"{name}: OCR of the file needed more than {limits.memory_mb} MB"
        return UnreadableFile(message, Reason.EXTRACTION_MEMORY, {"limit": limits.memory_mb * 1_000_000})
    message = f"{name}: OCR of the file crashed"
    return UnreadableFile(message, Reason.EXTRACTION_CRASHED, {"error": "OCR"})


def _outcome(name: str, done: subprocess.CompletedProcess[bytes], limits: Limits) -> Extracted:
    """The child's pages and date, or its refusal, or the limit it hit."""
    if done.returncode == 0:
        result = json.loads(done.stdout)
        if "error" in result:
            error = result["error"]
            raise UnreadableFile(error["message"], Reason(error["reason"]), error["details"])
        modified = dt.datetime.fromisoformat(result["modified"]) if result["modified"] else None
        return Extracted([Page(number, text) for number, text in result["pages"]], modified)
    if done.returncode == MEMORY_EXIT:
        message = f"{name}: reading the file needed more than {limits.memory_mb} MB"
        raise UnreadableFile(message, Reason.EXTRACTION_MEMORY, {"limit": limits.memory_mb * 1_000_000})
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # the soft, then the hard CPU limit
        raise _timeout(name, limits)
    log.warning(
        "extracting %s failed with status %s: %s", name, done.returncode, done.stderr[-2000:].decode(errors="replace")
    )
    message = f"{name}: reading the file crashed (exit status {done.returncode})"
    raise UnreadableFile(message, Reason.EXTRACTION_CRASHED, {"error": f"exit status {done.returncode}"})


def _timeout(name: str, limits: Limits) -> UnreadableFile:
    message = f"{name}: reading the file took more than {limits.seconds} s"
    return UnreadableFile(message, Reason.EXTRACTION_TIMEOUT, {"seconds": limits.seconds})


def main(argv: list[str]) -> int:
    """The child: limits set, the bytes on stdin extracted, the pages or the refusal written on stdout."""
    name, seconds, memory_mb, max_pages, max_characters = argv[0], *map(int, argv[1:])
    cap_process(seconds, memory_mb)
    try:
        data = sys.stdin.buffer.read()
        try:
            pages = pages_of(name, data, max_pages, max_characters, scans=True)
            modified = pdf_modified(data)
            result: dict = {"pages": [[p.number, p.text] for p in pages], "modified": modified and modified.isoformat()}
        except UnreadableFile as error:
            result = {"error": {"message": str(error), "reason": error.reason.value, "details": error.details}}
        sys.stdout.buffer.write(json.dumps(result).encode())
    except MemoryError:
        return MEMORY_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
