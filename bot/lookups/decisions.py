"""Decision lookup: recommendations (Indstilling) and decisions (Beslutning) by keyword and date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.lookups.matching import Query
from indexer.models import AgendaItem, Decision, Document, Meeting

PARTICIPATION_LABELS = {"absent": "Fraværende", "dissent": "Imod", "reservations": "Forbehold", "abstained": "Undlod"}
PARTICIPATION_WORDS = {
    term: kind
    for words, kind in (
        ("fraværende fravær afbud", "absent"),
        ("imod", "dissent"),
        ("forbehold", "reservations"),
        ("undlod undlader", "abstained"),
    )
    for term in Query.parse(words).terms
}
"""The words that ask who was absent, voted against, took a reservation or abstained, and which of those."""
DECISION_WORDS = frozenset(
    Query.parse(
        "besluttet beslutning beslutte besluttede indstillet indstilling indstilles godkendt godkende vedtaget"
    ).terms
) | frozenset(PARTICIPATION_WORDS)


def asked_participation(question: str) -> frozenset[str]:
    """Which kinds of participation the question asks about (`absent`, `dissent`, `reservations`, `abstained`)."""
    return frozenset(PARTICIPATION_WORDS[t] for t in Query.parse(question).terms if t in PARTICIPATION_WORDS)


@dataclass(frozen=True)
class DecisionRow:
    """A recommendation or decision with its citation; a decision also with the day its block is dated and who
    was absent, voted against, took a reservation or abstained."""

    meeting_date: date | None
    item: int
    item_title: str
    kind: str
    lead: str | None
    lines: tuple[str, ...]
    text: str
    source: str
    page: int | None
    decided_on: date | None = None
    absent: tuple[str, ...] = ()
    dissent: tuple[str, ...] = ()
    reservations: tuple[str, ...] = ()
    abstained: tuple[str, ...] = ()

    def participation(self) -> list[tuple[str, tuple[str, ...]]]:
        """Who took part how, as (Danish label, names) for each kind recorded, in a fixed order."""
        return [(label, getattr(self, key)) for key, label in PARTICIPATION_LABELS.items() if getattr(self, key)]

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON contract for a decision."""
        return {
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else None,
            "item": self.item,
            "item_title": self.item_title,
            "kind": self.kind,
            "lead": self.lead,
            "lines": list(self.lines),
            "text": self.text,
            "source": self.source,
            "page": self.page,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
            "absent": list(self.absent),
            "dissent": list(self.dissent),
            "reservations": list(self.reservations),
            "abstained": list(self.abstained),
        }


def all_decisions(engine: Engine) -> list[DecisionRow]:
    """Every recommendation and decision, newest meeting first, then by item number."""
    query = (
        select(Decision, AgendaItem.number, AgendaItem.title, Document.filename, Meeting.date)
        .join(AgendaItem, Decision.item_id == AgendaItem.id)
        .join(Document, Decision.document_id == Document.id)
        .outerjoin(Meeting, Document.meeting_id == Meeting.id)
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    out = [
        DecisionRow(
            meeting_date=meeting_date,
            item=number,
            item_title=title,
            kind=d.kind,
            lead=d.lead,
            lines=tuple(d.lines.split("\n")) if d.lines else (),
            text=d.text,
            source=filename,
            page=d.page,
            decided_on=d.decided_on,
            absent=_names(d.absent),
            dissent=_names(d.dissent),
            reservations=_names(d.reservations),
            abstained=_names(d.abstained),
        )
        for d, number, title, filename, meeting_date in rows
    ]
    return sorted(out, key=lambda r: (-(r.meeting_date.toordinal() if r.meeting_date else 0), r.item, r.kind))


def _names(column: str | None) -> tuple[str, ...]:
    """The names of a one-per-line column (none when NULL)."""
    return tuple(column.split("\n")) if column else ()


def find_decisions(
    engine: Engine,
    text: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    ignore: frozenset[str] = frozenset(),
) -> list[DecisionRow]:
    """Decisions whose item title or text holds every keyword of `text`, within the date range, newest first."""
    query = Query.parse(text, ignore)
    return [
        r
        for r in all_decisions(engine)
        if (date_from is None or (r.meeting_date and r.meeting_date >= date_from))
        and (date_to is None or (r.meeting_date and r.meeting_date <= date_to))
        and query.matches(f"{r.item_title} {r.text}")
    ]
