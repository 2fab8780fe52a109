"""An item's summary (Resumé) and the rest of the item. Questions that ask which agenda items dealt with something
("hvilke punkter handlede om …") want a list of items: each of the best windows' items is shown by its summary,
one passage an item. Any other question wants the fact: the item's detail comes before its summary."""

from __future__ import annotations

from bot.search.searcher import Hit
from bot.search.windows import SUMMARY, Sections, Window, span_around


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


def detail_first(windows: list[Window]) -> list[Window]:
    """The windows with the first two swapped when the first is an item's Resumé and the second another part of
    the same item: the summary restates what the item's detail states, so the detail comes first (on the dev
    questions three first passages became the one holding the answer and one stopped being it; on the training
    questions no first passage changed)."""
    if len(windows) < 2:
        return windows
    first, second = (w.hit.chunk.citation for w in windows[:2])
    same_item = first.item_id is not None and second.item_id == first.item_id
    if same_item and first.section == SUMMARY and second.section != SUMMARY:
        return [windows[1], windows[0], *windows[2:]]
    return windows


def _summary(window: Window, sections: Sections, item: int) -> Window | None:
    """The item's Resumé as a window, ranked as the item's best window."""
    found = sections.summary(item)
    if found is None:
        return None
    section, chunk = found
    hit = Hit(chunk, window.hit.score, None, None)
    start, end = span_around(section, chunk.id)
    return Window(section, start, end, hit, (hit,))
