"""The FAISS index: derived from the Chunk rows' vectors, keyed by chunk id, swapped in atomically.

Up to `EXACT_LIMIT` vectors the index is exact (IndexFlatIP). Above it, exact search costs a full scan per
question, so the index becomes an inverted file (IndexIVFFlat, inner product, about 2·sqrt(n) lists trained by
spherical k-means on a sample) whose `nprobe` is tuned at build time: raised until recall@10 against exact search
reaches `TARGET_RECALL` on queries drawn from the stored vectors. The exact index is wrapped in IndexIDMap2 (ids =
chunk ids); the inverted file keeps chunk ids in its lists itself (IndexIDMap2 cannot remove from it). Both store
their vectors in full, so `contents` returns them.

A writer updates the index in place (`updated`: remove the ids a transaction deleted, add the rows it wrote) and
rebuilds it only when its kind no longer fits its size (`fits`) or the file disagreed with the database
(`compare_ann`: the database is the source of truth).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from indexer.models import Chunk

EXACT_LIMIT = 200_000
"""Most vectors searched exactly: a flat scan of 200k 384-d vectors takes ~20 ms on one core."""
TARGET_RECALL = 0.98
"""recall@10 the tuned nprobe reaches on the tuning queries; real questions measured at or above it, the bench's
synthetic questions (further from the passages) up to 0.03 below."""
TRAIN_PER_LIST = 40
"""Training vectors per inverted list (faiss wants at least 39)."""
TUNE_QUERIES = 200
READ_BLOCK = 10_000
"""Rows read from the database at a time."""


@dataclass
class ChunkDelta:
    """The chunks one transaction removes and adds, to update the FAISS index in place."""

    removed: list[int] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    """Blocks of vectors, in the order of `ids`."""


@dataclass(frozen=True)
class Agreement:
    """How the FAISS file compares with the chunk vectors in the database (the source of truth)."""

    chunks: int
    vectors: int | None
    """Vectors in the FAISS file; None when there is no readable file."""
    missing: int = 0
    """Chunk ids the FAISS file lacks."""
    unknown: int = 0
    """FAISS ids the database lacks (or holds twice)."""
    stale: int = 0
    """Ids in both whose vectors differ (SQLite reuses the ids of deleted rows)."""
    error: str | None = None
    """Why the FAISS file could not be read."""

    @property
    def ok(self) -> bool:
        """True when readers see the same chunks through FAISS as through the database."""
        return self.error is None and not (self.missing or self.unknown or self.stale)


def compare_ann(engine: Engine, path: Path) -> Agreement:
    """Compare the FAISS file's ids and vectors with the database's; no file and no chunks agree."""
    ids, vectors = stored_vectors(engine)
    if not path.exists():
        return Agreement(len(ids), None, missing=len(ids))
    try:
        ann_ids, ann_vectors = contents(load(path))
    except (RuntimeError, AttributeError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        return Agreement(len(ids), None, missing=len(ids), error=reason)
    common, in_db, in_ann = np.intersect1d(ids, ann_ids, return_indices=True)
    if len(common) and vectors.shape[1] != ann_vectors.shape[1]:
        stale = len(common)
    else:
        stale = int(np.count_nonzero(np.any(vectors[in_db] != ann_vectors[in_ann], axis=1))) if len(common) else 0
    return Agreement(len(ids), len(ann_ids), len(ids) - len(common), len(ann_ids) - len(common), stale)


def vector_bytes(vector: np.ndarray) -> bytes:
    """The stored form of a vector: little-endian float32."""
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def build(ids: np.ndarray, vectors: np.ndarray, dim: int, exact_limit: int = EXACT_LIMIT) -> faiss.Index:
    """An inner-product index over normalised vectors, ids = chunk ids: exact up to `exact_limit` vectors,
    an inverted file with a tuned nprobe above."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if len(ids) <= exact_limit:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if len(ids):
            index.add_with_ids(vectors, ids)
        return index
    ivf = _trained_ivf(vectors, dim)
    ivf.add_with_ids(vectors, ids)
    ivf.nprobe = tune_nprobe(ivf, ids, vectors)
    return ivf


def fits(index: faiss.Index, count: int, exact_limit: int = EXACT_LIMIT) -> bool:
    """Whether `index` is still the right kind for `count` vectors: exact up to `exact_limit`; an inverted file
    above it and until it holds 4x the vectors its lists were trained for (then lists would be twice too long)."""
    if not isinstance(index, faiss.IndexIVF):
        return count <= exact_limit
    trained_for = (index.nlist / 2) ** 2  # _trained_ivf makes about 2·sqrt(n) lists
    return exact_limit < count <= 4 * trained_for


def update(index: faiss.Index, removed: np.ndarray, ids: np.ndarray, vectors: np.ndarray) -> None:
    """Remove the ids `removed` from `index`, then add `vectors` under `ids` (an id may be in both: SQLite
    reuses the ids of rows deleted in the same transaction)."""
    if len(removed):
        index.remove_ids(np.ascontiguousarray(removed, dtype=np.int64))
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.ascontiguousarray(ids, dtype=np.int64))


def contents(index: faiss.Index) -> tuple[np.ndarray, np.ndarray]:
    """Every (chunk id, vector) `index` holds, in its own order: an inverted file's lists are read directly."""
    if not isinstance(index, faiss.IndexIVF):
        inner = faiss.downcast_index(index.index)
        stored = inner.reconstruct_n(0, inner.ntotal) if inner.ntotal else np.zeros((0, inner.d), np.float32)
        return faiss.vector_to_array(index.id_map), stored
    lists = index.invlists
    vectors = [
        np.frombuffer(faiss.rev_swig_ptr(lists.get_codes(n), lists.list_size(n) * lists.code_size).tobytes(), "<f4")
        for n in range(index.nlist)
        if lists.list_size(n)
    ]
    return ids(index), np.concatenate(vectors).reshape(-1, index.d) if vectors else np.zeros((0, index.d), np.float32)


def ids(index: faiss.Index) -> np.ndarray:
    """The chunk ids `index` holds, in the order `contents` returns them."""
    if not isinstance(index, faiss.IndexIVF):
        return faiss.vector_to_array(index.id_map)
    lists = index.invlists
    sizes = [(n, lists.list_size(n)) for n in range(index.nlist)]
    found = [faiss.rev_swig_ptr(lists.get_ids(n), size).copy() for n, size in sizes if size]
    return np.concatenate(found) if found else np.zeros(0, np.int64)


def _trained_ivf(vectors: np.ndarray, dim: int) -> faiss.IndexIVFFlat:
    """An empty inverted file with about 2·sqrt(n) lists, trained on a fixed sample of `vectors`."""
    lists = max(1, min(int(2 * math.sqrt(len(vectors))), len(vectors) // TRAIN_PER_LIST))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.spherical = True
    sample = np.random.default_rng(0).choice(len(vectors), min(len(vectors), lists * TRAIN_PER_LIST), replace=False)
    ivf.train(vectors[np.sort(sample)])
    return ivf


def tune_nprobe(ivf: faiss.IndexIVF, ids: np.ndarray, vectors: np.ndarray, target: float = TARGET_RECALL) -> int:
    """The smallest power-of-two nprobe whose recall@10 against exact search reaches `target`.

    Queries are midpoints of random pairs of stored vectors (`ids` and `vectors` as added): inside the data's
    distribution, but not on a stored vector (which would always find itself).
    """
    rng = np.random.default_rng(1)
    pairs = rng.integers(0, len(vectors), size=(TUNE_QUERIES, 2))
    queries = vectors[pairs[:, 0]] + vectors[pairs[:, 1]]
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    _, exact = faiss.knn(queries, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
    truth = ids[exact]
    nprobe = 1
    while nprobe < ivf.nlist:
        _, found = ivf.search(queries, 10, params=faiss.SearchParametersIVF(nprobe=nprobe))
        if recall_at(found, truth) >= target:
            return nprobe
        nprobe *= 2
    return ivf.nlist


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each row of `truth` (ids) that the same row of `found` holds."""
    return float(np.mean([len(np.intersect1d(f, t)) / len(t) for f, t in zip(found, truth)]))


def stored_vectors(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    """All chunk ids and vectors from the database, in id order (callers hold the writer lock or read one
    snapshot, so the count and the rows agree)."""
    with Session(engine) as session:
        return session_vectors(session)


def session_vectors(session: Session) -> tuple[np.ndarray, np.ndarray]:
    """All chunk ids and vectors as `session` sees them (its own changes included), in id order, read in blocks
    into one array."""
    count = session.exec(select(func.count()).select_from(Chunk)).one()
    result = session.exec(select(Chunk.id, Chunk.vector).order_by(Chunk.id).execution_options(yield_per=READ_BLOCK))
    ids = np.empty(count, dtype=np.int64)
    vectors: np.ndarray | None = None
    filled = 0
    for rows in result.partitions():
        block = np.frombuffer(b"".join(row[1] for row in rows), dtype="<f4").reshape(len(rows), -1)
        if vectors is None:
            vectors = np.empty((count, block.shape[1]), dtype=np.float32)
        ids[filled : filled + len(rows)] = [row[0] for row in rows]
        vectors[filled : filled + len(rows)] = block
        filled += len(rows)
    if vectors is None:
        return ids[:0], np.zeros((0, 0), dtype=np.float32)
    return ids[:filled], vectors[:filled]


def updated(index: faiss.Index | None, session: Session, delta: ChunkDelta, dim: Callable[[], int]) -> faiss.Index:
    """`index` (the FAISS file's, agreeing with the database before `session`'s transaction) with `delta` applied,
    when its kind still fits; else built from all of `session`'s chunks (`dim` when there are none). Costs the
    chunks changed, not the chunks stored."""
    count = session.exec(select(func.count()).select_from(Chunk)).one()
    if index is None or not fits(index, count) or index.ntotal - len(delta.removed) + len(delta.ids) != count:
        ids, vectors = session_vectors(session)
        return build(ids, vectors, vectors.shape[1] if len(ids) else dim())
    vectors = np.vstack(delta.vectors) if delta.vectors else np.zeros((0, index.d), np.float32)
    update(index, np.array(delta.removed, dtype=np.int64), np.array(delta.ids, dtype=np.int64), vectors)
    return index


def partial_path(path: Path) -> Path:
    """Where this process writes a new FAISS file before swapping it over `path`."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def remove_partials(path: Path) -> None:
    """Remove FAISS files killed writers left half-written beside `path` (hold the writer lock)."""
    for partial in path.parent.glob(f".{path.name}.*.partial"):
        partial.unlink(missing_ok=True)


def rebuild(engine: Engine, path: Path, dim: int) -> faiss.Index:
    """Rebuild the FAISS file from the database, written beside the old one and swapped in with os.replace."""
    ids, vectors = stored_vectors(engine)
    index = build(ids, vectors, vectors.shape[1] if len(ids) else dim)
    del vectors
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(path)
    faiss.write_index(index, str(partial))
    os.replace(partial, path)
    return index


def load(path: Path) -> faiss.Index | None:
    """The FAISS index at `path`, or None when there is none yet."""
    return faiss.read_index(str(path)) if path.exists() else None
