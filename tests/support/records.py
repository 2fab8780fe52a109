"""Records and an embedder made for tests: a small agenda in the DAS layout, and vectors hashed from the text."""

from __future__ import annotations

import hashlib

import numpy as np

from indexer.embedding import Embedder


def agenda(
    date: str = "04.12.2012",
    committee: str = "Sundheds- og Forebyggelsesudvalget",
    word: str = "Torvevej",
) -> str:
    """A small agenda in the DAS layout: two items with a recommendation each."""
    header = f" Mødet den {date} {committee}"
    return f"""{header}

Åben

Punkt 1.

Meddelelser

Indstilling

Det indstilles, at

• udvalget tager meddelelserne til efterretning
{header}

Åben

Punkt 4.

Takstreduktion på aflastningstilbuddet {word} i Skovlunde i 2013

Resume

Taksten for aflastning på {word} foreslås reduceret fra 2013, fordi belægningen er faldet.

Indstilling

Det indstilles, at

• taksten for aflastningstilbuddet {word} reduceres fra 1. januar 2013
"""


class HashedEmbedder:
    """The real model's token counting with deterministic vectors hashed from the text."""

    def __init__(self, real: Embedder) -> None:
        self.name = "hashed"
        self.dim = real.dim
        self.max_tokens = real.max_tokens
        self.count_tokens = real.count_tokens

    def encode_passages(self, texts: list[str], batch_size: int = 16, progress: bool = False) -> np.ndarray:
        return np.stack([self.encode_query(text) for text in texts]) if texts else np.empty((0, self.dim), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return vector / np.linalg.norm(vector)
