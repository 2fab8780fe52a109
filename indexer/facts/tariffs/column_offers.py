"""The offer a column-table row prices: a group row above it, else what the table's caption or the nearest title
above names, else the item's title."""

from __future__ import annotations

import re

from indexer.document import Line
from indexer.facts.tariffs.column_layout import Header, Row, is_fragment, label_start
from indexer.facts.tariffs.common import collapse, named_offer

_TITLE = re.compile(
    r"^\s*(?:\d+\s+)?(?P<name>[^\W\d][\w.]*(?:\s+[^\W\d][\w.]*){0,3})\s*[-–]\s*budget\s+(?:19|20)\d\d:?\s*$", re.I
)
_TARIFF_HEADING = re.compile(r"^\s*(?:nye |reviderede )?takster for (?P<name>[\w ]+?)\s*$", re.I)
_OPERATOR = re.compile(r"^\s*(?:Region [A-ZÆØÅ]\w+|[A-ZÆØÅ]\w+ Kommune)\b")

_HEADER_WORDS = re.compile(
    r"\b(?:takst\w*|\w*pris|ydelse|beløb|kr\.?|pct\.?|antal|pladsantal|ændring|budget|regnskab|i alt)\b|%|:$", re.I
)


def group_row(lines: list[Line], rows: list[Row], index: int, header_end: int) -> str | None:
    """The group row a table row stands under: the nearest line below the header, above the row's label, that
    carries no amounts, names no column and is not a wrapped piece of a label (`Botilbud Solvej` over
    `Døgntakst 2.345 2.400`). It names the row's offer when it is a proper name (`Botilbud Solvej`, `Børnehus
    Nord`, `Torvevej 31`); a single word (`Døgnophold`) may be a service, and names it only when the table's
    caption and title name none."""
    back = label_start(lines, rows, index) - 1
    while back > header_end:
        if rows[back].is_data:
            back = label_start(lines, rows, back) - 1
            continue
        text = collapse(lines[back].text)
        named = text[:1].isupper() and text.count("(") == text.count(")") and not _HEADER_WORDS.search(text)
        return text if named and is_fragment(rows[back], text) else None
    return None


def table_offer(lines: list[Line], index: int, header: Header, title_offer: str | None) -> str | None:
    """The offer a table prices when no group row names it: what its caption names (`Takster for Botilbud
    Solvej:`), else the nearest title above (`Socialtilsyn Nord – Budget 2024:`, `Nye takster for
    specialbørnehjemmene`), else what the item's title names."""
    if caption_offer := named_offer(header.caption):
        return caption_offer
    titles = [name for i in range(index) if (name := _title_name(lines, i))]
    return titles[-1] if titles else title_offer


def _title_name(lines: list[Line], index: int) -> str | None:
    """The offer title line `index` names, in the section's own mixed-case spelling when the title is in capitals;
    a tariff heading followed by its operator (`Region Nordjylland har …`) gets the operator in brackets."""
    text = lines[index].text
    if match := _TITLE.match(text):
        name = collapse(match["name"])
    elif match := _TARIFF_HEADING.match(text):
        name = collapse(match["name"])
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        if operator := _OPERATOR.match(following):
            name = f"{name} ({operator[0]})"
    else:
        return None
    if name.isupper():
        spelled = (re.search(re.escape(name), line.text, re.I) for line in lines)
        mixed = [m[0] for m in spelled if m and not m[0].isupper()]
        name = mixed[0] if mixed else name.title()
    return name[0].upper() + name[1:]
