"""BM25 over the chunks scores exactly as bm25s's Lucene variant does, on the bundled records."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from bot.search.lexical import K1, B, LexicalIndex
from bot.search.text import terms
from indexer.chunking import windows
from indexer.clean import join_lines
from tests.conftest import corpus_lines

QUERIES = (
    "takst pr. sag i Børnehus Nord",
    "dimensionering af pædagoguddannelsen på UCN",
    "arbejdsgruppe for nødsporet Kvisten",
    "Socialtilsyn Nords budget 2024 og takstkategori 4",
)


@pytest.fixture(scope="module")
def passages() -> list[str]:
    """The bundled records cut into passages of about 80 words, as the indexer cuts them."""
    texts = [
        join_lines(line.text for line in window)
        for prefix in ("000", "001", "002", "003", "004")
        for window in windows(corpus_lines(prefix))
    ]
    return [text for text in texts if terms(text)]


def test_scores_equal_bm25s(passages: list[str]) -> None:
    ours = LexicalIndex(np.arange(len(passages), dtype=np.int64), passages)
    reference = bm25s.BM25(k1=K1, b=B, method="lucene")
    reference.index([terms(text) for text in passages], show_progress=False)
    for query in QUERIES:
        found = dict(ours.search(query, k=len(passages)))
        known = [t for t in terms(query) if t in reference.vocab_dict]
        expected = reference.get_scores(known)
        assert found, query
        assert set(found) == set(np.flatnonzero(expected > 0).tolist()), query
        got = np.array([found[i] for i in sorted(found)])
        assert np.allclose(got, expected[sorted(found)], rtol=1e-5), query
