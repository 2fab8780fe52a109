"""Facts of a parsed document: tariffs from every section and appendix, decisions from items' sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from indexer.clean import join_lines
from indexer.document import ParsedDocument, Section, SectionKind
from indexer.facts.decisions import split_recommendations
from indexer.facts.participation import Participation, item_absent, read_decision
from indexer.facts.tariffs import TariffFact, extract_tariffs


@dataclass(frozen=True)
class DecisionFact:
    """A recommendation or decision of one item; a decision with who took part how, and the day it was taken
    when its block is dated."""

    item_number: int
    kind: str  # indstilling | beslutning
    lead: str | None
    lines: list[str]
    text: str
    section: Section
    participation: Participation = Participation()
    decided_on: date | None = None


def document_tariffs(doc: ParsedDocument) -> list[tuple[int | None, TariffFact]]:
    """Every tariff with the number of the item it belongs to (None outside items); an item's title names the
    offer its sections do not."""
    year = doc.meeting_date.year if doc.meeting_date else None
    found = [
        (item.number, fact)
        for item in doc.items
        for s in item.sections
        for fact in extract_tariffs(s.lines, year, item.title)
    ]
    # A non-agenda's headings are guessed, and a guessed break must not cut a table from its caption.
    found += [(None, fact) for fact in extract_tariffs([line for s in doc.sections for line in s.lines], year)]
    return found


def document_decisions(doc: ParsedDocument) -> list[DecisionFact]:
    """Each item's Indstilling and Beslutning; appendix text never counts, empty sections are no decision. A
    decision's statements of who was absent, voted against, took a reservation or abstained become its
    participation and leave its lines; a `Fraværende:` line in the item's own untitled text counts for its
    decisions of this meeting (undated, or dated the meeting's day), not for earlier dated ones."""
    facts = []
    for item in doc.items:
        untitled = [s for s in item.sections if s.kind is SectionKind.OTHER and s.heading is None]
        absent = item_absent([line.text for s in untitled for line in s.lines])
        for section in item.sections:
            participation = Participation()
            if section.kind is SectionKind.INDSTILLING:
                recommendation = split_recommendations(section.text)
                lead, lines = recommendation.lead, recommendation.lines
            elif section.kind is SectionKind.BESLUTNING:
                participation, lines = read_decision(section.text)
                if absent and section.decided_on in (None, doc.meeting_date):
                    participation = participation.with_absent(absent)
                lead = None
            else:
                continue
            if lines or participation != Participation():
                facts.append(
                    DecisionFact(
                        item.number,
                        section.kind.value.lower(),
                        lead,
                        lines,
                        join_lines(line.text for line in section.lines),
                        section,
                        participation,
                        section.decided_on,
                    )
                )
    return facts
