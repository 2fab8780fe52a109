"""Dense search: the query's vector against the FAISS index of chunk vectors."""

from __future__ import annotations

import faiss
import numpy as np


def search(index: faiss.Index, vector: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """Chunk ids and cosine scores of the best `k` chunks, optionally only among `allowed` ids."""
    if index.ntotal == 0:
        return []
    params = None
    if allowed is not None:
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.fromiter(allowed, dtype=np.int64)))
    scores, ids = index.search(vector.reshape(1, -1).astype(np.float32), min(k, index.ntotal), params=params)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
