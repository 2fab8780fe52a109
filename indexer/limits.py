"""What reading one untrusted file may cost, and how a child process reading it is held to that: its CPU seconds
and address space capped, its environment only the path to this package (no token reaches it). Light on imports:
the settings read their defaults here."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

MEMORY_EXIT = 3
"""A reading child's exit status when it ran out of its address space."""
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class Limits:
    """What one file may cost. The bundled records have about 100 pages, 130,000 characters and 300 chunks each
    and a real record's PDF extracts in under a second, so each default leaves room of more than ten times."""

    seconds: int = 60
    """CPU and wall-clock seconds for extracting a file's text (all types but `.txt`/`.md`)."""
    memory_mb: int = 1024
    """Address space of the extracting process, in MB."""
    max_pages: int = 2000
    max_characters: int = 5_000_000
    max_chunks: int = 5000
    """Chunks to embed, the costliest step: a 20,000-page PDF took 15-20 minutes of the only writer."""
    ocr_seconds: int = 20
    """Tesseract's CPU seconds for one PDF page without a text layer (three times that on the clock): a dense A4
    page takes about 3 s of CPU, so six times that; the OCR process gets this for each page it reads."""
    ocr_pages: int = 50
    """Pages without a text layer OCR'd per file (the rest stay listed as needing OCR): a 50-page scan costs at most
    50 x `ocr_seconds`, about 17 minutes of the only writer, and a real one a few minutes."""


DEFAULT_LIMITS = Limits()


def child_env() -> dict[str, str]:
    """The whole environment of a reading child: where this package is, nothing else."""
    return {"PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}


def cap_process(cpu_seconds: int, memory_mb: int) -> None:
    """Cap this process's CPU time (SIGXCPU, then SIGKILL a second later) and address space."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
