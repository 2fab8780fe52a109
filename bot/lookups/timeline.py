"""A topic's timeline: every agenda item on it across meetings, oldest first, with what was recommended or decided."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.lookups.decisions import DecisionRow, all_decisions
from bot.lookups.matching import Query
from indexer.document import SectionKind
from indexer.models import AgendaItem, Document, Meeting, Section


@dataclass
class TimelineEntry:
    """One item on the topic, with its recommendations and decisions."""

    meeting_date: date | None
    item: int
    item_title: str
    source: str
    page: int | None
    decisions: list[DecisionRow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON form of an entry."""
        return {
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else None,
            "item": self.item,
            "item_title": self.item_title,
            "source": self.source,
            "page": self.page,
            "decisions": [d.to_json() for d in self.decisions],
        }


def timeline(engine: Engine, topic: str) -> list[TimelineEntry]:
    """Items whose title or own sections (not appendices) mention every keyword of `topic`, oldest first."""
    query = Query.parse(topic)
    if not query.terms:
        return []
    with Session(engine) as session:
        rows = session.exec(
            select(AgendaItem, Document.filename, Meeting.date)
            .join(Document, AgendaItem.document_id == Document.id)
            .outerjoin(Meeting, AgendaItem.meeting_id == Meeting.id)
        ).all()
        texts: dict[int, list[str]] = {}
        for section in session.exec(
            select(Section).where(Section.item_id.is_not(None), Section.kind != SectionKind.BILAG.value)
        ):
            texts.setdefault(section.item_id, []).append(section.text)
    decisions: dict[tuple[str, int], list[DecisionRow]] = {}
    for row in all_decisions(engine):
        decisions.setdefault((row.source, row.item), []).append(row)
    entries = [
        TimelineEntry(
            meeting_date, item.number, item.title, filename, item.page, decisions.get((filename, item.number), [])
        )
        for item, filename, meeting_date in rows
        if query.matches(" ".join([item.title, *texts.get(item.id, [])]))
    ]
    return sorted(entries, key=lambda e: ((e.meeting_date or date.min), e.item))
