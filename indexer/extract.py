"""A PDF's text extracted in a child process under CPU, memory and wall-clock limits, so one hostile file costs the
writer at most those limits and never its own memory; `.txt`/`.md` files are read in process.

The child is `python -m indexer.extract NAME SECONDS MEMORY_MB MAX_PAGES MAX_CHARACTERS`: the file's bytes on stdin,
its pages (or its typed refusal) as JSON on stdout. A fresh interpreter, not a fork: the parent holds torch.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from indexer.read import TEXT_SUFFIXES, Page, UnreadableFile, check_suffix, pages_of
from indexer.report import Reason

log = logging.getLogger(__name__)

_MEMORY_EXIT = 3
"""The child's exit status when it ran out of its address space."""
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)

QUARANTINE_REASONS = frozenset({Reason.EXTRACTION_TIMEOUT, Reason.EXTRACTION_MEMORY, Reason.EXTRACTION_CRASHED})
"""Failures that mean a hostile file: it is not tried again."""


@dataclass(frozen=True)
class Limits:
    """What one file may cost. The bundled records have about 100 pages, 130,000 characters and 300 chunks each
    and a real record's PDF extracts in under a second, so each default leaves room of more than ten times."""

    seconds: int = 60
    """CPU and wall-clock seconds for extracting a PDF's text."""
    memory_mb: int = 1024
    """Address space of the extracting process, in MB."""
    max_pages: int = 2000
    max_characters: int = 5_000_000
    max_chunks: int = 5000
    """Chunks to embed, the costliest step: a 20,000-page PDF took 15-20 minutes of the only writer."""


DEFAULT_LIMITS = Limits()


def extract_pages(name: str, data: bytes, limits: Limits) -> list[Page]:
    """The pages of a file's bytes under `limits`; raises UnreadableFile (EXTRACTION_* when the child hit a limit
    or died)."""
    check_suffix(name)
    if Path(name).suffix.lower() in TEXT_SUFFIXES:
        return pages_of(name, data, limits.max_pages, limits.max_characters)
    arguments = [name, limits.seconds, limits.memory_mb, limits.max_pages, limits.max_characters]
    command = [sys.executable, "-m", "indexer.extract", *map(str, arguments)]
    path = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))
    env = {"PYTHONPATH": path}  # nothing else: no token reaches the process parsing an untrusted file
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=limits.seconds, env=env, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise _timeout(name, limits) from None
    return _outcome(name, done, limits)


def _outcome(name: str, done: subprocess.CompletedProcess[bytes], limits: Limits) -> list[Page]:
    """The child's pages, or its refusal, or the limit it hit."""
    if done.returncode == 0:
        result = json.loads(done.stdout)
        if "error" in result:
            error = result["error"]
            raise UnreadableFile(error["message"], Reason(error["reason"]), error["details"])
        return [Page(number, text) for number, text in result["pages"]]
    if done.returncode == _MEMORY_EXIT:
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


def _limit(seconds: int, memory_mb: int) -> None:
    """Cap this process's CPU time (SIGXCPU, then SIGKILL a second later) and address space."""
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def main(argv: list[str]) -> int:
    """The child: limits set, the bytes on stdin extracted, the pages or the refusal written on stdout."""
    name, seconds, memory_mb, max_pages, max_characters = argv[0], *map(int, argv[1:])
    _limit(seconds, memory_mb)
    try:
        data = sys.stdin.buffer.read()
        try:
            result: dict = {"pages": [[p.number, p.text] for p in pages_of(name, data, max_pages, max_characters)]}
        except UnreadableFile as error:
            result = {"error": {"message": str(error), "reason": error.reason.value, "details": error.details}}
        sys.stdout.buffer.write(json.dumps(result).encode())
    except MemoryError:
        return _MEMORY_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
