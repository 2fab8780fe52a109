"""Agendas of the DAS Social kind: `Punkt N.` items with headed sections and appended appendices.

A pure function over cleaned lines. It survives the exports' quirks: page headers glued to the previous
page, items without a `Punkt` line (found through the front page's table of contents), wrapped titles,
`Punkt 7:` repeats inside the body, appendix lists in several styles, and `Indstilling` headings inside
appendices (everything after an item's appendix list is appendix text).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from indexer.dates import parse_danish_date
from indexer.document import DocumentKind, Item, Line, ParsedDocument, Section, SectionKind

_PUNKT = re.compile(r"^\s*Punkt\s+(\d{1,3})\.\s*$")
_CASE_NUMBER = re.compile(r"^\s*(\d{4}-\d{5,6})\s*$")
_PAGE_HEADER = re.compile(r"^\s*Mødet den (\d{1,2}\.\d{1,2}\.\d{4})\s+(.+?)\s*$")
_MEETING = re.compile(
    r"(?P<pre>.{0,40}?)\bM[øo]de(?:t)?\s+den\s+(?P<date>\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{1,2}\.\s+[a-zæøå]+\.?\s+\d{4})"
    r"(?P<post>.{0,12})",
    re.IGNORECASE,
)
_STATUS = {"åben": True, "lukket": False}
_TOC_ENTRY = re.compile(r"^\s*(\d{1,3})\.\s+(\S.*)$")
_APPENDIX_ENTRY = re.compile(r"^\s*(?:[•\-–]\s*)?Bilag\s+(\d+)\s*[.:]\s*(\S.*)$")
_APPENDIX_LIST = re.compile(r"^\s*Bilag\s*[:.]?\s*$")
_PAGE_MARKER = re.compile(r"^\s*(?:Side\s+\d+(?:\s+af\s+\d+)?|\d{1,3}(?:/\d{1,3})?)\s*$")
_LEADING_PAGE_NO = re.compile(r"^\s*\d{1,3}\s+(?=\S)")
_WORDS = re.compile(r"[0-9a-zæøåéü]+")

HEADINGS: dict[str, SectionKind] = {
    "resume": SectionKind.RESUME,
    "resumé": SectionKind.RESUME,
    "sammendrag": SectionKind.RESUME,
    "sagsfremstilling": SectionKind.SAGSFREMSTILLING,
    "baggrund": SectionKind.BAGGRUND,
    "indstilling": SectionKind.INDSTILLING,
    "beslutning": SectionKind.BESLUTNING,
}


def heading_kind(text: str) -> SectionKind | None:
    """The section kind of a heading line (`Resume`, ` Baggrund `, `Indstilling:`), else None."""
    return HEADINGS.get(text.strip().rstrip(":").strip().lower())


def looks_like_agenda(lines: list[Line]) -> bool:
    """True when the lines carry at least two `Punkt N.` item lines."""
    return sum(1 for line in lines if _PUNKT.match(line.text)) >= 2


def parse_agenda(lines: list[Line]) -> ParsedDocument | None:
    """Parse an agenda into meeting, items, sections and appendices; None when it is not an agenda."""
    if not looks_like_agenda(lines):
        return None
    starts = _item_starts(lines)
    committee, meeting_date = meeting_of(lines)
    items = [
        _parse_item(lines, start, number, end)
        for (start, number), end in zip(starts, [s for s, _ in starts[1:]] + [len(lines)])
    ]
    front = _strip_trailing_header(lines[: starts[0][0]]) if starts and starts[0][0] else []
    return ParsedDocument(
        kind=DocumentKind.AGENDA,
        title=f"Dagsorden {committee}" if committee else "Dagsorden",
        committee=committee,
        meeting_date=meeting_date,
        place=_place(front),
        items=items,
        # The front page (meeting block, table of contents) answers "when, where, what was on".
        sections=[Section(SectionKind.OTHER, "Forside", front)] if front else [],
    )


def meeting_of(lines: list[Line]) -> tuple[str | None, date | None]:
    """The committee and meeting date: from page headers, else the best-scored `Møde(t) den` mention."""
    headers = [m for line in lines if (m := _PAGE_HEADER.match(line.text))]
    if headers:
        (day, committee), _ = Counter((m.group(1), m.group(2)) for m in headers).most_common(1)[0]
        return committee, parse_danish_date(day)
    scored: Counter[date] = Counter()
    committee = None
    for line in lines:
        for m in _MEETING.finditer(line.text):
            found = parse_danish_date(m.group("date"))
            if found is None:
                continue
            pre = m.group("pre")
            score = 1 + 2 * ("kl." in m.group("post")) + 2 * bool(re.search(r"\bSocial\s*$", pre))
            score -= 3 * bool(re.search(r"referat|næste|seneste|forrige", pre, re.IGNORECASE))
            scored[found] += score
            if re.search(r"\bSocial\s*$", pre):
                committee = _committee_before(pre)
    if not scored or scored.most_common(1)[0][1] <= 0:
        return committee, None
    return committee, scored.most_common(1)[0][0]


def _committee_before(pre: str) -> str:
    """`DAS Social` from a stray line like `DAS Social Møde den 23.08.2021`."""
    words = pre.split()
    return " ".join(words[-2:]) if len(words) >= 2 else pre.strip()


def _place(front: list[Line]) -> str | None:
    """The `Sted` line of a front page's meeting block, if any."""
    for line in front:
        m = re.match(r"^\s*Sted\s+(\S.*)$", line.text)
        if m:
            return m.group(1).strip()
    return None


def _item_starts(lines: list[Line]) -> list[tuple[int, int]]:
    """(line index, item number) of every item, in order; ToC titles find items without `Punkt` lines."""
    found: dict[int, int] = {}
    last = 0
    for index, line in enumerate(lines):
        m = _PUNKT.match(line.text)
        if m and int(m.group(1)) > last:
            last = int(m.group(1))
            found[last] = index
    toc = _table_of_contents(lines[: min(found.values())]) if found else {}
    for number, title in toc.items():
        if number in found:
            continue
        before = [i for n, i in found.items() if n < number]
        after = [i for n, i in found.items() if n > number]
        lo, hi = (max(before) if before else 0), (min(after) if after else len(lines))
        key = _words(title)
        for index in range(lo + 1, hi):
            if _words(lines[index].text) == key:
                found[number] = index
                break
    return sorted(((index, number) for number, index in found.items()), key=lambda pair: pair[0])


def _table_of_contents(front: list[Line]) -> dict[int, str]:
    """`N. Title` entries of a front page (wrapped titles joined), numbered 1, 2, 3 ... in sequence."""
    toc: dict[int, str] = {}
    current: int | None = None
    for line in front:
        m = _TOC_ENTRY.match(line.text)
        if m and int(m.group(1)) == len(toc) + 1:
            current = int(m.group(1))
            toc[current] = m.group(2).strip()
        elif current is not None and line.text[:1].islower() and not _TOC_ENTRY.match(line.text):
            toc[current] += " " + line.text.strip()
        else:
            current = None
    return toc if len(toc) >= 2 else {}


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _parse_item(lines: list[Line], start: int, number: int, end: int) -> Item:
    """One item from its start line (the `Punkt` line or its title) to the next item's start."""
    body = _strip_trailing_header(lines[start:end])
    is_open = _status_before(lines, start)
    cursor = 1 if _PUNKT.match(body[0].text) else 0
    title_lines, cursor = _title(body, cursor)
    item = Item(number=number, title=" ".join(t.text.strip() for t in title_lines), is_open=is_open, first_line=body[0])
    if cursor < len(body) and (m := _CASE_NUMBER.match(body[cursor].text)):
        item.case_number = m.group(1)
        cursor += 1
    _fill_sections(item, body[cursor:])
    return item


def _strip_trailing_header(body: list[Line]) -> list[Line]:
    """Drop the next item's page header and `Åben`/`Lukket` line that end this slice."""
    while body and (_PAGE_HEADER.match(body[-1].text) or body[-1].text.strip().lower() in _STATUS):
        body = body[:-1]
    return body


def _status_before(lines: list[Line], start: int) -> bool:
    """Whether the item is open, from the `Åben`/`Lukket` line just above its start."""
    for line in lines[max(0, start - 2) : start]:
        status = _STATUS.get(line.text.strip().lower())
        if status is not None:
            return status
    return True


def _is_boundary(text: str) -> bool:
    return bool(heading_kind(text) or _CASE_NUMBER.match(text) or _APPENDIX_LIST.match(text) or _PUNKT.match(text))


def _title(body: list[Line], cursor: int) -> tuple[list[Line], int]:
    """The title lines after `Punkt N.`: up to three lines when a heading or case number follows them."""
    if cursor >= len(body):
        return [], cursor
    for span in range(1, 4):
        nxt = cursor + span
        if nxt >= len(body):
            break
        if _is_boundary(body[nxt].text):
            return body[cursor:nxt], nxt
        if body[nxt].text.startswith(" "):
            break
    return body[cursor : cursor + 1], cursor + 1


def _fill_sections(item: Item, body: list[Line]) -> None:
    """Split an item's body into headed sections, then its appendix list, then appendix text."""
    current = Section(SectionKind.OTHER, None)
    index = 0
    while index < len(body):
        line = body[index]
        kind = heading_kind(line.text)
        if kind is not None or _page_heading(line.text):
            _close(item, current)
            current = Section(kind or SectionKind.OTHER, line.text.strip().rstrip(":").strip())
        elif _APPENDIX_LIST.match(line.text) or _APPENDIX_ENTRY.match(line.text):
            _close(item, current)
            index = _appendices(item, body, index)
            return
        else:
            current.lines.append(line)
        index += 1
    _close(item, current)


def _page_heading(text: str) -> bool:
    """An unlisted heading opening a page: ` Orientering `, one or two words, capitalised, no punctuation."""
    words = text.split()
    return (
        text.startswith(" ")
        and 1 <= len(words) <= 2
        and words[0][:1].isupper()
        and not words[0].isupper()
        and all(w.isalpha() for w in words)
    )


def _close(item: Item, section: Section) -> None:
    if section.lines:
        item.sections.append(section)


def _appendices(item: Item, body: list[Line], index: int) -> int:
    """Read the appendix list starting at `index`, then split the remaining text among the appendices."""
    titles: dict[str, str] = {}
    continuation = 0
    if _APPENDIX_LIST.match(body[index].text):
        index += 1
    while index < len(body):
        text = body[index].text
        entry = _APPENDIX_ENTRY.match(text)
        if entry:
            titles.setdefault(entry.group(1), entry.group(2).strip())
            continuation = 0
        elif text.lstrip().startswith(("-", "–", "•")) and not text.startswith(" "):
            titles[f"_{len(titles)}"] = text.lstrip(" -–•").strip()
            continuation = 0
        elif _APPENDIX_LIST.match(text):
            pass
        elif titles and _continues_title(text) and continuation < 2:
            key = list(titles)[-1]
            titles[key] += " " + text.strip()
            continuation += 1
        else:
            break
        index += 1
    item.appendix_titles = list(titles.values())
    item.sections.extend(split_appendices(item.appendix_titles, body[index:]))
    return len(body)


def _continues_title(text: str) -> bool:
    """A wrapped appendix-list entry's next line: flush left, short, lower-case or digit first, no page marker."""
    return (
        not text.startswith(" ")
        and len(text) < 60
        and bool(re.match(r"[a-zæøå0-9]", text))
        and not _PAGE_MARKER.match(text)
    )


def split_appendices(titles: list[str], text: list[Line]) -> list[Section]:
    """Split appendix text at lines that restate a listed title (cover titles), in list order."""
    if not text:
        return []
    if not titles:
        return [Section(SectionKind.BILAG, None, list(text))]
    sections = [Section(SectionKind.BILAG, titles[0], [])]
    wanted = 1
    for line in text:
        if wanted < len(titles) and _restates(line.text, titles[wanted:]):
            offset = _restates(line.text, titles[wanted:])
            wanted += offset
            sections.append(Section(SectionKind.BILAG, titles[wanted - 1], []))
        sections[-1].lines.append(line)
    return [s for s in sections if s.lines]


def _restates(text: str, titles: list[str]) -> int:
    """1-based position of the first title that `text` opens (a cover title line), else 0."""
    words = _words(_LEADING_PAGE_NO.sub("", text))
    if len(" ".join(words)) < 12:
        return 0
    for position, title in enumerate(titles, start=1):
        title_words = _words(title)
        if title_words[: len(words)] == words or words[: len(title_words)] == title_words:
            return position
    return 0
