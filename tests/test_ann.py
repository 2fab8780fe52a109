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
    ivf = approximate
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
    assert loaded.nprobe == approximate.nprobe
    stored_ids, stored = ann.contents(loaded)
    order = np.argsort(stored_ids)
    np.testing.assert_array_equal(stored_ids[order], ids)
    np.testing.assert_array_equal(stored[order], vectors)


@pytest.mark.parametrize("kind", ["exact", "approximate"])
def test_an_update_in_place_equals_a_rebuild(
    kind: str, request: pytest.FixtureRequest, data: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    ids, vectors, queries = data
    index = faiss.clone_index(request.getfixturevalue(kind))
    removed = ids[100:400]
    reused = ids[100:110]  # SQLite gives deleted rows' ids to the next rows of the same transaction
    added_ids = np.concatenate([reused, ids[-1] + 7 * np.arange(1, 51)])
    added = clustered(len(added_ids) + 4100)[-len(added_ids) :]
    ann.update(index, removed, added_ids, added)

    keep = ~np.isin(ids, removed)
    want_ids, want = np.concatenate([ids[keep], added_ids]), np.vstack([vectors[keep], added])
    got_ids, got = ann.contents(index)
    order, want_order = np.argsort(got_ids), np.argsort(want_ids)
    np.testing.assert_array_equal(got_ids[order], want_ids[want_order])
    np.testing.assert_array_equal(got[order], want[want_order])
    truth = want_ids[faiss.knn(queries, want, 10, metric=faiss.METRIC_INNER_PRODUCT)[1]]
    found = np.array([[i for i, _ in dense.search(index, q, 10)] for q in queries])
    assert ann.recall_at(found, truth) >= (1.0 if kind == "exact" else 0.95)


def test_an_index_fits_its_size_until_its_kind_should_change(exact: faiss.Index, approximate: faiss.Index) -> None:
    assert ann.fits(exact, 4000) and not ann.fits(exact, ann.EXACT_LIMIT + 1)
    assert ann.fits(approximate, 4000, exact_limit=1000)
    assert not ann.fits(approximate, 900, exact_limit=1000)  # shrunk: exact search is cheap again
    assert not ann.fits(approximate, 40_000, exact_limit=1000)  # grown 10x: its lists were trained for 4,000
