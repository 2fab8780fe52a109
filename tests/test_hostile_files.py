"""Hostile and awkward files: every bad one fails with one clear line and leaves the index exactly as it was;
duplicates, renamed copies and newer versions of a meeting's agenda or minutes leave nothing stale.

Stores here embed with `HashedEmbedder` (the real tokenizer, vectors hashed from the text): these tests are
about what is stored, not about ranking, and so skip the model's seconds per file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject
from sqlmodel import Session, select

from bot import cli
from bot.core import Dasbot
from bot.describe import describe
from bot.lookups.decisions import all_decisions
from bot.settings import PROJECT_ROOT, Settings
from bot.telegram import render
from indexer import ocr
from indexer.ann import compare_ann
from indexer.database import make_engine
from indexer.models import Chunk, Document, Meeting, Tariff
from indexer.read import CONTENT_LIMIT, MAX_FILE_SIZE, STREAM_LIMIT
from indexer.report import FileReport, Reason
from tests.conftest import corpus_file, shared_path
from tests.support.fake_telegram import parse_html
from tests.support.pdfs import encrypted, write_pdf
from tests.support.records import HashedEmbedder, agenda

QUESTION = "takst for aflastning på Torvevej"


@pytest.fixture()
def store(tmp_path: Path, cache_dir: Path, hashed: HashedEmbedder) -> Dasbot:
    """An empty store embedding with hashed vectors."""
    other = Dasbot(Settings(data_dir=tmp_path / "data", cache_dir=cache_dir), embedder=hashed)
    return other


@pytest.fixture()
def indexed(store: Dasbot, tmp_path: Path) -> Dasbot:
    """A store holding one small agenda."""
    path = tmp_path / "dagsorden.txt"
    path.write_text(agenda(), encoding="utf-8")
    assert [r.status for r in store.index([path])] == ["indexed"]
    return store


def state(store: Dasbot) -> tuple:
    """What a failed file must not change: documents, chunk ids and texts, FAISS bytes, search results."""
    with Session(store.engine) as session:
        documents = session.exec(select(Document.filename, Document.sha256).order_by(Document.id)).all()
        chunks = session.exec(select(Chunk.id, Chunk.text).order_by(Chunk.id)).all()
        meetings = session.exec(select(Meeting.committee, Meeting.date).order_by(Meeting.id)).all()
    hits = [(hit.chunk.id, round(hit.score, 6)) for hit in store.searcher.search(QUESTION, k=5)]
    return documents, chunks, meetings, store.settings.ann_path.read_bytes(), hits


def texts(store: Dasbot) -> str:
    with Session(store.engine) as session:
        return "\n".join(session.exec(select(Chunk.text)).all())


def filenames(store: Dasbot) -> list[str]:
    with Session(store.engine) as session:
        return sorted(session.exec(select(Document.filename)).all())


# ----------------------------------------------------------------------------------------- builders


def png(width: int = 16, height: int = 16) -> bytes:
    """A small red RGB PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc8\x1e\x1e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def scanned_pdf(path: Path, pages: list[str | None]) -> Path:
    """A PDF whose pages carry a text line, or (None) only an image and no text layer, like a scan."""
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        if text is None:
            pdf.image(io.BytesIO(png()), x=10, y=10, w=180)
        else:
            pdf.text(10, 20, text)
    pdf.output(str(path))
    return path


def zero_bomb(path: Path, pages: int, size: int) -> Path:
    """A PDF whose every page is a FlateDecode stream of `size` zero bytes (a few kB each on disk)."""
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(300, 300)
        stream = DecodedStreamObject()
        stream.set_data(b"\0" * size)
        page.replace_contents(stream.flate_encode())
    writer.write(path)
    return path


def form_bomb(path: Path, draws: int, form_size: int) -> Path:
    """One page drawing the same form XObject of `form_size` bytes of text operators `draws` times (a few kB on
    disk): each draw is parsed again, so extracting it costs `draws` times one form's parse."""
    writer = PdfWriter()
    operator = b"BT /F1 12 Tf 20 150 Td (x) Tj ET\n"
    form = DecodedStreamObject()
    form.set_data(operator * (form_size // len(operator)))
    form = form.flate_encode()
    font = {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1")}
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(map(NumberObject, [0, 0, 300, 300]))
    fonts = DictionaryObject({NameObject("/F1"): DictionaryObject(font)})
    form[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    page = writer.add_blank_page(300, 300)
    xobjects = DictionaryObject({NameObject("/X0"): writer._add_object(form)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    content = DecodedStreamObject()
    content.set_data(b"q /X0 Do Q\n" * draws)
    page.replace_contents(content.flate_encode())
    writer.write(path)
    return path


def _empty_pdf(path: Path) -> None:
    path.write_bytes(b"")


def _text_as_pdf(path: Path) -> None:
    path.write_text("Referat\nSundheds- og Forebyggelsesudvalget", encoding="utf-8")


def _truncated_pdf(path: Path) -> None:
    whole = write_pdf(path, ["Referat", "Side 2"]).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def _garbage_pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 64)


def _pdf_without_pages(path: Path) -> None:
    PdfWriter().write(path)


def _stream_bomb(path: Path) -> None:
    write_pdf(path, ["Referat"], padding=STREAM_LIMIT + 1_000_000)


def _many_stream_bomb(path: Path) -> None:
    zero_bomb(path, pages=12, size=45_000_000)  # 540 MB decompressed, every stream under STREAM_LIMIT


def _locked_pdf(path: Path) -> None:
    encrypted(write_pdf(path.with_name("plain.pdf"), ["Lukket punkt"]), path, "hemmelig")


def _scanned(path: Path) -> None:
    scanned_pdf(path, [None, None])


def _latin1_text(path: Path) -> None:
    path.write_bytes("Møde på rådhuset".encode("latin-1"))


def _docx(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)


def _docx_bomb(path: Path) -> None:
    """A Word archive whose document part unpacks to 200 MB (a zip bomb of about 200 kB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("word/document.xml", "w") as part:
        for _ in range(200):
            part.write(b" " * 1_000_000)


def _nested_html(path: Path) -> None:
    """50 MB of nested elements: an HTML5 parser's time grows with the square of the depth."""
    path.write_bytes(b"<div>" * (MAX_FILE_SIZE // 5 - 1))


def _spreadsheet(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)


def _no_suffix(path: Path) -> None:
    path.write_text(agenda(), encoding="utf-8")


def _fifo(path: Path) -> None:
    os.mkfifo(path)  # reading it would block for ever


def _device(path: Path) -> None:
    path.symlink_to("/dev/zero")  # reading it would never end


def _sparse_oversized(path: Path) -> None:
    with path.open("wb") as file:
        file.truncate(MAX_FILE_SIZE + 1)  # sparse: takes no disk space


SCANNED = (Reason.OCR_NO_TEXT, "OCR found none") if ocr.engine() else (Reason.NEEDS_OCR, "needs OCR")
"""A scan of pictures without text: OCR'd and found empty where Tesseract is installed, else it needs OCR."""
HOSTILE = {  # name: (builder, reason, the English line's words for the log)
    "empty.pdf": (_empty_pdf, Reason.EMPTY, "the file is empty"),
    "tekst.pdf": (_text_as_pdf, Reason.NOT_PDF, "not a PDF file"),
    "afkortet.pdf": (_truncated_pdf, Reason.CORRUPT_PDF, "corrupt or truncated PDF"),
    "skrald.pdf": (_garbage_pdf, Reason.CORRUPT_PDF, "corrupt or truncated PDF"),
    "ingen-sider.pdf": (_pdf_without_pages, Reason.NO_PAGES, "has no pages"),
    "bombe.pdf": (_stream_bomb, Reason.STREAM_OVER_LIMIT, f"exceeds the {STREAM_LIMIT // 1_000_000} MB limit"),
    "mange-bomber.pdf": (
        _many_stream_bomb,
        Reason.CONTENT_OVER_LIMIT,
        f"exceeds the {CONTENT_LIMIT // 1_000_000} MB limit",
    ),
    "laast.pdf": (_locked_pdf, Reason.PASSWORD_PROTECTED, "password-protected"),
    "scannet.pdf": (_scanned, *SCANNED),
    "latin1.txt": (_latin1_text, Reason.NOT_UTF8, "not UTF-8"),
    "referat.docx": (_docx, Reason.NOT_DOCX, "not a Word document"),
    "bombe.docx": (_docx_bomb, Reason.ARCHIVE_OVER_LIMIT, f"unpacks to more than {CONTENT_LIMIT // 1_000_000} MB"),
    "dyb.html": (_nested_html, Reason.HTML_OVER_LIMIT, "passes a parser limit"),
    "regneark.xlsx": (_spreadsheet, Reason.UNSUPPORTED_TYPE, "unsupported file type .xlsx"),
    "referat": (_no_suffix, Reason.UNSUPPORTED_TYPE, "unsupported file type (none)"),
    "fifo.txt": (_fifo, Reason.NOT_REGULAR_FILE, "not a regular file"),
    "nul.txt": (_device, Reason.NOT_REGULAR_FILE, "not a regular file"),
    "kaempe.txt": (_sparse_oversized, Reason.TOO_LARGE, "the file is too large (50.1 MB; the limit is 50 MB)"),
}


# ------------------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_bad_file_fails_clearly_and_changes_nothing(indexed: Dasbot, tmp_path: Path, name: str) -> None:
    build, reason, english = HOSTILE[name]
    path = tmp_path / name
    build(path)
    before = state(indexed)
    [report] = indexed.index([path])
    assert (report.status, report.reason) == ("failed", reason)
    assert english in report.error and report.error.startswith(f"{name}: ") and "\n" not in report.error
    assert state(indexed) == before


def test_absurd_amounts_are_not_tariffs_and_fail_nothing(store: Dasbot, tmp_path: Path) -> None:
    """A real tariff table (001, specialbørnehjemmene 2021) with one cell of 40 digits."""
    lines = corpus_file("001").read_text(encoding="utf-8").splitlines()[1409:1421]
    table = "\n".join(lines).replace("4.963", "1" * 40)
    path = tmp_path / "takster.txt"
    path.write_text(agenda() + "\n" + table + "\n", encoding="utf-8")
    [report] = store.index([path])
    assert report.status == "indexed" and report.tariffs >= 4
    with Session(store.engine) as session:
        amounts = set(session.exec(select(Tariff.amount_dkk)).all())
    assert {4308, 4114, 7202, 7008} <= amounts and max(amounts) <= 10**15


def test_missing_file(indexed: Dasbot, tmp_path: Path) -> None:
    before = state(indexed)
    [report] = indexed.index([tmp_path / "findes-ikke.pdf"])
    assert (report.status, report.reason) == ("failed", Reason.NO_SUCH_FILE)
    assert report.error == "findes-ikke.pdf: no such file"
    assert state(indexed) == before


def test_bad_files_among_good_ones_fail_alone(store: Dasbot, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    _truncated_pdf(folder / "a-afkortet.pdf")
    (folder / "b-dagsorden.txt").write_text(agenda(), encoding="utf-8")
    _empty_pdf(folder / "c-tom.pdf")
    reports = store.index([folder])
    assert [(r.path, r.status) for r in reports] == [
        ("a-afkortet.pdf", "failed"),
        ("b-dagsorden.txt", "indexed"),
        ("c-tom.pdf", "failed"),
    ]
    assert compare_ann(store.engine, store.settings.ann_path).ok


def test_cli_gives_one_line_per_bad_file_and_exit_1(indexed: Dasbot, tmp_path: Path) -> None:
    names = ["empty.pdf", "tekst.pdf", "afkortet.pdf", "laast.pdf", "scannet.pdf", "referat.docx", "kaempe.txt"]
    for name in names:
        HOSTILE[name][0](tmp_path / name)
    before = state(indexed)
    settings = indexed.settings
    env = dict(os.environ, DASBOT_DATA_DIR=str(settings.data_dir), DASBOT_CACHE_DIR=str(settings.cache_dir))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "index", *(str(tmp_path / n) for n in names)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " er ikke indekseret: " in line]
    assert [line.split(" ")[0] for line in errors] == names
    for line, name in zip(errors, names, strict=True):
        assert line.count(name) == 1 and HOSTILE[name][2] not in line  # the English line is for logs only
    assert errors == [describe(report) for report in indexed.index([tmp_path / name for name in names])]
    assert "7 fejlet" in result.stderr
    assert state(indexed) == before


def test_cli_json_and_telegram_give_the_same_reason(indexed: Dasbot, tmp_path: Path) -> None:
    """`dasbot index --json` carries each bad file's reason and its figures (the English line stays for logs);
    described in Danish they are the sentence Telegram shows for the same file."""
    names = [
        "empty.pdf",
        "tekst.pdf",
        "afkortet.pdf",
        "laast.pdf",
        "scannet.pdf",
        "latin1.txt",
        "referat",
        "kaempe.txt",
    ]
    for name in names:
        HOSTILE[name][0](tmp_path / name)
    settings = indexed.settings
    env = dict(os.environ, DASBOT_DATA_DIR=str(settings.data_dir), DASBOT_CACHE_DIR=str(settings.cache_dir))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "index", "--json", *(str(tmp_path / n) for n in names)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["path"], line["status"], line["reason"]) for line in lines] == [
        (name, "failed", HOSTILE[name][1].value) for name in names
    ]
    assert all(HOSTILE[line["path"]][2] in line["error"] for line in lines)
    assert lines[-1]["details"] == {"size": MAX_FILE_SIZE + 1, "limit": MAX_FILE_SIZE}

    reports = indexed.index([tmp_path / name for name in names])
    for line, report in zip(lines, reports, strict=True):
        shown = parse_html(render.index_report(report, notified=0))
        assert shown == f"❌ {describe(FileReport(**line))}", shown
        assert HOSTILE[report.path][2] not in shown  # the English line is for logs only
    assert shown == "❌ kaempe.txt er ikke indekseret: filen er for stor (50.1 MB; grænsen er 50 MB)."


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss is in kB on Linux")
def test_zip_bomb_memory_stays_bounded(tmp_path: Path) -> None:
    """Through the pipeline, in a fresh process: 540 MB of page content is refused after ~100 MB."""
    bomb = zero_bomb(tmp_path / "bombe.pdf", pages=12, size=45_000_000)
    assert bomb.stat().st_size < 2_000_000
    script = f"""
import resource
from pathlib import Path
from indexer.database import make_engine
from indexer.indexer import Indexer

def no_model():
    raise AssertionError("a refused file is never embedded")

data = Path({str(tmp_path / "data")!r})
data.mkdir()
engine = make_engine(f"sqlite:///{{data / 'db.sqlite3'}}")
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
[report] = Indexer(engine, data / "chunks.faiss", no_model).index([Path({str(bomb)!r})])
print(report.status, report.reason, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start, report.error)
"""
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    status, reason, grown_kb, error = result.stdout.split(" ", 3)
    assert (status, reason) == ("failed", Reason.CONTENT_OVER_LIMIT)
    assert f"exceeds the {CONTENT_LIMIT // 1_000_000} MB limit" in error
    assert int(grown_kb) < 400_000, f"memory grew by {int(grown_kb) // 1024} MB"


# ------------------------------------------------------------------------------ limits per file


def capped(store: Dasbot, **limits: int) -> Dasbot:
    """The same store indexing under other limits (`Settings` fields)."""
    return Dasbot(replace(store.settings, **limits), engine=store.engine, embedder=store.embedder)


def test_a_form_bomb_times_out_and_is_quarantined(indexed: Dasbot, tmp_path: Path) -> None:
    """One page drawing a 100 kB form 2,000 times (minutes of CPU) is stopped at the time limit; the same bytes
    under another name are then refused at once, without extracting again."""
    bomb = form_bomb(tmp_path / "form-bombe.pdf", draws=2000, form_size=100_000)
    assert bomb.stat().st_size < 5_000
    limited = capped(indexed, extract_seconds=3)
    before = state(indexed)
    started = time.monotonic()
    [report] = limited.index([bomb])
    assert time.monotonic() - started < 8
    assert (report.status, report.reason, report.details) == ("failed", Reason.EXTRACTION_TIMEOUT, {"seconds": 3})
    assert "over 3 sekunder" in describe(report) and "karantæne" in describe(report)
    sha = hashlib.sha256(bomb.read_bytes()).hexdigest()
    assert (indexed.settings.data_dir / "quarantine" / sha).is_file()

    again = bomb.rename(tmp_path / "omdoebt.pdf")
    started = time.monotonic()
    [report] = limited.index([again])
    assert time.monotonic() - started < 2  # not extracted again: that takes the 3 s limit
    assert (report.status, report.reason) == ("failed", Reason.QUARANTINED)
    assert state(indexed) == before


def test_a_pdf_of_20000_pages_is_refused_by_the_page_cap_quickly(indexed: Dasbot, tmp_path: Path) -> None:
    writer = PdfWriter()
    for _ in range(20_000):
        writer.add_blank_page(300, 300)
    path = tmp_path / "sider.pdf"
    writer.write(path)
    before = state(indexed)
    started = time.monotonic()
    [report] = indexed.index([path])
    assert time.monotonic() - started < 10
    assert (report.status, report.reason, report.details) == (
        "failed",
        Reason.TOO_MANY_PAGES,
        {"count": 20_000, "cap": 2_000},
    )
    assert describe(report) == "sider.pdf er ikke indekseret: PDF'en har 20.000 sider; grænsen er 2.000 sider."
    assert state(indexed) == before


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        ({"max_characters": 1_000}, Reason.TOO_MANY_CHARACTERS),
        ({"max_chunks": 1}, Reason.TOO_MANY_CHUNKS),
        ({"max_pages": 1, "max_characters": 1_000}, Reason.TOO_MANY_PAGES),
    ],
)
def test_the_caps_refuse_an_over_long_file(indexed: Dasbot, tmp_path: Path, limits: dict, reason: Reason) -> None:
    """A text file (one page) over the character or chunk cap, and a two-page PDF over a page cap of one."""
    if reason == Reason.TOO_MANY_PAGES:
        path = write_pdf(tmp_path / "to-sider.pdf", ["Referat", "Side 2"])
    else:
        path = tmp_path / "lang.txt"
        path.write_text(agenda(word="Skovvej") * 3, encoding="utf-8")
    before = state(indexed)
    [report] = capped(indexed, **limits).index([path])
    assert (report.status, report.reason) == ("failed", reason)
    assert report.details["cap"] == next(iter(limits.values())) < report.details["count"]
    assert state(indexed) == before


# --------------------------------------------------------------------------------- awkward files


def test_pdf_encrypted_with_an_empty_user_password_is_indexed(store: Dasbot, tmp_path: Path) -> None:
    source = write_pdf(tmp_path / "plain.pdf", ["Referat fra mødet den 04.12.2012", "Torvevej aflastning"])
    [report] = store.index([encrypted(source, tmp_path / "ejer-laast.pdf", "")])
    assert report.status == "indexed" and report.chunks >= 1
    assert "Torvevej aflastning" in texts(store)


def test_mixed_pdf_indexes_its_text_pages_and_names_the_empty_ones(store: Dasbot, tmp_path: Path) -> None:
    pdf = scanned_pdf(tmp_path / "blandet.pdf", ["Referat side et om Torvevej", None, "Side tre om Solvej", None])
    [report] = store.index([pdf])
    assert report.status == "indexed" and report.empty_pages == [2, 4]
    with Session(store.engine) as session:
        assert set(session.exec(select(Chunk.page)).all()) == {1, 3}


def test_cli_names_empty_pages_duplicates_and_replacements(
    store: Dasbot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DASBOT_DATA_DIR", str(store.settings.data_dir))
    monkeypatch.setenv("DASBOT_CACHE_DIR", str(store.settings.cache_dir))
    mixed = scanned_pdf(tmp_path / "blandet.pdf", ["Referat side et om Torvevej", None, "Side tre om Solvej"])
    copy = tmp_path / "kopi.pdf"
    copy.write_bytes(mixed.read_bytes())
    (tmp_path / "v1.txt").write_text(agenda(word="Torvevej"), encoding="utf-8")
    (tmp_path / "v2.txt").write_text(agenda(word="Torvevænget"), encoding="utf-8")
    assert cli.main(["index", str(mixed), str(copy), str(tmp_path / "v1.txt")]) == 0
    assert cli.main(["index", str(tmp_path / "v2.txt")]) == 0
    err = capsys.readouterr().err
    assert "blandet.pdf er indekseret\n  Ingen mødedato fundet" in err and "Sider uden tekst (kræver OCR): 2." in err
    assert "kopi.pdf er ikke indekseret: samme indhold er allerede indekseret som blandet.pdf." in err
    assert "v2.txt er indekseret\n  Møde: Sundheds- og Forebyggelsesudvalget 04.12.2012" in err
    assert "Erstatter den ældre udgave af mødets dokument: v1.txt" in err
    assert "1 side uden tekst (kræver OCR)" in err


# -------------------------------------------------------------------------- duplicates and versions


def test_the_same_upload_twice_adds_nothing(indexed: Dasbot, tmp_path: Path) -> None:
    before = state(indexed)
    [report] = indexed.index([tmp_path / "dagsorden.txt"])
    assert (report.status, report.duplicate_of) == ("unchanged", None)
    assert state(indexed) == before


def test_same_bytes_under_a_new_name_are_recognised(indexed: Dasbot, tmp_path: Path) -> None:
    before = state(indexed)
    copy = tmp_path / "kopi af dagsorden.txt"
    copy.write_bytes((tmp_path / "dagsorden.txt").read_bytes())
    [report] = indexed.index([copy])
    assert (report.status, report.duplicate_of) == ("unchanged", "dagsorden.txt")
    assert state(indexed) == before


def test_a_name_holding_a_copy_of_another_meeting_keeps_its_own_record(store: Dasbot, tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(agenda(date="20.01.2023", committee="DAS Social", word="Kvisten"), encoding="utf-8")
    second.write_text(agenda(), encoding="utf-8")
    store.index([first, second])
    before = state(store)
    first.write_bytes(second.read_bytes())
    [report] = store.index([first])
    assert (report.status, report.duplicate_of) == ("unchanged", "b.txt")
    assert state(store) == before and "Kvisten" in texts(store)


def test_two_meetings_under_one_name_both_stay_answerable(
    store: Dasbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name is no identity: only the meeting and its version decide that one record replaces another."""
    paths = {}
    for folder, date, word in (
        ("a", "20.01.2023", "Kvisten"),
        ("b", "04.12.2012", "Torvevej"),
        ("c", "20.01.2023", "Nødspor"),
    ):
        (tmp_path / folder).mkdir()
        paths[folder] = tmp_path / folder / "Dagsorden.txt"
        paths[folder].write_text(agenda(date=date, committee="DAS Social", word=word), encoding="utf-8")
    store.index([paths["a"]])
    [report] = store.index([paths["b"]])
    assert (report.status, report.kept_beside) == ("indexed", [{"committee": "DAS Social", "date": "2023-01-20"}])
    assert "Bevaret ved siden af (et andet mødes dokument med samme filnavn): DAS Social 20.01.2023" in describe(report)
    assert filenames(store) == ["Dagsorden.txt", "Dagsorden.txt"]
    for word in ("Kvisten", "Torvevej"):
        hits = store.searcher.search(word, k=3)
        assert hits and word in hits[0].chunk.text
    os.utime(paths["c"], (2_000_000_000, 2_000_000_000))
    [report] = store.index([paths["c"]])  # a newer version of the first meeting replaces it, and only it
    assert (report.status, report.kept_beside) == ("replaced", [{"committee": "DAS Social", "date": "2012-12-04"}])
    assert describe(report).startswith(
        "Dagsorden.txt er opdateret (den tidligere udgave er erstattet)\nMøde: DAS Social 20.01.2023"
    )
    assert "Kvisten" not in texts(store) and "Torvevej" in texts(store) and "Nødspor" in texts(store)
    assert compare_ann(store.engine, store.settings.ann_path).ok
    monkeypatch.setenv("DASBOT_DATA_DIR", str(store.settings.data_dir))
    monkeypatch.setenv("DASBOT_CACHE_DIR", str(store.settings.cache_dir))
    capsys.readouterr()
    assert cli.main(["history", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["file"], entry["committee"], entry["date"]) == ("Dagsorden.txt", "DAS Social", "2023-01-20")
    assert cli.main(["history"]) == 0
    assert "Dagsorden.txt (DAS Social 2023-01-20) erstattet af Dagsorden.txt" in capsys.readouterr().out


def test_a_newer_agenda_replaces_the_older_one(indexed: Dasbot, tmp_path: Path) -> None:
    newer = tmp_path / "dagsorden-revideret.txt"
    newer.write_text(agenda(word="Torvevænget"), encoding="utf-8")
    [report] = indexed.index([newer])
    assert (report.status, report.replaces) == ("replaced", ["dagsorden.txt"])
    assert filenames(indexed) == ["dagsorden-revideret.txt"]
    assert "Torvevej" not in texts(indexed) and "Torvevænget" in texts(indexed)
    with Session(indexed.engine) as session:
        assert len(session.exec(select(Meeting)).all()) == 1
    assert compare_ann(indexed.engine, indexed.settings.ann_path).ok
    hits = indexed.searcher.search("Torvevænget", k=3)
    assert hits and all(hit.chunk.citation.source == "dagsorden-revideret.txt" for hit in hits)


def test_a_file_changed_to_another_meeting_is_indexed_beside_the_first(indexed: Dasbot, tmp_path: Path) -> None:
    (tmp_path / "dagsorden.txt").write_text(agenda(date="05.12.2012"), encoding="utf-8")
    [report] = indexed.index([tmp_path / "dagsorden.txt"])
    assert (report.status, [m["date"] for m in report.kept_beside]) == ("indexed", ["2012-12-04"])
    with Session(indexed.engine) as session:
        assert sorted(m.date.isoformat() for m in session.exec(select(Meeting))) == ["2012-12-04", "2012-12-05"]
    assert compare_ann(indexed.engine, indexed.settings.ann_path).ok


def test_an_answer_reads_the_tables_of_the_index_as_it_is_now(indexed: Dasbot, tmp_path: Path) -> None:
    """The lookup tables are read once per version of the index, and again after a change to the store."""
    indexed.answerer.ask("hvad står der om Torvevej?")
    before = indexed.answerer.tables.current()
    assert [d.isoformat() for d in before.meeting_dates()] == ["2012-12-04"]
    assert indexed.answerer.tables.current() is before  # no change, no new read
    (tmp_path / "ny.txt").write_text(agenda(date="05.12.2012"), encoding="utf-8")
    assert [r.status for r in indexed.index([tmp_path / "ny.txt"])] == ["indexed"]
    assert sorted(d.isoformat() for d in indexed.answerer.tables.current().meeting_dates()) == [
        "2012-12-04",
        "2012-12-05",
    ]


def test_two_versions_in_one_run_keep_the_newest_file_without_churn(store: Dasbot, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    older, newer = folder / "b-dagsorden.txt", folder / "a-dagsorden.txt"  # name order is not age order
    older.write_text(agenda(word="Torvevej"), encoding="utf-8")
    newer.write_text(agenda(word="Torvevænget"), encoding="utf-8")
    os.utime(older, (1_600_000_000, 1_600_000_000))
    os.utime(newer, (1_700_000_000, 1_700_000_000))
    first = store.index([folder])
    assert [(r.path, r.status, r.newer_version) for r in first] == [
        ("a-dagsorden.txt", "indexed", None),
        ("b-dagsorden.txt", "unchanged", "a-dagsorden.txt"),
    ]
    before = state(store)
    second = store.index([folder])
    assert [(r.status, r.newer_version) for r in second] == [("unchanged", None), ("unchanged", "a-dagsorden.txt")]
    assert state(store) == before
    assert filenames(store) == ["a-dagsorden.txt"] and "Torvevej" not in texts(store)


def test_an_older_agenda_indexed_later_is_left_out(indexed: Dasbot, tmp_path: Path) -> None:
    before = state(indexed)
    older = tmp_path / "gammel-dagsorden.txt"
    older.write_text(agenda(word="Torvegade"), encoding="utf-8")
    os.utime(older, (1_354_000_000, 1_354_000_000))  # November 2012: made before dagsorden.txt
    [report] = indexed.index([older])
    assert (report.status, report.newer_version, report.chunks) == ("unchanged", "dagsorden.txt", 0)
    assert state(indexed) == before and "Torvegade" not in texts(indexed)


def test_a_pdf_is_dated_by_its_own_modification_date(
    store: Dasbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF's ModDate says which version is newer, whatever the file times say (an upload's is its arrival). It is
    read in the extracting child: the indexing process parses nothing of an untrusted file."""
    for where in ("indexer.read.pdf_modified", "indexer.extract.pdf_modified"):  # only the child may call it
        monkeypatch.setattr(where, lambda data: pytest.fail("a PDF parsed in the indexer"))
    minutes = shared_path("corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf")
    assert [r.status for r in store.index([minutes])] == ["indexed"]
    before = state(store)
    writer = PdfWriter(clone_from=minutes)
    writer.add_metadata({"/ModDate": "D:20121130090000+01'00'", "/Title": "Udkast til referat"})
    draft = tmp_path / "udkast.pdf"
    writer.write(draft)  # written now, but modified (says the PDF) before the minutes were
    [report] = store.index([draft])
    assert (report.status, report.newer_version) == ("unchanged", minutes.name)
    assert state(store) == before
    with Session(store.engine) as session:
        [document] = session.exec(select(Document)).all()
    assert document.version_time.isoformat() == "2012-12-05T09:01:16+00:00"  # D:20121205100116+01'00' in UTC


def test_force_rereads_an_unchanged_file_in_place(indexed: Dasbot, tmp_path: Path) -> None:
    with Session(indexed.engine) as session:
        texts_before = sorted(session.exec(select(Chunk.text)).all())
    [report] = indexed.index([tmp_path / "dagsorden.txt"], force=True)
    assert (report.status, report.duplicate_of, report.replaces) == ("replaced", None, [])
    with Session(indexed.engine) as session:
        assert sorted(session.exec(select(Chunk.text)).all()) == texts_before
        assert len(session.exec(select(Document)).all()) == 1
    assert compare_ann(indexed.engine, indexed.settings.ann_path).ok


def test_a_database_from_before_version_times_gets_the_column(indexed: Dasbot) -> None:
    url = indexed.settings.db_url
    with indexed.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE document DROP COLUMN version_time")
    indexed.engine.dispose()
    again = make_engine(url)
    with Session(again) as session:
        [document] = session.exec(select(Document)).all()
    assert document.filename == "dagsorden.txt" and document.version_time is None


def test_minutes_join_their_agenda_and_a_newer_version_replaces_them(indexed: Dasbot, tmp_path: Path) -> None:
    minutes = shared_path("corpus", "pdf", "ballerup_sundheds-og-forebyggelsesudvalget_2012-12-04_referat.pdf")
    [report] = indexed.index([minutes])
    assert (report.status, report.kind, report.replaces) == ("indexed", "minutes", [])
    assert filenames(indexed) == sorted(["dagsorden.txt", minutes.name])
    with Session(indexed.engine) as session:
        assert len(session.exec(select(Meeting)).all()) == 1  # one meeting, described by both records

    item4 = [(d.kind, d.source) for d in all_decisions(indexed.engine) if d.item == 4]
    assert ("indstilling", "dagsorden.txt") in item4 and ("beslutning", minutes.name) in item4

    writer = PdfWriter(clone_from=minutes)
    writer.add_metadata({"/Title": "Referat, rettet udgave"})
    revised = tmp_path / "referat-rettet.pdf"
    writer.write(revised)
    [report] = indexed.index([revised])
    assert (report.status, report.replaces) == ("replaced", [minutes.name])
    assert filenames(indexed) == ["dagsorden.txt", "referat-rettet.pdf"]
    item4 = {(d.kind, d.source) for d in all_decisions(indexed.engine) if d.item == 4}
    revised_kinds = {("indstilling", "referat-rettet.pdf"), ("beslutning", "referat-rettet.pdf")}
    assert item4 == {("indstilling", "dagsorden.txt"), *revised_kinds}
    assert compare_ann(indexed.engine, indexed.settings.ann_path).ok


# ---------------------------------------------------------------------------------------- security


def test_nothing_stored_is_unpickled() -> None:
    """Stored data is SQLite rows, FAISS's own format and safetensors: no pickle anywhere in the code."""
    risky = (
        "import pickle",
        "from pickle",
        "pickle.load",
        "allow_pickle=True",
        "torch.load",
        "joblib",
        "shelve",
        "dill",
    )
    sources = [p for folder in ("bot", "indexer") for p in (PROJECT_ROOT / folder).rglob("*.py")]
    assert sources
    found = [(p.name, word) for p in sources for word in risky if word in p.read_text(encoding="utf-8")]
    assert found == []
