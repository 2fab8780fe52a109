"""Embedding progress on the terminal: a tqdm bar per file on stderr, none when stderr is not a terminal."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Self

from tqdm import tqdm


class EmbeddingBars:
    """The indexer's progress callback `(name, done, total)`: a bar for each file while its chunks are embedded,
    gone when the file is done (the caller prints the summary line)."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._name = ""

    def __call__(self, name: str, done: int, total: int) -> None:
        if self._bar is None or self._name != name:
            self.close()
            self._name = name
            self._bar = tqdm(total=total, desc=name, unit=" tekststykker", file=sys.stderr, disable=None, leave=False)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        """Take the current bar off the screen."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
