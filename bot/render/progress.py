"""Indexing progress on the terminal: a tqdm bar per file and stage (OCR, embedding) on stderr, none when stderr is
not a terminal."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Self

from tqdm import tqdm

from indexer.indexer import Stage

UNITS = {Stage.OCR: " sider OCR-læst", Stage.EMBEDDING: " tekststykker"}


class EmbeddingBars:
    """The indexer's progress callback `(name, done, total, stage)`: a bar for each file while its scanned pages
    are read by OCR, then while its chunks are embedded, gone when the stage is done (the caller prints the summary
    line)."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._shown: tuple[str, Stage] | None = None

    def __call__(self, name: str, done: int, total: int, stage: Stage = Stage.EMBEDDING) -> None:
        if self._bar is None or self._shown != (name, stage):
            self.close()
            self._shown = (name, stage)
            self._bar = tqdm(total=total, desc=name, unit=UNITS[stage], file=sys.stderr, disable=None, leave=False)
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
