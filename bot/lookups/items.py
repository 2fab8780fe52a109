"""The whole text of an agenda item: its title, its sections and its appendices."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from indexer.models import AgendaItem, Appendix, Section


def item_text(engine: Engine, item_id: int) -> str:
    """An item's title, sections and appendix texts, in that order (empty when the item is gone)."""
    with Session(engine) as session:
        item = session.get(AgendaItem, item_id)
        if item is None:
            return ""
        sections = session.exec(select(Section.text).where(Section.item_id == item_id).order_by(Section.id)).all()
        appendices = session.exec(select(Appendix.text).where(Appendix.item_id == item_id).order_by(Appendix.id)).all()
    return "\n".join([item.title, *sections, *appendices])
