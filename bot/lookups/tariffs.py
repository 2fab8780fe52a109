"""Tariff lookup: by keyword over offer, service, legal basis and evidence, optionally by year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.lookups.matching import Query
from indexer.models import AgendaItem, Document, Meeting, Tariff

# Words that make a question a price question but say nothing about which offer.
PRICE_WORDS = frozenset(
    Query.parse(
        "takst takster taksten pris prisen koster kostede kostet kost kr kroner døgnpris døgntakst betale betalte "
        "betalt beløb"
    ).terms
)

UNIT_WORDS = frozenset(
    Query.parse("pr per plads pladsen pladser døgn døgnet dag dagen måned måneden år året time timen").terms
)
"""What a price is per: how a price question is asked ("en plads pr. døgn"), not what it is about."""
CHANGE_WORDS = frozenset(
    Query.parse("stiger steg steget stigning falder faldt faldet fald ændres ændret ændring").terms
)
PRICE_ASKING = PRICE_WORDS | UNIT_WORDS | CHANGE_WORDS
"""Words that ask for a price, its unit or its change: never the topic of a price question."""


@dataclass(frozen=True)
class TariffRow:
    """A tariff with its citation."""

    offer: str
    service: str | None
    unit: str | None
    year: int | None
    amount_dkk: int
    previous_amount_dkk: int | None
    legal_basis: str | None
    kind: str
    meeting_date: date | None
    item: int | None
    item_title: str | None
    source: str
    page: int | None
    evidence: str

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON contract for a tariff."""
        return {
            "offer": self.offer,
            "service": self.service,
            "unit": self.unit,
            "year": self.year,
            "amount_dkk": self.amount_dkk,
            "previous_amount_dkk": self.previous_amount_dkk,
            "legal_basis": self.legal_basis,
            "kind": self.kind,
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else None,
            "item": self.item,
            "item_title": self.item_title,
            "source": self.source,
            "page": self.page,
            "evidence": self.evidence,
        }


def all_tariffs(engine: Engine) -> list[TariffRow]:
    """Every tariff with its citation, in document order."""
    query = (
        select(Tariff, Document.filename, Meeting.date, AgendaItem.number, AgendaItem.title)
        .join(Document, Tariff.document_id == Document.id)
        .outerjoin(Meeting, Document.meeting_id == Meeting.id)
        .outerjoin(AgendaItem, Tariff.item_id == AgendaItem.id)
        .order_by(Tariff.id)
    )
    with Session(engine) as session:
        rows = session.exec(query).all()
    return [
        TariffRow(
            offer=t.offer,
            service=t.service,
            unit=t.unit,
            year=t.year,
            amount_dkk=t.amount_dkk,
            previous_amount_dkk=t.previous_amount_dkk,
            legal_basis=t.legal_basis,
            kind=t.kind,
            meeting_date=meeting_date,
            item=number,
            item_title=title,
            source=filename,
            page=t.page,
            evidence=t.evidence,
        )
        for t, filename, meeting_date, number, title in rows
    ]


def _haystack(row: TariffRow) -> str:
    return " ".join(p for p in (row.offer, row.service, row.legal_basis, row.unit, row.evidence) if p)


def find_tariffs(
    engine: Engine, text: str = "", year: int | None = None, ignore: frozenset[str] = frozenset()
) -> list[TariffRow]:
    """Tariffs matching every keyword of `text` (all when empty), newest year first, then by offer."""
    query = Query.parse(text, ignore)
    rows = [r for r in all_tariffs(engine) if (year is None or r.year == year) and query.matches(_haystack(r))]
    return sorted(rows, key=lambda r: (-(r.year or 0), r.offer.lower(), r.service or ""))
