"""Tariffs in other committees' layouts: a prose tariff with its unit (Ballerup's minutes, read in place), a unit
scale in a caption, header or row label, and a row's offer from its table's own group row or caption, never from a
name elsewhere on the page."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from bot.answer import best_tariffs
from bot.lookups.tariffs import TariffRow
from indexer.clean import page_lines
from indexer.document import Line
from indexer.facts.extract import document_tariffs
from indexer.facts.tariffs import TariffFact, extract_tariffs
from indexer.read import read_pages
from indexer.structure import parse_document
from tests.conftest import shared_path

MINUTES = ("corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf")


@cache
def _minutes_lines() -> tuple[Line, ...]:
    pages = read_pages(shared_path(*MINUTES))
    return tuple(page_lines([(page.number, page.text) for page in pages]))


def literal(text: str) -> list[Line]:
    """Lines of a short literal record, numbered from 1."""
    return [Line(line, 1, number) for number, line in enumerate(text.strip("\n").split("\n"), start=1)]


def summary(facts: list[TariffFact]) -> list[tuple]:
    return [(f.offer, f.service, f.unit, f.year, f.kind, f.amount_dkk) for f in facts]


# --- prose: Ballerup's minutes, item 4 "Takstreduktion på aflastningstilbuddet Torvevej i Skovlunde i 2013" -------


def test_minutes_prose_tariff_with_its_unit_and_the_item_title_as_offer() -> None:
    doc = parse_document(read_pages(shared_path(*MINUTES)), MINUTES[-1])
    found = document_tariffs(doc)
    assert {item for item, _ in found} == {4}
    assert summary([fact for _, fact in found]) == [
        ("Aflastningstilbud Torvevej", "takstnedsættelse pr. døgn", "døgn", 2013, "increase", -64),
        ("Aflastningstilbud Torvevej", "takst pr. døgn", "døgn", 2013, "new", 3114),
    ]
    assert {(f.line.page, f.line.text) for _, f in found} == {
        (8, "Taksten for 2013 sænkes med 2 pct., hvilket svarer til 64 kr. i døgnet, således vil"),
        (8, "ny takst udgøre 3.114 kr. i døgnet. Beløbet kan trækkes ud af driftsbudgettet"),
    }


def test_minutes_page_alone_takes_the_facility_named_before_the_statement() -> None:
    page = [line for line in _minutes_lines() if line.page == 8]
    facts = extract_tariffs(page, context_year=2012)
    assert {f.offer for f in facts} == {"Aflastningsinstitution Torvevej"}  # `aflastningsinstitutionen Torvevej`
    assert [(f.kind, f.amount_dkk, f.year) for f in facts] == [("increase", -64, 2013), ("new", 3114, 2013)]


def test_minutes_name_no_other_tariff_and_members_are_no_offers() -> None:
    facts = extract_tariffs(list(_minutes_lines()), context_year=2012)
    assert {f.amount_dkk for f in facts} == {-64, 3114}
    assert not {f.offer for f in facts} & {"Lolan Ottesen", "Grethe Larsen", "Ballerup Rådhus"}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("således bliver den nye takst 2.450 kr. pr. døgn.", ("takst pr. døgn", "døgn", 2024, "new", 2450)),
        ("Taksten for 2025 udgør 41.500 kr. om måneden.", ("takst pr. måned", "måned", 2025, "takst", 41500)),
        ("Ny takst er 1.250 kr. i timen.", ("takst pr. time", "time", 2024, "new", 1250)),
        ("Taksten stiger med 120 kr. pr. døgn.", ("takststigning pr. døgn", "døgn", 2024, "increase", 120)),
        ("Den nye takst er 2.450 kr. i år.", (None, None, 2024, "new", 2450)),  # `i år` is this year, no unit
        (
            "Taksten i 2025 reduceres med 3 pct. svarende til 95 kr. i døgnet.",
            ("takstnedsættelse pr. døgn", "døgn", 2025, "increase", -95),
        ),
    ],
)
def test_prose_tariff_forms(sentence: str, expected: tuple) -> None:
    lines = literal(f"Der har været afholdt dialogmøde med botilbuddet Solvej 6.\n{sentence}")
    assert summary(extract_tariffs(lines, context_year=2024)) == [("Botilbud Solvej 6", *expected)]


def test_percent_only_change_is_no_tariff() -> None:
    lines = literal("aflastningsinstitutionen Torvevej sænker taksten med 2 pct. i 2013.")
    assert extract_tariffs(lines, context_year=2012) == []


# --- unit scale -------------------------------------------------------------------------------------------------


def test_scale_in_the_caption() -> None:
    lines = literal(
        """
Nye takster for aflastningstilbuddet Torvevej (i 1.000 kr.):
År 2012 År 2013
Årstakst 1.162,4 1.139,2
"""
    )
    assert summary(extract_tariffs(lines)) == [
        ("Aflastningstilbud Torvevej", "Årstakst", "år", 2012, "old", 1_162_400),
        ("Aflastningstilbud Torvevej", "Årstakst", "år", 2013, "new", 1_139_200),
    ]


def test_scale_in_the_row_label_applies_to_its_row_only() -> None:
    lines = literal(
        """
Botilbuddet Rødbo har følgende takster:
Budget 2023 Budget 2024
Takst pr. plads (1.000 kr.) 845 862
Døgntakst 2.315 2.362
"""
    )
    assert [(f.service, f.amount_dkk) for f in extract_tariffs(lines)] == [
        ("Takst pr. plads", 845_000),
        ("Takst pr. plads", 862_000),
        ("Døgntakst", 2315),
        ("Døgntakst", 2362),
    ]


@pytest.mark.parametrize(("unit", "factor"), [("(mio. kr.)", 1_000_000), ("i t.kr.", 1000), ("(1.000 kr.)", 1000)])
def test_scale_in_the_header(unit: str, factor: int) -> None:
    lines = literal(f"Takster for Specialcenter Nord:\nYdelse {unit} 2023 2024\nÅrstakst pr. plads 1,15 1,21")
    assert [f.amount_dkk for f in extract_tariffs(lines)] == [round(1.15 * factor), round(1.21 * factor)]


def test_an_amount_in_thousands_is_no_scale() -> None:
    lines = literal(
        """
Underskuddet udgør 45 t.kr. og dækkes af reserven i 2024.
Takster for Specialcenter Nord:
Ydelse 2023 2024
Døgntakst 2.315 2.362
"""
    )
    assert [f.amount_dkk for f in extract_tariffs(lines)] == [2315, 2362]


# --- the offer of a table row -----------------------------------------------------------------------------------

_ABSENT = "Fraværende: Grethe Larsen (A), Karl Vilhelm Nielsen (V)"


def test_offer_from_group_rows_not_from_an_absent_member() -> None:
    lines = literal(
        f"""
{_ABSENT}
Oversigt over takster for kommunens tilbud:
Tilbud Takst 2023 Takst 2024
Botilbud Solvej
Døgntakst 2.345 2.400
Aflastningstilbud Torvevej
Døgntakst 3.178 3.114
Halvdøgnstakst 1.589 1.557
"""
    )
    facts = extract_tariffs(lines)
    assert [(f.offer, f.service, f.kind, f.amount_dkk) for f in facts if f.kind == "new"] == [
        ("Botilbud Solvej", "Døgntakst", "new", 2400),
        ("Aflastningstilbud Torvevej", "Døgntakst", "new", 3114),
        ("Aflastningstilbud Torvevej", "Halvdøgnstakst", "new", 1557),
    ]
    assert {(f.year, f.unit) for f in facts} == {(2023, "døgn"), (2024, "døgn")}


def test_offer_from_the_caption() -> None:
    lines = literal(
        f"""
{_ABSENT}
Taksterne for botilbuddet Kastanjehøj fremgår af tabellen:
Ydelse Takst 2023 Takst 2024
Døgnophold 2.345 2.400
"""
    )
    assert {f.offer for f in extract_tariffs(lines)} == {"Botilbud Kastanjehøj"}


_UNNAMED = f"""
{_ABSENT}
Grethe Larsen (A) deltog ikke i behandlingen af punktet.
Udviklingen fremgår af tabellen nedenfor, hvor taksterne er opgjort i kr.
Ydelse Takst 2023 Takst 2024
Døgnophold 2.345 2.400
"""


def test_a_table_naming_no_offer_takes_none_from_elsewhere_on_the_page() -> None:
    assert extract_tariffs(literal(_UNNAMED)) == []


def test_a_table_naming_no_offer_takes_the_item_title() -> None:
    facts = extract_tariffs(literal(_UNNAMED), title="Takster 2024 for aflastningstilbuddet Torvevej i Skovlunde")
    assert {(f.offer, f.service) for f in facts} == {("Aflastningstilbud Torvevej", "Døgnophold")}


def test_a_single_word_group_row_is_a_service_when_the_caption_names_the_offer() -> None:
    table = "Ydelse Takst 2023 Takst 2024\nDøgnophold\nMålgruppe 2.2 4.308 4.114"
    captioned = extract_tariffs(literal(f"Takster for Specialcenter Nord:\n{table}"))
    assert {(f.offer, f.service) for f in captioned} == {("Specialcenter Nord", "Målgruppe 2.2")}
    assert {f.offer for f in extract_tariffs(literal(table))} == {"Døgnophold"}


def torvevej(service: str, amount: int, kind: str, evidence: str) -> TariffRow:
    """A tariff of item 4 of the Ballerup minutes, for 2013, as the lookup returns it."""
    title = "Takstreduktion på aflastningstilbuddet Torvevej i Skovlunde i 2013"
    return TariffRow(
        "Aflastningstilbud Torvevej",
        service,
        "døgn",
        2013,
        amount,
        None,
        None,
        kind,
        date(2012, 12, 4),
        4,
        title,
        "referat.pdf",
        8,
        evidence,
    )


def test_a_year_the_question_names_matches_a_tariff_of_that_year_not_only_its_evidence() -> None:
    """The minutes' prose gives a change whose line names 2013 and the new tariff whose line does not."""
    change = torvevej(
        "takstnedsættelse pr. døgn",
        -64,
        "increase",
        "Taksten for 2013 sænkes med 2 pct., hvilket svarer til 64 kr. i døgnet",
    )
    new = torvevej("takst pr. døgn", 3114, "new", "ny takst udgøre 3.114 kr. i døgnet. Beløbet kan trækkes ud af")
    found = best_tariffs("hvad bliver den nye takst på Torvevej i 2013?", [change, new])
    assert {row.amount_dkk for row in found} == {-64, 3114}


def test_a_level_the_question_names_must_be_the_tariffs() -> None:
    """`boniveau 10` is no question about boniveau 9, though offer and price words match."""
    nine = torvevej("Boniveau 9", 4031, "new", "Botilbud Torvevej Boniveau 9 ABL § 105 Døgn 98 - 4.031 3.994")
    assert best_tariffs("hvad koster boniveau 10 på Torvevej?", [nine]) == []
    assert best_tariffs("hvad koster boniveau 9 på Torvevej?", [nine]) == [nine]
    assert best_tariffs("hvad koster en plads på Torvevej pr. døgn?", [nine]) == [nine]
