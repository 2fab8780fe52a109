"""FirstAgenda records (Aarhus, Greve, ...) as PDF, web page or API export rendered to text.

Meeting data: a one-line title (`REFERAT Aarhus Byråd d. 27-08-2025`) or labelled lines (`Udvalg: ...`,
`Dato: 2025-08-11T16:30:00+02:00`, `Mødedato: onsdag den 1. oktober 2025 kl. 15.45`). Items: `Punkt 2: Title`
(the title may wrap onto a second line), or on a web page, after a `Punkt`/`Titel` header, a bare number line and
the title line; then the case number alone on a line (`25-005529`, `EMN-2025-003383`). Fields under captions, the
decision (`Beslutning`, `Beslutninger`) often first; `Beslutningspunkter` is the recommendation; `Sagsforløb` lists
earlier bodies' decisions (`Udvalg:` / `Dato:` / `Punktnummer:` or `09-10-2023 Udvalg`), kept dated as case history;
a closed item (`Punkt 21: Lukket: Title`) carries its decision with no caption.

`Møde: Dagsorden` stands on finished minutes too, so the kind comes from the content: a `Referat` title or a decision.
A pure function over cleaned lines; it returns None for lines without FirstAgenda items.
"""

from __future__ import annotations

import re
from datetime import date

from indexer.dates import parse_danish_date
from indexer.document import DocumentKind, Item, Line, ParsedDocument, Section, SectionKind
from indexer.segment.fields import (
    HISTORY_CAPTIONS,
    ItemStart,
    appendix_titles,
    caption_kind,
    fold,
    is_empty_field,
    labelled,
    split_sections,
    upper_caption,
    without_interface,
)

MAX_TITLE_LINES = 3
_PUNKT = re.compile(r"^Punkt\s+(\d{1,3})\s*:\s*(\S.*)$")
_TABLE_HEADER = re.compile(r"^Punkt\s+Titel$")
_NUMBER = re.compile(r"^(\d{1,3})$")
_CASE = re.compile(r"^(?:[A-ZÆØÅ]{2,6}-)?\d{2,4}-\d{3,7}(?:-\d{1,7})?[A-ZÆØÅ]?$")
_CLOSED = re.compile(r"^Lukket(?:\s+punkt)?\s*:\s*", re.IGNORECASE)
_TITLE_LINE = re.compile(
    r"^(?P<kind>referat|dagsorden|beslutningsprotokol)\s+(?P<committee>\S.*?)\s+(?:d\.|den)\s+(?P<date>\S.*)$",
    re.IGNORECASE,
)
_KIND_LINE = re.compile(r"^(?P<kind>referat|dagsorden)\b", re.IGNORECASE)
_DATE_LINE = re.compile(r"^(?:mødedato|dato|tidspunkt)\s*:?\s+(?P<date>\S.*)$", re.IGNORECASE)
_HISTORY_ENTRY = re.compile(r"^(?P<date>\d{2}-\d{2}-\d{4})\s+\S")
_COMMITTEE_LABELS = frozenset({"udvalg", "committee"})
_PLACE_LABELS = frozenset({"sted", "mødested"})


def parse_firstagenda(lines: list[Line]) -> ParsedDocument | None:
    """Parse a FirstAgenda record into meeting, items and fields; None when it has no FirstAgenda items."""
    lines = without_interface(lines)
    starts = _punkt_starts(lines) or _table_starts(lines)
    if not starts:
        return None
    front = lines[: starts[0].index]
    committee, meeting_date, titled = _meeting(front)
    if len(starts) < 2 and committee is None and meeting_date is None:
        return None
    ends = [start.index for start in starts[1:]] + [len(lines)]
    items = [_item(lines[start.index : end], start) for start, end in zip(starts, ends)]
    decided = any(s.kind is SectionKind.BESLUTNING for item in items for s in item.sections)
    minutes = titled == "referat" or decided
    if minutes:
        for item in items:
            _closed_decision(item)
    return ParsedDocument(
        kind=DocumentKind.MINUTES if minutes else DocumentKind.AGENDA,
        title=f"{'Referat' if minutes else 'Dagsorden'} {committee}" if committee else None,
        committee=committee,
        meeting_date=meeting_date,
        place=labelled(front, _PLACE_LABELS),
        items=items,
        sections=[Section(SectionKind.OTHER, "Forside", list(front))] if front else [],
    )


def _meeting(front: list[Line]) -> tuple[str | None, date | None, str | None]:
    """Committee, meeting date and the kind a title line names (`referat`, `dagsorden`), from the lines before
    the first item."""
    committee = labelled(front, _COMMITTEE_LABELS)
    meeting_date = None
    titled = None
    for line in front:
        text = line.text.strip()
        if m := _TITLE_LINE.match(text):
            found = parse_danish_date(m.group("date"))
            if found is not None:
                titled = titled or m.group("kind").casefold()
                committee = committee or m.group("committee")
                meeting_date = meeting_date or found
        if (m := _DATE_LINE.match(text)) and meeting_date is None:
            meeting_date = parse_danish_date(m.group("date"))
        if titled is None and (m := _KIND_LINE.match(text)) and parse_danish_date(text):
            titled = m.group("kind").casefold()
    return committee, meeting_date, "referat" if titled == "beslutningsprotokol" else titled


def _punkt_starts(lines: list[Line]) -> list[ItemStart]:
    """`Punkt N: Title` lines with rising numbers; a title wraps onto the lines before its case number or first
    caption."""
    starts: list[ItemStart] = []
    for index, line in enumerate(lines):
        m = _PUNKT.match(line.text.strip())
        if not m or (starts and int(m.group(1)) <= starts[-1].number):
            continue
        span = _title_span(lines, index)
        title = " ".join([m.group(2).strip()] + [t.text.strip() for t in lines[index + 1 : index + span]])
        starts.append(ItemStart(index, span, int(m.group(1)), title))
    return starts


def _title_span(lines: list[Line], index: int) -> int:
    """Lines a `Punkt` title takes: more than one only when a case number or a caption follows the wrap."""
    for span in range(1, MAX_TITLE_LINES + 1):
        following = index + span
        if following >= len(lines):
            return 1
        text = lines[following].text.strip()
        if _PUNKT.match(text):
            return 1
        if _CASE.match(text) or _caption(text):
            return span
    return 1


def _table_starts(lines: list[Line]) -> list[ItemStart]:
    """On a web page, after the `Punkt`/`Titel` header: a bare number one above the item before, its title on
    the next line, then a case number, a caption, the next item or the end."""
    header = next((i for i, line in enumerate(lines) if _TABLE_HEADER.match(line.text.strip())), None)
    if header is None:
        return []
    starts: list[ItemStart] = []
    for index in range(header + 1, len(lines) - 1):
        m = _NUMBER.match(lines[index].text.strip())
        if not m or int(m.group(1)) != (starts[-1].number + 1 if starts else 1):
            continue
        title = lines[index + 1].text.strip()
        after = lines[index + 2].text.strip() if index + 2 < len(lines) else ""
        if _NUMBER.match(title) or not (not after or _CASE.match(after) or _caption(after) or _NUMBER.match(after)):
            continue
        starts.append(ItemStart(index, 2, int(m.group(1)), title))
    return starts


def _caption(text: str) -> SectionKind | None:
    """A field caption: a known one (a colon only after `Sagsforløb`), or an upper-case line of its own."""
    if text.endswith(":") and fold(text) not in HISTORY_CAPTIONS:
        return None
    kind = caption_kind(text)
    if kind is None and upper_caption(text):
        return SectionKind.OTHER
    return kind


def _item(body: list[Line], start: ItemStart) -> Item:
    """One item: closed mark, case number, fields, the appendix list and the case history."""
    title = start.title
    closed = _CLOSED.match(title)
    item = Item(number=start.number, title=title[closed.end() :] if closed else title, first_line=body[0])
    item.is_open = closed is None
    rest = body[start.span :]
    if rest and _CASE.match(rest[0].text.strip()):
        item.case_number = rest[0].text.strip()
        rest = rest[1:]
    for section in split_sections(rest, _caption):
        label = fold(section.heading or "")
        if label == "bilag":
            item.appendix_titles = appendix_titles(section)
        elif label in HISTORY_CAPTIONS:
            item.sections.extend(_history(section))
        elif not is_empty_field(section.lines):
            item.sections.append(section)
    return item


def _closed_decision(item: Item) -> None:
    """A closed item's text before any caption is its decision."""
    if not item.is_open and item.sections and item.sections[0].heading is None:
        item.sections[0].kind = SectionKind.BESLUTNING


def _history(section: Section) -> list[Section]:
    """A `Sagsforløb` field split into its entries, each dated (`Udvalg:` / `Dato:` lines, or `09-10-2023 Udvalg`);
    earlier bodies' decisions are the case's history, never this meeting's decision."""
    entries: list[Section] = []
    for line in section.lines:
        text = line.text.strip()
        starts_entry = fold(text).startswith("udvalg:") or _HISTORY_ENTRY.match(text)
        if starts_entry or not entries:
            entries.append(Section(SectionKind.SAGSFREMSTILLING, section.heading))
        entry = entries[-1]
        entry.lines.append(line)
        if entry.decided_on is None and (fold(text).startswith("dato:") or _HISTORY_ENTRY.match(text)):
            entry.decided_on = parse_danish_date(text)
    return entries
