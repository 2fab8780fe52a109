"""Minutes (`Referat`) of Danish municipal committees (eDoc as PDF or pdftotext text, Acadre): a repeated page
header, a table of contents, `N. Title` items (the number may stand alone on its line) with `Sagsnr.` lines, headed
sections and dated decisions (`<Udvalg>s beslutning den DD.MM.YYYY Punkt N`, `Beslutning i <Udvalg> den DD-MM-YYYY`;
the committee's own earlier decisions stay decisions, another body's are the case's history).

A pure function over cleaned lines; it returns None for lines that do not read as minutes of this layout.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from itertools import groupby

from indexer.dates import find_dates, parse_danish_date
from indexer.document import DocumentKind, Item, Line, ParsedDocument, Section, SectionKind
from indexer.segment.fields import ItemStart, fold

HEADER_DEPTH = 8
"""Lines at the top of a page that may belong to its repeated header."""
FOOTER_DEPTH = 3
MAX_TITLE_LINES = 3
FRONT_LINES = 60
"""Lines after the header in which a `Referat` title marks the document as minutes."""

_ITEM = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_NUMBER_ALONE = re.compile(r"^\s*\d{1,3}\.\s*$")
_TOC_COLUMNS = re.compile(r"^(?:punkt(?:\s*nr\.?)?|nr\.?)\s+side$", re.IGNORECASE)
"""A table of contents' column header (`Punkt nr.  Side`)."""
_TOC_TITLE = re.compile(r"^indhold(?:sfortegnelse)?$", re.IGNORECASE)
_TOC_PAGE = re.compile(r"^(?:(.*?\S)(?:\s*[.…]{2,}\s*|\s+))?(\d{1,4})$")
_CASE = re.compile(r"^Sagsnr\.?\s*:?\s*(\S+)", re.IGNORECASE)
_DOC_NO = re.compile(r"^Dok\.?\s*nr\.?\s*:?", re.IGNORECASE)
_STATUS = re.compile(r"^(åbent|lukket)\s+(?:referat|dagsorden|møde)$", re.IGNORECASE)
_MINUTES_MARK = re.compile(r"^(?:(?:åbent|lukket)\s+)?referat$|^beslutningsprotokol$", re.IGNORECASE)
_DECISION = re.compile(
    r"^(?:(?P<who>\S.*?s)\s+beslutning|beslutning\s+i\s+(?P<body>\S.*?))\s+den\s+(?P<date>\S.*?)"
    r"(?:\s+punkt\s+\d{1,3})?\.?$",
    re.IGNORECASE,
)
_BODY_NAME = re.compile(r"udvalg|råd\b|rådet|bestyrelse|nævn|kommission|forum|styregruppe", re.IGNORECASE)
_PLACE = re.compile(r"^(?:(?:møde)?sted\s*:?|i|på)\s+(\S.*)$", re.IGNORECASE)
_ATTENDANCE = re.compile(
    r"^(?:til\s?stede|deltagere|afbud(?:\s*/\s*fraværende)?|fraværende|sekretær|mødeleder)$", re.IGNORECASE
)
_APPENDIX = re.compile(r"^\d{4}\s*[-–]\s*\d{3,}\s+[-–]\s+\S")
_BULLET = re.compile(r"^[•\-–]\s+(\S.*)$")
_LIST_MARK = re.compile(r"^(?:[a-zæøå]\.|[A-ZÆØÅ]\)|\d{1,2}[.)]|[•\-–])\s")
_TERMINAL = re.compile(r"[.?!)]$")
_KINDS = {
    "sammendrag": SectionKind.RESUME,
    "resumé": SectionKind.RESUME,
    "resume": SectionKind.RESUME,
    "baggrund": SectionKind.BAGGRUND,
    "sagsfremstilling": SectionKind.SAGSFREMSTILLING,
    "sagsbeskrivelse": SectionKind.SAGSFREMSTILLING,
    "supplerende sagsfremstilling": SectionKind.SAGSFREMSTILLING,
    "indstilling": SectionKind.INDSTILLING,
    "beslutning": SectionKind.BESLUTNING,
}
_OTHER_HEADING = re.compile(
    r"^(?:bilag|økonomi|lovgrundlag|retsgrundlag|lovgivning|kommunikation|høring|tidsplan|vurdering"
    r"|beslutningen træffes af|beslutningskompetence|tidligere beslutninger|sagens tidligere behandling"
    r"|(?:administrationens|forvaltningens) vurdering|[\w-]+ konsekvenser(?: og finansiering)?)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Heading:
    """A recognised section heading; decisions carry their meeting date."""

    kind: SectionKind
    text: str
    decided: date | None = None
    body: str | None = None


@dataclass(frozen=True)
class _Entry:
    """One table-of-contents entry."""

    number: int
    title: str
    page: int | None
    is_open: bool


def parse_minutes(lines: list[Line]) -> ParsedDocument | None:
    """Parse minutes into meeting, items and sections; None when the lines are not minutes of this layout."""
    body, furniture = _strip_furniture(_join_numbers(lines))
    if not any(_MINUTES_MARK.match(line.text.strip()) for line in furniture + body[:FRONT_LINES]):
        return None
    closed_pages = {line.page for line in furniture if _status(line) is False}
    toc_at = next((i for i, line in enumerate(body) if _TOC_TITLE.match(line.text.strip())), None)
    entries, toc_end = _toc(body, toc_at + 1, _last_page(lines)) if toc_at is not None else ([], 0)
    starts = (_locate(body, toc_end, entries) if entries else []) or _detect(body, toc_end)
    if not starts:
        return None
    starts = [replace(s, is_open=s.is_open and body[s.index].page not in closed_pages) for s in starts]
    front = body[: starts[0].index]
    if toc_at is not None:
        front = front[:toc_at] + front[toc_end:]
    committee, meeting_date, place = _meeting(front, furniture, body)
    ends = _item_ends(body, starts)
    return ParsedDocument(
        kind=DocumentKind.MINUTES,
        title=f"Referat {committee}" if committee else "Referat",
        committee=committee,
        meeting_date=meeting_date,
        place=place,
        items=[_item(body, start, end, committee, meeting_date) for start, end in zip(starts, ends)],
        sections=_front_sections(front),
        pages=_last_page(lines),
    )


def _join_numbers(lines: list[Line]) -> list[Line]:
    """An item number alone on its line (`1.`, as pdftotext writes eDoc minutes) joined with the title below it."""
    joined: list[Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _NUMBER_ALONE.match(line.text) and index + 1 < len(lines) and not _NUMBER_ALONE.match(lines[index + 1].text):
            joined.append(Line(f"{line.text.strip()} {lines[index + 1].text.strip()}", line.page, line.no))
            index += 2
            continue
        joined.append(line)
        index += 1
    return joined


def _shape(text: str) -> str:
    """A line's form for spotting repeats: folded, digits as `#`."""
    return fold(re.sub(r"\d+", "#", text))


def _status(line: Line) -> bool | None:
    """True for an `Åbent referat` line, False for `Lukket referat`, None for anything else."""
    m = _STATUS.match(line.text.strip())
    return None if m is None else m.group(1).casefold() == "åbent"


def _last_page(lines: list[Line]) -> int | None:
    return max((line.page for line in lines if line.page is not None), default=None)


def _strip_furniture(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Split lines into body and page furniture: header lines repeated at page tops, page-number footers."""
    pages = [list(group) for _, group in groupby(lines, key=lambda line: line.page)]
    if len(pages) < 2:
        return list(lines), []
    header = _repeated([page[:HEADER_DEPTH] for page in pages])
    footer = {key for key in _repeated([page[-FOOTER_DEPTH:] for page in pages]) if "#" in key}
    body: list[Line] = []
    furniture: list[Line] = []
    for page in pages:
        top = _furniture_run(page[:HEADER_DEPTH], header)
        end = len(page) - _furniture_run(page[top:][::-1][:FOOTER_DEPTH], footer)
        furniture += page[:top] + page[end:]
        body += page[top:end]
    return body, furniture


def _repeated(windows: list[list[Line]]) -> set[str]:
    """Line shapes found in at least half of the windows (and two), headings and items excepted; an item-like
    line repeated word for word in at least three windows is a running header (`20. juni 2013 - kl. 10:30`)."""
    counts = Counter(shape for window in windows for shape in {_shape(line.text) for line in window})
    headings = {_shape(line.text) for window in windows for line in window if _is_heading_like(line.text)}
    need = max(2, (len(windows) + 1) // 2)
    found = {shape for shape, count in counts.items() if count >= need and shape not in headings}
    repeats = Counter(text for window in windows for text in {fold(line.text) for line in window})
    running = {_shape(text) for text, count in repeats.items() if count >= max(3, need) and _ITEM.match(text)}
    return found | running


def _is_heading_like(text: str) -> bool:
    text = text.strip()
    return bool(_heading(text) or _ITEM.match(text) or _CASE.match(text))


def _furniture_run(lines: list[Line], known: set[str]) -> int:
    """How many leading lines are furniture: known shapes (each once) or an open/closed status line."""
    seen: set[str] = set()
    for count, line in enumerate(lines):
        shape = _shape(line.text)
        if shape in seen or not (shape in known or _status(line) is not None):
            return count
        seen.add(shape)
    return len(lines)


def _toc(body: list[Line], index: int, last_page: int | None) -> tuple[list[_Entry], int]:
    """The entries of the table of contents starting at `index`, and the index after it."""
    entries: list[_Entry] = []
    is_open = True
    while index < len(body):
        line = body[index]
        status = _status(line)
        if status is not None:
            is_open = status
            index += 1
            continue
        m = _ITEM.match(line.text.strip())
        if not m and not entries and _TOC_COLUMNS.match(line.text.strip()):
            index += 1
            continue
        if not m or (entries and int(m.group(1)) <= entries[-1].number):
            break
        first_page = entries[-1].page if entries and entries[-1].page else 1
        title, page, span = _toc_entry(m.group(2), body, index, first_page, last_page or 999)
        entries.append(_Entry(int(m.group(1)), title, page, is_open))
        index += span
    return entries, index


def _toc_entry(
    first: str, body: list[Line], index: int, first_page: int, last_page: int
) -> tuple[str, int | None, int]:
    """Title, page and line count of the entry at `index` (its text after the number is `first`).

    The title may wrap; the page number, within first_page..last_page, ends its last line.
    """
    parts = [first]
    for span in range(1, MAX_TITLE_LINES + 1):
        m = _TOC_PAGE.match(parts[-1])
        if m and first_page <= int(m.group(2)) <= last_page:
            parts[-1] = m.group(1) or ""
            return " ".join(part for part in parts if part), int(m.group(2)), span
        following = index + span
        if following >= len(body) or _ITEM.match(body[following].text.strip()) or _status(body[following]) is not None:
            break
        parts.append(body[following].text.strip())
    wraps = 1
    while index + wraps < len(body) and body[index + wraps].text.strip()[:1].islower() and wraps <= MAX_TITLE_LINES:
        wraps += 1
    return " ".join([first] + [line.text.strip() for line in body[index + 1 : index + wraps]]), None, wraps


def _locate(body: list[Line], cursor: int, entries: list[_Entry]) -> list[ItemStart]:
    """Find each ToC entry's heading in the body, in order; entries not found are left out."""
    starts: list[ItemStart] = []
    for entry in entries:
        for index in range(cursor, len(body)):
            span = _heading_span(body, index, entry.number, entry.title)
            if span:
                starts.append(ItemStart(index, span, entry.number, entry.title, entry.is_open))
                cursor = index + span
                break
    return starts


def _detect(body: list[Line], start: int) -> list[ItemStart]:
    """Without a usable ToC: `N. Title` lines with rising numbers and a `Sagsnr.` line right after the title."""
    starts: list[ItemStart] = []
    is_open = True
    for index, line in enumerate(body[start:], start=start):
        status = _status(line)
        if status is not None:
            is_open = status
        m = _ITEM.match(line.text.strip())
        if not m or (starts and int(m.group(1)) <= starts[-1].number):
            continue
        span = _heading_span(body, index, int(m.group(1)), None)
        if span:
            title = " ".join([m.group(2)] + [next_line.text.strip() for next_line in body[index + 1 : index + span]])
            starts.append(ItemStart(index, span, int(m.group(1)), title, is_open))
    return starts


def _heading_span(body: list[Line], index: int, number: int, title: str | None) -> int | None:
    """Lines taken by item `number`'s heading at `index`: the (ToC) title, else the lines before `Sagsnr.`."""
    m = _ITEM.match(body[index].text.strip())
    if not m or int(m.group(1)) != number:
        return None
    if title is not None:
        target = fold(title)
        text = m.group(2)
        for span in range(1, MAX_TITLE_LINES + 1):
            if fold(text) == target:
                return span
            if not target.startswith(fold(text)) or index + span >= len(body):
                break
            text += " " + body[index + span].text.strip()
    for span in range(1, MAX_TITLE_LINES + 1):
        if index + span < len(body) and _CASE.match(body[index + span].text.strip()):
            return span
    return None


def _item_ends(body: list[Line], starts: list[ItemStart]) -> list[int]:
    """Each item ends at the next item or at an `Åbent/Lukket referat` line, whichever comes first."""
    ends = []
    for position, start in enumerate(starts):
        end = starts[position + 1].index if position + 1 < len(starts) else len(body)
        ends.append(next((i for i in range(start.index + start.span, end) if _status(body[i]) is not None), end))
    return ends


def _meeting(front: list[Line], furniture: list[Line], body: list[Line]) -> tuple[str | None, date | None, str | None]:
    """Committee, date and place: from the front page's meeting block, else the headers and decisions."""
    decisions = [m for line in body if (m := _DECISION.match(line.text.strip())) and parse_danish_date(m["date"])]
    committee = place = None
    meeting_date = None
    at = next((i for i, line in enumerate(front) if find_dates(line.text)), None)
    if at is not None:
        meeting_date = parse_danish_date(front[at].text)
        above = [line.text.strip() for line in front[:at] if not _MINUTES_MARK.match(line.text.strip())]
        named = [text for text in above if _BODY_NAME.search(text)]
        committee = named[-1] if named else above[-1] if above else None
        place = next((m.group(1) for line in front[at + 1 : at + 3] if (m := _PLACE.match(line.text.strip()))), None)
    if committee is None:
        committee = next((m["who"][:-1] for m in decisions if m["who"]), None)
    if meeting_date is None:
        meeting_date = _most_common(
            [d for line in furniture for d in find_dates(line.text)]
            or [d for m in decisions if (d := parse_danish_date(m["date"]))]
        )
    return committee, meeting_date, place


def _most_common(dates: list[date]) -> date | None:
    return Counter(dates).most_common(1)[0][0] if dates else None


def _front_sections(front: list[Line]) -> list[Section]:
    """The front page outside the ToC: the meeting block, then `Tilstede`, `Afbud`, ... each as a section."""
    sections = [Section(SectionKind.OTHER, None)]
    for line in front:
        label = line.text.strip()
        if _ATTENDANCE.match(label):
            sections.append(Section(SectionKind.OTHER, label))
        else:
            sections[-1].lines.append(line)
    return [section for section in sections if section.lines]


def _heading(text: str) -> _Heading | None:
    """The section heading a line is, if any: known section names, other known headings, decisions."""
    label = text.strip().rstrip(":").strip()
    kind = _KINDS.get(label.casefold())
    if kind is not None:
        return _Heading(kind, label)
    if _OTHER_HEADING.match(label):
        return _Heading(SectionKind.OTHER, label)
    m = _DECISION.match(label)
    decided = parse_danish_date(m["date"]) if m else None
    if m is None or decided is None:
        return None
    return _Heading(SectionKind.BESLUTNING, label, decided, m["body"] or (m["who"][:-1] if m["who"] else None))


def _item(body: list[Line], start: ItemStart, end: int, committee: str | None, meeting_date: date | None) -> Item:
    """One item: its case number, sections and appendix titles from the lines after its heading."""
    item = Item(number=start.number, title=start.title, is_open=start.is_open, first_line=body[start.index])
    sections: list[Section] = []
    current = Section(SectionKind.OTHER, None)
    listed = wraps = False
    for line in body[start.index + start.span : end]:
        text = line.text.strip()
        heading = _heading(text)
        if heading is not None:
            sections.append(current)
            kind = _section_kind(heading, committee, meeting_date)
            current = Section(kind, heading.text, decided_on=heading.decided)
            listed = wraps = False
            continue
        if not sections and (_CASE.match(text) or _DOC_NO.match(text)):
            item.case_number = item.case_number or _case_number(text)
            continue
        if current.heading is not None and current.heading.casefold() == "bilag":
            entry = _appendix_entry(text)
            if entry is not None:
                item.appendix_titles.append(entry)
                listed, wraps = True, not _TERMINAL.search(entry)
            elif wraps and not _LIST_MARK.match(text):
                item.appendix_titles[-1] += " " + text
                wraps = False
            elif listed:
                sections.append(current)
                current = Section(SectionKind.OTHER, None)
                listed = wraps = False
        current.lines.append(line)
    sections.append(current)
    item.sections = [section for section in map(_without_dangling_labels, sections) if section.lines]
    return item


def _section_kind(heading: _Heading, committee: str | None, meeting_date: date | None) -> SectionKind:
    """A decision from another meeting is the case's history (an OTHER section), unless this committee took it:
    then it is one of the item's decisions, dated (`Beslutning i <udvalget> den 10-04-2013`, `... den 24-04-2013`)."""
    if heading.decided and meeting_date and heading.decided != meeting_date:
        own = heading.body is not None and committee is not None and fold(heading.body) == fold(committee)
        return heading.kind if own else SectionKind.OTHER
    return heading.kind


def _case_number(text: str) -> str | None:
    m = _CASE.match(text)
    return m.group(1) if m else None


def _appendix_entry(text: str) -> str | None:
    """An appendix-list line (`2012-208960 - Title` or a bullet), whitespace folded."""
    if _APPENDIX.match(text):
        return " ".join(text.split())
    m = _BULLET.match(text)
    return m.group(1) if m else None


def _without_dangling_labels(section: Section) -> Section:
    """Drop trailing label lines with nothing after them (`Følgende deltog ikke i behandlingen af punktet:`)."""
    lines = list(section.lines)
    while lines and lines[-1].text.rstrip().endswith(":"):
        lines.pop()
    return Section(section.kind, section.heading, lines, section.decided_on)
