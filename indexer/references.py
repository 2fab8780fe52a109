"""Document numbers that tie an appendix filed on its own to the agenda item that lists it: publishing systems
print a record's number on it (`Dok.nr.:2012-204021`, `Sagsnr./Dok.nr. 2018-028923 / 2018-028923-4`) and list an
item's appendices by the same number (`2012-204021 - Forslag til takstreduktioner …`)."""

from __future__ import annotations

import re

from indexer.document import Line

HEAD_LINES = 60
"""Lines at a record's start where its own number is looked for (a letter's or a memo's header)."""
_NUMBER = r"\d{4}\s?[-–]\s?\d{3,}(?:-\d+)?"
_STATED = re.compile(rf"\bDok(?:ument)?\.?\s*nr\.?\s*:?\s*(?:{_NUMBER}\s*/\s*)?(?P<number>{_NUMBER})", re.IGNORECASE)
_LISTED = re.compile(rf"^\s*(?P<number>{_NUMBER})\s+[-–]\s+\S")


def _normal(number: str) -> str:
    """A number without spaces and with a plain hyphen (`2012–200292` is `2012-200292`)."""
    return re.sub(r"\s", "", number).replace("–", "-")


def stated_number(lines: list[Line]) -> str | None:
    """The document number a record states near its start (`Dok.nr.`), if any."""
    for line in lines[:HEAD_LINES]:
        if match := _STATED.search(line.text):
            return _normal(match.group("number"))
    return None


def listed_number(appendix_title: str) -> str | None:
    """The document number an item's appendix entry starts with (`2012-204021 - Forslag …`), if any."""
    match = _LISTED.match(appendix_title)
    return _normal(match.group("number")) if match else None
