"""A whole agenda item as the record holds it: its title, its sections and its appendices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from indexer.document import SectionKind
from indexer.models import AgendaItem, Appendix, Document, Meeting, Section


@dataclass(frozen=True)
class ItemRecord:
    """An agenda item as the record holds it: its sections in order, then its appendices."""

    number: int
    title: str
    case_number: str | None
    page: int | None
    source: str
    meeting_date: date | None
    committee: str | None
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    appendices: list[tuple[str, str]] = field(default_factory=list)  # (title, text; empty when not held)

    @property
    def text(self) -> str:
        """The item's title, section texts and appendix texts, in that order."""
        return "\n".join([self.title, *(text for _, text in self.sections), *(text for _, text in self.appendices)])


def agenda_item(engine: Engine, item_id: int) -> ItemRecord | None:
    """The item with id `item_id`, or None when it is no longer indexed."""
    with Session(engine) as session:
        row = session.exec(
            select(AgendaItem, Document.filename, Meeting.date, Meeting.committee)
            .join(Document, AgendaItem.document_id == Document.id)
            .outerjoin(Meeting, Document.meeting_id == Meeting.id)
            .where(AgendaItem.id == item_id)
        ).first()
        if row is None:
            return None
        item, filename, meeting_date, committee = row
        sections = session.exec(select(Section).where(Section.item_id == item_id).order_by(Section.id)).all()
        appendices = session.exec(select(Appendix).where(Appendix.item_id == item_id).order_by(Appendix.id)).all()
    return ItemRecord(
        number=item.number,
        title=item.title,
        case_number=item.case_number,
        page=item.page,
        source=filename,
        meeting_date=meeting_date,
        committee=committee,
        sections=[((s.heading or "") if s.kind == SectionKind.OTHER else s.kind, s.text) for s in sections],
        appendices=[(a.title, a.text) for a in appendices],
    )
