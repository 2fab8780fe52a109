"""Meetings with their agenda items and appendices."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from indexer.models import AgendaItem, Appendix, Document, Meeting


def meetings(engine: Engine) -> list[dict[str, Any]]:
    """Every meeting, oldest first, with the items of each document describing it (the CLI's JSON contract)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Meeting, Document).join(Document, Document.meeting_id == Meeting.id).order_by(Meeting.date, Document.id)
        ).all()
        out = []
        for meeting, document in rows:
            items = session.exec(
                select(AgendaItem).where(AgendaItem.document_id == document.id).order_by(AgendaItem.number)
            ).all()
            appendices: dict[int, list[str]] = {}
            for appendix in session.exec(select(Appendix).where(Appendix.document_id == document.id).order_by(Appendix.id)):
                appendices.setdefault(appendix.item_id, []).append(appendix.title)
            out.append(
                {
                    "date": meeting.date.isoformat(),
                    "committee": meeting.committee,
                    "place": meeting.place,
                    "source": document.filename,
                    "kind": document.kind,
                    "items": [
                        {
                            "number": item.number,
                            "title": item.title,
                            "case_number": item.case_number,
                            "page": item.page,
                            "appendices": appendices.get(item.id, []),
                        }
                        for item in items
                    ],
                }
            )
    return out


def meeting_dates(engine: Engine) -> list[date]:
    """The dates of every meeting in the store."""
    with Session(engine) as session:
        return list(session.exec(select(Meeting.date)).all())


def meetings_on(engine: Engine, date_from: date, date_to: date | None = None) -> list[dict[str, Any]]:
    """The meetings (with their items) held between `date_from` and `date_to` (the same day when omitted)."""
    last = (date_to or date_from).isoformat()
    return [m for m in meetings(engine) if date_from.isoformat() <= m["date"] <= last]
