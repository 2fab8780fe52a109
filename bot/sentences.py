"""Sentences of extracted record text: where a sentence, a bullet item, a heading or a table row begins.

Abbreviations (`kr.`, `ca.`, `pr.`, `jf.`), initials and dates (`31.03.2023`, `18. november`) do not split;
bullets, `a)` enumerations, headings in capitals and table rows (after their figures, or a caption's first row
after the caption) do.
"""

from __future__ import annotations

import re
from functools import lru_cache

_BOUNDARY = re.compile(r"(?<=[.!?])[\"”»)]?\s+(?=[\"“»(]?[A-ZÆØÅ0-9])")
_CELL = r"-?\d[\d.,]*%?"
_CELL_TOKEN = re.compile(_CELL)
TABLE_ROW = 3  # figures in a table row at least
ROW_SHARE = 0.5  # and at least this share of its words
_BREAKS = (  # the cut is the pattern's group
    re.compile(r"(\s*[•◦\uf0b7]\s*)"),  # bullets
    re.compile(r"(?<=[\w,:;)])(\s+[-–]\s+)(?=[A-ZÆØÅ][a-zæøå])"),  # list items set with a dash, joined into one line
    re.compile(r"(\s+o\s+)(?=[A-ZÆØÅ])"),  # sub-bullets extracted as a letter o
    re.compile(r"(\s+)(?=[a-h]\)\s)"),  # a) b) c) enumerations
    re.compile(rf"(?<!§\s)(?<![\w.,§-]){_CELL}(?:\s+{_CELL})+(\s+)(?=[A-ZÆØÅ][a-zæøå])"),  # rows after figures
    re.compile(  # a caption's first row: after a word in lower case, a label and figures (not years)
        rf"(?:^|\s)[a-zæøå(][\w-]*[a-zæøå)](\s+)"
        rf"(?=[A-ZÆØÅ][a-zæøå]+(?:\s+\d{{1,2}})?\s+(?!(?:19|20)\d\d\b){_CELL}(?:\s+{_CELL}){{{TABLE_ROW - 1},}}(?:\s|$))"
    ),
    re.compile(r"(\s+|^)(?:Baggrund|Sagsfremstilling|Indstilling|Beslutning)\s+[A-ZÆØÅ]"),  # section headings
    re.compile(r"\b(?:Baggrund|Sagsfremstilling|Indstilling|Beslutning)(\s+)(?=[A-ZÆØÅ])"),
)
_HEADING = re.compile(  # a run of words in capitals, with the item number before it and a year after it
    r"(?:\b\d{1,2}\s+)?[A-ZÆØÅ][A-ZÆØÅ-]+(?:\s+[-–]?\s*[A-ZÆØÅ][A-ZÆØÅ-]+)+\b(?:\s+(?:19|20)\d\d\b)?"
)
MIN_HEADING_WORD = 6  # a run of capitals is a heading when one of its words is this long (not `UCN DAS`)
_STRIP = " \t\n\u00a0•◦\uf0b7"
_BEFORE_NUMBER_OR_NAME = frozenset(
    "ca cirka pr kl jf jvf nr evt bl.a f.eks fx inkl ekskl vedr tlf stk tidl ang dvs ift iht mht ifm pga gns spec "
    "d st afd hhv m.fl o.l vejl max min sek".split()
)
"""Abbreviations a sentence never ends on: they precede a number, a date or a name (`pr. 1. juli`, `tidl. Viften`)."""
_AFTER_NUMBER = frozenset("kr pct mio mia mdr osv mv m.m etc".split())
"""Abbreviations after a figure: they end a sentence only when a capital letter follows (`2 mio. kr. I analysen`)."""
LOOK = 20  # characters before a full stop that hold the word it ends
CACHED_TEXTS = 4096


def _ends_sentence(before: str, after: str) -> bool:
    """Whether a full stop ending `before` ends a sentence, given the text `after` it."""
    last = before.rsplit(None, 1)[-1] if before.strip() else ""
    word = last.rstrip('.!?"”»)').lstrip('("“»').lower()
    if word in _BEFORE_NUMBER_OR_NAME or re.fullmatch(r"[A-ZÆØÅ]\.", last.lstrip("(")):
        return False
    return word not in _AFTER_NUMBER or after[:1].isupper()


@lru_cache(maxsize=CACHED_TEXTS)
def cuts(text: str) -> tuple[tuple[int, int], ...]:
    """Spans between sentences: sentence ends, bullets, enumerations, headings in capitals, table rows.
    Cached: one answer splits the same windows to rank them, to judge them and to quote from them."""
    cuts = [
        m.span()
        for m in _BOUNDARY.finditer(text)
        if _ends_sentence(text[max(0, m.start() - LOOK) : m.start()], text[m.end() : m.end() + 1])
    ]
    cuts += [m.span(1) for pattern in _BREAKS for m in pattern.finditer(text)]
    for heading in _HEADING.finditer(text):
        if max(map(len, re.findall(r"[A-ZÆØÅ]+", heading.group()))) >= MIN_HEADING_WORD:
            cuts += [(heading.start(), heading.start()), (heading.end(), heading.end())]
    return tuple(sorted(cuts))


def sentences(text: str) -> list[str]:
    """A passage split into sentences, bullet items and table rows, each a verbatim piece of it (bullet
    glyphs stripped). Abbreviations (`kr.`, `ca.`, `pr.`, `jf.`), initials and dates (`31.03.2023`,
    `18. november`) do not split; headings in capitals are pieces of their own."""
    return [text[start:end] for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` as (start, end) offsets, bullet glyphs and white space trimmed."""
    spans, start = [], 0
    for cut_start, cut_end in [*cuts(text), (len(text), len(text))]:
        if cut_start >= start:
            piece = text[start:cut_start]
            lead = len(piece) - len(piece.lstrip(_STRIP))
            if piece.strip(_STRIP):
                spans.append((start + lead, start + len(piece.rstrip(_STRIP))))
            start = cut_end
    return spans


def sentence_starts(text: str) -> list[int]:
    """The offsets where a sentence (or bullet item, heading, table row) begins, 0 first."""
    return sorted({0, *(end for _, end in cuts(text) if end < len(text))})


def table_row(sentence: str) -> bool:
    """A row of a table: mostly figures (`Aalborg 12 12 11 9 7`). Its topic stands in the table's caption,
    and a bare figure in it is a count."""
    tokens = sentence.split()
    figures = sum(bool(_CELL_TOKEN.fullmatch(token)) for token in tokens)
    return figures >= TABLE_ROW and figures >= ROW_SHARE * len(tokens)
