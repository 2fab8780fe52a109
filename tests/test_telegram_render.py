"""The Telegram HTML: the 4096 splitter (property-based), escaping, highlighting, upload and rebuild reports with
their Danish reasons, safe names."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from bot.answer import Answer, Passage
from bot.citation import Citation
from bot.lookups.items import ItemRecord
from bot.telegram import keyboards, render
from bot.telegram.indexing import Rebuild, safe_filename
from bot.telegram.split import MAX_TEXT, plain_text, split_html, units
from indexer import ocr
from indexer.database import make_engine
from indexer.embedding import Embedder
from indexer.indexer import Indexer
from indexer.read import MAX_FILE_SIZE, UnreadableFile, read_pages
from indexer.report import FileReport, Reason, Status
from tests.support.fake_telegram import parse_html, utf16_len
from tests.support.pdfs import encrypted, write_pdf

TEXT = st.text(
    alphabet=st.one_of(st.sampled_from("<>&\"' \n\n\n.;æøå"), st.characters(codec="utf-8", exclude_categories=("Cs",))),
    max_size=400,
)
INLINE_TAGS = [
    "<b>",
    "<i>",
    "<u>",
    "<s>",
    "<strong>",
    "<em>",
    '<span class="tg-spoiler">',
    '<a href="https://das.example/?a=1&amp;b=2">',
]


def _wrap(tag: str, inner: str) -> str:
    return f"{tag}{inner}</{tag[1:].split()[0].rstrip('>')}>"


def _fragments(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Children side by side, some wrapped in a tag (never a link inside a link)."""
    wrapped = (
        st.tuples(st.sampled_from(INLINE_TAGS), children)
        .filter(lambda pair: not (pair[0].startswith("<a") and "<a " in pair[1]))
        .map(lambda pair: _wrap(*pair))
    )
    return st.lists(st.one_of(wrapped, children), max_size=4).map("".join)


ESCAPED = TEXT.map(render.esc)
CODE = TEXT.map(lambda t: f"<code>{render.esc(t)}</code>")
FRAGMENT = st.recursive(st.one_of(ESCAPED, CODE), _fragments, max_leaves=30)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def check_pieces(fragment: str, pieces: list[str], limit: int) -> None:
    """Each piece is valid Telegram HTML within the limit, and together they hold all the visible text."""
    for piece in pieces:
        plain = parse_html(piece)
        assert plain.strip(), piece
        assert utf16_len(plain) <= limit
    assert _squeezed("".join(parse_html(p) for p in pieces)) == _squeezed(parse_html(fragment))


@given(FRAGMENT, st.integers(min_value=2, max_value=300))
def test_split_keeps_valid_html_within_the_limit_whatever_the_text(fragment: str, limit: int) -> None:
    check_pieces(fragment, split_html(fragment, limit), limit)


@settings(max_examples=25, deadline=None)
@given(st.lists(FRAGMENT, min_size=1, max_size=12))
def test_split_at_telegrams_limit(blocks: list[str]) -> None:
    fragment = "\n\n".join(blocks * 4)
    pieces = split_html(fragment)
    check_pieces(fragment, pieces, MAX_TEXT)
    assert len(pieces) >= -(-utf16_len(_squeezed(parse_html(fragment))) // MAX_TEXT)


def test_split_prefers_paragraphs_and_reopens_tags() -> None:
    blocks = [f"<b>Afsnit {n}</b>\n" + render.esc(("ord & ord " * 300).strip()) for n in range(3)]
    pieces = split_html("\n\n".join(blocks))
    assert pieces == blocks
    long_bold = "<b>" + render.esc("fed < tekst " * 800) + "</b>"
    pieces = split_html(long_bold)
    assert len(pieces) == 3 and all(p.startswith("<b>") and p.endswith("</b>") for p in pieces)


def test_split_counts_utf16_units_and_entities_once() -> None:
    assert units("😀") == 2 and plain_text("&lt;b&gt; &amp; &#x1F600;") == "<b> & 😀"
    emoji = "😀" * 3000
    assert [utf16_len(p) for p in split_html(emoji)] == [4096, 1904]
    amps = "&amp;" * 4096
    assert split_html(amps) == [amps]


def passage(text: str, matched: tuple[str, ...] = (), rank: int = 1, **fields: object) -> Passage:
    values: dict[str, object] = {
        "source": "dagsorden <2024>.txt",
        "page": 3,
        "meeting_date": date(2024, 2, 5),
        "committee": "DAS Social",
        "item": 2,
        "item_title": "Takster & <tilbud>",
        "section": "Indstilling",
        "heading": None,
        "chunk_id": 7,
        "document_id": 1,
        "item_id": 4,
    }
    return Passage(rank, 1.0, text, Citation(**(values | fields)), matched)


def test_highlight_bolds_matched_words_and_escapes_the_rest() -> None:
    assert render.highlight("Kvisten & kvistens <amp> amp", ("kvisten", "amp")) == (
        "<b>Kvisten</b> &amp; kvistens &lt;<b>amp</b>&gt; <b>amp</b>"
    )


@given(TEXT, st.lists(st.from_regex(r"\w{1,8}", fullmatch=True), max_size=4))
def test_a_passage_is_valid_html_whatever_its_text(text: str, matched: list[str]) -> None:
    html = render.passage(passage(text, tuple(matched)))
    plain = parse_html(html)
    assert (
        plain
        == f"[1] DAS Social møde 05.02.2024 · Punkt 2: Takster & <tilbud> · Indstilling · side 3 · dagsorden <2024>.txt\n{text}"
    )
    assert html.startswith("<b>[1] DAS Social møde 05.02.2024 · Punkt 2: Takster &amp; &lt;tilbud&gt;")


def test_an_abstention_is_one_line_suggesting_a_lookup() -> None:
    text = render.answer(Answer(question="?", abstained=True), [], with_facts=True)
    assert text == render.NO_ANSWER and "\n" not in text and "/takst" in text


def test_a_whole_item_with_markup_in_the_record_is_valid() -> None:
    record = ItemRecord(
        number=2,
        title="Takster <2024> & <b>",
        case_number="2024-1",
        page=None,
        source="a.txt",
        meeting_date=date(2024, 2, 5),
        committee="DAS Social",
        sections=[("Resumé", "a < b & c > d"), ("", "uden overskrift")],
        appendices=[("Bilag <1>", "x & y"), ("Tomt", "")],
    )
    plain = parse_html(render.item(record))
    assert plain.startswith("Punkt 2: Takster <2024> & <b>\nDAS Social møde 05.02.2024 · sag 2024-1 · a.txt")
    assert "Resumé\na < b & c > d" in plain and "Bilag: Bilag <1>\nx & y" in plain and "Bilag: Tomt" not in plain


def _unreadable(tmp_path: Path, name: str, content: bytes) -> FileReport:
    """The report of a file the reader refuses."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as error:
        read_pages(path)
    return FileReport(
        name, Status.FAILED, error=str(error.value), reason=error.value.reason, details=error.value.details
    )


@pytest.mark.parametrize(
    ("name", "content", "danish"),
    [
        ("tom.txt", b"", "filen er tom"),
        ("latin1.txt", "Møde".encode("latin-1"), "ikke UTF-8"),
        ("falsk.pdf", b"not a pdf", "ikke en gyldig PDF"),
        ("kaput.pdf", b"%PDF-1.4\n1 0 obj <<", "beskadiget eller ufuldstændig"),
        ("billede.png", b"\x89PNG", "filtypen .png understøttes ikke"),
        ("brudt.docx", b"PK\x03\x04", "filen er ikke et gyldigt Word-dokument"),
        ("dyb.html", b"<b>" * 300, "HTML-siden overskrider en grænse"),
    ],
)
def test_reader_errors_get_danish_reasons(tmp_path: Path, name: str, content: bytes, danish: str) -> None:
    assert danish in parse_html(render.index_report(_unreadable(tmp_path, name, content), notified=0))


def _no_pages(path: Path) -> None:
    PdfWriter().write(path)


def _blank_page(path: Path) -> None:
    write_pdf(path, [""])


def _locked(path: Path) -> None:
    encrypted(write_pdf(path.with_name("aaben.pdf"), ["Lukket punkt"]), path, "hemmelig")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _big(path: Path) -> None:
    with path.open("wb") as file:
        file.truncate(MAX_FILE_SIZE + 1)  # sparse: takes no disk space


SCANNED = (  # OCR runs where Tesseract is installed
    "PDF'en har ingen tekst, og OCR fandt heller ingen tekst på siderne (er de billeder uden tekst?)"
    if ocr.engine()
    else "PDF'en har ingen tekst (den er nok scannet) og skal først OCR-behandles; installér Debian-pakkerne "
    "tesseract-ocr og tesseract-ocr-dan, så læser botten selv scannede sider"
)


@pytest.mark.parametrize(
    ("name", "make", "danish"),
    [
        ("ingen-sider.pdf", _no_pages, "PDF'en har ingen sider"),
        ("scannet.pdf", _blank_page, SCANNED),
        ("laast.pdf", _locked, "PDF'en er beskyttet med adgangskode"),
        ("fifo.txt", _fifo, "det er ikke en almindelig fil"),
        ("stor.txt", _big, "filen er for stor (50.1 MB; grænsen er 50 MB)"),
        ("findes-ikke.txt", lambda path: None, "filen findes ikke"),
    ],
)
def test_indexer_errors_get_danish_reasons(
    tmp_path: Path, name: str, make: Callable[[Path], None], danish: str
) -> None:
    """The reports of a real indexer (these files fail before any text is embedded)."""

    def no_model() -> Embedder:
        raise AssertionError("nothing should be embedded")

    make(tmp_path / name)
    indexer = Indexer(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"), tmp_path / "chunks.faiss", no_model)
    [report] = indexer.index([tmp_path / name])
    assert report.status == "failed"
    assert parse_html(render.index_report(report, notified=0)) == f"❌ {name} er ikke indekseret: {danish}."


def test_an_unexpected_failure_names_its_kind_and_points_to_the_log(tmp_path: Path) -> None:
    def broken() -> Embedder:
        raise OSError("disk full")

    (tmp_path / "a.txt").write_text("Punkt 1. Dagsorden\n\nTekst om Kvisten.", encoding="utf-8")
    indexer = Indexer(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"), tmp_path / "chunks.faiss", broken)
    [report] = indexer.index([tmp_path / "a.txt"])
    assert (report.reason, report.details) == (Reason.UNEXPECTED, {"error": "OSError"})
    assert parse_html(render.index_report(report, notified=0)) == (
        "❌ a.txt er ikke indekseret: en uventet fejl (OSError); detaljerne står i loggen."
    )


def report(**fields: object) -> FileReport:
    values: dict[str, object] = {
        "path": "dagsorden <2>.txt",
        "status": "indexed",
        "kind": "agenda",
        "committee": "DAS Social",
        "meeting_date": "2024-02-05",
        "items": 2,
        "appendices": 1,
        "chunks": 7,
        "tariffs": 0,
        "decisions": 2,
    }
    return FileReport(**(values | fields))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {},
            [
                "✅ dagsorden <2>.txt er indekseret",
                "Møde: DAS Social 05.02.2024",
                "2 punkter · 1 bilag · 7 tekststykker · 0 takster · 2 indstillinger/beslutninger",
                "Det kan besvares med det samme.",
            ],
        ),
        ({"status": "replaced"}, ["✅ dagsorden <2>.txt er opdateret (den tidligere udgave er erstattet)"]),
        (
            {"status": "replaced", "replaces": ["dagsorden.txt", "udkast & noter.txt"]},
            [
                "✅ dagsorden <2>.txt er indekseret",
                "Erstatter den ældre udgave af mødets dokument: dagsorden.txt, udkast & noter.txt",
            ],
        ),
        ({"empty_pages": [2, 4]}, ["Sider uden tekst (kræver OCR): 2, 4. Resten er indekseret."]),
        (
            {"empty_pages": [*range(2, 3002), 3005, 3007, 3008]},
            ["Sider uden tekst (kræver OCR): 2–3001, 3005, 3007–3008. Resten er indekseret."],
        ),
        (
            {"empty_pages": list(range(2, 200, 2))},
            [
                "Sider uden tekst (kræver OCR): 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, "
                "38, 40 og 79 andre. Resten er indekseret."
            ],
        ),
        (
            {"status": "unchanged", "duplicate_of": "kopi <1>.txt", "reason": Reason.DUPLICATE, "chunks": 0},
            ["ℹ️ dagsorden <2>.txt er ikke indekseret: samme indhold er allerede indekseret som kopi <1>.txt."],
        ),
        (
            {"status": "replaced", "duplicate_of": "kopi.txt", "reason": Reason.DUPLICATE, "chunks": 0},
            [
                (
                    "ℹ️ dagsorden <2>.txt er ikke indekseret: samme indhold er allerede indekseret som kopi.txt; "
                    "den tidligere udgave af dagsorden <2>.txt er fjernet."
                )
            ],
        ),
        (
            {
                "status": "unchanged",
                "newer_version": "dagsorden-rettet.pdf",
                "reason": Reason.OLDER_VERSION,
                "chunks": 0,
            },
            [
                (
                    "ℹ️ dagsorden <2>.txt er ikke indekseret: den er en ældre udgave af samme mødes dokument end "
                    "dagsorden-rettet.pdf, som er indekseret."
                )
            ],
        ),
        (
            {"status": "unchanged", "chunks": 0},
            ["ℹ️ dagsorden <2>.txt er allerede indekseret med samme indhold; intet er ændret."],
        ),
        (
            {"status": "failed", "reason": Reason.PASSWORD_PROTECTED},
            ["❌ dagsorden <2>.txt er ikke indekseret: PDF'en er beskyttet med adgangskode."],
        ),
    ],
)
def test_an_upload_report_says_what_happened_to_the_file(fields: dict[str, object], expected: list[str]) -> None:
    lines = parse_html(render.index_report(report(**fields), notified=0)).split("\n")
    assert all(line in lines for line in expected), lines
    if fields.get("status") in ("unchanged", "failed") or "duplicate_of" in fields:
        assert len(lines) == 1  # nothing about counts, nor "can be asked at once"
    if "empty_pages" not in fields:
        assert not any("OCR" in line for line in lines)


def test_a_rebuild_report_lists_what_failed_and_what_was_left_out() -> None:
    rebuilt = Rebuild(
        [
            report(status="replaced"),
            report(path="blandet.pdf", status="replaced", empty_pages=[3], chunks=5),
            report(
                path="gammel.txt", status="unchanged", newer_version="ny.txt", reason=Reason.OLDER_VERSION, chunks=0
            ),
            report(
                path="ødelagt.pdf",
                status="failed",
                reason=Reason.CORRUPT_PDF,
                details={"error": "PdfReadError"},
                chunks=0,
            ),
        ],
        kept=["referat.pdf"],
    )
    assert parse_html(render.rebuild_report(rebuilt)).split("\n") == [
        "⚠️ Genindeksering færdig med fejl",
        "4 filer: 2 indekseret, 1 fejlet · 12 tekststykker",
        "❌ ødelagt.pdf: PDF'en er beskadiget eller ufuldstændig; den hidtidige udgave er beholdt",
        "ℹ️ gammel.txt er ikke indekseret: den er en ældre udgave af samme mødes dokument end ny.txt, som er indekseret.",
        "blandet.pdf: Sider uden tekst (kræver OCR): 3. Resten er indekseret.",
        "Beholdt som de var (kildefilen ligger ikke hos botten): referat.pdf",
    ]


@given(st.text(max_size=300), st.sampled_from([None, "application/pdf", "text/plain"]))
def test_a_safe_filename_never_leaves_the_uploads_folder(name: str, mime: str | None) -> None:
    safe = safe_filename(name, mime)
    uploads = Path("/srv/data/uploads")
    assert (uploads / safe).resolve().parent == uploads
    assert safe and not safe.startswith(".") and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert safe_filename(safe, mime) == safe


def test_callback_data_stays_under_64_bytes() -> None:
    huge = 10**18
    markup = keyboards.answer([passage("x", chunk_id=huge, item_id=huge, rank=12)], next_offset=huge)
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert len(data) == 3 and all(len(d.encode()) <= 64 for d in data)
    assert keyboards.value(keyboards.data(keyboards.MORE, 3)) == 3
