"""Danish dates in meeting records: `04.12.2012`, `tirsdag den 4. december 2012`, `4. dec. 2012`, `2012-12-04`, and
the ISO date-times publishing systems export (`2025-08-11T16:30:00+02:00`)."""

from __future__ import annotations

import re
from datetime import date

MONTHS: dict[str, int] = {
    "januar": 1,
    "februar": 2,
    "marts": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
_ABBREVIATIONS = {name[:3]: number for name, number in MONTHS.items()} | {"sept": 9}
MONTH_NUMBERS = MONTHS | _ABBREVIATIONS
_MONTH_WORD = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))

_DATE = re.compile(
    rf"""
    (?<![\w.])(?P<iso_y>\d{{4}})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}})(?:(?![\w-])|(?=T\d\d:))
    | (?<![\w.,])(?P<num_d>\d{{1,2}})(?P<sep>[./-])\s?(?P<num_m>\d{{1,2}})(?P=sep)\s?(?P<num_y>\d{{4}})(?![\w-]|[.,]\d)
    | (?<![\w.,])(?P<long_d>\d{{1,2}})(?:\.\s*|\s+)(?P<long_m>{_MONTH_WORD})\.?\s+(?P<long_y>\d{{4}})(?!\w)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def find_dates(text: str) -> list[date]:
    """Every valid date in the text, in reading order; impossible dates (31.02.2012) are skipped."""
    found = (_to_date(match) for match in _DATE.finditer(text))
    return [day for day in found if day is not None]


def parse_danish_date(text: str) -> date | None:
    """The first valid date in the text, or None."""
    return next(iter(find_dates(text)), None)


def written_dates(text: str) -> list[tuple[str, date | None]]:
    """Each date written in the text, in reading order: as written, and the day it spells (None when there
    is no such day, as 2023-13-45)."""
    return [(match.group(0), _to_date(match)) for match in _DATE.finditer(text)]


def _to_date(match: re.Match[str]) -> date | None:
    """The date a match spells, or None when the day does not exist."""
    if match.group("iso_y"):
        parts = match.group("iso_y", "iso_m", "iso_d")
    elif match.group("num_y"):
        parts = match.group("num_y", "num_m", "num_d")
    else:
        month = MONTH_NUMBERS[match.group("long_m").lower()]
        parts = (match.group("long_y"), str(month), match.group("long_d"))
    year, month, day = (int(part) for part in parts)
    try:
        return date(year, month, day)
    except ValueError:
        return None
