"""BM25 over the chunks, with the item title and heading indexed beside the passage.

Lucene's BM25 (k1 = 1.5, b = 0.75), the scores bm25s computes, built with numpy and scipy in a few vectorised
passes: the only per-token Python work is looking each token up once. A query adds up its terms' posting lists
with one bincount, so 100k chunks index in seconds and a query over a million chunks takes milliseconds.
"""

from __future__ import annotations

from array import array
from itertools import chain

import numpy as np
import scipy.sparse as sp

from bot.search.text import terms, token_terms, tokens

K1 = 1.5
B = 0.75


class LexicalIndex:
    """A BM25 index whose document i is chunk `ids[i]`."""

    def __init__(self, ids: np.ndarray, texts: list[str]) -> None:
        self.ids = ids
        self._vocab: dict[str, int] = {}
        term_ids, lengths = self._tokenize(texts)
        n_docs, n_terms = len(texts), len(self._vocab)
        docs = np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
        counts = sp.csc_matrix(
            (np.ones(len(term_ids), dtype=np.float32), (docs, term_ids)), shape=(n_docs, n_terms), dtype=np.float32
        )
        del docs, term_ids
        counts.sum_duplicates()
        doc_freq = np.diff(counts.indptr)
        idf = np.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5)).astype(np.float32)
        self._idf = idf
        self._unseen_idf = float(np.log1p((n_docs + 0.5) / 0.5))
        doc_len = np.maximum(lengths, 1).astype(np.float32)  # an empty chunk counts as one token
        norm = K1 * (1 - B + B * doc_len / (doc_len.mean() if n_docs else 1.0))
        tf = counts.data
        self._scores = (np.repeat(idf, doc_freq) * tf / (tf + norm[counts.indices])).astype(np.float32)
        self._docs = counts.indices.astype(np.int32)
        self._starts = counts.indptr.astype(np.int64)

    def _tokenize(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every text's term ids, concatenated, and each text's number of terms.

        Texts are split at whitespace, which no token spans, and each distinct piece is tokenised once: the
        per-piece lookups and the concatenation run in C loops.
        """
        vocab = self._vocab
        of_piece: dict[str, tuple[int, ...]] = {}
        flat = array("i")
        lengths = np.empty(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            pieces = text.lower().split()
            ids = list(map(of_piece.get, pieces))
            if None in ids:
                for j, piece in enumerate(pieces):
                    if ids[j] is None:
                        ids[j] = of_piece.setdefault(
                            piece,
                            tuple(
                                vocab.setdefault(t, len(vocab)) for token in tokens(piece) for t in token_terms(token)
                            ),
                        )
            before = len(flat)
            flat.extend(chain.from_iterable(ids))
            lengths[i] = len(flat) - before
        return np.frombuffer(flat, dtype=np.int32), lengths

    def idf(self, term: str) -> float:
        """How rare a search term is among the chunks (BM25's idf; a term no chunk holds is the rarest)."""
        at = self._vocab.get(term)
        return self._unseen_idf if at is None else float(self._idf[at])

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Chunk ids and BM25 scores of the best `k` chunks (`allowed`: a 0/1 mask over positions)."""
        query_ids = [self._vocab[t] for t in terms(query) if t in self._vocab]
        if not query_ids or not len(self.ids):
            return []
        spans = [slice(self._starts[t], self._starts[t + 1]) for t in query_ids]
        docs = np.concatenate([self._docs[s] for s in spans])
        weights = np.concatenate([self._scores[s] for s in spans])
        scores = np.bincount(docs, weights=weights, minlength=len(self.ids)).astype(np.float32)
        if allowed is not None:
            scores *= allowed
        hits = np.flatnonzero(scores > 0)
        if len(hits) > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
        hits = hits[np.argsort(-scores[hits], kind="stable")]
        return [(int(self.ids[d]), float(scores[d])) for d in hits]
