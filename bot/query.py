"""Query understanding: meeting dates and periods, and a committee named, become filters; agenda questions
become listings."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from indexer.clean import normalise
from indexer.dates import MONTH_NUMBERS, find_dates

_MONTH = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
_MONTH_YEAR = re.compile(rf"\b(?:i|fra|om|til|på)?\s*(?P<month>{_MONTH})\.?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)
_MEETING_YEAR = re.compile(
    r"\b(?:møde(?:t|rne)?|besluttet|besluttede|vedtaget|vedtog|behandlet|behandlede|indstillet|drøftet|drøftede)"
    r"\s+(?:i|fra)\s+(?P<year>(?:19|20)\d\d)\b(?![-–/]\d)",
    re.IGNORECASE,
)
_MONTH_MEETING = re.compile(rf"\b(?P<month>{_MONTH})mødet\s+(?:i\s+)?(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)
_LATEST = re.compile(r"\b(?:seneste|sidste|nyeste)\s+møde", re.IGNORECASE)
_AGENDA = re.compile(r"\bdagsorden(?:en)?\b|\bpå\s+mødet\b.*\b(?:punkter|behandlet)\b", re.IGNORECASE)
_ON_THE_AGENDA = re.compile(
    r"\b(?:hvad|hvilke\s+punkter)\b.*\b(?:på\s+dagsordenen|på\s+mødet|behandlede?)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Understood:
    """What a question asks beyond its words: a meeting period, or a whole agenda."""

    date_from: date | None = None
    date_to: date | None = None
    wants_agenda: bool = False

    @property
    def has_period(self) -> bool:
        """Whether the question names a meeting date or period."""
        return self.date_from is not None or self.date_to is not None


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def understand(question: str, meeting_dates: list[date]) -> Understood:
    """The meeting period a question names (a date, a month, `i 2021`, `seneste møde`) and whether it asks
    for an agenda. A period no meeting falls in is ignored, so a stray year never empties the answer."""
    wants_agenda = bool(_AGENDA.search(question) and _ON_THE_AGENDA.search(question))
    period = _period(question, meeting_dates)
    if period and not any(period[0] <= d <= period[1] for d in meeting_dates):
        period = None
    return Understood(period[0] if period else None, period[1] if period else None, wants_agenda)


def _period(question: str, meeting_dates: list[date]) -> tuple[date, date] | None:
    """The first period named: an exact date, a month and year (`i aug 2021`, `martsmødet 2023`), a meeting
    year (`mødet i 2021`, `besluttet i 2023`), or the latest meeting. A bare year (`i 2021`) is not a period: it dates what the
    question asks about, which a later meeting's record may tell."""
    exact = find_dates(question)
    if exact:
        return exact[0], exact[0]
    if m := _MONTH_MEETING.search(question) or _MONTH_YEAR.search(question):
        return _month_range(int(m.group("year")), MONTH_NUMBERS[m.group("month").lower()])
    if m := _MEETING_YEAR.search(question):
        year = int(m.group("year"))
        return date(year, 1, 1), date(year, 12, 31)
    if _LATEST.search(question) and meeting_dates:
        latest = max(meeting_dates)
        return latest, latest
    return None


def named_committee(question: str, committees: Sequence[str]) -> str | None:
    """The committee of the archive that the question names in full (`i Teknisk Udvalg`, `Sundheds- og
    Forebyggelsesudvalgets møde`); of two, the one named last (a follow-up's own over its topic's), and of two
    names ending there the longer. None when the archive holds one committee only (its records are all the
    committee's) or the question names none."""
    if len(committees) < 2:
        return None
    folded = normalise(question)
    named = []
    for committee in committees:
        ends = [m.end() for m in re.finditer(rf"(?<!\w){re.escape(normalise(committee))}(?:s|et|ets)?(?!\w)", folded)]
        if ends:
            named.append((max(ends), len(committee), committee))
    return max(named)[2] if named else None
