"""The citation line of a passage, in Danish, shared by every face."""

from __future__ import annotations

import re

from bot.citation import Citation

_PAGE_LABEL = re.compile(r"side \d+", re.IGNORECASE)  # the heading of a document read page by page: no heading


def part_of_item(cite: Citation) -> list[str]:
    """Section (with heading) and page, `(OCR)` after a page read by OCR: where in its item a cited passage
    stands."""
    parts: list[str] = []
    section = cite.section if cite.section != "Andet" else None
    heading = None if cite.heading and _PAGE_LABEL.fullmatch(cite.heading) else cite.heading
    if heading and heading != section:
        section = f"{section}: {heading}" if section else heading
    if section:
        parts.append(section)
    if cite.page is not None:
        parts.append(f"side {cite.page}{' (OCR)' if cite.ocr else ''}")
    return parts


def citation(cite: Citation) -> str:
    """`DAS Social møde 31.03.2023 · Punkt 7: Titel · Bilag: Titel · side 12 · fil.pdf` (`side 12 (OCR)` for a
    page read by OCR)."""
    parts: list[str] = []
    if cite.meeting_date:
        who = f"{cite.committee} " if cite.committee else ""
        parts.append(f"{who}møde {cite.meeting_date:%d.%m.%Y}")
    if cite.item is not None:
        parts.append(f"Punkt {cite.item}: {cite.item_title}")
    parts.extend(part_of_item(cite))
    parts.append(cite.source)
    return " · ".join(parts)
