"""Meetings with their agenda items and appendices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from indexer.models import AgendaItem, Appendix, Document, Meeting


@dataclass(frozen=True)
class ItemRow:
    """An agenda item of a meeting's document, with the titles of its appendices."""

    number: int
    title: str
    case_number: str | None
    page: int | None
    appendices: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON contract for an agenda item."""
        return {
            "number": self.number,
            "title": self.title,
            "case_number": self.case_number,
            "page": self.page,
            "appendices": list(self.appendices),
        }


@dataclass(frozen=True)
class MeetingRow:
    """A meeting as one document (agenda or minutes) describes it, with that document's items."""

    date: dt.date
    committee: str
    place: str | None
    source: str
    kind: str
    items: tuple[ItemRow, ...]

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON contract for a meeting."""
        return {
            "date": self.date.isoformat(),
            "committee": self.committee,
            "place": self.place,
            "source": self.source,
            "kind": self.kind,
            "items": [item.to_json() for item in self.items],
        }


def meetings(engine: Engine) -> list[MeetingRow]:
    """Every meeting, oldest first, with the items of each document describing it."""
    with Session(engine) as session:
        rows = session.exec(
            select(Meeting, Document)
            .join(Document, Document.meeting_id == Meeting.id)
            .order_by(Meeting.date, Document.id)
        ).all()
        out: list[MeetingRow] = []
        for meeting, document in rows:
            items = session.exec(
                select(AgendaItem).where(AgendaItem.document_id == document.id).order_by(AgendaItem.number)
            ).all()
            appendices: dict[int, list[str]] = {}
            for appendix in session.exec(
                select(Appendix).where(Appendix.document_id == document.id).order_by(Appendix.id)
            ):
                appendices.setdefault(appendix.item_id, []).append(appendix.title)
            entries = tuple(
                ItemRow(item.number, item.title, item.case_number, item.page, tuple(appendices.get(item.id, ())))
                for item in items
            )
            out.append(
                MeetingRow(meeting.date, meeting.committee, meeting.place, document.filename, document.kind, entries)
            )
    return out


def held(engine: Engine) -> list[tuple[dt.date, str]]:
    """The date and committee of every meeting in the store."""
    with Session(engine) as session:
        return [(day, committee) for day, committee in session.exec(select(Meeting.date, Meeting.committee))]


def meetings_on(
    engine: Engine, date_from: dt.date, date_to: dt.date | None = None, committee: str | None = None
) -> list[MeetingRow]:
    """The meetings (with their items) held between `date_from` and `date_to` (the same day when omitted), of
    `committee` only when given."""
    return [
        m
        for m in meetings(engine)
        if date_from <= m.date <= (date_to or date_from) and committee in (None, m.committee)
    ]
