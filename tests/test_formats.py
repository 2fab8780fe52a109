"""Word documents and web pages as text lines in reading order, plain text split into pages at form feeds, and
hostile files of these types refused with a typed reason: built from the bundled records' own lines and read from
a real FirstAgenda web page in ../shared."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document as WordDocument

from bot.core import Dasbot
from bot.describe import describe
from bot.settings import Settings
from bot.telegram.indexing import Refusal, refusal, safe_filename
from indexer.extract import extract_file
from indexer.formats.html import MAX_ELEMENTS, html_text
from indexer.limits import DEFAULT_LIMITS
from indexer.read import SUPPORTED, Page, UnreadableFile, pages_of, read_pages
from indexer.report import Reason
from tests.conftest import corpus_file, shared_path
from tests.support.records import HashedEmbedder

AARHUS = ("corpus", "other", "aarhus_teknisk-udvalg_2025-10-01_referat.html")
AARHUS_ITEMS = [
    "Referat fra sidste udvalgsmøde",
    "Udviklingsplan Aarhus Ø - endelig vedtagelse",
]
TARIFF_HEAD = ["Ydelse", "Pladsantal", "Takst i Takstbilaget", "Opkrævet (korrekt) takst"]
TARIFF_ROWS = [  # corpus 001, the revised tariffs of the special children's homes
    ["Døgnophold, Målgruppe 2.2", "10", "4.308", "4.114"],
    ["Døgnophold, Målgruppe 2.3", "2", "4.963", "4.769"],
    ["Døgnophold, Målgruppe 2.4", "6", "7.202", "7.008"],
]
INTRO = (
    "Region Nordjylland har opdaget, at de har indberettet de forkerte takster til takstbilaget for 2021 for "
    "specialbørnehjemmene."
)


@pytest.fixture()
def store(tmp_path: Path, cache_dir: Path, hashed: HashedEmbedder) -> Dasbot:
    """An empty store embedding with hashed vectors."""
    return Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir), embedder=hashed)


def _saved(document: WordDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _tariff_document() -> bytes:
    """A Word document with a heading, a paragraph, a numbered list, a tariff table and a closing line."""
    document = docx.Document()
    document.add_heading("Nye takster for specialbørnehjemmene", level=1)
    document.add_paragraph(INTRO)
    document.add_paragraph("Godkendelse af dagsorden", style="List Number")
    document.add_paragraph("Godkendelse af referat fra seneste møde", style="List Number")
    document.add_paragraph("DAS godkender dagsordenen", style="List Bullet")
    table = document.add_table(rows=1 + len(TARIFF_ROWS), cols=len(TARIFF_HEAD))
    for row, texts in zip(table.rows, [TARIFF_HEAD, *TARIFF_ROWS]):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    document.add_paragraph("FU har godkendt den reviderede takst.")
    return _saved(document)


# ------------------------------------------------------------------------------------- Word


def test_docx_paragraphs_lists_and_tables_come_back_in_order() -> None:
    [page] = pages_of("takster.docx", _tariff_document())
    assert page.number is None
    assert page.text.splitlines() == [
        "Nye takster for specialbørnehjemmene",
        INTRO,
        "1. Godkendelse af dagsorden",
        "2. Godkendelse af referat fra seneste møde",
        "• DAS godkender dagsordenen",
        "\t".join(TARIFF_HEAD),
        *("\t".join(row) for row in TARIFF_ROWS),
        "FU har godkendt den reviderede takst.",
    ]


def test_docx_layout_table_keeps_its_blocks_and_skips_deleted_text() -> None:
    """A one-row table holding an item (a layout table) keeps its paragraphs as lines; merged cells are read
    once; a deletion tracked in the text is not read, an insertion is."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Punkt 1."
    item = table.cell(0, 1)
    item.text = "Godkendelse af dagsorden"
    item.add_paragraph("Det indstilles, at")
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Beslutning: Godkendt."
    paragraph = document.add_paragraph("DAS godkender ")
    run = paragraph.add_run("ikke ")
    deletion = paragraph._p.makeelement(docx.oxml.ns.qn("w:del"), {})
    run._r.addprevious(deletion)
    deletion.append(run._r)
    run._r.find(docx.oxml.ns.qn("w:t")).tag = docx.oxml.ns.qn("w:delText")
    paragraph.add_run("referatet")
    [page] = pages_of("punkt.docx", _saved(document))
    assert page.text.splitlines() == [
        "Punkt 1.",
        "Godkendelse af dagsorden",
        "Det indstilles, at",
        "Beslutning: Godkendt.",
        "DAS godkender referatet",
    ]


def test_docx_agenda_is_parsed_as_its_text_is(store: Dasbot, tmp_path: Path) -> None:
    """A bundled agenda written to Word paragraph by paragraph gives the same meeting, items and decisions as the
    text file: the same segmenters read both."""
    text = corpus_file("003").read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    (tmp_path / "dagsorden.docx").write_bytes(_saved(document))
    (tmp_path / "dagsorden.txt").write_text("\n".join(line.strip() for line in text.splitlines()), encoding="utf-8")
    as_word, as_text = (store.index([tmp_path / name])[0] for name in ("dagsorden.docx", "dagsorden.txt"))
    assert as_word.status == "indexed" and as_word.meeting_date == "2023-01-20" and as_word.items == 17
    assert (as_word.items, as_word.decisions, as_word.tariffs) == (as_text.items, as_text.decisions, as_text.tariffs)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _broken_document_part() -> bytes:
    """A real Word document whose main part is cut off mid-element."""
    source = zipfile.ZipFile(io.BytesIO(_tariff_document()))
    members = {info.filename: source.read(info) for info in source.infolist()}
    members["word/document.xml"] = members["word/document.xml"][:700]
    return _zip(members)


def _spreadsheet_as_docx() -> bytes:
    """A zip archive that is an Office file, but no Word document (a workbook renamed)."""
    types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sheet.main+xml"/></Types>'
    )
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    return _zip({"[Content_Types].xml": types, "_rels/.rels": rels, "xl/workbook.xml": workbook})


def _bomb() -> bytes:
    """A Word archive whose parts declare 150 MB unpacked, from about 150 kB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("word/document.xml", "w") as part:
        for _ in range(150):
            part.write(b"<" * 1_000_000)
    return out.getvalue()


HOSTILE_DOCX = {  # case: (builder, reason)
    "old Word format renamed": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, Reason.NOT_DOCX),
    "a workbook renamed": (_spreadsheet_as_docx, Reason.NOT_DOCX),
    "truncated archive": (lambda: _tariff_document()[:3000], Reason.NOT_DOCX),
    "main part cut off": (_broken_document_part, Reason.CORRUPT_DOCX),
    "zip bomb": (_bomb, Reason.ARCHIVE_OVER_LIMIT),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_DOCX))
def test_hostile_docx_is_refused_with_a_danish_reason(store: Dasbot, tmp_path: Path, case: str) -> None:
    build, reason = HOSTILE_DOCX[case]
    data = build()
    with pytest.raises(UnreadableFile) as caught:
        extract_file("referat.docx", data, DEFAULT_LIMITS)  # in the child process, as indexing reads it
    assert caught.value.reason is reason
    path = tmp_path / "referat.docx"
    path.write_bytes(data)
    [report] = store.index([path])
    assert (report.status, report.reason) == ("failed", reason)
    assert describe(report).startswith("referat.docx er ikke indekseret: ") and "Traceback" not in describe(report)


# ------------------------------------------------------------------------------------- web pages


def test_firstagenda_page_gives_items_as_number_and_title_lines() -> None:
    """The real Aarhus minutes page: labelled meeting lines with a TAB, the Punkt/Titel header, each item as its
    number line then its title line, decisions under their heading; scripts, menus and dialogs left out."""
    [page] = read_pages(shared_path(*AARHUS))
    lines = page.text.splitlines()
    assert "Udvalg:\tTeknisk Udvalg" in lines
    assert "Mødedato:\tonsdag den 1. oktober 2025 kl. 15.45" in lines
    start = lines.index("Punkt\tTitel")
    assert lines[start + 1 : start + 4] == ["1", AARHUS_ITEMS[0], "EMN-2025-010561"]
    numbers = [index for index, line in enumerate(lines) if line.isdigit()]
    assert [lines[index] for index in numbers] == [str(n) for n in range(1, 7)]
    assert lines[numbers[1] + 1] == AARHUS_ITEMS[1]
    assert sum(lines[index + 2].startswith("EMN-") for index in numbers) == 5  # "Eventuelt" has no case
    assert lines.count("Beslutninger") == 6
    assert "Jakob Søgaard Clausen tog forbehold." in lines
    assert "• Bilag 2: Høringssvar" in lines
    for chrome in ("Hent som PDF", "Kopier link", "Tip en ven", "Tilbage til forsiden", "Luk", "localizationKeys"):
        assert not any(chrome in line for line in lines), chrome


def test_html_blocks_lists_and_tables() -> None:
    """Block elements start lines, inline ones do not; `<br>` breaks; lists get bullets; a data table keeps a row
    per line; navigation, page header and footer, scripts, styles and forms are left out; a header inside an
    article is the article's own."""
    rows = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in row)}</tr>" for row in [TARIFF_HEAD, *TARIFF_ROWS])
    page = f"""<!DOCTYPE html><html><head><title>Side</title><style>p {{ color: red }}</style></head><body>
    <header><a href="/">Forside</a></header><nav><ul><li>Menu</li></ul></nav>
    <script>var x = "<p>nej</p>";</script>
    <article><header><h2>Nye takster for <em>specialbørnehjemmene</em></h2></header>
    <p>Region Nordjylland har opdaget, at de har indberettet de forkerte takster
       til takstbilaget for 2021 for specialbørnehjemmene.</p>
    <table><thead>{rows[: rows.index("</tr>") + 5]}</thead><tbody>{rows[rows.index("</tr>") + 5 :]}</tbody></table>
    <ul><li><p>DAS godkender dagsordenen</p></li><li>DAS godkender<br>referatet</li></ul>
    <form><label>Søg</label><input value="x"><button>Søg</button></form>
    <span>FU har godkendt</span> <b>den reviderede takst.</b>
    </article><footer>Kontakt os</footer></body></html>"""
    assert html_text(page.encode()).splitlines() == [
        "Nye takster for specialbørnehjemmene",
        INTRO,
        "\t".join(TARIFF_HEAD),
        *("\t".join(row) for row in TARIFF_ROWS),
        "• DAS godkender dagsordenen",
        "• DAS godkender",
        "referatet",
        "FU har godkendt den reviderede takst.",
    ]


def test_html_encodings() -> None:
    """UTF-8, a declared charset, and windows-1252 when a page is not UTF-8 and declares nothing."""
    body = "<p>Mødet i Ålborg: søndag</p>"
    assert html_text(body.encode()) == "Mødet i Ålborg: søndag"
    declared = f'<html><head><meta charset="iso-8859-1"></head><body>{body}</body></html>'
    assert html_text(declared.encode("iso-8859-1")) == "Mødet i Ålborg: søndag"
    assert html_text(body.encode("windows-1252")) == "Mødet i Ålborg: søndag"


@pytest.mark.parametrize(
    "data",
    [
        b"<div>" * (50_000_000 // 5 - 1),  # 50 MB of nesting
        b"<p>" + b"<b>" * 300 + b"dybt" + b"</b>" * 300 + b"</p>",  # deeper than the parser's 256
        b"<p>x</p>" * (MAX_ELEMENTS + 1),
        b"<p>" + b"ord " * 3_000_000 + b"</p>",  # one text of 12 MB
    ],
    ids=["50 MB nesting", "300 deep", "too many elements", "one huge text"],
)
def test_hostile_html_is_refused_quickly(data: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(UnreadableFile) as caught:
        extract_file("side.html", data, DEFAULT_LIMITS)
    assert caught.value.reason is Reason.HTML_OVER_LIMIT
    assert time.monotonic() - started < 20


def test_html_and_docx_are_read_in_the_child_process() -> None:
    """The same pages in process and through the limited child."""
    page = b"<p>Punkt 1.</p><p>Godkendelse af dagsorden</p>"
    for name, data in (("side.htm", page), ("takster.docx", _tariff_document())):
        assert extract_file(name, data, DEFAULT_LIMITS).pages == pages_of(name, data)


# ------------------------------------------------------------------------------------- form feeds


def test_form_feeds_split_text_into_numbered_pages() -> None:
    text = "Referat\nSide 1\n\fMeddelelser\nSide 2\n\f \n\fBeslutning\nSide 4\n\f"
    assert pages_of("referat.txt", text.encode()) == [
        Page(1, "Referat\nSide 1\n"),
        Page(2, "Meddelelser\nSide 2\n"),
        Page(4, "Beslutning\nSide 4\n"),
    ]
    assert pages_of("notat.md", b"Ingen sider\nher") == [Page(None, "Ingen sider\nher")]


def test_pdftotext_rendering_keeps_its_pages() -> None:
    """A real `pdftotext` rendering: three pages, as the PDF has."""
    pages = read_pages(shared_path("corpus", "other", "ballerup_kmb-it-udvalget_2013-05-15_enclosure-1.txt"))
    assert [page.number for page in pages] == [1, 2, 3]
    assert pages[1].text.startswith("Når vi skal åbne et marked")


def test_page_of_chrome_only_is_no_text() -> None:
    with pytest.raises(UnreadableFile) as caught:
        pages_of("menu.html", b"<nav><a href='/'>Forside</a></nav><script>x()</script>")
    assert caught.value.reason is Reason.NO_TEXT


# ------------------------------------------------------------------------------------- acceptance


def test_telegram_accepts_the_new_types_in_any_case() -> None:
    assert {".docx", ".html", ".htm"} <= SUPPORTED
    for name in ("Referat.DOCX", "side.Html", "side.htm", "dagsorden.PDF", "notat.TXT"):
        assert refusal(name, 1000) is None, name
    assert refusal("budget.xlsx", 1000) is Refusal.UNSUPPORTED
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert safe_filename("Referat", word) == "Referat.docx"
    assert safe_filename("side", "text/html") == "side.html"
