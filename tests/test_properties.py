"""Properties over arbitrary input: the parsers never raise and never put a line in two sections, the Danish
number and date parsers never raise and agree with themselves, and an upload's name stays in its folder."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.telegram.indexing import safe_filename
from indexer.chunking import document_passages
from indexer.clean import page_lines
from indexer.dates import find_dates, parse_danish_date
from indexer.document import ParsedDocument
from indexer.facts.extract import document_decisions, document_tariffs
from indexer.facts.numbers import MAX_KRONER, parse_danish_number, parse_dkk
from indexer.read import Page
from indexer.segment.agenda import parse_agenda
from indexer.structure import parse_document

# Lines that steer the segmenters into their branches, mixed with arbitrary text.
RECORD_LINES = [
    " Mødet den 20.01.2023 DAS Social",
    "Mødet den 4. december 2012",
    "Åben",
    "Lukket",
    "Punkt 1.",
    "Punkt 2.",
    "Punkt 2.",
    "Punkt 17.",
    "Punkt 7:",
    "2022-090391",
    "Resume",
    "Resumé",
    "Sagsfremstilling",
    "Baggrund",
    "Indstilling",
    "Det indstilles, at",
    "• DAS godkender dagsordenen",
    "Beslutning",
    "Bilag",
    "Bilag:",
    "Bilag 1: Notat om takster",
    "• Bilag 2. Kommissorium",
    "Side 2 af 5",
    "3",
    "Indhold",
    "Indholdsfortegnelse",
    "Referat",
    "Åbent referat",
    "1. Meddelelser 3",
    "2. Bygningsvedligeholdelse .......... 4",
    "1. Meddelelser",
    "Sagsnr.: 2012-28504",
    "Dok.nr.: 123",
    "Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 1",
    "Taget til efterretning",
    "Indstillingen godkendt",
    "Taksten er 4.107 kr. pr. døgn i 2023",
    "Økonomi",
    "Til stede",
    "Afbud",
    "Sted: Rådhuset",
    "2013 - 12345 - Notat",
    "",
    " ",
    "\f",
    "\u00a0",
    "\ufeff",
]
LINE = st.one_of(st.sampled_from(RECORD_LINES), st.text(max_size=80))
PAGE = st.tuples(st.one_of(st.none(), st.integers(1, 40)), st.lists(LINE, max_size=30).map("\n".join))
PAGES = st.lists(PAGE, max_size=6)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def placed_lines(doc: ParsedDocument) -> Counter[int]:
    """How many sections each source line (by number) was put in."""
    sections = [s for item in doc.items for s in item.sections] + doc.sections
    return Counter(line.no for section in sections for line in section.lines)


def fake_tokens(text: str) -> int:
    return len(text) // 3 + 2


@PROPERTY
@given(st.lists(LINE, max_size=120))
def test_parse_agenda_never_raises_and_places_each_line_once(lines: list[str]) -> None:
    source = page_lines([(None, "\n".join(lines))])
    doc = parse_agenda(source)
    if doc is not None:
        placed = placed_lines(doc)
        assert set(placed) <= {line.no for line in source}
        assert all(count == 1 for count in placed.values()), placed.most_common(3)


@PROPERTY
@given(PAGES, st.text(max_size=20))
def test_parse_document_never_raises_and_places_each_line_once(pages: list[tuple[int | None, str]], name: str) -> None:
    doc = parse_document([Page(number, text) for number, text in pages], name or "x.pdf")
    assert doc.title
    assert all(count == 1 for count in placed_lines(doc).values())


@PROPERTY
@given(PAGES)
def test_chunks_and_facts_never_raise(pages: list[tuple[int | None, str]]) -> None:
    """What the pipeline derives from a parsed document: passages within the token limit, tariffs, decisions."""
    doc = parse_document([Page(number, text) for number, text in pages], "x.txt")
    for passage in document_passages(doc, 128, fake_tokens):
        assert fake_tokens(passage.embed_text) <= 128 and passage.text.strip()
    document_tariffs(doc)
    numbers = {item.number for item in doc.items}
    assert all(fact.item_number in numbers for fact in document_decisions(doc))


def test_an_item_without_title_or_text_yields_no_passage() -> None:
    text = " Mødet den 04.12.2012 DAS Social\n\nPunkt 1.\n\nPunkt 2.\n\nBudget\n\nIndstilling\n\nbudgettet godkendes\n"
    doc = parse_document([Page(None, text)], "x.txt")
    assert [(item.number, item.title) for item in doc.items] == [(1, ""), (2, "Budget")]
    passages = document_passages(doc, 128, fake_tokens)
    assert [(p.item_number, p.text) for p in passages] == [(2, "budgettet godkendes"), (None, "2. Budget")]


@given(st.text(max_size=60))
def test_number_parsers_never_raise(text: str) -> None:
    value = parse_danish_number(text)
    assert value is None or math.isfinite(value)
    kroner = parse_dkk(text)
    if kroner is not None:
        assert value is not None and abs(kroner - value) <= 0.5
        assert abs(kroner) <= MAX_KRONER


@pytest.mark.parametrize(
    "text",
    ["1" + "0" * 28, "99999999999999999999 mia.", "1.000.000.000.000.001 kr.", "12345678901234567890123456789"],
)
def test_amounts_beyond_any_budget_are_not_kroner(text: str) -> None:
    assert parse_dkk(text) is None
    assert parse_danish_number(text) is not None


def test_the_largest_amount_still_parses() -> None:
    assert parse_dkk("1.000.000.000.000.000 kr.") == MAX_KRONER
    assert parse_dkk("−1.000 mia. kr.") == -(10**12)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["{} kr.", "ca. {} kr.", "kr. {}", "{}kr", " {} "]))
def test_amounts_with_units_parse_as_kroner(value: int, form: str) -> None:
    digits = f"{value:,}".replace(",", ".")
    assert parse_dkk(form.format(digits)) == value


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=99))
def test_percentages_are_numbers_but_not_kroner(whole: int, hundredths: int) -> None:
    text = f"{whole},{hundredths:02d}%"
    assert parse_danish_number(text) == float(f"{whole}.{hundredths:02d}")
    assert parse_dkk(text) is None


@given(st.text(max_size=120))
def test_date_parsers_never_raise(text: str) -> None:
    found = find_dates(text)
    assert all(isinstance(day, date) for day in found)
    assert parse_danish_date(text) == (found[0] if found else None)


@given(st.text(max_size=60), st.text(max_size=60))
def test_dates_of_separate_texts_stay_separate(first: str, second: str) -> None:
    assert find_dates(f"{first} ; {second}") == find_dates(first) + find_dates(second)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.text(alphabet=st.characters(categories=["L", "Zs"]), max_size=30),
    st.text(alphabet=st.characters(categories=["L", "Zs"]), max_size=30),
)
def test_a_date_in_words_is_found(day: date, before: str, after: str) -> None:
    assert day in find_dates(f"{before} den {day:%d.%m.%Y} {after}")


@given(st.text(max_size=200), st.sampled_from([None, "application/pdf", "text/plain"]))
def test_an_upload_name_never_leaves_its_folder(name: str, mime: str | None) -> None:
    safe = safe_filename(name, mime)
    folder = Path("/srv/dasbot/data/uploads/.incoming")
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".")
    assert (folder / safe).resolve().parent == folder
    assert len(safe.encode()) < 255


def test_hostile_upload_names() -> None:
    folder = Path("/srv/dasbot/data/uploads/.incoming")
    for name in [
        "../../etc/passwd",
        "..\\..\\boot.ini",
        "/etc/shadow",
        "....pdf",
        ".bashrc",
        "a/../../b.pdf",
        "C:\\Windows\\x.pdf",
        "\x00.pdf",
        "",
        "..",
        "referat.pdf\n.sh",
    ]:
        safe = safe_filename(name)
        assert safe and not safe.startswith(".") and (folder / safe).resolve().parent == folder, (name, safe)
