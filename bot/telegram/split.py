"""Telegram HTML cut into messages that fit: each at most 4096 characters after entity parsing, tags balanced."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram.constants import MessageLimit

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH

_ATOM = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);|.", re.DOTALL)
# Where a cut may fall, best first: after a blank line, after a line break, after a space, anywhere.
_PARAGRAPH, _LINE, _SPACE, _ANYWHERE = 3, 2, 1, 0


@dataclass(frozen=True)
class _Atom:
    """A tag, or one character of text (possibly written as an entity)."""

    html: str
    text: str = ""
    tag: str | None = None
    closing: bool = False


def units(text: str) -> int:
    """Telegram's length of `text`: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def plain_text(fragment: str) -> str:
    """The text of a fragment after entity parsing."""
    return "".join(atom.text for atom in _atoms(fragment))


def _atoms(fragment: str) -> list[_Atom]:
    atoms = []
    for match in _ATOM.finditer(fragment):
        token = match.group(0)
        if match.group(2):
            atoms.append(_Atom(token, tag=match.group(2).lower(), closing=bool(match.group(1))))
        else:
            atoms.append(_Atom(token, text=html.unescape(token)))
    return atoms


def _break_after(atoms: list[_Atom], i: int, previous: str) -> int:
    """How good a cut right after text atom `i` is (`previous` is the text just before it)."""
    char = atoms[i].text
    if char == "\n":
        return _PARAGRAPH if previous == "\n" else _LINE
    return _SPACE if char.isspace() else _ANYWHERE


def _cut(atoms: list[_Atom], start: int, limit: int) -> int:
    """The index after which the piece starting at `start` ends: the best break that keeps it within `limit`."""
    used, previous = 0, ""
    best: tuple[int, int] | None = None  # (quality, end index)
    for i in range(start, len(atoms)):
        char = atoms[i].text
        if not char:
            continue
        used += units(char)
        if used > limit:
            break
        quality = _break_after(atoms, i, previous)
        if best is None or quality >= best[0]:
            best = (quality, i + 1)
        previous = char
    else:
        return len(atoms)
    end = best[1] if best else start + 1
    while end < len(atoms) and atoms[end].closing:  # closing tags right after the cut stay with their text
        end += 1
    return end


def split_html(fragment: str, limit: int = MAX_TEXT) -> list[str]:
    """`fragment` (valid Telegram HTML) as messages of at most `limit` characters, preferring paragraph breaks.

    A tag open across a cut is closed at the end of one message and reopened at the start of the next;
    a cut never falls inside a tag or an entity. Pieces with no visible text are dropped.
    """
    atoms = _atoms(fragment)
    pieces: list[str] = []
    open_tags: list[_Atom] = []
    start = 0
    while start < len(atoms):
        end = _cut(atoms, start, limit)
        body = atoms[start:end]
        prefix = [tag.html for tag in open_tags]
        for atom in body:
            if atom.tag and atom.closing:
                open_tags.pop()
            elif atom.tag:
                open_tags.append(atom)
        suffix = [f"</{tag.tag}>" for tag in reversed(open_tags)]
        piece = _trim("".join(prefix), body, "".join(suffix))
        if piece is not None:
            pieces.append(piece)
        start = end
    return pieces


def _trim(prefix: str, body: list[_Atom], suffix: str) -> str | None:
    """The piece without whitespace at its ends (Telegram trims it anyway), or None when nothing visible is left."""
    texts = [i for i, atom in enumerate(body) if atom.text and not atom.text.isspace()]
    if not texts:
        return None
    first, last = texts[0], texts[-1]
    kept = [atom.html for i, atom in enumerate(body) if not atom.text or first <= i <= last]
    return prefix + "".join(kept) + suffix
