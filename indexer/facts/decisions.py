"""Recommendations (`Indstilling`) and decisions (`Beslutning`) split into their line items.

An agenda's Indstilling is a lead-in (`Det indstilles, at DAS`) and items: one per bullet (`•`, `-`, `o`, `◦`;
`◦`/`o` sub-bullets are items of their own), or, without bullets, one per sentence or per line that starts afresh
(a leading space left by a dropped bullet, or the subject of the first item, `DAS …` / `Den Administrative
Styregruppe …`). Wrapped lines are joined with single spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLET = re.compile(r"^\s*(?:[•\uf0b7◦▪●■·–-]|o(?=\s))\s*")
_LEAD = re.compile(r"^(?P<lead>.*?\bindstilles\b.*?\bat\b:?)(?:\s+(?P<rest>.*))?$", re.I)
_STOP = re.compile(r"^\s*(?:Bilag\b|Mødet den \d)", re.I)
_SENTENCE_END = re.compile(r"(?<!\bevt)(?<!\bjf)(?<!\bbl\.a)(?<!\bca)(?<!\bvedr)(?<!\bmv)[.!?][”\"']?$")
_SHORT_SUBJECT = 3


@dataclass
class Recommendation:
    """An Indstilling: its lead-in (None when missing) and its items, verbatim."""

    lead: str | None
    lines: list[str]


def split_recommendations(section_text: str) -> Recommendation:
    """Split the text of an Indstilling section (heading excluded) into its lead-in and its items."""
    texts = _content_lines(section_text)
    lead_index = next((i for i, text in enumerate(texts) if _LEAD.match(text.strip())), None)
    if lead_index is None:
        return Recommendation(None, _items(texts, subject_rule=True))
    match = _LEAD.match(texts[lead_index].strip())
    lead, rest = match["lead"], match["rest"]
    body = texts[lead_index + 1 :]
    if rest:
        continued = bool(body) and not _BULLET.match(body[0]) and not body[0].strip()[:1].isupper()
        if not body or continued or len(rest.split()) > _SHORT_SUBJECT:
            body = [rest] + body
        else:
            lead = f"{lead} {rest}"
    return Recommendation(_collapse(lead), _items(body, subject_rule=True))


def split_decision(section_text: str) -> list[str]:
    """Split the text of a Beslutning section into its decisions (`Godkendt`, `Taget til efterretning`, …);
    a trailing label with nothing after it (`Følgende deltog ikke i behandlingen af punktet:`) is no decision."""
    items = _items(_content_lines(section_text), subject_rule=False)
    while items and items[-1].endswith(":"):
        items.pop()
    return items


def _content_lines(section_text: str) -> list[str]:
    """The non-blank lines of a section, up to its appendix list or the next page header."""
    texts = []
    for text in section_text.replace("\u00a0", " ").split("\n"):
        if _STOP.match(text):
            break
        if text.strip():
            texts.append(text.rstrip())
    return texts


def _items(texts: list[str], subject_rule: bool) -> list[str]:
    """Group lines into items: by bullets when there are any, else by sentences and fresh line starts. With the
    subject rule (Indstilling) a line starting with the first item's subject is a fresh start; without it
    (Beslutning, short lines) any capitalised line after a line that does not run on is one."""
    if any(_BULLET.match(text) for text in texts):
        return _bulleted(texts)
    subject = texts[0].split()[0] if subject_rule and texts else None
    items: list[str] = []
    for previous, text in zip([""] + texts, texts):
        if not items or _starts_item(items[-1], text, subject) or (not subject_rule and _fresh_line(previous, text)):
            items.append(_collapse(text))
        else:
            items[-1] = _collapse(f"{items[-1]} {text}")
    return items


def _bulleted(texts: list[str]) -> list[str]:
    """One item per bullet, unbulleted lines continuing the item before them (or opening the first)."""
    items: list[str] = []
    for text in texts:
        if bullet := _BULLET.match(text):
            items.append(_collapse(text[bullet.end() :]))
        elif items:
            items[-1] = _collapse(f"{items[-1]} {text}")
        else:
            items.append(_collapse(text))
    return [item for item in items if item]


def _starts_item(previous: str, text: str, subject: str | None) -> bool:
    """Whether `text` opens a new item after `previous` (the item so far) rather than continuing it."""
    first = text.strip()[:1]
    if not first.isupper():
        return False
    return bool(
        _SENTENCE_END.search(previous) or text[:1].isspace() or (subject is not None and text.split()[0] == subject)
    )


def _fresh_line(previous: str, text: str) -> bool:
    """A capitalised line after one that does not run on (no trailing `,`, `:`, `-`, `og`, `at`, …)."""
    runs_on = re.search(r"(?:[,:;-]|\b(?:og|eller|at|til|af|for|med|i|på|om|den|det|de|en|et))\s*$", previous, re.I)
    return text.strip()[:1].isupper() and not runs_on


def _collapse(text: str) -> str:
    """`text` with every whitespace run as one space, stripped."""
    return re.sub(r"\s+", " ", text).strip()
