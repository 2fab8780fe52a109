"""BM25 over the chunks (bm25s), with the item title and heading indexed beside the passage."""

from __future__ import annotations

import bm25s
import numpy as np

from bot.search.text import terms


class LexicalIndex:
    """A BM25 index whose document i is chunk `ids[i]`."""

    def __init__(self, ids: np.ndarray, texts: list[str]) -> None:
        self.ids = ids
        self._bm25 = bm25s.BM25()
        corpus = [terms(text) or ["_"] for text in texts]
        self._bm25.index(corpus, show_progress=False)
        self._position = {int(chunk_id): i for i, chunk_id in enumerate(ids)}

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Chunk ids and BM25 scores of the best `k` chunks (`allowed`: a 0/1 mask over positions)."""
        query_terms = [t for t in terms(query) if t in self._bm25.vocab_dict]
        if not query_terms or not len(self.ids):
            return []
        k = min(k, len(self.ids))
        docs, scores = self._bm25.retrieve(
            [query_terms], k=k, show_progress=False, weight_mask=allowed, n_threads=1
        )
        return [(int(self.ids[d]), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
