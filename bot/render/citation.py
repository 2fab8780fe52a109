"""The citation line of a passage, in Danish, shared by every face."""

from __future__ import annotations

from bot.answer import Passage


def part_of_item(passage: Passage) -> list[str]:
    """Section (with heading) and page: where in its item a passage stands."""
    parts: list[str] = []
    section = passage.section if passage.section != "Andet" else None
    if passage.heading and passage.heading != section:
        section = f"{section}: {passage.heading}" if section else passage.heading
    if section:
        parts.append(section)
    if passage.page is not None:
        parts.append(f"side {passage.page}")
    return parts


def citation(passage: Passage) -> str:
    """`DAS Social møde 31.03.2023 · Punkt 7: Titel · Bilag: Titel · side 12 · fil.pdf`."""
    parts: list[str] = []
    if passage.meeting_date:
        who = f"{passage.committee} " if passage.committee else ""
        parts.append(f"{who}møde {passage.meeting_date:%d.%m.%Y}")
    if passage.item is not None:
        parts.append(f"Punkt {passage.item}: {passage.item_title}")
    parts.extend(part_of_item(passage))
    parts.append(passage.source)
    return " · ".join(parts)
