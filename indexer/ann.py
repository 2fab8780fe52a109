"""The FAISS index: derived from the Chunk rows' vectors, keyed by chunk id, swapped in atomically."""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, select

from indexer.models import Chunk


def vector_bytes(vector: np.ndarray) -> bytes:
    """The stored form of a vector: little-endian float32."""
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def build(ids: np.ndarray, vectors: np.ndarray, dim: int) -> faiss.Index:
    """An exact inner-product index over normalised vectors, ids = chunk ids."""
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    return index


def stored_vectors(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    """All chunk ids and vectors from the database, in id order."""
    with Session(engine) as session:
        rows = session.exec(select(Chunk.id, Chunk.vector).order_by(Chunk.id)).all()
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    if not rows:
        return ids, np.zeros((0, 0), dtype=np.float32)
    vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype="<f4").reshape(len(rows), -1)
    return ids, vectors


def rebuild(engine: Engine, path: Path, dim: int) -> faiss.Index:
    """Rebuild the FAISS file from the database, written beside the old one and swapped in with os.replace."""
    ids, vectors = stored_vectors(engine)
    index = build(ids, vectors, vectors.shape[1] if len(ids) else dim)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    faiss.write_index(index, str(partial))
    os.replace(partial, path)
    return index


def load(path: Path) -> faiss.Index | None:
    """The FAISS index at `path`, or None when there is none yet."""
    return faiss.read_index(str(path)) if path.exists() else None
