"""Other committees' records: FirstAgenda (export, web page, PDF), SBSYS/eDagsorden publications, eDoc minutes as
text, and records of no known layout; read in place from ../shared and from held-out files in tests/other_layouts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indexer.clean import page_lines
from indexer.dates import parse_danish_date
from indexer.document import DocumentKind, Item, Line, ParsedDocument, SectionKind
from indexer.read import pages_of, read_pages
from indexer.segment.fields import caption_kind, dated, upper_caption
from indexer.segment.firstagenda import parse_firstagenda
from indexer.segment.minutes import parse_minutes
from indexer.segment.sbsys import parse_sbsys
from indexer.structure import parse_document
from tests.conftest import shared_path
from tests.test_minutes import DECISIONS, TOC

HELD_OUT = Path(__file__).resolve().parent / "other_layouts"


def parsed(path: Path) -> ParsedDocument:
    """A file parsed the way indexing reads it."""
    return parse_document(read_pages(path), path.name)


def other(name: str) -> ParsedDocument:
    return parsed(shared_path("corpus", "other", name))


def lines_of(text: str) -> list[Line]:
    return page_lines([(None, text)])


def titles(doc: ParsedDocument) -> list[tuple[int, str]]:
    return [(item.number, item.title) for item in doc.items]


def decisions(item: Item) -> list[str]:
    """The texts of an item's decisions of this meeting."""
    return [section.text for section in item.sections if section.kind is SectionKind.BESLUTNING]


# The development examples in ../shared/corpus/other and ../shared/corpus/pdf.

GREVE_TITLES = [
    (1, "Godkendelse af dagsorden"),
    (2, "Greve Kommunes behandling af Det sociale Danmarkskort"),
    (3, "Klagesager på det sociale område i Greve Kommune i 2022"),
    (4, "Budgetopfølgning 2 (2023) Social- og Handicapudvalget"),
    (5, "Social- og handicappolitik 2023-2026 - orientering"),
    (6, "Sundheds- og Psykiatripolitik 2023-2026 - orientering"),
    (7, "Afrapportering af sagsbehandlingstider"),
    (8, "Handleplan på det specialiserede voksenområde, status 2/2023"),
    (9, "Orientering fra formanden/gensidig orientering"),
    (10, "Huskeliste og orientering fra administrationen"),
    (11, "Social- og Handicapudvalget - mødekalender 2023"),
    (12, "Underskriftsark"),
]
GREVE_DECISIONS = {
    1: "Godkendt.",
    2: "Orienteringen blev taget til efterretning.",
    3: "1. Orienteringen blev taget til efterretning",
    4: "Orienteringen blev taget til efterretning, idet udvalget ønsker fremlagt en sag med cases og økonomidata.",
    5: "Orienteringen blev taget til efterretning, idet udvalget ønsker løbende afrapportering på handleplanen.",
    6: "Orienteringen blev taget til efterretning, idet udvalget ønsker løbende afrapportering på handleplanen.",
    7: "Orienteringen blev taget til efterretning.",
    8: "Taget til efterretning.",
    9: "Orienteringen blev taget til efterretning.",
    10: "Administrationen orienterede om:",
    11: "Udvalget besluttede, at udvalgsmøderne i 2024 skal begynde kl. 17.00.",
}


def test_greve_export_meeting_items_and_decisions() -> None:
    doc = other("greve_social-og-handicapudvalget_2023-10-09_referat.txt")
    assert (doc.kind, doc.committee, doc.meeting_date) == (
        DocumentKind.MINUTES,
        "Social- og Handicapudvalget",
        date(2023, 10, 9),
    )
    assert titles(doc) == GREVE_TITLES
    assert doc.items[0].case_number == "21-014477"
    found = {item.number: decisions(item) for item in doc.items if decisions(item)}
    assert {n: texts[0].splitlines()[0] for n, texts in found.items()} == GREVE_DECISIONS
    assert all(len(texts) == 1 for texts in found.values())
    assert "Anbefales med en bemærkning" in found[3][0] and "Fremstilling" not in found[3][0]


def test_greve_case_history_is_dated_and_no_decision_of_this_meeting() -> None:
    doc = other("greve_social-og-handicapudvalget_2023-10-09_referat.txt")
    history = [s for s in doc.items[1].sections if s.heading == "Sagens forløb"]
    assert [(s.kind, s.decided_on) for s in history] == [(SectionKind.SAGSFREMSTILLING, date(2023, 10, 9))]
    assert history[0].lines[0].text == "09-10-2023 Sundheds- og Omsorgsudvalget"
    recommendation = next(s for s in doc.items[1].sections if s.kind is SectionKind.INDSTILLING)
    assert recommendation.text == "Administrationen indstiller, at orienteringen tages til efterretning."
    assert doc.items[2].appendix_titles[0] == "Bilag 3. Handlingsplan, børnehandicap, august 2022"


AARHUS_TITLES = [
    (1, "Referat fra sidste udvalgsmøde"),
    (2, "Udviklingsplan Aarhus Ø - endelig vedtagelse"),
    (
        3,
        "Lokalplan 1221 (tillæg 2 til lokalplan 411) – Erhvervsområde ved Kattrup, Hasselager-Kolt, med tillæg 1 - Endelig",
    ),
    (4, "Forvaltningen orienterer"),
    (5, "Eventuelt"),
    (6, "Måltal for busfremkommelighed, jf. budgetforlig 2023"),
]
AARHUS_DECISIONS = {
    1: "Ingen bemærkninger.",
    2: "Et flertal i udvalget kunne tiltræde indstillingen i overensstemmelse med Magistratens anbefaling.",
    3: "Der var foretræde til sagen, hvorefter udvalget drøftede sagen og stillede spørgsmål til forvaltningen. "
    "Udvalget besluttede herefter at udsætte sagens behandling med henblik på forvaltningens besvarelse af udvalgets "
    "spørgsmål.",
    4: "Udvalget blev orienteret om arkitekturugen i uge 41.",
    5: "Udvalget drøftede og stillede spørgsmål til forvaltningen om forlængelse af forsøget med sommergade i "
    "Jægergårdsgade.",
    6: "Sagen blev udsat uden behandling.",
}


def test_aarhus_web_page_meeting_items_and_decisions() -> None:
    doc = other("aarhus_teknisk-udvalg_2025-10-01_referat.html")
    assert (doc.kind, doc.committee, doc.meeting_date) == (DocumentKind.MINUTES, "Teknisk Udvalg", date(2025, 10, 1))
    assert titles(doc) == AARHUS_TITLES
    assert [item.case_number for item in doc.items] == [
        "EMN-2025-010561",
        "EMN-2025-009242",
        "EMN-2025-008468",
        "EMN-2025-010561",
        None,
        "EMN-2024-035156",
    ]
    found = {item.number: decisions(item) for item in doc.items}
    assert {n: texts[0].splitlines()[0] for n, texts in found.items()} == AARHUS_DECISIONS
    assert all(len(texts) == 1 for texts in found.values())


def test_aarhus_web_page_history_and_interface_strings() -> None:
    doc = other("aarhus_teknisk-udvalg_2025-10-01_referat.html")
    history = [s for s in doc.items[1].sections if s.heading == "Sagsforløb"]
    assert [s.decided_on for s in history] == [date(2025, 9, 2), date(2025, 9, 10), date(2025, 9, 22)]
    assert all(s.kind is SectionKind.SAGSFREMSTILLING for s in history)
    assert history[0].lines[0].text == "Udvalg: Magistraten"
    recommendation = next(s for s in doc.items[1].sections if s.kind is SectionKind.INDSTILLING)
    assert recommendation.heading == "Beslutningspunkter"
    texts = [line.text for item in doc.items for s in item.sections for line in s.lines]
    assert not {"Hent som PDF", "Kopier link"} & set(texts)


SBSYS_TITLES = [
    (1, "Meddelelser"),
    (2, "Oplæg til standard it-arbejdsplads for Kommunalbestyrelsens medlemmer i 2014-2018"),
    (3, "Indførelse af systemet SAPA (Sagsoverblik/Partskontakt)"),
    (4, "Regler for indkøb af it-udstyr"),
    (5, "Status på eDagsorden"),
]


def test_ballerup_sbsys_agenda_items_without_decisions() -> None:
    doc = other("ballerup_kmb-it-udvalget_2013-05-15_dagsorden.txt")
    assert (doc.kind, doc.committee, doc.meeting_date) == (DocumentKind.AGENDA, "KMB IT-udvalget", date(2013, 5, 15))
    assert doc.place == "Mødecenter A, Lokale 3 på Ballerup Rådhus"
    assert titles(doc) == SBSYS_TITLES
    assert not [text for item in doc.items for text in decisions(item)]
    assert doc.items[2].appendix_titles == ["Brev fra KL til Kommunalbestyrelsen vedr Monopolbrud.pdf"]
    kinds = [s.kind for s in doc.items[1].sections]
    assert kinds[1:4] == [SectionKind.RESUME, SectionKind.BAGGRUND, SectionKind.SAGSFREMSTILLING]
    assert kinds[-1] is SectionKind.INDSTILLING
    assert doc.items[1].sections[-1].lines[1].text.startswith("1. Gennemførelse af pilottest")


@pytest.mark.parametrize(
    "name",
    ["ballerup_kmb-it-udvalget_2013-05-15_enclosure-1.txt", "ballerup_kmb-it-udvalget_2013-05-15_enclosure-1.pdf"],
)
def test_enclosure_is_no_meeting_record(name: str) -> None:
    doc = other(name)
    assert doc.kind is DocumentKind.OTHER
    assert doc.items == []
    assert doc.pages == 3


MINUTES_TITLES = [(number, title) for number, title, _ in TOC]  # the eDoc minutes' items
MINUTES_DECISIONS = [text.splitlines()[0] for text in DECISIONS]  # their decisions' first lines


@pytest.mark.parametrize(
    "path",
    [
        "shared",  # the eDoc PDF
        HELD_OUT / "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.txt",  # its pdftotext rendering
    ],
)
def test_edoc_minutes_pdf_and_text(path: Path | str) -> None:
    if path == "shared":
        path = shared_path("corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf")
    doc = parsed(Path(path))
    committee = "Sundheds- og Forebyggelsesudvalget"
    assert (doc.kind, doc.committee, doc.meeting_date) == (DocumentKind.MINUTES, committee, date(2012, 12, 4))
    assert titles(doc) == MINUTES_TITLES
    found = [decisions(item) for item in doc.items]
    assert [texts[0].splitlines()[0] for texts in found] == MINUTES_DECISIONS
    blocks = [s for item in doc.items for s in item.sections if s.kind is SectionKind.BESLUTNING]
    assert {s.decided_on for s in blocks} == {date(2012, 12, 4)}
    assert blocks[3].heading == f"{committee}s beslutning den 04.12.2012 Punkt 4"
    assert [item.page for item in doc.items] == [3, 3, 6, 7, 9, 10, 12, 14]
    texts = {line.text.strip() for item in doc.items for s in item.sections for line in s.lines}
    assert not {"Åbent referat", "Side 3", "Dato: 04.12.2012"} & texts


# Held-out records of the same systems (tests/other_layouts, see SOURCES.md there).


def test_held_out_greve_closed_item_keeps_its_decision() -> None:
    doc = parsed(HELD_OUT / "greve_social-og-handicapudvalget_2025-09-08_referat.txt")
    assert (doc.kind, doc.committee, doc.meeting_date) == (
        DocumentKind.MINUTES,
        "Social- og Handicapudvalget",
        date(2025, 9, 8),
    )
    assert [n for n, _ in titles(doc)] == [1, 2, 3, 4, 5, 6, 7]
    closed = doc.items[2]
    assert (closed.title, closed.is_open) == ("Henvendelser til formanden", False)
    assert all(decisions(item) for item in doc.items)
    assert decisions(doc.items[5])[0] == "Orienteringen blev taget til efterretning.\nAfbud: Anne Marie Lyduch"


def test_held_out_greve_items_without_case_numbers() -> None:
    doc = parsed(HELD_OUT / "greve_oekonomiudvalget_2025-01-29_referat.txt")
    assert (doc.committee, doc.meeting_date) == ("Økonomiudvalget", date(2025, 1, 29))
    assert titles(doc) == [
        (1, "Godkendelse af dagsorden"),
        (2, "Tune Plejecenter skema B og grundkøbsaftale"),
        (3, "Underskriftsark"),
    ]
    assert [(item.case_number, item.is_open) for item in doc.items] == [
        (None, True),
        ("24-008513", False),
        (None, True),
    ]
    assert decisions(doc.items[1]) == [
        "Økonomiudvalget anbefaler overfor Byrådet at godkende Plan- og Tryghedsudvalgets indstilling."
    ]
    assert decisions(doc.items[2]) == []


def test_held_out_region_h_sbsys_upper_case_captions() -> None:
    doc = parsed(HELD_OUT / "region-h_forretningsudvalget_2012-09-25_dagsorden.txt")
    assert (doc.committee, doc.meeting_date) == ("FORRETNINGSUDVALGET", date(2012, 9, 25))
    assert titles(doc)[0] == (1, "2. behandling af forslag til styrelsesvedtægt – nedsættelse af stående udvalg")
    assert [n for n, _ in titles(doc)] == [1, 2, 3, 4]
    first = doc.items[0]
    blocks = [s for s in first.sections if s.kind is SectionKind.BESLUTNING]
    assert [(s.heading, s.decided_on) for s in blocks] == [("FORRETNINGSUDVALGETS BESLUTNING", date(2012, 9, 18))]
    assert "Julie Herdal Molbech (F) deltog ikke" in blocks[0].text
    assert [decisions(item) for item in doc.items[1:]] == [[], [], []]  # empty, `Tomt indhold`, quoted `Beslutning:`
    assert doc.kind is DocumentKind.AGENDA
    assert len(first.appendix_titles) == 6
    recommendation = next(s for s in doc.items[2].sections if s.kind is SectionKind.INDSTILLING)
    assert recommendation.heading == "ADMINISTRATIONENS INDSTILLING"
    assert len(recommendation.lines) == 3


def test_held_out_aarhus_firstagenda_pdf() -> None:
    doc = parsed(HELD_OUT / "aarhus_byraad_2025-08-27_referat_pages.txt")
    assert (doc.kind, doc.committee, doc.meeting_date) == (DocumentKind.MINUTES, "Aarhus Byråd", date(2025, 8, 27))
    assert titles(doc) == [
        (1, "Godkendelse af dagsorden"),
        (2, "Svar på forslag fra DD om principbeslutning om at sikre Havnens Perles fremtid på Aarhus Ø"),
        (20, "Forslag fra SF og ALT om Østjysk Marin Naturnationalpark"),
        (21, "Køb af landbrugsejendom"),
    ]
    assert doc.items[1].case_number == "EMN-2025-003383"
    assert doc.items[-1].is_open is False
    assert decisions(doc.items[-1])[0].startswith("Tilbagesendes Magistratsafdelingen for Teknik og Miljø")
    assert all(len(decisions(item)) == 1 for item in doc.items)
    history = [s for s in doc.items[1].sections if s.heading == "Sagsforløb"]
    assert [s.decided_on for s in history] == [date(2025, 3, 26), date(2025, 4, 9), date(2025, 8, 19)]


def test_held_out_acadre_minutes_with_several_dated_decisions() -> None:
    doc = parsed(HELD_OUT / "syddjurs_puk_2013-06-20_referat.txt")
    committee = "Udvalget for plan, udvikling og kultur (PUK)"
    assert (doc.kind, doc.committee, doc.meeting_date) == (DocumentKind.MINUTES, committee, date(2013, 6, 20))
    assert titles(doc) == [(715, "Kulturkommune 2017. Politiske fokusområder")]  # no item from the running header
    item = doc.items[0]
    assert (item.case_number, item.page) == ("12/27845", 3)
    blocks = [s for s in item.sections if s.kind is SectionKind.BESLUTNING]
    assert [s.decided_on for s in blocks] == [date(2013, 4, 10), date(2013, 4, 24), date(2013, 6, 20)]
    assert blocks[0].heading == f"Beslutning i {committee} den 10-04-2013"
    assert blocks[2].text.startswith("Punktet blev drøftet.")


# The rules, on short real lines.


def test_firstagenda_title_wraps_only_before_a_case_number_or_caption() -> None:
    doc = parse_firstagenda(
        lines_of(
            "REFERAT Aarhus Byråd d. 27-08-2025\n"
            "Punkt 2: Svar på forslag fra DD om principbeslutning om at sikre Havnens\n"
            "Perles fremtid på Aarhus Ø\nEMN-2025-003383\nBeslutninger\nGodkendt.\n"
            "Punkt 3: Henvendelser til formanden\nDer var ingen orienteringer.\nAfbud: Ronni Mark Nielsen\n"
            "Punkt 4: Lukket: Køb af landbrugsejendom\nEMN-2025-007940\nTilbagesendes Magistraten.\n"
        )
    )
    assert doc is not None
    assert titles(doc) == [
        (2, "Svar på forslag fra DD om principbeslutning om at sikre Havnens Perles fremtid på Aarhus Ø"),
        (3, "Henvendelser til formanden"),
        (4, "Køb af landbrugsejendom"),
    ]
    assert [decisions(item) for item in doc.items] == [["Godkendt."], [], ["Tilbagesendes Magistraten."]]


def test_firstagenda_kind_comes_from_content_not_the_meeting_label() -> None:
    head = "Udvalg: Social- og Handicapudvalget\nMøde: Dagsorden\nDato: 2025-08-11T16:30:00+02:00\n"
    agenda = parse_firstagenda(
        lines_of(head + "Punkt 1: Godkendelse af dagsorden\n25-005529\nIndstilling\nAt godkende.\n")
    )
    minutes = parse_firstagenda(
        lines_of(head + "Punkt 1: Godkendelse af dagsorden\n25-005529\nBeslutning\nGodkendt.\n")
    )
    assert agenda is not None and minutes is not None
    assert (agenda.kind, minutes.kind) == (DocumentKind.AGENDA, DocumentKind.MINUTES)
    assert minutes.meeting_date == date(2025, 8, 11)


def test_firstagenda_web_page_numbers_and_badges() -> None:
    doc = parse_firstagenda(
        lines_of(
            "Udvalg:\tTeknisk Udvalg\nMødedato:\tonsdag den 1. oktober 2025 kl. 15.45\nPunkt\tTitel\n"
            "1\nReferat fra sidste udvalgsmøde\nEMN-2025-010561\nBeslutninger\nIngen bemærkninger.\n"
            "Bilag\nPDFReferat fra møde den 22. september 2025\n2\nHent som PDF\nKopier link\n"
            "2\nEventuelt\nBeslutninger\nIntet.\n"
        )
    )
    assert doc is not None
    assert titles(doc) == [(1, "Referat fra sidste udvalgsmøde"), (2, "Eventuelt")]
    assert (doc.committee, doc.meeting_date) == ("Teknisk Udvalg", date(2025, 10, 1))


def test_sbsys_title_may_start_with_a_number_and_lists_are_no_items() -> None:
    doc = parse_sbsys(
        lines_of(
            "Committee: FORRETNINGSUDVALGET\nWhen: 25-09-2012 15:30:00\n"
            "1. 2. behandling af forslag til styrelsesvedtægt\nADMINISTRATIONENS INDSTILLING\n"
            "1. at regionsrådet tiltræder,\n2. at regionen udgiver en særpublikation, og\n"
            "1. Pilottest godkendes.\n2. Pilottesten gennemføres fra september.\n"
            "FORRETNINGSUDVALGETS BESLUTNING\nTomt indhold\n"
            "2. Anvendelse af beløb\nRESUME\nTekst.\nFORRETNINGSUDVALGETS BESLUTNING\n25. september 2012: Godkendt.\n"
        )
    )
    assert doc is not None
    assert titles(doc) == [(1, "2. behandling af forslag til styrelsesvedtægt"), (2, "Anvendelse af beløb")]
    assert decisions(doc.items[0]) == []
    assert [(s.decided_on, s.text) for s in doc.items[1].sections if s.kind is SectionKind.BESLUTNING] == [
        (date(2012, 9, 25), "25. september 2012: Godkendt.")
    ]
    assert doc.kind is DocumentKind.MINUTES


def test_sbsys_needs_its_header() -> None:
    assert parse_sbsys(lines_of("1. Meddelelser\nBeslutning\nTaget til efterretning.\n")) is None


def test_edoc_number_alone_on_its_line() -> None:
    pages = [
        (1, "Referat\nÅbent referat\nDato: 04.12.2012\nSide 1\nReferat\nSundheds- og Forebyggelsesudvalget\n"
            "tirsdag den 4. december 2012, kl. 13:00"),
        (2, "Referat\nÅbent referat\nDato: 04.12.2012\nSide 2\n1.\n\nMeddelelser\nSagsnr.: 2011-29298\n"
            "Sundheds- og Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 1\nTaget til efterretning"),
    ]  # fmt: skip
    doc = parse_minutes(page_lines(pages))
    assert doc is not None
    assert titles(doc) == [(1, "Meddelelser")]
    assert doc.items[0].case_number == "2011-29298"
    assert [(s.decided_on, s.text) for s in doc.items[0].sections] == [(date(2012, 12, 4), "Taget til efterretning")]


def test_record_of_no_known_layout_keeps_the_meeting_it_states() -> None:
    text = "Udvalg: Teknisk Udvalg\nDato: 2025-10-01T15:45:00+02:00\nNoget tekst uden punkter.\n"
    doc = parse_document(pages_of("x.txt", text.encode()), "x.txt")
    assert (doc.kind, doc.committee, doc.meeting_date) == (DocumentKind.OTHER, "Teknisk Udvalg", date(2025, 10, 1))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Beslutninger", SectionKind.BESLUTNING),
        ("Beslutningspunkter", SectionKind.INDSTILLING),
        ("ADMINISTRATIONENS INDSTILLING", SectionKind.INDSTILLING),
        ("FORRETNINGSUDVALGETS BESLUTNING", SectionKind.BESLUTNING),
        ("RESUME", SectionKind.RESUME),
        ("Fremstilling", SectionKind.SAGSFREMSTILLING),
        ("SAGEN AFGØRES AF", SectionKind.OTHER),
        ("Sagsforløb", SectionKind.OTHER),
        ("Orienteringen blev taget til efterretning.", None),
        ("Beslutning om forlængelse af afprøvning", None),
    ],
)
def test_caption_kinds(text: str, kind: SectionKind | None) -> None:
    assert caption_kind(text) is kind


def test_dates_and_dated_lines() -> None:
    assert parse_danish_date("2025-08-11T16:30:00+02:00") == date(2025, 8, 11)
    assert parse_danish_date("onsdag den 1. oktober 2025 kl. 15.45") == date(2025, 10, 1)
    assert parse_danish_date("25-09-2012 15:30:00") == date(2012, 9, 25)
    assert dated("18. september 2012: Sagen udsat.") == (date(2012, 9, 18), "Sagen udsat.")
    assert dated("25. september 2012:") == (date(2012, 9, 25), "")
    assert dated("Forretningsudvalget den 18. september 2012, sag nr. 10") is None
    assert upper_caption("BESLUTNINGSFORSLAG FRA DD")
    assert not upper_caption("EMN-2025-003383")
