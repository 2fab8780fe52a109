"""Cleaning of PDF-extracted text: lines with their pages, and passages joined back into prose."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from indexer.document import Line

_BULLETS = "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\u25aa\u25cf"
_BULLET_TABLE = str.maketrans({c: "•" for c in _BULLETS})
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u2009\u200a]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_HYPHEN_END = re.compile(r"(?<=[a-zæøåéü])-$")
LINE_BREAK_HYPHEN = "\ufe63"
"""A hyphen that broke a word at a line end (`Thi-` + `sted`), kept in passages as the small hyphen-minus: the
passage reads as printed (NFKC folds it to `-`, so a quote ending `i Thi-` is found in it), while search reads
the mended word (`searchable`)."""


def clean_line(text: str) -> str:
    """Normalise one extracted line: NBSP and odd spaces, private-use bullets, control characters.

    Leading whitespace is folded to one space but kept: in these exports it marks a page start.
    """
    text = unicodedata.normalize("NFC", text).translate(_BULLET_TABLE)
    text = _CONTROL.sub("", text)
    text = "".join(" " if unicodedata.category(c) == "Co" else c for c in text)
    text = _SPACES.sub(" ", text)
    return text.rstrip()


def page_lines(pages: Iterable[tuple[int | None, str]]) -> list[Line]:
    """Split pages into cleaned, non-blank lines; each keeps its page and its 1-based source line number."""
    lines: list[Line] = []
    number = 0
    for page, text in pages:
        for raw in text.split("\n"):
            number += 1
            cleaned = clean_line(raw)
            if cleaned.strip():
                lines.append(Line(cleaned, page, number))
    return lines


def join_lines(texts: Iterable[str], keep_hyphens: bool = False) -> str:
    """Join extracted lines into running text: mend hyphenated line ends (with `keep_hyphens`, the hyphen stays
    as LINE_BREAK_HYPHEN), fold whitespace."""
    out = ""
    for raw in texts:
        text = raw.strip()
        if not text:
            continue
        if not out:
            out = text
        elif _HYPHEN_END.search(out) and text[:1].islower():
            out = out[:-1] + (LINE_BREAK_HYPHEN if keep_hyphens else "") + text
        else:
            out += " " + text
    return out


def searchable(text: str) -> str:
    """The text as search reads it: words broken at a line end mended."""
    return text.replace(LINE_BREAK_HYPHEN, "")


def normalise(text: str) -> str:
    """Lower-case, whitespace-folded form used for comparisons and evaluation."""
    return _SPACES.sub(" ", text.replace("\n", " ")).strip().lower()
