"""OCR of PDF pages without a text layer (scans): each page rendered with pypdfium2 and read by Tesseract with its
Danish data, in a child process of its own under CPU, memory and wall-clock limits, one page at a time.

The budget is per page: Tesseract may spend `seconds` of CPU on a page, and the page (rendering and Tesseract
together) WALL_FACTOR times that on the clock, since on two shared cores a busy machine stretches the wall time of
the same work; past either Tesseract is killed and the page stays without text. The whole child gets the page's
wall time for each page it is given plus a start-up margin, so a legitimate 20-page scan is never cut short by a
limit sized for one page, and a hostile file costs at most the per-page limits times the page cap.

The child is `python -m indexer.ocr TESSERACT SECONDS MEMORY_MB PAGE...`: the PDF's bytes on stdin, one JSON line
per page on stdout as soon as it is read (`{"page": 3, "text": "..."}`, or `{"page": 3, "error": "timeout"}`), so
the parent reports progress and keeps the pages read before a limit stopped the child.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

import pypdfium2

from indexer.limits import MEMORY_EXIT, cap_process, child_env

log = logging.getLogger(__name__)

LANGUAGE = "dan"
"""Tesseract's Danish model; it reads English text on the same pages well too (one Latin-script model)."""
DPI = 300
"""Rendering resolution: what scanners are set to for text, and what Tesseract is trained on."""
MAX_PIXELS = 25_000_000
"""Pixels one rendered page may have (A4 at 300 dpi has 8.7 million); a larger page is rendered at less dpi."""
STARTUP_SECONDS = 10
"""Added once to the child's budget for starting Python and opening the PDF."""
WALL_FACTOR = 3
"""A page's wall-clock limit as a multiple of its CPU limit."""
_ENV = {"OMP_THREAD_LIMIT": "1"}
"""Tesseract's environment: one thread (OpenMP threads competing for two shared cores run many times slower)."""


@functools.cache
def engine() -> str | None:
    """The path of a Tesseract that has the Danish data; None when it or the data is not installed."""
    path = shutil.which("tesseract")
    if path is None:
        return None
    try:
        done = subprocess.run([path, "--list-langs"], capture_output=True, timeout=30, env=_ENV, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    languages = done.stdout.decode(errors="replace").split()
    return path if done.returncode == 0 and LANGUAGE in languages else None


def budget(seconds: int, pages: int) -> int:
    """The wall-clock seconds OCR of `pages` pages at `seconds` of CPU a page may take in all."""
    return WALL_FACTOR * seconds * pages + STARTUP_SECONDS


@dataclass
class Outcome:
    """What OCR of a file's pages gave: the text of each page read (blank when Tesseract found none), and why the
    child stopped early (`stopped`: "timeout", "memory" or "crashed"), None when it read every page it was given."""

    texts: dict[int, str] = field(default_factory=dict)
    stopped: str | None = None


def read_pages(
    data: bytes,
    numbers: Sequence[int],
    tesseract: str,
    seconds: int,
    memory_mb: int,
    on_page: Callable[[int, int], None] | None = None,
) -> Outcome:
    """OCR the 1-based pages `numbers` of a PDF's bytes in a child process, `seconds` of Tesseract's CPU a page;
    `on_page(done, total)` after each."""
    deadline = time.monotonic() + budget(seconds, len(numbers))
    arguments = [tesseract, seconds, memory_mb, *numbers]
    command = [sys.executable, "-m", "indexer.ocr", *map(str, arguments)]
    outcome, done = Outcome(), 0
    with tempfile.TemporaryFile() as source, tempfile.TemporaryFile() as errors:
        source.write(data)
        source.seek(0)
        child = subprocess.Popen(
            command, stdin=source, stdout=subprocess.PIPE, stderr=errors, env=child_env(), start_new_session=True
        )
        assert child.stdout is not None
        try:
            for line in _lines(child.stdout, deadline):
                result = json.loads(line)
                if "text" in result:
                    outcome.texts[result["page"]] = result["text"]
                else:
                    log.warning("OCR of page %s failed: %s", result["page"], result["error"])
                done += 1
                if on_page:
                    on_page(done, len(numbers))
            with contextlib.suppress(subprocess.TimeoutExpired):  # its output closed: it is exiting
                child.wait(timeout=max(deadline - time.monotonic(), 0))
        finally:
            timed_out = child.poll() is None
            if timed_out:
                os.killpg(child.pid, signal.SIGKILL)  # the child and its Tesseract
            status = child.wait()
            child.stdout.close()
        if timed_out or status in (-signal.SIGXCPU, -signal.SIGKILL):
            outcome.stopped = "timeout"
        elif status == MEMORY_EXIT:
            outcome.stopped = "memory"
        elif status != 0:
            errors.seek(0)
            log.warning("OCR failed with status %s: %s", status, errors.read()[-2000:].decode(errors="replace"))
            outcome.stopped = "crashed"
    return outcome


def _lines(stream: IO[bytes], deadline: float) -> Iterator[bytes]:
    """The lines the child writes, until it closes its output or the deadline passes."""
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    buffered = b""
    with selector:
        while (left := deadline - time.monotonic()) > 0 and selector.select(left):
            chunk = os.read(stream.fileno(), 1 << 16)
            if not chunk:
                return
            buffered += chunk
            *lines, buffered = buffered.split(b"\n")
            yield from lines


# ---------------------------------------------------------------------------------------------- the child


def _render(document: pypdfium2.PdfDocument, number: int) -> bytes | None:
    """Page `number` as a grayscale PGM image at DPI (less for a page larger than MAX_PIXELS); None for a page that
    is white all over (nothing to read)."""
    page = document[number - 1]
    width, height = page.get_size()  # points
    scale = min(DPI / 72, (MAX_PIXELS / max(width * height, 1)) ** 0.5)
    bitmap = page.render(scale=scale, grayscale=True)  # one byte a pixel, rows `stride` bytes apart
    width, height, stride = bitmap.width, bitmap.height, bitmap.stride
    pixels = memoryview(bitmap.buffer).cast("B")
    rows = (
        bytes(pixels) if stride == width else b"".join(pixels[r * stride : r * stride + width] for r in range(height))
    )
    if rows.count(255) == len(rows):
        return None
    return b"P5\n%d %d\n255\n" % (width, height) + rows


def _tesseract(tesseract: str, image: bytes, cpu: int, wall: float) -> str:
    """The text Tesseract reads on `image` in at most `cpu` seconds of CPU and `wall` on the clock; raises
    TimeoutExpired (or RuntimeError when the CPU limit killed it)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    command = [tesseract, "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(DPI)]
    done = subprocess.run(
        command, input=image, capture_output=True, timeout=wall, env=_ENV, preexec_fn=limit, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"tesseract exit status {done.returncode}")
    return done.stdout.decode("utf-8", errors="replace").replace("\f", "").strip()


def _page(document: pypdfium2.PdfDocument, number: int, tesseract: str, seconds: int) -> dict:
    """One page's result line: its text, or why it has none."""
    start = time.monotonic()
    try:
        image = _render(document, number)
        if image is None:
            return {"page": number, "text": ""}
        left = WALL_FACTOR * seconds - (time.monotonic() - start)
        if left <= 0:
            return {"page": number, "error": "timeout"}
        text = _tesseract(tesseract, image, seconds, left)
    except subprocess.TimeoutExpired:
        return {"page": number, "error": "timeout"}
    except (RuntimeError, OSError, ValueError) as error:
        return {"page": number, "error": f"{type(error).__name__}: {error}"}
    return {"page": number, "text": text}


def main(argv: list[str]) -> int:
    """The child: limits set, the PDF on stdin opened, each page's result written as one JSON line."""
    tesseract, seconds, memory_mb, *numbers = argv[0], *map(int, argv[1:])
    cap_process(seconds * len(numbers) + STARTUP_SECONDS, memory_mb)
    try:
        try:
            document = pypdfium2.PdfDocument(sys.stdin.buffer.read())
        except pypdfium2.PdfiumError as error:  # pypdf read it, PDFium cannot: no page is read
            results = [{"page": number, "error": f"PdfiumError: {error}"} for number in numbers]
        else:
            results = (_page(document, number, tesseract, seconds) for number in numbers)
        for result in results:
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()
    except MemoryError:
        return MEMORY_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
