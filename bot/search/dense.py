"""Dense search: the query's vector against the FAISS index of chunk vectors (exact or inverted file)."""

from __future__ import annotations

import math

import faiss
import numpy as np


def search(index: faiss.Index, vector: np.ndarray, k: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """Chunk ids and cosine scores of the best `k` chunks, optionally only among `allowed` ids.

    One query runs on one OpenMP thread: faiss splits even a single query across cores, which on two busy cores
    cost more than it saved (10k vectors: 0.4 ms alone, 1-2 ms split). The thread count is per calling thread,
    so index builds elsewhere keep all cores.
    """
    if index.ntotal == 0:
        return []
    query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, -1)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        scores, ids = index.search(query, min(k, index.ntotal), params=_params(index, allowed))
    finally:
        faiss.omp_set_num_threads(threads)
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]


def _params(index: faiss.Index, allowed: set[int] | None) -> faiss.SearchParameters | None:
    """Search parameters for the index's kind: the allowed ids as a selector and, for an inverted file, nprobe
    raised by 1/sqrt(allowed share). With a filter keeping 10 % of 400k vectors that measured recall@10 0.994 in
    7 ms (1/share: 1.000 in 23 ms); a filter of a few meetings probes every list, which is exact."""
    selector = None if allowed is None else faiss.IDSelectorBatch(np.fromiter(allowed, dtype=np.int64))
    if isinstance(index, faiss.IndexIVF):
        share = 1.0 if allowed is None else min(max(len(allowed), 1) / index.ntotal, 1.0)
        nprobe = min(index.nlist, math.ceil(index.nprobe / math.sqrt(share)))
        return faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
    return None if selector is None else faiss.SearchParameters(sel=selector)
