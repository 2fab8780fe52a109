"""Typed requests: what a face was asked, read once for every face, with one Danish line for a value that
cannot be read (raised before any work starts)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from indexer.dates import parse_danish_date, written_dates

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_FOUR_DIGITS = re.compile(r"\d{4}")
_DATE_HINT = "skriv fx 21.08.2023 eller 2023-08-21"
MAX_QUESTION = 1000
"""Characters a question may have: a Telegram message holds 4,096, a real question under 300."""
_WORD_BREAKS = {"\u200b", "\u2028", "\u2029"}  # zero-width space, line and paragraph separators


class RequestError(ValueError):
    """A value in a request that cannot be read; the message is one Danish line for the user."""


def _words(text: str) -> str:
    """The words of `text`, single-spaced."""
    return " ".join(text.split())


def _listing(values: list[str]) -> str:
    """`a`, `a og b`, `a, b og c`."""
    return " og ".join([", ".join(values[:-1]), values[-1]]) if len(values) > 1 else "".join(values)


def parse_date(text: str) -> date:
    """A date in any Danish form: `21.08.2023`, `21. august 2023`, `2023-08-21`."""
    if not text.strip():
        raise RequestError(f"Mangler en dato ({_DATE_HINT})")
    day = parse_danish_date(text)
    if day is None:
        raise RequestError(f'Ugyldig dato: "{text}" ({_DATE_HINT})')
    return day


def _optional_date(text: str | None) -> date | None:
    """A date option: None when not given."""
    return parse_date(text) if text else None


def _period(date_from: date | None, date_to: date | None) -> tuple[date | None, date | None]:
    """The bounds of a period, checked to be in order."""
    if date_from and date_to and date_from > date_to:
        raise RequestError(f"Fra-datoen {date_from:%d.%m.%Y} ligger efter til-datoen {date_to:%d.%m.%Y}")
    return date_from, date_to


def _year(text: str) -> int:
    """A year option: four digits."""
    if not _FOUR_DIGITS.fullmatch(text.strip()):
        raise RequestError(f'Ugyldigt år: "{text}" (skriv fx 2021)')
    return int(text)


def _count(value: int | str) -> int:
    """A number of passages: a whole number from 1."""
    try:
        count = int(str(value).strip())
    except ValueError:
        count = 0
    if count < 1:
        raise RequestError(f'Ugyldigt antal: "{value}" (skriv et helt tal fra 1)')
    return count


@dataclass(frozen=True)
class TariffQuery:
    """Tariffs by keyword, of one year or all."""

    words: str
    year: int | None = None

    @classmethod
    def parse(cls, text: str, year: str | None = None) -> TariffQuery:
        """A year written among the words ("Kvisten 2021") is the year filter, as is `year`; two different
        years are refused."""
        years = sorted({int(found) for found in _YEAR.findall(text)} | ({_year(year)} if year else set()))
        if len(years) > 1:
            raise RequestError(f"Skriv kun ét år, ikke {_listing([str(y) for y in years])}")
        return cls(_words(_YEAR.sub(" ", text)), years[0] if years else None)


@dataclass(frozen=True)
class DecisionQuery:
    """Recommendations and decisions by keyword, within a period of meetings."""

    words: str
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def parse(cls, text: str, date_from: str | None = None, date_to: str | None = None) -> DecisionQuery:
        """A date written among the words ("Kvisten 20.01.2023") is that meeting's day; several span the period
        from the first to the last. The period is where they and `date_from`..`date_to` overlap."""
        written = written_dates(text)
        bad = next((as_written for as_written, day in written if day is None), None)
        if bad is not None:
            raise RequestError(f'Ugyldig dato: "{bad}" ({_DATE_HINT})')
        days = sorted(day for _, day in written if day is not None)
        for as_written, _ in written:
            text = text.replace(as_written, " ", 1)
        lower = [d for d in (_optional_date(date_from), days[0] if days else None) if d]
        upper = [d for d in (_optional_date(date_to), days[-1] if days else None) if d]
        return cls(_words(text), *_period(max(lower, default=None), min(upper, default=None)))


@dataclass(frozen=True)
class TimelineQuery:
    """A topic to follow through the meetings."""

    topic: str

    @classmethod
    def parse(cls, text: str) -> TimelineQuery:
        """The topic's words; there must be some."""
        topic = _words(text)
        if not topic:
            raise RequestError("Mangler et emne (skriv fx Socialtilsyn)")
        return cls(topic)


@dataclass(frozen=True)
class AgendaQuery:
    """The agenda of the meeting on one day."""

    day: date

    @classmethod
    def parse(cls, text: str) -> AgendaQuery:
        """The first date in `text`, in any Danish form."""
        return cls(parse_date(text))


def parse_question(text: str) -> str:
    """A question as it is searched: NFKC-normalised, control characters (NUL) and invisible format characters
    (zero-width, right-to-left and other direction marks) removed, single-spaced. Refused when it holds no
    letter or digit, or has more than MAX_QUESTION characters."""
    kept = []
    for char in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(char)
        if char in _WORD_BREAKS or category == "Cc":
            kept.append(" ")
        elif category not in ("Cf", "Cs", "Co", "Cn"):
            kept.append(char)
    question = _words("".join(kept))
    if len(question) > MAX_QUESTION:
        size, cap = (f"{n:,}".replace(",", ".") for n in (len(question), MAX_QUESTION))
        raise RequestError(f"Spørgsmålet er for langt ({size} tegn); skriv det på højst {cap} tegn")
    if not any(char.isalnum() for char in question):
        raise RequestError("Spørgsmålet har ingen ord at søge efter (skriv fx: hvad koster en plads på Kvisten?)")
    return question


@dataclass(frozen=True)
class AskOptions:
    """How many passages a question gets, and the period of meetings to search."""

    k: int = 5
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def parse(cls, k: int | str = 5, date_from: str | None = None, date_to: str | None = None) -> AskOptions:
        """`k` a whole number from 1; the dates in any Danish form, in order."""
        return cls(_count(k), *_period(_optional_date(date_from), _optional_date(date_to)))
