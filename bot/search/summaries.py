"""Questions that ask which agenda items dealt with something ("hvilke punkter handlede om …") want a list of
items: each of the best windows' items is shown by its summary (Resumé), one passage an item."""

from __future__ import annotations

import re

from bot.search.searcher import Hit
from bot.search.windows import Sections, Window, span_around

_ITEMS = re.compile(r"\bhvilke[nt]?\s+(?:\w+\s+)?(?:dagsordens)?punkt(?:er)?\b|\bhvilke\s+sager\b", re.IGNORECASE)


def asks_items(question: str) -> bool:
    """Whether a question asks which agenda items (`hvilke punkter`, `hvilket dagsordenspunkt`, `hvilke sager`)."""
    return bool(_ITEMS.search(question))


def items_first(windows: list[Window], sections: Sections, count: int) -> list[Window]:
    """The first `count` distinct items of `windows` in order, each as its Resumé (the item's best window when it
    has none), then the other windows in their order, without those of the summaries shown."""
    summaries: list[Window] = []
    seen: set[int] = set()
    for window in windows:
        item = window.hit.chunk.citation.item_id
        if item is None or item in seen:
            continue
        seen.add(item)
        summaries.append(_summary(window, sections, item) or window)
        if len(summaries) == count:
            break
    shown = {id(w.section) for w in summaries}
    return [*summaries, *(w for w in windows if w not in summaries and id(w.section) not in shown)]


def _summary(window: Window, sections: Sections, item: int) -> Window | None:
    """The item's Resumé as a window, ranked as the item's best window."""
    found = sections.summary(item)
    if found is None:
        return None
    section, chunk = found
    hit = Hit(chunk, window.hit.score, None, None)
    start, end = span_around(section, chunk.id)
    return Window(section, start, end, hit, (hit,))
