"""Reciprocal rank fusion of ranked lists."""

from __future__ import annotations

RRF_K = 60


def fuse(
    *rankings: list[tuple[int, float]], k: int = RRF_K, weights: tuple[float, ...] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked (id, score) lists by reciprocal rank: score = sum of weight / (k + rank)."""
    weights = weights or (1.0,) * len(rankings)
    fused: dict[int, float] = {}
    for weight, ranking in zip(weights, rankings):
        for rank, (chunk_id, _score) in enumerate(ranking, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda pair: pair[1], reverse=True)
