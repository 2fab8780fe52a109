"""One writer at a time: an advisory lock on `<data_dir>/index.lock` that the kernel drops when its holder dies."""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "index.lock"
POLL_SECONDS = 0.2

log = logging.getLogger(__name__)


class IndexBusy(RuntimeError):
    """Another process (or thread) kept the index lock for longer than the caller would wait."""

    def __init__(self, path: Path, holder: int | None, waited: float) -> None:
        self.path = path
        self.holder = holder
        self.waited = waited
        who = f"process {holder}" if holder else "another process"
        super().__init__(f"the index is being written by {who} (waited {waited:.0f} s for {path})")


@contextmanager
def index_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold the exclusive lock on `path`, waiting up to `timeout` seconds for another writer; raises IndexBusy.

    The lock is `flock` on an open file: a crash (even `kill -9`) releases it, so a stale file never blocks.
    Two opens of the file conflict even inside one process, so the lock also serialises threads (it is not
    re-entrant: do not take it again while holding it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_locked(path: Path) -> bool:
    """True when a writer holds the lock on `path` now."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, timeout: float) -> None:
    """Take the lock, polling until `timeout`; log once when another writer makes us wait."""
    start = time.monotonic()
    warned = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            waited = time.monotonic() - start
            if waited >= timeout:
                raise IndexBusy(path, recorded_pid(path), waited) from None
            if not warned:
                log.warning("indexer %s holds %s; waiting up to %.0f s", recorded_pid(path), path, timeout)
                warned = True
            time.sleep(min(POLL_SECONDS, max(timeout - waited, 0.01)))


def recorded_pid(path: Path) -> int | None:
    """The pid the holder wrote into the lock file (meaningful while `is_locked`), when readable."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None
