"""Answers as plain data: cited passages, or an abstention when the records hold nothing close."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.lookups.decisions import DECISION_WORDS, DecisionRow, all_decisions
from bot.lookups.matching import Query
from bot.lookups.tariffs import PRICE_WORDS, TariffRow, all_tariffs
from bot.search.searcher import Hit, Searcher
from bot.search.text import stem, terms, words

# Calibrated on the dev sample with multilingual-e5-small: answerable questions reach a cosine of 0.85
# or more; below MIN_DENSE nothing is close, and below WEAK_DENSE only a good BM25 match keeps an answer.
MIN_DENSE = 0.84
WEAK_DENSE = 0.87
MIN_LEXICAL = 3.5
MAX_TARIFFS = 5
MAX_DECISIONS = 3


@dataclass(frozen=True)
class Passage:
    """One cited passage of an answer."""

    rank: int
    score: float
    text: str
    source: str
    page: int | None
    meeting_date: date | None
    committee: str | None
    item: int | None
    item_title: str | None
    section: str
    heading: str | None
    chunk_id: int
    matched: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The passage in the CLI's JSON contract."""
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "text": self.text,
            "source": self.source,
            "page": self.page,
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else None,
            "item": self.item,
            "item_title": self.item_title,
            "section": self.section,
            "heading": self.heading,
            "committee": self.committee,
            "chunk_id": self.chunk_id,
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class Answer:
    """The answer to one question: passages best first, or abstained with none."""

    question: str
    abstained: bool
    passages: list[Passage] = field(default_factory=list)
    tariffs: list[TariffRow] | None = None
    decisions: list[DecisionRow] | None = None

    def to_json(self) -> dict[str, Any]:
        """The answer in the CLI's JSON contract; `tariffs`/`decisions` only for price/decision questions."""
        out: dict[str, Any] = {
            "question": self.question,
            "abstained": self.abstained,
            "passages": [p.to_json() for p in self.passages],
        }
        if self.tariffs is not None:
            out["tariffs"] = [t.to_json() for t in self.tariffs]
        if self.decisions is not None:
            out["decisions"] = [d.to_json() for d in self.decisions]
        return out


def matched_words(question: str, text: str) -> tuple[str, ...]:
    """The words of `text` whose stems are among the question's search terms (for highlighting)."""
    wanted = set(terms(question))
    seen: dict[str, None] = {}
    for word in words(text):
        if not word[0].isdigit() and stem(word) in wanted:
            seen.setdefault(word, None)
        elif word[0].isdigit() and word in wanted:
            seen.setdefault(word, None)
    return tuple(seen)


def should_abstain(hits: list[Hit]) -> bool:
    """Abstain when nothing was found, or the best passages are semantically far and lexically thin."""
    if not hits:
        return True
    dense = max(h.dense or 0.0 for h in hits)
    lexical = max(h.lexical or 0.0 for h in hits)
    return dense < MIN_DENSE or (dense < WEAK_DENSE and lexical < MIN_LEXICAL)


def asks_price(question: str) -> bool:
    """Whether the question asks what something costs."""
    return bool(set(terms(question)) & PRICE_WORDS)


def asks_decision(question: str) -> bool:
    """Whether the question asks what was recommended or decided."""
    return bool(set(terms(question)) & DECISION_WORDS)


def best_tariffs(question: str, rows: list[TariffRow]) -> list[TariffRow]:
    """The tariffs that match the question's words best (at least two words, or the only one)."""
    query = Query.parse(question, PRICE_WORDS)
    if not query.terms:
        return []
    scored = [(query.score(" ".join(p for p in (r.offer, r.service, r.legal_basis, r.evidence) if p)), r) for r in rows]
    best = max((score for score, _ in scored), default=0)
    if best < min(2, len(query.terms)):
        return []
    return [r for score, r in sorted(scored, key=lambda pair: (-pair[0], -(pair[1].year or 0))) if score == best][:MAX_TARIFFS]


def hit_decisions(passages: list[Passage], rows: list[DecisionRow]) -> list[DecisionRow]:
    """The recommendations and decisions of the items the best passages come from, in passage order."""
    by_item: dict[tuple[str, int], list[DecisionRow]] = {}
    for row in rows:
        by_item.setdefault((row.source, row.item), []).append(row)
    out: list[DecisionRow] = []
    for passage in passages:
        for row in by_item.get((passage.source, passage.item), []) if passage.item is not None else []:
            if row not in out:
                out.append(row)
    return out[:MAX_DECISIONS]


class Answerer:
    """Turns a question into an Answer using the searcher and the lookup tables."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher

    def ask(self, question: str, k: int = 5, date_from: date | None = None, date_to: date | None = None) -> Answer:
        """Search, decide whether to abstain, cite the best `k` passages, and add lookups the question asks for."""
        hits = self.searcher.search(question, k=max(k, 10), date_from=date_from, date_to=date_to)
        tariffs = best_tariffs(question, all_tariffs(self.searcher.engine)) if asks_price(question) else None
        if should_abstain(hits) and not tariffs:
            return Answer(question=question, abstained=True, tariffs=tariffs)
        passages = [
            Passage(
                rank=rank, score=hit.score, text=hit.chunk.text, source=hit.chunk.source, page=hit.chunk.page,
                meeting_date=hit.chunk.meeting_date, committee=hit.chunk.committee, item=hit.chunk.item,
                item_title=hit.chunk.item_title, section=hit.chunk.section, heading=hit.chunk.heading,
                chunk_id=hit.chunk.id, matched=matched_words(question, hit.chunk.text),
            )
            for rank, hit in enumerate(hits[:k], start=1)
        ]
        decisions = hit_decisions(passages, all_decisions(self.searcher.engine)) if asks_decision(question) else None
        return Answer(question=question, abstained=False, passages=passages, tariffs=tariffs, decisions=decisions)
