"""Hybrid search over the store, reloaded when the FAISS file changes; filtered by meeting date and committee."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from bot.search import dense
from bot.search.catalog import ChunkInfo, load_catalog
from bot.search.hybrid import fuse
from bot.search.lexical import LexicalIndex
from bot.search.windows import Sections, Window
from indexer import ann
from indexer.embedding import Embedder

CANDIDATES = 100


@dataclass(frozen=True)
class Hit:
    """One ranked chunk with its fused score and the scores it got from each retriever."""

    chunk: ChunkInfo
    score: float
    dense: float | None
    lexical: float | None


@dataclass(frozen=True)
class Found:
    """What one search found: the hits best first, their windows, and the term rarity of the same index."""

    hits: list[Hit]
    windows: list[Window]
    idf: Callable[[str], float]
    sections: Sections

    @property
    def ranks(self) -> list[int]:
        """Each window's best first-stage rank (1-based)."""
        rank_of = {hit.chunk.id: rank for rank, hit in enumerate(self.hits, start=1)}
        return [rank_of[w.hit.chunk.id] for w in self.windows]


@dataclass(frozen=True)
class _Snapshot:
    stamp: float
    catalog: dict[int, ChunkInfo]
    lexical: LexicalIndex
    faiss: object
    dates: np.ndarray
    committees: np.ndarray
    sections: Sections


class Searcher:
    """BM25 and FAISS over the chunks, fused by reciprocal rank; filters by meeting date and committee."""

    def __init__(self, engine: Engine, ann_path: Path, embedder: Callable[[], Embedder]) -> None:
        self.engine = engine
        self.ann_path = ann_path
        self._embedder = embedder
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> _Snapshot:
        """The loaded index, reloaded when the FAISS file was swapped since the last load."""
        stamp = self.ann_path.stat().st_mtime_ns if self.ann_path.exists() else 0.0
        with self._lock:
            if self._snapshot is None or self._snapshot.stamp != stamp:
                self._snapshot = self._load(stamp)
            return self._snapshot

    def _load(self, stamp: float) -> _Snapshot:
        catalog = load_catalog(self.engine)
        index = ann.load(self.ann_path)
        if index is None:
            index = ann.build(np.zeros(0, np.int64), np.zeros((0, 1), np.float32), 1)
        # After a crash between a commit and the FAISS swap, search only the chunks both sides know.
        known = set(ann.ids(index).tolist())
        catalog = {cid: chunk for cid, chunk in catalog.items() if cid in known}
        ids = np.fromiter(catalog, dtype=np.int64, count=len(catalog))
        days = (c.citation.meeting_date for c in catalog.values())
        dates = np.array([(day.toordinal() if day else 0) for day in days], dtype=np.int64)
        committees = np.array([c.citation.committee or "" for c in catalog.values()], dtype=object)
        lexical = LexicalIndex(ids, [c.search_text for c in catalog.values()])
        return _Snapshot(stamp, catalog, lexical, index, dates, committees, Sections(catalog))

    @property
    def catalog(self) -> dict[int, ChunkInfo]:
        """Every chunk, keyed by id."""
        return self.snapshot().catalog

    def search(
        self,
        query: str,
        k: int = 10,
        date_from: date | None = None,
        date_to: date | None = None,
        mode: str = "hybrid",
        committee: str | None = None,
    ) -> list[Hit]:
        """The `k` best chunks for `query`, among meetings between `date_from` and `date_to` and of `committee`
        when given.

        `mode` is "hybrid" (BM25 and FAISS fused), or "bm25" / "dense" alone (for measuring).
        """
        return self._search(self.snapshot(), query, k, date_from, date_to, mode, committee)

    def found(
        self,
        query: str,
        k: int = 10,
        date_from: date | None = None,
        date_to: date | None = None,
        mode: str = "hybrid",
        committee: str | None = None,
    ) -> Found:
        """`search` with the hits as windows (see `bot.search.windows`), all from one snapshot of the index, so a
        re-index that lands meanwhile never mixes old hits with new sections."""
        snap = self.snapshot()
        hits = self._search(snap, query, k, date_from, date_to, mode, committee)
        return Found(hits, snap.sections.windows(hits), snap.lexical.idf, snap.sections)

    def idf(self, term: str) -> float:
        """How rare a search term is in the current index."""
        return self.snapshot().lexical.idf(term)

    def _search(
        self,
        snap: _Snapshot,
        query: str,
        k: int,
        date_from: date | None,
        date_to: date | None,
        mode: str,
        committee: str | None,
    ) -> list[Hit]:
        if not snap.catalog:
            return []
        mask = _date_mask(snap.dates, date_from, date_to)
        if committee is not None:
            mask = (snap.committees == committee).astype(np.float32) * (1.0 if mask is None else mask)
        allowed = None if mask is None else set(snap.lexical.ids[mask.astype(bool)].tolist())
        lexical = snap.lexical.search(query, CANDIDATES, mask) if mode != "dense" else []
        dense_hits = []
        if mode != "bm25":
            dense_hits = dense.search(snap.faiss, self._embedder().encode_query(query), CANDIDATES, allowed)
        lexical_scores, dense_scores = dict(lexical), dict(dense_hits)
        return [
            Hit(snap.catalog[cid], score, dense_scores.get(cid), lexical_scores.get(cid))
            for cid, score in fuse(dense_hits, lexical)[:k]
            if cid in snap.catalog
        ]


def _date_mask(dates: np.ndarray, date_from: date | None, date_to: date | None) -> np.ndarray | None:
    """A 0/1 float mask over catalog positions for the date range, or None for no filter."""
    if date_from is None and date_to is None:
        return None
    lo = date_from.toordinal() if date_from else 1
    hi = date_to.toordinal() if date_to else date.max.toordinal()
    return ((dates >= lo) & (dates <= hi)).astype(np.float32)
