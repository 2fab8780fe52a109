"""Answers as plain data: cited passages, or an abstention when the records hold nothing close."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.conversation import Conversation
from bot.direct import DirectAnswer, direct_answer
from bot.lookups.decisions import DECISION_WORDS, DecisionRow, all_decisions
from bot.lookups.matching import Query
from bot.lookups.meetings import meeting_dates, meetings_on
from bot.lookups.tariffs import PRICE_WORDS, TariffRow, all_tariffs
from bot.query import understand
from bot.search.searcher import Hit, Searcher
from bot.search.text import stem, terms, words

# Calibrated with multilingual-e5-small on the dev sample plus off-topic and paraphrased questions:
# answerable questions reach a cosine of 0.847 or more, off-topic ones stay below 0.84; between MIN_DENSE
# and WEAK_DENSE only a real BM25 match (MIN_LEXICAL) keeps an answer.
MIN_DENSE = 0.845
WEAK_DENSE = 0.865
MIN_LEXICAL = 3.0
MAX_TARIFFS = 5
MAX_DECISIONS = 3
NEAR_DUPLICATE = 0.6  # share of a passage's words already shown in a better passage
PER_ITEM = 2  # passages of one item shown together before other items get their turn


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
    """The answer to one question: passages best first (or abstained), and what the lookups add."""

    question: str
    abstained: bool
    passages: list[Passage] = field(default_factory=list)
    tariffs: list[TariffRow] | None = None
    decisions: list[DecisionRow] | None = None
    direct: DirectAnswer | None = None
    agenda: list[dict[str, Any]] | None = None
    searched: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def to_json(self) -> dict[str, Any]:
        """The answer in the CLI's JSON contract; lookups only when the question asks for them."""
        out: dict[str, Any] = {
            "question": self.question,
            "abstained": self.abstained,
            "passages": [p.to_json() for p in self.passages],
        }
        if self.direct is not None:
            out["direct_answer"] = self.direct.to_json()
        if self.tariffs is not None:
            out["tariffs"] = [t.to_json() for t in self.tariffs]
        if self.decisions is not None:
            out["decisions"] = [d.to_json() for d in self.decisions]
        if self.agenda is not None:
            out["agenda"] = self.agenda
        if self.searched and self.searched != self.question:
            out["searched"] = self.searched
        if self.date_from or self.date_to:
            out["filters"] = {
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
            }
        return out


def matched_words(question: str, text: str) -> tuple[str, ...]:
    """The words of `text` whose stems are among the question's search terms (for highlighting)."""
    wanted = set(terms(question))
    found = (word for word in words(text) if (word if word[0].isdigit() else stem(word)) in wanted)
    return tuple(dict.fromkeys(found))


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


def drop_near_duplicates(hits: list[Hit]) -> list[Hit]:
    """Hits whose words mostly repeat a better hit's (overlapping windows) are dropped."""
    kept: list[Hit] = []
    seen: list[set[str]] = []
    for hit in hits:
        bag = set(words(hit.chunk.text))
        if bag and any(len(bag & other) / len(bag) >= NEAR_DUPLICATE for other in seen):
            continue
        kept.append(hit)
        seen.append(bag)
    return kept


def group_by_item(hits: list[Hit], per_item: int = PER_ITEM) -> list[Hit]:
    """Up to `per_item` hits of an item follow the item's best hit, so its title is shown once; further hits
    of the item wait until every other item had its turn."""
    groups: dict[tuple[str, int | None, str | None], list[Hit]] = {}
    for hit in hits:
        key = (hit.chunk.source, hit.chunk.item, None if hit.chunk.item is not None else str(hit.chunk.id))
        groups.setdefault(key, []).append(hit)
    first = [hit for group in groups.values() for hit in group[:per_item]]
    return first + [hit for group in groups.values() for hit in group[per_item:]]


class Answerer:
    """Turns a question into an Answer using the searcher and the lookup tables."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher

    def ask(
        self, question: str, k: int = 5, date_from: date | None = None, date_to: date | None = None,
        mode: str = "hybrid", conversation: Conversation | None = None,
    ) -> Answer:
        """Search, decide whether to abstain, cite the best `k` passages, and add what the question asks for:
        a direct answer, tariffs, decisions, or a meeting's agenda. A conversation resolves follow-ups."""
        engine = self.searcher.engine
        searched = conversation.resolve(question) if conversation else question
        understood = understand(searched, meeting_dates(engine))
        if date_from is None and date_to is None:
            date_from, date_to = understood.date_from, understood.date_to
        agenda = meetings_on(engine, date_from, date_to) if understood.wants_agenda and date_from else None
        hits = self.searcher.search(searched, k=max(3 * k, 20), date_from=date_from, date_to=date_to, mode=mode)
        hits = group_by_item(drop_near_duplicates(hits))[: max(k, 10)]
        tariffs = best_tariffs(searched, all_tariffs(engine)) if asks_price(searched) else None
        common = dict(question=question, searched=searched, date_from=date_from, date_to=date_to)
        if mode == "hybrid" and should_abstain(hits) and not tariffs and not agenda:
            return Answer(abstained=True, tariffs=tariffs, **common)
        passages = [
            Passage(
                rank=rank, score=hit.score, text=hit.chunk.text, source=hit.chunk.source, page=hit.chunk.page,
                meeting_date=hit.chunk.meeting_date, committee=hit.chunk.committee, item=hit.chunk.item,
                item_title=hit.chunk.item_title, section=hit.chunk.section, heading=hit.chunk.heading,
                chunk_id=hit.chunk.id, matched=matched_words(searched, hit.chunk.text),
            )
            for rank, hit in enumerate(hits[:k], start=1)
        ]
        decisions = hit_decisions(passages, all_decisions(engine)) if asks_decision(searched) else None
        direct = None if agenda else direct_answer(searched, [(p.rank, p.text) for p in passages])
        return Answer(
            abstained=False, passages=passages, tariffs=tariffs, decisions=decisions, direct=direct, agenda=agenda,
            **common,
        )
