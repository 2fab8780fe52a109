"""The library every face uses: one store, one embedding model, one searcher per process."""

from __future__ import annotations

import contextlib
import logging
from functools import cached_property
from pathlib import Path, PurePosixPath, PureWindowsPath

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.answer import Answerer
from bot.search.searcher import Searcher
from bot.settings import BUNDLED_CORPUS, Settings
from indexer.database import make_engine
from indexer.embedding import Embedder
from indexer.indexer import Indexer, Progress
from indexer.lock import IndexBusy
from indexer.models import Chunk
from indexer.report import FileReport

log = logging.getLogger(__name__)


class Dasbot:
    """Settings wired to the store, the model, the indexer and the answerer; the model loads on first use."""

    def __init__(self, settings: Settings, *, engine: Engine | None = None, embedder: Embedder | None = None) -> None:
        """`engine` and `embedder` share a store or a loaded model with another instance (tests, one process
        serving several faces); by default each is made on first use."""
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._engine = engine
        self._embedder = embedder

    @property
    def engine(self) -> Engine:
        """The database engine (tables created)."""
        if self._engine is None:
            self._engine = make_engine(self.settings.db_url)
        return self._engine

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded once."""
        if self._embedder is None:
            log.info("loading embedding model")
            self._embedder = Embedder.load(self.settings.embedding_model, self.settings.cache_dir)
        return self._embedder

    @cached_property
    def indexer(self) -> Indexer:
        """The indexer writing to this store."""
        return Indexer(self.engine, self.settings.ann_path, lambda: self.embedder, limits=self.settings.limits)

    @cached_property
    def searcher(self) -> Searcher:
        """The hybrid searcher over this store."""
        return Searcher(self.engine, self.settings.ann_path, lambda: self.embedder)

    @cached_property
    def answerer(self) -> Answerer:
        """The answerer over the searcher."""
        return Answerer(self.searcher)

    def chunk_count(self) -> int:
        """How many chunks the store holds."""
        with Session(self.engine) as session:
            return session.exec(select(func.count()).select_from(Chunk)).one()

    def index(
        self,
        paths: list[Path] | None = None,
        progress: Progress | None = None,
        *,
        force: bool = False,
    ) -> list[FileReport]:
        """Index `paths` (default: the bundled corpus); `force` re-reads files already indexed unchanged."""
        return self.indexer.index(paths or [BUNDLED_CORPUS], progress, force=force)

    def source_path(self, filename: str) -> Path | None:
        """The file a document was indexed from, when this store holds it (an upload, or the bundled corpus)."""
        if PurePosixPath(filename).name != filename or PureWindowsPath(filename).name != filename:
            return None
        for folder in (self.settings.uploads_dir, BUNDLED_CORPUS):
            path = folder / filename
            if path.is_file():
                return path
        return None

    def restore(self, file: str, progress: Progress | None = None) -> FileReport:
        """Index a replaced version again over the one that replaced it: `file` is a path, or the name `dasbot
        history` lists for an upload or a bundled record."""
        path = Path(file)
        if not path.is_file():
            path = self.source_path(file) or path
        return self.indexer.restore(path, progress)

    def ensure_indexed(self, progress: Progress | None = None) -> list[FileReport]:
        """Index the bundled corpus when the store is empty; nothing otherwise."""
        if self.chunk_count():
            with contextlib.suppress(IndexBusy):  # a writer at work repairs it itself
                self.indexer.ensure_consistent(lock_timeout=0)
            return []
        log.info("the index is empty: indexing the bundled corpus")
        return self.index(None, progress)
