"""Rules the publishing systems' records share: field captions, labelled meeting lines, dated decision lines,
interface strings, and splitting an item's body into sections at its captions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from indexer.dates import parse_danish_date
from indexer.document import Line, Section, SectionKind


@dataclass(frozen=True)
class ItemStart:
    """Where an item begins in a record's body: its heading's first line, how many lines the heading takes, its
    number and title, and whether it is open (a `Lukket` item is not)."""

    index: int
    span: int
    number: int
    title: str
    is_open: bool = True


CAPTIONS: dict[str, SectionKind] = {
    "beslutning": SectionKind.BESLUTNING,
    "beslutninger": SectionKind.BESLUTNING,
    "indstilling": SectionKind.INDSTILLING,
    "beslutningspunkter": SectionKind.INDSTILLING,
    "administrationens indstilling": SectionKind.INDSTILLING,
    "forvaltningens indstilling": SectionKind.INDSTILLING,
    "resume": SectionKind.RESUME,
    "resumé": SectionKind.RESUME,
    "sammendrag": SectionKind.RESUME,
    "sagsfremstilling": SectionKind.SAGSFREMSTILLING,
    "sagsbeskrivelse": SectionKind.SAGSFREMSTILLING,
    "fremstilling": SectionKind.SAGSFREMSTILLING,
    "baggrund": SectionKind.BAGGRUND,
}
"""Captions of the sections a citation names, case-folded."""
OTHER_CAPTIONS = frozenset(
    {
        "bilag", "sagsprocedure", "lovgrundlag", "retsgrundlag", "økonomi", "økonomiske konsekvenser",
        "økonomiske konsekvenser og finansiering", "tidsplan", "øvrige forhold", "kommunikation", "høring",
        "vurdering", "sagen afgøres af", "beslutningen træffes af", "beslutningskompetence", "tidligere behandling",
        "punktet behandlet tidligere", "sagens tidligere behandling", "sagsforløb", "sagens forløb", "enclosures",
        "borgmesterens afdelings påtegning", "konsekvenser", "handicappolitisk vurdering", "bemærkninger",
    }
)  # fmt: skip
"""Captions of other fields (a case's history, who decides, appendices), case-folded."""
HEADER_LINES = 15
"""Lines at a record's top in which its labelled meeting lines stand."""
HISTORY_CAPTIONS = frozenset({"sagsforløb", "sagens forløb"})
"""Captions under which earlier bodies' decisions of the case are listed, case-folded."""
INTERFACE = frozenset({"hent som pdf", "kopier link", "tilbage til forsiden", "vis mere", "vis mindre", "del"})
"""Web-page controls that may survive a page's conversion to text; never record text."""
EMPTY_FIELD = frozenset({"tomt indhold", "-", "ingen", "beslutning ikke frigivet"})
"""What an empty field (or a closed item's unreleased decision) shows instead of text."""

_UPPER_CAPTION = re.compile(r"^[A-ZÆØÅ][A-ZÆØÅ\-–/,.&' ]{3,70}$")
_BODY_DECISION = re.compile(r"^(?P<who>[A-ZÆØÅ][A-ZÆØÅ\-– ]*?S) BESLUTNING$")
_LABEL = re.compile(r"^\s*(?P<label>[A-Za-zÆØÅæøå ]{2,20}?)\s*:\s*(?P<value>\S.*)$")
_DATED = re.compile(
    r"^(?P<date>\d{1,2}\.\s*[a-zæøå]+\.?\s+\d{4}|\d{1,2}[.-]\d{1,2}[.-]\d{4}|\d{4}-\d{2}-\d{2})\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Case-folded, whitespace-folded text without a closing colon, for comparing captions."""
    return " ".join(text.casefold().split()).rstrip(":").strip()


def caption_kind(text: str) -> SectionKind | None:
    """The kind of a field caption (`Beslutninger`, `Resume`, `ADMINISTRATIONENS INDSTILLING`,
    `FORRETNINGSUDVALGETS BESLUTNING`, `Sagsforløb`): a cited kind, OTHER for other fields, None for text."""
    label = fold(text)
    if label in CAPTIONS:
        return CAPTIONS[label]
    if label in OTHER_CAPTIONS:
        return SectionKind.OTHER
    if _BODY_DECISION.match(text.strip()):
        return SectionKind.BESLUTNING
    return None


def upper_caption(text: str) -> bool:
    """An upper-case caption line of its own (`BESLUTNINGSFORSLAG FRA DD`, `KOMMUNIKATION`)."""
    text = text.strip()
    return bool(_UPPER_CAPTION.match(text)) and sum(c.isalpha() for c in text) >= 4 and not text.endswith((",", "."))


def labelled(lines: list[Line], labels: frozenset[str]) -> str | None:
    """The value of the first `Label: value` line (TAB or space after the colon) whose label is one of `labels`."""
    for line in lines:
        m = _LABEL.match(line.text)
        if m and fold(m.group("label")) in labels:
            return m.group("value").strip()
    return None


def dated(text: str) -> tuple[date, str] | None:
    """A decision line that opens with its date (`18. september 2012: Sagen udsat ...`): the date and the rest."""
    m = _DATED.match(text.strip())
    if not m:
        return None
    found = parse_danish_date(m.group("date"))
    return (found, m.group("rest").strip()) if found else None


def without_interface(lines: list[Line]) -> list[Line]:
    """The lines without web-page controls (`Hent som PDF`, `Kopier link`)."""
    return [line for line in lines if fold(line.text) not in INTERFACE]


def is_empty_field(lines: list[Line]) -> bool:
    """A field with no text, or only the `Tomt indhold` placeholder."""
    return all(fold(line.text) in EMPTY_FIELD for line in lines)


def split_sections(body: list[Line], is_caption: Callable[[str], SectionKind | None]) -> list[Section]:
    """Split an item's body at caption lines into sections (text before the first caption: heading None); empty
    sections are kept, so a caller sees an empty decision field."""
    sections: list[Section] = []
    current: Section | None = None
    for line in body:
        kind = is_caption(line.text)
        if kind is not None:
            current = Section(kind, line.text.strip())
            sections.append(current)
            continue
        if current is None:
            current = Section(SectionKind.OTHER, None)
            sections.append(current)
        current.lines.append(line)
    return sections


def appendix_titles(section: Section) -> list[str]:
    """The titles of an appendix list section (`Bilag`, `Enclosures:`), bullets dropped."""
    return [line.text.strip().lstrip("•-– ").strip() for line in section.lines if line.text.strip()]


def dated_blocks(section: Section) -> list[Section]:
    """A decision field split at lines that open with a date (`18. september 2012: Sagen udsat ...`), each block a
    section with that date in `decided_on`; blocks and fields with no text (`Tomt indhold`) are left out."""
    blocks: list[Section] = []
    current = Section(section.kind, section.heading, decided_on=section.decided_on)
    for line in section.lines:
        found = dated(line.text)
        if found is not None:
            blocks.append(current)
            current = Section(section.kind, section.heading, [line], decided_on=found[0])
            if not found[1]:
                current.lines = []
            continue
        current.lines.append(line)
    blocks.append(current)
    return [block for block in blocks if block.lines and not is_empty_field(block.lines)]


def stated_meeting(lines: list[Line]) -> tuple[str | None, date | None]:
    """The committee and meeting date a record states in labelled lines near its top (`Udvalg:`, `Committee:`,
    `Dato:`, `Mødedato:`, `When:`), for records of no known layout."""
    head = lines[:HEADER_LINES]
    committee = labelled(head, frozenset({"udvalg", "committee"}))
    when = labelled(head, frozenset({"mødedato", "dato", "when", "tidspunkt"}))
    return committee, parse_danish_date(when) if when else None
