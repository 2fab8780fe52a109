"""Minutes of the Ballerup layout, and the page-by-page fallback for documents of unknown layout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indexer.document import DocumentKind, Line, ParsedDocument, SectionKind
from indexer.read import read_pages
from indexer.segment.minutes import parse_minutes
from indexer.segment.pages import parse_pages

SHARED = Path(__file__).resolve().parents[2] / "shared"
PDF_DIR = SHARED / "corpus" / "pdf"
MINUTES = "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf"
APPENDIX = "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_bilag-takstreduktion-torvevej.pdf"
BUNDLED_AGENDA = next((Path(__file__).resolve().parents[1] / "corpus").glob("000_*.txt"), None)
HEADER_LINES = 5

# The table of contents on page 2: number, title, page.
TOC = [
    (1, "Meddelelser", 3),
    (2, "Bygningsvedligeholdelse 2013 - anlægsbevilling", 3),
    (3, "Kvalitetsstandarder for stof- og alkoholbehandling 2012-2013", 6),
    (4, "Takstreduktion på aflastningstilbuddet Torvevej i Skovlunde i 2013", 7),
    (5, "KL's opfølgningsproces vedrørende det nære sundhedsvæsen", 9),
    (6, "Prioritering af midler til kronisk syge borgere og hverdagsrehabilitering for ældre", 10),
    (7, "Etablering af aktivitetscenter på Solvej 6 i Ballerup", 12),
    (8, "Evaluering af rygestopkurser", 14),
]
CASE_NUMBERS = [
    "2011-29298",
    "2012-28504",
    "2012-31114",
    "2012-31673",
    "2011-29939",
    "2012-21786",
    "2012-28505",
    "2010-3082",
]
DECISIONS = [
    "Taget til efterretning",
    "Indstillingen godkendt",
    "Indstilles til godkendelse",
    "Indstillingen godkendt",
    "Indstillingen godkendt",
    "Indstillingen godkendt",
    "Indstillingen godkendt\nmed denne bemærkning:\nGruppen af unge i Ballerup Kommune også får adgang til at bruge "
    "lokalerne på\nSolvej 6.",
    "Taget til efterretning",
]


def to_lines(pages: list[tuple[int | None, str]]) -> list[Line]:
    """A trivial stand-in for the cleaner: split pages into stripped, non-blank lines."""
    lines: list[Line] = []
    number = 0
    for page, text in pages:
        for raw in text.split("\n"):
            number += 1
            if raw.strip():
                lines.append(Line(raw.replace("\u00a0", " ").rstrip(), page, number))
    return lines


def pdf_pages(name: str) -> list[tuple[int | None, str]]:
    """(page number, text) of a real PDF under ../shared, or skip when it is absent."""
    path = PDF_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return [(page.number, page.text) for page in read_pages(path)]


@pytest.fixture(scope="module")
def pages() -> list[tuple[int | None, str]]:
    return pdf_pages(MINUTES)


@pytest.fixture(scope="module")
def minutes(pages: list[tuple[int | None, str]]) -> ParsedDocument:
    doc = parse_minutes(to_lines(pages))
    assert doc is not None
    return doc


def outline(doc: ParsedDocument) -> list[tuple]:
    """What must not change between layouts of the same minutes."""
    return [
        (
            item.number,
            item.title,
            item.page,
            item.case_number,
            item.is_open,
            item.appendix_titles,
            [(s.kind, s.heading, s.text) for s in item.sections],
        )
        for item in doc.items
    ]


def test_meeting(minutes: ParsedDocument) -> None:
    assert minutes.kind is DocumentKind.MINUTES
    assert minutes.committee == "Sundheds- og Forebyggelsesudvalget"
    assert minutes.meeting_date == date(2012, 12, 4)
    assert minutes.place == "Mødecenter C, Lokale 32 på Ballerup Rådhus"
    assert minutes.title == "Referat Sundheds- og Forebyggelsesudvalget"
    assert minutes.pages == 15


def test_items_match_the_table_of_contents(minutes: ParsedDocument) -> None:
    assert [(item.number, item.title, item.page) for item in minutes.items] == TOC
    assert [item.case_number for item in minutes.items] == CASE_NUMBERS
    assert all(item.is_open for item in minutes.items)


def test_each_item_has_its_decision(minutes: ParsedDocument) -> None:
    for item, expected in zip(minutes.items, DECISIONS, strict=True):
        decisions = [s for s in item.sections if s.kind is SectionKind.BESLUTNING]
        assert len(decisions) == 1 and decisions[0] is item.sections[-1]
        assert decisions[0].heading == (
            f"Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt {item.number}"
        )
        assert decisions[0].text == expected


def test_sections_of_an_item(minutes: ParsedDocument) -> None:
    item = minutes.items[1]
    assert [(s.kind, s.heading, s.page) for s in item.sections] == [
        (SectionKind.RESUME, "Sammendrag", 4),
        (SectionKind.BAGGRUND, "Baggrund", 4),
        (SectionKind.SAGSFREMSTILLING, "Sagsfremstilling", 4),
        (SectionKind.OTHER, "Økonomiske konsekvenser og finansiering", 5),
        (SectionKind.OTHER, "Bilag", 5),
        (SectionKind.OTHER, "Beslutningen træffes af", 5),
        (SectionKind.INDSTILLING, "Indstilling", 5),
        (SectionKind.BESLUTNING, item.sections[-1].heading, 5),
    ]
    assert item.first_line is not None and item.first_line.page == 3
    story = item.sections[2]
    assert story.lines[0].text.startswith("I 2012 undgik man skader efter skybrud.")
    assert {line.page for line in story.lines} == {4, 5}


def test_appendix_titles(minutes: ParsedDocument) -> None:
    assert minutes.items[0].appendix_titles == [
        "2012-208960 - Hvordan udvikler vi det nære sundhedsvæsen sammen?",
        "2012-209266 - Forebyggelse af ulighed i sundhedsvæsenet",
        "2012-204248 - Redegørelse fra Træning og Aktivitet vedrørende Seniorrådets høringssvar",
    ]
    assert minutes.items[4].appendix_titles == [
        "2012-202381 - KL’s proces vedrørende det nære sundhedsvæsen",
        "2012-205991 - Det nære sundhedsvæsen - KL",
    ]
    assert minutes.items[7].appendix_titles == []


def test_text_after_an_appendix_list_is_not_an_appendix(minutes: ParsedDocument) -> None:
    first = minutes.items[0]
    untitled = [s.text.splitlines()[0] for s in first.sections if s.heading is None]
    assert [text[:2] for text in untitled] == ["a.", "c.", "d.", "e."]


def test_no_page_furniture_or_next_item_in_items(minutes: ParsedDocument) -> None:
    for item, following in zip(minutes.items, minutes.items[1:] + [None]):
        texts = [line.text.strip() for section in item.sections for line in section.lines]
        assert not any(t.startswith(("Dato:", "Side ")) or t in ("Referat", "Åbent referat") for t in texts)
        if following is not None:
            assert not any(t.startswith(f"{following.number}. ") for t in texts)
            last_page = max(line.page for s in item.sections for line in s.lines)
            assert item.page <= last_page <= following.page


def test_front_page_sections(minutes: ParsedDocument) -> None:
    headings = {s.heading: s.text for s in minutes.sections}
    assert "Lolan Ottesen (A) - formand" in headings["Tilstede"]
    assert headings["Sekretær"] == "Mie Helene Andresen"
    assert not any("INDHOLDSFORTEGNELSE" in text or "Meddelelser 3" in text for text in headings.values())


def test_headers_already_removed(pages: list[tuple[int | None, str]], minutes: ParsedDocument) -> None:
    bare = [(page, "\n".join(text.split("\n")[HEADER_LINES:])) for page, text in pages]
    doc = parse_minutes(to_lines(bare))
    assert doc is not None and outline(doc) == outline(minutes)
    assert (doc.committee, doc.meeting_date, doc.place) == (minutes.committee, minutes.meeting_date, minutes.place)


def test_without_table_of_contents(pages: list[tuple[int | None, str]], minutes: ParsedDocument) -> None:
    no_toc = [(page, text if page != 2 else "") for page, text in pages]
    doc = parse_minutes(to_lines(no_toc))
    assert doc is not None and outline(doc) == outline(minutes)


def test_closed_item(pages: list[tuple[int | None, str]]) -> None:
    texts = dict(pages)
    texts[2] += "\n9. Personalesag 16"
    texts[16] = (
        "Sundheds- og Forebyggelsesudvalget\nReferat\nLukket referat\nDato: 04.12.2012\nSide 16\n"
        "9. Personalesag\nSagsnr.: 2012-1\nDok.nr.: 2012-2\n"
        "Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 9\nGodkendt"
    )
    doc = parse_minutes(to_lines(sorted(texts.items())))
    assert doc is not None
    closed = doc.items[-1]
    assert (closed.number, closed.title, closed.is_open, closed.page) == (9, "Personalesag", False, 16)
    assert [(s.kind, s.text) for s in closed.sections] == [(SectionKind.BESLUTNING, "Godkendt")]
    assert doc.items[-2].is_open and doc.items[-2].sections[-1].text == "Taget til efterretning"


SMALL_MINUTES = """\
Referat
Økonomiudvalget
onsdag den 3. april 2019, kl. 16:00
på Rådhuset, mødelokale 1
Åbent referat
1. Budget 2020
Sagsnr.: 2019-1001
Sagsfremstilling
Forvaltningen fremlægger budgettet.
Kommunalbestyrelsens beslutning den 28.02.2019 Punkt 12
Sendt til Økonomiudvalget.
Indstilling
Forvaltningen indstiller, at budgettet godkendes.
Beslutning i Økonomiudvalget den 03.04.2019
Godkendt.
Lukket referat
2. Salg af grund
Sagsnr.: 2019-1002
Beslutning
Godkendt.
"""


def test_small_minutes_without_pages_or_table_of_contents() -> None:
    doc = parse_minutes(to_lines([(None, SMALL_MINUTES)]))
    assert doc is not None
    assert (doc.committee, doc.meeting_date, doc.place, doc.pages) == (
        "Økonomiudvalget",
        date(2019, 4, 3),
        "Rådhuset, mødelokale 1",
        None,
    )
    budget, sale = doc.items
    assert (budget.number, budget.title, budget.case_number, budget.is_open) == (1, "Budget 2020", "2019-1001", True)
    assert [(s.kind, s.heading) for s in budget.sections] == [
        (SectionKind.SAGSFREMSTILLING, "Sagsfremstilling"),
        (SectionKind.OTHER, "Kommunalbestyrelsens beslutning den 28.02.2019 Punkt 12"),
        (SectionKind.INDSTILLING, "Indstilling"),
        (SectionKind.BESLUTNING, "Beslutning i Økonomiudvalget den 03.04.2019"),
    ]
    assert budget.sections[-1].text == "Godkendt."
    assert (sale.number, sale.is_open, sale.sections[-1].text) == (2, False, "Godkendt.")


@pytest.mark.parametrize(
    "text",
    [
        SMALL_MINUTES.replace("Referat\n", "Dagsorden\n")
        .replace("Åbent referat", "Åben dagsorden")
        .replace("Lukket referat", "Lukket dagsorden"),
        SMALL_MINUTES.replace("Sagsnr.: ", "Journal "),
        "Notat\nDato: 19. november 2012\nTilpasning af budget 2 % i 2013.",
        "",
    ],
)
def test_not_minutes(text: str) -> None:
    assert parse_minutes(to_lines([(None, text)])) is None


def test_bundled_agenda_is_not_minutes() -> None:
    if BUNDLED_AGENDA is None:
        pytest.skip("the bundled corpus is not present")
    assert parse_minutes(to_lines([(None, BUNDLED_AGENDA.read_text(encoding="utf-8"))])) is None


def test_appendix_pdf_falls_back_to_pages() -> None:
    lines = to_lines(pdf_pages(APPENDIX))
    assert parse_minutes(lines) is None
    doc = parse_pages(lines, "Forslag til taksreduktioner")
    assert (doc.kind, doc.title, doc.meeting_date, doc.pages) == (
        DocumentKind.OTHER,
        "Forslag til taksreduktioner",
        date(2012, 11, 19),
        2,
    )
    assert [(s.kind, s.heading, s.page) for s in doc.sections] == [
        (SectionKind.OTHER, "Side 1", 1),
        (SectionKind.OTHER, "Side 2", 2),
    ]
    assert doc.items == []


def test_pages_fallback_without_page_numbers() -> None:
    text = "Mødet 04.12.2012\nJf. beslutning 1. marts 2012\nGentaget den 4. december 2012"
    doc = parse_pages(to_lines([(None, text)]), None)
    assert [(s.heading, s.text) for s in doc.sections] == [(None, text)]
    assert (doc.meeting_date, doc.pages, doc.title) == (date(2012, 12, 4), None, None)
    assert parse_pages([], None).sections == [] and parse_pages([], None).meeting_date is None
