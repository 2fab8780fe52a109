"""The layout of a flattened column table: each line split into a label and its trailing numbers (scaled to kroner
where the table is stated `i 1.000 kr.` or `(mio. kr.)`), the header above naming the year columns, the caption
above that, and labels wrapped over lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.document import Line
from indexer.facts.numbers import parse_danish_number, parse_dkk
from indexer.facts.tariffs.common import INTEGER, NUMBER, YEAR, collapse

_NUMERIC_TOKEN = re.compile(rf"^(?:[-\u2212]?{NUMBER}%?|[-–])$")
_INT_TOKEN = re.compile(rf"^[-\u2212]?{INTEGER}$")
_NUMBERED_LABEL = re.compile(r"(?:kategori|gruppe|niveau|nr\.)$", re.I)
_PRICE_LEVEL = re.compile(r"\(\s*(?:i\s+)?((?:19|20)\d\d)\s*[-–]?\s*(?:priser|pl)\b\s*\)?", re.I)
_SCALE = re.compile(r"(?:\(\s*|\bi\s+)(?P<unit>1\.?000|mio\.)\s*kr\b|(?<!\d\s)(?<![\d,.])\bt\.?\s?kr\b", re.I)
SCALE_PHRASE = re.compile(rf"\s*,?\s*\(?\s*(?:{_SCALE.pattern})\.?\s*\)?", re.I)


def _scale(text: str) -> int | None:
    """The factor a label, header or caption states its amounts in: `i 1.000 kr.`, `(1.000 kr.)`, `t.kr.` →
    1000, `(mio. kr.)`, `i mio. kr.` → 1 000 000; an amount (`45 t.kr.`) states none."""
    if (match := _SCALE.search(text)) is None:
        return None
    return 1_000_000 if (match["unit"] or "").lower() == "mio." else 1000


@dataclass
class Row:
    """A table line split into its label and its trailing numbers, and the factor its amounts are stated in."""

    label: str
    tokens: list[str]
    scale: int = 1

    @property
    def counts(self) -> list[int]:
        """The whole-number cells as written (decimals and percentages are ratios, `-` is empty)."""
        ints = (parse_dkk(token) for token in self.tokens if _INT_TOKEN.match(token))
        return [count for count in ints if count is not None]

    @property
    def amounts(self) -> list[int]:
        """The amount cells in kroner: the whole numbers, or in a table stated in thousands or millions of kroner
        every number but a percentage, scaled."""
        if self.scale == 1:
            return self.counts
        values = (parse_danish_number(token) for token in self.tokens if not token.endswith("%"))
        return [round(value * self.scale) for value in values if value is not None]

    @property
    def is_data(self) -> bool:
        """Whether the line carries numbers that are not just the years of a title or header (`Ydelse 2023 2024`)."""
        return bool(self.amounts) and not all(YEAR.fullmatch(token) for token in self.tokens)


def split_row(text: str, context_scale: int = 1) -> Row:
    """`Takstkategori 2 42.409 4.241` → label `Takstkategori 2`, tokens `42.409 4.241`; the amounts are in the
    unit the label states (`Døgntakst (1.000 kr.) 3,2`), else in the table's (`context_scale`)."""
    words = collapse(text).split()
    cut = len(words)
    while cut > 0 and _NUMERIC_TOKEN.match(words[cut - 1]):
        cut -= 1
    if not any(char.isdigit() for word in words[cut:] for char in word):
        cut = len(words)
    if 0 < cut < len(words) and _NUMBERED_LABEL.search(words[cut - 1]) and words[cut].isdigit():
        cut += 1
    label = " ".join(words[:cut])
    return Row(label, words[cut:], _scale(label) or context_scale)


def row_scales(lines: list[Line]) -> list[int]:
    """The factor each line's amounts are stated in, from a caption or header that states one (`Takster i 1.000
    kr.:`, `(mio. kr.) 2023 2024`) down to the next caption; a row stating its own unit keeps it to itself."""
    scales, context = [], 1
    for line in lines:
        own = _scale(line.text)
        counts = [token for token in split_row(line.text).tokens if not YEAR.fullmatch(token)]
        if own and not counts:
            context = own
        elif own is None and _is_caption(line.text):
            context = 1
        scales.append(context)
    return scales


def year_columns(text: str) -> list[int]:
    """The years a header gives its columns, in order: a price level (`(i 2024 priser)`, `2019-priser`) only
    restates the column before it, and the date of a population count (`2. kvt. 2022`) is no column."""
    price_levels = [match.span() for match in _PRICE_LEVEL.finditer(text)]
    columns = []
    for match in YEAR.finditer(text):
        in_price_level = any(start <= match.start() < end for start, end in price_levels)
        count_date = re.search(r"kvt\.?\s*$", text[: match.start()])
        price_suffix = re.match(r"\s*[-–]?\s*(?:priser|pl)\b", text[match.end() :], re.I)
        if not (in_price_level or count_date or price_suffix):
            columns.append(int(match[1]))
    return columns


def _is_caption(text: str) -> bool:
    """A line that introduces a table (`…, bliver med Budget 2024:`) or ends a sentence of prose."""
    stripped = text.strip()
    return stripped.endswith(":") or (len(stripped) > 40 and stripped.endswith("."))


def is_fragment(row: Row, text: str) -> bool:
    """A short wrapped piece of a label (`pladser)`, `pr. plejefamilie`) rather than a header line."""
    return not row.is_data and not YEAR.search(text) and len(text.strip()) <= 40 and not _is_caption(text)


@dataclass
class Header:
    """The header above a run of table rows, its caption, and the indexes of its first and last line."""

    text: str
    caption: str
    start: int
    end: int


def find_header(lines: list[Line], rows: list[Row], index: int, needed: int) -> Header | None:
    """The header of the table row at `index`: the nearest non-data lines above the table's first row, taken back
    until they name `needed` year columns or meet a caption, data, or ten lines."""
    end = index - 1
    while end >= 0 and (rows[end].is_data or is_fragment(rows[end], lines[end].text)):
        end -= 1
    if end < 0 or _is_caption(lines[end].text):
        return None
    first_data = next((i for i in range(end + 1, index + 1) if rows[i].is_data), index)
    start = end
    while (
        len(year_columns(_joined(lines, start, first_data))) < needed
        and start > 0
        and end - start < 10
        and not rows[start - 1].is_data
        and not _is_caption(lines[start - 1].text)
    ):
        start -= 1
    return Header(_joined(lines, start, first_data), _caption(lines, rows, start), start, end)


def _joined(lines: list[Line], start: int, stop: int) -> str:
    """The texts of `lines[start:stop]` as one line."""
    return collapse(" ".join(line.text for line in lines[start:stop]))


def _caption(lines: list[Line], rows: list[Row], start: int) -> str:
    """The caption line above a header (at most 25 lines up, no data between), with the line it wraps from when it
    starts in lower case."""
    above = start - 1
    while above >= 0 and start - above <= 25 and not rows[above].is_data and not _is_caption(lines[above].text):
        above -= 1
    if above < 0 or rows[above].is_data or not _is_caption(lines[above].text):
        return ""
    caption = lines[above].text
    if not caption.strip()[:1].isupper() and above > 0:
        caption = lines[above - 1].text + " " + caption
    return collapse(caption)


def row_label(lines: list[Line], rows: list[Row], index: int) -> str:
    """A row's label with the wrapped beginning (`Takstgruppe 3 (25-49` / `pladser)`) joined in."""
    return collapse(" ".join(row.label for row in rows[label_start(lines, rows, index) : index + 1]))


def label_start(lines: list[Line], rows: list[Row], index: int) -> int:
    """The index of the line a row's label starts on: the row itself, or a wrapped beginning above it."""
    label, back = rows[index].label, index - 1
    while back >= 0 and (not label or not label[:1].isupper() or label.count("(") < label.count(")")):
        if rows[back].is_data or not is_fragment(rows[back], lines[back].text):
            break
        label = f"{rows[back].label} {label}"
        back -= 1
    return back + 1
