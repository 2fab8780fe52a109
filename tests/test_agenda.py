"""The agenda segmenter on the bundled DAS Social records: dates, items, sections, appendices."""

from __future__ import annotations

import re
from datetime import date

import pytest

from indexer.document import SectionKind
from indexer.segment.agenda import parse_agenda
from tests.conftest import corpus_lines

EXPECTED = {
    "000": (date(2023, 3, 31), 11),
    "001": (date(2021, 8, 23), 13),
    "002": (date(2023, 8, 21), 17),
    "003": (date(2023, 1, 20), 17),
}


def parsed(prefix: str):
    doc = parse_agenda(corpus_lines(prefix))
    assert doc is not None
    return doc


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_meeting_date_and_items_numbered_in_order(prefix: str) -> None:
    doc = parsed(prefix)
    meeting_date, count = EXPECTED[prefix]
    assert doc.meeting_date == meeting_date
    assert doc.committee == "DAS Social"
    assert [item.number for item in doc.items] == list(range(1, count + 1))


def test_fifty_eight_items_in_all() -> None:
    assert sum(len(parsed(p).items) for p in EXPECTED) == 58


def test_strategy_bundle_is_not_an_agenda() -> None:
    assert parse_agenda(corpus_lines("004")) is None


def titles(prefix: str) -> dict[int, str]:
    return {item.number: item.title for item in parsed(prefix).items}


def test_titles_survive_the_traps() -> None:
    assert titles("000")[1] == "Temadrøftelse 09.00-10.00"
    assert titles("000")[7] == "Orienteringspunkt vedr. reviderede takster 2023"
    # 002: item 2 has neither a Punkt line nor a page header; the front page's table of contents finds it.
    assert titles("002")[2] == "Godkendelse af referat fra seneste møde"
    assert titles("002")[4] == "Udbud og efterspørgsel - borgere med udviklingshandicap og dom"
    # 003: item 8's title wraps onto two lines.
    assert titles("003")[8] == "Fælles arrangement - rekruttering og fastholdelse til pædagoguddannelsen- og faget"
    assert titles("001")[7] == "Socialtilsyn Nords budget 2022"
    assert titles("001")[13] == "Næste møde"


def test_case_numbers_and_open_items() -> None:
    items = {item.number: item for item in parsed("002").items}
    assert items[3].case_number == "2023-052085"
    assert items[1].case_number is None
    assert all(item.is_open for item in items.values())


def sections(prefix: str, number: int) -> list:
    return next(item for item in parsed(prefix).items if item.number == number).sections


def indstilling(prefix: str, number: int) -> str:
    found = [s.text for s in sections(prefix, number) if s.kind is SectionKind.INDSTILLING]
    assert len(found) == 1
    return found[0]


def test_indstilling_is_the_items_not_the_appendix() -> None:
    # 003 item 7 carries an appendix-internal "Indstilling" heading (l.1838): it stays appendix text.
    assert "DAS drøfter" in indstilling("003", 7)
    assert "pædagogdimensionering" in indstilling("003", 7)
    assert all(s.kind is SectionKind.BILAG for s in sections("003", 7)[-1:])


def test_colon_repeat_of_punkt_is_not_a_new_item() -> None:
    texts = " ".join(s.text for s in sections("001", 7))
    assert "Punkt 7: Socialtilsyn Nords budget 2022" in texts


def test_appendix_list_and_attribution() -> None:
    items = {item.number: item for item in parsed("000").items}
    assert items[7].appendix_titles == ["Aalborg Kommune JV - synliggørelse af ændringer"]
    table = " ".join(s.text for s in items[7].sections if s.kind is SectionKind.BILAG)
    assert "Viften Vodskov" in table and "Hammer Bakker" in table
    assert items[8].appendix_titles == ["Børnehus Nord - objektiv finansiering 2023", "Børnehus Nord - Budget 2023"]
    # 003 item 7's second entry wraps onto a line of its own.
    wrapped = next(i for i in parsed("003").items if i.number == 7).appendix_titles[1]
    assert wrapped.endswith("på UCN 2023-2024 v.2")


def test_next_item_header_does_not_leak_into_previous_item() -> None:
    for prefix in EXPECTED:
        for item in parsed(prefix).items:
            for section in item.sections:
                assert "Mødet den" not in section.lines[-1].text
                assert not re.fullmatch(r"Punkt \d+\.", section.lines[-1].text.strip())


def test_appendices_of_001_are_listed_without_bodies() -> None:
    items = {item.number: item for item in parsed("001").items}
    assert items[2].appendix_titles == ["Referat DAS møde den 27. maj 2021"]
    assert items[3].appendix_titles[0] == "Statistik for De særlige pladser"
    assert not any(s.kind is SectionKind.BILAG for s in items[3].sections)
