"""SBSYS / eDagsorden publications as text: `Committee:` and `When:` header lines, items `N. Title` (a title may
itself start with a number: `1. 2. behandling af ...`), fields under captions (`Sammendrag`, `ADMINISTRATIONENS
INDSTILLING`, `FORRETNINGSUDVALGETS BESLUTNING`), a decision field empty, `Tomt indhold`, or holding dated
decisions (`18. september 2012: Sagen udsat ...`), and an item's `Enclosures:` list.

A pure function over cleaned lines; it returns None for lines without the publication's header.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from indexer.dates import parse_danish_date
from indexer.document import DocumentKind, Item, Line, ParsedDocument, Section, SectionKind
from indexer.segment.fields import (
    HEADER_LINES,
    appendix_titles,
    caption_kind,
    dated_blocks,
    fold,
    labelled,
    split_sections,
    upper_caption,
)

_ITEM = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_ITEM_OR_SUBITEM = re.compile(r"^\d{1,3}\.(?:\d{1,3}\.?)?\s+\S")
_CASE = re.compile(r"^Sags?nr\.?\s*:?\s*(\S+)", re.IGNORECASE)
_APPENDICES = frozenset({"enclosures", "bilag"})


def parse_sbsys(lines: list[Line]) -> ParsedDocument | None:
    """Parse an SBSYS publication into meeting, items and fields; None when the header is missing."""
    head = lines[:HEADER_LINES]
    committee = labelled(head, frozenset({"committee"}))
    when = labelled(head, frozenset({"when"}))
    meeting_date = parse_danish_date(when) if when else None
    if committee is None or meeting_date is None:
        return None
    starts = _item_starts(lines)
    ends = [index for index, _ in starts[1:]] + [len(lines)]
    rule = _caption_rule(lines, starts)
    items = [_item(lines, start, end, rule) for start, end in zip(starts, ends)]
    front = lines[: starts[0][0]] if starts else lines
    decided = any(
        s.kind is SectionKind.BESLUTNING and s.decided_on in (None, meeting_date) for i in items for s in i.sections
    )
    kind = DocumentKind.MINUTES if decided else DocumentKind.AGENDA
    return ParsedDocument(
        kind=kind,
        title=f"{'Referat' if decided else 'Dagsorden'} {committee}",
        committee=committee,
        meeting_date=meeting_date,
        place=labelled(head, frozenset({"where"})),
        items=items,
        sections=[Section(SectionKind.OTHER, "Forside", list(front))] if front else [],
    )


def _caption_rule(lines: list[Line], starts: list[tuple[int, Item]]) -> Callable[[str], SectionKind | None]:
    """Captions as the publication writes them: upper case when its first field caption is (then a mixed-case
    `Baggrund` inside a field is the field's own sub-heading), and never with a colon (`Beslutning:` is quoted text)."""
    upper = any(upper_caption(lines[index + 1].text) for index, _ in starts[:3] if index + 1 < len(lines))

    def rule(text: str) -> SectionKind | None:
        if fold(text) in _APPENDICES:
            return SectionKind.OTHER
        if text.rstrip().endswith(":"):
            return None
        if upper and not upper_caption(text):
            return None
        return _is_caption(text)

    return rule


def _is_caption(text: str) -> SectionKind | None:
    """A field caption line: a known caption, or any upper-case line of its own."""
    kind = caption_kind(text)
    if kind is None and upper_caption(text):
        return SectionKind.OTHER
    return kind


def _item_starts(lines: list[Line]) -> list[tuple[int, Item]]:
    """`N. Title` lines numbered one above the item before, followed by a caption, another item or the end."""
    starts: list[tuple[int, Item]] = []
    for index, line in enumerate(lines):
        m = _ITEM.match(line.text.strip())
        if not m or int(m.group(1)) != (starts[-1][1].number + 1 if starts else 1):
            continue
        if not _title_like(m.group(2), lines[index - 1].text.strip() if index else "", int(m.group(1))):
            continue
        following = lines[index + 1].text.strip() if index + 1 < len(lines) else None
        if following is None or _is_caption(following) or _CASE.match(following) or _ITEM_OR_SUBITEM.match(following):
            starts.append((index, Item(number=int(m.group(1)), title=m.group(2).strip(), first_line=line)))
    return starts


def _title_like(title: str, previous: str, number: int) -> bool:
    """Not a recommendation's list entry: no lower-case start (`at regionen ...`), no closing comma or colon, and no
    closing full stop right after the list's entry before (`1. ... godkendes.` / `2. ... gennemføres.`)."""
    if title[:1].islower() or title.endswith((",", ";", ":")):
        return False
    return not (title.endswith(".") and previous.startswith(f"{number - 1}. "))


def _item(
    lines: list[Line], start: tuple[int, Item], end: int, is_caption: Callable[[str], SectionKind | None]
) -> Item:
    """One item's case number, fields and enclosures; decision fields split into their dated decisions."""
    index, item = start
    body = lines[index + 1 : end]
    if body and (m := _CASE.match(body[0].text.strip())):
        item.case_number = m.group(1)
        body = body[1:]
    for section in split_sections(body, is_caption):
        if section.heading is not None and fold(section.heading) in _APPENDICES:
            item.appendix_titles = appendix_titles(section)
        elif section.kind is SectionKind.BESLUTNING:
            item.sections.extend(dated_blocks(section))
        elif section.lines:
            item.sections.append(section)
    return item
