"""Word documents (`.docx`) as text lines: paragraphs, headings and tables in reading order.

A paragraph is a line (a line break in it starts another, a tab stays a TAB), a list paragraph starts with its
number as Word shows it (`1.`, `a)`) or with "• ", a table row is one line of TAB-joined cells (a row of
multi-line cells keeps its cells' lines). Page headers and footers, deleted text, field codes and text boxes are
left out. The archive's declared sizes are checked before anything is unpacked, so a zip bomb is refused unread;
its XML parts are held to XML_LIMIT, since a parsed part takes about 14 times its size in memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.package import OpcPackage
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree

from indexer.formats import BULLET, row_lines

_MAIN_TYPES = frozenset({CONTENT_TYPE.WML_DOCUMENT_MAIN, "application/vnd.ms-word.document.macroEnabled.main+xml"})
_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_T, _TAB, _BR, _CR, _HYPHEN = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")
_SKIPPED = frozenset({qn("w:del"), qn("w:moveFrom"), qn("w:txbxContent"), qn("w:pPr"), qn("w:rPr")})
_SKIPPED |= {"{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
_VAL = qn("w:val")
XML_LIMIT = 40_000_000
"""Bytes a Word document's XML parts may unpack to (a 100-page record's are a few MB)."""


class NotDocx(ValueError):
    """The bytes are not a Word document: not a zip archive, or one without a Word main document."""


class ArchiveOverLimit(ValueError):
    """The archive's parts, or its XML parts, would unpack to more than their limit (a zip bomb)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"unpacks to {size} bytes; the limit is {limit}")
        self.size = size
        self.limit = limit


def docx_text(data: bytes, unpacked_limit: int) -> str:
    """The text of a Word document's bytes, refused (ArchiveOverLimit) when its parts would unpack to more than
    `unpacked_limit` bytes or its XML parts to more than XML_LIMIT; raises NotDocx, or the archive's and XML
    parser's own errors for a corrupt file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise NotDocx("not a zip archive") from exc
    size = sum(info.file_size for info in parts)
    xml = sum(info.file_size for info in parts if info.filename.lower().endswith((".xml", ".rels")))
    for measured, limit in ((size, unpacked_limit), (xml, XML_LIMIT)):
        if measured > limit:
            raise ArchiveOverLimit(measured, limit)
    package = OpcPackage.open(io.BytesIO(data))
    part = package.main_document_part
    if part.content_type not in _MAIN_TYPES:
        raise NotDocx(f"the main part is {part.content_type}")
    body = part.element.find(qn("w:body"))
    if body is None:
        return ""
    return "\n".join(_blocks(body, _Numbering(part)))


def _blocks(container: etree._Element, numbering: _Numbering) -> Iterator[str]:
    """The lines of a body or table cell's paragraphs and tables, in order (content controls opened)."""
    for child in container.iterchildren():
        if child.tag == _P:
            text = _paragraph_text(child)
            if text.strip():
                yield numbering.label(child) + text.strip()
        elif child.tag == _TBL:
            for row in child.iterchildren(_TR):
                yield from row_lines([list(_blocks(cell, numbering)) for cell in row.iterchildren(_TC)])
        elif child.tag == _SDT:
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, numbering)


def _paragraph_text(paragraph: etree._Element) -> str:
    """A paragraph's visible text: runs, hyperlinks, insertions; not deletions, field codes or text boxes."""
    parts: list[str] = []
    stack = [paragraph]
    while stack:
        node = stack.pop()
        if node.tag == _T:
            parts.append(node.text or "")
        elif node.tag == _TAB:
            parts.append("\t")
        elif node.tag in (_BR, _CR):
            parts.append("\n")
        elif node.tag == _HYPHEN:
            parts.append("-")
        elif node.tag not in _SKIPPED:
            stack.extend(reversed(list(node.iterchildren())))
    return "".join(parts)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"))
_ROMAN += ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out += letters * count
    return out


def _formatted(n: int, kind: str) -> str:
    """A list counter in Word's number format."""
    if kind in ("lowerLetter", "upperLetter"):
        text = _LETTERS[(n - 1) % 26] * ((n - 1) // 26 + 1)
        return text.upper() if kind == "upperLetter" else text
    if kind in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if kind == "upperRoman" else _roman(n)
    return str(n)


_Level = tuple[str, str, int]
"""A list level's number format (`decimal`, `lowerLetter`, `bullet`, ...), its text (`%1.`) and its start."""
_DEFAULT_LEVEL: _Level = ("decimal", "", 1)


class _Numbering:
    """Word's list numbering as it is shown: each list's counters advanced paragraph by paragraph."""

    def __init__(self, part: Part) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        """abstractNumId → level → its format."""
        self.lists: dict[str, str] = {}
        """numId → abstractNumId."""
        self.counters: dict[str, list[int]] = {}
        """abstractNumId → the last number shown at each level."""
        self.styles: dict[str, etree._Element] = {}
        """Paragraph style id → its numPr, for styles that number their paragraphs."""
        numbering, styles = (_related(part, kind) for kind in (RELATIONSHIP_TYPE.NUMBERING, RELATIONSHIP_TYPE.STYLES))
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            for style in styles.iterchildren(qn("w:style")):
                num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
                if num_pr is not None:
                    self.styles[style.get(qn("w:styleId"), "")] = num_pr

    def _read_numbering(self, numbering: etree._Element) -> None:
        for abstract in numbering.iterchildren(qn("w:abstractNum")):
            levels = self.levels.setdefault(abstract.get(qn("w:abstractNumId"), ""), {})
            for level in abstract.iterchildren(qn("w:lvl")):
                kind, text, start = (level.find(qn(f"w:{tag}")) for tag in ("numFmt", "lvlText", "start"))
                levels[_int(level.get(qn("w:ilvl")))] = (
                    kind.get(_VAL, "decimal") if kind is not None else "decimal",
                    text.get(_VAL, "") if text is not None else "",
                    _int(start.get(_VAL)) if start is not None else 1,
                )
        for num in numbering.iterchildren(qn("w:num")):
            abstract_id = num.find(qn("w:abstractNumId"))
            if abstract_id is not None:
                self.lists[num.get(qn("w:numId"), "")] = abstract_id.get(_VAL, "")

    def label(self, paragraph: etree._Element) -> str:
        """The number or bullet Word shows before a list paragraph, with a space; "" for other paragraphs."""
        properties = paragraph.find(qn("w:pPr"))
        num_pr = properties.find(qn("w:numPr")) if properties is not None else None
        if num_pr is None and properties is not None and (style := properties.find(qn("w:pStyle"))) is not None:
            num_pr = self.styles.get(style.get(_VAL, ""))
        if num_pr is None:
            return ""
        num_id, ilvl = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
        abstract = self.lists.get(num_id.get(_VAL, "") if num_id is not None else "")
        if abstract is None:  # numId 0 switches numbering off
            return ""
        level = min(_int(ilvl.get(_VAL)) if ilvl is not None else 0, 8)
        levels = self.levels.get(abstract, {})
        kind, text, _ = levels.get(level, ("decimal", f"%{level + 1}.", 1))
        if kind == "bullet":
            return BULLET
        counters = self.counters.setdefault(abstract, [])
        while len(counters) <= level:  # a level not shown yet stands before its start
            counters.append(levels.get(len(counters), _DEFAULT_LEVEL)[2] - 1)
        counters[level] += 1
        for deeper in range(level + 1, len(counters)):  # a new number restarts the levels under it
            counters[deeper] = levels.get(deeper, _DEFAULT_LEVEL)[2] - 1
        for shown in range(level + 1):
            kind_shown, _, start = levels.get(shown, _DEFAULT_LEVEL)
            text = text.replace(f"%{shown + 1}", _formatted(max(counters[shown], start), kind_shown))
        return f"{text} " if kind != "none" and text.strip() else ""


def _related(part: Part, kind: str) -> etree._Element | None:
    """The XML of the part related to `part` by `kind`, None when there is none."""
    try:
        return part.part_related_by(kind).element  # type: ignore[attr-defined]  # an XmlPart's
    except KeyError:
        return None


def _int(value: str | None) -> int:
    """A whole-number attribute, 0 when absent or malformed."""
    try:
        return int(value or 0)
    except ValueError:
        return 0
