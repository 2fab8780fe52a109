"""Tariff facts (prices per døgn/dag/sag/time/år) from the flattened tables and the prose of one section.

Three readers share the lines of a section:

* level tables (Aalborg's "JV" layout): one row per offer level, `<offer> <ydelse> <lov § n> [pladser] <Døgn|Dag>
  <belægning> <budgets> <gammel> <ny> <pct>…`, offer names wrapped onto the lines above the row;
* column tables: a label, a few amounts, and a header above naming the years (`År 2023 (i 2024 priser) År 2024`),
  the tariff categories (`2019 Takster Tilsyn Skærpet …`) or the two versions of a corrected tariff;
* prose: `døgntaksten er 4.107 kr. pr. anvendt plads`, `Taksten stiger fra 13.767 kr. til 14.589 kr.`,
  `en takststigning på 119 kr. pr. døgn`, `… for ubenyttede pladser (3.080 kr.)`, `svarende til ca. 1,1 mio. kr.
  om året`, `Taksten for 2013 sænkes med 2 pct., hvilket svarer til 64 kr. i døgnet, således vil ny takst udgøre
  3.114 kr. i døgnet`.

A table row's offer is named by the table itself (a group row above its rows, its caption, its title) or by the
item's title, never by a name met elsewhere on the page; a table stated `i 1.000 kr.` or `(mio. kr.)` has its
amounts scaled to kroner.

Only amounts that the text ties to a tariff are reported; budgets, totals and percentages are not.
"""

from __future__ import annotations

import re

from indexer.document import Line
from indexer.facts.tariffs.columns import column_table_facts
from indexer.facts.tariffs.common import KINDS, TariffFact, dedupe, named_offer
from indexer.facts.tariffs.levels import level_table_facts
from indexer.facts.tariffs.prose import prose_facts

__all__ = ["KINDS", "TariffFact", "extract_tariffs"]

_PAGE_MARK = re.compile(r"^\s*(?:Side\s+\d+(?:\s+af\s+\d+)?|\d{1,3}(?:\s*/\s*\d+)?)\s*$")


def extract_tariffs(lines: list[Line], context_year: int | None = None, title: str | None = None) -> list[TariffFact]:
    """All tariff facts in the lines of one section or appendix; `context_year` dates prose that names no year,
    and the offer the item's `title` names (`Takstreduktion på aflastningstilbuddet Torvevej`) prices what the
    section itself does not name."""
    lines = [line for line in lines if line.text.strip() and not _PAGE_MARK.match(line.text)]
    title_offer = named_offer(title) if title else None
    level_facts = level_table_facts(lines, context_year)
    level_rows = {fact.line.no for fact in level_facts}
    rest = [line for line in lines if line.no not in level_rows]
    facts = level_facts + column_table_facts(rest, context_year, title_offer)
    return dedupe(facts + prose_facts(lines, context_year, title_offer))
