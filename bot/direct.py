"""The direct answer: the one sentence of the best passages that best answers the question (extractive)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.lookups.matching import Query

_ABBREVIATIONS = ("ca", "pr", "kr", "kl", "jf", "mv", "nr", "evt", "bl.a", "f.eks", "inkl", "ekskl", "vedr", "tlf", "stk", "mio", "mia")
_NOT_AFTER = "".join(rf"(?<!\b{re.escape(a)}\.)" for a in _ABBREVIATIONS)
_SENTENCE_END = re.compile(rf"(?<=[.!?]){_NOT_AFTER}\s+(?=[A-ZÆØÅ0-9•])|\s+(?=•)")
_NUMBER = re.compile(r"\d")
_NUMBER_QUESTION = re.compile(r"\bhvor\s+(?:mange|meget|stor|store|høj)\b|\bkoster\b|\btakst|\bpris|\bbeløb", re.I)
_WHEN_QUESTION = re.compile(r"\bhvornår\b|\bhvilken\s+dato\b", re.I)
_DATE_WORD = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}\.\s*(?:\d{1,2}\.|[a-zæøå]+)", re.I)
MIN_WORDS = 5
MAX_CHARS = 300
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class DirectAnswer:
    """A sentence copied from a passage, with the rank of the passage it comes from."""

    text: str
    rank: int

    def to_json(self) -> dict[str, object]:
        """The direct answer in the CLI's JSON."""
        return {"text": self.text, "rank": self.rank}


def sentences(text: str) -> list[str]:
    """A passage split into sentences and bullet items, each stripped of its bullet glyph."""
    parts = (part.strip(" •") for part in _SENTENCE_END.split(text))
    return [p for p in parts if len(p.split()) >= MIN_WORDS and len(p) <= MAX_CHARS]


def _score(sentence: str, query: Query, wants_number: bool, wants_date: bool) -> float | None:
    """How well a sentence answers: the share of question words it holds; None when it cannot be the
    answer (a number or date question answered without one)."""
    if (wants_number and not _NUMBER.search(sentence)) or (wants_date and not _DATE_WORD.search(sentence)):
        return None
    return query.score(sentence) / len(query.terms)


def direct_answer(question: str, passages: list[tuple[int, str]], depth: int = 2) -> DirectAnswer | None:
    """The best sentence of the first `depth` passages ((rank, text) pairs), if it covers the question well."""
    query = Query.parse(question)
    if not query.terms:
        return None
    wants_number = bool(_NUMBER_QUESTION.search(question))
    wants_date = bool(_WHEN_QUESTION.search(question))
    best: tuple[float, int, str] | None = None
    for position, (rank, text) in enumerate(passages[:depth]):
        for sentence in sentences(text):
            score = _score(sentence, query, wants_number, wants_date)
            if score is None:
                continue
            score -= 0.1 * position
            if best is None or score > best[0]:
                best = (score, rank, sentence)
    if best is None or best[0] < MIN_COVERAGE:
        return None
    return DirectAnswer(best[2], best[1])
