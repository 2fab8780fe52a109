"""Whether the records answer a question. Abstain when the best passages are far from it, or when the
question's own constraint is absent from them (a year, a meeting, the kind of answer asked); keep answering
when a rare word of the question stands in them verbatim. Each rule is a pure function of text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.asked import Asked, Kind, asked_role, content_terms, holds_kind, named_levels, named_years, names_role
from bot.search.text import terms, tokens, words
from bot.sentences import sentence_spans, table_row
from indexer.dates import find_dates

# Calibrated with multilingual-e5-small on the dev sample plus off-topic and paraphrased questions:
# answerable questions reach a cosine of 0.847 or more, off-topic ones stay below 0.84; between MIN_DENSE
# and WEAK_DENSE only a real BM25 match (MIN_LEXICAL) keeps an answer.
MIN_DENSE = 0.845
WEAK_DENSE = 0.865
MIN_LEXICAL = 3.0
RARE_IDF = 3.5  # a question word this rare (BM25 idf: in under ~3 % of chunks), standing verbatim in a passage,
# keeps the answer
TOPIC_IDF = 3.0  # a question term at least this rare names its topic
YEAR_DEPTH = 3  # passages whose items (or sections) must name a year the question names
FIGURE_DEPTH = 5  # passages that must hold the figure an amount or number question asks for
NEAREST = 3  # passages shown as the nearest records when the question's constraint is absent
_COUNTED = re.compile(r"\bhvor\s+mange\s+([\w-]+)", re.IGNORECASE)
_NUMBER_WORDS = "en|et|to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|tyve|tredive|fyrre|halvtreds|hundrede|tusind"
_COUNTING = re.compile(
    r"\bhvor\s+(?:mange|meget|stor|store|høj|høje)\b|\bantal(?:let)?\b|\bkost|pris(?:en|er|erne)?\b|takst|\bbeløb|\bpenge\b"
    r"|\bkroner\b",
    re.IGNORECASE,
)
_RATE_ASKED = re.compile(r"takst|pris(?:en|er|erne)?\b|\bpr\.?\s", re.IGNORECASE)
_RATE = re.compile(r"takst|pris|\bpr\.?\s|\bdøgn|\bi\s+døgnet\b|\bom\s+året\b|\bmåned|\btime", re.IGNORECASE)
_MEETING_DATE = re.compile(r"(?:\b(?P<body>\w+)-)?\bmøde(?:t|rne)?\s+(?:den\s+|d\.\s*)?(?=\d)", re.IGNORECASE)
OWN_BODY = "das"  # "DAS-mødet" is one of the archive's own meetings


@dataclass(frozen=True)
class Scores:
    """What the first stage says of the best passages: the best cosine and the best BM25 score."""

    dense: float
    lexical: float


def far(scores: Scores) -> bool:
    """The best passages are semantically far, or only weakly close and lexically thin."""
    return scores.dense < MIN_DENSE or (scores.dense < WEAK_DENSE and scores.lexical < MIN_LEXICAL)


def rare_match(question: str, texts: Sequence[str], idf: Callable[[str], float]) -> str | None:
    """A rare word of the question (`UCN`, a place, an offer's name) standing verbatim in one of the texts."""
    shown = {w for text in texts for w in words(text)}
    for token in tokens(question):
        term = next(iter(terms(token)), None)
        if term and not token[0].isdigit() and len(token) > 2 and token in shown and idf(term) >= RARE_IDF:
            return token
    return None


def missing_meeting(question: str, meeting_dates: Sequence[date], texts: Sequence[str]) -> date | None:
    """A meeting the question names by its date ("på mødet den 3. november 2023") that the archive does not
    hold. Another body's meeting ("KKR-mødet den …") is missing only when the passages do not mention it either:
    the records may tell what it was to decide."""
    for match in _MEETING_DATE.finditer(question):
        for day in find_dates(question[match.end() : match.end() + 25])[:1]:
            if day in meeting_dates:
                continue
            other_body = match.group("body") and match.group("body").lower() != OWN_BODY
            if not (other_body and any(day in find_dates(text) for text in texts)):
                return day
    return None


def missing_year(
    asked: Asked,
    texts: Sequence[str],
    period_years: Sequence[int] = (),
    tariff_years: Sequence[int] = (),
) -> int | None:
    """A year the question names (not as the meeting period it filtered on) that neither the texts mention nor
    any of the tariffs that matched the question is for."""
    named = [y for y in asked.years if y not in period_years]
    if not named or not (texts or tariff_years):
        return None
    shown = set(tariff_years) | {y for text in texts for y in named_years(text)}
    return next((y for y in named if y not in shown), None)


def _of_year(years: Sequence[int], index: int, scopes: Sequence[str]) -> bool:
    """Whether passage `index` may answer for the years a question names: its item (`scopes[index]`) names one
    of them (a passage with no scope given, or a question naming no year, always may)."""
    return not years or index >= len(scopes) or bool(set(years) & set(named_years(scopes[index])))


def missing_person(
    question: str, topic: set[str], texts: Sequence[str], years: Sequence[int] = (), scopes: Sequence[str] = ()
) -> str | None:
    """For "hvem er formand/direktør for X": the role the question names, when no sentence of the texts names
    a person in that role together with the question's topic (a director of something else is no answer); for
    a question naming `years`, in a passage whose item (`scopes`) names one of them (the chief of another year
    is no answer either)."""
    role = asked_role(question)
    if role is None:
        return None
    about = topic - set(terms(role))
    for index, text in enumerate(texts):
        if not _of_year(years, index, scopes):
            continue
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            if names_role(role, sentence) and (not about or about & set(terms(sentence))):
                return None
    return role


def missing_figure(
    question: str,
    asked: Asked,
    topic: set[str],
    texts: Sequence[str],
    tariffs_found: bool,
    scopes: Sequence[str] = (),
) -> bool:
    """An amount or count question ("hvor mange", "hvad koster", "døgntaksten") that no tariff matched, whose
    passages hold no sentence with a figure of the asked kind, or the counted thing with a number before it
    ("fem møder"), beside one of the question's topic terms (for a `table_row`: in its passage) and with the
    level it names (`boniveau 10`). A question of a rate needs a rate (a deficit in kroner is no "døgntakst");
    a question naming a year, a passage whose item (`scopes`) names it. How often or how long is left alone:
    those answers are words as often as figures."""
    if asked.kind not in (Kind.AMOUNT, Kind.NUMBER) or tariffs_found or not _COUNTING.search(question):
        return False
    counted = _counted(question)
    if not topic and counted is None:
        return False
    levels = named_levels(question)
    rate = _RATE_ASKED.search(question) is not None
    for index, text in enumerate(texts):
        if not _of_year(asked.years, index, scopes):
            continue
        if counted is not None and not topic and counted.search(text):
            return False
        in_passage = bool(topic & set(terms(text)))
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            row = in_passage and table_row(sentence)
            if not (row or topic & set(terms(sentence))):
                continue
            if not levels <= set(words(sentence)) or (rate and not _RATE.search(sentence)):
                continue
            if holds_kind(asked.kind, sentence) or (row and asked.kind is Kind.NUMBER):
                return False
            if counted is not None and counted.search(sentence):
                return False
    return True


def _counted(question: str) -> re.Pattern[str] | None:
    """For "hvor mange X": a number (or number word) directly before X, inflected or as a compound's end."""
    match = _COUNTED.search(question)
    if match is None:
        return None
    stem = next(iter(terms(match.group(1).split("-")[-1])), None)
    if stem is None or len(stem) < 3:
        return None
    return re.compile(rf"(?i:\b(?:\d[\d.,]*|{_NUMBER_WORDS})\s+(?:\w+\s+)?\w*{re.escape(stem)}\w*)")


def topic_terms(question: str, idf: Callable[[str], float], ignore: frozenset[str] = frozenset()) -> set[str]:
    """What the question is about: its rarer terms, without numbers, the words that only ask (`mange`, `gik`),
    and `ignore`."""
    return {t for t in content_terms(question) if not t[0].isdigit() and t not in ignore and idf(t) >= TOPIC_IDF}


class Absent(StrEnum):
    """What the records lack: anything close to the question, or the question's own constraint."""

    NOTHING = "nothing"
    MEETING = "meeting"
    YEAR = "year"
    PERSON = "person"
    AMOUNT = "amount"
    NUMBER = "number"


@dataclass(frozen=True)
class Missing:
    """Why the records do not answer, with the value the question named (a date, a year, a role) and the year
    a role was asked for."""

    what: Absent
    value: str | None = None
    year: int | None = None

    @property
    def constraint(self) -> bool:
        """Whether a constraint of the question is absent (then the nearest records are worth showing)."""
        return self.what is not Absent.NOTHING

    def describe(self) -> str:
        """The reason in Danish, one sentence."""
        match self.what:
            case Absent.MEETING:
                return f"Mødet den {self.value} er ikke i arkivet."
            case Absent.YEAR:
                return f"Materialet nævner ikke {self.value} i forbindelse med det, du spørger om."
            case Absent.PERSON:
                when = f" for {self.year}" if self.year else ""
                return f"Materialet nævner ingen {self.value} ved navn{when} i forbindelse med det, du spørger om."
            case Absent.AMOUNT:
                return "Materialet angiver ikke et beløb for det, du spørger om."
            case Absent.NUMBER:
                return "Materialet angiver ikke et tal for det, du spørger om."
        return "Det kan jeg ikke finde i møderne."


@dataclass(frozen=True)
class Evidence:
    """What the abstention rules read: the question's first-stage scores and its best passages' texts."""

    scores: Scores
    texts: list[str]
    scopes: list[str]  # the whole item (or section) of each of the first FIGURE_DEPTH passages
    period_years: tuple[int, ...] = ()
    tariffs_found: bool = False  # tariffs matched a price question
    tariff_years: tuple[int, ...] = ()  # the years of those tariffs


def judge(
    question: str,
    asked: Asked,
    evidence: Evidence,
    meeting_dates: Sequence[date],
    idf: Callable[[str], float],
    ignore: frozenset[str] = frozenset(),
) -> Missing | None:
    """None when the passages answer the question; otherwise why not. Rules in order: nothing close (unless a
    rare word of the question stands in the passages), a named meeting the archive lacks, a named year the
    best passages' items never mention, a role with no person named, a figure with no figure given."""
    if not evidence.texts or (far(evidence.scores) and not rare_match(question, evidence.texts, idf)):
        return Missing(Absent.NOTHING)
    if (day := missing_meeting(question, meeting_dates, evidence.texts)) is not None:
        return Missing(Absent.MEETING, day.strftime("%d.%m.%Y"))
    if asked.kind is Kind.AMOUNT and evidence.tariff_years:  # the price of that year, not a mention of it
        year = missing_year(asked, [], evidence.period_years, evidence.tariff_years)
    else:
        year = missing_year(asked, evidence.scopes[:YEAR_DEPTH], evidence.period_years)
    if year is not None:
        return Missing(Absent.YEAR, str(year))
    topic = topic_terms(question, idf, ignore)
    texts = evidence.texts[:FIGURE_DEPTH]
    if (role := missing_person(question, topic, texts, asked.years, evidence.scopes)) is not None:
        return Missing(Absent.PERSON, role, asked.years[0] if asked.years else None)
    if missing_figure(question, asked, topic, texts, evidence.tariffs_found, evidence.scopes):
        return Missing(Absent.AMOUNT if asked.kind is Kind.AMOUNT else Absent.NUMBER)
    return None
