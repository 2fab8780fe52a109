"""The FAISS index switches from exact to an inverted file above a size; both keep chunk ids and filters."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from bot.search import dense
from indexer import ann

DIM = 32


def clustered(n: int) -> np.ndarray:
    """Unit vectors around 50 random centres: structured like embeddings, unlike uniform noise."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((50, DIM))
    x = centres[rng.integers(0, 50, n)] + 0.6 * rng.standard_normal((n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    vectors, queries = np.split(clustered(4100), [4000])
    ids = np.arange(len(vectors), dtype=np.int64) * 7 + 1000  # chunk ids, not positions
    return ids, vectors, queries


@pytest.fixture(scope="module")
def exact(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> faiss.Index:
    ids, vectors, _ = data
    return ann.build(ids, vectors, DIM)


@pytest.fixture(scope="module")
def approximate(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> faiss.Index:
    ids, vectors, _ = data
    return ann.build(ids, vectors, DIM, exact_limit=1000)


def test_the_threshold_picks_the_kind(exact: faiss.Index, approximate: faiss.Index) -> None:
    assert isinstance(faiss.downcast_index(exact.index), faiss.IndexFlatIP)
    ivf = faiss.downcast_index(approximate.index)
    assert isinstance(ivf, faiss.IndexIVFFlat)
    assert 1 <= ivf.nprobe <= ivf.nlist
    assert ann.build(np.arange(0), np.zeros((0, DIM), np.float32), DIM).ntotal == 0


def test_approximate_recall_and_ids(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], exact: faiss.Index, approximate: faiss.Index
) -> None:
    ids, _, queries = data
    truth = np.array([[i for i, _ in dense.search(exact, q, 10)] for q in queries])
    found = np.array([[i for i, _ in dense.search(approximate, q, 10)] for q in queries])
    assert set(found.ravel()) <= set(ids.tolist())
    assert ann.recall_at(found, truth) >= 0.95


@pytest.mark.parametrize("kind", ["exact", "approximate"])
def test_allowed_ids_filter(
    kind: str, request: pytest.FixtureRequest, data: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    index = request.getfixturevalue(kind)
    ids, vectors, queries = data
    allowed = set(ids[::50].tolist())  # 2 %: one meeting among many
    for query in queries[:20]:
        hits = dense.search(index, query, 10, allowed)
        assert len(hits) == 10 and {i for i, _ in hits} <= allowed
        scores = vectors[np.searchsorted(ids, sorted(allowed))] @ query
        np.testing.assert_allclose(hits[0][1], scores.max(), rtol=1e-5)


def test_file_round_trip_keeps_kind_nprobe_and_vectors(
    tmp_path: Path, data: tuple[np.ndarray, np.ndarray, np.ndarray], approximate: faiss.Index
) -> None:
    ids, vectors, _ = data
    path = tmp_path / "chunks.faiss"
    faiss.write_index(approximate, str(path))
    loaded = ann.load(path)
    assert faiss.downcast_index(loaded.index).nprobe == faiss.downcast_index(approximate.index).nprobe
    np.testing.assert_array_equal(faiss.vector_to_array(loaded.id_map), ids)
    np.testing.assert_array_equal(loaded.index.reconstruct_n(0, loaded.ntotal), vectors)
