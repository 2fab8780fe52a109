"""Dense search: the query's vector against the FAISS index of chunk vectors (exact or inverted file)."""

from __future__ import annotations

import math
import os

# faiss's OpenMP threads spin while waiting by default; on a busy 2-core machine a spinning thread steals the
# core the search needs (IVF queries measured 8 ms instead of 1). Must be set before faiss is loaded.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import faiss
import numpy as np


def search(index: faiss.Index, vector: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """Chunk ids and cosine scores of the best `k` chunks, optionally only among `allowed` ids."""
    if index.ntotal == 0:
        return []
    query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
    scores, ids = index.search(query, min(k, index.ntotal), params=_params(index, allowed))
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


def _params(index: faiss.Index, allowed: set[int] | None) -> faiss.SearchParameters | None:
    """Search parameters for the index's kind: the allowed ids as a selector and, for an inverted file, its
    nprobe divided by the allowed share, so a filtered query still compares about as many allowed vectors."""
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    selector = None if allowed is None else faiss.IDSelectorBatch(np.fromiter(allowed, dtype=np.int64))
    if isinstance(inner, faiss.IndexIVF):
        share = 1.0 if allowed is None else max(len(allowed), 1) / index.ntotal
        nprobe = min(inner.nlist, math.ceil(inner.nprobe / min(share, 1.0)))
        return faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
    return None if selector is None else faiss.SearchParameters(sel=selector)
