"""What a Danish question asks for (an amount, a number, a date, a person, a reason, a decision, a list) and
the years it names; and whether a sentence holds an answer of that kind. Pure functions over Danish phrasing,
shared by the direct answer and abstention."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.search.text import terms
from indexer.dates import MONTH_NUMBERS, find_dates


class Kind(StrEnum):
    """The kind of answer a question asks for."""

    AMOUNT = "amount"
    NUMBER = "number"
    DATE = "date"
    PERSON = "person"
    REASON = "reason"
    DECISION = "decision"
    LIST = "list"
    OTHER = "other"


@dataclass(frozen=True)
class Asked:
    """The kind of answer a question asks for and the years it names."""

    kind: Kind
    years: tuple[int, ...] = ()


_MONTH = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
_ROLE_WORD = (
    r"\w*(?:formand|formænd|direktør|chef|konsulent|leder|minister|borgmester|rådmand|jurist|koordinator|sekretær"
    r"|planlægger|repræsentant|medarbejder|ordfører)"
)
_INFLECTION = r"(?:en|er|erne|ens|e|s)?"
_ROLE = _ROLE_WORD + _INFLECTION
"""A role, also in a compound (`tilsynschef`), but not a group named after it (`direktørkredsen`)."""

_REASON_CUE = re.compile(
    r"\bhvorfor\b|\bhvad\s+skyld|\bhvordan\s+kan\s+det\s+være\b"
    r"|\b(?:hvad|hvilken|hvilke)\b.*"
    r"\b(?:grund(?:en|ene)?|årsag(?:en|erne)?|begrundelse(?:n)?|formål(?:et)?|meningen)\b",
    re.I,
)
_DATE_CUE = re.compile(
    r"\bhvornår\b|\bhvilke[nt]?\s+(?:\w+\s+)?(?:dato|datoer|år|årstal|måned|tidspunkt|dag|uge|kvartal)\b"
    r"|\bhvor\s+længe\s+siden\b",
    re.I,
)
_PERSON_CUE = re.compile(rf"\bhvem\b|\bhvad\s+hedder\b|\bnavn(?:et|ene)?\s+på\b|\bhvilke[nt]?\s+{_ROLE}", re.I)
_COUNT_CUE = re.compile(
    r"\bhvor\s+(?:mange|meget|stor|store|høj|høje|lav|lang|længe|tit|ofte|hurtigt|langt|lille|få|gammel)\b"
    r"|\b(?:antal(?:let)?|andel(?:en)?|procent(?:del)?|pct)\b",
    re.I,
)
_SHARE_CUE = re.compile(
    r"\b(?:antal(?:let)?|andel(?:en)?|procent(?:del)?|pct|hvor\s+mange|hvor\s+stor\s+en\s+del)\b", re.I
)
_MONEY_CUE = re.compile(
    r"\b(?:\w*takst(?:en|er|erne)?|\w*pris(?:en|er|erne)?|kost(?:er|ede|e|et)?|\w*omkostning\w*|beløb(?:et|ene)?"
    r"|betal\w*|kr|kroner|penge(?:ne)?)\b",
    re.I,
)
_MONEY_WORD = re.compile(r"\b(?:kr|kroner|penge(?:ne)?)\b", re.I)  # money even after "hvor mange"
_MONEY_TOPIC = re.compile(
    r"\b(?:budget(?:tet|ter)?|udgift(?:en|er|erne)?|finansiering(?:en)?|overskud(?:det)?|underskud(?:det)?"
    r"|tilskud(?:det)?|løn(?:nen|ninger)?)\b",
    re.I,
)
_DECISION_CUE = re.compile(
    r"\b(?:beslut\w*|godkend\w*|vedtag\w*|indstill\w*|anbefal\w*)\b|\bbedt\s+om\b|\btage\s+stilling\b"
    r"|\bhvad\s+(?:skal|skulle)\s+\S+\s+(?:gøre|bidrage)\b|\brolle\b",
    re.I,
)
_LIST_CUE = re.compile(r"\bhvilke\b|\bnævn\b|\bhvad\s+består\b", re.I)
_ITEMS = re.compile(r"\bhvilke[nt]?\s+(?:\w+\s+)?(?:dagsordens)?punkt(?:er)?\b|\bhvilke\s+sager\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?:\s*[/-]\s*((?:19|20)?\d\d)(?![-/.]?\d))?(?![\d.,]\d)")

_KRONER = r"(?i:kr\.?|kroner|dkk|mio\.?\s*kr\.?|mia\.?\s*kr\.?|mio\.|mia\.|millioner|milliarder)"
_FIGURE = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_AMOUNT = re.compile(  # a figure in kroner, or a figure with thousands points not followed by a counted noun
    rf"(?<![\w.,])(?:{_FIGURE})\s*{_KRONER}(?!\w)|\bkr\.?\s*(?:{_FIGURE})"
    rf"|(?<![\w.,])\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?(?![\w.,])(?!\s*[a-zæøå])",
)
_NUMBER_WORD = r"to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|tyve|tredive|fyrre|halvtreds|hundrede|tusinde?"
_NUMBER = re.compile(  # a figure with a unit or a counted noun (not a year, not `§ 107`), or a number word
    rf"(?<![\w.,§])(?<!§\s)(?!(?:19|20)\d\d(?!\s*%))\d+(?:[.,]\d+)*"
    rf"\s*(?:%|pct\b|procent\b|(?!(?:{_MONTH})\b)[a-zæøå])"
    rf"|\b(?i:{_NUMBER_WORD})\s+[a-zæøå]"
    rf"|(?i:\b(?:halvdelen|tredjedel|fjerdedel|dobbelt|fordobling)\b)",
)
_WHEN = (  # words that make the year after them a time
    r"i|inden|fra|til|efter|før|siden|senest|primo|medio|ultimo|om|udgangen\s+af|løbet\s+af|starten\s+af|slutningen\s+af"
    r"|foråret|efteråret|sommeren|vinteren|kvartal"
)
# a day or month, or a year as a time (`i 2016`, `ved udgangen af 2023`), not a name's (`Budget 2019`)
_DATE = re.compile(
    rf"\b\d{{1,2}}\.\s*(?:{_MONTH})\b|\b(?:{_MONTH})\.?\s+(?:19|20)\d\d\b|\b(?:{_WHEN})\s+(?:19|20)\d\d(?![\d.,]\d)",
    re.I,
)
_LEVEL = re.compile(  # a level and its number: `boniveau 10`, `takstkategori 3`
    r"\b(?:\w*niveau|\w*kategori|trin|pakke)\s+(\d{1,2})\b", re.IGNORECASE
)
_PERSON = re.compile(  # a role, or two or more capitalised words inside a sentence (a name)
    rf"(?i:\b{_ROLE}\b)"
    r"|(?<=[a-zæøå,;:]\s)[A-ZÆØÅ][a-zæøåéü]+(?:\s+[A-ZÆØÅ]\.)?(?:[\s-]+[A-ZÆØÅ][a-zæøåéü]+)+",
)
_REASON = re.compile(
    r"\b(?:fordi|idet|eftersom|skyldes|skyldtes|grundet|derfor|pga|årsag\w*|forklaring\w*|henføres|begrund\w*"
    r"|formål\w*)\b|(?:^|,\s*)da\b|\bmed\s+henblik\s+på\b|\bfor\s+at\b|\bpå\s+grund\s+af\b|\bsom\s+følge\s+af\b"
    r"|\bmed\s+baggrund\s+i\b|\bdermed\b|\baf\s+hensyn\s+til\b|,\s*hvorfor\b"
    r"|\bpå\s+baggrund\s+af\b|\bmed\s+det\s+formål\b|\bmedfør\w*",
    re.I,
)
_DECISION = re.compile(
    r"\b(?:godkender|godkendes|drøfter|drøftes|beslutter|besluttes|vedtager|vedtages|anbefaler|indstiller|indstilles"
    r"|orienteres|afgiver)\b|\btager\b.*\btil\s+(?:efterretning|underretning|orientering)\b|\btager\s+stilling\b"
    r"|\bgiver\s+(?:evt\.\s+)?input\b",
    re.I,
)
_LIST = re.compile(r":|[•◦\uf0b7]|,[^,]+,|\bsamt\b")
_ASKING_WORDS = frozenset(
    terms(
        "mange meget stor store høj lang længe tit ofte hurtigt langt lille få gammel hedder navn navnet dato datoer "
        "tidspunkt år måned grunden årsagen begrundelsen meningen formålet nævn gik gået kom kommet fik fået "
        "brugte brugt via nu penge kroner"
    )
)
"""Words that only ask (how many, how long, what is the name): not what a question is about."""


def asked(question: str) -> Asked:
    """What the question asks for: its kind (the first that fits: reason, date, agenda items (a list), person,
    decision, amount, number, list, other) and the years it names."""
    return Asked(_kind(question), named_years(question))


def _kind(question: str) -> Kind:
    """The first kind whose cue the question holds."""
    if _REASON_CUE.search(question):
        return Kind.REASON
    if _DATE_CUE.search(question):
        return Kind.DATE
    if asks_items(question):  # a listing of items, whatever else the question names (a decision, a role)
        return Kind.LIST
    if _PERSON_CUE.search(question):
        return Kind.PERSON
    if _DECISION_CUE.search(question):
        return Kind.DECISION
    money = _MONEY_CUE.search(question) or (_MONEY_TOPIC.search(question) and _COUNT_CUE.search(question))
    if money and (not _SHARE_CUE.search(question) or _MONEY_WORD.search(question)):
        return Kind.AMOUNT
    if _COUNT_CUE.search(question):
        return Kind.NUMBER
    if _LIST_CUE.search(question):
        return Kind.LIST
    return Kind.OTHER


def asks_items(question: str) -> bool:
    """Whether a question asks which agenda items (`hvilke punkter`, `hvilket dagsordenspunkt`, `hvilke sager`)."""
    return bool(_ITEMS.search(question))


def named_years(text: str) -> tuple[int, ...]:
    """The years a text names, in order and once each: `i 2024`, `2023/2024`, `2023-24` (both years)."""
    out: list[int] = []
    for match in _YEAR.finditer(text):
        first, second = match.group(1), match.group(2)
        out.append(int(first))
        if second:
            out.append(int(second) if len(second) == 4 else int(first[:2] + second))
    return tuple(dict.fromkeys(out))


def named_levels(text: str) -> frozenset[str]:
    """The levels a text names (`boniveau 10`, `takstkategori 3`, `trin 2`), as figures: a price of another
    level is no answer to a question naming one."""
    return frozenset(_LEVEL.findall(text))


def holds_kind(kind: Kind, sentence: str) -> bool:
    """Whether the sentence holds an answer of that kind: a kroner amount, a counted number or percentage, a
    date or year, a person (a name or a role), a causal marker, a recommendation (`godkender`, `tager … til
    efterretning`), a listing; any sentence for `other`."""
    match kind:
        case Kind.AMOUNT:
            return bool(_AMOUNT.search(sentence))
        case Kind.NUMBER:
            return bool(_NUMBER.search(sentence) or _AMOUNT.search(sentence))
        case Kind.DATE:
            return bool(find_dates(sentence) or _DATE.search(sentence))
        case Kind.PERSON:
            return bool(_PERSON.search(sentence))
        case Kind.REASON:
            return bool(_REASON.search(sentence))
        case Kind.DECISION:
            return bool(_DECISION.search(sentence))
        case Kind.LIST:
            return bool(_LIST.search(sentence))
    return True


def content_terms(question: str) -> tuple[str, ...]:
    """The question's search terms (stems) that name its topic, without the words that only ask."""
    return tuple(dict.fromkeys(t for t in terms(question) if t not in _ASKING_WORDS))


_ASKED_ROLE = re.compile(
    rf"\bhvem\s+(?:er|var|bliver|blev)\s+(?:den\s+)?(?:nye?\s+)?(?:\w+-)?({_ROLE_WORD}){_INFLECTION}\b", re.I
)
_PERSON_NAME = r"[A-ZÆØÅ][a-zæøåéü]+(?:\s+[A-ZÆØÅ]\.)?(?:[\s-]+[A-ZÆØÅ][a-zæøåéü]+)+"


def asked_role(question: str) -> str | None:
    """The role a question asks who holds ("hvem er formand for …", "hvem var tilsynschef …"), else None."""
    match = _ASKED_ROLE.search(question)
    return match.group(1).lower() if match else None


def names_role(role: str, text: str) -> bool:
    """Whether the text names a person together with the role: `DAS-formand Henrik Aarup-Kristensen`,
    `Arne Boelt Formand`, `Line Hessellund, tilsynschef` (a role with no name beside it does not count)."""
    word = rf"(?i:\b(?:\w+-)?\w*{re.escape(role)}{_INFLECTION}\b)"
    return bool(re.search(rf"{word}\s+{_PERSON_NAME}|{_PERSON_NAME},?\s+{word}", text))
