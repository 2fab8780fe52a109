"""The direct answer: one sentence of the best passages, copied verbatim, shown only when it is likely right.

A sentence must hold the kind of answer the question asks for (an amount, a number, a date or a person; with
`strict` also a causal marker, a recommendation or a listing, which otherwise earn a bonus) beyond the figures
the question itself names. It is scored by the share of the question's content terms it holds (rarer terms
weigh more when idf is given), less a step per passage below the best and a penalty when it misses a figure
the question names or names other years. Only a score above the threshold is shown; the weights and the
threshold are fitted for precision by bench/fit_direct.py. A price question whose matched tariffs name one offer
and service is answered by that tariff's own line instead, when a shown passage holds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.asked import Asked, Kind, asked, asked_role, content_terms, holds_kind, named_years, names_role
from bot.lookups.matching import term_matches_word
from bot.lookups.tariffs import TariffRow
from bot.search.text import words
from bot.sentences import sentences

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_REQUIRED = frozenset({Kind.AMOUNT, Kind.NUMBER, Kind.DATE, Kind.PERSON})
ONE_SENTENCE = _REQUIRED | {Kind.DECISION}
"""The kinds one sentence can answer and a sentence can be checked for (an amount, a number, a date, a person,
a recommendation). A reason or a list rarely fits one sentence, and a question of no kind gives nothing to check:
on the training questions those were right about half the time, so they get no direct answer."""
MIN_WORDS = 5
MAX_CHARS = 300


@dataclass(frozen=True)
class Weights:
    """How a sentence's score is made up, and the score it must exceed to be shown (see bench/fit_direct.py)."""

    kind_bonus: float = 0.5  # a reason, decision or list question: the sentence holds a cause, recommendation, list
    rank_step: float = 0.0  # taken off per passage below the best
    clash: float = 0.0  # taken off when the sentence lacks a figure the question names or names other years
    depth: int = 1  # passages whose sentences may answer
    strict: bool = False  # a reason, decision or list question also needs a sentence holding its kind
    threshold: float = 0.535


WEIGHTS = Weights()
"""Fitted on train_qa.jsonl (bench/fit_direct.py, over the window passages): no threshold keeps 0.9 precision
on train, so this is the most precise one that shows at least 15 train answers. With today's sentences (dash
lists and a table's first row split off, questions for agenda items read as lists) these weights give train
21/26 right and dev 25/28; a refit shows 19 train answers, 16 right (dev 21/24): a few questions' difference, so
they stay. The clash penalty is not needed: a figure the question names is one of its terms, so the row holding it
already has the larger share."""


@dataclass(frozen=True)
class DirectAnswer:
    """A sentence copied from a passage, with the rank of the passage it comes from."""

    text: str
    rank: int

    def to_json(self) -> dict[str, object]:
        """The direct answer in the CLI's JSON."""
        return {"text": self.text, "rank": self.rank}


@dataclass(frozen=True)
class Candidate:
    """A sentence that may answer: where it comes from and what its score is made of."""

    text: str
    rank: int
    position: int  # 0 for the best passage
    share: float  # weighted share of the question's content terms the sentence holds
    holds: bool  # whether it holds the asked kind
    clash: bool  # it lacks a figure the question names, or names other years than the question

    def score(self, kind: Kind, weights: Weights = WEIGHTS) -> float | None:
        """The sentence's confidence score; None when it lacks a kind of answer the question needs."""
        if kind is Kind.OTHER:
            bonus = 0.0
        elif not self.holds:
            if kind in _REQUIRED or weights.strict:
                return None
            bonus = 0.0
        else:
            bonus = 0.0 if kind in _REQUIRED else weights.kind_bonus
        return self.share + bonus - weights.rank_step * self.position - weights.clash * self.clash


def holds_term(term: str, bag: set[str]) -> bool:
    """Whether a sentence's words hold the term (a compound or one typo counts; numbers exactly)."""
    return term in bag or any(term_matches_word(term, w) for w in bag if not w[0].isdigit())


def _clash(question_asked: Asked, figures: tuple[str, ...], bag: set[str], sentence: str) -> bool:
    """The sentence (`bag`: its words) lacks a figure the question names (`boniveau 10`), or names years and
    the question others (except for a date question, whose answer is a year it does not name)."""
    if any(figure not in bag for figure in figures):
        return True
    if question_asked.kind is Kind.DATE or not question_asked.years:
        return False
    named = named_years(sentence)
    return bool(named) and not set(named) & set(question_asked.years)


def _without(sentence: str, named: tuple[str, ...]) -> str:
    """The sentence without the figures the question names: repeating the question's year or level is no answer."""
    for figure in named:
        sentence = re.sub(rf"(?<![\d.,]){re.escape(figure)}(?![.,]?\d)", " ", sentence)
    return sentence


def sane(sentence: str) -> bool:
    """A sentence that can be an answer: a few words, not a run-on table, not a question or a heading in capitals."""
    letters = [c for c in sentence if c.isalpha()]
    return (
        len(sentence.split()) >= MIN_WORDS
        and len(sentence) <= MAX_CHARS
        and not sentence.endswith("?")
        and sum(c.isupper() for c in letters) <= len(letters) / 2
    )


def candidates(
    question: str,
    passages: list[tuple[int, str]],
    *,
    idf: Callable[[str], float] | None = None,
    depth: int,
) -> tuple[Asked, list[Candidate]]:
    """What the question asks, and every sane sentence of the first `depth` passages, with what its score is
    made of."""
    question_asked = asked(question)
    wanted = content_terms(question)
    if not wanted:
        return question_asked, []
    weight = {term: idf(term) if idf else 1.0 for term in wanted}
    total = sum(weight.values()) or 1.0
    figures = tuple(t for t in wanted if t.isdigit() and int(t) not in question_asked.years)
    named = tuple(dict.fromkeys(_FIGURE.findall(question)))
    role = asked_role(question)
    out = []
    for position, (rank, text) in enumerate(passages[:depth]):
        for sentence in sentences(text):
            if not sane(sentence):
                continue
            bag = set(words(sentence))
            share = sum(weight[term] for term in wanted if holds_term(term, bag)) / total
            holds = holds_kind(question_asked.kind, _without(sentence, named)) and (
                role is None or names_role(role, sentence)
            )
            clash = _clash(question_asked, figures, bag, sentence)
            out.append(Candidate(sentence, rank, position, share, holds, clash))
    return question_asked, out


def best(question_asked: Asked, found: list[Candidate], weights: Weights = WEIGHTS) -> tuple[float, Candidate] | None:
    """The best-scoring candidate of the first `weights.depth` passages with its score (the earlier one on a
    tie), or None when no sentence can answer."""
    scored = [
        (score, candidate)
        for candidate in found
        if candidate.position < weights.depth and (score := candidate.score(question_asked.kind, weights)) is not None
    ]
    return max(scored, key=lambda pair: pair[0], default=None)


def tariff_answer(tariffs: list[TariffRow], passages: list[tuple[int, str]]) -> DirectAnswer | None:
    """For a price question whose matched tariffs (best first) name one offer and service only: the tariff's own
    line, when it stands in one of the passages ((rank, text) pairs), cited by that passage's rank. Tariffs of
    several offers or services are no single answer."""
    if not tariffs or len({(t.offer, t.service) for t in tariffs}) > 1:
        return None
    line = " ".join(tariffs[0].evidence.split())
    if not sane(line):
        return None
    return next((DirectAnswer(line, rank) for rank, text in passages if line in " ".join(text.split())), None)


def direct_answer(
    question: str,
    passages: list[tuple[int, str]],
    *,
    idf: Callable[[str], float] | None = None,
    weights: Weights = WEIGHTS,
) -> DirectAnswer | None:
    """The sentence of the best passages ((rank, text) pairs, best first) that answers the question, when its
    score exceeds the threshold; `idf` gives a search term's rarity (BM25 idf), so rare words weigh more."""
    question_asked, found = candidates(question, passages, idf=idf, depth=weights.depth)
    if question_asked.kind not in ONE_SENTENCE:
        return None
    chosen = best(question_asked, found, weights)
    if chosen is None or chosen[0] <= weights.threshold:
        return None
    return DirectAnswer(chosen[1].text, chosen[1].rank)
