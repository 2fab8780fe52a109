"""Facts of a parsed document: tariffs from every section and appendix, decisions from items' sections."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.clean import join_lines
from indexer.document import ParsedDocument, Section, SectionKind
from indexer.facts.decisions import split_decision, split_recommendations
from indexer.facts.tariffs import TariffFact, extract_tariffs


@dataclass(frozen=True)
class DecisionFact:
    """A recommendation or decision of one item."""

    item_number: int
    kind: str  # indstilling | beslutning
    lead: str | None
    lines: list[str]
    text: str
    section: Section


def document_tariffs(doc: ParsedDocument) -> list[tuple[int | None, TariffFact]]:
    """Every tariff with the number of the item it belongs to (None outside items)."""
    year = doc.meeting_date.year if doc.meeting_date else None
    found = [
        (item.number, fact) for item in doc.items for s in item.sections for fact in extract_tariffs(s.lines, year)
    ]
    # A non-agenda's headings are guessed, and a guessed break must not cut a table from its caption.
    found += [(None, fact) for fact in extract_tariffs([line for s in doc.sections for line in s.lines], year)]
    return found


def document_decisions(doc: ParsedDocument) -> list[DecisionFact]:
    """Each item's Indstilling and Beslutning; appendix text never counts, empty sections are no decision."""
    facts = []
    for item in doc.items:
        for section in item.sections:
            if section.kind is SectionKind.INDSTILLING:
                recommendation = split_recommendations(section.text)
                lead, lines = recommendation.lead, recommendation.lines
            elif section.kind is SectionKind.BESLUTNING:
                lead, lines = None, split_decision(section.text)
            else:
                continue
            if lines:
                facts.append(
                    DecisionFact(
                        item.number,
                        section.kind.value.lower(),
                        lead,
                        lines,
                        join_lines(line.text for line in section.lines),
                        section,
                    )
                )
    return facts
