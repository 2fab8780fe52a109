"""Answers as plain data: cited passages, or an abstention when the records hold nothing close."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.abstain import FIGURE_DEPTH, NEAREST, Evidence, Missing, Scores, judge, topic_terms
from bot.asked import asked, asks_items, named_levels, named_years
from bot.citation import Citation
from bot.conversation import Conversation
from bot.direct import DirectAnswer, direct_answer, tariff_answer
from bot.lookups.decisions import DECISION_WORDS, DecisionRow, asked_participation
from bot.lookups.matching import Query
from bot.lookups.meetings import MeetingRow, meetings_on
from bot.lookups.tables import TableCache
from bot.lookups.tariffs import PRICE_ASKING, PRICE_WORDS, TariffRow
from bot.query import named_committee, understand
from bot.requests import parse_question
from bot.search.rerank import rerank
from bot.search.searcher import Hit, Searcher
from bot.search.summaries import detail_first, items_first
from bot.search.text import stem, terms, words
from bot.search.windows import Sections, Window

MAX_TARIFFS = 5
MAX_DECISIONS = 3
CANDIDATES = 20  # hits turned into windows


@dataclass(frozen=True)
class Passage:
    """One cited passage of an answer."""

    rank: int
    score: float
    text: str
    citation: Citation
    matched: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The passage in the CLI's JSON contract."""
        cite = self.citation
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "text": self.text,
            "source": cite.source,
            "page": cite.page,
            "meeting_date": cite.meeting_date.isoformat() if cite.meeting_date else None,
            "item": cite.item,
            "item_title": cite.item_title,
            "section": cite.section,
            "heading": cite.heading,
            "committee": cite.committee,
            "chunk_id": cite.chunk_id,
            "matched": list(self.matched),
            "ocr": cite.ocr,
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
    agenda: list[MeetingRow] | None = None
    missing: Missing | None = None
    nearest: list[Passage] = field(default_factory=list)
    searched: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    committee: str | None = None  # the committee the question names, whose records alone were searched

    @property
    def cited(self) -> list[Passage]:
        """The passages a face shows: the answer's, or the nearest records when it abstained."""
        return self.nearest if self.abstained else self.passages

    @property
    def reason(self) -> str | None:
        """Why the records do not answer, in Danish, when the question's constraint is absent from them."""
        return self.missing.describe() if self.missing is not None and self.missing.constraint else None

    def to_json(self) -> dict[str, Any]:
        """The answer in the CLI's JSON contract; lookups only when the question asks for them."""
        out: dict[str, Any] = {
            "question": self.question,
            "abstained": self.abstained,
            "passages": [p.to_json() for p in self.passages],
        }
        if self.reason is not None:
            out["reason"] = self.reason
            out["nearest"] = [p.to_json() for p in self.nearest]
        if self.direct is not None:
            out["direct_answer"] = self.direct.to_json()
        if self.tariffs is not None:
            out["tariffs"] = [t.to_json() for t in self.tariffs]
        if self.decisions is not None:
            out["decisions"] = [d.to_json() for d in self.decisions]
        if self.agenda is not None:
            out["agenda"] = [meeting.to_json() for meeting in self.agenda]
        if self.searched and self.searched != self.question:
            out["searched"] = self.searched
        if self.date_from or self.date_to or self.committee:
            out["filters"] = {
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "committee": self.committee,
            }
        return out


def matched_words(question: str, text: str) -> tuple[str, ...]:
    """The words of `text` whose stems are among the question's search terms (for highlighting)."""
    wanted = set(terms(question))
    found = (word for word in words(text) if (word if word[0].isdigit() else stem(word)) in wanted)
    return tuple(dict.fromkeys(found))


def asks_price(question: str) -> bool:
    """Whether the question asks what something costs."""
    return bool(set(terms(question)) & PRICE_WORDS)


def asks_decision(question: str) -> bool:
    """Whether the question asks what was recommended or decided."""
    return bool(set(terms(question)) & DECISION_WORDS)


def best_tariffs(question: str, rows: list[TariffRow], topic: set[str] | None = None) -> list[TariffRow]:
    """The tariffs that match the question's words best (at least two words, or the only one), those of a year
    the question names first, then the newest; when the
    question names a `topic` (its rarer terms), at least one of those: "unge" and "tilbud" alone do not make a
    tariff of Ungdomshøjskolen the answer to a question about a new offer for young people. A level the question
    names (`boniveau 10`) must be the tariff's."""
    query = Query.parse(question, PRICE_WORDS)
    if not query.terms:
        return []
    about = Query(tuple(topic)) if topic else None

    def text(row: TariffRow) -> str:  # the year too: a year the question names matches the tariffs of that year
        return " ".join(str(p) for p in (row.offer, row.service, row.legal_basis, row.year, row.evidence) if p)

    years = set(named_years(question))
    levels = named_levels(question)

    def named(row: TariffRow) -> bool:  # "boniveau 10" is no question about boniveau 9
        return levels <= named_levels(" ".join(p for p in (row.offer, row.service) if p))

    scored = [(query.score(text(r)), r) for r in rows if (about is None or about.score(text(r))) and named(r)]
    best = max((score for score, _ in scored), default=0)
    if best < min(2, len(query.terms)):
        return []
    order = sorted(scored, key=lambda pair: (-pair[0], pair[1].year not in years, -(pair[1].year or 0)))
    ranked = [r for score, r in order if score == best]
    distinct = {(r.offer, r.service, r.year, r.kind, r.amount_dkk, r.meeting_date, r.item): r for r in reversed(ranked)}
    return sorted(distinct.values(), key=ranked.index)[:MAX_TARIFFS]


def hit_decisions(
    passages: list[Passage], rows: list[DecisionRow], participation: frozenset[str] = frozenset()
) -> list[DecisionRow]:
    """The recommendations and decisions of the items the best passages come from, in passage order; for a
    question of who was absent, against, reserved or abstaining (`participation`), only the decisions that record
    it (a decision naming no one absent is no answer to who was)."""
    by_item: dict[tuple[str, int], list[DecisionRow]] = {}
    for row in rows:
        if participation and not any(getattr(row, kind) for kind in participation):
            continue
        by_item.setdefault((row.source, row.item), []).append(row)
    out: list[DecisionRow] = []
    for passage in passages:
        cite = passage.citation
        for row in by_item.get((cite.source, cite.item), []) if cite.item is not None else []:
            if row not in out:
                out.append(row)
    return out[:MAX_DECISIONS]


def passage(rank: int, window: Window, question: str) -> Passage:
    """A window as a cited passage of the answer: its best hit's citation, on the page the window starts on."""
    cited = replace(window.hit.chunk.citation, page=window.page)
    return Passage(rank, window.hit.score, window.text, cited, matched_words(question, window.text))


class Answerer:
    """Turns a question into an Answer using the searcher and the lookup tables."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.tables = TableCache(searcher.engine, lambda: searcher.snapshot().stamp)

    def ask(
        self,
        question: str,
        k: int = 5,
        date_from: date | None = None,
        date_to: date | None = None,
        mode: str = "hybrid",
        conversation: Conversation | None = None,
    ) -> Answer:
        """Search, decide whether to abstain, cite the best `k` passages, and add what the question asks for:
        a direct answer, tariffs, decisions, or a meeting's agenda. A conversation resolves follow-ups.
        Raises RequestError (one Danish line) for a question that cannot be searched (see `parse_question`)."""
        question = parse_question(question)
        engine = self.searcher.engine
        tables = self.tables.current()
        searched = conversation.resolve(question) if conversation else question
        committee = named_committee(searched, tables.committees)
        dates = tables.meeting_dates(committee)
        understood = understand(searched, dates)
        if date_from is None and date_to is None:
            date_from, date_to = understood.date_from, understood.date_to
        wants_agenda = understood.wants_agenda and date_from
        agenda = meetings_on(engine, date_from, date_to, committee) if wants_agenda else None
        found = self.searcher.found(searched, max(k, CANDIDATES), date_from, date_to, mode, committee)
        windows = found.windows
        if mode == "hybrid":
            windows = detail_first(rerank(searched, windows, found.ranks, found.idf))
        if asks_items(searched):
            windows = items_first(windows, found.sections, k)
        topic = topic_terms(searched, found.idf, PRICE_ASKING)
        tariffs = best_tariffs(searched, tables.tariffs, topic) if asks_price(searched) else None
        passages = [passage(rank, window, searched) for rank, window in enumerate(windows[:k], start=1)]
        common = dict(
            question=question,
            searched=searched,
            date_from=date_from,
            date_to=date_to,
            committee=committee,
            tariffs=tariffs,
        )
        if mode == "hybrid" and not agenda:
            read = asked(searched)
            scopes = [_scope(w, found.sections) for w in windows[:FIGURE_DEPTH]] if read.years else []
            evidence = _evidence(found.hits, windows, scopes, (date_from, date_to), tariffs)
            missing = judge(searched, read, evidence, dates, found.idf, PRICE_ASKING)
            if missing is not None:
                nearest = passages[:NEAREST] if missing.constraint else []
                return Answer(abstained=True, missing=missing, nearest=nearest, **common)
        if asks_decision(searched):
            decisions = hit_decisions(passages, tables.decisions, asked_participation(searched))
        else:
            decisions = None
        shown = [(p.rank, p.text) for p in passages]
        direct = (
            None if agenda else tariff_answer(tariffs or [], shown) or direct_answer(searched, shown, idf=found.idf)
        )
        return Answer(abstained=False, passages=passages, decisions=decisions, direct=direct, agenda=agenda, **common)


def _evidence(
    hits: list[Hit],
    windows: list[Window],
    scopes: list[str],
    period: tuple[date | None, date | None],
    tariffs: list[TariffRow] | None,
) -> Evidence:
    """What the abstention rules read (see `bot.abstain`): the first stage's best scores (a matched tariff answers
    a price question, however far the passages), the windows, the whole items of the first ones (`scopes`, for
    a question naming a year), the years of the meeting period and of the matched tariffs."""
    scores = Scores(
        max((h.dense or 0.0 for h in hits), default=0.0), max((h.lexical or 0.0 for h in hits), default=0.0)
    )
    if tariffs:
        scores = Scores(1.0, scores.lexical)
    date_from, date_to = period
    years = tuple(range(date_from.year, date_to.year + 1)) if date_from and date_to else ()
    tariff_years = tuple(dict.fromkeys(t.year for t in tariffs or () if t.year is not None))
    return Evidence(scores, [w.text for w in windows], scopes, years, bool(tariffs), tariff_years)


def _scope(window: Window, sections: Sections) -> str:
    """The text a year the question names is looked for in: the window's whole item, else its whole section."""
    item_id = window.hit.chunk.citation.item_id
    return (sections.item_text(item_id) if item_id is not None else "") or window.section.text
