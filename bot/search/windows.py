"""Windows: what a reader is shown for a hit. The hit chunk with its neighbours inside one section, at most
MAX_CHARS characters, cut at sentence ends; windows that overlap in one section are merged or clipped apart."""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.search.catalog import ChunkInfo
from bot.sentences import sentence_starts

if TYPE_CHECKING:
    from bot.search.searcher import Hit

SUMMARY = "Resumé"
MAX_CHARS = 1500
MIN_PART = 200  # a window clipped shorter than this (its rest already shown) is dropped
SECTION_CACHE = 512
MIN_SHARED = 20  # characters a shared line starting inside a word must repeat to be taken for the shared line
PROBE = 8  # characters of a chunk's start searched for in the text before it, to find the line they share
_CONTEXT = 40  # characters around a window's edge read to find where sentences begin


def join_overlapping(text: str, following: str, shares_line: bool = True) -> tuple[str, int]:
    """`text` continued by `following`, whose start repeats `text`'s end when the two chunks share a line (the
    shared line may end in a hyphen that `following` mended); returns the joined text and the offset of
    `following` in it. The shared line may also start inside a word of `text`, when the line before it ended in
    a hyphen that `text` mended (`tids-` + `punkt havde …` = `tidspunkt havde …`)."""
    if shares_line and (at := _shared_start(text, following)) is not None:
        return text[:at] + following, at
    return f"{text} {following}", len(text) + 1


def _shared_start(text: str, following: str) -> int | None:
    """The first offset of `text` whose rest `following` starts with (less a closing hyphen), at a word start
    unless the rest is long. Only offsets where `following`'s first PROBE characters stand, and the last PROBE
    offsets, can be one: those are found with `str.find` instead of comparing at every offset."""
    floor = max(0, len(text) - len(following) - 1)
    probe = following[:PROBE]
    candidates = set(range(max(floor, len(text) - PROBE), len(text)))
    at = text.find(probe, floor)
    while -1 < at < len(text):
        candidates.add(at)
        at = text.find(probe, at + 1)
    for at in sorted(candidates):
        if at and text[at - 1] != " " and len(text) - at < MIN_SHARED:
            continue
        tail = text[at:]
        if following.startswith(tail) or (tail.endswith("-") and following.startswith(tail[:-1])):
            return at
    return None


@dataclass(frozen=True)
class SectionText:
    """The running text of one section, rebuilt from its chunks, with each chunk's span and page."""

    text: str
    chunk_ids: tuple[int, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    pages: tuple[int | None, ...]

    def span(self, chunk_id: int) -> tuple[int, int]:
        """Where a chunk's own text lies."""
        i = self.chunk_ids.index(chunk_id)
        return self.starts[i], self.ends[i]

    def page_at(self, offset: int) -> int | None:
        """The page of the chunk the offset falls in (the last chunk starting at or before it)."""
        i = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return next((p for p in self.pages[i::-1] if p is not None), None)


def build_section(chunks: list[ChunkInfo]) -> SectionText:
    """One section's text from its chunks in order."""
    text, starts, ends = "", [], []
    for previous, chunk in zip([None, *chunks], chunks):
        if previous is None:
            text, at = chunk.text, 0
        else:
            shares = previous.line_start != chunk.line_start and chunk.line_start == previous.line_end
            text, at = join_overlapping(text, chunk.text, shares)
        starts.append(at)
        ends.append(at + len(chunk.text))
    pages = tuple(c.citation.page for c in chunks)
    return SectionText(text, tuple(c.id for c in chunks), tuple(starts), tuple(ends), pages)


def _starts_between(text: str, lo: int, hi: int) -> list[int]:
    """The sentence starts in [lo, hi], found in that stretch and a little context around it (a section may be
    a long appendix: only the edges of a window are ever looked at)."""
    offset = max(0, lo - _CONTEXT)
    local = sentence_starts(text[offset : hi + _CONTEXT])
    return [offset + s for s in local if (s or not offset) and lo <= offset + s <= hi]


def _snap_start(text: str, lo: int, hi: int) -> int:
    """The first sentence start in [lo, hi]; `lo` itself at the text's start; else `hi`."""
    if lo <= 0:
        return 0
    return next(iter(_starts_between(text, lo, hi)), hi)


def _snap_end(text: str, lo: int, hi: int) -> int:
    """The last sentence end in [lo, hi]; `hi` itself at the text's end; else `lo`."""
    if hi >= len(text):
        return len(text)
    return (_starts_between(text, lo, hi) or [lo])[-1]


def span_around(section: SectionText, chunk_id: int, max_chars: int = MAX_CHARS) -> tuple[int, int]:
    """The window around a chunk: its own text widened evenly on both sides to at most `max_chars`, the
    widened edges cut back to sentence boundaries."""
    start, end = section.span(chunk_id)
    budget = max_chars - (end - start)
    if budget <= 0:
        return start, end
    right = min(len(section.text) - end, budget - min(start, budget // 2))
    left = min(start, budget - right)
    return _snap_start(section.text, start - left, start), _snap_end(section.text, end, end + right)


@dataclass(frozen=True)
class Window:
    """A stretch of one section shown as a passage; `hit` is the best-ranked hit inside it, `hits` all."""

    section: SectionText
    start: int
    end: int
    hit: Hit
    hits: tuple[Hit, ...]

    @property
    def text(self) -> str:
        """The window's text."""
        return self.section.text[self.start : self.end].strip()

    @property
    def page(self) -> int | None:
        """The page the window starts on."""
        return self.section.page_at(self.start)

    def with_hit(self, hit: Hit) -> Window:
        """The same window, counting one more hit inside it."""
        return Window(self.section, self.start, self.end, self.hit, (*self.hits, hit))


class Sections:
    """Section texts of a catalog (chunk ids of a section are consecutive), built on demand and cached."""

    def __init__(self, catalog: dict[int, ChunkInfo]) -> None:
        self.catalog = catalog
        self._cache: OrderedDict[int, SectionText] = OrderedDict()
        self._summaries: dict[int, int] | None = None  # item id -> first chunk id of its Resumé, built on demand
        self._items: dict[int, list[int]] | None = None  # item id -> its chunk ids, built on demand

    def of(self, chunk_id: int) -> SectionText:
        """The section text holding a chunk."""
        first = chunk_id
        while first - 1 in self.catalog and self.catalog[first].continues(self.catalog[first - 1]):
            first -= 1
        if first in self._cache:
            self._cache.move_to_end(first)
            return self._cache[first]
        chunks = [self.catalog[first]]
        while chunks[-1].id + 1 in self.catalog and self.catalog[chunks[-1].id + 1].continues(chunks[-1]):
            chunks.append(self.catalog[chunks[-1].id + 1])
        section = self._cache[first] = build_section(chunks)
        if len(self._cache) > SECTION_CACHE:
            self._cache.popitem(last=False)
        return section

    def summary(self, item_id: int) -> tuple[SectionText, ChunkInfo] | None:
        """An item's Resumé (its summary) and the section's first chunk; None when the item has none."""
        if self._summaries is None:
            self._summaries = {}
            for chunk in self.catalog.values():
                item = chunk.citation.item_id
                if chunk.citation.section == SUMMARY and item is not None and item not in self._summaries:
                    self._summaries[item] = chunk.id
        first = self._summaries.get(item_id)
        return (self.of(first), self.catalog[first]) if first is not None else None

    def item_text(self, item_id: int) -> str:
        """An item's whole text as the catalog holds it: its title and every chunk cited as the item's (its
        sections and appendices), in order; empty for an item the catalog does not hold."""
        if self._items is None:
            self._items = {}
            for chunk in self.catalog.values():
                if chunk.citation.item_id is not None:
                    self._items.setdefault(chunk.citation.item_id, []).append(chunk.id)
        ids = self._items.get(item_id, [])
        if not ids:
            return ""
        return " ".join([self.catalog[ids[0]].citation.item_title or "", *(self.catalog[i].text for i in ids)])

    def windows(self, hits: list[Hit], max_chars: int = MAX_CHARS) -> list[Window]:
        """A window per hit, best first: a hit inside a window already made joins it; a window overlapping one
        of the same section is merged with it when both fit in `max_chars`, else clipped to what is new."""
        out: list[Window] = []
        for hit in hits:
            section = self.of(hit.chunk.id) if hit.chunk.id in self.catalog else build_section([hit.chunk])
            own = section.span(hit.chunk.id)
            same = [i for i, w in enumerate(out) if w.section is section]
            inside = next((i for i in same if out[i].start <= own[0] and own[1] <= out[i].end), None)
            if inside is not None:
                out[inside] = out[inside].with_hit(hit)
                continue
            start, end = span_around(section, hit.chunk.id, max_chars)
            for i in same:
                other = out[i]
                if start >= other.end or end <= other.start:
                    continue
                lo, hi = min(start, other.start), max(end, other.end)
                if hi - lo <= max_chars:
                    out[i] = Window(section, lo, hi, other.hit, (*other.hits, hit))
                    start = end = -1
                    break
                if start < other.start:
                    end = _snap_end(section.text, start, other.start)
                else:
                    start = _snap_start(section.text, other.end, end)
            if end - start >= MIN_PART or (start >= 0 and end - start >= own[1] - own[0] and end > start):
                out.append(Window(section, start, end, hit, (hit,)))
        return out
